package views

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/lab"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
)

// pickerApp is an App whose file picker is rooted at testdata/picker, with two recent paths.
func pickerApp(t *testing.T, o Options) *App {
	t.Helper()
	o.ConfigDir = t.TempDir()
	os.WriteFile(filepath.Join(o.ConfigDir, recentFile), []byte(`{"datasets":["demo","/data/arcd/arcd-test.json"]}`), 0o644)
	a := newTestApp(t, o)
	a.datasets.pickerRoot = "testdata/picker"
	a.datasets.picker = a.datasets.newPicker("testdata/picker")
	return a
}

// keys sends each key on its own, with the messages its commands produce (the picker reads
// a folder after each move), before the next.
func keys(a *App, ks ...string) {
	for _, k := range ks {
		drive(a, kp(k))
	}
}

func TestGoldenDatasetsPicker(t *testing.T) {
	a := pickerApp(t, Options{})
	keys(a, "1", "o", "tab", "down")
	tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(100, 30))
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC}) // q would go to the chooser
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
	golden.RequireEqual(t, []byte(ansi.Strip(fm.View())+"\n"))
}

func TestDatasetPickerLoadsAndRemembers(t *testing.T) {
	var opened []string
	next := testWorkspace(t, false)
	load := func(ctx context.Context, path string, progress engine.Progress) (*lab.Workspace, error) {
		opened = append(opened, path)
		return next, nil
	}
	a := pickerApp(t, Options{Engine: fakeEngine{open: load}})
	keys(a, "1", "o")
	if !a.datasets.choosing || !a.datasets.onRecent {
		t.Fatal("o did not open the chooser on the recent list")
	}
	v := ansi.Strip(a.View())
	for _, want := range []string{"Recent datasets", "demo", "arcd-test.json", "Browse", "beir-mini", "squad.json"} {
		if !strings.Contains(v, want) {
			t.Errorf("chooser lacks %q:\n%s", want, v)
		}
	}
	// Browse: → opens the folder more/, ← comes back, enter on squad.json loads it.
	keys(a, "tab", "down", "right")
	if !strings.Contains(ansi.Strip(a.View()), "notes.txt") {
		t.Fatalf("→ did not open more/:\n%s", ansi.Strip(a.View()))
	}
	keys(a, "left", "down", "enter")
	want := filepath.Join("testdata/picker", "squad.json")
	if len(opened) != 1 || opened[0] != want || a.datasets.choosing {
		t.Fatalf("enter loaded %v (choosing %v), want %s", opened, a.datasets.choosing, want)
	}
	abs, _ := filepath.Abs(want)
	if rs := a.loadRecent(); len(rs) != 3 || rs[0] != abs {
		t.Errorf("recent after a load = %v", rs)
	}
	// A folder (a BEIR dataset) is loaded with enter too; a recent path from the list.
	keys(a, "o", "tab", "up", "up", "enter")
	if len(opened) != 2 || opened[1] != filepath.Join("testdata/picker", "beir-mini") {
		t.Errorf("enter on a folder loaded %v", opened)
	}
	keys(a, "o", "down", "enter")
	if len(opened) != 3 || !strings.HasSuffix(opened[2], "squad.json") && opened[2] != "demo" {
		t.Errorf("recent pick loaded %v", opened)
	}
	// esc closes the chooser and keeps the dataset.
	keys(a, "o", "esc")
	if a.datasets.choosing {
		t.Error("esc did not close the chooser")
	}
}

func TestDatasetSplitChoice(t *testing.T) {
	a := newTestApp(t, Options{Engine: fakeEngine{evaluate: true}})
	drive(a, kp("1"))
	if got := a.evalSplitsFor(a.ws.Data); splitNames(got) != "dev + test" {
		t.Fatalf("default splits = %v", got)
	}
	drive(a, kp("s")) // train
	if got := splitNames(a.evalSplitsFor(a.ws.Data)); got != "train" {
		t.Errorf("after s: %s", got)
	}
	drive(a, kp("s"), kp("s")) // dev, test
	if got := splitNames(a.evalSplitsFor(a.ws.Data)); got != "test" {
		t.Errorf("after s s s: %s", got)
	}
	v := ansi.Strip(a.View())
	if !strings.Contains(v, "● test") || strings.Contains(v, "● dev") {
		t.Errorf("the chosen split is not marked:\n%s", v)
	}
	drive(a, kp("4"), kp("v"))
	for _, r := range a.metrics.rows() {
		if r.Split != "test" {
			t.Errorf("evaluated split %s, want only test", r.Split)
		}
	}
	drive(a, kp("1"), kp("s"))
	if got := splitNames(a.evalSplitsFor(a.ws.Data)); got != "dev + test" {
		t.Errorf("the choice does not cycle back: %s", got)
	}
}

// TestResizeNewViews checks the Runs pane (with runs and a comparison), the chooser and a
// wrapped error at every size: exactly the screen, never wider.
func TestResizeNewViews(t *testing.T) {
	a := pickerApp(t, Options{})
	wd, _ := os.Getwd()
	runsFixture(t)
	drive(a, kp("5"), kp("c"), kp("down"), kp("c"))
	os.Chdir(wd)
	a.setStatus(lvlErr, "%s", strings.Repeat("a long error that lists every supported format ", 12))
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {60, 20}, {132, 43}, {200, 60}} {
		drive(a, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		a.active = paneRuns
		checkSize(t, "runs "+sizeLabel(sz), a.View(), sz[0], sz[1])
		a.active = paneDatasets
		keys(a, "o")
		checkSize(t, "chooser "+sizeLabel(sz), a.View(), sz[0], sz[1])
		keys(a, "esc")
		a.setStatus(lvlErr, "%s", strings.Repeat("a long error that lists every supported format ", 12))
	}
}
