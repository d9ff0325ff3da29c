package views

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/text"
)

func (p *datasetsPane) view(w, h int) string {
	t := p.a.theme
	var top []string
	switch {
	case p.a.opts.ReadOnly:
		top = append(top, " "+t.Badge.Render(" READ-ONLY ")+" "+t.Muted.Render("loading datasets is disabled in this demo"))
	case p.in.Focused():
		p.in.setWidth(max(w-width(p.in.Prompt)-3, 1))
		top = append(top, " "+p.in.View())
	default:
		hint := "(o browse · e type a path)"
		src := ""
		if d := p.a.ws.Data; d != nil {
			src = d.Source
		}
		top = append(top, " "+p.in.PromptStyle.Render(p.in.Prompt)+t.Text.Render(shortPath(src, w-width(p.in.Prompt)-width(hint)-5))+"  "+t.Subtle.Render(hint))
	}
	switch {
	case p.loading:
		line := " " + p.spin.View() + " loading " + p.loadPath
		frac := 0.0
		if p.total > 0 {
			frac = float64(p.done) / float64(p.total)
			line += fmt.Sprintf("  %d/%d", p.done, p.total)
		} else if p.done > 0 {
			line += fmt.Sprintf("  %d", p.done)
		}
		top = append(top, line+"  "+barView(&p.bar, frac, max(w-width(line)-4, 10)))
	case p.lastErr != nil: // in full, wrapped: the list of supported formats is in it
		top = append(top, wrapStyled(t.Error, "✗ "+p.lastErr.Error(), w-2, " ")...)
	default:
		top = append(top, " "+t.Subtle.Render(strings.Repeat("─", max(w-2, 0))))
	}
	bodyH := h - len(top)
	if p.choosing {
		return strings.Join(top, "\n") + "\n" + p.chooserView(w, bodyH)
	}
	d := p.a.ws.Data
	if d == nil {
		msg := "No dataset loaded."
		if !p.a.opts.ReadOnly {
			msg += " Press o to browse for one, or e to type its path."
		}
		return strings.Join(top, "\n") + "\n\n " + t.Muted.Render(msg)
	}
	s := p.a.ws.Stats()
	leftW := min(max(w*2/5, 36), 46)
	rightW := w - leftW - 3
	left := p.statsView(d, s, leftW, bodyH)
	right := p.queriesView(d, rightW, bodyH)
	return strings.Join(top, "\n") + "\n" + hjoin(1, []int{leftW + 1, rightW}, left, right)
}

