package views

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// collapseGap is the positive−negative mean sigmoid gap under which, after warm-up,
// the scores are flagged as collapsed.
const collapseGap = 0.1

// collapseWindow is how many post-warm-up steps the gap must stay under collapseGap.
const collapseWindow = 5

// historyCap bounds the points kept per chart series.
const historyCap = 2048

// trainMsg carries events read from a running training's job.
type trainMsg struct {
	gen    int
	events []train.Event
	closed bool  // the event channel was closed: the training returned
	err    error // the training's result when closed
	job    *lab.Job
}

// Messages of the model opened / evaluated after a training.
type (
	modelOpenedMsg struct {
		nr   lab.Model
		dir  string
		data *datasets.Dataset
		err  error
	}
	evalDoneMsg struct {
		row  lab.Row
		data *datasets.Dataset
		err  error
	}
)

// field is one entry of the training form.
type field struct {
	label   string
	choices []string
	get     func(c *train.Config) string
	set     func(c *train.Config, s string) error
}

func formFields() []field {
	intField := func(label string, choices []string, ptr func(c *train.Config) *int, lo int) field {
		return field{label: label, choices: choices,
			get: func(c *train.Config) string { return strconv.Itoa(*ptr(c)) },
			set: func(c *train.Config, s string) error {
				v, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil || v < lo {
					return fmt.Errorf("%s: want an integer ≥ %d, got %q", label, lo, s)
				}
				*ptr(c) = v
				return nil
			}}
	}
	floatField := func(label string, choices []string, ptr func(c *train.Config) *float64) field {
		return field{label: label, choices: choices,
			get: func(c *train.Config) string { return strconv.FormatFloat(*ptr(c), 'g', -1, 64) },
			set: func(c *train.Config, s string) error {
				v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
				if err != nil || v <= 0 || math.IsInf(v, 0) {
					return fmt.Errorf("%s: want a positive number, got %q", label, s)
				}
				*ptr(c) = v
				return nil
			}}
	}
	enumField := func(label string, choices []string, ptr func(c *train.Config) *string) field {
		return field{label: label, choices: choices,
			get: func(c *train.Config) string { return *ptr(c) },
			set: func(c *train.Config, s string) error {
				s = strings.ToLower(strings.TrimSpace(s))
				for _, ch := range choices {
					if ch == s {
						*ptr(c) = s
						return nil
					}
				}
				return fmt.Errorf("%s: want one of %s, got %q", label, strings.Join(choices, ", "), s)
			}}
	}
	return []field{
		enumField("preset", []string{"tiny", "mini"}, func(c *train.Config) *string { return &c.Preset }),
		enumField("mode", []string{"dual", "shared"}, func(c *train.Config) *string { return &c.Mode }),
		enumField("pooling", []string{"cls", "mean"}, func(c *train.Config) *string { return &c.Pooling }),
		enumField("head", []string{"ars", "dot", "cos"}, func(c *train.Config) *string { return &c.Head }),
		{label: "losses",
			choices: []string{"infonce=1,dyn=0.5,reg=0.0001", "infonce=1", "infonce=1,dyn=0.5", "modinfonce=1,dyn=0.5,reg=0.0001", "modinfonce=1"},
			get:     func(c *train.Config) string { return lab.FormatLosses(c.Losses) },
			set: func(c *train.Config, s string) error {
				m, err := train.ParseLosses(s)
				if err != nil {
					return fmt.Errorf("losses: %w", err)
				}
				c.Losses = m
				return nil
			}},
		floatField("τ (tau)", []string{"0.02", "0.05", "0.1", "0.2", "1"}, func(c *train.Config) *float64 { return &c.Tau }),
		{label: "negatives", choices: []string{"hard:29", "hard:7", "hard:3", "inbatch", "both"},
			get: func(c *train.Config) string { return c.Negatives },
			set: func(c *train.Config, s string) error {
				if _, err := train.ParseNegatives(s); err != nil {
					return err
				}
				c.Negatives = strings.ToLower(strings.TrimSpace(s))
				return nil
			}},
		intField("epochs", []string{"1", "2", "3", "5", "10", "20"}, func(c *train.Config) *int { return &c.Epochs }, 1),
		intField("batch", []string{"4", "8", "16", "32", "64"}, func(c *train.Config) *int { return &c.Batch }, 1),
		floatField("lr", []string{"0.0001", "0.0002", "0.0005", "0.001", "0.002"}, func(c *train.Config) *float64 { return &c.LR }),
		intField("max_len", []string{"32", "64", "128", "256", "512"}, func(c *train.Config) *int { return &c.MaxLen }, 4),
		intField("pseudo/psg", []string{"0", "1", "2", "4"}, func(c *train.Config) *int { return &c.Pseudo }, 0),
	}
}

