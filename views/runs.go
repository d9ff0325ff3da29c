package views

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Messages of the Runs pane.
type (
	// runsListedMsg delivers a fresh listing of the run folders.
	runsListedMsg struct {
		runs []lab.RunInfo
		err  error
	}
	// runOpenProgressMsg reports the passages encoded while a run is opened.
	runOpenProgressMsg struct {
		dir         string
		done, total int
	}
	// runOpenedMsg delivers a run opened as a model.
	runOpenedMsg struct {
		dir      string
		activate bool // make it the current model (enter), or only compare it (c)
		data     *datasets.Dataset
		m        lab.Model
		err      error
	}
)

// runsPane lists the run folders of --runs (and ./runs): how each was trained, how far it
// got, how it scored, and its loss as a sparkline. enter opens one as the current model,
// r resumes an unfinished one, c adds it to the comparison, delete moves it to the trash.
type runsPane struct {
	a       *App
	keys    runsKeys
	runs    []lab.RunInfo
	listErr error
	listed  bool
	cursor  int
	offset  int
	compare []string // run folders in the comparison, in the order added

	confirm string // run folder awaiting a delete confirmation ("" = none)

	opening     string // run folder being opened ("" = none)
	openDone    int
	openTotal   int
	bar         progress.Model
	openedDirs  map[string]string // run folder → model name, once opened in this session
	openedNames map[string]bool
}

func newRunsPane(a *App) *runsPane {
	p := &runsPane{a: a, keys: newRunsKeys(), openedDirs: map[string]string{}, openedNames: map[string]bool{}}
	p.bar = newBar()
	return p
}

func (p *runsPane) applyTheme() { styleBar(&p.bar, p.a.theme) }

// dirs are the folders listed: the app's runs folder and ./runs.
func (p *runsPane) dirs() []string {
	ds := []string{p.a.opts.RunsDir}
	a1, err1 := filepath.Abs(p.a.opts.RunsDir)
	a2, err2 := filepath.Abs("runs")
	if err1 != nil || err2 != nil || a1 != a2 {
		ds = append(ds, "runs")
	}
	return ds
}

// refresh lists the run folders again (synchronously: a listing reads a few small files
// per run).
func (p *runsPane) refresh() {
	runs, err := lab.ListRuns(p.dirs()...)
	p.runs, p.listErr, p.listed = runs, err, true
	p.cursor = min(p.cursor, max(len(runs)-1, 0))
}

func (p *runsPane) capturing() bool         { return p.confirm != "" }
func (p *runsPane) bindings() []key.Binding { return p.keys.list() }

func (p *runsPane) hints() []key.Binding {
	if p.confirm != "" {
		return []key.Binding{p.keys.Yes, p.keys.No}
	}
	return []key.Binding{p.keys.Open, p.keys.Resume, p.keys.Compare, p.keys.Delete}
}

func (p *runsPane) selected() (lab.RunInfo, bool) {
	if p.cursor < 0 || p.cursor >= len(p.runs) {
		return lab.RunInfo{}, false
	}
	return p.runs[p.cursor], true
}

func (p *runsPane) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case runOpenStep:
		if msg.dir != p.opening {
			return nil
		}
		p.openDone, p.openTotal = msg.done, msg.total
		return waitRunOpen(msg.prog, msg.res)
	case runOpenedMsg:
		return p.opened(msg)
	case tea.MouseMsg:
		wheel(msg, p.move)
		return nil
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil
}

func (p *runsPane) move(d int) {
	p.cursor = min(max(p.cursor+d, 0), max(len(p.runs)-1, 0))
}

