package head

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Std, the spread regulariser of the ARS paper's public code (not an L2 penalty; that
// is reg/l2 in reg.go):
//
//	L = std(r⁺) + std(r⁻) + std(s⁺) + std(s⁻),   r = σ(s)
//
// s⁺ are the raw scores of every query's positive in the step (column 0 of S, pooled
// over the batch), s⁻ the raw scores of every valid negative (columns 1…C−1, masked
// candidates left out, pooled over the batch). s is S itself for every head (no τ, also
// for cos). The paper's λ (0.1) is folded into the weight: L_reg = λ[std(r⁺)+std(r⁻)] +
// λ[std(s⁺)+std(s⁻)] is `std=0.1`, its weight in the total being Weights.Weight(Std).
//
// std is the unbiased sample standard deviation (÷(n−1), PyTorch's torch.std default),
// and 0 for a set of one (n = 1). It is computed as
//
//	std(x) = sqrt(var(x) + ε) − sqrt(ε),   ε = stdEps
//
// with ε inside the square root so the gradient stays finite when all members are
// equal (var = 0, where d sqrt/dvar is infinite): there var' = 0 and the term's
// gradient is 0. The − sqrt(ε) makes a zero spread (and n = 1) exactly 0; any other
// std comes out low by less than sqrt(ε) = 1e-9. The variance is centred,
// var = Σ m·(x − mean)² / (n−1), so it is never negative.
//
// Layout (the graph's no-broadcast rule, see the gorgonia notes on Graph): a member set
// is given by two B×C weight matrices, a = m/n (mean weights) and u = m/(n−1) (variance
// weights; all 0 when n < 2). The mean reaches every entry as J_B·(X⊙a)·J_C (J all-ones
// B×B and C×C: matrix×matrix products only). The positive weights are constants; the
// negative ones are graph inputs rebound by Run from the validity mask.

// stdEps is ε in sqrt(var + ε).
const stdEps = 1e-18

// stdWeights writes the mean weights a and the variance weights u (both B×C) of the
// member set: 1/n and 1/(n−1) on members (u = 0 when n < 2), 0 elsewhere.
func stdWeights(member func(r int) bool, a, u []float64) {
	n := 0
	for r := range a {
		if member(r) {
			n++
		}
	}
	for r := range a {
		a[r], u[r] = 0, 0
		if member(r) {
			a[r] = 1 / float64(n)
			if n > 1 {
				u[r] = 1 / float64(n-1)
			}
		}
	}
}

// stdPosWeights and stdNegWeights fill a and u for the positives (column 0) and the
// valid negatives (nil valid = all valid) of a B×C layout.
func stdPosWeights(c int, a, u []float64) {
	stdWeights(func(r int) bool { return r%c == 0 }, a, u)
}

func stdNegWeights(valid []bool, c int, a, u []float64) {
	stdWeights(func(r int) bool { return r%c != 0 && (valid == nil || valid[r]) }, a, u)
}

func (gr *Graph) stdTerm() (*G.Node, error) {
	b, c := gr.st.B, gr.st.C
	gr.stdNegA = G.NewMatrix(gr.g, G.Float64, G.WithShape(b, c), G.WithName("stdNegA"))
	gr.stdNegU = G.NewMatrix(gr.g, G.Float64, G.WithShape(b, c), G.WithName("stdNegU"))
	return regStd(gr.scores, gr.stdNegA, gr.stdNegU)
}

// regStd builds L for scores (B×C) with the negatives' weights negA and negU (B×C, see
// stdNegWeights); nil weights mean every candidate of columns 1…C−1 is a negative.
func regStd(scores, negA, negU *G.Node) (*G.Node, error) {
	if scores.Dims() != 2 {
		return nil, fmt.Errorf("std: scores must be a B×C matrix, got shape %v", scores.Shape())
	}
	b, c := scores.Shape()[0], scores.Shape()[1]
	if b < 2 || c < 2 {
		return nil, fmt.Errorf("std: need B, C ≥ 2, got %d×%d", b, c)
	}
	mat := func(name string, v []float64) *G.Node {
		return G.NewConstant(tensor.New(tensor.WithShape(b, c), tensor.WithBacking(v)), G.WithName(fmt.Sprintf("%s%dx%d", name, b, c)))
	}
	pa, pu := make([]float64, b*c), make([]float64, b*c)
	stdPosWeights(c, pa, pu)
	posA, posU := mat("stdPosA", pa), mat("stdPosU", pu)
	if negA == nil || negU == nil {
		na, nu := make([]float64, b*c), make([]float64, b*c)
		stdNegWeights(nil, c, na, nu)
		negA, negU = mat("stdNegA", na), mat("stdNegU", nu)
	}
	jb := G.NewConstant(tensor.New(tensor.WithShape(b, b), tensor.WithBacking(filled(b*b, 1))), G.WithName(fmt.Sprintf("ones%dx%d", b, b)))
	jc := G.NewConstant(tensor.New(tensor.WithShape(c, c), tensor.WithBacking(filled(c*c, 1))), G.WithName(fmt.Sprintf("ones%dx%d", c, c)))
	r, err := G.Sigmoid(scores)
	if err != nil {
		return nil, fmt.Errorf("std: %w", err)
	}
	var total *G.Node
	for _, x := range []*G.Node{r, scores} {
		for _, w := range [][2]*G.Node{{posA, posU}, {negA, negU}} {
			sd, err := maskedStd(x, w[0], w[1], jb, jc)
			if err != nil {
				return nil, fmt.Errorf("std: %w", err)
			}
			if total == nil {
				total = sd
			} else if total, err = G.Add(total, sd); err != nil {
				return nil, fmt.Errorf("std: %w", err)
			}
		}
	}
	return total, nil
}

// maskedStd is sqrt(Σ u·(x − mean)² + ε) − sqrt(ε) with mean = Σ a·x, for x, a, u B×C
// and jb, jc the all-ones B×B and C×C matrices.
func maskedStd(x, a, u, jb, jc *G.Node) (*G.Node, error) {
	xa, err := G.HadamardProd(x, a)
	if err != nil {
		return nil, err
	}
	colSums, err := G.Mul(jb, xa) // every row holds the column sums of x⊙a
	if err != nil {
		return nil, err
	}
	mean, err := G.Mul(colSums, jc) // every entry holds Σ a·x
	if err != nil {
		return nil, err
	}
	dev, err := G.Sub(x, mean)
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(dev)
	if err != nil {
		return nil, err
	}
	wsq, err := G.HadamardProd(sq, u)
	if err != nil {
		return nil, err
	}
	v, err := G.Sum(wsq)
	if err != nil {
		return nil, err
	}
	ve, err := G.Add(v, G.NewConstant(stdEps, G.WithName("stdEps")))
	if err != nil {
		return nil, err
	}
	sd, err := G.Sqrt(ve)
	if err != nil {
		return nil, err
	}
	return G.Sub(sd, G.NewConstant(math.Sqrt(stdEps), G.WithName("sqrtStdEps")))
}
