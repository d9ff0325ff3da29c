package pretrain

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/train"
)

func demoPassages(t *testing.T) []datasets.Passage {
	t.Helper()
	d, err := datasets.Demo()
	if err != nil {
		t.Fatal(err)
	}
	return Passages(d)[:48]
}

// smallConfig is a few-second run: every objective, a 300-piece vocabulary, 32 tokens.
func smallConfig(steps int) Config {
	c := DefaultConfig()
	c.Vocab, c.MaxLen, c.Batch, c.Steps, c.BM25K, c.BM25Q = 300, 32, 4, steps, 4, 2
	return c
}

// weights reads a run folder's current model tensors by name.
func weights(t *testing.T, dir string) map[string][]float32 {
	t.Helper()
	cur, err := ckpt.Current(dir)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := ckpt.ReadTensors(filepath.Join(cur, ckpt.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]float32{}
	for _, x := range ts {
		out[x.Name] = x.Data
	}
	o, err := ckpt.ReadOptim(cur)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range o {
		out["optim:"+k] = v
	}
	return out
}

func sameWeights(t *testing.T, what string, a, b map[string][]float32) {
	t.Helper()
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%s: %d vs %d tensors", what, len(a), len(b))
	}
	for k, x := range a {
		y := b[k]
		if len(x) != len(y) {
			t.Fatalf("%s: %s has %d vs %d values", what, k, len(x), len(y))
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				t.Fatalf("%s: %s[%d] = %g vs %g", what, k, i, x[i], y[i])
			}
		}
	}
}

func collect(events chan train.Event) (steps []train.Event) {
	for ev := range events {
		if ev.Kind == train.StepEvent {
			steps = append(steps, ev)
		}
	}
	return steps
}

func runTo(t *testing.T, cfg Config, ps []datasets.Passage, dir string, opts Options) ([]train.Event, error) {
	t.Helper()
	ev := make(chan train.Event, 1024)
	err := Run(context.Background(), cfg, ps, dir, opts, ev)
	close(ev)
	return collect(ev), err
}

// TestRunDeterministicAndLoadable: two runs with one seed write bit-identical weights
// (model, MLM head, AdamW moments); another seed differs; the folder opens with
// dense.Load; every step reports the three objectives' finite losses.
func TestRunDeterministicAndLoadable(t *testing.T) {
	ps := demoPassages(t)
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	steps, err := runTo(t, smallConfig(4), ps, a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 4 {
		t.Fatalf("%d step events, want 4", len(steps))
	}
	for _, ev := range steps {
		for _, k := range []string{MLM, Crop, BM25} {
			if v, ok := ev.Terms[k]; !ok || !finite(v) || v <= 0 {
				t.Fatalf("step %d: term %s = %v (%v)", ev.Step, k, v, ok)
			}
		}
		if ev.ExamplesPerSec <= 0 || ev.Epochs != 1 || ev.TotalSteps != 4 {
			t.Fatalf("step event %+v", ev)
		}
	}
	// mlm starts near ln(vocab): uniform predictions over 300 pieces
	if v := steps[0].Terms[MLM]; math.Abs(v-math.Log(300)) > 0.5 {
		t.Errorf("first mlm loss %.3f, want ≈ ln 300 = %.3f", v, math.Log(300))
	}
	if _, err := runTo(t, smallConfig(4), ps, b, Options{}); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, "same seed", weights(t, a), weights(t, b))
	other := smallConfig(4)
	other.Seed = 7
	if _, err := runTo(t, other, ps, c, Options{}); err != nil {
		t.Fatal(err)
	}
	wa, wc := weights(t, a), weights(t, c)
	if math.Float32bits(wa["encoder.layer0.attn.q.w"][0]) == math.Float32bits(wc["encoder.layer0.attn.q.w"][0]) {
		t.Error("another seed gave the same weights")
	}
	m, err := dense.Load(a)
	if err != nil {
		t.Fatalf("dense.Load: %v", err)
	}
	if m.Arch.Head != "dot" || m.Arch.Tau != 1 || !m.Shared() {
		t.Errorf("loaded arch %+v", m.Arch)
	}
	for _, p := range m.Params() {
		if strings.HasPrefix(p.Name, "mlm.") {
			t.Errorf("model.safetensors holds MLM tensor %s", p.Name)
		}
	}
	if _, ok := wa["optim:mlm.dense.w"]; !ok {
		t.Error("the MLM head is not in the checkpoint's optimizer file")
	}
	st, err := ckpt.ReadState(mustCurrent(t, a))
	if err != nil || !st.Finished || st.Step != 4 {
		t.Errorf("state %+v, %v", st, err)
	}
	// a second run into the folder is refused
	if _, err := runTo(t, smallConfig(4), ps, a, Options{}); err == nil || !strings.Contains(err.Error(), "already holds a model") {
		t.Errorf("second run into a finished folder: %v", err)
	}
}

