package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/dense"
)

// toyTopics gives each pair distinctive words so a tiny model can overfit them.
var toyTopics = [][2]string{
	{"volcano lava eruption", "magma rises and the volcano erupts with hot lava"},
	{"penguin antarctic bird", "the penguin is a flightless bird living in antarctica"},
	{"violin string music", "a violin has four strings and plays classical music"},
	{"desert camel sand", "camels cross the sandy desert carrying water"},
	{"coffee bean roast", "roasted coffee beans are ground to brew coffee"},
	{"glacier ice melt", "the glacier ice melts slowly in the warm summer"},
	{"rocket launch orbit", "the rocket launches into orbit around the earth"},
	{"honey bee hive", "bees make honey inside the wooden hive"},
	{"chess king checkmate", "checkmate traps the king and ends the chess game"},
	{"tomato garden soil", "tomatoes grow in rich garden soil with sunshine"},
	{"whale ocean song", "the humpback whale sings songs in the deep ocean"},
	{"bread flour yeast", "bakers mix flour water and yeast to make bread"},
}

// toyDataset: 12 pairs, the train split doubling as dev split.
func toyDataset() *datasets.Dataset {
	ds := &datasets.Dataset{Name: "toy", Qrels: map[datasets.Split]datasets.Qrels{}}
	train := datasets.Qrels{}
	for i, tp := range toyTopics {
		qid, pid := fmt.Sprintf("q%02d", i), fmt.Sprintf("p%02d", i)
		ds.Queries = append(ds.Queries, datasets.Query{ID: qid, Text: tp[0]})
		ds.Passages = append(ds.Passages, datasets.Passage{ID: pid, Text: tp[1]})
		train[qid] = map[string]int{pid: 1}
	}
	ds.Qrels[datasets.Train] = train
	ds.Qrels[datasets.Dev] = train
	return ds
}

// tinyConfig is small enough for unit tests: short texts, few negatives.
func tinyConfig() Config {
	c := DefaultConfig()
	c.MaxLen = 16
	c.Vocab = 200
	c.Batch = 4
	c.Negatives = "hard:3"
	c.Epochs = 2
	c.LR = 1e-3
	c.Tau = 0.1
	c.Pseudo = 0 // step counts below are worked out for the labelled pairs alone
	return c
}

// collect runs training and returns its step losses and the final error.
func collect(t *testing.T, ctx context.Context, cfg Config, ds *datasets.Dataset, dir string, resume bool, hook func(*trainer)) ([]float64, []Event, error) {
	t.Helper()
	events := make(chan Event, 1024)
	tr := newTrainer(ctx, cfg, ds, dir, events)
	if hook != nil {
		hook(tr)
	}
	err := tr.run(resume)
	close(events)
	var losses []float64
	var all []Event
	for ev := range events {
		all = append(all, ev)
		if ev.Kind == StepEvent {
			losses = append(losses, ev.Loss)
		}
	}
	return losses, all, err
}

