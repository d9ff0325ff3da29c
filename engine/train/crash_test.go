package train

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/ckpt"
)

// The crash tests: the real training runs in a child process (this test binary re-run
// with crashAtEnv set), which exits with status 137, as after kill -9, right after its n-th
// durable file write; the parent then checks that the run folder resumes from a consistent
// step, for every n.

const (
	crashAtEnv  = "ARSLAB_TEST_CRASH_AT"
	crashDirEnv = "ARSLAB_TEST_CRASH_DIR"
)

// crashConfig: 12 toy pairs, batch 4 → 3 steps an epoch, 2 epochs, a checkpoint after
// every step: 7 checkpoints (steps 1–6 and the final one), 5 writes each, after config.json
// and vocab.txt.
func crashConfig() (Config, Options) {
	return tinyConfig(), Options{CheckpointSteps: 1}
}

// TestCrashChild is the child process of TestKillBetweenWrites (skipped otherwise).
func TestCrashChild(t *testing.T) {
	at, err := strconv.Atoi(os.Getenv(crashAtEnv))
	if err != nil {
		t.Skip("run by TestKillBetweenWrites")
	}
	n := 0
	ckpt.AfterWrite = func(string) {
		if n++; n == at {
			os.Exit(137)
		}
	}
	cfg, opts := crashConfig()
	if err := RunWith(context.Background(), cfg, toyDataset(), os.Getenv(crashDirEnv), opts, nil); err != nil {
		t.Fatal(err)
	}
	os.Exit(3) // never reached write n
}

// write is one file write of a reference run: its path and the step the latest pointer
// names once it is done (-1 before the first checkpoint).
type write struct {
	path    string
	current int
}

// TestKillBetweenWrites kills a training after each of its file writes in turn (every
// pair of writes of every checkpoint) and checks that: the folder opens on a consistent
// checkpoint, the one the last completed pointer switch named (so a kill loses at most the
// checkpoint interval, here one step); a resume from it finishes; and the finished model
// equals the uninterrupted run's.
func TestKillBetweenWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a training per file write")
	}
	cfg, opts := crashConfig()
	refDir := filepath.Join(t.TempDir(), "ref")
	var writes []write
	cur := -1
	ckpt.AfterWrite = func(path string) {
		if filepath.Base(path) == ckpt.LatestFile {
			st, err := ckpt.ReadState(refDir)
			if err != nil {
				t.Errorf("after the pointer switch: %v", err)
			}
			cur = st.Step
		}
		writes = append(writes, write{path: strings.TrimPrefix(path, refDir+string(filepath.Separator)), current: cur})
	}
	err := RunWith(context.Background(), cfg, toyDataset(), refDir, opts, nil)
	ckpt.AfterWrite = nil
	if err != nil {
		t.Fatal(err)
	}
	if len(writes) != 2+7*5 {
		t.Fatalf("reference run made %d writes, want 37: %v", len(writes), writes)
	}
	ref := finalWeights(t, refDir)

	for n := 1; n <= len(writes); n++ {
		dir := filepath.Join(t.TempDir(), fmt.Sprintf("crash%02d", n))
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashAtEnv+"="+strconv.Itoa(n), crashDirEnv+"="+dir)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 137 {
			t.Fatalf("write %d: child ended with %v, want exit 137:\n%s", n, err, out)
		}
		want := writes[n-1].current
		_, st, err := ckpt.Open(dir)
		switch {
		case want < 0:
			if !errors.Is(err, ckpt.ErrNoCheckpoint) {
				t.Errorf("kill after write %d (%s), before any checkpoint: Open gives %v, want ErrNoCheckpoint", n, writes[n-1].path, err)
			}
		case err != nil:
			t.Errorf("kill after write %d (%s): %v", n, writes[n-1].path, err)
			continue
		case st.Step != want:
			t.Errorf("kill after write %d (%s): checkpoint at step %d, want %d", n, writes[n-1].path, st.Step, want)
		}
		if err := RunWith(context.Background(), cfg, toyDataset(), dir, Options{Resume: true, CheckpointSteps: 1}, nil); err != nil {
			t.Errorf("kill after write %d (%s): resume: %v", n, writes[n-1].path, err)
			continue
		}
		got := finalWeights(t, dir)
		if d := maxDiff(ref, got); d > 1e-5 {
			t.Errorf("kill after write %d (%s), resumed from step %d: final weights differ from the uninterrupted run's by %g",
				n, writes[n-1].path, want, d)
		}
		t.Logf("kill after write %2d %-34s → resumed from step %2d of 6, final weights match (max |Δ| %.1g)",
			n, writes[n-1].path, max(want, 0), maxDiff(ref, got))
	}
}