// epochRow is one line of the dev metrics table.
type epochRow struct {
	epoch int
	dev   map[string]float64
}

// run is the state of one training, live or finished.
type run struct {
	gen      int
	cfg      train.Config
	dir      string
	running  bool
	job      *lab.Job    // pause / resume / cancel between optimiser steps
	last     train.Event // last step
	loss     *history
	terms    map[string]*history
	pos, neg *history
	lr       *history
	gaps     []float64 // post-warm-up pos−neg gaps (last collapseWindow·4)
	epochs   []epochRow
	done     bool
	err      error
}

func newRun(cfg train.Config) *run {
	return &run{cfg: cfg, loss: newHistory(historyCap), terms: map[string]*history{},
		pos: newHistory(historyCap), neg: newHistory(historyCap), lr: newHistory(historyCap)}
}

// collapsed reports whether the last collapseWindow post-warm-up gaps all stay under collapseGap.
func (r *run) collapsed() bool {
	if len(r.gaps) < collapseWindow {
		return false
	}
	for _, g := range r.gaps[len(r.gaps)-collapseWindow:] {
		if g >= collapseGap {
			return false
		}
	}
	return true
}

// warmupSteps is the number of warm-up steps of a run of total steps, as the engine counts them.
func (r *run) warmupSteps(total int) int { return train.WarmupSteps(r.cfg, total) }

type trainingPane struct {
	a      *App
	keys   trainingKeys
	fields []field
	cfg    train.Config
	sel    int
	edit   *input
	show   bool // form visible
	spin   spinner.Model
	run    *run
	gen    int
}

func newTrainingPane(a *App) *trainingPane {
	p := &trainingPane{a: a, keys: newTrainingKeys(), fields: formFields(), cfg: train.DefaultConfig(), show: true}
	p.edit = newInput("", "", 256)
	p.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	return p
}

func (p *trainingPane) applyTheme() {
	t := p.a.theme
	p.edit.style(t.InputPrompt, t.InputText, t.Placeholder, t.Cursor)
	p.spin.Style = t.Accent
}

func (p *trainingPane) capturing() bool         { return p.edit.Focused() }
func (p *trainingPane) bindings() []key.Binding { return p.keys.list() }
func (p *trainingPane) running() bool           { return p.run != nil && p.run.running }

func (p *trainingPane) hints() []key.Binding {
	switch {
	case p.edit.Focused():
		return []key.Binding{p.keys.Edit, p.keys.Cancel}
	case p.running():
		return []key.Binding{p.keys.Pause, p.keys.Stop, p.keys.Form}
	default:
		return []key.Binding{p.keys.Start, p.keys.Down, p.keys.Right, p.keys.Edit}
	}
}

// cancel stops a running training (its DoneEvent still arrives).
func (p *trainingPane) cancel() {
	if p.running() && p.run.job != nil {
		p.run.job.Cancel()
	}
}

// badge is the short "training…" mark shown in the tab row.
func (p *trainingPane) badge() string {
	t := p.a.theme
	s := p.spin.View() + " training"
	if r := p.run; r != nil && r.last.TotalSteps > 0 {
		s += fmt.Sprintf(" %.0f%%", 100*float64(r.last.Step)/float64(r.last.TotalSteps))
	}
	return t.Accent.Render(s)
}

func (p *trainingPane) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case train.Event:
		return p.handle(msg)
	case trainMsg:
		if msg.gen != p.gen {
			return nil
		}
		var cmds []tea.Cmd
		for _, ev := range msg.events {
			cmds = append(cmds, p.handle(ev))
		}
		if msg.closed {
			cmds = append(cmds, p.closed(msg.err))
		} else {
			cmds = append(cmds, waitTrain(msg.gen, msg.job))
		}
		return tea.Batch(cmds...)
	case modelOpenedMsg:
		return p.opened(msg)
	case spinner.TickMsg:
		if !p.running() {
			return nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return cmd
	case tea.KeyMsg:
		return p.key(msg)
	}
	if p.edit.Focused() {
		return p.edit.Update(msg)
	}
	return nil
}

