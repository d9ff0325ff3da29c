package views

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/arslab/arslab/themes"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// newBar is bubbles' progress bar as the panes draw it: a solid fill, no percentage (the
// panes write their own counts), drawn at a given fraction with ViewAs.
func newBar() progress.Model {
	return progress.New(progress.WithoutPercentage(), progress.WithSolidFill("#7571F9"), progress.WithFillCharacters('█', '░'))
}

// styleBar gives a bar the theme's colours (none under NO_COLOR).
func styleBar(b *progress.Model, t themes.Theme) {
	b.FullColor, b.EmptyColor = t.Palette.Accent, t.Palette.Subtle
	if t.NoColor {
		*b = progress.New(progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'), progress.WithColorProfile(termenv.Ascii))
	}
}

// barView draws frac of a w-cell bar.
func barView(b *progress.Model, frac float64, w int) string {
	b.Width = max(w, 1)
	return b.ViewAs(min(max(frac, 0), 1))
}

// wrapStyled word-wraps a message (an error, say) in full onto lines of w cells, each
// rendered with st and prefixed with pre: nothing of it is cut at the screen edge.
func wrapStyled(st lipgloss.Style, s string, w int, pre string) []string {
	ls := wrap(oneLine(s), max(w, 8))
	for i, l := range ls {
		ls[i] = pre + st.Render(l)
	}
	return ls
}

// shortPath writes a path in at most w cells: relative to the working directory or ~ when
// shorter, then with the middle elided ("datasets/…/arcd/arcd-train.json") so that the
// start and the file name stay readable.
func shortPath(p string, w int) string { return elidePath(p, w, true) }

// elidePath is shortPath; relative says whether a path under the working directory may be
// written relative to it.
func elidePath(p string, w int, relative bool) string {
	if p == "" || w <= 0 {
		return ""
	}
	if abs, err := filepath.Abs(p); err == nil {
		if wd, err := os.Getwd(); err == nil && relative {
			if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") && len(rel) < len(p) {
				p = rel
			}
		}
		if home, err := os.UserHomeDir(); err == nil && home != "/" && strings.HasPrefix(abs, home+string(filepath.Separator)) {
			if h := "~" + strings.TrimPrefix(abs, home); len(h) < len(p) {
				p = h
			}
		}
	}
	if width(p) <= w {
		return p
	}
	base := filepath.Base(p)
	if width(base)+2 >= w {
		return "…" + ansi.TruncateLeft(p, width(p)-w+1, "")
	}
	head := ansi.Truncate(p, w-width(base)-2, "")
	return head + "…" + string(filepath.Separator) + base
}
