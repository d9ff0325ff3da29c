package train

import (
	"fmt"
	"math"

	"github.com/arslab/arslab/engine/nn"
)

// InfDDS learns the sampling distribution over the M training sets of a mixture run
// (Inf-DDS, "Influence Guided Sampling for Domain Adaptation of Text Retrievers",
// arXiv 2601.21759, in the line of DDS/MultiDDS, Wang et al. 2020). In the paper's names:
//
//	P_D(i; ψ) = exp(ψᵢ) / Σₖ exp(ψₖ)                     the training-set sampling policy
//	θ ← AdamW step on J(θ, D_i^train),  i ~ P_D(·; ψ)     every model step
//
// Every Interval model steps (and before the first), one policy round:
//
//	θ_t  = the current weights and optimiser moments (kept aside; the "short-lived copy")
//	θ̃ᵢ  = θ_t after ProxySteps AdamW steps on batches of D_i^train, at ProxyLR × the
//	        scheduled learning rate, for each i = 1…M; then θ ← θ_t exactly (Reptile-style:
//	        the copy is trained in place and restored, no second model is kept)
//	Rᵢ   = J(θ_t, D^dev) − J(θ̃ᵢ, D^dev)                  the influence reward: how much the
//	        proxy steps on i lower the loss of DevBatches fixed target-dev batches
//	b    = mean(R) ("mean", default), β·b + (1−β)·mean(R) ("ema", the value before
//	        this round's update; the first round starts it at mean(R)), or 0 ("none")
//	Aᵢ   = (Rᵢ − b) / σ,  σ = std(R) + 1e-12 when Normalize, else 1
//	ψ    ← ψ + η_ψ Σᵢ Aᵢ ∇_ψ log P_D(i; ψ),  ∇_ψ log P_D(i; ψ) = eᵢ − P_D(·; ψ)
//	     i.e. ψⱼ ← ψⱼ + η_ψ (Aⱼ − P_D(j; ψ) Σᵢ Aᵢ)       (η_ψ = PolicyLR)
//
// This is REINFORCE with every action's reward measured (M is small), as MultiDDS does;
// with the mean baseline Σᵢ Aᵢ = 0 and the step is η_ψ·Aⱼ. J is the run's training loss
// (the configured terms and weights) on target-dev queries with their positives and hard
// negatives mined from the target-dev corpus.
type InfDDS struct {
	Interval      int     `json:"interval"`       // model steps between policy rounds (default 20)
	ProxySteps    int     `json:"proxy_steps"`    // proxy steps per dataset per round (default 2)
	ProxyLR       float64 `json:"proxy_lr"`       // proxy learning rate, × the scheduled lr (default 1)
	PolicyLR      float64 `json:"policy_lr"`      // η_ψ (default 0.2)
	Baseline      string  `json:"baseline"`       // "mean" (default), "ema" or "none"
	BaselineDecay float64 `json:"baseline_decay"` // β of the "ema" baseline (default 0.9)
	Normalize     bool    `json:"normalize"`      // divide advantages by std(R) (default true)
	DevBatches    int     `json:"dev_batches"`    // target-dev batches in J(·, D^dev) (default 4)
	Init          string  `json:"init"`           // initial ψ: a static sampler spec (default "uniform")
}

// DefaultInfDDS is the default policy setting (see InfDDS for each field).
func DefaultInfDDS() InfDDS {
	return InfDDS{Interval: 20, ProxySteps: 2, ProxyLR: 1, PolicyLR: 0.2, Baseline: "mean", BaselineDecay: 0.9,
		Normalize: true, DevBatches: 4, Init: SamplerUniform}
}

// Validate reports the first bad field.
func (c InfDDS) Validate() error {
	switch {
	case c.Interval < 1:
		return fmt.Errorf("infdds interval %d: must be ≥ 1 model step", c.Interval)
	case c.ProxySteps < 1:
		return fmt.Errorf("infdds proxy steps %d: must be ≥ 1", c.ProxySteps)
	case !(c.ProxyLR > 0) || math.IsInf(c.ProxyLR, 0):
		return fmt.Errorf("infdds proxy lr %g: must be a positive number", c.ProxyLR)
	case !(c.PolicyLR > 0) || math.IsInf(c.PolicyLR, 0):
		return fmt.Errorf("infdds policy lr %g: must be a positive number", c.PolicyLR)
	case c.Baseline != "mean" && c.Baseline != "ema" && c.Baseline != "none":
		return fmt.Errorf("infdds baseline %q: want mean, ema or none", c.Baseline)
	case !(c.BaselineDecay >= 0 && c.BaselineDecay < 1):
		return fmt.Errorf("infdds baseline decay %g: must be in [0, 1)", c.BaselineDecay)
	case c.DevBatches < 1:
		return fmt.Errorf("infdds dev batches %d: must be ≥ 1", c.DevBatches)
	}
	return nil
}

// policyState is what the policy carries between rounds (saved with each checkpoint).
type policyState struct {
	Psi      []float64 `json:"psi"`
	Baseline float64   `json:"baseline"`     // the ema baseline
	HasBase  bool      `json:"has_baseline"` // false before the first round
	Rounds   int       `json:"rounds"`
}