func (p *trainingPane) key(msg tea.KeyMsg) tea.Cmd {
	if p.edit.Focused() {
		switch {
		case key.Matches(msg, p.keys.Cancel):
			p.edit.Blur()
		case key.Matches(msg, p.keys.Edit):
			p.edit.Blur()
			f := p.fields[p.sel]
			if err := f.set(&p.cfg, p.edit.Value()); err != nil {
				p.a.fail(err)
			} else {
				p.a.setStatus(lvlInfo, "%s = %s", f.label, f.get(&p.cfg))
			}
		default:
			return p.edit.Update(msg)
		}
		return nil
	}
	switch {
	case key.Matches(msg, p.keys.Start):
		return p.start()
	case key.Matches(msg, p.keys.Pause):
		if !p.running() || p.run.job == nil {
			p.a.setStatus(lvlInfo, "no training is running")
			return nil
		}
		if p.run.job.Paused() {
			p.run.job.Resume()
			p.a.setStatus(lvlInfo, "resumed")
		} else {
			p.run.job.Pause()
			p.a.setStatus(lvlWarn, "paused after the current step: p resumes, x stops")
		}
	case key.Matches(msg, p.keys.Stop):
		if !p.running() {
			p.a.setStatus(lvlInfo, "no training is running")
			return nil
		}
		p.cancel()
		p.a.setStatus(lvlWarn, "stopping: waiting for the engine to write its checkpoint…")
	case key.Matches(msg, p.keys.Form):
		p.show = !p.show
	case !p.show && p.run != nil:
		return nil // the form is hidden: field keys do nothing
	case key.Matches(msg, p.keys.Up):
		p.sel = (p.sel + len(p.fields) - 1) % len(p.fields)
	case key.Matches(msg, p.keys.Down):
		p.sel = (p.sel + 1) % len(p.fields)
	case key.Matches(msg, p.keys.Left):
		p.cycle(-1)
	case key.Matches(msg, p.keys.Right):
		p.cycle(1)
	case key.Matches(msg, p.keys.Edit):
		if p.running() {
			p.a.setStatus(lvlWarn, "the form applies to the next run; stop this one first to change it")
		}
		p.edit.SetValue(p.fields[p.sel].get(&p.cfg))
		p.edit.CursorEnd()
		return p.edit.Focus()
	}
	return nil
}

// cycle moves the selected field to its previous/next preset choice.
func (p *trainingPane) cycle(d int) {
	f := p.fields[p.sel]
	cur := f.get(&p.cfg)
	i := -1
	for j, c := range f.choices {
		if c == cur {
			i = j
		}
	}
	switch {
	case i < 0 && d > 0:
		i = 0
	case i < 0:
		i = len(f.choices) - 1
	default:
		i = (i + d + len(f.choices)) % len(f.choices)
	}
	if err := f.set(&p.cfg, f.choices[i]); err != nil {
		p.a.fail(err)
	}
}

// start launches a training job; its events come back through waitTrain.
func (p *trainingPane) start() tea.Cmd {
	a := p.a
	switch {
	case a.opts.ReadOnly:
		a.setStatus(lvlWarn, "read-only demo: training is disabled")
		return nil
	case a.opts.Engine == nil:
		a.setStatus(lvlWarn, "training is not available in this build")
		return nil
	case a.ws.Data == nil:
		a.setStatus(lvlWarn, "load a dataset first (pane 1)")
		return nil
	case p.running():
		a.setStatus(lvlWarn, "a training is already running (x stops it)")
		return nil
	}
	cfg := p.cfg
	cfg.Losses = make(map[string]float64, len(p.cfg.Losses))
	for k, v := range p.cfg.Losses {
		cfg.Losses[k] = v
	}
	name := fmt.Sprintf("%s-%s-%s", a.now().Format("20060102-150405"), cfg.Preset, cfg.Head)
	dir := filepath.Join(a.opts.RunsDir, name)
	p.gen++
	r := newRun(cfg)
	r.gen, r.dir, r.running = p.gen, dir, true
	r.job = a.opts.Engine.Train(context.Background(), a.ws, cfg, dir)
	p.run = r
	p.show = false
	a.setStatus(lvlInfo, "training %s/%s on %s → %s", cfg.Preset, cfg.Head, a.ws.Data.Name, dir)
	return tea.Batch(p.spin.Tick, waitTrain(p.gen, r.job))
}

