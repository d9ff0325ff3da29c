package lab

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arslab/arslab/engine/train"
)

// fakeRun writes a run folder as the engine does: config, state, metrics, weights.
func fakeRun(t *testing.T, dir string, step, total int, finished bool, losses []float64, dev []float64) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := train.DefaultConfig()
	write := func(name string, v any) {
		b, _ := json.Marshal(v)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("config.json", cfg)
	write("state.json", map[string]any{"step": step, "epoch": len(dev), "total_steps": total, "finished": finished, "elapsed_sec": 12.5})
	var lines []string
	for i, l := range losses {
		b, _ := json.Marshal(map[string]any{"kind": "step", "step": i + 1, "loss": l})
		lines = append(lines, string(b))
	}
	for e, v := range dev {
		b, _ := json.Marshal(map[string]any{"kind": "epoch", "epoch": e + 1, "dev": map[string]float64{"mrr@10": v}})
		lines = append(lines, string(b))
	}
	os.WriteFile(filepath.Join(dir, "metrics.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "model.safetensors"), []byte("x"), 0o644)
}

func TestListRunsReadsRunFolders(t *testing.T) {
	root := t.TempDir()
	fakeRun(t, filepath.Join(root, "a"), 10, 10, true, []float64{2, 1.5, 1}, []float64{0.2, 0.4, 0.3})
	fakeRun(t, filepath.Join(root, "b"), 4, 10, false, []float64{3, 2}, nil)
	os.MkdirAll(filepath.Join(root, "not-a-run"), 0o755)
	os.MkdirAll(filepath.Join(root, ".trash", "old"), 0o755)
	os.WriteFile(filepath.Join(root, ".trash", "old", "config.json"), []byte("{}"), 0o644)
	broken := filepath.Join(root, "broken")
	os.MkdirAll(broken, 0o755)
	os.WriteFile(filepath.Join(broken, "config.json"), []byte("{"), 0o644)
	writeRunData(filepath.Join(root, "a"), testData())
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(root, "a", "state.json"), old, old)

	runs, err := ListRuns(root, filepath.Join(root, "missing"), root)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 {
		t.Fatalf("got %d runs, want a, b, broken: %+v", len(runs), runs)
	}
	if runs[len(runs)-1].Name != "a" {
		t.Errorf("oldest run not last: %v, %v, %v", runs[0].Name, runs[1].Name, runs[2].Name)
	}
	by := map[string]RunInfo{}
	for _, r := range runs {
		by[r.Name] = r
	}
	a := by["a"]
	if !a.Finished || a.Step != 10 || a.Best != 0.4 || a.BestEpoch != 2 || len(a.Losses) != 3 || a.Data != "t" || a.Config.Preset == "" {
		t.Errorf("run a read as %+v", a)
	}
	if a.Resumable() || a.State() != "finished" {
		t.Errorf("finished run a: resumable %v state %s", a.Resumable(), a.State())
	}
	if b := by["b"]; !b.Resumable() || b.State() != "stopped" || b.BestEpoch != 0 {
		t.Errorf("stopped run b: %+v", b)
	}
	if br := by["broken"]; br.Err == "" || br.State() != "unreadable" {
		t.Errorf("broken run: %+v", br)
	}
}

func TestTrashRunMovesNotRemoves(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "r1")
	fakeRun(t, dir, 1, 2, false, []float64{1}, nil)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	dst, err := TrashRun(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if dst != filepath.Join(root, TrashDir, "r1") || !IsRunDir(dst) {
		t.Errorf("trashed to %s", dst)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("run folder still there: %v", err)
	}
	fakeRun(t, dir, 1, 2, false, []float64{1}, nil)
	dst2, err := TrashRun(dir, now)
	if err != nil || dst2 == dst || !IsRunDir(dst2) || !IsRunDir(dst) {
		t.Errorf("second trash of the same name: %s, %v", dst2, err)
	}
	runs, _ := ListRuns(root)
	if len(runs) != 0 {
		t.Errorf("trashed runs are listed: %+v", runs)
	}
	if _, err := TrashRun(filepath.Join(root, "nothing"), now); err == nil {
		t.Error("trashing a non-run folder succeeded")
	}
}

func TestResumeRunRefusesFinishedAndOtherData(t *testing.T) {
	root := t.TempDir()
	w := testWorkspace(t, testData())
	fin := filepath.Join(root, "fin")
	fakeRun(t, fin, 2, 2, true, nil, nil)
	if _, err := w.ResumeRun(t.Context(), fin); err == nil || !strings.Contains(err.Error(), "finished") {
		t.Errorf("resuming a finished run: %v", err)
	}
	other := filepath.Join(root, "other")
	fakeRun(t, other, 1, 2, false, nil, nil)
	os.WriteFile(filepath.Join(other, RunDataFile), []byte(`{"name":"squad","source":"x"}`), 0o644)
	if _, err := w.ResumeRun(t.Context(), other); err == nil || !strings.Contains(err.Error(), "squad") {
		t.Errorf("resuming a run of another dataset: %v", err)
	}
}