func finalWeights(t *testing.T, dir string) map[string][]float32 {
	t.Helper()
	cur, st, err := ckpt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Finished {
		t.Fatalf("%s: run not finished: %+v", dir, st)
	}
	ts, err := ckpt.ReadTensors(filepath.Join(cur, ckpt.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]float32{}
	for _, x := range ts {
		m[x.Name] = x.Data
	}
	return m
}

func maxDiff(a, b map[string][]float32) float64 {
	d := 0.0
	for k, x := range a {
		y := b[k]
		if len(y) != len(x) {
			return 1e9
		}
		for i := range x {
			d = max(d, abs64(float64(x[i]-y[i])))
		}
	}
	return d
}

func abs64(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestLegacyMixRefused: a run folder in the older flat layout whose weights are from
// another step than its state.json and optimiser (what a kill between two flat writes
// left) is refused by resume with an error naming each file's step; dense weights still
// load from the flat layout.
func TestLegacyMixRefused(t *testing.T) {
	cfg := tinyConfig()
	dir := filepath.Join(t.TempDir(), "legacy")
	mid := filepath.Join(t.TempDir(), "mid")
	if err := RunWith(context.Background(), cfg, toyDataset(), dir, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	cfg1 := cfg
	cfg1.Epochs = 1
	if err := RunWith(context.Background(), cfg1, toyDataset(), mid, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	// Flatten dir (the older layout): its state, optimiser and metrics from step 3 (mid's),
	// its weights from step 6.
	cur, _ := ckpt.Current(dir)
	midCur, _ := ckpt.Current(mid)
	for _, f := range []string{ckpt.StateFile, ckpt.OptimizerFile, ckpt.MetricsFile} {
		copyFile(t, filepath.Join(midCur, f), filepath.Join(dir, f))
	}
	copyFile(t, filepath.Join(cur, ckpt.WeightsFile), filepath.Join(dir, ckpt.WeightsFile))
	os.RemoveAll(cur)
	os.Remove(filepath.Join(dir, ckpt.LatestFile))
	// The saved state says epoch 1 of 1 finished; make it an unfinished 2-epoch run.
	st, err := ckpt.ReadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Finished, st.TotalSteps = false, 6
	if err := ckpt.WriteJSON(filepath.Join(dir, ckpt.StateFile), st); err != nil {
		t.Fatal(err)
	}
	err = RunWith(context.Background(), cfg, toyDataset(), dir, Options{Resume: true}, nil)
	if err == nil || !strings.Contains(err.Error(), "inconsistent") || !strings.Contains(err.Error(), "model.safetensors is from step 6") ||
		!strings.Contains(err.Error(), "state.json is at step 3") {
		t.Errorf("resume of a mixed flat checkpoint: %v, want a refusal naming the steps", err)
	} else {
		t.Log(err)
	}
	// Made consistent again (weights of step 3), the flat run resumes and moves to the new layout.
	copyFile(t, filepath.Join(midCur, ckpt.WeightsFile), filepath.Join(dir, ckpt.WeightsFile))
	if err := RunWith(context.Background(), cfg, toyDataset(), dir, Options{Resume: true}, nil); err != nil {
		t.Fatalf("resume of a consistent flat checkpoint: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ckpt.WeightsFile)); err == nil {
		t.Error("flat model.safetensors still there after the run moved to checkpoint folders")
	}
	if _, st, err := ckpt.Open(dir); err != nil || st.Step != 6 || !st.Finished {
		t.Errorf("after resuming the flat run: %+v, %v; want finished at step 6", st, err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
