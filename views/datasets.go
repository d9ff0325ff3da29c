package views

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/text"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// Messages of a dataset load; gen ties them to the load that sent them.
type (
	loadProgressMsg struct {
		gen         int
		done, total int
	}
	loadDoneMsg struct {
		gen  int
		ws   *lab.Workspace
		err  error
		took time.Duration
	}
)

type datasetsPane struct {
	a    *App
	keys datasetKeys
	in   *input
	spin spinner.Model

	cursor int // selected query
	offset int // first visible line of the query list

	loading   bool
	gen       int
	cancel    context.CancelFunc
	loadPath  string
	done      int
	total     int
	loadStart time.Time
	lastErr   error
}

func newDatasetsPane(a *App) *datasetsPane {
	p := &datasetsPane{a: a, keys: newDatasetKeys()}
	p.in = newInput("path › ", "a BEIR folder, SQuAD/DPR .json, triples .jsonl or rerank .tsv", 4096)
	if d := a.ws.Data; d != nil && d.Source != "" {
		p.in.SetValue(d.Source)
	}
	p.spin = spinner.New(spinner.WithSpinner(spinner.Dot))
	return p
}

func (p *datasetsPane) applyTheme() {
	t := p.a.theme
	p.in.style(t.InputPrompt, t.InputText, t.Placeholder, t.Cursor)
	p.spin.Style = t.Accent
}

func (p *datasetsPane) reset() {
	p.cursor, p.offset = 0, 0
}

func (p *datasetsPane) capturing() bool { return p.in.Focused() }

func (p *datasetsPane) bindings() []key.Binding { return p.keys.list() }

func (p *datasetsPane) hints() []key.Binding {
	if p.in.Focused() {
		return []key.Binding{p.keys.Load, p.keys.Cancel}
	}
	return []key.Binding{p.keys.Edit, p.keys.Down}
}

func (p *datasetsPane) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadStep:
		if msg.gen != p.gen || !p.loading {
			return nil
		}
		p.done, p.total = msg.done, msg.total
		return waitLoad(msg.prog, msg.res)
	case loadDoneMsg:
		return p.loaded(msg)
	case spinner.TickMsg:
		if !p.loading {
			return nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return cmd
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			p.move(-1)
		case tea.MouseButtonWheelDown:
			p.move(1)
		}
		return nil
	case tea.KeyMsg:
		return p.key(msg)
	}
	if p.in.Focused() {
		return p.in.Update(msg)
	}
	return nil
}

func (p *datasetsPane) key(msg tea.KeyMsg) tea.Cmd {
	if p.in.Focused() {
		switch {
		case key.Matches(msg, p.keys.Cancel):
			p.in.Blur()
			return nil
		case key.Matches(msg, p.keys.Load):
			p.in.Blur()
			return p.load(strings.TrimSpace(p.in.Value()))
		}
		return p.in.Update(msg)
	}
	switch {
	case key.Matches(msg, p.keys.Edit):
		if p.a.opts.ReadOnly {
			p.a.setStatus(lvlWarn, "read-only demo: loading datasets is disabled")
			return nil
		}
		return p.in.Focus()
	case key.Matches(msg, p.keys.Load):
		return p.load(strings.TrimSpace(p.in.Value()))
	case key.Matches(msg, p.keys.Up):
		p.move(-1)
	case key.Matches(msg, p.keys.Down):
		p.move(1)
	case key.Matches(msg, p.keys.PageUp):
		p.move(-10)
	case key.Matches(msg, p.keys.PageDown):
		p.move(10)
	}
	return nil
}

func (p *datasetsPane) move(d int) {
	if p.a.ws.Data == nil {
		return
	}
	n := len(p.a.ws.Data.Queries)
	p.cursor = min(max(p.cursor+d, 0), max(n-1, 0))
}