// TestOverfitToy: a dozen pairs, every other passage a negative; the ARS model must
// drive InfoNCE to ~0 and rank every positive first through Load + Index.
// (Mean pooling: with CLS pooling an encoder trained from scratch barely moves in 45 steps.)
func TestOverfitToy(t *testing.T) {
	cfg := tinyConfig()
	cfg.Pooling = "mean"
	cfg.Negatives = "hard:11"
	cfg.Epochs = 15
	cfg.LR = 2e-3
	cfg.Losses = map[string]float64{"infonce": 1, "dyn": 0.1, "reg": 1e-4}
	dir := filepath.Join(t.TempDir(), "overfit")
	losses, events, err := collect(t, context.Background(), cfg, toyDataset(), dir, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	var last Event
	for _, ev := range events {
		if ev.Kind == StepEvent {
			last = ev
		}
	}
	if nce := last.Terms["infonce"]; nce > 0.05 {
		t.Errorf("final InfoNCE %.4f (first step loss %.4f), want < 0.05", nce, losses[0])
	}
	if last.PosScore <= last.NegScore {
		t.Errorf("final mean σ(pos) %.3f ≤ σ(neg) %.3f", last.PosScore, last.NegScore)
	}
	m, err := dense.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Name() != "overfit" {
		t.Errorf("Name() = %q, want overfit", m.Name())
	}
	ix, err := m.Index(context.Background(), toyDataset().Passages, nil)
	if err != nil {
		t.Fatal(err)
	}
	top1 := 0
	for i, tp := range toyTopics {
		hits := ix.Search(tp[0], 3)
		if len(hits) == 3 && hits[0].Index == i {
			top1++
		}
		if len(hits) > 0 && (len(hits[0].Contrib) != dense.TopContrib || hits[0].Prob != sigmoid(hits[0].Score)) {
			t.Errorf("hit %+v: want %d contributions and Prob = σ(Score)", hits[0], dense.TopContrib)
		}
	}
	if top1 != len(toyTopics) {
		t.Errorf("Top-1 = %d/%d, want all", top1, len(toyTopics))
	}
	// Explain sums to the score (minus the bias c) and agrees with Search.
	hits := ix.Search(toyTopics[0][0], 1)
	ex, ok := ix.Explain(toyTopics[0][0], hits[0].Index)
	if !ok {
		t.Fatal("Explain failed")
	}
	score := ex.Score
	sum := float64(m.Head.C[0])
	for _, c := range ex.Terms {
		sum += c
	}
	if math.Abs(sum-score) > 1e-4 || math.Abs(score-hits[0].Score) > 1e-4 {
		t.Errorf("Explain: Σcontrib+c = %.5f, score %.5f, Search score %.5f", sum, score, hits[0].Score)
	}
	// Rerank orders the given candidates by the same scores.
	rr := ix.Rerank(toyTopics[0][0], []int{5, 0, 99, 3})
	if len(rr) != 3 || rr[0].Index != 0 {
		t.Errorf("Rerank: %+v, want 3 hits led by passage 0", rr)
	}
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// TestDeterministic: same config and data → identical losses.
func TestDeterministic(t *testing.T) {
	cfg := tinyConfig()
	a, _, err := collect(t, context.Background(), cfg, toyDataset(), filepath.Join(t.TempDir(), "a"), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := collect(t, context.Background(), cfg, toyDataset(), filepath.Join(t.TempDir(), "b"), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 6 || len(a) != len(b) {
		t.Fatalf("got %d and %d steps, want 6 (12 pairs / batch 4 × 2 epochs)", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("step %d: %v vs %v", i+1, a[i], b[i])
		}
	}
}

// TestResumeEquivalence: cancel after step 4 (mid-epoch 2), resume, and compare every
// later loss with an uninterrupted run, bit for bit.
func TestResumeEquivalence(t *testing.T) {
	for _, mode := range []string{"dual", "shared"} {
		t.Run(mode, func(t *testing.T) {
			cfg := tinyConfig()
			cfg.Mode = mode
			cfg.LearnTau = true
			full, _, err := collect(t, context.Background(), cfg, toyDataset(), filepath.Join(t.TempDir(), "full"), false, nil)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "resumed")
			ctx, cancel := context.WithCancel(context.Background())
			first, _, err := collect(t, ctx, cfg, toyDataset(), dir, false, func(tr *trainer) {
				tr.lossHook = func(step int, total float64) float64 {
					if step == 4 {
						cancel()
					}
					return total
				}
			})
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled run returned %v, want context.Canceled", err)
			}
			if len(first) != 4 {
				t.Fatalf("cancelled run did %d steps, want 4", len(first))
			}
			rest, _, err := collect(t, context.Background(), cfg, toyDataset(), dir, true, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := append(first, rest...)
			if len(got) != len(full) {
				t.Fatalf("resumed run did %d steps in all, uninterrupted %d", len(got), len(full))
			}
			for i := range full {
				if got[i] != full[i] {
					t.Errorf("step %d: resumed %v, uninterrupted %v", i+1, got[i], full[i])
				}
			}
			// A different config cannot resume the folder.
			other := cfg
			other.LR *= 2
			if _, _, err := collect(t, context.Background(), other, toyDataset(), dir, true, nil); err == nil || !strings.Contains(err.Error(), "lr") {
				t.Errorf("resume with another lr: got %v, want an error naming lr", err)
			}
		})
	}
}

// TestDivergenceKeepsCheckpoint: a NaN loss at step 5 stops the run with a clear
// error and leaves the checkpoint of epoch 1 (step 3) untouched.
func TestDivergenceKeepsCheckpoint(t *testing.T) {
	cfg := tinyConfig()
	dir := filepath.Join(t.TempDir(), "nan")
	_, events, err := collect(t, context.Background(), cfg, toyDataset(), dir, false, func(tr *trainer) {
		tr.lossHook = func(step int, total float64) float64 {
			if step == 5 {
				return math.NaN()
			}
			return total
		}
	})
	if err == nil || !strings.Contains(err.Error(), "step 5 diverged") || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("got %v, want a step-5 divergence error", err)
	}
	if done := events[len(events)-1]; done.Kind != DoneEvent || done.Err == nil {
		t.Errorf("last event %+v, want DoneEvent with the error", done)
	}
	st, rerr := ckpt.ReadState(dir)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if st.Step != 3 {
		t.Errorf("state.json after divergence: %+v, want step 3", st)
	}
	if _, err := dense.Load(dir); err != nil {
		t.Errorf("checkpoint kept after divergence does not load: %v", err)
	}
	// An absurd learning rate either trains or stops with the same kind of error,
	// never writes non-finite weights.
	cfg.LR = 1e6
	cfg.Clip = 0
	_, _, err = collect(t, context.Background(), cfg, toyDataset(), filepath.Join(t.TempDir(), "lr"), false, nil)
	if err != nil && !strings.Contains(err.Error(), "diverged") {
		t.Errorf("absurd lr: %v", err)
	}
}

func TestExistingRunNeedsResume(t *testing.T) {
	cfg := tinyConfig()
	cfg.Epochs = 1
	dir := filepath.Join(t.TempDir(), "run")
	if _, _, err := collect(t, context.Background(), cfg, toyDataset(), dir, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := collect(t, context.Background(), cfg, toyDataset(), dir, false, nil); err == nil {
		t.Error("training again into a finished run folder without resume: want an error")
	}
	if _, err := dense.Load(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), ckpt.ConfigFile) {
		t.Errorf("Load of a missing folder: %v, want an error naming %s", err, ckpt.ConfigFile)
	}
	cur, err := ckpt.Current(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cur, ckpt.WeightsFile), []byte("garbage!"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := dense.Load(dir); err == nil || !strings.Contains(err.Error(), ckpt.WeightsFile) {
		t.Errorf("Load with a corrupt weights file: %v, want an error naming %s", err, ckpt.WeightsFile)
	}
}

// TestTrainWithStd: a short training with the ARS paper's regulariser (std=0.1, its λ)
// and the l2 spelling of reg reports both terms every step, finite, and the step loss
// is infonce + 0.1·std + 1e-4·reg.
func TestTrainWithStd(t *testing.T) {
	cfg := tinyConfig()
	cfg.Negatives = "hard:3"
	cfg.Epochs = 1
	losses, err := ParseLosses("infonce,std=0.1,l2=1e-4")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Losses = losses
	_, events, err := collect(t, context.Background(), cfg, toyDataset(), filepath.Join(t.TempDir(), "std"), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for _, ev := range events {
		if ev.Kind != StepEvent {
			continue
		}
		steps++
		s, r := ev.Terms["std"], ev.Terms["reg"]
		if !(s > 0) || math.IsInf(s, 0) || !(r > 0) || math.IsInf(r, 0) {
			t.Fatalf("step %d terms %v: want finite positive std and reg", steps, ev.Terms)
		}
		want := ev.Terms["infonce"] + 0.1*s + 1e-4*r
		if math.Abs(ev.Loss-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("step %d loss %g, want infonce + 0.1·std + 1e-4·reg = %g", steps, ev.Loss, want)
		}
	}
	if steps == 0 {
		t.Fatal("no step events")
	}
}