func (p *runsPane) key(msg tea.KeyMsg) tea.Cmd {
	a := p.a
	if p.confirm != "" {
		dir := p.confirm
		switch {
		case key.Matches(msg, p.keys.Yes):
			p.confirm = ""
			dst, err := lab.TrashRun(dir, a.now())
			if err != nil {
				a.fail(err)
				return nil
			}
			p.compare = slices.DeleteFunc(p.compare, func(d string) bool { return d == dir })
			p.refresh()
			a.setStatus(lvlOK, "moved %s to %s (nothing was removed)", filepath.Base(dir), shortPath(dst, 60))
		case key.Matches(msg, p.keys.No):
			p.confirm = ""
			a.setStatus(lvlInfo, "kept %s", filepath.Base(dir))
		}
		return nil
	}
	switch {
	case key.Matches(msg, p.keys.Up):
		p.move(-1)
	case key.Matches(msg, p.keys.Down):
		p.move(1)
	case key.Matches(msg, p.keys.Refresh):
		p.refresh()
		a.setStatus(lvlInfo, "%d runs in %s", len(p.runs), strings.Join(p.dirs(), ", "))
	case key.Matches(msg, p.keys.Open):
		if r, ok := p.selected(); ok {
			return p.open(r, true)
		}
	case key.Matches(msg, p.keys.Compare):
		r, ok := p.selected()
		if !ok {
			return nil
		}
		if i := slices.Index(p.compare, r.Dir); i >= 0 {
			p.compare = slices.Delete(p.compare, i, i+1)
			a.setStatus(lvlInfo, "%s left the comparison", r.Name)
			return nil
		}
		p.compare = append(p.compare, r.Dir)
		a.setStatus(lvlInfo, "%s added to the comparison (%d runs; Metrics 4 gets its scores)", r.Name, len(p.compare))
		if _, done := p.openedDirs[r.Dir]; !done {
			return p.open(r, false)
		}
	case key.Matches(msg, p.keys.Resume):
		r, ok := p.selected()
		if !ok {
			return nil
		}
		return a.training.resume(r)
	case key.Matches(msg, p.keys.Delete):
		r, ok := p.selected()
		if !ok {
			return nil
		}
		if a.opts.ReadOnly {
			a.setStatus(lvlWarn, "read-only demo: deleting runs is disabled")
			return nil
		}
		if a.training.running() && a.training.run != nil && filepath.Clean(a.training.run.dir) == filepath.Clean(r.Dir) {
			a.setStatus(lvlWarn, "%s is training now: stop it first (Training pane, x)", r.Name)
			return nil
		}
		p.confirm = r.Dir
		a.setStatus(lvlWarn, "move %s to %s? y moves it, n keeps it", r.Name, filepath.Join(filepath.Dir(r.Dir), lab.TrashDir))
	}
	return nil
}

// open loads the run as a model on the current dataset (encoding its passages, with
// progress); activate makes it the current model of Query and Metrics.
func (p *runsPane) open(r lab.RunInfo, activate bool) tea.Cmd {
	a := p.a
	switch {
	case a.ws.Data == nil:
		a.setStatus(lvlWarn, "load a dataset first (pane 1)")
		return nil
	case a.opts.Engine == nil:
		if activate { // a comparison still draws the run's loss
			a.setStatus(lvlWarn, "opening runs is not available in this build")
		}
		return nil
	case r.Err != "":
		a.setStatus(lvlErr, "%s cannot be opened: %s", r.Name, r.Err)
		return nil
	case !r.HasModel:
		a.setStatus(lvlWarn, "%s has no checkpoint yet", r.Name)
		return nil
	case p.opening != "":
		a.setStatus(lvlWarn, "already opening %s", filepath.Base(p.opening))
		return nil
	}
	if name, ok := p.openedDirs[r.Dir]; ok {
		if activate {
			a.selectModel(name)
			a.setStatus(lvlOK, "model %s is the current model (Query 3, Metrics 4)", name)
		}
		return nil
	}
	if r.Data != "" && r.Data != a.ws.Data.Name {
		a.setStatus(lvlWarn, "%s was trained on %s; opening it on %s", r.Name, r.Data, a.ws.Data.Name)
	} else {
		a.setStatus(lvlInfo, "opening %s: encoding %d passages…", r.Name, len(a.ws.Data.Passages))
	}
	p.opening, p.openDone, p.openTotal = r.Dir, 0, 0
	eng, ws, dir := a.opts.Engine, a.ws, r.Dir
	prog := make(chan runOpenProgressMsg, 1)
	res := make(chan runOpenedMsg, 1)
	go func() {
		m, err := eng.OpenModel(context.Background(), ws, dir, func(done, total int) {
			select { // keep only the newest report
			case <-prog:
			default:
			}
			prog <- runOpenProgressMsg{dir: dir, done: done, total: total}
		})
		res <- runOpenedMsg{dir: dir, activate: activate, data: ws.Data, m: m, err: err}
	}()
	return waitRunOpen(prog, res)
}

