package views

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/x/ansi"
)

// writeRun writes a run folder as the engine does (config, state, metrics, weights) plus
// the dataset record lab writes, dated at.
func writeRun(t *testing.T, dir string, cfg train.Config, step, total int, finished bool, dev []float64, at time.Time) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	js := func(v any) []byte { b, _ := json.Marshal(v); return b }
	put("config.json", js(cfg))
	var lines []string
	for s := 1; s <= step; s++ {
		lines = append(lines, string(js(map[string]any{"kind": "step", "step": s, "loss": 2 * math.Pow(0.93, float64(s)) * (1 + 0.1*math.Sin(float64(s)))})))
	}
	for e, v := range dev {
		lines = append(lines, string(js(map[string]any{"kind": "epoch", "epoch": e + 1, "dev": map[string]float64{"mrr@10": v}})))
	}
	put("metrics.jsonl", []byte(strings.Join(lines, "\n")+"\n"))
	put("model.safetensors", []byte("weights"))
	put("lab.json", js(map[string]string{"name": "tiny", "source": "testdata:tiny"}))
	put("state.json", js(map[string]any{"step": step, "epoch": len(dev), "total_steps": total, "finished": finished, "elapsed_sec": 12.5}))
	for _, f := range []string{"config.json", "state.json"} {
		os.Chtimes(filepath.Join(dir, f), at, at)
	}
}

// runsFixture makes three runs in ./runs of a fresh working directory: a finished ARS
// run, a finished dot run and a stopped (resumable) one.
func runsFixture(t *testing.T) string {
	t.Helper()
	t.Chdir(t.TempDir())
	old := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = old })
	base := time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC)
	cfg := train.Config{Preset: "tiny", Mode: "shared", Pooling: "mean", Head: "ars",
		Losses: map[string]float64{"infonce": 1, "dyn": 0.5, "reg": 1e-4}, Tau: 0.05, Negatives: "hard:3",
		Epochs: 2, Batch: 8, LR: 5e-4, MaxLen: 32}
	writeRun(t, "runs/20261129-030000-tiny-ars", cfg, 40, 40, true, []float64{0.21, 0.34}, base)
	dot := cfg
	dot.Head, dot.Losses = "dot", map[string]float64{"infonce": 1}
	writeRun(t, "runs/20261129-031000-tiny-dot", dot, 40, 40, true, []float64{0.18, 0.29}, base.Add(10*time.Minute))
	writeRun(t, "runs/20261129-032000-tiny-ars", cfg, 14, 40, false, nil, base.Add(20*time.Minute))
	return "runs"
}

func TestGoldenRuns(t *testing.T) {
	wd, _ := os.Getwd()
	runsFixture(t)
	a := newTestApp(t, Options{})
	drive(a, kp("5")) // lists ./runs of the fixture
	os.Chdir(wd)      // back to the package: the golden file is read from testdata/
	runGolden(t, a, kp("down"), kp("down"), kp("c"), kp("up"), kp("up"), kp("c"))
}

