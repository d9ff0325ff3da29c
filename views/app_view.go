package views

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
)

// statusMaxLines bounds a wrapped error or warning.
const statusMaxLines = 6

// tabLabel is the text of tab i.
func tabLabel(i int) string { return fmt.Sprintf(" %d %s ", i+1, paneID(i)) }

// tabSpans gives each tab's [start, end) columns in the tab row.
func tabSpans() [][2]int {
	var out [][2]int
	x := 1
	for i := 0; i < int(numPanes); i++ {
		w := width(tabLabel(i))
		out = append(out, [2]int{x, x + w})
		x += w + 1
	}
	return out
}

// View renders the whole screen: exactly height lines, none wider than width.
func (a *App) View() string {
	w, h := a.width, a.height
	if w < 20 || h < 6 {
		return fit("terminal too small", w, h)
	}
	t := a.theme
	header := a.headerView(w)
	tabs := a.tabsView(w)
	rule := t.TabRule.Render(strings.Repeat("─", w))
	status := a.statusView(w)
	bodyH := h - 4 - len(status)
	var body string
	if a.showHelp {
		body = a.helpView(w, bodyH)
	} else {
		body = a.pane().view(w, bodyH)
	}
	body = fit(body, w, bodyH)
	hints := a.hintsView(w)
	return strings.Join(append(append([]string{header, tabs, rule, body}, status...), hints), "\n")
}

func (a *App) headerView(w int) string {
	t := a.theme
	left := t.HeaderBrand.Render(" ◆ ARS Lab ")
	info := " no dataset"
	if d := a.ws.Data; d != nil {
		info = fmt.Sprintf(" %s · %d passages · %d queries", a.disp(d.Name), len(d.Passages), len(d.Queries))
	}
	model := "BM25"
	if m, ok := a.currentModel(); ok {
		model = m.Name
	}
	info += " · model: " + model + " "
	right := " theme: " + t.Name + " "
	if a.opts.ReadOnly {
		right = " READ-ONLY DEMO ·" + right
	}
	room := w - width(left) - width(right)
	if room < 8 {
		right = ""
		room = w - width(left)
	}
	mid := t.Header.Render(padRight(info, max(room, 0)))
	return trunc(left+mid+t.Header.Render(right), w)
}

func (a *App) tabsView(w int) string {
	t := a.theme
	var b strings.Builder
	b.WriteString(" ")
	for i := 0; i < int(numPanes); i++ {
		if i > 0 {
			b.WriteString(t.TabRule.Render("│"))
		}
		label := tabLabel(i)
		if paneID(i) == a.active {
			if t.NoColor { // no colour to mark it: brackets, in the same cells
				label = "[" + label[1:len(label)-1] + "]"
			}
			b.WriteString(t.TabActive.Render(label))
		} else {
			b.WriteString(t.TabIdle.Render(label))
		}
	}
	if a.training.running() {
		b.WriteString("  " + a.training.badge())
	}
	return trunc(b.String(), w)
}

// statusView is the status line. An error is never cut at the screen edge: it wraps onto
// up to statusMaxLines lines (the pane above gives them up).
func (a *App) statusView(w int) []string {
	t := a.theme
	st := t.StatusBar
	icon := "•"
	switch a.statusLevel {
	case lvlOK:
		st, icon = t.Good, "✓"
	case lvlWarn:
		st, icon = t.Warn, "!"
	case lvlErr:
		st, icon = t.Error, "✗"
	}
	text := " " + icon + " " + oneLine(a.statusText)
	if a.statusLevel < lvlWarn || width(text) <= w {
		return []string{trunc(st.Render(text), w)}
	}
	room := min(statusMaxLines, max(a.height-10, 1))
	ls := wrap(oneLine(a.statusText), w-3)
	if len(ls) > room {
		ls = ls[:room]
		ls[room-1] = trunc(ls[room-1]+" …", w-3)
	}
	for i, l := range ls {
		pre := "   "
		if i == 0 {
			pre = " " + icon + " "
		}
		ls[i] = st.Render(pre + l)
	}
	return ls
}

func (a *App) hintsView(w int) string {
	a.help.Width = w - 1
	var ks []key.Binding
	if a.showHelp {
		ks = []key.Binding{
			key.NewBinding(key.WithKeys("?"), key.WithHelp("?/esc", "close help")),
			key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll")),
			a.keys.Quit,
		}
	} else {
		ks = append(ks, a.pane().hints()...)
		if !a.pane().capturing() {
			ks = append(ks, a.keys.Next, a.keys.Theme, a.keys.Help, a.keys.Quit)
		}
	}
	return trunc(" "+a.help.ShortHelpView(ks), w)
}

// helpView is the overlay listing every key, grouped; groups flow into as many columns
// as fit (each to the shortest column) and ↑/↓ scroll when they do not fit in height.
func (a *App) helpView(w, h int) string {
	t := a.theme
	type group struct {
		title string
		keys  []key.Binding
	}
	// The active pane's keymap first, then the global keys, then the other panes'.
	groups := []group{{a.active.String() + " (this pane)", a.pane().bindings()}, {"Global", a.keys.list()}}
	for i, p := range a.panes() {
		if paneID(i) != a.active {
			groups = append(groups, group{paneID(i).String(), p.bindings()})
		}
	}
	var blocks [][]string
	colW := 0
	for _, g := range groups {
		// Each keymap is laid out by bubbles' help (one column: keys, then descriptions).
		full := help.New()
		full.Styles, full.FullSeparator = a.help.Styles, "  "
		lines := append([]string{t.Title.Render(g.title)}, strings.Split(full.FullHelpView([][]key.Binding{g.keys}), "\n")...)
		for _, l := range lines {
			colW = max(colW, width(l))
		}
		blocks = append(blocks, lines)
	}
	inner := w - 4
	const gap = 3
	ncol := max(1, min(len(blocks), (inner+gap)/(colW+gap)))
	cols := make([][]string, ncol)
	for _, b := range blocks {
		best := 0
		for i := range cols {
			if len(cols[i]) < len(cols[best]) {
				best = i
			}
		}
		if len(cols[best]) > 0 {
			cols[best] = append(cols[best], "")
		}
		cols[best] = append(cols[best], b...)
	}
	widths := make([]int, ncol)
	strs := make([]string, ncol)
	for i := range cols {
		widths[i] = min(colW, inner)
		strs[i] = strings.Join(cols[i], "\n")
	}
	content := strings.Split(hjoin(gap, widths, strs...), "\n")
	content = append(content, "", t.Muted.Render("Training pauses between optimiser steps (p); x stops it and keeps the checkpoint."))
	room := h - 2
	a.helpOffset = min(max(a.helpOffset, 0), max(len(content)-room, 0))
	if len(content) > room {
		content = content[a.helpOffset:]
		if len(content) > room {
			content = append(content[:room-1], t.Subtle.Render("↓ more (↑/↓ scroll)"))
		}
	}
	return t.Border.Padding(0, 1).Width(w - 2).Render(fitLines(content, w-4, room))
}
