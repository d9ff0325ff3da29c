// Package head holds the scoring heads that sit on top of the encoders (dot, cosine and
// ARS: s = vᵀ tanh((W_q q + b_q) ⊙ (W_p p + b_p)) + c) and their training losses.
//
// Two implementations of the score exist, on purpose, and a test keeps them equal
// (consistency_test.go):
//   - kernel.go: the float32 query-time kernel — projection, the score of a projected
//     pair, its per-dimension terms and the formula's label. Search, Rerank and the
//     explanation all go through it.
//   - scan.go (with scan_amd64.s): the vectorised ARS scan behind Score, ScoreBlock and
//     Explain — AVX-512, AVX2 + FMA or Go, chosen at run time, same rational tanh.
//   - graph*.go and the loss files: the training graph, built with gorgonia (the
//     product's autodiff). gorgonia stays behind this package's API: callers hand in
//     float32 slices and read float32 gradients back.
package head

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/arslab/arslab/engine/nn"
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

// Head is a scoring head. For ARS, Wq and Wp are H×D row-major; Bq, Bp, V have H
// entries; C is the scalar bias. LogTau holds log τ for every kind.
type Head struct {
	Kind string
	D, H int

	Wq, Bq, Wp, Bp, V, C []float32
	LogTau               []float32

	gWq, gBq, gWp, gBp, gV, gC, gLogTau []float32
}

// ARS initialisations (Arch.HeadInit). Both start symmetric (W_p = W_q, every v_i equal,
// biases 0), so the untrained head ranks by a similarity of the projected vectors:
//   - InitSym ("sym", the default): W_q ~ N(0, 1/d), v_i = 1/√h. Projected entries are
//     O(1), so q̂_i·p̂_i sits where tanh bends and saturates from the first step.
//   - InitLinear ("linear"): W_q ~ N(0, α²/d) with α = LinearAlpha, v_i = d/(h·α²). The
//     products are O(α²) = O(0.01), where tanh(x) ≈ x, so the untrained score is
//     Σ_i v_i (W_q q)_i (W_q p)_i ≈ (d/(hα²))·(hα²/d)·q·p = q·p: exactly the dot head's
//     score at the same temperature. Training can then bend each dimension into the
//     tanh's nonlinearity where that helps, instead of starting saturated.
const (
	InitSym     = "sym"
	InitLinear  = "linear"
	LinearAlpha = 0.1
)

// New makes a head of kind ("ars", "dot", "cos") over d-dimensional encoder outputs with
// the default (InitSym) initialisation; see NewInit.
func New(kind string, d, h int, tau float64, seed int64) (*Head, error) {
	return NewInit(kind, d, h, tau, seed, InitSym)
}

// NewInit makes a head of kind over d-dimensional encoder outputs. h is the ARS interaction
// size (0 = d); tau the initial temperature; init the ARS initialisation (InitSym or
// InitLinear; "" = InitSym; ignored by dot and cos).
func NewInit(kind string, d, h int, tau float64, seed int64, init string) (*Head, error) {
	if init == "" {
		init = InitSym
	}
	if init != InitSym && init != InitLinear {
		return nil, fmt.Errorf("head: initialisation %q (want %s or %s)", init, InitSym, InitLinear)
	}
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
	alpha, v0 := 1.0, 1/math.Sqrt(float64(h))
	if init == InitLinear {
		alpha = LinearAlpha
		v0 = float64(d) / (float64(h) * alpha * alpha)
	}
	hd.Wq = normal(h*d, alpha/math.Sqrt(float64(d)))
	hd.Wp = append([]float32(nil), hd.Wq...)
	hd.V = make([]float32, h)
	for i := range hd.V {
		hd.V[i] = float32(v0)
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
func (hd *Head) Params() []*nn.Param {
	ps := []*nn.Param{}
	if hd.Kind == ARS {
		h, d := hd.H, hd.D
		ps = append(ps,
			&nn.Param{Name: "head.w_q", Shape: []int{h, d}, W: hd.Wq, G: hd.gWq},
			&nn.Param{Name: "head.b_q", Shape: []int{h}, W: hd.Bq, G: hd.gBq, NoDecay: true},
			&nn.Param{Name: "head.w_p", Shape: []int{h, d}, W: hd.Wp, G: hd.gWp},
			&nn.Param{Name: "head.b_p", Shape: []int{h}, W: hd.Bp, G: hd.gBp, NoDecay: true},
			&nn.Param{Name: "head.v", Shape: []int{h}, W: hd.V, G: hd.gV},
			&nn.Param{Name: "head.c", Shape: []int{1}, W: hd.C, G: hd.gC, NoDecay: true},
		)
	}
	ps = append(ps, &nn.Param{Name: "head.log_tau", Shape: []int{1}, W: hd.LogTau, G: hd.gLogTau, NoDecay: true})
	return ps
}

// ZeroGrad clears the head's gradients.
func (hd *Head) ZeroGrad() {
	for _, p := range hd.Params() {
		clear(p.G)
	}
}
