package nn

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// Hand-computed AdamW (β1 0.9, β2 0.999, ε 1e-8, λ 0.01, lr 0.1):
//
// Step 1, decayed weight w = 1, g = 0.5:
//
//	w ← 1·(1 − 0.1·0.01) = 0.999; m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25
//	w ← 0.999 − 0.1·0.5/(0.5+1e-8) = 0.899000002
//
// Step 2, g = 0.25:
//
//	w ← 0.899000002·0.999 = 0.898101002; m = 0.9·0.05 + 0.1·0.25 = 0.07
//	v = 0.999·0.00025 + 0.001·0.0625 = 0.00031225
//	m̂ = 0.07/(1−0.81) = 0.368421053; v̂ = 0.00031225/(1−0.998001) = 0.156203102, √v̂ = 0.395225381
//	w ← 0.898101002 − 0.1·0.368421053/0.395225381 = 0.804883040
//
// Decayed weight w = −2, g = −1, step 1: w ← −1.998 + 0.1·1/(1+1e-8) = −1.898.
// NoDecay weight w = 3, g = 2, step 1: w ← 3 − 0.1 = 2.9 (no decay: 2.8997 with it).
func TestAdamWHand(t *testing.T) {
	a := &Param{Name: "a", Shape: []int{2}, W: []float32{1, -2}, G: []float32{0.5, -1}}
	b := &Param{Name: "b", Shape: []int{1}, W: []float32{3}, G: []float32{2}, NoDecay: true}
	ps := []*Param{a, b}
	o := NewAdamW(ps, 0.9, 0.999, 1e-8, 0.01)
	o.Step(ps, 0.1)
	if !near(float64(a.W[0]), 0.899000002, 1e-7) || !near(float64(a.W[1]), -1.898, 1e-7) || !near(float64(b.W[0]), 2.9, 1e-7) {
		t.Fatalf("step 1: a=%v b=%v", a.W, b.W)
	}
	if !near(float64(o.M[0][0]), 0.05, 1e-9) || !near(float64(o.V[0][0]), 0.00025, 1e-10) || o.Steps != 1 {
		t.Fatalf("step 1 moments m=%v v=%v steps=%d", o.M[0], o.V[0], o.Steps)
	}
	if a.G[0] != 0.5 {
		t.Fatal("Step zeroed the gradients")
	}
	a.G[0] = 0.25
	o.Step(ps, 0.1)
	if !near(float64(a.W[0]), 0.804883040, 1e-6) || !near(float64(o.M[0][0]), 0.07, 1e-8) || !near(float64(o.V[0][0]), 0.00031225, 1e-10) {
		t.Fatalf("step 2: w=%g m=%g v=%g", a.W[0], o.M[0][0], o.V[0][0])
	}
}

func TestAdamWStateRoundTrip(t *testing.T) {
	mk := func() []*Param {
		return []*Param{{Name: "x", Shape: []int{3}, W: []float32{1, 2, 3}, G: []float32{0.1, -0.2, 0.3}}}
	}
	p1 := mk()
	o1 := NewAdamW(p1, 0.9, 0.99, 1e-6, 0.1)
	o1.Step(p1, 0.01)
	o1.Step(p1, 0.01)
	st := map[string][]float32{}
	for _, p := range o1.State(p1) {
		st[p.Name] = append([]float32(nil), p.W...)
	}
	if len(st) != 2 || st["adam.m.x"] == nil || st["adam.v.x"] == nil {
		t.Fatalf("state keys %v", st)
	}
	p2 := mk()
	copy(p2[0].W, p1[0].W)
	o2 := NewAdamW(p2, 0.9, 0.99, 1e-6, 0.1)
	if err := o2.LoadState(p2, st, o1.Steps); err != nil {
		t.Fatal(err)
	}
	o1.Step(p1, 0.01)
	o2.Step(p2, 0.01)
	assertSame(t, "resumed weights", p2[0].W, p1[0].W)
	delete(st, "adam.v.x")
	if err := o2.LoadState(p2, st, 2); err == nil {
		t.Fatal("missing state accepted")
	}
	st["adam.v.x"] = []float32{1}
	if err := o2.LoadState(p2, st, 2); err == nil {
		t.Fatal("short state accepted")
	}
}

// Gradients (3, 4) and (12) have norm √(9+16+144) = 13. Clipping to 6.5 halves them;
// a max of 20 or 0 leaves them alone. The returned norm is always the pre-clip 13.
func TestClipGradNorm(t *testing.T) {
	tests := []struct {
		max  float64
		want []float32
	}{
		{6.5, []float32{1.5, 2, 6}},
		{20, []float32{3, 4, 12}},
		{0, []float32{3, 4, 12}},
	}
	for _, tc := range tests {
		ps := []*Param{{G: []float32{3, 4}}, {G: []float32{12}}}
		if n := ClipGradNorm(ps, tc.max); n != 13 {
			t.Fatalf("max %g: norm %g, want 13", tc.max, n)
		}
		got := append(append([]float32(nil), ps[0].G...), ps[1].G...)
		for i := range got {
			if !near(float64(got[i]), float64(tc.want[i]), 1e-6) {
				t.Fatalf("max %g: grads %v, want %v", tc.max, got, tc.want)
			}
		}
	}
	ps := []*Param{{G: []float32{1, 2}}, {G: []float32{-3}}}
	ZeroGrad(ps)
	if ps[0].G[0] != 0 || ps[0].G[1] != 0 || ps[1].G[0] != 0 {
		t.Fatal("ZeroGrad left values")
	}
}
