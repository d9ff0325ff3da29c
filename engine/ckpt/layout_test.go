package ckpt

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/nn"
)

func save(t *testing.T, dir string, step int, w float32) {
	t.Helper()
	c := Checkpoint{
		Weights: []*nn.Param{{Name: "w", Shape: []int{1}, W: []float32{w}}},
		Optim:   []*nn.Param{{Name: "m.w", Shape: []int{1}, W: []float32{w / 2}}},
		Metrics: [][]byte{[]byte(`{"kind":"step","step":` + itoa(step) + `}`)},
		State:   State{Step: step},
	}
	if err := Save(dir, c); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestCheckpointFolders: no checkpoint is ErrNoCheckpoint; each Save makes a new folder
// current through the latest pointer and removes the older ones; saving one step twice
// gets a second folder; Open refuses a folder whose files disagree on the step and a
// pointer to a missing folder; the older flat layout is read in place.
func TestCheckpointFolders(t *testing.T) {
	dir := t.TempDir()
	if _, err := Current(dir); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("empty run folder: %v, want ErrNoCheckpoint", err)
	}
	if HasWeights(dir) || HasState(dir) {
		t.Error("empty run folder reported a checkpoint")
	}
	save(t, dir, 5, 1)
	save(t, dir, 10, 2)
	save(t, dir, 10, 3)
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "ckpt-000010-2 latest" {
		t.Errorf("run folder holds %v, want the last checkpoint folder and the pointer", names)
	}
	cur, st, err := Open(dir)
	if err != nil || st.Step != 10 || filepath.Base(cur) != "ckpt-000010-2" || !HasWeights(dir) || !HasState(dir) {
		t.Fatalf("Open: %q %+v %v", cur, st, err)
	}
	// A stale optimizer file (step 5) in the current folder: refused, naming both steps.
	opt := []*nn.Param{{Name: "m.w", Shape: []int{1}, W: []float32{0}}}
	if err := SaveParams(filepath.Join(cur, OptimizerFile), opt, map[string]string{"step": "5"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "optimizer.safetensors is from step 5") ||
		!strings.Contains(err.Error(), "state.json is at step 10") {
		t.Errorf("mixed checkpoint: %v, want a refusal naming the steps", err)
	}
	if err := WriteFile(filepath.Join(dir, LatestFile), []byte("ckpt-000099\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := Current(dir); err == nil || errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("pointer to a missing folder: %v, want an error", err)
	}
	if err := WriteFile(filepath.Join(dir, LatestFile), []byte("../elsewhere\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := Current(dir); err == nil {
		t.Error("pointer outside the run folder: want an error")
	}

	// The older flat layout: files beside config.json, no pointer.
	flat := t.TempDir()
	for _, f := range []string{WeightsFile, OptimizerFile, MetricsFile, StateFile} {
		b, err := os.ReadFile(filepath.Join(cur, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == OptimizerFile {
			b, _ = os.ReadFile(filepath.Join(cur, WeightsFile)) // same step (10) as the weights
		}
		if err := os.WriteFile(filepath.Join(flat, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if c, st, err := Open(flat); err != nil || c != flat || st.Step != 10 {
		t.Errorf("flat layout: %q %+v %v", c, st, err)
	}
	save(t, flat, 11, 4) // the first save moves it to checkpoint folders
	if _, err := os.Stat(filepath.Join(flat, WeightsFile)); err == nil {
		t.Error("flat weights left after the run moved to checkpoint folders")
	}
	if _, st, err := Open(flat); err != nil || st.Step != 11 {
		t.Errorf("after the move: %+v %v", st, err)
	}
}