// waitTrain blocks for the next event, then drains what else is queued (up to a batch).
func waitTrain(gen int, job *lab.Job) tea.Cmd {
	return func() tea.Msg {
		msg := trainMsg{gen: gen, job: job}
		ch := job.Events()
		ev, ok := <-ch
		if !ok {
			msg.closed, msg.err = true, job.Wait()
			return msg
		}
		msg.events = append(msg.events, ev)
		for len(msg.events) < 256 {
			select {
			case ev, ok := <-ch:
				if !ok {
					msg.closed, msg.err = true, job.Wait()
					return msg
				}
				msg.events = append(msg.events, ev)
			default:
				return msg
			}
		}
		return msg
	}
}

// handle applies one event to the current run (created on the fly when events arrive
// without a started run, e.g. in tests).
func (p *trainingPane) handle(ev train.Event) tea.Cmd {
	r := p.run
	if r == nil {
		r = newRun(p.cfg)
		p.run = r
		p.show = false
	}
	switch ev.Kind {
	case train.StepEvent:
		r.last = ev
		r.loss.add(ev.Loss)
		for k, v := range ev.Terms {
			// Plot each term times its weight: comparable curves that add up to the total
			// (the raw L2 term is in the hundreds while its weight is 1e-4).
			if w, ok := r.cfg.Losses[k]; ok {
				v *= w
			}
			h, ok := r.terms[k]
			if !ok {
				h = newHistory(historyCap)
				r.terms[k] = h
			}
			h.add(v)
		}
		r.pos.add(ev.PosScore)
		r.neg.add(ev.NegScore)
		r.lr.add(ev.LR)
		if ev.Step > r.warmupSteps(ev.TotalSteps) {
			r.gaps = append(r.gaps, ev.PosScore-ev.NegScore)
			if len(r.gaps) > 4*collapseWindow {
				r.gaps = r.gaps[len(r.gaps)-collapseWindow:]
			}
		}
	case train.EpochEvent:
		r.epochs = append(r.epochs, epochRow{epoch: ev.Epoch, dev: ev.Dev})
		if r.last.Epochs == 0 {
			r.last.Epochs = ev.Epochs
		}
		p.a.setStatus(lvlInfo, "epoch %d/%d done: dev MRR@10 %.3f", ev.Epoch, ev.Epochs, ev.Dev[metrics.MRR10])
	case train.InfoEvent:
		p.a.setStatus(lvlInfo, "%s", ev.Message)
	case train.DoneEvent:
		return p.finish(ev.Err, ev.RunDir)
	}
	return nil
}

// closed handles the end of the event channel; a DoneEvent normally came first.
func (p *trainingPane) closed(err error) tea.Cmd {
	if p.run == nil || p.run.done {
		if p.a.quitting {
			return tea.Quit
		}
		return nil
	}
	if err == nil {
		err = errors.New("training ended without a done event")
	}
	return p.finish(err, "")
}

// finish records the end of a run; on success (or stop) it opens the checkpoint as a model.
func (p *trainingPane) finish(err error, dir string) tea.Cmd {
	r := p.run
	r.running, r.done, r.err = false, true, err
	if dir != "" {
		r.dir = dir
	}
	if p.a.quitting {
		return tea.Quit
	}
	switch {
	case err == nil:
		p.a.setStatus(lvlOK, "training finished → %s", r.dir)
	case errors.Is(err, context.Canceled):
		p.a.setStatus(lvlWarn, "training stopped; checkpoint kept in %s", r.dir)
	default:
		p.a.setStatus(lvlErr, "training failed: %v", err)
		return nil
	}
	eng, ws := p.a.opts.Engine, p.a.ws
	d := ws.Data
	if eng == nil || d == nil || r.dir == "" {
		return nil
	}
	dir = r.dir
	return func() tea.Msg {
		nr, err := eng.OpenModel(context.Background(), ws, dir, nil)
		return modelOpenedMsg{nr: nr, dir: dir, data: d, err: err}
	}
}

