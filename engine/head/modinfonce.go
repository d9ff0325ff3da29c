package head

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ModInfoNCE, the modified InfoNCE of the Vietnamese-IR paper:
//
//	L = (1/B) Σ_i −(1 − p₊,i)·log p₊,i,   p₊,i = softmax(ℓ_i)₀,   ℓ_ij = S_ij/τ + m_ij
//
// with the same logits as InfoNCE: S/τ (τ learned when learnTau is set) plus the
// softmax mask m (0 or maskedLogit, see softmaxMask). Its weight in the total is
// Weights.Weight(ModInfoNCE).
//
// Choice: the weight (1 − p₊) is differentiated through (focal loss with γ = 1), not
// treated as a stop-gradient constant. Per query, with z the positive logit,
// ∂L/∂z = (1−p₊)(p₊·log p₊ − (1−p₊)), whereas a stop-gradient weight would give
// −(1−p₊)². Both shrink the update on confident queries; the differentiated form is
// the loss the paper writes down, so gradient checks see exactly that function
// (TestLossGradientsByHand tells the two apart).

func (gr *Graph) modInfoNCETerm() (*G.Node, error) {
	logits, err := gr.maskedLogits()
	if err != nil {
		return nil, err
	}
	return modInfoNCE(logits)
}

func modInfoNCE(logits *G.Node) (*G.Node, error) {
	lp, err := logPPos(logits)
	if err != nil {
		return nil, fmt.Errorf("modinfonce: %w", err)
	}
	p, err := G.Exp(lp)
	if err != nil {
		return nil, err
	}
	b := p.Shape().TotalSize()
	// 1 enters as a B vector of ones, following the graph's no-broadcast layout (see the
	// gorgonia notes on Graph; a scalar 1 also passes TestGradientsFiniteDifferences).
	one := G.NewConstant(tensor.New(tensor.WithShape(b), tensor.WithBacking(filled(b, 1))), G.WithName(fmt.Sprintf("ones%d", b)))
	w, err := G.Sub(p, one) // p₊ − 1 ≤ 0
	if err != nil {
		return nil, err
	}
	t, err := G.HadamardProd(w, lp) // (p₊ − 1)·log p₊ = −(1 − p₊)·log p₊ ≥ 0
	if err != nil {
		return nil, err
	}
	return G.Mean(t)
}
