// Package cross is a cross-encoder reranker (as the ARM Arabic reranker card): the lab's
// encoder reads a query and a passage together, [CLS] query [SEP] passage [SEP] with token
// types 0…0 1…1, and a linear head on the pooled vector gives one relevance logit s, with
// σ(s) ∈ [0, 1] as its relevance. It is trained on positives and hard negatives (BM25-mined
// by default, or a reranking set's own candidate groups) with pointwise BCE or listwise
// softmax cross-entropy (engine/head/cross.go), and reranks a first stage's top k at query
// time. Saliency (gradient × input on the token embeddings) says which query and passage
// tokens drive a logit.
//
// A run folder is the lab's (engine/ckpt): config.json (Config, "kind": "cross"), vocab.txt,
// model.safetensors (encoder "encoder.*", head "head.w", "head.b"), state.json, metrics.jsonl.
package cross

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"slices"
	"sync"

	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/tok"
)

// Kind marks a cross-encoder run folder in config.json.
const Kind = "cross"

// Config defines a cross-encoder run. It is saved as config.json.
type Config struct {
	Kind     string `json:"kind"`      // always "cross"
	Preset   string `json:"preset"`    // "tiny" | "mini"
	Pooling  string `json:"pooling"`   // "cls" | "mean"
	MaxLen   int    `json:"max_len"`   // tokens per pair, [CLS]/[SEP]s included
	MaxQuery int    `json:"max_query"` // tokens of the query part at most ([CLS] q [SEP]); the passage gets the rest
	Loss     string `json:"loss"`      // "bce" | "listwise"
	// Negatives is k, the hard negatives per positive on a retrieval set (BM25-mined after the
	// dataset's own); a reranking set's groups are its candidates.
	Negatives    int     `json:"negatives"`
	Split        string  `json:"split"`               // split trained on
	DevSplit     string  `json:"dev_split,omitempty"` // reranking sets: per-group metrics of this split at each epoch end
	Epochs       int     `json:"epochs"`
	Batch        int     `json:"batch"` // groups (query + its candidates) per step
	LR           float64 `json:"lr"`
	WeightDecay  float64 `json:"weight_decay"`
	Warmup       float64 `json:"warmup"`
	Clip         float64 `json:"clip"`
	Vocab        int     `json:"vocab"`                   // WordPiece size when trained in-process
	TokenizerDir string  `json:"tokenizer_dir,omitempty"` // load the vocabulary from here instead
	// Init is a run folder whose encoder starts this one (a dual-encoder run of the lab, or
	// another cross-encoder): its tokenizer and every tensor of matching name and shape
	// (positions: the first rows). Empty: from scratch.
	Init string `json:"init,omitempty"`
	Seed int64  `json:"seed"`
	// Pseudo adds this many self-supervised pseudo-queries per passage of the training corpus
	// (retrieval sets): a random span of 4–12 of its words, the passage as positive, BM25
	// negatives, as the dual-encoder trainer's --pseudo. From scratch, a cross-encoder on a few
	// hundred labelled pairs learns passage identities rather than matching; crops teach matching.
	Pseudo int `json:"pseudo,omitempty"`
}

// DefaultConfig: tiny encoder, mean pooling (from scratch, CLS pooling learnt nothing in
// this lab's dual-encoder measurements), 256 tokens with the query capped at 64, listwise
// loss over 1 positive + 7 BM25 negatives, 2 epochs.
func DefaultConfig() Config {
	return Config{Kind: Kind, Preset: "tiny", Pooling: "mean", MaxLen: 256, MaxQuery: 64, Loss: string(head.Listwise),
		Negatives: 7, Split: "train", Epochs: 2, Batch: 8, LR: 5e-4, WeightDecay: 0.01, Warmup: 0.1, Clip: 1,
		Vocab: 8000, Seed: 42}
}

// Validate reports the first problem, naming the field.
func (c Config) Validate() error {
	switch {
	case c.Kind != Kind:
		return fmt.Errorf("kind %q: want %q", c.Kind, Kind)
	case c.Preset != "tiny" && c.Preset != "mini":
		return fmt.Errorf("preset %q: want tiny or mini", c.Preset)
	case c.Pooling != "cls" && c.Pooling != "mean":
		return fmt.Errorf("pooling %q: want cls or mean", c.Pooling)
	case c.MaxLen < 8:
		return fmt.Errorf("max_len %d: want ≥ 8", c.MaxLen)
	case c.MaxQuery < 3 || c.MaxQuery > c.MaxLen-3:
		return fmt.Errorf("max_query %d: want 3 … max_len−3 (%d)", c.MaxQuery, c.MaxLen-3)
	case c.Pseudo < 0:
		return fmt.Errorf("pseudo %d: want ≥ 0", c.Pseudo)
	case c.Negatives < 0:
		return fmt.Errorf("negatives %d: want ≥ 0", c.Negatives)
	case c.Epochs < 1:
		return fmt.Errorf("epochs %d: want ≥ 1", c.Epochs)
	case c.Batch < 1:
		return fmt.Errorf("batch %d: want ≥ 1", c.Batch)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("lr %g: want a positive number", c.LR)
	case c.Warmup < 0 || c.Warmup >= 1:
		return fmt.Errorf("warmup %g: want [0, 1)", c.Warmup)
	}
	if _, err := head.ParseCrossLoss(c.Loss); err != nil {
		return err
	}
	return nil
}

