package views

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
)

// run executes cmd (with a timeout) and returns the messages it produced; batches are
// flattened and spinner ticks dropped so that driving terminates.
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case m := <-ch:
		switch m := m.(type) {
		case nil, spinner.TickMsg:
			return nil
		case tea.BatchMsg:
			var out []tea.Msg
			for _, c := range m {
				out = append(out, runCmd(c)...)
			}
			return out
		default:
			return []tea.Msg{m}
		}
	case <-time.After(2 * time.Second):
		return nil
	}
}

// drive sends msgs to a and then every message its commands produce, in order.
func drive(a *App, msgs ...tea.Msg) {
	queue := append([]tea.Msg(nil), msgs...)
	for i := 0; len(queue) > 0 && i < 10000; i++ {
		m := queue[0]
		queue = queue[1:]
		_, cmd := a.Update(m)
		queue = append(queue, runCmd(cmd)...)
	}
}

func kp(s string) tea.KeyMsg {
	switch s {
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "ctrl+w":
		return tea.KeyMsg{Type: tea.KeyCtrlW}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func typeText(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		if r == ' ' {
			out = append(out, tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return out
}

func TestTabSwitching(t *testing.T) {
	a := newTestApp(t, Options{})
	if a.active != paneQuery {
		t.Fatalf("start pane = %v, want Query", a.active)
	}
	steps := []struct {
		msg  tea.Msg
		want paneID
	}{
		{kp("1"), paneDatasets},
		{kp("tab"), paneTraining},
		{kp("tab"), paneQuery},
		{kp("tab"), paneMetrics},
		{kp("tab"), paneRuns},
		{kp("tab"), paneDatasets}, // wraps
		{kp("shift+tab"), paneRuns},
		{kp("5"), paneRuns},
		{kp("3"), paneQuery},
		{kp("2"), paneTraining},
		{kp("4"), paneMetrics},
	}
	for i, s := range steps {
		drive(a, s.msg)
		if a.active != s.want {
			t.Fatalf("step %d: pane = %v, want %v", i, a.active, s.want)
		}
	}
	// Clicks on the tab row: the spans are " 1 Datasets " starting at column 1, then a separator.
	sp := tabSpans()
	if sp[0] != [2]int{1, 13} || sp[1][0] != 14 {
		t.Fatalf("tab spans = %v", sp)
	}
	for i, s := range sp {
		drive(a, tea.MouseMsg{X: s[0] + 2, Y: 1, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
		if a.active != paneID(i) {
			t.Errorf("click on tab %d: pane = %v", i, a.active)
		}
	}
	// A click below the tab row does not switch.
	drive(a, tea.MouseMsg{X: sp[0][0] + 1, Y: 5, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
	if a.active != paneRuns {
		t.Errorf("click outside the tab row switched to %v", a.active)
	}
}

func TestHelpToggle(t *testing.T) {
	a := newTestApp(t, Options{})
	drive(a, kp("?"))
	if !a.showHelp || !strings.Contains(a.View(), "Global") {
		t.Fatal("? did not open the help overlay")
	}
	drive(a, kp("1")) // ignored while help is open
	if a.active != paneQuery {
		t.Errorf("a pane key switched panes under the help overlay")
	}
	drive(a, kp("esc"))
	if a.showHelp {
		t.Fatal("esc did not close help")
	}
	drive(a, kp("?"), kp("?"))
	if a.showHelp {
		t.Fatal("? did not toggle help off")
	}
}

// TestEveryKeyHasHelp checks that every binding of every pane has help text and appears
// in the overlay at a size where everything fits.
func TestEveryKeyHasHelp(t *testing.T) {
	a := newTestApp(t, Options{})
	a.width, a.height = 160, 50
	drive(a, kp("?"))
	v := ansi.Strip(a.View())
	for _, p := range a.panes() {
		for _, b := range p.bindings() {
			h := b.Help()
			if h.Key == "" || h.Desc == "" || len(b.Keys()) == 0 {
				t.Errorf("binding %v has no help", b.Keys())
			}
			if !strings.Contains(v, h.Desc) {
				t.Errorf("help overlay misses %q", h.Desc)
			}
		}
	}
}

// checkSize asserts that the view is exactly h lines, none wider than w.
func checkSize(t *testing.T, label string, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", label, len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("%s: line %d is %d cells wide (> %d): %q", label, i, lw, w, ansi.Strip(l))
		}
	}
}

func TestResizeNeverOverflows(t *testing.T) {
	sizes := [][2]int{{80, 24}, {100, 30}, {132, 43}, {81, 25}, {90, 24}, {200, 60}}
	a := newTestApp(t, Options{Workspace: withResults(t, testWorkspace(t, true))})
	drive(a, syntheticRun(false)...) // give the training pane charts
	a.training.show = false
	for _, sz := range sizes {
		drive(a, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for p := paneDatasets; p < numPanes; p++ {
			a.active = p
			checkSize(t, p.String()+" at "+sizeLabel(sz), a.View(), sz[0], sz[1])
		}
		a.training.show = true
		a.active = paneTraining
		checkSize(t, "training form+charts "+sizeLabel(sz), a.View(), sz[0], sz[1])
		a.training.show = false
		a.showHelp = true
		checkSize(t, "help "+sizeLabel(sz), a.View(), sz[0], sz[1])
		a.showHelp = false
	}
	for _, th := range []string{"light", "contrast"} {
		a.setTheme(th)
		drive(a, tea.WindowSizeMsg{Width: 80, Height: 24})
		for p := paneDatasets; p < numPanes; p++ {
			a.active = p
			checkSize(t, th+" "+p.String(), a.View(), 80, 24)
		}
	}
}

func sizeLabel(sz [2]int) string { return fmt.Sprintf("%d×%d", sz[0], sz[1]) }

func TestThemeCycling(t *testing.T) {
	a := newTestApp(t, Options{Theme: "light"})
	if a.theme.Name != "light" {
		t.Fatalf("theme = %s", a.theme.Name)
	}
	want := []string{"contrast", "dark", "light"}
	for _, w := range want {
		drive(a, kp("t"))
		if a.theme.Name != w {
			t.Fatalf("after t: theme %s, want %s", a.theme.Name, w)
		}
		if !strings.Contains(ansi.Strip(a.View()), "theme: "+w) {
			t.Errorf("header does not show theme %s", w)
		}
	}
}

func TestQuerySubmit(t *testing.T) {
	a := newTestApp(t, Options{})
	msgs := []tea.Msg{kp("/"), kp("ctrl+u")}
	msgs = append(msgs, typeText("which river flows through Paris")...)
	msgs = append(msgs, kp("enter"))
	drive(a, msgs...)
	if a.query.in.Focused() {
		t.Fatal("enter should leave the query field")
	}
	if a.query.query != "which river flows through Paris" {
		t.Fatalf("query = %q", a.query.query)
	}
	var bm column
	for _, c := range a.query.cols {
		if c.model < 0 {
			bm = c
		}
	}
	// BM25: p1 ("Paris … on the river Seine", Paris also in its title) and p3 ("The Seine
	// flows through Paris") are the only passages with "river"/"flows"/"Paris".
	if len(bm.hits) < 2 {
		t.Fatalf("BM25 hits = %v", bm.hits)
	}
	top2 := map[string]bool{bm.hits[0].ID: true, bm.hits[1].ID: true}
	if !top2["p1"] || !top2["p3"] {
		t.Errorf("BM25 top-2 = %v, want p1 and p3", top2)
	}
	v := ansi.Strip(a.View())
	if !strings.Contains(v, "judged query q6 (dev)") {
		t.Errorf("the query should be recognised as q6:\n%s", v)
	}
	// Both judged passages are in BM25's top 2 and marked.
	if n := strings.Count(v, " ✓ "); n < 2 {
		t.Errorf("%d ✓ marks, want ≥ 2:\n%s", n, v)
	}
	// Selecting the second model hit changes the explained passage.
	drive(a, kp("down"))
	mc := a.query.cols[0]
	if mc.sel != 1 || !strings.Contains(ansi.Strip(a.View()), "Why "+mc.hits[1].ID) {
		t.Errorf("down did not move the explanation to %s", mc.hits[1].ID)
	}
	// Typing global keys while the field has focus edits the query instead.
	drive(a, kp("/"), kp("q"), kp("1"))
	if a.active != paneQuery || !strings.HasSuffix(a.query.in.Value(), "q1") {
		t.Errorf("keys leaked out of the focused query field: pane %v value %q", a.active, a.query.in.Value())
	}
}

func TestExplainMatchesModel(t *testing.T) {
	sh := testWorkspace(t, true)
	m := sh.Models[0]
	a := newTestApp(t, Options{Workspace: sh})
	hit := a.query.cols[0].hits[0]
	ex, err := m.Explainer.Explain(a.query.query, hit.Index)
	if err != nil {
		t.Fatal(err)
	}
	c, s := ex.Terms, ex.Score
	sum := 0.0
	for _, v := range c {
		sum += v
	}
	// toyARS: score = Σ contributions + bias 0.25, and equals the hit's score.
	if math.Abs(sum+0.25-s) > 1e-9 || math.Abs(s-hit.Score) > 1e-9 {
		t.Fatalf("Σc+b = %v, score %v, hit %v", sum+0.25, s, hit.Score)
	}
	best, bestDim := math.Inf(-1), -1
	for i, v := range c {
		if v > best {
			best, bestDim = v, i
		}
	}
	v := ansi.Strip(a.View())
	want := fmt.Sprintf("d%d ", bestDim)
	if !strings.Contains(v, "top positive dimensions") || !strings.Contains(v, want) {
		t.Errorf("view lacks the top dimension %q:\n%s", want, v)
	}
}

func TestHeatStrip(t *testing.T) {
	th := asciiRenderer()
	st := []lipgloss.Style{th.NewStyle()}
	// c = [1, -0.5, 0, 0.25] in 4 cells: magnitudes relative to 1 → levels
	// ceil(f·8)−1: 1 → █, 0.5 → ▄ (index 3), 0.25 → ▂ (index 1).
	pos, neg := heatStrip([]float64{1, -0.5, 0, 0.25}, 4, st, st)
	if pos != "█  ▂" || neg != " ▄  " {
		t.Errorf("heat strip = %q / %q", pos, neg)
	}
	// 8 dims in 4 cells: neighbours summed → [3, -1, 0, 0.5]; relative to 3: −1 → 1/3 →
	// ceil(2.67)−1 = 2 → ▃, 0.5 → 1/6 → ceil(1.33)−1 = 1 → ▂.
	pos, neg = heatStrip([]float64{1, 2, -0.5, -0.5, 0, 0, 0.25, 0.25}, 4, st, st)
	if pos != "█  ▂" || neg != " ▃  " {
		t.Errorf("binned heat strip = %q / %q", pos, neg)
	}
}

func TestHistoryThinning(t *testing.T) {
	h := newHistory(4)
	for i := 1; i <= 8; i++ {
		h.add(float64(i))
	}
	// 1..4 fill the buffer → halved to [1.5 3.5] (stride 2); 5,6 → 5.5; 7,8 → 7.5 fills it
	// again → [2.5 6.5], the means of 1–4 and 5–8.
	got := h.values()
	if len(got) != 2 || got[0] != 2.5 || got[1] != 6.5 {
		t.Fatalf("values = %v, want [2.5 6.5]", got)
	}
	h.add(9) // pending partial point (stride 4) is shown as its mean so far
	if v := h.values(); len(v) != 3 || v[2] != 9 {
		t.Fatalf("with pending point: %v", v)
	}
}

func TestInputEditing(t *testing.T) {
	in := newInput("", "", 0)
	in.Focus()
	for _, m := range typeText("hello wide world") {
		in.Update(m)
	}
	in.Update(kp("ctrl+w"))
	if in.Value() != "hello wide " {
		t.Fatalf("ctrl+w: %q", in.Value())
	}
	in.Update(kp("left"))
	in.Update(kp("backspace"))
	if in.Value() != "hello wid " {
		t.Fatalf("backspace: %q", in.Value())
	}
	in.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a\nb"), Paste: true})
	if in.Value() != "hello wida b " {
		t.Fatalf("paste: %q", in.Value())
	}
	in.SetValue("Hà Nội")
	in.setWidth(4)
	if v := ansi.Strip(in.View()); ansi.StringWidth(v) > 4 {
		t.Errorf("view %q wider than 4", v)
	}
}

func TestTrainingEventsUpdateCharts(t *testing.T) {
	a := newTestApp(t, Options{})
	drive(a, kp("2"))
	losses := []float64{2, 1.5, 1.2}
	for i, l := range losses {
		drive(a, train.Event{Kind: train.StepEvent, Step: i + 1, TotalSteps: 10, Epoch: 1, Epochs: 2, Loss: l,
			Terms: map[string]float64{"infonce": l - 0.1, "reg": 0.1}, PosScore: 0.6, NegScore: 0.4, LR: 1e-4,
			ExamplesPerSec: 50, Elapsed: time.Duration(i+1) * time.Second})
	}
	r := a.training.run
	if got := r.loss.values(); len(got) != 3 || got[0] != 2 || got[2] != 1.2 {
		t.Fatalf("loss history = %v", got)
	}
	if got := r.terms["infonce"].values(); len(got) != 3 || math.Abs(got[1]-1.4) > 1e-12 {
		t.Fatalf("infonce history = %v", got)
	}
	v := ansi.Strip(a.View())
	// 3 steps in 3 s → 7 steps left take 7 s.
	for _, want := range []string{"step 3/10", "30%", "ETA 0:07", "total 1.200", "infonce 1.100", "pos 0.600", "neg 0.400"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	drive(a, train.Event{Kind: train.EpochEvent, Epoch: 1, Epochs: 2, Dev: map[string]float64{metrics.MRR10: 0.4321}})
	if !strings.Contains(ansi.Strip(a.View()), "0.432") {
		t.Error("dev metrics table lacks the epoch's MRR@10")
	}
}

// blockingTrain trains until cancelled, then reports like the engine: DoneEvent with ctx.Err().
type blockingTrain struct {
	started   chan struct{}
	cancelled atomic.Bool
}

func (b *blockingTrain) train(ctx context.Context, cfg train.Config, d *datasets.Dataset, out string, events chan<- train.Event) error {
	events <- train.Event{Kind: train.StepEvent, Step: 1, TotalSteps: 100, Epoch: 1, Epochs: 1, Loss: 1, PosScore: 0.5, NegScore: 0.5}
	close(b.started)
	<-ctx.Done()
	b.cancelled.Store(true)
	events <- train.Event{Kind: train.DoneEvent, Err: ctx.Err(), RunDir: out}
	return ctx.Err()
}

// startBlockingTraining opens an app whose training blocks until cancelled, starts it from
// the Training pane and waits until the engine has begun.
func startBlockingTraining(t *testing.T) (*blockingTrain, *App, *teatest.TestModel) {
	t.Helper()
	bt := &blockingTrain{started: make(chan struct{})}
	a := newTestApp(t, Options{Engine: fakeEngine{train: bt.train}, RunsDir: t.TempDir()})
	tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(100, 30))
	tm.Send(kp("2"))
	tm.Send(kp("s"))
	select {
	case <-bt.started:
	case <-time.After(5 * time.Second):
		t.Fatal("training did not start")
	}
	return bt, a, tm
}

func TestQuitWhileTrainingCancels(t *testing.T) {
	bt, _, tm := startBlockingTraining(t)
	tm.Send(kp("q"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(4*time.Second)).(*App)
	if !bt.cancelled.Load() {
		t.Fatal("quitting did not cancel the training context")
	}
	r := fm.training.run
	if !r.done || !errors.Is(r.err, context.Canceled) {
		t.Fatalf("run done=%v err=%v: the DoneEvent was not awaited", r.done, r.err)
	}
	if !strings.HasPrefix(r.dir, filepath.Join(fm.opts.RunsDir, "20250102-030405-tiny-ars")) {
		t.Errorf("run dir = %q", r.dir)
	}
}

func TestTrainingFinishOpensAndEvaluatesModel(t *testing.T) {
	sh := testWorkspace(t, false)
	toy := newToyARS(sh.Data, 8, 3)
	trainFn := func(ctx context.Context, cfg train.Config, d *datasets.Dataset, out string, events chan<- train.Event) error {
		if cfg.Epochs != 5 || cfg.Head != "dot" {
			return errors.New("form edits did not reach the config")
		}
		events <- train.Event{Kind: train.StepEvent, Step: 1, TotalSteps: 1, Epoch: 1, Epochs: 1, Loss: 0.5}
		events <- train.Event{Kind: train.DoneEvent, RunDir: out}
		return nil
	}
	var openedDir string
	open := func(ctx context.Context, dir string) (lab.Model, error) {
		openedDir = dir
		return toy.model("run-1"), nil
	}
	a := newTestApp(t, Options{Workspace: sh, RunsDir: t.TempDir(),
		Engine: fakeEngine{train: trainFn, openModel: open, evaluate: true}})
	// Form: head (4th field) → right twice: ars → dot → cos? choices ars,dot,cos: one step is dot.
	msgs := []tea.Msg{kp("2"), kp("down"), kp("down"), kp("down"), kp("right")}
	// epochs (8th field): enter, clear, type 5, enter.
	msgs = append(msgs, kp("down"), kp("down"), kp("down"), kp("down"), kp("enter"), kp("ctrl+u"), kp("5"), kp("enter"))
	msgs = append(msgs, kp("s"))
	drive(a, msgs...)
	if a.training.run == nil || a.training.run.err != nil {
		t.Fatalf("run = %+v", a.training.run)
	}
	if openedDir != a.training.run.dir {
		t.Errorf("opened %q, run dir %q", openedDir, a.training.run.dir)
	}
	if m, ok := a.currentModel(); !ok || m.Name != "run-1" {
		t.Fatalf("current model = %v %v", m.Name, ok)
	}
	if len(a.sessionRows) != 2 {
		t.Fatalf("session rows = %+v, want dev and test", a.sessionRows)
	}
	want, _ := testEvaluate(context.Background(), toy, sh.Data, datasets.Dev)
	for _, r := range a.sessionRows {
		if r.Split == "dev" && r.Metrics[metrics.MRR10] != want[metrics.MRR10] {
			t.Errorf("dev MRR@10 = %v, want %v", r.Metrics[metrics.MRR10], want[metrics.MRR10])
		}
	}
	// The query pane now answers with the new model in its first column.
	if a.query.cols[0].name != "run-1" {
		t.Errorf("query columns = %v", a.query.cols[0].name)
	}
}

func TestDatasetLoadErrorKeepsPrevious(t *testing.T) {
	next := testWorkspace(t, false)
	next.Data.Name = "other"
	load := func(ctx context.Context, path string, progress engine.Progress) (*lab.Workspace, error) {
		progress(1, 2)
		if strings.Contains(path, "bad") {
			return nil, errors.New("bad/corpus.jsonl:3: field \"_id\": missing")
		}
		return next, nil
	}
	a := newTestApp(t, Options{Engine: fakeEngine{open: load}})
	before := a.ws
	msgs := []tea.Msg{kp("1"), kp("e"), kp("ctrl+u")}
	msgs = append(msgs, typeText("bad")...)
	drive(a, append(msgs, kp("enter"))...)
	if a.ws != before {
		t.Fatal("a failed load replaced the dataset")
	}
	v := ansi.Strip(a.View())
	if !strings.Contains(v, "corpus.jsonl:3") || !strings.Contains(v, "tiny (beir)") {
		t.Errorf("error or previous stats missing:\n%s", v)
	}
	if a.statusLevel != lvlErr {
		t.Errorf("status level = %v", a.statusLevel)
	}
	msgs = []tea.Msg{kp("e"), kp("ctrl+u")}
	msgs = append(msgs, typeText("good")...)
	drive(a, append(msgs, kp("enter"))...)
	if a.ws != next || !strings.Contains(ansi.Strip(a.View()), "other") {
		t.Fatal("a successful load did not switch the dataset")
	}
	if a.model != -1 {
		t.Errorf("models of the old dataset still selected")
	}
}

func TestReadOnlyDisablesLoadTrainExport(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	called := false
	a := newTestApp(t, Options{ReadOnly: true, Workspace: withResults(t, testWorkspace(t, true)), Engine: fakeEngine{
		open: func(context.Context, string, engine.Progress) (*lab.Workspace, error) { called = true; return nil, nil },
		train: func(context.Context, train.Config, *datasets.Dataset, string, chan<- train.Event) error {
			called = true
			return nil
		},
	}})
	drive(a, kp("1"), kp("o"), kp("enter"), kp("2"), kp("s"), kp("4"), kp("e"), kp("E"))
	if called {
		t.Error("an engine function ran in read-only mode")
	}
	if a.datasets.in.Focused() {
		t.Error("the path field took focus in read-only mode")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files written in read-only mode: %v", ents)
	}
}

func TestMetricsSortExport(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	a := newTestApp(t, Options{Workspace: withResults(t, testWorkspace(t, true))})
	drive(a, kp("4"))
	// Default selected column is MRR@10 (index 2+6); s sorts it best first.
	drive(a, kp("s"))
	rows := a.metrics.rows()
	for i := 1; i < len(rows); i++ {
		if rows[i-1].Metrics[metrics.MRR10] < rows[i].Metrics[metrics.MRR10] {
			t.Fatalf("not sorted by MRR@10 desc: %v", rows)
		}
	}
	drive(a, kp("s")) // flip
	rows = a.metrics.rows()
	if rows[0].Metrics[metrics.MRR10] > rows[len(rows)-1].Metrics[metrics.MRR10] {
		t.Fatalf("second s did not flip the order")
	}
	best := bestPerColumn(rows)
	// BM25 dev finds every relevant passage at rank 1 on this corpus: MRR@10 = 1.
	if best[6] != 1 {
		t.Errorf("best MRR@10 = %v, want 1", best[6])
	}
	drive(a, kp("e"), kp("E"))
	f, err := os.Open(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatalf("metrics.csv: %v", err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != len(rows)+1 || recs[0][0] != "name" || recs[0][8] != "mrr@10" {
		t.Fatalf("csv = %v (%v)", recs, err)
	}
	js, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		Name    string
		Split   string
		Metrics map[string]float64
	}
	if err := json.Unmarshal(js, &got); err != nil || len(got) != len(rows) || got[0].Name != rows[0].Name {
		t.Fatalf("json = %s (%v)", js, err)
	}
	if !strings.Contains(a.statusText, filepath.Join(dir, "metrics.json")) {
		t.Errorf("status does not show the path: %q", a.statusText)
	}
	if svg, err := os.ReadFile(filepath.Join(dir, "metrics.svg")); err != nil || !strings.Contains(string(svg), "Top-k accuracy") {
		t.Errorf("metrics.svg beside the CSV: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 3 { // metrics.csv, its figure metrics.svg, metrics.json
		t.Errorf("temporary files left behind: %v", ents)
	}
}

func TestLineChartShape(t *testing.T) {
	// A rising line from 0 to 1 over a 12×2 box: labels "1.000"/"0", plot 5 cells (10×8 dots).
	lines := lineChart([]series{{Values: []float64{0, 1}, Style: asciiRenderer().NewStyle()}}, 12, 2, chartOpts{})
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	top, bottom := []rune(ansi.Strip(lines[0])), []rune(ansi.Strip(lines[1]))
	// The first plot cell holds the bottom-left dot (row 1), the last the top-right dot (row 0).
	first, last := len(top)-5, len(top)-1
	if bottom[first]&0x40 == 0 || top[last]&0x08 == 0 {
		t.Errorf("line does not rise: %q / %q", string(top), string(bottom))
	}
	if !bytes.HasPrefix([]byte(ansi.Strip(lines[0])), []byte("1.000 ┤")) {
		t.Errorf("top label: %q", ansi.Strip(lines[0]))
	}
}

func TestPauseKeyTogglesControl(t *testing.T) {
	bt, _, tm := startBlockingTraining(t)
	tm.Send(kp("p"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "paused") },
		teatest.WithDuration(5*time.Second))
	tm.Send(kp("p"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "resumed") },
		teatest.WithDuration(5*time.Second))
	tm.Send(kp("p")) // paused again when quitting: quit must still cancel and finish
	tm.Send(kp("q"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(4*time.Second)).(*App)
	r := fm.training.run
	if r.job == nil || !r.job.Paused() {
		t.Fatalf("third p should leave the run paused (job %v)", r.job)
	}
	if !bt.cancelled.Load() || !r.done {
		t.Fatal("quitting a paused run did not cancel it")
	}
}

// TestCloseCancelsTraining: the SSH server calls Close when a session ends; a running
// training must be cancelled even though the program never saw a quit key.
func TestCloseCancelsTraining(t *testing.T) {
	bt, a, tm := startBlockingTraining(t)
	var _ io.Closer = a
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !bt.cancelled.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !bt.cancelled.Load() {
		t.Fatal("Close did not cancel the training context")
	}
	tm.Send(kp("q"))
	tm.FinalModel(t, teatest.WithFinalTimeout(4*time.Second))
}

// TestLongPassageScrolls: a passage longer than the detail area scrolls with pgdn/pgup.
func TestLongPassageScrolls(t *testing.T) {
	d := tinyData()
	long := strings.Repeat("The Seine river flows north-west through Paris. ", 60)
	d.Passages[2].Text = long
	w, err := lab.New(context.Background(), d, lab.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, Options{Workspace: w})
	drive(a, tea.WindowSizeMsg{Width: 100, Height: 30}, kp("/"), kp("ctrl+u"))
	drive(a, append(typeText("which river flows through Paris"), kp("enter"))...)
	for _, h := range a.query.cols[0].hits {
		if h.ID == "p3" {
			break
		}
		drive(a, kp("down"))
	}
	v := ansi.Strip(a.View())
	first := regexp.MustCompile(`lines (\d+)–(\d+) of (\d+) \(pgdn/pgup\)`).FindStringSubmatch(v)
	if first == nil || first[1] != "1" {
		t.Fatalf("no scroll position for the long passage:\n%s", v)
	}
	drive(a, kp("pgdown"))
	second := regexp.MustCompile(`lines (\d+)–(\d+) of (\d+)`).FindStringSubmatch(ansi.Strip(a.View()))
	if second == nil || second[1] == "1" {
		t.Fatalf("pgdown did not scroll: %v then %v", first, second)
	}
	drive(a, kp("pgup"))
	third := regexp.MustCompile(`lines (\d+)–`).FindStringSubmatch(ansi.Strip(a.View()))
	if third == nil || third[1] != "1" {
		t.Fatalf("pgup did not scroll back: %v", third)
	}
}