func (p *datasetsPane) statsView(d *datasets.Dataset, s datasets.Stats, w, h int) string {
	t := p.a.theme
	lab := func(l string) string { return t.Muted.Render(padRight(l, 11)) }
	var lines []string
	title := d.Name
	if d.Format != "" {
		title += " (" + d.Format + ")"
	}
	lines = append(lines, " "+t.Title.Render(title))
	lines = append(lines, " "+lab("source")+t.Text.Render(shortPath(d.Source, w-12)))
	lines = append(lines, " "+lab("passages")+t.Text.Render(fmt.Sprintf("%d", s.Passages)))
	lines = append(lines, " "+lab("queries")+t.Text.Render(fmt.Sprintf("%d", s.Queries)))
	splits := presentSplits(s)
	chosen := p.a.evalSplitsFor(d)
	for i, sp := range splits {
		l := ""
		if i == 0 {
			l = "qrels"
		}
		c := s.Splits[sp]
		mark, st := "  ", t.Text
		if slices.Contains(chosen, sp) {
			mark, st = "● ", t.Accent
		}
		lines = append(lines, " "+lab(l)+st.Render(mark)+t.Text.Render(fmt.Sprintf("%-5s %d q · %d relevant", sp, c.Queries, c.Relevant)))
	}
	if len(splits) > 0 {
		what := "● evaluated"
		if len(splits) > 1 {
			what += " · s picks"
		}
		lines = append(lines, " "+lab("")+t.Muted.Render(what))
	}
	if len(splits) == 0 {
		lines = append(lines, " "+lab("qrels")+t.Warn.Render("none (nothing to evaluate)"))
	}
	var extras []string
	if s.HardNegQueries > 0 {
		extras = append(extras, fmt.Sprintf("hard negatives for %d queries", s.HardNegQueries))
	}
	if s.CandidateGroups > 0 {
		extras = append(extras, fmt.Sprintf("rerank groups: %d", s.CandidateGroups))
	}
	if len(extras) > 0 {
		lines = append(lines, " "+lab("extras")+t.Text.Render(strings.Join(extras, ", ")))
	}
	lines = append(lines, " "+lab("languages")+t.Text.Render(languageList(s.Languages)))
	lines = append(lines, "")
	lines = append(lines, " "+t.Title.Render("Passage length")+t.Muted.Render(" (tokens, title + text)"))
	pl := s.PassageLen
	for _, l := range wrap(fmt.Sprintf("mean %.1f · median %g · p95 %d · max %d", pl.Mean, pl.Median, pl.P95, pl.Max), w-1) {
		lines = append(lines, " "+t.Muted.Render(l)) // wrapped, not cut, in a narrow column
	}
	// The histogram's buckets are the dataset statistics' own (the same as `arslab dataset
	// stats`), without the empty ones at either end.
	lo, hi := 0, len(s.PassageHist)-1
	for lo < hi && s.PassageHist[lo] == 0 {
		lo++
	}
	for hi > lo && s.PassageHist[hi] == 0 {
		hi--
	}
	labels := make([]string, 0, hi-lo+1)
	peak, lw := 1, 0
	for i := lo; i <= hi; i++ {
		label := fmt.Sprintf("%d+", s.HistEdges[i])
		if i+1 < len(s.HistEdges) {
			label = fmt.Sprintf("%d–%d", s.HistEdges[i], s.HistEdges[i+1]-1)
		}
		labels = append(labels, label)
		lw = max(lw, width(label))
		peak = max(peak, s.PassageHist[i])
	}
	cw := width(fmt.Sprint(peak))
	barW := max(w-lw-cw-4, 4)
	for j, label := range labels {
		if len(lines) >= h {
			break
		}
		n := s.PassageHist[lo+j]
		bar := t.SeriesStyle(1).Render(padRight(hbar(float64(n)/float64(peak), barW), barW))
		lines = append(lines, " "+t.Muted.Render(padLeft(label, lw))+" "+bar+" "+t.Text.Render(padLeft(fmt.Sprint(n), cw)))
	}
	return fitLines(lines, w, h)
}

// presentSplits lists the judged splits in train, dev, test order.
func presentSplits(s datasets.Stats) []datasets.Split {
	var out []datasets.Split
	for _, sp := range []datasets.Split{datasets.Train, datasets.Dev, datasets.Test} {
		if s.Splits[sp].Queries > 0 {
			out = append(out, sp)
		}
	}
	return out
}

// languageList writes language counts, most frequent first ("en 141 · ar 137").
func languageList(m map[text.Lang]int) string {
	langs := make([]text.Lang, 0, len(m))
	for l := range m {
		langs = append(langs, l)
	}
	sort.Slice(langs, func(i, j int) bool {
		if m[langs[i]] != m[langs[j]] {
			return m[langs[i]] > m[langs[j]]
		}
		return langs[i] < langs[j]
	})
	parts := make([]string, len(langs))
	for i, l := range langs {
		parts[i] = fmt.Sprintf("%s %d", l, m[l])
	}
	return strings.Join(parts, " · ")
}