// Model is a cross-encoder: tokenizer, encoder with token types, linear relevance head.
// Score and Logits may run from several goroutines; Saliency is serialised.
type Model struct {
	Dir string
	Cfg Config
	Tok *tok.Tokenizer
	Enc *nn.Encoder
	W   *nn.Param // head.w (Hidden)
	B   *nn.Param // head.b (1)

	mu sync.Mutex // Saliency uses the encoder's gradient buffers
}

// New builds a seeded model around tk.
func New(cfg Config, tk *tok.Tokenizer) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ncfg, err := nn.Preset(cfg.Preset, tk.VocabSize(), cfg.MaxLen)
	if err != nil {
		return nil, err
	}
	ncfg.Pooling, ncfg.TypeVocab = cfg.Pooling, 2
	enc, err := nn.NewEncoder(ncfg, cfg.Seed)
	if err != nil {
		return nil, err
	}
	H := ncfg.Hidden
	m := &Model{Cfg: cfg, Tok: tk, Enc: enc,
		W: &nn.Param{Name: "head.w", Shape: []int{H}, W: make([]float32, H), G: make([]float32, H)},
		B: &nn.Param{Name: "head.b", Shape: []int{1}, W: make([]float32, 1), G: make([]float32, 1), NoDecay: true}}
	rng := rand.New(rand.NewSource(cfg.Seed + 2))
	for i := range m.W.W {
		m.W.W[i] = float32(rng.NormFloat64() / math.Sqrt(float64(H)))
	}
	return m, nil
}

// IsRun reports whether dir holds a cross-encoder run (config.json with kind "cross").
func IsRun(dir string) bool {
	var c struct {
		Kind string `json:"kind"`
	}
	return ckpt.ReadJSON(filepath.Join(dir, ckpt.ConfigFile), &c) == nil && c.Kind == Kind
}

// Load reads a cross-encoder run folder.
func Load(dir string) (*Model, error) {
	var cfg Config
	if err := ckpt.ReadJSON(filepath.Join(dir, ckpt.ConfigFile), &cfg); err != nil {
		return nil, fmt.Errorf("load cross-encoder: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("load cross-encoder: %s: %w", ckpt.ConfigFile, err)
	}
	tk, err := tok.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("load cross-encoder: tokenizer in %s: %w", dir, err)
	}
	m, err := New(cfg, tk)
	if err != nil {
		return nil, err
	}
	cur, err := ckpt.Current(dir)
	if err != nil {
		return nil, fmt.Errorf("load cross-encoder: %w", err)
	}
	if err := ckpt.LoadParams(filepath.Join(cur, ckpt.WeightsFile), m.Params()); err != nil {
		return nil, fmt.Errorf("load cross-encoder: %w", err)
	}
	m.Dir = dir
	return m, nil
}

// Name is the run folder's base name.
func (m *Model) Name() string { return filepath.Base(m.Dir) }

// Params lists every tensor under its checkpoint name ("encoder.*", "head.w", "head.b").
func (m *Model) Params() []*nn.Param {
	var ps []*nn.Param
	for _, p := range m.Enc.Params() {
		ps = append(ps, &nn.Param{Name: "encoder." + p.Name, Shape: p.Shape, W: p.W, G: p.G, NoDecay: p.NoDecay})
	}
	return append(ps, m.W, m.B)
}

// initFrom copies the encoder tensors of the run folder dir whose names and shapes match
// ("encoder.X" or "query.X" → X; position embeddings: the rows both have) and reports how
// many it copied.
func (m *Model) initFrom(dir string) (int, error) {
	cur, err := ckpt.Current(dir)
	if err != nil {
		return 0, err
	}
	ts, err := ckpt.ReadTensors(filepath.Join(cur, ckpt.WeightsFile))
	if err != nil {
		return 0, err
	}
	byName := map[string]ckpt.Tensor{}
	for _, t := range ts {
		byName[t.Name] = t
	}
	n := 0
	for _, p := range m.Enc.Params() {
		t, ok := byName["encoder."+p.Name]
		if !ok {
			t, ok = byName["query."+p.Name]
		}
		if !ok {
			continue
		}
		switch {
		case slices.Equal(t.Shape, p.Shape):
			copy(p.W, t.Data)
		case p.Name == "emb.pos" && len(t.Shape) == 2 && t.Shape[1] == p.Shape[1]:
			copy(p.W, t.Data) // the first min(rows) positions
		default:
			return n, fmt.Errorf("init %s: tensor %s has shape %v, want %v", dir, t.Name, t.Shape, p.Shape)
		}
		n++
	}
	if n == 0 {
		return 0, fmt.Errorf("init %s: no encoder tensor matches", dir)
	}
	return n, nil
}

