// Package train trains a dense retriever (engine/dense: encoders and a scoring head)
// and emits progress events. Run is the entry point; a run folder it writes is read
// back at query time by dense.Load, without this package.
package train

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/text"
)

// Config is everything that defines a training run. It is saved as config.json in the run folder.
type Config struct {
	Preset       string             `json:"preset"`              // "tiny" | "mini" | "custom" (from Init)
	Mode         string             `json:"mode"`                // "dual" (two encoders) | "shared" (one encoder, query/passage prefix)
	Pooling      string             `json:"pooling"`             // "cls" | "mean"
	Head         string             `json:"head"`                // "ars" | "dot" | "cos"
	H            int                `json:"h"`                   // ARS interaction size; 0 = encoder hidden size
	HeadInit     string             `json:"head_init,omitempty"` // ARS initialisation: "" / "sym" or "linear" (dense.Arch.HeadInit)
	Losses       map[string]float64 `json:"losses"`              // term → weight: "infonce", "modinfonce", "dyn", "reg" (L2; --loss also takes "l2"), "std" (the ARS paper's spread regulariser)
	Tau          float64            `json:"tau"`                 // InfoNCE temperature
	LearnTau     bool               `json:"learn_tau"`           // learn log τ
	Negatives    string             `json:"negatives"`           // "hard:K" | "inbatch" | "both"
	Epochs       int                `json:"epochs"`
	Batch        int                `json:"batch"` // queries per step
	LR           float64            `json:"lr"`
	WeightDecay  float64            `json:"weight_decay"`
	Warmup       float64            `json:"warmup"`                  // fraction of steps for linear warm-up
	Clip         float64            `json:"clip"`                    // max global gradient norm; 0 = off
	MaxLen       int                `json:"max_len"`                 // tokens per text, [CLS]/[SEP] included
	Vocab        int                `json:"vocab"`                   // WordPiece vocabulary size when trained in-process
	TokenizerDir string             `json:"tokenizer_dir,omitempty"` // load vocab.txt/tokenizer.json from here instead
	Seed         int64              `json:"seed"`
	// Pseudo adds this many self-supervised pseudo-queries per passage (a random span of 4–12 of its
	// words, the passage as positive; ICT/Contriever-style cropping). Encoders trained from scratch
	// on a few hundred labelled pairs memorise their positives; cropped pairs teach matching itself.
	Pseudo int `json:"pseudo,omitempty"`
	// Init starts the encoders from a pre-trained checkpoint: a Hugging Face BERT folder
	// (engine/hf) or a lab run folder; both towers of a dual model start from it. ApplyInit
	// fills Preset "custom", Encoder and Text from it; the head starts fresh (seeded).
	Init string `json:"init,omitempty"`
	// Residual (λ ≥ 0; 0 = off) trains the dense model on the residual of BM25, as CLEAR
	// does (Gao et al., "Complement Lexical Retrieval Model with Semantic Residual
	// Embeddings", ECIR 2021): each InfoNCE/ModInfoNCE logit gets the fixed prior
	// λ·BM25(q, c)/max_p BM25(q, p), the candidate's BM25 score over the query's best in the
	// corpus, so the softmax is over a hybrid score and the encoders learn what BM25 gets
	// wrong. Use the model in a fusion with BM25 (fuse:wsum:bm25+runs/X). Needs hard:K
	// negatives (the prior is computed once per example, for its own candidates).
	Residual float64 `json:"residual,omitempty"`
	// Analyzer is the BM25 analyzer (text.ParseAnalyzer spec, e.g. "stem=ar") of the hard
	// negative mining and of Residual; "" is the default analyzer.
	Analyzer string `json:"analyzer,omitempty"`
	// Encoder and Text: see dense.Arch (set by ApplyInit; nil and "" for the presets).
	Encoder *dense.EncoderSize `json:"encoder,omitempty"`
	Text    string             `json:"text,omitempty"`
}

// Arch is the model part of the configuration (what dense.Load reads back).
func (c Config) Arch() dense.Arch {
	return dense.Arch{Preset: c.Preset, Mode: c.Mode, Pooling: c.Pooling, Head: c.Head, H: c.H, Tau: c.Tau, MaxLen: c.MaxLen, Seed: c.Seed,
		Encoder: c.Encoder, Text: c.Text, HeadInit: c.HeadInit}
}

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
	if err := c.Arch().Validate(); err != nil {
		return err
	}
	switch {
	case c.LearnTau && (c.Tau < head.MinTau || c.Tau > head.MaxTau):
		return fmt.Errorf("tau %g: a learned τ starts inside [%g, %g]", c.Tau, head.MinTau, head.MaxTau)
	case c.Epochs < 1:
		return fmt.Errorf("epochs %d: must be ≥ 1", c.Epochs)
	case c.Batch < 2:
		return fmt.Errorf("batch %d: must be ≥ 2 queries per step", c.Batch)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("lr %g: must be a positive number", c.LR)
	case c.WeightDecay < 0 || math.IsNaN(c.WeightDecay):
		return fmt.Errorf("weight_decay %g: must be ≥ 0", c.WeightDecay)
	case !(c.Warmup >= 0 && c.Warmup < 1):
		return fmt.Errorf("warmup %g: must be a fraction in [0, 1)", c.Warmup)
	case c.Clip < 0 || math.IsNaN(c.Clip):
		return fmt.Errorf("clip %g: must be ≥ 0 (0 = off)", c.Clip)
	case c.TokenizerDir == "" && c.Vocab < 16:
		return fmt.Errorf("vocab %d: must be ≥ 16 when the tokenizer is trained", c.Vocab)
	}
	if _, err := head.NewWeights(c.Losses); err != nil {
		return err
	}
	neg, err := ParseNegatives(c.Negatives)
	if err != nil {
		return err
	}
	switch {
	case !(c.Residual >= 0) || math.IsInf(c.Residual, 0):
		return fmt.Errorf("residual %g: must be a number ≥ 0 (0 = off)", c.Residual)
	case c.Residual > 0 && (neg.Hard == 0 || neg.InBatch):
		return fmt.Errorf("residual %g: needs negatives hard:K (got %q): the BM25 prior is computed for each example's own candidates", c.Residual, c.Negatives)
	}
	if _, err := text.ParseAnalyzer(c.Analyzer); err != nil {
		return fmt.Errorf("analyzer: %w", err)
	}
	return nil
}

// ParseLosses parses "infonce,dyn,l2" (weight 1 each) or "infonce=1,dyn=0.5,std=0.1" into
// the Config.Losses form; names and weights are validated by head.ParseWeights. "l2" is
// the L2 penalty, stored as "reg" (so older config.json files load as they are); "std"
// is the ARS paper's regulariser, std=0.1 being its λ (see head.Std).
func ParseLosses(s string) (map[string]float64, error) {
	w, err := head.ParseWeights(s)
	if err != nil {
		return nil, err
	}
	return w.Map(), nil
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
