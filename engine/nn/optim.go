package nn

import (
	"fmt"
	"math"
)

// ClipGradNorm scales all gradients so that their global L2 norm is at most max and
// returns the norm before clipping. max ≤ 0 (or a non-finite norm) leaves them unchanged.
// The scale is max/norm (no epsilon), so the clipped norm is max up to rounding.
func ClipGradNorm(ps []*Param, max float64) float64 {
	var ss float64
	for _, p := range ps {
		for _, g := range p.G {
			ss += float64(g) * float64(g)
		}
	}
	norm := math.Sqrt(ss)
	if max <= 0 || norm <= max || math.IsInf(norm, 0) || math.IsNaN(norm) {
		return norm
	}
	scale := max / norm
	for _, p := range ps {
		for i, g := range p.G {
			p.G[i] = float32(float64(g) * scale)
		}
	}
	return norm
}

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter), as torch.optim.AdamW:
//
//	w ← w − lr·λ·w                      (skipped for NoDecay params)
//	m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
//	w ← w − lr · (m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε)
//
// M[i] and V[i] belong to the i-th param passed to Step.
type AdamW struct {
	Beta1, Beta2, Eps, WeightDecay float64
	Steps                          int
	M, V                           [][]float32
}

// NewAdamW allocates zero moments for ps.
func NewAdamW(ps []*Param, beta1, beta2, eps, weightDecay float64) *AdamW {
	o := &AdamW{Beta1: beta1, Beta2: beta2, Eps: eps, WeightDecay: weightDecay}
	o.ensure(ps)
	return o
}

// ensure (re)allocates zero moments for params whose state is missing or mis-sized.
func (o *AdamW) ensure(ps []*Param) {
	for len(o.M) < len(ps) {
		o.M, o.V = append(o.M, nil), append(o.V, nil)
	}
	for i, p := range ps {
		if len(o.M[i]) != len(p.W) {
			o.M[i] = make([]float32, len(p.W))
		}
		if len(o.V[i]) != len(p.W) {
			o.V[i] = make([]float32, len(p.W))
		}
	}
}

// Step applies one update with learning rate lr. It does not zero the gradients.
func (o *AdamW) Step(ps []*Param, lr float64) {
	o.ensure(ps)
	o.Steps++
	t := float64(o.Steps)
	bc1 := 1 - math.Pow(o.Beta1, t)
	bc2 := 1 - math.Pow(o.Beta2, t)
	for i, p := range ps {
		m, v := o.M[i], o.V[i]
		decay := 1.0
		if !p.NoDecay {
			decay = 1 - lr*o.WeightDecay
		}
		for j, g32 := range p.G {
			g := float64(g32)
			mj := o.Beta1*float64(m[j]) + (1-o.Beta1)*g
			vj := o.Beta2*float64(v[j]) + (1-o.Beta2)*g*g
			m[j], v[j] = float32(mj), float32(vj)
			w := float64(p.W[j]) * decay
			p.W[j] = float32(w - lr*(mj/bc1)/(math.Sqrt(vj/bc2)+o.Eps))
		}
	}
}

// State returns the moments as Params named "adam.m.<name>" and "adam.v.<name>"
// (m then v for each param, in ps order). Their W aliases the optimiser's state; G is nil.
func (o *AdamW) State(ps []*Param) []*Param {
	o.ensure(ps)
	out := make([]*Param, 0, 2*len(ps))
	for i, p := range ps {
		shape := append([]int(nil), p.Shape...)
		out = append(out,
			&Param{Name: "adam.m." + p.Name, Shape: shape, W: o.M[i], NoDecay: true},
			&Param{Name: "adam.v." + p.Name, Shape: append([]int(nil), shape...), W: o.V[i], NoDecay: true})
	}
	return out
}

// LoadState copies moments saved by State (keyed "adam.m.<name>", "adam.v.<name>") and
// sets the step count. Every param must be present with the right length.
func (o *AdamW) LoadState(ps []*Param, state map[string][]float32, steps int) error {
	if steps < 0 {
		return fmt.Errorf("adamw load state: negative step count %d", steps)
	}
	o.ensure(ps)
	for _, p := range ps {
		for _, kind := range []string{"m", "v"} {
			key := "adam." + kind + "." + p.Name
			s, ok := state[key]
			if !ok {
				return fmt.Errorf("adamw load state: missing %q", key)
			}
			if len(s) != len(p.W) {
				return fmt.Errorf("adamw load state: %q has %d values, want %d", key, len(s), len(p.W))
			}
		}
	}
	for i, p := range ps {
		copy(o.M[i], state["adam.m."+p.Name])
		copy(o.V[i], state["adam.v."+p.Name])
	}
	o.Steps = steps
	return nil
}