func mustCurrent(t *testing.T, dir string) string {
	cur, err := ckpt.Current(dir)
	if err != nil {
		t.Fatal(err)
	}
	return cur
}

// TestResumeEqualsUninterrupted: 6 steps in one go and 3 + (cancel, checkpoint) + resume
// to 6 end with bit-identical weights, MLM heads and AdamW moments — for shared and dual
// encoders, dot and ARS heads.
func TestResumeEqualsUninterrupted(t *testing.T) {
	ps := demoPassages(t)
	for _, v := range []struct{ mode, head string }{{"shared", "dot"}, {"dual", "ars"}} {
		cfg := smallConfig(6)
		cfg.Mode, cfg.Head = v.mode, v.head
		dir := t.TempDir()
		full, part := filepath.Join(dir, "full"), filepath.Join(dir, "part")
		if _, err := runTo(t, cfg, ps, full, Options{}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		tr := newTrainer(ctx, cfg, ps, part, Options{}, nil)
		tr.start = tr.now()
		tr.lossHook = func(step int, _ map[string]float64) {
			if step == 3 {
				cancel() // the step still finishes; the loop then stops with a checkpoint
			}
		}
		if err := tr.run(); !errors.Is(err, context.Canceled) {
			t.Fatalf("%s/%s: cancelled run returned %v", v.mode, v.head, err)
		}
		cancel()
		if st, _ := ckpt.ReadState(mustCurrent(t, part)); st.Step != 3 || st.Finished {
			t.Fatalf("%s/%s: checkpoint after cancel at %+v", v.mode, v.head, st)
		}
		steps, err := runTo(t, cfg, ps, part, Options{Resume: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(steps) != 3 || steps[0].Step != 4 {
			t.Fatalf("%s/%s: resumed steps %d from %d", v.mode, v.head, len(steps), steps[0].Step)
		}
		sameWeights(t, v.mode+"/"+v.head+" resumed", weights(t, full), weights(t, part))
		// resuming with another config is refused, naming the file
		other := cfg
		other.LR *= 2
		if _, err := runTo(t, other, ps, part, Options{Resume: true}); err == nil || !strings.Contains(err.Error(), "config differs") {
			t.Errorf("resume with another lr: %v", err)
		}
	}
}

// TestNaNStops: a NaN objective at step 3 stops the run with an error naming the step,
// before the weights change: the checkpoint of step 2 is the latest one and equals a
// 2-step run's... of the same 3-step schedule.
func TestNaNStops(t *testing.T) {
	ps := demoPassages(t)
	dir := t.TempDir()
	cfg := smallConfig(3)
	tr := newTrainer(context.Background(), cfg, ps, filepath.Join(dir, "nan"), Options{CheckpointSteps: 1}, nil)
	tr.start = tr.now()
	var before map[string][]float32
	tr.lossHook = func(step int, terms map[string]float64) {
		if step == 3 {
			terms[Crop] = math.NaN()
			before = map[string][]float32{}
			for _, p := range tr.m.Params() {
				before[p.Name] = append([]float32(nil), p.W...)
			}
		}
	}
	err := tr.run()
	if err == nil || !strings.Contains(err.Error(), "step 3 diverged") || !strings.Contains(err.Error(), "last good checkpoint") {
		t.Fatalf("NaN run returned %v", err)
	}
	after := map[string][]float32{}
	for _, p := range tr.m.Params() {
		after[p.Name] = p.W
	}
	sameWeights(t, "weights after the NaN step", before, after)
	st, _ := ckpt.ReadState(mustCurrent(t, filepath.Join(dir, "nan")))
	if st.Step != 2 || st.Finished {
		t.Errorf("latest checkpoint %+v, want step 2", st)
	}
}

// TestTimeBudget: a budget stops at a step boundary with a resumable checkpoint (a fake
// clock advancing one second per reading makes the stopping step deterministic).
func TestTimeBudget(t *testing.T) {
	ps := demoPassages(t)
	dir := filepath.Join(t.TempDir(), "b")
	clock := fakeClock()
	steps, err := runTo(t, smallConfig(50), ps, dir, Options{Budget: 40e9, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := ckpt.ReadState(mustCurrent(t, dir))
	if st.Finished || st.Step != len(steps) || st.Step == 0 || st.Step >= 50 || st.ElapsedSec < 40 {
		t.Errorf("after the budget: %d steps, state %+v", len(steps), st)
	}
}