func (p *trainingPane) opened(msg modelOpenedMsg) tea.Cmd {
	a := p.a
	if msg.data != a.ws.Data {
		return nil // the dataset changed meanwhile
	}
	if msg.err != nil {
		a.setStatus(lvlErr, "opening %s: %v", msg.dir, msg.err)
		return nil
	}
	if msg.nr.Name == "" {
		msg.nr.Name = filepath.Base(msg.dir)
	}
	a.addModel(msg.nr)
	a.setStatus(lvlOK, "model %s loaded: try it in the Query pane (3)", msg.nr.Name)
	return a.evaluate(msg.nr.Name, msg.nr)
}

func (p *trainingPane) view(w, h int) string {
	t := p.a.theme
	if p.run == nil || p.show {
		formW := min(46, w)
		form := p.formView(formW, h)
		rightW := w - formW - 2
		var right string
		if p.run == nil {
			right = p.introView(rightW, h)
		} else {
			right = p.chartsView(rightW, h)
		}
		if rightW < 24 {
			return form
		}
		return hjoin(2, []int{formW, rightW}, form, right)
	}
	_ = t
	return p.chartsView(w, h)
}

func (p *trainingPane) formView(w, h int) string {
	t := p.a.theme
	lines := []string{" " + t.Title.Render("Training config") + t.Muted.Render("  ↑↓ field · ←→ value · ⏎ edit")}
	lw := 10
	for i, f := range p.fields {
		val := f.get(&p.cfg)
		var line string
		switch {
		case i == p.sel && p.edit.Focused():
			p.edit.setWidth(max(w-lw-6, 4))
			line = t.Accent.Render("▸ ") + t.Text.Render(padRight(f.label, lw)) + " " + p.edit.View()
		case i == p.sel:
			line = t.Selected.Render(padRight("▸ "+padRight(f.label, lw)+" ‹ "+val+" ›", w-1))
		default:
			line = "  " + t.Muted.Render(padRight(f.label, lw)) + "   " + t.Text.Render(val)
		}
		lines = append(lines, line)
	}
	lines = append(lines, "")
	switch {
	case p.a.opts.ReadOnly:
		lines = append(lines, " "+t.Badge.Render(" READ-ONLY ")+" "+t.Muted.Render("training is disabled"))
	case p.a.opts.Engine == nil:
		lines = append(lines, " "+t.Warn.Render("training is not available in this build"))
	case p.running():
		lines = append(lines, " "+t.Accent.Render(p.spin.View()+" running")+t.Muted.Render(" · p pauses · x stops · f hides the form"))
	default:
		lines = append(lines, " "+t.Key.Render("s")+t.Muted.Render(" start  ")+t.Key.Render("p")+t.Muted.Render(" pause  ")+
			t.Key.Render("x")+t.Muted.Render(" stop  ")+t.Key.Render("f")+t.Muted.Render(" charts"))
		lines = append(lines, " "+t.Subtle.Render("x stops and keeps the checkpoint"))
	}
	return fitLines(lines, w, h)
}

func (p *trainingPane) introView(w, h int) string {
	t := p.a.theme
	var lines []string
	lines = append(lines, t.Title.Render("Live training"))
	d := p.a.ws.Data
	if d == nil {
		lines = append(lines, t.Muted.Render("Load a dataset first (pane 1)."))
		return fitLines(lines, w, h)
	}
	nTrain := len(d.Qrels[datasets.Train])
	para := fmt.Sprintf("Press s to train a %s %s-head retriever on %s (%d training queries, %d passages). "+
		"Runs are written to %s/.", p.cfg.Preset, p.cfg.Head, d.Name, nTrain, len(d.Passages), p.a.opts.RunsDir)
	for _, l := range wrap(para, w) {
		lines = append(lines, t.Text.Render(l))
	}
	lines = append(lines, "")
	more := "While it runs you see the total loss and every loss term, the mean sigmoid score of positives " +
		"against negatives (a gap that stays under 0.1 after warm-up is flagged as score collapse), " +
		"the learning rate, progress with examples/s and ETA, and dev metrics after each epoch. " +
		"When it ends the checkpoint is opened as a model for the Query and Metrics panes."
	for _, l := range wrap(more, w) {
		lines = append(lines, t.Muted.Render(l))
	}
	if nTrain == 0 {
		lines = append(lines, "", t.Warn.Render("This dataset has no train split: training will fail."))
	}
	return fitLines(lines, w, h)
}