// queriesView is the scrollable list of queries, each followed by its relevant passages.
func (p *datasetsPane) queriesView(d *datasets.Dataset, w, h int) string {
	t := p.a.theme
	head := t.Title.Render("Queries") + t.Muted.Render(fmt.Sprintf("  %d/%d · ↑/↓ to scroll", min(p.cursor+1, len(d.Queries)), len(d.Queries)))
	type item struct {
		line string
		q    int
	}
	var items []item
	pw := w - 4
	for qi, q := range d.Queries {
		split, rel := p.a.ws.QueryJudgements(q.ID)
		sp := string(split)
		if sp == "" {
			sp = "—"
		}
		tag := t.Muted.Render(fmt.Sprintf("%-5s", sp))
		qt := p.a.disp(oneLine(q.Text)) // shaped and reordered like the passages
		line := tag + " " + t.Text.Render(qt)
		if qi == p.cursor {
			line = t.Selected.Render("▸ " + padRight(fmt.Sprintf("%-5s %s", sp, qt), w-2))
		} else {
			line = "  " + line
		}
		items = append(items, item{line, qi})
		for j, pi := range rel {
			if j == 2 && len(rel) > 3 {
				items = append(items, item{"    " + t.Muted.Render(fmt.Sprintf("… %d more", len(rel)-2)), qi})
				break
			}
			ps := d.Passages[pi]
			id := passageLabel(ps) // "p190 · title": an opaque SQuAD id gets its article
			items = append(items, item{"    " + t.Relevant.Render("✓") + " " + t.Muted.Render(p.a.disp(id)) + " " +
				p.a.para(oneLine(ps.Text), pw-3-width(id), 1, nil, t.Muted)[0], qi})
		}
	}
	rows := h - 1
	// Keep the selected query (and its first passage) visible.
	first := -1
	last := -1
	for i, it := range items {
		if it.q == p.cursor {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first >= 0 {
		if first < p.offset {
			p.offset = first
		}
		if end := min(last, first+rows-1); end >= p.offset+rows {
			p.offset = end - rows + 1
		}
	}
	p.offset = min(max(p.offset, 0), max(len(items)-rows, 0))
	lines := []string{head}
	for i := p.offset; i < len(items) && len(lines) < h; i++ {
		lines = append(lines, items[i].line)
	}
	return fitLines(lines, w, h)
}

// passageLabel names a passage by id and, when it has one, title: "p190 · Cairo".
func passageLabel(ps datasets.Passage) string {
	if ps.Title == "" || ps.Title == ps.ID {
		return ps.ID
	}
	return ps.ID + " · " + oneLine(ps.Title)
}

// splitNames writes splits as "dev + test".
func splitNames(sps []datasets.Split) string {
	parts := make([]string, len(sps))
	for i, sp := range sps {
		parts[i] = string(sp)
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, " + ")
}

// chooserView is the recent datasets above the file picker.
func (p *datasetsPane) chooserView(w, h int) string {
	t := p.a.theme
	var lines []string
	focus := func(on bool, s string) string {
		if on {
			return t.Title.Render("▌" + s)
		}
		return t.Muted.Render(" " + s)
	}
	if len(p.recent) > 0 {
		lines = append(lines, " "+focus(p.onRecent, "Recent datasets")+t.Subtle.Render("  tab → browse files"))
		for i, r := range p.recent {
			if i >= 5 {
				lines = append(lines, t.Subtle.Render(fmt.Sprintf("    … %d more", len(p.recent)-5)))
				break
			}
			s := shortPath(r, w-6)
			if p.onRecent && i == p.recentSel {
				lines = append(lines, t.Selected.Render(padRight("  ▸ "+s, w-1)))
			} else {
				lines = append(lines, "    "+t.Text.Render(s))
			}
		}
		lines = append(lines, "")
	}
	dir := shortPath(p.picker.CurrentDirectory, w-30)
	if abs, err := filepath.Abs(p.picker.CurrentDirectory); err == nil && dir == "." {
		dir = "the working directory, " + elidePath(abs, w-55, false) // "." alone says nothing
	}
	head := " " + focus(!p.onRecent, "Browse ") + t.Text.Render(trunc(dir, w-30))
	if len(p.recent) > 0 {
		head += t.Subtle.Render("  tab → recent")
	}
	lines = append(lines, trunc(head, w))
	lines = append(lines, " "+t.Subtle.Render(trunc("enter loads the file or folder under ▸ · →/l opens a folder · ←/h goes up · esc closes", w-2)))
	room := h - len(lines)
	if room < 2 {
		return fitLines(lines, w, h)
	}
	p.picker.SetHeight(room)
	pv := strings.TrimRight(p.picker.View(), "\n")
	if p.onRecent {
		pv = t.Subtle.Render(ansiStrip(pv))
	}
	lines = append(lines, strings.Split(pv, "\n")...)
	return fitLines(lines, w, h)
}