// update applies one REINFORCE step for rewards R (one per dataset) and returns the
// advantages A it used (see InfDDS).
func (c InfDDS) update(s *policyState, r []float64) []float64 {
	m := len(r)
	mean := 0.0
	for _, v := range r {
		mean += v
	}
	mean /= float64(m)
	var b float64
	switch c.Baseline {
	case "mean":
		b = mean
	case "ema":
		if !s.HasBase {
			s.Baseline, s.HasBase = mean, true
		}
		b = s.Baseline
		s.Baseline = c.BaselineDecay*s.Baseline + (1-c.BaselineDecay)*mean
	}
	sigma := 1.0
	if c.Normalize {
		v := 0.0
		for _, x := range r {
			v += (x - mean) * (x - mean)
		}
		sigma = math.Sqrt(v/float64(m)) + 1e-12
	}
	a := make([]float64, m)
	sumA := 0.0
	for i, x := range r {
		a[i] = (x - b) / sigma
		sumA += a[i]
	}
	p := Softmax(s.Psi)
	for j := range s.Psi {
		if s.Psi[j] <= ExcludedPsi {
			continue // a dataset given weight 0 stays out
		}
		s.Psi[j] += c.PolicyLR * (a[j] - p[j]*sumA)
	}
	s.Rounds++
	return a
}

// influencer is what a policy round needs from the model: the target-dev loss, proxy steps
// on one training set, and putting the weights back. The trainer is one; tests use toys.
type influencer interface {
	keep() error               // set the current weights (and optimiser state) aside
	proxy(i, steps int) error  // train the kept weights in place on dataset i
	restore() error            // back to the kept weights exactly
	devLoss() (float64, error) // J(θ, D^dev) of the current weights
}

// round measures the influence reward of every dataset and updates s; it returns the rewards
// and the target-dev loss before the proxy steps.
func (c InfDDS) round(s *policyState, m influencer) (rewards []float64, base float64, err error) {
	if err := m.keep(); err != nil {
		return nil, 0, err
	}
	if base, err = m.devLoss(); err != nil {
		return nil, 0, err
	}
	rewards = make([]float64, len(s.Psi))
	for i := range s.Psi {
		if s.Psi[i] <= ExcludedPsi {
			continue
		}
		if err := m.proxy(i, c.ProxySteps); err != nil {
			_ = m.restore()
			return nil, 0, err
		}
		after, err := m.devLoss()
		if rerr := m.restore(); rerr != nil {
			return nil, 0, rerr
		}
		if err != nil {
			return nil, 0, err
		}
		rewards[i] = base - after
	}
	c.update(s, rewards)
	return rewards, base, nil
}

// trainerInfluence runs policy rounds on the real model (mixture.go's run).
type trainerInfluence struct {
	t    *trainer
	mx   *mixRun
	w    [][]float32 // kept weights, per trainable parameter
	m, v [][]float32 // kept AdamW moments
	opt  int         // kept AdamW step count
}

func copyInto(dst [][]float32, src func(i int) []float32, n int) [][]float32 {
	if dst == nil {
		dst = make([][]float32, n)
	}
	for i := range n {
		s := src(i)
		if len(dst[i]) != len(s) {
			dst[i] = make([]float32, len(s))
		}
		copy(dst[i], s)
	}
	return dst
}

func (ti *trainerInfluence) keep() error {
	t := ti.t
	n := len(t.ps)
	ti.w = copyInto(ti.w, func(i int) []float32 { return t.ps[i].W }, n)
	t.opt.State(t.ps) // allocates missing moments
	ti.m = copyInto(ti.m, func(i int) []float32 { return t.opt.M[i] }, n)
	ti.v = copyInto(ti.v, func(i int) []float32 { return t.opt.V[i] }, n)
	ti.opt = t.opt.Steps
	return nil
}

func (ti *trainerInfluence) restore() error {
	t := ti.t
	for i, p := range t.ps {
		copy(p.W, ti.w[i])
		copy(t.opt.M[i], ti.m[i])
		copy(t.opt.V[i], ti.v[i])
	}
	t.opt.Steps = ti.opt
	nn.ZeroGrad(t.ps)
	return nil
}

// proxy runs steps AdamW steps on random batches of dataset i (drawn with the sampler's
// RNG) at ProxyLR × the learning rate the next model step will use. The run's step count,
// rate meter and current corpus are left as they were.
func (ti *trainerInfluence) proxy(i, steps int) error {
	t, mx := ti.t, ti.mx
	st, meter, cur, cfg := t.st, t.meter, t.corpus, t.cfg
	defer func() { t.st, t.meter, t.corpus, t.cfg = st, meter, cur, cfg }()
	t.meter = NewMeter(DefaultRateWindow, DefaultRateSpan)
	t.corpus = mx.sources[i]
	t.cfg.LR = cfg.LR * mx.cfg.InfDDS.ProxyLR
	for range steps {
		if _, err := t.step(mx.randomBatch(i)); err != nil {
			return fmt.Errorf("infdds proxy step on %s: %w", mx.cfg.Sources[i], err)
		}
		t.st.Step = st.Step // every proxy step uses the lr of the next model step
	}
	return nil
}

// devLoss is the mean training loss over the fixed target-dev batches.
func (ti *trainerInfluence) devLoss() (float64, error) {
	t, mx := ti.t, ti.mx
	cur := t.corpus
	defer func() { t.corpus = cur }()
	t.corpus = mx.dev
	sum := 0.0
	for _, b := range mx.devBatches {
		if err := t.ctx.Err(); err != nil {
			return 0, err
		}
		f, err := t.forward(b)
		if err != nil {
			return 0, fmt.Errorf("infdds target-dev loss: %w", err)
		}
		if math.IsNaN(f.res.Total) || math.IsInf(f.res.Total, 0) {
			return 0, fmt.Errorf("infdds target-dev loss is %v", f.res.Total)
		}
		sum += f.res.Total
	}
	return sum / float64(len(mx.devBatches)), nil
}
