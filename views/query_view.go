package views

import (
	"fmt"
	"math"
	"strings"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/lab"
)

func (p *queryPane) view(w, h int) string {
	t := p.a.theme
	p.in.setWidth(max(w-width(p.in.Prompt)-4, 1))
	lines := []string{" " + p.inputView(w-1)}
	d := p.a.ws.Data
	if d == nil {
		lines = append(lines, "", " "+t.Muted.Render("No dataset loaded: open one in the Datasets pane (1)."))
		return fitLines(lines, w, h)
	}
	info := ""
	if p.query != "" {
		if jq := p.judgedQuery(p.query); jq != "" {
			info = t.Muted.Render("judged query "+jq+" · ") + t.Relevant.Render("✓") + t.Muted.Render(" = relevant in qrels")
		} else {
			info = t.Muted.Render("free query: not in the dataset, so no ✓ judgements")
		}
	}
	if v := p.in.Value(); p.in.Focused() && !p.a.bidi && hasRTL(v) {
		info = t.Muted.Render("reads: ") + t.Text.Render(p.a.disp(oneLine(v)))
	}
	mode := "bidi: reordered here"
	if p.a.bidi {
		mode = "bidi: terminal"
	}
	lines = append(lines, " "+info+strings.Repeat(" ", max(w-width(info)-width(mode)-3, 1))+t.Subtle.Render(mode))
	if len(p.cols) == 0 {
		lines = append(lines, "", " "+t.Muted.Render("Press / to type a query, enter to search."))
		return fitLines(lines, w, h)
	}
	rest := h - len(lines)
	// The results below do not change while a query is typed: draw them once per state, so
	// that each key costs only the input line (a 5,000-key paste stays fast).
	key := fmt.Sprint(w, rest, p.seq, p.focus, p.a.model, p.a.bidi, p.a.theme.Name, p.passage.YOffset, p.query, len(p.a.models()), len(p.pair))
	for _, c := range p.cols {
		key += fmt.Sprint(" ", c.sel)
	}
	if key != p.drawnKey {
		p.drawn, p.drawnKey = p.resultsView(w, rest), key
		p.draws++
	}
	return fitLines(append(lines, p.drawn), w, h)
}

// resultsView is the result columns and the detail of the selected passage in w×rest cells.
func (p *queryPane) resultsView(w, rest int) string {
	t := p.a.theme
	var lines []string
	var m lab.Model
	for _, c := range p.cols {
		if c.explain != nil {
			m = lab.Model{Name: c.name, Explainer: c.explain}
			break
		}
	}
	var rr *lab.Reranked // a reranking pipeline explains by token saliency (rerank.go)
	for _, c := range p.cols {
		if r, ok := p.retrieverOf(c).(*lab.Reranked); ok {
			rr = r
			break
		}
	}
	explain := m.Explainer != nil || rr != nil
	detailH := 6
	if explain {
		detailH = 10
	}
	detailH = max(min(detailH, rest-8), 0)
	listH := rest - detailH
	var list string
	switch {
	case len(p.cols) > 1 && w >= 90:
		lw := (w - 1) / 2
		rw := w - 1 - lw
		list = hjoin(1, []int{lw, rw}, p.columnView(0, lw, listH), p.columnView(1, rw, listH))
	case len(p.cols) > 1: // narrow: the focused column only, with a switcher line
		sw := ""
		for i, c := range p.cols {
			if i > 0 {
				sw += t.Subtle.Render(" │ ")
			}
			if i == p.focus && t.NoColor { // no colour to mark it
				sw += t.TabActive.Render("[" + c.name + "]")
			} else if i == p.focus {
				sw += t.TabActive.Render(c.name)
			} else {
				sw += t.TabIdle.Render(c.name)
			}
		}
		list = " " + sw + t.Subtle.Render("   ←/→ switch") + "\n" + p.columnView(p.focus, w, listH-1)
	default:
		list = p.columnView(0, w, listH)
	}
	lines = append(lines, list)
	if detailH > 0 {
		c := p.cols[p.focus]
		if len(c.hits) > 0 {
			hit := c.hits[c.sel]
			if rr != nil {
				lines = append(lines, p.tokenView(rr, hit, w, detailH))
			} else if explain {
				lines = append(lines, p.explainView(m, hit, w, detailH))
			} else {
				lines = append(lines, p.passageView(hit, w, detailH))
			}
		}
	}
	return fitLines(lines, w, rest)
}