func TestRunsListOpenCompareResumeDelete(t *testing.T) {
	runsFixture(t)
	opened := map[string]int{}
	resumed := ""
	eng := fakeEngine{
		evaluate: true,
		openModel: func(ctx context.Context, dir string) (lab.Model, error) {
			opened[dir]++
			m := newToyARS(tinyData(), 8, int64(len(dir)))
			return m.model(filepath.Base(dir)), nil
		},
		resume: func(dir string) (trainFunc, error) {
			resumed = dir
			return func(ctx context.Context, _ train.Config, _ *datasets.Dataset, out string, ev chan<- train.Event) error {
				ev <- train.Event{Kind: train.StepEvent, Step: 15, TotalSteps: 40, Epoch: 1, Epochs: 2, Loss: 0.5}
				ev <- train.Event{Kind: train.DoneEvent, RunDir: out}
				return nil
			}, nil
		},
	}
	a := newTestApp(t, Options{Engine: eng, Workspace: testWorkspace(t, false)})
	drive(a, kp("5"))
	if len(a.runs.runs) != 3 {
		t.Fatalf("listed %d runs, want 3", len(a.runs.runs))
	}
	v := ansi.Strip(a.View())
	for _, want := range []string{"20261129-032000-tiny-ars", "tiny·dot", "infonce=1", "14/40 ‖", "40/40 ✓", "0.340 e2", "tiny"} {
		if !strings.Contains(v, want) {
			t.Errorf("runs pane lacks %q:\n%s", want, v)
		}
	}
	// The newest (stopped) run is first: enter opens it as the current model for Query and Metrics.
	newest := filepath.Join("runs", "20261129-032000-tiny-ars")
	drive(a, kp("enter"))
	if m, ok := a.currentModel(); !ok || m.Name != "20261129-032000-tiny-ars" {
		t.Fatalf("enter did not make the run the current model: %v %v", m.Name, ok)
	}
	if a.query.cols[0].name != "20261129-032000-tiny-ars" {
		t.Errorf("Query pane does not rank with the opened run: %s", a.query.cols[0].name)
	}
	rows := a.metrics.rows()
	if len(rows) == 0 || rows[len(rows)-1].Name != "20261129-032000-tiny-ars" {
		t.Errorf("Metrics has no row for the opened run: %+v", rows)
	}
	drive(a, kp("enter")) // opening again re-selects, it does not encode again
	if opened[newest] != 1 || len(a.extraModels) != 1 {
		t.Errorf("reopened: %v, %d models", opened, len(a.extraModels))
	}
	// c adds the second run to the comparison: opened and evaluated, not made current.
	drive(a, kp("down"), kp("c"))
	if len(a.runs.compare) != 1 || len(a.extraModels) != 2 || a.models()[a.model].Name != "20261129-032000-tiny-ars" {
		t.Errorf("compare: %v, %d models, current %s", a.runs.compare, len(a.extraModels), a.models()[a.model].Name)
	}
	if v := ansi.Strip(a.View()); !strings.Contains(v, "Loss of the compared runs") || !strings.Contains(v, "◆") {
		t.Errorf("comparison not shown:\n%s", v)
	}
	// r on a finished run says so; on the stopped one it resumes in the Training pane.
	drive(a, kp("r"))
	if resumed != "" || !strings.Contains(a.statusText, "finished") {
		t.Errorf("resumed a finished run: %q, status %q", resumed, a.statusText)
	}
	drive(a, kp("up"), kp("r"))
	if resumed != newest || a.active != paneTraining {
		t.Fatalf("r did not resume %s in the Training pane: %q, pane %v", newest, resumed, a.active)
	}
	if a.training.run == nil || a.training.run.last.Step != 15 {
		t.Errorf("resumed run's steps not shown")
	}
	// delete asks first; n keeps, y moves it to runs/.trash (nothing removed).
	drive(a, kp("5"), kp("D"))
	if a.runs.confirm == "" || !strings.Contains(ansi.Strip(a.View()), "Move 20261129-032000-tiny-ars to .trash/?") {
		t.Fatalf("delete did not ask:\n%s", ansi.Strip(a.View()))
	}
	drive(a, kp("n"))
	if _, err := os.Stat(newest); err != nil || len(a.runs.runs) != 3 {
		t.Fatalf("n removed the run: %v", err)
	}
	drive(a, kp("D"), kp("y"))
	if _, err := os.Stat(newest); !os.IsNotExist(err) {
		t.Errorf("y left the run in place: %v", err)
	}
	if !lab.IsRunDir(filepath.Join("runs", ".trash", "20261129-032000-tiny-ars")) || len(a.runs.runs) != 2 {
		t.Errorf("the run is not in runs/.trash or still listed (%d runs)", len(a.runs.runs))
	}
}

func TestRunsEmptyAndUnreadable(t *testing.T) {
	t.Chdir(t.TempDir())
	a := newTestApp(t, Options{})
	drive(a, kp("5"))
	if v := ansi.Strip(a.View()); !strings.Contains(v, "No run folder yet") {
		t.Errorf("empty runs pane:\n%s", v)
	}
	os.MkdirAll("runs/broken", 0o755)
	os.WriteFile("runs/broken/config.json", []byte("{"), 0o644)
	drive(a, kp("g"), kp("enter"), kp("r"))
	v := ansi.Strip(a.View())
	if !strings.Contains(v, "unreadable") || a.statusLevel < lvlWarn {
		t.Errorf("unreadable run not reported (status %q):\n%s", a.statusText, v)
	}
	checkSize(t, "runs 100×30", a.View(), 100, 30)
}

func TestSparkline(t *testing.T) {
	if got := sparkline([]float64{3, 2, 1}, 8); got != "█▄▁" {
		t.Errorf("sparkline = %q", got)
	}
	if got := sparkline([]float64{1, 1}, 4); got != "▄▄" {
		t.Errorf("flat sparkline = %q", got)
	}
	s := sparkline(make([]float64, 100), 10)
	if width(s) != 10 {
		t.Errorf("sparkline of 100 points in 10 cells is %d wide", width(s))
	}
}

func TestRunsOpeningShowsProgress(t *testing.T) {
	runsFixture(t)
	a := newTestApp(t, Options{Engine: fakeEngine{}})
	drive(a, kp("5"))
	a.runs.opening, a.runs.openDone, a.runs.openTotal = a.runs.runs[0].Dir, 6, 12
	v := ansi.Strip(a.View())
	if !strings.Contains(v, "opening 20261129-032000-tiny-ars  6/12 passages") || !strings.Contains(v, "█░") {
		t.Errorf("no progress while a run is opened:\n%s", v)
	}
	// A second open while one is running is refused with a notice, not queued silently.
	drive(a, kp("down"), kp("enter"))
	if !strings.Contains(a.statusText, "already opening") {
		t.Errorf("status = %q", a.statusText)
	}
	checkSize(t, "opening", a.View(), 100, 30)
}
