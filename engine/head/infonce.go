package head

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// InfoNCE, the contrastive loss of DPR and the ARS paper:
//
//	L = −(1/B) Σ_i log softmax(ℓ_i)₀,   ℓ_ij = S_ij/τ + m_ij
//
// S is the B×C score matrix (column 0 each query's positive), τ the temperature
// (learned when the graph's learnTau is set: its gradient flows through S/τ), and m the
// mask: 0 on a usable candidate, maskedLogit on a masked one (padding, or another
// positive of the same query), so masked candidates drop out of the softmax. Its weight
// in the total is Weights.Weight(InfoNCE) (see addLosses).

// maskedLogit is added to the logit of a masked-out candidate.
const maskedLogit = -1e9

// softmaxMask writes m (B×C) for InfoNCE and ModInfoNCE from the validity mask
// (nil = all valid): 0 where valid, maskedLogit elsewhere.
func softmaxMask(valid []bool, m []float64) {
	for r := range m {
		m[r] = 0
		if valid != nil && !valid[r] {
			m[r] = maskedLogit
		}
	}
}

// maskedLogits is ℓ = S/τ + m, shared by InfoNCE and ModInfoNCE.
func (gr *Graph) maskedLogits() (*G.Node, error) {
	sc, err := gr.scaled()
	if err != nil {
		return nil, err
	}
	return G.Add(sc, gr.mask)
}

func (gr *Graph) infoNCETerm() (*G.Node, error) {
	logits, err := gr.maskedLogits()
	if err != nil {
		return nil, err
	}
	return infoNCE(logits)
}

// infoNCE is −(1/B) Σ_i log softmax(logits_i)₀ of a B×C logit matrix.
func infoNCE(logits *G.Node) (*G.Node, error) {
	lp, err := logPPos(logits)
	if err != nil {
		return nil, fmt.Errorf("infonce: %w", err)
	}
	m, err := G.Mean(lp)
	if err != nil {
		return nil, fmt.Errorf("infonce: %w", err)
	}
	return G.Neg(m)
}

// logPPos returns log p₊ per query: column 0 of gorgonia's LogSoftMax along axis 1.
// Workaround: a hand-built max-shifted log-sum-exp hit gradient bugs in gorgonia's Max
// (see the gorgonia notes on Graph); TestLossGradientsByHand checks LogSoftMax's
// gradient against hand-worked values.
func logPPos(logits *G.Node) (*G.Node, error) {
	if logits.Dims() != 2 {
		return nil, fmt.Errorf("logits must be a B×C matrix, got shape %v", logits.Shape())
	}
	// Workaround (reproduced, TestInfoNCELargeLogits): gorgonia/tensor v0.9.24's row-wise
	// log-softmax starts every row's max at the matrix's first element and skips the
	// row's own first entry, so a row whose positive logit (column 0) exceeds the others
	// by ≳ 710 overflows exp and the loss is NaN. Subtracting each row's column 0 first
	// makes every row start at 0 = the matrix's first element, so the max it finds is the
	// true row max. Log-softmax is shift-invariant (its gradient through the shift is 0).
	c := logits.Shape()[1]
	first := make([]float64, c*c) // (x·E)_ij = x_i0: row 0 of E is all ones
	for j := range c {
		first[j] = 1
	}
	e := G.NewConstant(tensor.New(tensor.WithShape(c, c), tensor.WithBacking(first)), G.WithName(fmt.Sprintf("first%d", c)))
	shift, err := G.Mul(logits, e)
	if err != nil {
		return nil, err
	}
	shifted, err := G.Sub(logits, shift)
	if err != nil {
		return nil, err
	}
	ls, err := G.LogSoftMax(shifted, 1)
	if err != nil {
		return nil, err
	}
	return posColumn(ls)
}
