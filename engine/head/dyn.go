package head

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dyn, the ARS dynamic relevance loss: binary cross-entropy on the raw scores,
//
//	L = −(1/B) Σ_i log σ(s_i0) − Σ_{i, j≥1} w_ij · log(1 − σ(s_ij))
//	  =  (1/B) Σ_i softplus(−s_i0) + Σ_{i, j≥1} w_ij · softplus(s_ij)
//
// s is S itself for ARS and dot (no τ), and S/τ for cos (a cosine alone cannot reach a
// confident σ). The mask is the negative weights w (B×C, see dynNegWeights): 1/N_neg on
// every valid negative and 0 on positives and masked candidates, so both halves are
// means. Its weight in the total is Weights.Weight(Dyn).

// dynNegWeights writes w (B×C) from the validity mask (nil = all valid): 1/N_neg on
// each valid candidate of columns 1…C−1, N_neg their count, 0 elsewhere.
func dynNegWeights(valid []bool, c int, w []float64) {
	nNeg := 0
	for r := range w {
		if r%c != 0 && (valid == nil || valid[r]) {
			nNeg++
		}
	}
	for r := range w {
		w[r] = 0
		if r%c != 0 && (valid == nil || valid[r]) {
			w[r] = 1 / float64(nNeg)
		}
	}
}

func (gr *Graph) dynTerm() (*G.Node, error) {
	gr.negW = G.NewMatrix(gr.g, G.Float64, G.WithShape(gr.st.B, gr.st.C), G.WithName("negW"))
	sc := gr.scores
	if gr.hd.Kind == Cos {
		var err error
		if sc, err = gr.scaled(); err != nil {
			return nil, err
		}
	}
	return dyn(sc, gr.negW)
}

// dyn builds L for scores (B×C) and negative weights negW (B×C, column 0 zero); a nil
// negW means uniform weights 1/(B·(C−1)) over all negatives.
func dyn(scores, negW *G.Node) (*G.Node, error) {
	if scores.Dims() != 2 {
		return nil, fmt.Errorf("dyn: scores must be a B×C matrix, got shape %v", scores.Shape())
	}
	b, c := scores.Shape()[0], scores.Shape()[1]
	if c < 2 {
		return nil, fmt.Errorf("dyn: need at least one negative per query, got %d candidates", c)
	}
	if negW == nil {
		w := make([]float64, b*c)
		dynNegWeights(nil, c, w)
		negW = G.NewConstant(tensor.New(tensor.WithShape(b, c), tensor.WithBacking(w)), G.WithName("dynNegW"))
	}
	ns, err := G.Neg(scores)
	if err != nil {
		return nil, err
	}
	spNeg, err := G.Softplus(ns) // −log σ(s)
	if err != nil {
		return nil, err
	}
	pos, err := posColumn(spNeg)
	if err != nil {
		return nil, err
	}
	posMean, err := G.Mean(pos)
	if err != nil {
		return nil, err
	}
	spPos, err := G.Softplus(scores) // −log(1 − σ(s))
	if err != nil {
		return nil, err
	}
	wn, err := G.HadamardProd(spPos, negW)
	if err != nil {
		return nil, err
	}
	negSum, err := G.Sum(wn)
	if err != nil {
		return nil, err
	}
	return G.Add(posMean, negSum)
}