// runOpenStep is a progress report plus the channels to keep listening on.
type runOpenStep struct {
	runOpenProgressMsg
	prog <-chan runOpenProgressMsg
	res  <-chan runOpenedMsg
}

func waitRunOpen(prog <-chan runOpenProgressMsg, res <-chan runOpenedMsg) tea.Cmd {
	return func() tea.Msg {
		select {
		case m := <-res:
			return m
		case m := <-prog:
			return runOpenStep{m, prog, res}
		}
	}
}

func (p *runsPane) opened(msg runOpenedMsg) tea.Cmd {
	a := p.a
	if msg.dir == p.opening {
		p.opening = ""
	}
	if msg.data != a.ws.Data {
		return nil // the dataset changed meanwhile
	}
	if msg.err != nil {
		a.setStatus(lvlErr, "opening %s: %v", filepath.Base(msg.dir), msg.err)
		return nil
	}
	if msg.m.Name == "" {
		msg.m.Name = filepath.Base(msg.dir)
	}
	p.openedDirs[msg.dir] = msg.m.Name
	prev := a.model
	a.addModel(msg.m)
	if msg.activate {
		a.setStatus(lvlOK, "model %s is the current model: Query (3) ranks with it, Metrics (4) gets its scores", msg.m.Name)
	} else {
		a.model = prev
		a.query.searchNow()
		a.setStatus(lvlOK, "%s opened for the comparison: evaluating it for Metrics (4)…", msg.m.Name)
	}
	return a.evaluate(msg.m.Name, msg.m)
}

// trainingFinished refreshes the listing when a training wrote a checkpoint.
func (p *runsPane) trainingFinished() {
	if p.listed {
		p.refresh()
	}
}

