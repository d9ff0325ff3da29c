package views

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
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
	mix      *mixHistory // multi-dataset runs (training_mix.go)
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
	bar    progress.Model
	// live is the running job, for Close: the SSH server calls it from the session's
	// goroutine while the program's event loop owns run.
	live atomic.Pointer[lab.Job]
	// ownStatus is the status text the training set last; while the status line still shows
	// it, every step replaces it with the current step (a phase message never goes stale).
	ownStatus string
}

func newTrainingPane(a *App) *trainingPane {
	p := &trainingPane{a: a, keys: newTrainingKeys(), fields: formFields(), cfg: train.DefaultConfig(), show: true}
	p.edit = newInput("", "", 256)
	p.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	p.bar = newBar()
	return p
}

func (p *trainingPane) applyTheme() {
	t := p.a.theme
	p.edit.style(t.InputPrompt, t.InputText, t.Placeholder, t.Cursor)
	p.spin.Style = t.Accent
	styleBar(&p.bar, t)
}

// status sets the status line on behalf of the running training.
func (p *trainingPane) status(format string, args ...any) {
	p.a.setStatus(lvlInfo, format, args...)
	p.ownStatus = p.a.statusText
}

// stepStatus is the live status of a running training.
func (p *trainingPane) stepStatus(ev train.Event) {
	if p.ownStatus == "" || p.a.statusText != p.ownStatus {
		return // the user's last action wrote the status: leave it
	}
	s := fmt.Sprintf("training: step %d/%d · epoch %d/%d · loss %.4f", ev.Step, ev.TotalSteps, ev.Epoch, ev.Epochs, ev.Loss)
	if r := p.run; r != nil && len(r.epochs) > 0 {
		e := r.epochs[len(r.epochs)-1]
		s += fmt.Sprintf(" · dev MRR@10 %.3f after epoch %d", e.dev[metrics.MRR10], e.epoch)
	}
	p.status("%s", s)
}

// resume continues an unfinished run of the Runs pane in this pane.
func (p *trainingPane) resume(ri lab.RunInfo) tea.Cmd {
	a := p.a
	switch {
	case !p.canTrain("a training is already running (x stops it in the Training pane)"):
		return nil
	case ri.Finished:
		a.setStatus(lvlInfo, "%s is finished: nothing to resume (enter opens it)", ri.Name)
		return nil
	case !ri.Resumable():
		a.setStatus(lvlWarn, "%s cannot be resumed: %s", ri.Name, ri.State())
		return nil
	}
	job, err := a.opts.Engine.Resume(context.Background(), a.ws, ri.Dir)
	if err != nil {
		a.fail(err)
		return nil
	}
	p.gen++
	r := newRun(ri.Config)
	r.gen, r.dir, r.running, r.job = p.gen, ri.Dir, true, job
	p.live.Store(job)
	p.run = r
	p.show = false
	a.setActive(paneTraining)
	p.status("resuming %s at step %d/%d on %s", ri.Name, ri.Step, ri.Total, a.ws.Data.Name)
	return tea.Batch(p.spin.Tick, waitTrain(p.gen, job))
}

func (p *trainingPane) capturing() bool { return p.edit.Focused() }

func (p *trainingPane) bindings() []key.Binding { return p.keys.list() }

func (p *trainingPane) running() bool { return p.run != nil && p.run.running }

func (p *trainingPane) hints() []key.Binding {
	switch {
	case p.edit.Focused():
		return []key.Binding{p.keys.Edit, p.keys.Cancel}
	case p.running():
		return []key.Binding{p.keys.Pause, p.keys.Stop, p.keys.Form}
	default:
		return []key.Binding{p.keys.Start, pretrainKey, p.keys.Down, p.keys.Right, p.keys.Edit}
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
		case msg.Paste || len(msg.Runes) > 1:
			p.edit.paste(msg.Runes)
		default:
			return p.edit.Update(msg)
		}
		return nil
	}
	switch {
	case key.Matches(msg, p.keys.Start):
		return p.start()
	case key.Matches(msg, pretrainKey):
		return p.startPretrain()
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

// canTrain says whether a training may start now, telling the user why not (busy: the
// message when one is already running).
func (p *trainingPane) canTrain(busy string) bool {
	a := p.a
	switch {
	case a.opts.ReadOnly:
		a.setStatus(lvlWarn, "read-only demo: training is disabled")
	case a.opts.Engine == nil:
		a.setStatus(lvlWarn, "training is not available in this build")
	case a.ws.Data == nil:
		a.setStatus(lvlWarn, "load a dataset first (pane 1)")
	case p.running():
		a.setStatus(lvlWarn, "%s", busy)
	default:
		return true
	}
	return false
}

// start launches a training job; its events come back through waitTrain.
func (p *trainingPane) start() tea.Cmd {
	a := p.a
	if !p.canTrain("a training is already running (x stops it)") {
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
	p.live.Store(r.job)
	p.run = r
	p.show = false
	p.status("training %s/%s on %s → %s", cfg.Preset, cfg.Head, a.ws.Data.Name, shortPath(dir, 60))
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
	if ev.Mixture != nil {
		r.mixEvent(ev)
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
		p.stepStatus(ev)
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
		p.status("epoch %d/%d done: dev MRR@10 %.3f", ev.Epoch, ev.Epochs, ev.Dev[metrics.MRR10])
	case train.InfoEvent:
		if p.ownStatus == "" || p.a.statusText == p.ownStatus {
			p.status("training: %s", ev.Message)
		}
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
	p.live.Store(nil)
	p.ownStatus = ""
	if dir != "" {
		r.dir = dir
	}
	p.a.runs.trainingFinished()
	if p.a.quitting {
		return tea.Quit
	}
	switch {
	case err == nil:
		p.a.setStatus(lvlOK, "training finished → %s (Runs 5 lists it)", shortPath(r.dir, 60))
	case errors.Is(err, context.Canceled):
		p.a.setStatus(lvlWarn, "training stopped; checkpoint kept in %s (r in Runs 5 resumes it)", shortPath(r.dir, 60))
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
	a.runs.openedDirs[msg.dir] = msg.nr.Name
	a.setStatus(lvlOK, "model %s loaded: try it in the Query pane (3)", msg.nr.Name)
	return a.evaluate(msg.nr.Name, msg.nr)
}