// chartsView lays out the run's header, progress and the four panels.
func (p *trainingPane) chartsView(w, h int) string {
	r := p.run
	lines := []string{p.runHeader(w), p.progressLine(w)}
	avail := h - len(lines)
	if avail < 4 {
		return fitLines(lines, w, h)
	}
	var grid string
	if w >= 64 {
		lw := (w - 2) / 2
		rw := w - 2 - lw
		topH := max(avail*3/5, 4)
		botH := avail - topH
		top := hjoin(2, []int{lw, rw}, p.lossPanel(lw, topH), p.scorePanel(rw, topH))
		if botH >= 3 {
			bot := hjoin(2, []int{lw, rw}, p.lrPanel(lw, botH), p.devPanel(rw, botH))
			grid = top + "\n" + bot
		} else {
			grid = top
		}
	} else {
		n := 3
		ph := max(avail/n, 3)
		grid = strings.Join([]string{p.lossPanel(w, ph), p.scorePanel(w, ph), p.devPanel(w, avail-2*ph)}, "\n")
	}
	_ = r
	return fitLines(append(lines, grid), w, h)
}

func (p *trainingPane) runHeader(w int) string {
	t := p.a.theme
	r := p.run
	var state string
	switch {
	case r.running && r.job != nil && r.job.Paused():
		state = t.Warn.Render("‖ paused")
	case r.running:
		state = t.Accent.Render(p.spin.View() + " running")
	case r.done && r.err == nil:
		state = t.Good.Render("✓ finished")
	case r.done && errors.Is(r.err, context.Canceled):
		state = t.Warn.Render("■ stopped")
	case r.done:
		state = t.Error.Render("✗ failed")
	default:
		state = t.Accent.Render("● training")
	}
	c := r.cfg
	cfg := fmt.Sprintf("%s·%s·%s·%s  %s  τ %g  %s  %d ep × b%d  lr %g  len %d",
		c.Preset, c.Mode, c.Pooling, c.Head, lab.FormatLosses(c.Losses), c.Tau, c.Negatives, c.Epochs, c.Batch, c.LR, c.MaxLen)
	s := " " + state + "  " + t.Text.Render(cfg)
	if r.dir != "" {
		s += t.Muted.Render("  → " + r.dir)
	}
	return trunc(s, w)
}

func (p *trainingPane) progressLine(w int) string {
	t := p.a.theme
	ev := p.run.last
	frac := 0.0
	if ev.TotalSteps > 0 {
		frac = float64(ev.Step) / float64(ev.TotalSteps)
	}
	left := fmt.Sprintf(" epoch %d/%d  step %d/%d ", ev.Epoch, ev.Epochs, ev.Step, ev.TotalSteps)
	eta := "—"
	if ev.ETA > 0 { // the trainer's, from its recent step times
		eta = lab.FormatClock(ev.ETA)
	} else if ev.Step > 0 && ev.TotalSteps > ev.Step && ev.Elapsed > 0 {
		rem := time.Duration(float64(ev.Elapsed) * float64(ev.TotalSteps-ev.Step) / float64(ev.Step))
		eta = lab.FormatClock(rem)
	} else if ev.TotalSteps > 0 && ev.Step >= ev.TotalSteps {
		eta = "0:00"
	}
	right := fmt.Sprintf(" %3.0f%%  %s ex/s  elapsed %s  ETA %s", 100*frac, lab.FormatRate(ev.ExamplesPerSec), lab.FormatClock(ev.Elapsed), eta)
	bw := max(w-width(left)-width(right), 8)
	return trunc(t.Text.Render(left)+progressBar(frac, bw, t.Accent, t.Subtle)+t.Text.Render(right), w)
}

// legend renders the title and "━ name value" entries in their series colours,
// wrapped onto more lines when they do not fit in w.
func (p *trainingPane) legend(title string, ss []series, w int) []string {
	t := p.a.theme
	lines := []string{t.Title.Render(title)}
	for _, se := range ss {
		v := math.NaN()
		if len(se.Values) > 0 {
			v = se.Values[len(se.Values)-1]
		}
		e := se.Style.Render("━ "+se.Name) + " " + t.Text.Render(compact(v))
		if last := lines[len(lines)-1]; width(last)+2+width(e) <= w {
			lines[len(lines)-1] = last + "  " + e
		} else {
			lines = append(lines, "  "+e)
		}
	}
	return lines
}