// PairIDs tokenises a (query, passage) pair: [CLS] query [SEP] passage [SEP] and the token
// types (0 for [CLS] query [SEP], 1 for passage [SEP]). The query keeps up to MaxQuery
// tokens; the passage is cut to fit MaxLen, so a long passage never pushes the query out.
func (m *Model) PairIDs(query, title, body string) (ids, types []int) {
	q := m.Tok.Encode(dense.Normalize(query), "", m.Cfg.MaxQuery)
	s := body
	if title != "" {
		s = title + " " + body
	}
	room := m.Cfg.MaxLen - len(q) + 1 // the passage's own [CLS] is dropped
	p := m.Tok.Encode(dense.Normalize(s), "", room)
	ids = make([]int, 0, len(q)+len(p)-1)
	ids = append(append(ids, q...), p[1:]...)
	types = make([]int, len(ids))
	for i := len(q); i < len(ids); i++ {
		types[i] = 1
	}
	return ids, types
}

// Pair is one tokenised (query, passage) input.
type Pair struct{ IDs, Types []int }

// logits runs the encoder on pairs (no cache) and applies the head.
func (m *Model) logits(pairs []Pair) ([]float64, error) {
	ids, types := make([][]int, len(pairs)), make([][]int, len(pairs))
	for i, p := range pairs {
		ids[i], types[i] = p.IDs, p.Types
	}
	pooled, err := m.Enc.EncodeTyped(ids, types)
	if err != nil {
		return nil, err
	}
	return m.head(pooled, len(pairs)), nil
}

// head is w·pooled + b for each row.
func (m *Model) head(pooled []float32, n int) []float64 {
	H := len(m.W.W)
	out := make([]float64, n)
	for i := range out {
		s := float64(m.B.W[0])
		for j, v := range pooled[i*H : (i+1)*H] {
			s += float64(v) * float64(m.W.W[j])
		}
		out[i] = s
	}
	return out
}

// ScoreBatch is how many pairs one encoder call scores.
const ScoreBatch = 32

// Logits scores pairs in batches of ScoreBatch.
func (m *Model) Logits(pairs []Pair) ([]float64, error) {
	out := make([]float64, 0, len(pairs))
	for i := 0; i < len(pairs); i += ScoreBatch {
		l, err := m.logits(pairs[i:min(i+ScoreBatch, len(pairs))])
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	return out, nil
}

// Score gives the logit of query against each passage (title, body).
func (m *Model) Score(query string, passages [][2]string) ([]float64, error) {
	pairs := make([]Pair, len(passages))
	for i, p := range passages {
		ids, types := m.PairIDs(query, p[0], p[1])
		pairs[i] = Pair{ids, types}
	}
	return m.Logits(pairs)
}

// Token is one input token's share of a logit.
type Token struct {
	Text     string  `json:"text"`
	Segment  int     `json:"segment"`  // 0 query, 1 passage
	Saliency float64 `json:"saliency"` // gradient × input: Σⱼ ∂s/∂xⱼ · xⱼ
}

// Saliency explains the logit of one pair by gradient × input on the summed input
// embeddings x = token + position + type of every token (Σⱼ ∂s/∂xⱼ·xⱼ, signed: positive
// pushes the logit up). Special tokens ([CLS], [SEP]) are included with their segment.
func (m *Model) Saliency(query, title, body string) (logit float64, toks []Token, err error) {
	ids, types := m.PairIDs(query, title, body)
	m.mu.Lock()
	defer m.mu.Unlock()
	pooled, cache, err := m.Enc.ForwardTyped([][]int{ids}, [][]int{types})
	if err != nil {
		return 0, nil, err
	}
	logit = m.head(pooled, 1)[0]
	dx, x, err := m.Enc.BackwardInput(cache, append([]float32(nil), m.W.W...))
	nn.ZeroGrad(m.Enc.Params())
	if err != nil {
		return 0, nil, err
	}
	H := len(m.W.W)
	toks = make([]Token, len(ids))
	for r, id := range ids {
		var s float64
		for j := 0; j < H; j++ {
			s += float64(dx[r*H+j]) * float64(x[r*H+j])
		}
		t, _ := m.Tok.Token(id)
		toks[r] = Token{Text: t, Segment: types[r], Saliency: s}
	}
	return logit, toks, nil
}

// errNoGroups is returned when the training split yields nothing to learn from.
var errNoGroups = errors.New("cross: no training group has a relevant and a non-relevant candidate")
