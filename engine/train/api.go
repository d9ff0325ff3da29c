package train

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
)

// errNotReady is returned by bodies still being written.
var errNotReady = errors.New("train: not implemented yet")

// DefaultConfig: tiny encoder, ARS head, InfoNCE + 0.5·dyn + 1e-4·reg, τ = 0.05, 29 hard
// negatives as in the ARS paper. Three choices differ from the paper because it starts from
// pre-trained encoders and we train from scratch; each was measured on the demo set:
//   - mode shared (one encoder, [Q]/[P] prefixes, as the Vietnamese paper): with two encoders
//     identical words start with unrelated embeddings and dev Top-10 stayed at chance;
//   - pooling mean: a CLS-pooled ARS model stayed at chance even on an overfit set;
//   - one cropped pseudo-query per passage (Pseudo = 1), so every passage is seen as a positive.
//
// Set Mode "dual", Pooling "cls", Pseudo 0 to follow the ARS paper exactly.
func DefaultConfig() Config {
	return Config{
		Preset: "tiny", Mode: "shared", Pooling: "mean", Head: "ars", H: 0,
		Losses: map[string]float64{"infonce": 1, "dyn": 0.5, "reg": 1e-4},
		Tau:    0.05, Negatives: "hard:29",
		Epochs: 3, Batch: 8, LR: 5e-4, WeightDecay: 0.01, Warmup: 0.1, Clip: 1.0,
		MaxLen: 128, Vocab: 8000, Seed: 42, Pseudo: 1,
	}
}

// Validate reports the first problem in c with a message naming the field.
func (c Config) Validate() error {
	return validate(c)
}

// ParseLosses parses "infonce,dyn,reg" (weight 1 each) or "infonce=1,dyn=0.5".
func ParseLosses(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, hasVal := strings.Cut(part, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !knownLoss(name) {
			return nil, fmt.Errorf("unknown loss %q (want infonce, modinfonce, dyn, reg)", name)
		}
		w := 1.0
		if hasVal {
			v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			if err != nil {
				return nil, fmt.Errorf("loss %q weight %q: %w", name, val, err)
			}
			if v < 0 {
				return nil, fmt.Errorf("loss %q weight %g is negative", name, v)
			}
			w = v
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("loss %q given twice", name)
		}
		out[name] = w
	}
	if len(out) == 0 {
		return nil, errors.New("no loss terms given")
	}
	return out, nil
}

func knownLoss(name string) bool {
	switch name {
	case "infonce", "modinfonce", "dyn", "reg":
		return true
	}
	return false
}

// NegativeSpec is a parsed Config.Negatives value.
type NegativeSpec struct {
	Hard    int  // hard negatives per query (0 when none)
	InBatch bool // other queries' positives are negatives
}

// ParseNegatives parses "hard:K", "inbatch" or "both" ("both:K" sets K; plain "both" uses 29).
func ParseNegatives(s string) (NegativeSpec, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "inbatch":
		return NegativeSpec{InBatch: true}, nil
	case s == "both":
		return NegativeSpec{Hard: 29, InBatch: true}, nil
	case strings.HasPrefix(s, "hard:") || strings.HasPrefix(s, "both:"):
		kind, num, _ := strings.Cut(s, ":")
		k, err := strconv.Atoi(num)
		if err != nil || k < 1 {
			return NegativeSpec{}, fmt.Errorf("negatives %q: K must be a positive integer", s)
		}
		return NegativeSpec{Hard: k, InBatch: kind == "both"}, nil
	}
	return NegativeSpec{}, fmt.Errorf("negatives %q: want hard:K, inbatch or both", s)
}

// Run trains on ds's train split, writing checkpoints to outDir (config.json, vocab.txt,
// model.safetensors, optimizer.safetensors, state.json, metrics.jsonl — each written
// atomically, at every epoch end, on cancel and at the end). events may be nil; Run
// never closes it and blocks on a full channel only while ctx is live (after a cancel,
// pending events are dropped and the DoneEvent waits at most a second). Cancelling ctx
// stops after the current step, checkpoints and returns ctx.Err(). A NaN/Inf loss or
// gradient stops the run with an error before the weights change, so the last
// checkpoint stays good. resume continues the checkpoint in outDir (same Config
// required); without resume an outDir holding a model is refused.
//
// Negatives: "hard:K" scores each query against its positive and K hard negatives
// (ds.HardNegatives first, then BM25-mined ones excluding all the query's positives,
// then seeded random passages; K is capped at corpus size − 1, missing ones masked).
// "inbatch" uses the other queries' positives; "both" scores every query against all
// B positives and all B·K hard negatives of the batch. Candidates that are positives
// of the query are masked out.
func Run(ctx context.Context, cfg Config, ds *datasets.Dataset, outDir string, resume bool, events chan<- Event) error {
	return run(ctx, cfg, ds, outDir, resume, events)
}

// Model is a trained retriever loaded from a run folder.
type Model struct {
	dir string
	cfg Config
	m   *model
}

// Load reads a run folder written by Run.
func Load(dir string) (*Model, error) { return load(dir) }

// Name is the run folder's base name.
func (m *Model) Name() string { return filepath.Base(m.dir) }

// Config is the run's configuration.
func (m *Model) Config() Config { return m.cfg }

// Index encodes passages in batches and caches what search needs.
func (m *Model) Index(ctx context.Context, passages []datasets.Passage, progress engine.Progress) (*Index, error) {
	return m.index(ctx, passages, progress)
}

var (
	_ engine.Retriever = (*Index)(nil)
	_ engine.Reranker  = (*Index)(nil)
)
