package views

import (
	"strings"
	"unicode"

	"github.com/arslab/arslab/engine/text"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// width is the display width of s (ANSI sequences ignored, grapheme aware).
func width(s string) int { return ansi.StringWidth(s) }

// trunc cuts s (which may hold ANSI styling) to at most w cells, ending with … when cut.
func trunc(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// padRight truncates s to w cells and pads it with spaces to exactly w.
func padRight(s string, w int) string {
	s = trunc(s, w)
	if n := w - width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// padLeft right-aligns s in w cells (truncating when longer).
func padLeft(s string, w int) string {
	s = trunc(s, w)
	if n := w - width(s); n > 0 {
		s = strings.Repeat(" ", n) + s
	}
	return s
}

// fit makes block exactly h lines, each at most w cells wide (truncated with …).
// Lines are padded to w so that a block can be joined horizontally with another.
func fit(block string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(block, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = padRight(l, w)
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", max(w, 0)))
	}
	return strings.Join(lines, "\n")
}

// fitLines is fit for a slice of lines.
func fitLines(lines []string, w, h int) string { return fit(strings.Join(lines, "\n"), w, h) }

// hjoin places blocks side by side with a gap; each block is fit to its width and the tallest height.
func hjoin(gap int, widths []int, blocks ...string) string {
	h := 0
	for _, b := range blocks {
		h = max(h, strings.Count(b, "\n")+1)
	}
	parts := make([]string, 0, 2*len(blocks))
	for i, b := range blocks {
		if i > 0 && gap > 0 {
			parts = append(parts, fit("", gap, h))
		}
		parts = append(parts, fit(b, widths[i], h))
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, parts...)
}

// wrap word-wraps plain text s to lines of at most w cells (long words are hard-broken).
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		cur, cw := "", 0
		for _, word := range words {
			ww := width(word)
			for ww > w { // hard-break a word longer than the line
				if cur != "" {
					lines = append(lines, cur)
					cur, cw = "", 0
				}
				head := ansi.Truncate(word, w, "")
				lines = append(lines, head)
				word = strings.TrimPrefix(word, head)
				ww = width(word)
			}
			switch {
			case cur == "":
				cur, cw = word, ww
			case cw+1+ww <= w:
				cur += " " + word
				cw += 1 + ww
			default:
				lines = append(lines, cur)
				cur, cw = word, ww
			}
		}
		if cur != "" || len(words) == 0 {
			lines = append(lines, cur)
		}
	}
	return lines
}

// terms returns the normalised tokens of a query to highlight, as the retrievers' analyzer
// sees them (lower case, NFKC, Arabic letter folding, Vietnamese tone placement; diacritics
// kept), without stopwords.
func terms(q string) map[string]bool {
	set, all := map[string]bool{}, map[string]bool{}
	lang := text.Detect(q)
	for _, t := range text.Tokens(q, lang, text.DefaultOptions()) {
		if len([]rune(t)) >= 2 || !isLatin(t) {
			all[t] = true
			if !text.IsStopword(t, lang) {
				set[t] = true
			}
		}
	}
	if len(set) == 0 { // a query of stopwords only: highlight them
		return all
	}
	return set
}

func isLatin(s string) bool {
	for _, r := range s {
		if r > unicode.MaxLatin1 {
			return false
		}
	}
	return true
}

// highlight renders line with base, and every word whose normalised form is in set with hl.
// Words are maximal runs of letters, digits and combining marks, as in engine/text.
func highlight(line string, set map[string]bool, hl, base lipgloss.Style) string {
	if len(set) == 0 {
		return base.Render(line)
	}
	var b strings.Builder
	plain := 0 // start of the pending unhighlighted run
	start := -1
	flush := func(end int) {
		w := line[start:end]
		toks := text.Tokens(w, text.Detect(w), text.DefaultOptions())
		if len(toks) == 1 && set[toks[0]] {
			if plain < start {
				b.WriteString(base.Render(line[plain:start]))
			}
			b.WriteString(hl.Render(w))
			plain = end
		}
		start = -1
	}
	for i, r := range line {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			flush(i)
		}
	}
	if start >= 0 {
		flush(len(line))
	}
	if plain < len(line) {
		b.WriteString(base.Render(line[plain:]))
	}
	return b.String()
}

// oneLine collapses white space so that a text fits on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// para lays out text in at most n lines of w cells with highlighted terms.
// Text holding right-to-left characters is reordered for display (unless the terminal
// does bidi itself: a.bidi) and right-aligned when it reads right to left.
// It always returns at least one line.
func (a *App) para(text string, w, n int, set map[string]bool, base lipgloss.Style) []string {
	t := a.theme
	if w <= 0 || n <= 0 {
		return []string{""}
	}
	rtlText := hasRTL(text)
	rtlBase := rtlText && rtlFirst(text)
	var ls []string
	if rtlText && !a.bidi {
		ls = rtlWrap(text, w)
	} else {
		ls = wrap(text, w)
	}
	if len(ls) == 0 {
		ls = []string{""}
	}
	if len(ls) > n {
		ls = ls[:n]
		last := ls[n-1]
		switch {
		case rtlBase && !a.bidi: // visual order: the line reads from its right end and continues on its left,
			// so room for the … is made at the left; the start of the text (the right end) stays whole
			if over := width(last) + 1 - w; over > 0 {
				last = ansi.TruncateLeft(last, over, "")
			}
			ls[n-1] = "…" + last
		case width(last) >= w:
			ls[n-1] = trunc(last+"…", w)
		default:
			ls[n-1] = last + "…"
		}
	}
	out := make([]string, len(ls))
	for i, l := range ls {
		s := highlight(l, set, t.Highlight, base)
		if rtlBase {
			s = padLeft(s, w)
		}
		out[i] = s
	}
	return out
}

// ansiStrip removes styling from s.
func ansiStrip(s string) string { return ansi.Strip(s) }