// load starts reading path in the background.
func (p *datasetsPane) load(path string) tea.Cmd {
	switch {
	case p.a.opts.ReadOnly:
		p.a.setStatus(lvlWarn, "read-only demo: loading datasets is disabled")
		return nil
	case p.a.opts.Engine == nil:
		p.a.setStatus(lvlWarn, "loading datasets is not available in this build")
		return nil
	case path == "":
		p.a.setStatus(lvlWarn, "type a dataset path first (press o)")
		return nil
	case p.loading:
		p.a.setStatus(lvlWarn, "already loading %s", p.loadPath)
		return nil
	}
	p.gen++
	gen := p.gen
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.loading, p.loadPath, p.done, p.total = true, path, 0, 0
	p.loadStart = p.a.now()
	p.a.setStatus(lvlInfo, "loading %s…", path)

	prog := make(chan loadProgressMsg, 1)
	res := make(chan loadDoneMsg, 1)
	eng := p.a.opts.Engine
	now := p.a.now
	start := now()
	go func() {
		defer cancel()
		ws, err := eng.Open(ctx, path, func(done, total int) {
			select { // keep only the newest report when the UI lags
			case <-prog:
			default:
			}
			prog <- loadProgressMsg{gen: gen, done: done, total: total}
		})
		res <- loadDoneMsg{gen: gen, ws: ws, err: err, took: now().Sub(start)}
	}()
	return tea.Batch(p.spin.Tick, waitLoad(prog, res))
}

// waitLoad delivers the next progress report or the result.
func waitLoad(prog <-chan loadProgressMsg, res <-chan loadDoneMsg) tea.Cmd {
	return func() tea.Msg {
		select {
		case m := <-res:
			return m
		case m := <-prog:
			return loadStep{m, prog, res}
		}
	}
}

// loadStep is a progress report plus the channels to keep listening on.
type loadStep struct {
	loadProgressMsg
	prog <-chan loadProgressMsg
	res  <-chan loadDoneMsg
}

func (p *datasetsPane) loaded(msg loadDoneMsg) tea.Cmd {
	if msg.gen != p.gen {
		return nil
	}
	p.loading = false
	switch {
	case msg.err != nil:
		p.lastErr = msg.err
		p.a.setStatus(lvlErr, "could not load %s: %v (the previous dataset stays loaded)", p.loadPath, msg.err)
	case msg.ws == nil || msg.ws.Data == nil:
		p.a.setStatus(lvlErr, "could not load %s: the loader returned no data", p.loadPath)
	default:
		p.lastErr = nil
		p.a.setWorkspace(msg.ws)
		d := msg.ws.Data
		p.a.setStatus(lvlOK, "loaded %s: %d passages, %d queries in %s", d.Name, len(d.Passages), len(d.Queries),
			msg.took.Round(time.Millisecond))
	}
	return nil
}

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
		hint := "(o to edit · enter to load)"
		p.in.setWidth(max(min(width(p.in.Value())+1, w-width(p.in.Prompt)-width(hint)-5), 1))
		top = append(top, " "+p.in.View()+"  "+t.Subtle.Render(hint))
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
		top = append(top, line+"  "+progressBar(frac, max(w-width(line)-4, 10), t.Accent, t.Subtle))
	case p.lastErr != nil:
		top = append(top, " "+t.Error.Render("✗ "+oneLine(p.lastErr.Error())))
	default:
		top = append(top, " "+t.Subtle.Render(strings.Repeat("─", max(w-2, 0))))
	}
	bodyH := h - len(top)
	d := p.a.ws.Data
	if d == nil {
		msg := "No dataset loaded."
		if !p.a.opts.ReadOnly {
			msg += " Press o, type a path and press enter."
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
	lines = append(lines, " "+lab("source")+t.Text.Render(d.Source))
	lines = append(lines, " "+lab("passages")+t.Text.Render(fmt.Sprintf("%d", s.Passages)))
	lines = append(lines, " "+lab("queries")+t.Text.Render(fmt.Sprintf("%d", s.Queries)))
	splits := presentSplits(s)
	for i, sp := range splits {
		l := ""
		if i == 0 {
			l = "qrels"
		}
		c := s.Splits[sp]
		lines = append(lines, " "+lab(l)+t.Text.Render(fmt.Sprintf("%-5s %d q · %d relevant", sp, c.Queries, c.Relevant)))
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
	lines = append(lines, " "+t.Muted.Render(fmt.Sprintf("mean %.1f · median %g · p95 %d · max %d", pl.Mean, pl.Median, pl.P95, pl.Max)))
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
		line := tag + " " + t.Text.Render(oneLine(q.Text))
		if qi == p.cursor {
			line = t.Selected.Render("▸ " + padRight(fmt.Sprintf("%-5s %s", sp, oneLine(q.Text)), w-2))
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
			txt := ps.Text
			if ps.Title != "" {
				txt = ps.Title + " — " + ps.Text
			}
			items = append(items, item{"    " + t.Relevant.Render("✓") + " " + t.Muted.Render(ps.ID) + " " +
				p.a.para(oneLine(txt), pw-3-width(ps.ID), 1, nil, t.Muted)[0], qi})
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
