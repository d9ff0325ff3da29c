// Package nn is a small BERT-style transformer encoder written by hand on float32
// slices, with a hand-written backward pass, AdamW and gradient clipping.
//
// Architecture (post-LN, as BERT): token + learned position embedding → LayerNorm →
// L × [multi-head self-attention (Q, K, V, O with biases) → residual + LayerNorm →
// FFN (W1, GELU — tanh approximation, or the exact erf form with Config.Act "gelu" —, W2) → residual + LayerNorm] → pooling ("cls": first token,
// "mean": average of the sequence's tokens). Linear weights are stored in×out, y = x·W + b.
// There is no dropout: training must be deterministic and the data sets are tiny.
//
// Batches are packed: sequences are concatenated without padding tokens, token-wise
// layers run on Σ len rows and attention runs per sequence on its own len×len block.
// That is what padding to the batch's longest sequence with a −inf key mask computes,
// without spending work on padding; a sequence's vector never depends on its batch mates.
//
// Everything is deterministic: same seed → same weights, same inputs → bit-identical
// outputs and gradients (parallel work writes disjoint memory; every sum has a fixed
// order). On amd64 the float32 GEMM uses an AVX-512 or AVX2+FMA micro-kernel and the
// element-wise ops AVX-512 kernels, chosen at run time: GEMM results are bit-identical
// between the two kernels; element-wise ops may differ in the last bits between
// AVX-512 and other machines (and from the pure-Go path).
package nn

import (
	"errors"
	"fmt"
)

// Param is one named tensor with its gradient. NoDecay excludes it from weight decay.
type Param struct {
	Name    string
	Shape   []int
	W, G    []float32
	NoDecay bool
}

// Config sizes an encoder.
type Config struct {
	Vocab, Hidden, Layers, Heads, FFN, MaxLen int
	Pooling                                   string // "cls" | "mean"
	// TypeVocab > 0 adds token-type (segment) embeddings, BERT's [CLS] A [SEP] B [SEP]
	// with types 0…0 1…1: a tensor "emb.type" (TypeVocab×Hidden) listed after every other
	// tensor, added to the token and position embeddings. 0 (the default) has none, and
	// the encoder is exactly what it was without this field.
	TypeVocab int
	// Act is the FFN activation: "" or "gelu_tanh" is GELU's tanh approximation (Hugging
	// Face's "gelu_new"; what encoders trained here use), "gelu" the exact erf form
	// (BERT's and Hugging Face's "gelu").
	Act string
	// LNEps is LayerNorm's variance epsilon; 0 means 1e-12 (BERT's).
	LNEps float64
}

// Activations Config.Act accepts.
const (
	ActGELUTanh = "gelu_tanh"
	ActGELUErf  = "gelu"
)

func (c Config) eps() float64 {
	if c.LNEps > 0 {
		return c.LNEps
	}
	return lnEps
}

// ErrInput marks a bad Forward/Encode input (empty, too long, id out of range).
var ErrInput = errors.New("nn: bad input")

// Preset returns a named size: "tiny" (2 layers, hidden 128, 2 heads, FFN 512) or
// "mini" (4 layers, hidden 256, 4 heads, FFN 1024), with "cls" pooling.
func Preset(name string, vocab, maxLen int) (Config, error) {
	cfg := Config{Vocab: vocab, MaxLen: maxLen, Pooling: "cls"}
	switch name {
	case "tiny":
		cfg.Layers, cfg.Hidden, cfg.Heads, cfg.FFN = 2, 128, 2, 512
	case "mini":
		cfg.Layers, cfg.Hidden, cfg.Heads, cfg.FFN = 4, 256, 4, 1024
	default:
		return Config{}, fmt.Errorf("nn: unknown preset %q (want tiny or mini)", name)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("preset %s: %w", name, err)
	}
	return cfg, nil
}

// Validate reports a config that cannot build an encoder.
func (c Config) Validate() error {
	switch {
	case c.Vocab < 1, c.Hidden < 1, c.Layers < 0, c.Heads < 1, c.FFN < 1, c.MaxLen < 1, c.TypeVocab < 0:
		return fmt.Errorf("nn: config sizes must be positive: %+v", c)
	case c.Hidden%c.Heads != 0:
		return fmt.Errorf("nn: hidden %d not divisible by heads %d", c.Hidden, c.Heads)
	case c.Pooling != "cls" && c.Pooling != "mean":
		return fmt.Errorf("nn: pooling %q (want cls or mean)", c.Pooling)
	case c.Act != "" && c.Act != ActGELUTanh && c.Act != ActGELUErf:
		return fmt.Errorf("nn: activation %q (want %s or %s)", c.Act, ActGELUErf, ActGELUTanh)
	case c.LNEps < 0 || c.LNEps >= 1:
		return fmt.Errorf("nn: layer_norm_eps %g (want a small positive number)", c.LNEps)
	}
	return nil
}

// ZeroGrad sets every gradient to zero.
func ZeroGrad(ps []*Param) {
	for _, p := range ps {
		clear(p.G)
	}
}