func (p *runsPane) view(w, h int) string {
	t := p.a.theme
	if !p.listed {
		p.refresh()
	}
	var shown []string
	for _, d := range p.dirs() {
		shown = append(shown, shortPath(d, 40))
	}
	where := strings.Join(shown, ", ")
	head := " " + t.Title.Render("Runs") + t.Muted.Render(fmt.Sprintf("  %d in %s", len(p.runs), where))
	if len(p.compare) > 0 {
		head += t.Muted.Render(fmt.Sprintf(" · %d compared", len(p.compare)))
	}
	lines := []string{trunc(head, w)}
	if p.listErr != nil {
		lines = append(lines, wrapStyled(t.Error, "✗ "+p.listErr.Error(), w-2, " ")...)
	}
	if len(p.runs) == 0 {
		lines = append(lines, "", " "+t.Muted.Render("No run folder yet. Train one in the Training pane (2), or start with --runs DIR;"),
			" "+t.Muted.Render("each run folder (config.json, model.safetensors, metrics.jsonl) appears here."))
		return fitLines(lines, w, h)
	}
	if p.opening != "" {
		frac := 0.0
		if p.openTotal > 0 {
			frac = float64(p.openDone) / float64(p.openTotal)
		}
		label := fmt.Sprintf(" opening %s  %d/%d passages ", filepath.Base(p.opening), p.openDone, p.openTotal)
		p.bar.Width = max(w-width(label)-2, 10)
		lines = append(lines, trunc(t.Text.Render(label)+p.bar.ViewAs(frac), w))
	}
	if p.confirm != "" {
		lines = append(lines, " "+t.Warn.Render(fmt.Sprintf("Move %s to %s/? ", filepath.Base(p.confirm), lab.TrashDir))+
			t.Key.Render("y")+t.Muted.Render(" move · ")+t.Key.Render("n")+t.Muted.Render(" keep"))
	}
	// The table: name, date, preset·head, losses, data, steps, best dev, loss sparkline.
	const dateW, phW, lossW, bestW = 11, 8, 11, 8
	longest, dataW, stepW := 4, 4, 7
	for _, r := range p.runs {
		longest = max(longest, width(r.Name))
		dataW = max(dataW, min(width(r.Data), 10))
		stepW = max(stepW, min(width(fmt.Sprintf("%d/%d ✓", r.Step, r.Total)), 15))
	}
	rest := w - 3 - dateW - phW - lossW - dataW - stepW - bestW - 8
	nameW := min(longest, max(rest-6, 12))
	spark := max(rest-nameW, 4)
	cols := []int{nameW, dateW, phW, lossW, dataW, stepW, bestW, spark}
	row := func(cells ...string) string {
		var b strings.Builder
		for i, c := range cells {
			if i > 0 {
				b.WriteString(" ")
			}
			switch {
			case i == 0 && width(c) > cols[0]: // keep both ends of a long run name
				c = ansi.Truncate(c, cols[0]/2, "") + "…" + ansi.TruncateLeft(c, width(c)-(cols[0]-cols[0]/2-1), "")
				b.WriteString(padRight(c, cols[i]))
			case i == 5 || i == 6:
				b.WriteString(padLeft(c, cols[i]))
			default:
				b.WriteString(padRight(c, cols[i]))
			}
		}
		return b.String()
	}
	lines = append(lines, t.Subtle.Render("   "+row("name", "date", "model", "losses", "data", "steps", "dev MRR", "loss")))
	tableH := min(len(p.runs), max((h-len(lines))/2, 3))
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+tableH {
		p.offset = p.cursor - tableH + 1
	}
	p.offset = min(max(p.offset, 0), max(len(p.runs)-tableH, 0))
	for i := p.offset; i < len(p.runs) && i < p.offset+tableH; i++ {
		r := p.runs[i]
		mark := " "
		if slices.Contains(p.compare, r.Dir) {
			mark = "◆"
		}
		c := r.Config
		steps := "—"
		if r.Total > 0 {
			steps = fmt.Sprintf("%d/%d", r.Step, r.Total)
		}
		switch r.State() {
		case "finished":
			steps += " ✓"
		case "stopped":
			steps += " ‖"
		default:
			steps += "  "
		}
		best := "—"
		if r.BestEpoch > 0 {
			best = fmt.Sprintf("%.3f e%d", r.Best, r.BestEpoch)
		}
		data := r.Data
		if data == "" {
			data = "?"
		}
		date := "—"
		if !r.Date.IsZero() {
			date = r.Date.Local().Format("01-02 15:04")
		}
		model := c.Preset + "·" + c.Head
		if r.Err != "" {
			model = "unreadable"
		}
		line := row(r.Name, date, model, shortLosses(c.Losses), data, steps, best, sparkline(r.Losses, spark))
		if i == p.cursor {
			lines = append(lines, t.Selected.Render(padRight("▸"+mark+" "+line, w-1)))
		} else {
			lines = append(lines, " "+t.Accent.Render(mark)+" "+t.Text.Render(line))
		}
	}
	if len(p.runs) > tableH {
		lines = append(lines, t.Subtle.Render(fmt.Sprintf("   runs %d–%d of %d (↑/↓)", p.offset+1, min(p.offset+tableH, len(p.runs)), len(p.runs))))
	}
	lines = append(lines, "")
	if r, ok := p.selected(); ok {
		lines = append(lines, p.detail(r, w, h-len(lines))...)
	}
	return fitLines(lines, w, h)
}

