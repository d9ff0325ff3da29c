// Package head holds the scoring heads that sit on top of the encoders (dot, cosine and
// ARS: s = vᵀ tanh((W_q q + b_q) ⊙ (W_p p + b_p)) + c), their training losses as
// gorgonia graphs, and allocation-free float32 scoring for search.
package head

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
)

// Head kinds.
const (
	ARS = "ars"
	Dot = "dot"
	Cos = "cos"
)

// Bounds of the learnable temperature: log τ is clamped to [log MinTau, log MaxTau] after each step.
const (
	MinTau = 0.01
	MaxTau = 1.0
)

// Param is one learnable tensor of the head (row-major). It mirrors nn.Param so the
// trainer can hand the same slices to one optimiser.
type Param struct {
	Name    string
	Shape   []int
	W, G    []float32
	NoDecay bool
}

// Head is a scoring head. For ARS, Wq and Wp are H×D row-major; Bq, Bp, V have H
// entries; C is the scalar bias. LogTau holds log τ for every kind.
type Head struct {
	Kind string
	D, H int

	Wq, Bq, Wp, Bp, V, C []float32
	LogTau               []float32

	gWq, gBq, gWp, gBp, gV, gC, gLogTau []float32
}

// New makes a head of kind ("ars", "dot", "cos") over d-dimensional encoder outputs.
// h is the ARS interaction size (0 = d); tau the initial temperature. W_q is drawn from
// N(0, 1/d), W_p starts equal to it, v_i = 1/√h, biases start at 0 (see below).
func New(kind string, d, h int, tau float64, seed int64) (*Head, error) {
	if d <= 0 {
		return nil, fmt.Errorf("head: dimension %d must be positive", d)
	}
	if tau <= 0 || math.IsNaN(tau) || math.IsInf(tau, 0) {
		return nil, fmt.Errorf("head: temperature %g must be a positive number", tau)
	}
	hd := &Head{Kind: kind, D: d}
	hd.LogTau = []float32{float32(math.Log(tau))}
	hd.gLogTau = make([]float32, 1)
	switch kind {
	case Dot, Cos:
		return hd, nil
	case ARS:
	default:
		return nil, fmt.Errorf("head: unknown kind %q (want ars, dot or cos)", kind)
	}
	if h < 0 {
		return nil, fmt.Errorf("head: interaction size %d is negative", h)
	}
	if h == 0 {
		h = d
	}
	hd.H = h
	rng := rand.New(rand.NewSource(seed))
	normal := func(n int, std float64) []float32 {
		w := make([]float32, n)
		for i := range w {
			w[i] = float32(rng.NormFloat64() * std)
		}
		return w
	}
	// Symmetric start: W_p = W_q and v_i = 1/√h, so the untrained head scores
	// (1/√h)·Σ_i tanh((W_q q)_i (W_q p)_i), a dot-like similarity in the projected space
	// that keeps whatever the encoders share (identical tokens in shared mode). With
	// independent random W_q, W_p and v the from-scratch demo runs stayed at chance on dev.
	hd.Wq = normal(h*d, 1/math.Sqrt(float64(d)))
	hd.Wp = append([]float32(nil), hd.Wq...)
	hd.V = make([]float32, h)
	for i := range hd.V {
		hd.V[i] = float32(1 / math.Sqrt(float64(h)))
	}
	hd.Bq, hd.Bp, hd.C = make([]float32, h), make([]float32, h), make([]float32, 1)
	hd.gWq, hd.gWp = make([]float32, h*d), make([]float32, h*d)
	hd.gBq, hd.gBp, hd.gV, hd.gC = make([]float32, h), make([]float32, h), make([]float32, h), make([]float32, 1)
	return hd, nil
}

// Tau is the current temperature exp(log τ).
func (hd *Head) Tau() float64 { return math.Exp(float64(hd.LogTau[0])) }

// ClampTau keeps log τ inside [log MinTau, log MaxTau]; call it after each optimiser step.
func (hd *Head) ClampTau() {
	lo, hi := float32(math.Log(MinTau)), float32(math.Log(MaxTau))
	hd.LogTau[0] = min(max(hd.LogTau[0], lo), hi)
}

