package views

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/text"
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
		gen    int
		shared *Shared
		err    error
		took   time.Duration
	}
)

// datasetStats are computed once per dataset.
type datasetStats struct {
	splits    []datasets.Split
	qrels     map[datasets.Split][2]int // judged queries, relevant pairs
	avgLen    float64
	minLen    int
	maxLen    int
	hist      []int // passage lengths (words) per bin, the first starting at histFrom
	histFrom  int
	binW      int
	langs     []langCount
	querySpl  map[string]datasets.Split
	relevant  map[string][]int // query id → passage indices with grade > 0 (all splits)
	withTitle int
}

type langCount struct {
	lang string
	n    int
}

type datasetsPane struct {
	a    *App
	keys datasetKeys
	in   *input
	spin spinner.Model

	stats  *datasetStats
	data   *datasets.Dataset // the data stats belong to
	cursor int               // selected query
	offset int               // first visible line of the query list

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
	p.in = &input{}
	p.in.Prompt = "path › "
	p.in.Placeholder = "a BEIR folder, SQuAD/DPR .json, triples .jsonl or rerank .tsv"
	p.in.CharLimit = 4096
	if d := a.shared.Data; d != nil && d.Source != "" {
		p.in.SetValue(d.Source)
	}
	p.spin = spinner.New(spinner.WithSpinner(spinner.Dot))
	return p
}

func (p *datasetsPane) applyTheme() {
	t := p.a.theme
	p.in.PromptStyle = t.InputPrompt
	p.in.TextStyle = t.InputText
	p.in.PlaceholderStyle = t.Placeholder
	p.in.CursorStyle = t.Cursor
	p.spin.Style = t.Accent
}

func (p *datasetsPane) reset() {
	p.cursor, p.offset = 0, 0
	p.stats, p.data = nil, nil
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
	if p.a.shared.Data == nil {
		return
	}
	n := len(p.a.shared.Data.Queries)
	p.cursor = min(max(p.cursor+d, 0), max(n-1, 0))
}

