package nn

import (
	"errors"
	"fmt"
	"math/rand"
)

// Encoder is a transformer encoder. Forward/Backward must not run concurrently with
// each other or with an optimiser step; Encode may run from several goroutines at once.
type Encoder struct {
	cfg    Config
	params []*Param
	w, g   model[float32]
	arenas arenaPool // reusable scratch, one arena per call in flight
}

// Cache holds one Forward's activations for its Backward.
type Cache struct {
	c    *fwdCache[float32]
	ar   *arena[float32] // holds the activations; back to the pool after Backward
	used bool
}

// NewEncoder builds an encoder with weights drawn from N(0, 0.02²) truncated at ±2σ,
// zero biases and LayerNorm gains of 1. The same seed gives the same weights.
func NewEncoder(cfg Config, seed int64) (*Encoder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new encoder: %w", err)
	}
	rng := rand.New(rand.NewSource(seed))
	e := &Encoder{cfg: cfg}
	var ws, gs [][]float32
	for _, s := range paramSpecs(cfg) {
		n := 1
		for _, d := range s.shape {
			n *= d
		}
		p := &Param{Name: s.name, Shape: append([]int(nil), s.shape...), W: make([]float32, n), G: make([]float32, n), NoDecay: s.noDecay}
		switch {
		case s.ones:
			for i := range p.W {
				p.W[i] = 1
			}
		case s.zeros:
		default:
			for i := range p.W {
				v := rng.NormFloat64()
				for v < -2 || v > 2 {
					v = rng.NormFloat64()
				}
				p.W[i] = float32(0.02 * v)
			}
		}
		e.params = append(e.params, p)
		ws, gs = append(ws, p.W), append(gs, p.G)
	}
	e.w, e.g = bindModel(cfg, ws), bindModel(cfg, gs)
	return e, nil
}

// Config returns the encoder's configuration.
func (e *Encoder) Config() Config { return e.cfg }

// Params returns the tensors in a stable order: emb.tok, emb.pos, emb.ln.{g,b}, then per
// layer i: layer<i>.attn.{q,k,v,o}.{w,b}, layer<i>.attn.ln.{g,b}, layer<i>.ffn.{w1,b1,w2,b2},
// layer<i>.ffn.ln.{g,b}. Weights are in×out. The slice is shared: do not reorder it.
func (e *Encoder) Params() []*Param { return e.params }

// NumParams is the total number of scalars in all tensors.
func (e *Encoder) NumParams() int {
	n := 0
	for _, p := range e.params {
		n += len(p.W)
	}
	return n
}

// check validates token-id sequences.
func (e *Encoder) check(ids [][]int) error {
	if len(ids) == 0 {
		return fmt.Errorf("%w: no sequences", ErrInput)
	}
	for s, seq := range ids {
		if len(seq) == 0 {
			return fmt.Errorf("%w: sequence %d is empty", ErrInput, s)
		}
		if len(seq) > e.cfg.MaxLen {
			return fmt.Errorf("%w: sequence %d has %d tokens, max %d", ErrInput, s, len(seq), e.cfg.MaxLen)
		}
		for t, id := range seq {
			if id < 0 || id >= e.cfg.Vocab {
				return fmt.Errorf("%w: sequence %d token %d: id %d outside [0,%d)", ErrInput, s, t, id, e.cfg.Vocab)
			}
		}
	}
	return nil
}

// checkTypes validates token types against ids: nil, or one type in [0, TypeVocab) per token.
func (e *Encoder) checkTypes(ids, types [][]int) error {
	if types == nil {
		return nil
	}
	if e.cfg.TypeVocab == 0 {
		return fmt.Errorf("%w: token types given to an encoder without type embeddings", ErrInput)
	}
	if len(types) != len(ids) {
		return fmt.Errorf("%w: %d type sequences for %d sequences", ErrInput, len(types), len(ids))
	}
	for s, seq := range types {
		if len(seq) != len(ids[s]) {
			return fmt.Errorf("%w: sequence %d has %d tokens and %d types", ErrInput, s, len(ids[s]), len(seq))
		}
		for t, y := range seq {
			if y < 0 || y >= e.cfg.TypeVocab {
				return fmt.Errorf("%w: sequence %d token %d: type %d outside [0,%d)", ErrInput, s, t, y, e.cfg.TypeVocab)
			}
		}
	}
	return nil
}

// Forward encodes sequences (each already [CLS] … [SEP], no padding) and returns the
// pooled vectors, n×Hidden row-major, plus the cache Backward needs.
func (e *Encoder) Forward(ids [][]int) ([]float32, *Cache, error) {
	return e.ForwardTyped(ids, nil)
}

