package pretrain

import (
	"math"
	"math/rand"
	"slices"
)

// Masking for masked-language modelling (BERT): of a sequence's maskable positions
// (every piece that is not a special token), round(prob·n) — at least one — are chosen
// without replacement; each chosen piece becomes [MASK] with probability 0.8, a random
// non-special piece with probability 0.1, and stays itself with probability 0.1. The
// model must predict the original piece at every chosen position.

// Masker masks token-id sequences.
type Masker struct {
	Prob    float64
	MaskID  int
	Vocab   int
	special map[int]bool // never chosen, never drawn as a random replacement
}

// NewMasker masks prob of the pieces with [MASK] = maskID, drawing random replacements from
// [0, vocab) minus specials.
func NewMasker(prob float64, maskID, vocab int, specials []int) *Masker {
	m := &Masker{Prob: prob, MaskID: maskID, Vocab: vocab, special: map[int]bool{}}
	for _, s := range specials {
		m.special[s] = true
	}
	return m
}

// Masked is one masked sequence: the model's input and the positions to predict with
// their original pieces (Pos ascending).
type Masked struct {
	Input  []int
	Pos    []int
	Target []int
}

// Mask masks one sequence with rng (ids is not modified).
func (m *Masker) Mask(ids []int, rng *rand.Rand) Masked {
	var cand []int
	for i, id := range ids {
		if !m.special[id] {
			cand = append(cand, i)
		}
	}
	out := Masked{Input: append([]int(nil), ids...)}
	if len(cand) == 0 {
		return out
	}
	n := int(math.Round(m.Prob * float64(len(cand))))
	n = min(max(n, 1), len(cand))
	// partial Fisher–Yates: the first n of a seeded shuffle
	for i := 0; i < n; i++ {
		j := i + rng.Intn(len(cand)-i)
		cand[i], cand[j] = cand[j], cand[i]
	}
	chosen := cand[:n]
	slices.Sort(chosen)
	for _, p := range chosen {
		out.Pos = append(out.Pos, p)
		out.Target = append(out.Target, ids[p])
		switch r := rng.Float64(); {
		case r < 0.8:
			out.Input[p] = m.MaskID
		case r < 0.9:
			out.Input[p] = m.randomPiece(rng)
		}
	}
	return out
}

// randomPiece draws a non-special id uniformly (specials are rejected and redrawn).
func (m *Masker) randomPiece(rng *rand.Rand) int {
	if len(m.special) >= m.Vocab {
		return m.MaskID
	}
	for {
		if id := rng.Intn(m.Vocab); !m.special[id] {
			return id
		}
	}
}