// detail describes the selected run and draws the loss curves of the compared runs (or of
// the selected one).
func (p *runsPane) detail(r lab.RunInfo, w, h int) []string {
	t := p.a.theme
	if h <= 0 {
		return nil
	}
	lab1 := func(l string) string { return t.Muted.Render(padRight(l, 9)) }
	var lines []string
	lines = append(lines, " "+t.Title.Render(r.Name)+t.Muted.Render("  "+r.State()))
	lines = append(lines, " "+lab1("folder")+t.Text.Render(shortPath(r.Dir, w-12)))
	if r.Err != "" {
		lines = append(lines, wrapStyled(t.Error, "✗ "+r.Err, w-2, " ")...)
		return lines
	}
	c := r.Config
	lines = append(lines, " "+lab1("config")+t.Text.Render(trunc(fmt.Sprintf("%s·%s·%s·%s  %s  τ %g  %s  %d ep × b%d  lr %g  len %d",
		c.Preset, c.Mode, c.Pooling, c.Head, lab.FormatLosses(c.Losses), c.Tau, c.Negatives, c.Epochs, c.Batch, c.LR, c.MaxLen), w-12)))
	data := "not recorded (trained before runs kept their dataset)"
	if r.Data != "" {
		data = r.Data + " · " + shortPath(r.Source, max(w-15-width(r.Data), 10))
	}
	lines = append(lines, " "+lab1("data")+t.Text.Render(data))
	prog := fmt.Sprintf("step %d/%d · epoch %d/%d · %s", r.Step, r.Total, r.Epoch, c.Epochs, lab.FormatClock(r.Elapsed))
	if r.BestEpoch > 0 {
		prog += fmt.Sprintf(" · best dev %s %.3f (epoch %d)", lab.RunBestLabel, r.Best, r.BestEpoch)
	}
	if r.Resumable() {
		prog += " · r resumes it"
	}
	lines = append(lines, " "+lab1("progress")+t.Text.Render(trunc(prog, w-12)))
	chartH := h - len(lines) - 1
	if chartH < 3 {
		return lines
	}
	var ss []series
	title := "Loss of " + r.Name
	if len(p.compare) > 0 {
		title = "Loss of the compared runs"
		for i, dir := range p.compare {
			for _, cr := range p.runs {
				if cr.Dir == dir {
					ss = append(ss, series{Name: cr.Name, Values: cr.Losses, Style: t.SeriesStyle(i)})
				}
			}
		}
	} else {
		ss = []series{{Name: r.Name, Values: r.Losses, Style: t.SeriesStyle(0)}}
	}
	longest := 0
	for _, s := range ss {
		longest = max(longest, len(s.Values))
	}
	for i := range ss { // a shorter run stops early on the shared step axis, it is not stretched
		for len(ss[i].Values) < longest {
			ss[i].Values = append(ss[i].Values, math.NaN())
		}
	}
	legend := ""
	for _, s := range ss {
		last := "—"
		for i := len(s.Values) - 1; i >= 0; i-- {
			if !math.IsNaN(s.Values[i]) {
				last = compact(s.Values[i])
				break
			}
		}
		legend += "  " + s.Style.Render("━ "+s.Name) + t.Muted.Render(" "+last)
	}
	lines = append(lines, trunc(" "+t.Title.Render(title)+legend, w))
	if len(ss) == 1 && len(ss[0].Values) == 0 {
		return append(lines, " "+t.Muted.Render("no step recorded yet"))
	}
	return append(lines, indent(lineChart(ss, w-2, chartH, chartOpts{}), " ")...)
}

// sparkline draws vals in w cells of block levels (resampled by mean), low to high.
func sparkline(vals []float64, w int) string {
	if len(vals) == 0 || w <= 0 {
		return ""
	}
	n := min(w, len(vals))
	bins := make([]float64, n)
	counts := make([]int, n)
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		b := i * n / len(vals)
		bins[b] += v
		counts[b]++
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range bins {
		if counts[i] > 0 {
			bins[i] /= float64(counts[i])
			lo, hi = math.Min(lo, bins[i]), math.Max(hi, bins[i])
		}
	}
	var b strings.Builder
	for i, v := range bins {
		switch {
		case counts[i] == 0:
			b.WriteString(" ")
		case hi <= lo:
			b.WriteString("▄")
		default:
			b.WriteString(vlevel(math.Max((v-lo)/(hi-lo), 0.01)))
		}
	}
	return b.String()
}

// shortLosses names a run's loss terms compactly for the table ("nce+dyn+reg"); the detail
// below the table writes them with their weights.
func shortLosses(m map[string]float64) string {
	abbrev := map[string]string{"infonce": "nce", "modinfonce": "mnce"}
	var parts []string
	for _, kv := range strings.Split(lab.FormatLosses(m), ",") {
		k, _, _ := strings.Cut(kv, "=")
		if a, ok := abbrev[k]; ok {
			k = a
		}
		if k != "" {
			parts = append(parts, k)
		}
	}
	return strings.Join(parts, "+")
}