// ForwardTyped is Forward with token types (nil: none, as Forward; else one per token,
// for an encoder built with Config.TypeVocab > 0).
func (e *Encoder) ForwardTyped(ids, types [][]int) ([]float32, *Cache, error) {
	if err := e.check(ids); err != nil {
		return nil, nil, fmt.Errorf("forward: %w", err)
	}
	if err := e.checkTypes(ids, types); err != nil {
		return nil, nil, fmt.Errorf("forward: %w", err)
	}
	ar := e.arenas.take()
	out, c := e.w.forward(newBatch(ids, e.cfg.Heads).withTypes(types), true, ar)
	return out, &Cache{c: c, ar: ar}, nil
}

// Backward accumulates dLoss/dParam into every Param.G given dLoss/dOut (n×Hidden).
// Each cache can be used once.
func (e *Encoder) Backward(cache *Cache, dOut []float32) error {
	switch {
	case cache == nil:
		return errors.New("backward: nil cache")
	case cache.used:
		return errors.New("backward: cache already used")
	case cache.c == nil:
		return errors.New("backward: empty cache")
	case len(dOut) != cache.c.b.n*e.cfg.Hidden:
		return fmt.Errorf("backward: dOut has %d values, want %d×%d", len(dOut), cache.c.b.n, e.cfg.Hidden)
	}
	cache.used = true
	e.w.backward(cache.c, dOut, nil, &e.g, cache.ar, nil)
	e.arenas.give(cache.ar)
	cache.c, cache.ar = nil, nil
	return nil
}

// Hidden returns a Forward's last hidden states (Σlen×Hidden, rows in sequence order:
// sequence s is rows start[s] … start[s]+len(ids[s])−1) and each sequence's first row.
// The slices belong to the cache: read them before Backward. Nil for a used cache.
func (c *Cache) Hidden() (h []float32, start []int) {
	if c == nil || c.c == nil {
		return nil, nil
	}
	return c.c.final, c.c.b.start
}

// BackwardHidden is Backward with gradients on the pooled vectors (dOut, n×Hidden) and
// on the last hidden states (dHidden, Σlen×Hidden as Cache.Hidden); either may be nil.
// Token-level objectives (masked-language modelling) use dHidden.
func (e *Encoder) BackwardHidden(cache *Cache, dOut, dHidden []float32) error {
	switch {
	case cache == nil || cache.c == nil || cache.used:
		return errors.New("backward: nil, empty or used cache")
	case dOut != nil && len(dOut) != cache.c.b.n*e.cfg.Hidden:
		return fmt.Errorf("backward: dOut has %d values, want %d×%d", len(dOut), cache.c.b.n, e.cfg.Hidden)
	case dHidden != nil && len(dHidden) != cache.c.b.rows*e.cfg.Hidden:
		return fmt.Errorf("backward: dHidden has %d values, want %d×%d", len(dHidden), cache.c.b.rows, e.cfg.Hidden)
	}
	cache.used = true
	e.w.backward(cache.c, dOut, dHidden, &e.g, cache.ar, nil)
	e.arenas.give(cache.ar)
	cache.c, cache.ar = nil, nil
	return nil
}

// BackwardInput is Backward that also returns dLoss/dx for the input embeddings
// x = tok[id] + pos[t] (+ type[y]) of every token, rows in sequence order (Σlen×Hidden),
// and x itself: gradient × input saliency is Σⱼ dxⱼ·xⱼ per token. Like Backward it
// accumulates the parameter gradients (zero them afterwards when only saliency is wanted).
func (e *Encoder) BackwardInput(cache *Cache, dOut []float32) (dx, x []float32, err error) {
	if cache == nil || cache.c == nil || cache.used {
		return nil, nil, errors.New("backward: nil, empty or used cache")
	}
	if len(dOut) != cache.c.b.n*e.cfg.Hidden {
		return nil, nil, fmt.Errorf("backward: dOut has %d values, want %d×%d", len(dOut), cache.c.b.n, e.cfg.Hidden)
	}
	b := cache.c.b
	dx = make([]float32, b.rows*e.cfg.Hidden)
	x = make([]float32, b.rows*e.cfg.Hidden)
	e.w.embed(b, x)
	cache.used = true
	e.w.backward(cache.c, dOut, nil, &e.g, cache.ar, dx)
	e.arenas.give(cache.ar)
	cache.c, cache.ar = nil, nil
	return dx, x, nil
}

// Encode is Forward without a cache. It only reads the weights, so several goroutines
// may call it at once (but not while an optimiser step runs).
func (e *Encoder) Encode(ids [][]int) ([]float32, error) {
	return e.EncodeTyped(ids, nil)
}

// EncodeTyped is Encode with token types (see ForwardTyped).
func (e *Encoder) EncodeTyped(ids, types [][]int) ([]float32, error) {
	if err := e.check(ids); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	if err := e.checkTypes(ids, types); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	ar := e.arenas.take()
	defer e.arenas.give(ar)
	out, _ := e.w.forward(newBatch(ids, e.cfg.Heads).withTypes(types), false, ar)
	return out, nil
}
