package head

import (
	"fmt"
	"math"
)

// Cross-encoder losses. A cross-encoder reads (query, passage) together and gives one
// relevance logit s per pair, with σ(s) as its [0, 1] relevance (the ARM card). Its two
// training losses read only those logits:
//
//	bce       pointwise binary cross-entropy on σ(s) against a label y ∈ [0, 1]
//	          (graded judgements: y = grade / top grade), mean over pairs:
//	          ℓ = −[y·log σ(s) + (1−y)·log(1−σ(s))] = softplus(s) − y·s,  ∂ℓ/∂s = σ(s) − y
//	listwise  softmax cross-entropy over each group of one query's candidates (1 positive +
//	          k hard negatives), target distribution t (one-hot on the positive, or graded:
//	          t ∝ 2^grade − 1), mean over groups:
//	          ℓ = −Σᵢ tᵢ·log softmax(s)ᵢ,  ∂ℓ/∂sᵢ = softmax(s)ᵢ − tᵢ
//
// They are written by hand rather than as gorgonia graphs (as the dual-encoder losses in
// this package are): each is a handful of float64 operations on a vector of logits whose
// length changes with every group, the gradient is one line, and the encoder below is
// hand-written float32 anyway; building and running a graph per step would cost more
// than the loss itself. Both are checked against hand-computed values and central
// differences in cross_test.go, as the graph losses are.

// CrossLoss names a cross-encoder loss.
type CrossLoss string

// The cross-encoder losses.
const (
	BCE      CrossLoss = "bce"
	Listwise CrossLoss = "listwise"
)

// ParseCrossLoss accepts "bce" or "listwise" (also "pointwise", "softmax", "ce").
func ParseCrossLoss(s string) (CrossLoss, error) {
	switch s {
	case "bce", "pointwise":
		return BCE, nil
	case "listwise", "softmax", "ce":
		return Listwise, nil
	}
	return "", fmt.Errorf("unknown cross-encoder loss %q (want bce or listwise)", s)
}

// softplus is log(1+e^s), computed without overflow.
func softplus(s float64) float64 {
	if s > 0 {
		return s + math.Log1p(math.Exp(-s))
	}
	return math.Log1p(math.Exp(s))
}

// BCELoss is the mean pointwise binary cross-entropy of logits against labels in [0, 1]
// and its gradient with respect to each logit (already divided by the number of pairs).
func BCELoss(logits, labels []float64) (float64, []float64, error) {
	if len(logits) == 0 || len(logits) != len(labels) {
		return 0, nil, fmt.Errorf("bce: %d logits, %d labels", len(logits), len(labels))
	}
	n := float64(len(logits))
	grad := make([]float64, len(logits))
	var loss float64
	for i, s := range logits {
		y := labels[i]
		if y < 0 || y > 1 || math.IsNaN(y) {
			return 0, nil, fmt.Errorf("bce: label %g of pair %d outside [0, 1]", y, i)
		}
		loss += softplus(s) - y*s
		grad[i] = (Sigmoid(s) - y) / n
	}
	return loss / n, grad, nil
}

// ListwiseLoss is the mean softmax cross-entropy of each group's logits against its
// target distribution (non-negative, summing to 1) and the gradient per logit (divided
// by the number of groups). Groups may have different sizes.
func ListwiseLoss(groups, targets [][]float64) (float64, [][]float64, error) {
	if len(groups) == 0 || len(groups) != len(targets) {
		return 0, nil, fmt.Errorf("listwise: %d groups, %d targets", len(groups), len(targets))
	}
	n := float64(len(groups))
	grads := make([][]float64, len(groups))
	var loss float64
	for g, s := range groups {
		t := targets[g]
		if len(s) == 0 || len(t) != len(s) {
			return 0, nil, fmt.Errorf("listwise: group %d has %d logits, %d targets", g, len(s), len(t))
		}
		var sum float64
		for _, v := range t {
			if v < 0 || math.IsNaN(v) {
				return 0, nil, fmt.Errorf("listwise: group %d has a negative target", g)
			}
			sum += v
		}
		if math.Abs(sum-1) > 1e-9 {
			return 0, nil, fmt.Errorf("listwise: group %d targets sum to %g, want 1", g, sum)
		}
		m := math.Inf(-1)
		for _, v := range s {
			m = math.Max(m, v)
		}
		var z float64
		for _, v := range s {
			z += math.Exp(v - m)
		}
		lse := m + math.Log(z)
		grads[g] = make([]float64, len(s))
		for i, v := range s {
			p := math.Exp(v - lse)
			if t[i] > 0 {
				loss -= t[i] * (v - lse)
			}
			grads[g][i] = (p - t[i]) / n
		}
	}
	return loss / n, grads, nil
}

// GradedTarget turns the grades of one group into a listwise target: ∝ 2^grade − 1 over
// the candidates with grade > 0 (one positive of grade 1: one-hot). It is nil when no
// candidate is relevant.
func GradedTarget(grades []int) []float64 {
	t := make([]float64, len(grades))
	var sum float64
	for i, g := range grades {
		if g > 0 {
			t[i] = math.Exp2(float64(g)) - 1
			sum += t[i]
		}
	}
	if sum == 0 {
		return nil
	}
	for i := range t {
		t[i] /= sum
	}
	return t
}
