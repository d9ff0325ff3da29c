package head

import (
	"fmt"
	"math"
)

// This file is the query-time kernel: the one place that projects encoder vectors,
// scores a projected pair, splits the score into per-dimension terms and names the
// formula. engine/dense's Search, Rerank and Explain use nothing else.

// ProjDim is the size of a cached passage/query vector: H for ARS, D otherwise.
func (hd *Head) ProjDim() int {
	if hd.Kind == ARS {
		return hd.H
	}
	return hd.D
}

// ProjectQueries maps n encoder vectors (n×D) to what search compares: q̂ = W_q q + b_q
// for ARS, q itself for dot, q/‖q‖ for cos. out must hold n×ProjDim values.
func (hd *Head) ProjectQueries(x []float32, out []float32) error {
	return hd.project(x, out, hd.Wq, hd.Bq)
}

// ProjectPassages is ProjectQueries for passages (p̂ = W_p p + b_p for ARS).
func (hd *Head) ProjectPassages(x []float32, out []float32) error {
	return hd.project(x, out, hd.Wp, hd.Bp)
}

func (hd *Head) project(x, out, w, b []float32) error {
	d, k := hd.D, hd.ProjDim()
	if len(x)%d != 0 {
		return fmt.Errorf("head: input of %d values is not a multiple of dimension %d", len(x), d)
	}
	n := len(x) / d
	if len(out) != n*k {
		return fmt.Errorf("head: output holds %d values, want %d", len(out), n*k)
	}
	for r := range n {
		xr, or := x[r*d:(r+1)*d], out[r*k:(r+1)*k]
		switch hd.Kind {
		case ARS:
			for i := range k {
				wi := w[i*d : (i+1)*d]
				s := b[i]
				for j, xv := range xr {
					s += wi[j] * xv
				}
				or[i] = s
			}
		case Dot:
			copy(or, xr)
		case Cos:
			var ss float64
			for _, v := range xr {
				ss += float64(v) * float64(v)
			}
			inv := float32(1 / math.Sqrt(ss+cosEps))
			for i, v := range xr {
				or[i] = v * inv
			}
		}
	}
	return nil
}

// cosEps keeps the norm of a zero vector finite.
const cosEps = 1e-12

// Score scores one projected query against one projected passage (both ProjDim long):
// c + Σᵢ vᵢ·tanh(q̂ᵢ·p̂ᵢ) for ARS (the tanh of ScanKernel, within TanhMaxErr of the exact
// one), Σᵢ qᵢ·pᵢ for dot and cos (cos on unit vectors). It is ScoreBlock of one passage,
// bit for bit, and allocates nothing; Search and Rerank both rank with it.
func (hd *Head) Score(qp, pp []float32) float32 {
	var out [1]float32
	hd.scoreBlock(hd.ScanKernel(), qp, pp[:len(qp)], out[:])
	return out[0]
}

// Explanation is a score broken into one term per projected dimension:
// Score = Σ Terms + Bias.
type Explanation struct {
	Kind  string    // the head kind: ars, dot or cos
	Label string    // the formula, e.g. "s = Σᵢ vᵢ·tanh(q̂ᵢ·p̂ᵢ) + c"
	Term  string    // what one term is, e.g. "vᵢ·tanh(q̂ᵢ·p̂ᵢ)"
	Terms []float64 // one per dimension (ProjDim values)
	Bias  float64   // c for ARS, 0 for dot and cos
	Score float64   // Σ Terms + Bias (float64 sum; Score of the kernel adds the same float32 terms in float32)
}

// Formula returns the label of the head's score and of one of its terms.
func (hd *Head) Formula() (label, term string) {
	switch hd.Kind {
	case ARS:
		return "s = Σᵢ vᵢ·tanh(q̂ᵢ·p̂ᵢ) + c", "vᵢ·tanh(q̂ᵢ·p̂ᵢ)"
	case Cos:
		return "s = Σᵢ (qᵢ/‖q‖)·(pᵢ/‖p‖)", "(qᵢ/‖q‖)·(pᵢ/‖p‖)"
	}
	return "s = Σᵢ qᵢ·pᵢ", "qᵢ·pᵢ"
}

// Explain splits the score of a projected pair into its per-dimension terms:
// vᵢ·tanh(q̂ᵢ·p̂ᵢ) for ARS, computed by the scan's kernel and rounded as it rounds the
// summands of Score (the bias c is not a dimension), qᵢ·pᵢ for dot, the products of the
// unit vectors for cos. Every head supports it; ok is false only when
// qp or pp is not ProjDim long.
func (hd *Head) Explain(qp, pp []float32) (ex Explanation, ok bool) {
	k := hd.ProjDim()
	if len(qp) != k || len(pp) != k {
		return Explanation{}, false
	}
	ex.Kind = hd.Kind
	ex.Label, ex.Term = hd.Formula()
	ex.Terms = make([]float64, k)
	var t []float32
	if hd.Kind == ARS {
		t = make([]float32, k)
		hd.terms(hd.ScanKernel(), qp, pp, t)
	}
	for i, a := range qp {
		if hd.Kind == ARS {
			ex.Terms[i] = float64(t[i])
		} else {
			ex.Terms[i] = float64(a * pp[i])
		}
		ex.Score += ex.Terms[i]
	}
	if hd.Kind == ARS {
		ex.Bias = float64(hd.C[0])
		ex.Score += ex.Bias
	}
	return ex, true
}

// Prob turns a raw score into a [0,1] relevance reading: sigmoid(s) for ars and dot,
// sigmoid(s/τ) for cos (a cosine in [-1,1] would otherwise never leave [0.27, 0.73]).
func (hd *Head) Prob(score float64) float64 {
	if hd.Kind == Cos {
		score /= hd.Tau()
	}
	return Sigmoid(score)
}

// Sigmoid is 1/(1+e^-x), computed without overflow.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// FastTanhMaxErr bounds |FastTanh(x) − math.Tanh(x)| over all float32 x
// (TestFastTanh measures it on a fine grid over [−12, 12]).
const FastTanhMaxErr = 2e-6

// FastTanh is the tanh of the query-time kernel: a float32 rational approximation
// (Eigen's, degree 13/6) clamped to ±7.905, where it reaches ±1 in float32. It is
// branch-free and small enough to inline into Score's loop, about 10× faster than
// math.Tanh, with |FastTanh − tanh| ≤ FastTanhMaxErr. Training uses gorgonia's exact
// tanh; the consistency test bounds the difference of the two scores.
func FastTanh(x float32) float32 {
	const (
		clamp = 7.90531110763549805
		a13   = -2.76076847742355e-16
		a11   = 2.00018790482477e-13
		a9    = -8.60467152213735e-11
		a7    = 5.12229709037114e-08
		a5    = 1.48572235717979e-05
		a3    = 6.37261928875436e-04
		a1    = 4.89352455891786e-03
		b6    = 1.19825839466702e-06
		b4    = 1.18534705686654e-04
		b2    = 2.26843463243900e-03
		b0    = 4.89352518554385e-03
	)
	x = min(max(x, -clamp), clamp)
	x2 := x * x
	num := ((((((a13*x2+a11)*x2+a9)*x2+a7)*x2+a5)*x2+a3)*x2 + a1) * x
	den := ((b6*x2+b4)*x2+b2)*x2 + b0
	return num / den
}
