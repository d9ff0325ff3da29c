package views

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/text"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/bubbles/filepicker"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
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
	bar  progress.Model

	// The chooser: recent paths above bubbles' file picker, rooted at the working directory.
	choosing   bool
	onRecent   bool // the focus is on the recent list (tab switches)
	recent     []string
	recentSel  int
	picker     filepicker.Model
	pickerRoot string

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
	p.bar = newBar()
	return p
}

// newPicker is a file picker at dir that selects files and folders (a BEIR dataset is a
// folder): enter picks the entry under the cursor, →/l opens a folder, ←/h goes up.
func (p *datasetsPane) newPicker(dir string) filepicker.Model {
	fp := filepicker.New()
	fp.CurrentDirectory = dir
	fp.DirAllowed, fp.FileAllowed = true, true
	fp.Cursor = "▸"
	fp.ShowPermissions, fp.ShowSize = false, false
	fp.AutoHeight = false
	fp.SetHeight(10)
	km := filepicker.DefaultKeyMap()
	km.Back = key.NewBinding(key.WithKeys("left", "h", "backspace"), key.WithHelp("←/h", "parent folder"))
	km.Open = key.NewBinding(key.WithKeys("right", "l", "enter"), key.WithHelp("→/l", "open folder"))
	fp.KeyMap = km
	p.stylePicker(&fp)
	return fp
}

func (p *datasetsPane) stylePicker(fp *filepicker.Model) {
	t := p.a.theme
	st := filepicker.DefaultStylesWithRenderer(p.a.r)
	st.Cursor, st.Selected = t.Accent, t.Selected
	st.Directory, st.File, st.Symlink = t.Title, t.Text, t.Muted
	st.FileSize = t.Muted.Width(7).Align(lipgloss.Right)
	st.EmptyDirectory = t.Muted.PaddingLeft(2).SetString("(empty folder)")
	st.DisabledFile, st.DisabledCursor, st.DisabledSelected = t.Subtle, t.Subtle, t.Subtle
	fp.Styles = st
}

// choose opens the chooser: recent paths, and the file picker at the working directory.
func (p *datasetsPane) choose() tea.Cmd {
	if p.a.opts.ReadOnly {
		p.a.setStatus(lvlWarn, "read-only demo: loading datasets is disabled")
		return nil
	}
	if p.pickerRoot == "" {
		wd, err := os.Getwd()
		if err != nil {
			wd = "."
		}
		p.pickerRoot = wd
		p.picker = p.newPicker(wd)
	}
	p.recent = p.a.loadRecent()
	p.recentSel = 0
	p.onRecent = len(p.recent) > 0
	p.choosing = true
	p.a.setStatus(lvlInfo, "choose a dataset: enter loads it, → opens a folder, tab recent ↔ browse, esc closes")
	return p.picker.Init()
}

func (p *datasetsPane) applyTheme() {
	t := p.a.theme
	p.in.style(t.InputPrompt, t.InputText, t.Placeholder, t.Cursor)
	p.spin.Style = t.Accent
	styleBar(&p.bar, t)
	if p.pickerRoot != "" {
		p.stylePicker(&p.picker)
	}
}

func (p *datasetsPane) reset() {
	p.cursor, p.offset = 0, 0
}

func (p *datasetsPane) capturing() bool { return p.in.Focused() || p.choosing }

func (p *datasetsPane) bindings() []key.Binding { return p.keys.list() }

func (p *datasetsPane) hints() []key.Binding {
	switch {
	case p.in.Focused():
		return []key.Binding{p.keys.Load, p.keys.Cancel}
	case p.choosing:
		return []key.Binding{p.keys.Pick, p.keys.OpenDir, p.keys.Parent, p.keys.Switch, p.keys.Cancel}
	}
	ks := []key.Binding{p.keys.Browse, p.keys.Edit, p.keys.Ask, p.keys.Down}
	if p.a.ws.Data != nil && len(presentSplits(p.a.ws.Stats())) > 1 {
		ks = append(ks, p.keys.Split)
	}
	return ks
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
	if p.pickerRoot != "" { // the picker's directory listings
		var cmd tea.Cmd
		p.picker, cmd = p.picker.Update(msg)
		return cmd
	}
	return nil
}

// chooserKey drives the chooser: the recent list or the file picker.
func (p *datasetsPane) chooserKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, p.keys.Cancel):
		p.choosing = false
		p.a.setStatus(lvlInfo, "kept %s", p.a.datasetName())
		return nil
	case key.Matches(msg, p.keys.Switch):
		if len(p.recent) > 0 {
			p.onRecent = !p.onRecent
		}
		return nil
	}
	if p.onRecent {
		switch {
		case key.Matches(msg, p.keys.Up):
			p.recentSel = max(p.recentSel-1, 0)
		case key.Matches(msg, p.keys.Down):
			p.recentSel = min(p.recentSel+1, len(p.recent)-1)
		case key.Matches(msg, p.keys.Pick):
			p.choosing = false
			path := p.recent[p.recentSel]
			p.in.SetValue(path)
			return p.load(path)
		}
		return nil
	}
	var cmd tea.Cmd
	p.picker, cmd = p.picker.Update(msg)
	if ok, path := p.picker.DidSelectFile(msg); ok {
		p.choosing = false
		p.picker.Path = ""
		p.in.SetValue(path)
		return p.load(path)
	}
	return cmd
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
		case msg.Paste || len(msg.Runes) > 1: // a pasted path: one step, no line breaks
			if _, cut := p.in.paste(msg.Runes); cut > 0 {
				p.a.setStatus(lvlWarn, "pasted path cut to %d characters", p.in.CharLimit)
			}
			return nil
		}
		return p.in.Update(msg)
	}
	if p.choosing {
		return p.chooserKey(msg)
	}
	switch {
	case key.Matches(msg, p.keys.Browse):
		return p.choose()
	case key.Matches(msg, p.keys.Edit):
		if p.a.opts.ReadOnly {
			p.a.setStatus(lvlWarn, "read-only demo: loading datasets is disabled")
			return nil
		}
		p.in.CursorEnd()
		return p.in.Focus()
	case key.Matches(msg, p.keys.Ask):
		return p.ask()
	case key.Matches(msg, p.keys.Split):
		p.a.cycleEvalSplit()
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
		p.a.setStatus(lvlWarn, "choose a dataset first (o browses, e types a path)")
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
	p.a.setStatus(lvlInfo, "loading %s…", shortPath(path, 70))

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
		p.a.setStatus(lvlErr, "could not load %s (the previous dataset stays loaded): %v", shortPath(p.loadPath, 60), msg.err)
	case msg.ws == nil || msg.ws.Data == nil:
		p.a.setStatus(lvlErr, "could not load %s: the loader returned no data", p.loadPath)
	default:
		p.lastErr = nil
		p.a.setWorkspace(msg.ws)
		if rs, err := p.a.rememberRecent(p.loadPath); err == nil {
			p.recent = rs
		}
		d := msg.ws.Data
		p.a.setStatus(lvlOK, "loaded %s: %d passages, %d queries in %s", d.Name, len(d.Passages), len(d.Queries),
			lab.FormatTook(msg.took))
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

// ask sends the selected question to the Query pane and answers it there.
func (p *datasetsPane) ask() tea.Cmd {
	d := p.a.ws.Data
	if d == nil || p.cursor >= len(d.Queries) {
		return nil
	}
	p.a.query.in.SetValue(oneLine(d.Queries[p.cursor].Text))
	p.a.setActive(paneQuery)
	return p.a.query.search()
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