// load starts reading path in the background.
func (p *datasetsPane) load(path string) tea.Cmd {
	switch {
	case p.a.opts.ReadOnly:
		p.a.setStatus(lvlWarn, "read-only demo: loading datasets is disabled")
		return nil
	case p.a.opts.Engine.LoadDataset == nil:
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
	loadFn := p.a.opts.Engine.LoadDataset
	now := p.a.now
	start := now()
	go func() {
		defer cancel()
		sh, err := loadFn(ctx, path, func(done, total int) {
			select { // keep only the newest report when the UI lags
			case <-prog:
			default:
			}
			prog <- loadProgressMsg{gen: gen, done: done, total: total}
		})
		res <- loadDoneMsg{gen: gen, shared: sh, err: err, took: now().Sub(start)}
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
	case msg.shared == nil || msg.shared.Data == nil:
		p.a.setStatus(lvlErr, "could not load %s: the loader returned no data", p.loadPath)
	default:
		p.lastErr = nil
		p.a.setShared(msg.shared)
		d := msg.shared.Data
		p.a.setStatus(lvlOK, "loaded %s: %d passages, %d queries in %s", d.Name, len(d.Passages), len(d.Queries),
			msg.took.Round(time.Millisecond))
	}
	return nil
}

// computeStats summarises d for the pane.
func computeStats(d *datasets.Dataset) *datasetStats {
	s := &datasetStats{
		qrels:    map[datasets.Split][2]int{},
		querySpl: map[string]datasets.Split{},
		relevant: map[string][]int{},
	}
	pidx := make(map[string]int, len(d.Passages))
	for i, ps := range d.Passages {
		pidx[ps.ID] = i
	}
	for _, sp := range []datasets.Split{datasets.Train, datasets.Dev, datasets.Test} {
		q, ok := d.Qrels[sp]
		if !ok {
			continue
		}
		s.splits = append(s.splits, sp)
		pairs := 0
		for qid, rel := range q {
			if _, seen := s.querySpl[qid]; !seen {
				s.querySpl[qid] = sp
			}
			ids := make([]string, 0, len(rel))
			for pid, g := range rel {
				if g > 0 {
					pairs++
					ids = append(ids, pid)
				}
			}
			sort.Strings(ids)
			for _, pid := range ids {
				if i, ok := pidx[pid]; ok && !containsInt(s.relevant[qid], i) {
					s.relevant[qid] = append(s.relevant[qid], i)
				}
			}
		}
		s.qrels[sp] = [2]int{len(q), pairs}
	}
	lens := make([]int, len(d.Passages))
	langs := map[string]int{}
	total := 0
	s.minLen = math.MaxInt
	for i, ps := range d.Passages {
		n := len(strings.Fields(ps.Text))
		if ps.Title != "" {
			s.withTitle++
		}
		lens[i] = n
		total += n
		s.maxLen = max(s.maxLen, n)
		s.minLen = min(s.minLen, n)
		langs[string(text.Detect(ps.Title+" "+ps.Text))]++
	}
	if len(lens) > 0 {
		s.avgLen = float64(total) / float64(len(lens))
	}
	if len(lens) == 0 {
		s.minLen = 0
	}
	const bins = 8
	s.binW = niceBin(s.maxLen-s.minLen+1, bins)
	s.histFrom = s.minLen / s.binW * s.binW
	s.hist = make([]int, (s.maxLen-s.histFrom)/s.binW+1)
	for _, n := range lens {
		s.hist[(n-s.histFrom)/s.binW]++
	}
	for l, n := range langs {
		s.langs = append(s.langs, langCount{l, n})
	}
	sort.Slice(s.langs, func(i, j int) bool {
		if s.langs[i].n != s.langs[j].n {
			return s.langs[i].n > s.langs[j].n
		}
		return s.langs[i].lang < s.langs[j].lang
	})
	return s
}

// niceBin picks a 1-2-5 bin width so that span fits in about bins bins.
func niceBin(span, bins int) int {
	raw := float64(span) / float64(bins)
	if raw <= 1 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if w := m * mag; w >= raw {
			return int(w)
		}
	}
	return int(10 * mag)
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (p *datasetsPane) ensureStats() *datasetStats {
	d := p.a.shared.Data
	if d == nil {
		return nil
	}
	if p.data != d || p.stats == nil {
		p.stats, p.data = computeStats(d), d
	}
	return p.stats
}

func (p *datasetsPane) view(w, h int) string {
	t := p.a.theme
	p.in.Width = max(w-width(p.in.Prompt)-3, 1)
	var top []string
	switch {
	case p.a.opts.ReadOnly:
		top = append(top, " "+t.Badge.Render(" READ-ONLY ")+" "+t.Muted.Render("loading datasets is disabled in this demo"))
	case p.in.Focused():
		top = append(top, " "+p.in.View())
	default:
		top = append(top, " "+p.in.View()+"  "+t.Subtle.Render("(o to edit · enter to load)"))
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
	d := p.a.shared.Data
	if d == nil {
		msg := "No dataset loaded."
		if !p.a.opts.ReadOnly {
			msg += " Press o, type a path and press enter."
		}
		return strings.Join(top, "\n") + "\n\n " + t.Muted.Render(msg)
	}
	s := p.ensureStats()
	leftW := min(max(w*2/5, 36), 46)
	rightW := w - leftW - 3
	left := p.statsView(d, s, leftW, bodyH)
	right := p.queriesView(d, s, rightW, bodyH)
	return strings.Join(top, "\n") + "\n" + hjoin(1, []int{leftW + 1, rightW}, left, right)
}

func (p *datasetsPane) statsView(d *datasets.Dataset, s *datasetStats, w, h int) string {
	t := p.a.theme
	lab := func(l string) string { return t.Muted.Render(padRight(l, 11)) }
	var lines []string
	title := d.Name
	if d.Format != "" {
		title += " (" + d.Format + ")"
	}
	lines = append(lines, " "+t.Title.Render(title))
	lines = append(lines, " "+lab("source")+t.Text.Render(d.Source))
	lines = append(lines, " "+lab("passages")+t.Text.Render(fmt.Sprintf("%d", len(d.Passages)))+
		t.Muted.Render(fmt.Sprintf("  (%d titled)", s.withTitle)))
	lines = append(lines, " "+lab("queries")+t.Text.Render(fmt.Sprintf("%d", len(d.Queries))))
	for i, sp := range s.splits {
		l := ""
		if i == 0 {
			l = "qrels"
		}
		c := s.qrels[sp]
		lines = append(lines, " "+lab(l)+t.Text.Render(fmt.Sprintf("%-5s %d q · %d pairs", sp, c[0], c[1])))
	}
	if len(s.splits) == 0 {
		lines = append(lines, " "+lab("qrels")+t.Warn.Render("none (nothing to evaluate)"))
	}
	var extras []string
	if n := len(d.HardNegatives); n > 0 {
		extras = append(extras, fmt.Sprintf("hard negatives for %d queries", n))
	}
	if d.IsRerank() {
		extras = append(extras, fmt.Sprintf("rerank groups: %d", len(d.Candidates)))
	}
	if len(extras) > 0 {
		lines = append(lines, " "+lab("extras")+t.Text.Render(strings.Join(extras, ", ")))
	}
	var lg []string
	for _, l := range s.langs {
		lg = append(lg, fmt.Sprintf("%s %d", l.lang, l.n))
	}
	lines = append(lines, " "+lab("languages")+t.Text.Render(strings.Join(lg, " · ")))
	lines = append(lines, "")
	lines = append(lines, " "+t.Title.Render("Passage length")+t.Muted.Render(" (words)"))
	lines = append(lines, " "+t.Muted.Render(fmt.Sprintf("min %d · mean %.1f · max %d", s.minLen, s.avgLen, s.maxLen)))
	room := h - len(lines)
	hist := s.hist
	binW := s.binW
	for len(hist) > max(room, 1) { // merge bins until the histogram fits
		merged := make([]int, (len(hist)+1)/2)
		for i, n := range hist {
			merged[i/2] += n
		}
		hist, binW = merged, binW*2
	}
	peak := 1
	for _, n := range hist {
		peak = max(peak, n)
	}
	lw := width(fmt.Sprintf("%d–%d", s.histFrom+(len(hist)-1)*binW, s.histFrom+len(hist)*binW-1))
	if binW == 1 {
		lw = width(fmt.Sprint(s.histFrom + len(hist) - 1))
	}
	cw := width(fmt.Sprint(peak))
	barW := max(w-lw-cw-4, 4)
	from := s.histFrom
	for i, n := range hist {
		label := fmt.Sprintf("%d–%d", from+i*binW, from+(i+1)*binW-1)
		if binW == 1 {
			label = fmt.Sprint(from + i)
		}
		bar := t.SeriesStyle(1).Render(padRight(hbar(float64(n)/float64(peak), barW), barW))
		lines = append(lines, " "+t.Muted.Render(padLeft(label, lw))+" "+bar+" "+t.Text.Render(padLeft(fmt.Sprint(n), cw)))
	}
	return fitLines(lines, w, h)
}

// queriesView is the scrollable list of queries, each followed by its relevant passages.
func (p *datasetsPane) queriesView(d *datasets.Dataset, s *datasetStats, w, h int) string {
	t := p.a.theme
	head := t.Title.Render("Queries") + t.Muted.Render(fmt.Sprintf("  %d/%d · ↑/↓ to scroll", min(p.cursor+1, len(d.Queries)), len(d.Queries)))
	type item struct {
		line string
		q    int
	}
	var items []item
	pw := w - 4
	for qi, q := range d.Queries {
		sp := string(s.querySpl[q.ID])
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
		rel := s.relevant[q.ID]
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