func (p *trainingPane) lossPanel(w, h int) string {
	t := p.a.theme
	r := p.run
	ss := []series{{Name: "total", Values: r.loss.values(), Style: t.SeriesStyle(0)}}
	names := make([]string, 0, len(r.terms))
	for k := range r.terms {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return lossRank(names[i]) < lossRank(names[j]) })
	for i, k := range names {
		ss = append(ss, series{Name: k, Values: r.terms[k].values(), Style: t.SeriesStyle(i + 1)})
	}
	return p.panel("Loss (weighted terms)", ss, w, h, chartOpts{})
}

func lossRank(name string) string {
	order := map[string]string{"infonce": "0", "modinfonce": "1", "dyn": "2", "reg": "3"}
	if o, ok := order[name]; ok {
		return o
	}
	return "9" + name
}

func (p *trainingPane) scorePanel(w, h int) string {
	t := p.a.theme
	r := p.run
	zero, one := 0.0, 1.0
	ss := []series{
		{Name: "pos", Values: r.pos.values(), Style: t.Good},
		{Name: "neg", Values: r.neg.values(), Style: t.Error.UnsetBold()},
	}
	out := p.panel("σ score", ss, w, h, chartOpts{YMin: &zero, YMax: &one})
	if r.collapsed() {
		gap := r.gaps[len(r.gaps)-1]
		lines := strings.Split(out, "\n")
		lines[len(lines)-1] = t.Warn.Render(fmt.Sprintf("⚠ score collapse: gap %.3f < %.1f", gap, collapseGap))
		out = fitLines(lines, w, h)
	}
	return out
}

func (p *trainingPane) lrPanel(w, h int) string {
	t := p.a.theme
	return p.panel("LR", []series{{Name: "lr", Values: p.run.lr.values(), Style: t.SeriesStyle(1)}}, w, h,
		chartOpts{YFormat: func(v float64) string {
			if v == 0 {
				return "0"
			}
			return fmt.Sprintf("%.0e", v)
		}})
}

// panel is a legend line over a chart.
func (p *trainingPane) panel(title string, ss []series, w, h int, o chartOpts) string {
	lines := p.legend(title, ss, w)
	if len(ss) == 0 || len(ss[0].Values) == 0 {
		lines = append(lines, p.a.theme.Subtle.Render("waiting for the first step…"))
		return fitLines(lines, w, h)
	}
	lines = append(lines, lineChart(ss, w, h-len(lines), o)...)
	return fitLines(lines, w, h)
}

// devCols are the dev metrics shown per epoch.
func devCols() []struct{ label, key string } {
	return []struct{ label, key string }{
		{"Top-1", metrics.TopKey(1)}, {"Top-5", metrics.TopKey(5)}, {"Top-20", metrics.TopKey(20)},
		{"MRR@10", metrics.MRR10}, {"nDCG@10", metrics.NDCG10},
	}
}

func (p *trainingPane) devPanel(w, h int) string {
	t := p.a.theme
	r := p.run
	lines := []string{t.Title.Render("Dev metrics per epoch")}
	if len(r.epochs) == 0 {
		lines = append(lines, t.Subtle.Render("after the first epoch"))
		return fitLines(lines, w, h)
	}
	cols := devCols()
	const cw = 8
	n := min(len(cols), max((w-6)/cw, 1))
	cols = cols[:n]
	head := padRight("epoch", 6)
	for _, c := range cols {
		head += padLeft(c.label, cw)
	}
	lines = append(lines, t.Muted.Render(head))
	best := make([]float64, n)
	for i := range best {
		best[i] = math.Inf(-1)
		for _, e := range r.epochs {
			if v, ok := e.dev[cols[i].key]; ok {
				best[i] = math.Max(best[i], v)
			}
		}
	}
	rows := r.epochs
	if room := h - 2; len(rows) > room && room > 0 {
		rows = rows[len(rows)-room:]
	}
	for _, e := range rows {
		line := t.Text.Render(padRight(strconv.Itoa(e.epoch), 6))
		for i, c := range cols {
			v, ok := e.dev[c.key]
			cell := t.Subtle.Render("—")
			switch {
			case ok && v == best[i] && len(r.epochs) > 1:
				cell = t.Best.Render(fmt.Sprintf("%.3f", v))
			case ok:
				cell = t.Text.Render(fmt.Sprintf("%.3f", v))
			}
			line += padLeft(cell, cw)
		}
		lines = append(lines, line)
	}
	return fitLines(lines, w, h)
}