// Params lists the learnable tensors. log τ is always listed (named "head.log_tau");
// the trainer leaves it out of the optimiser when τ is fixed.
func (hd *Head) Params() []Param {
	ps := []Param{}
	if hd.Kind == ARS {
		h, d := hd.H, hd.D
		ps = append(ps,
			Param{Name: "head.w_q", Shape: []int{h, d}, W: hd.Wq, G: hd.gWq},
			Param{Name: "head.b_q", Shape: []int{h}, W: hd.Bq, G: hd.gBq, NoDecay: true},
			Param{Name: "head.w_p", Shape: []int{h, d}, W: hd.Wp, G: hd.gWp},
			Param{Name: "head.b_p", Shape: []int{h}, W: hd.Bp, G: hd.gBp, NoDecay: true},
			Param{Name: "head.v", Shape: []int{h}, W: hd.V, G: hd.gV},
			Param{Name: "head.c", Shape: []int{1}, W: hd.C, G: hd.gC, NoDecay: true},
		)
	}
	ps = append(ps, Param{Name: "head.log_tau", Shape: []int{1}, W: hd.LogTau, G: hd.gLogTau, NoDecay: true})
	return ps
}

// ZeroGrad clears the head's gradients.
func (hd *Head) ZeroGrad() {
	for _, p := range hd.Params() {
		clear(p.G)
	}
}

// SetParam copies w into the parameter called name (used when loading checkpoints).
func (hd *Head) SetParam(name string, w []float32) error {
	for _, p := range hd.Params() {
		if p.Name == name {
			if len(p.W) != len(w) {
				return fmt.Errorf("head: parameter %s has %d values, got %d", name, len(p.W), len(w))
			}
			copy(p.W, w)
			return nil
		}
	}
	return fmt.Errorf("head: no parameter %q in a %s head", name, hd.Kind)
}

// ProjDim is the size of a cached passage/query vector: H for ARS, D otherwise.
func (hd *Head) ProjDim() int {
	if hd.Kind == ARS {
		return hd.H
	}
	return hd.D
}

// ProjectQueries maps n encoder vectors (n×D) to what search compares: W_q q + b_q for
// ARS, q itself for dot, q/‖q‖ for cos. out must hold n×ProjDim values.
func (hd *Head) ProjectQueries(x []float32, out []float32) error {
	return hd.project(x, out, hd.Wq, hd.Bq)
}

// ProjectPassages is ProjectQueries for passages (W_p p + b_p for ARS).
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

// ScoreProjected scores one projected query against one projected passage
// (both ProjDim long). ARS uses FastTanh.
func (hd *Head) ScoreProjected(qp, pp []float32) float32 {
	if hd.Kind != ARS {
		var s float32
		for i, v := range qp {
			s += v * pp[i]
		}
		return s
	}
	s := hd.C[0]
	v := hd.V
	for i, a := range qp {
		s += v[i] * FastTanh(a*pp[i])
	}
	return s
}

// Contributions writes every dimension's share of the score into out (ProjDim long)
// and returns the score: v_i·tanh(qp_i·pp_i) for ARS (the bias c is not a dimension),
// qp_i·pp_i for dot and cos.
func (hd *Head) Contributions(qp, pp []float32, out []float64) (float64, error) {
	if len(qp) != hd.ProjDim() || len(pp) != hd.ProjDim() || len(out) != hd.ProjDim() {
		return 0, errors.New("head: contribution vectors must all be ProjDim long")
	}
	var s float64
	for i, a := range qp {
		if hd.Kind == ARS {
			out[i] = float64(hd.V[i] * FastTanh(a*pp[i]))
		} else {
			out[i] = float64(a * pp[i])
		}
		s += out[i]
	}
	if hd.Kind == ARS {
		s += float64(hd.C[0])
	}
	return s, nil
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

// FastTanh is a float32 rational approximation of tanh (the one used by Eigen),
// accurate to a few ulp, about 10× faster than math.Tanh.
func FastTanh(x float32) float32 {
	const clamp = 7.90531110763549805
	if x > clamp {
		x = clamp
	} else if x < -clamp {
		x = -clamp
	}
	if x < 0.0004 && x > -0.0004 {
		return x
	}
	x2 := x * x
	p := float32(-2.76076847742355e-16)
	p = p*x2 + 2.00018790482477e-13
	p = p*x2 + -8.60467152213735e-11
	p = p*x2 + 5.12229709037114e-08
	p = p*x2 + 1.48572235717979e-05
	p = p*x2 + 6.37261928875436e-04
	p = p*x2 + 4.89352455891786e-03
	p *= x
	q := float32(1.19825839466702e-06)
	q = q*x2 + 1.18534705686654e-04
	q = q*x2 + 2.26843463243900e-03
	q = q*x2 + 4.89352518554385e-03
	return p / q
}