// columnView renders one retriever's hits: two lines per hit.
func (p *queryPane) columnView(ci, w, h int) string {
	t := p.a.theme
	c := p.cols[ci]
	focused := ci == p.focus
	title := t.Title.Render(c.name)
	if !focused {
		title = t.Muted.Render(c.name)
	}
	if focused && len(p.cols) > 1 {
		title = t.Accent.Render("▌") + title
	} else {
		title = " " + title
	}
	title += t.Subtle.Render(fmt.Sprintf("  %d hits · %s", len(c.hits), lab.FormatTook(c.took)))
	lines := []string{title, t.Subtle.Render(fmt.Sprintf(" %2s %s %8s  %5s  %s", "#", "✓", "score", "σ", "passage"))}
	if len(c.hits) == 0 {
		lines = append(lines, t.Muted.Render("   no passage shares a term with the query"))
		return fitLines(lines, w, h)
	}
	rel := p.relevantSet(p.query)
	set := p.hlTerms()
	per := 2
	room := (h - len(lines)) / per
	if room < 1 {
		return fitLines(lines, w, h)
	}
	first := 0
	if c.sel >= room {
		first = c.sel - room + 1
	}
	d := p.a.ws.Data
	for i := first; i < len(c.hits) && i < first+room; i++ {
		hit := c.hits[i]
		mark := "   "
		if rel[hit.ID] > 0 {
			mark = t.Relevant.Render(" ✓ ")
		}
		prob := "    —"
		if !math.IsNaN(hit.Prob) {
			prob = fmt.Sprintf("%5.3f", hit.Prob)
		}
		var ps datasets.Passage
		if hit.Index >= 0 && hit.Index < len(d.Passages) {
			ps = d.Passages[hit.Index]
		}
		name := ps.Title
		if name == "" {
			name = hit.ID
		} else {
			name = hit.ID + " · " + name
		}
		nums := fmt.Sprintf("%8.3f  %s  ", hit.Score, prob)
		head := fmt.Sprintf("%2d", i+1) + mark + t.Text.Render(nums)
		tw := max(w-width(head)-1, 4)
		head += p.a.para(name, tw, 1, set, t.Accent)[0]
		was := ""
		if i < len(c.first) {
			was = moveLabel(c.first[i], i+1)
		}
		sn := t.Muted.Render(was) + p.a.para(oneLine(ps.Text), w-6-width(was), 1, set, t.Text)[0]
		if i == c.sel && focused {
			lines = append(lines, t.Selected.Render("▸")+head, "     "+sn)
		} else {
			lines = append(lines, " "+head, "     "+sn)
		}
	}
	return fitLines(lines, w, h)
}

// hlTerms is the set of query terms to highlight, plus the visual (reversed) spelling
// of right-to-left terms so that reordered lines still match.
func (p *queryPane) hlTerms() map[string]bool {
	set := terms(p.query)
	if !p.a.bidi {
		for tm := range set {
			if hasRTL(tm) {
				set[reverseRunes(tm)] = true
			}
		}
	}
	return set
}

func reverseRunes(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// passageView shows the selected passage in a viewport: pgdn/pgup scroll a long passage.
func (p *queryPane) passageView(hit engine.Hit, w, h int) string {
	t := p.a.theme
	d := p.a.ws.Data
	if hit.Index < 0 || hit.Index >= len(d.Passages) || h < 2 {
		return ""
	}
	ps := d.Passages[hit.Index]
	body := indent(p.a.para(oneLine(ps.Text), w-2, 1<<16, p.hlTerms(), t.Text), " ")
	if p.shown != hit.ID {
		p.passage.GotoTop()
		p.shown = hit.ID
	}
	p.passage.Width, p.passage.Height = w, h-1
	p.passage.SetContent(strings.Join(body, "\n"))
	head := t.Subtle.Render(strings.Repeat("─", 2)) + " " + t.Title.Render(ps.ID)
	if ps.Title != "" {
		head += t.Text.Render(" · " + p.a.disp(ps.Title))
	}
	if len(body) > p.passage.Height {
		head += t.Muted.Render(fmt.Sprintf(" · lines %d–%d of %d (pgdn/pgup)", p.passage.YOffset+1,
			min(p.passage.YOffset+p.passage.Height, len(body)), len(body)))
	}
	head += " " + t.Subtle.Render(strings.Repeat("─", max(w-width(head)-1, 0)))
	return fitLines([]string{trunc(head, w), p.passage.View()}, w, h)
}

func indent(ls []string, pre string) []string {
	for i := range ls {
		ls[i] = pre + ls[i]
	}
	return ls
}

// inputView is the query line. A right-to-left question is shown shaped and in visual order
// like the passages (unless the terminal does bidi itself); while it is being edited the
// field keeps logical order, so that the cursor moves through the text as typed, and the
// line after it shows how it reads.
func (p *queryPane) inputView(w int) string {
	v := p.in.Value()
	if p.a.bidi || !hasRTL(v) {
		return p.in.View()
	}
	if !p.in.Focused() {
		return trunc(p.in.PromptStyle.Render(p.in.Prompt)+p.in.TextStyle.Render(p.a.disp(oneLine(v))), w)
	}
	return p.in.View()
}
