package head

import (
	"math"
	"math/rand"
	"testing"
)

// kernels lists the kernels this CPU runs on vectors of h values (always KernelGo).
func kernels(t *testing.T, h int) []Kernel {
	t.Helper()
	var ks []Kernel
	for _, k := range []Kernel{KernelGo, KernelAVX2, KernelAVX512} {
		if supported(k, h) {
			ks = append(ks, k)
		} else {
			t.Logf("kernel %v not run on this CPU for h = %d", k, h)
		}
	}
	return ks
}

// kernelTanh evaluates kernel k's tanh at every xs (as the terms 1·tanh(x·1)).
func kernelTanh(hd *Head, k Kernel, xs []float32) []float32 {
	const h = 64
	one := make([]float32, h)
	for i := range one {
		one[i] = 1
	}
	out := make([]float32, len(xs))
	buf, res := make([]float32, h), make([]float32, h)
	for at := 0; at < len(xs); at += h {
		n := copy(buf, xs[at:])
		clear(buf[n:])
		hd.terms(k, one, buf, res)
		copy(out[at:], res[:n])
	}
	return out
}

func arsHead(t *testing.T, h int) *Head {
	t.Helper()
	hd, err := New(ARS, h, h, 0.05, 1)
	if err != nil {
		t.Fatal(err)
	}
	return hd
}

// TestKernelTanhError: every kernel's tanh is within TanhMaxErr of math.Tanh on a grid
// of step 1e-4 over [−12, 12] (240,001 points), at 10⁶ random float32 in [−8, 8], at the
// clamp points, at ±0, ±Inf, and NaN stays NaN.
func TestKernelTanhError(t *testing.T) {
	hd := arsHead(t, 64)
	for i := range hd.V {
		hd.V[i] = 1
	}
	var xs []float32
	for i := -120000; i <= 120000; i++ {
		xs = append(xs, float32(float64(i)*1e-4))
	}
	const clamp = 7.90531110763549805
	xs = append(xs, clamp, -clamp, math.Nextafter32(clamp, 0), math.Nextafter32(clamp, 10), 0, float32(math.Copysign(0, -1)),
		float32(math.Inf(1)), float32(math.Inf(-1)), 1e-30, -1e-30, 3e38, -3e38)
	rng := rand.New(rand.NewSource(3))
	for range 1_000_000 {
		xs = append(xs, float32(rng.Float64()*16-8))
	}
	for _, k := range kernels(t, 64) {
		got := kernelTanh(hd, k, xs)
		worst, at := 0.0, 0.0
		for i, x := range xs {
			if e := math.Abs(float64(got[i]) - math.Tanh(float64(x))); e > worst {
				worst, at = e, float64(x)
			}
		}
		t.Logf("kernel %v: max |tanh_k − tanh| = %.3g at x = %.4f over %d points", k, worst, at, len(xs))
		if worst > TanhMaxErr {
			t.Errorf("kernel %v: max |tanh_k − tanh| = %g at x = %g, want ≤ %g", k, worst, at, TanhMaxErr)
		}
		if n := kernelTanh(hd, k, []float32{float32(math.NaN())}); !math.IsNaN(float64(n[0])) {
			t.Errorf("kernel %v: tanh(NaN) = %g, want NaN", k, n[0])
		}
		if z := kernelTanh(hd, k, []float32{0}); z[0] != 0 {
			t.Errorf("kernel %v: tanh(0) = %g, want 0", k, z[0])
		}
	}
}

// randARS is a head with h dimensions and random v, c, and n random passage vectors.
func randARS(t *testing.T, h, n int, seed int64) (hd *Head, qp, pp []float32) {
	t.Helper()
	hd = arsHead(t, h)
	rng := rand.New(rand.NewSource(seed))
	for i := range hd.V {
		hd.V[i] = float32(rng.NormFloat64() * 0.3)
	}
	hd.C[0] = -0.25
	qp, pp = make([]float32, h), make([]float32, n*h)
	for i := range qp {
		qp[i] = float32(rng.NormFloat64() * 1.5)
	}
	for i := range pp {
		pp[i] = float32(rng.NormFloat64() * 1.5)
	}
	return hd, qp, pp
}

// exactARS is c + Σ vᵢ·tanh(qᵢ·pᵢ) in float64 with math.Tanh, and Σ|vᵢ| for bounds.
func exactARS(hd *Head, qp, pp []float32) (s, absV float64) {
	s = float64(hd.C[0])
	for i, q := range qp {
		s += float64(hd.V[i]) * math.Tanh(float64(q*pp[i]))
		absV += math.Abs(float64(hd.V[i]))
	}
	return s, absV
}

// TestScanKernelsAgree: for h = 128, 40 and 6, every kernel's block scores are within
// Σ|vᵢ|·TanhMaxErr plus the float32 summation bound of the exact float64 score, and
// Score of each passage equals its block score bit for bit.
func TestScanKernelsAgree(t *testing.T) {
	const n = 37
	for _, h := range []int{128, 40, 6} {
		hd, qp, pp := randARS(t, h, n, int64(h))
		for _, k := range kernels(t, h) {
			out := make([]float32, n)
			hd.scoreBlock(k, qp, pp, out)
			for i := range n {
				p := pp[i*h : (i+1)*h]
				want, absV := exactARS(hd, qp, p)
				tol := absV*TanhMaxErr + float64(h+2)*0x1p-24*(absV+0.25)
				if d := math.Abs(float64(out[i]) - want); d > tol {
					t.Errorf("h %d kernel %v passage %d: %.7f, exact %.7f (|Δ| %.3g > %.3g)", h, k, i, out[i], want, d, tol)
				}
				if k == hd.ScanKernel() {
					if s := hd.Score(qp, p); s != out[i] {
						t.Errorf("h %d kernel %v passage %d: Score %.9g, ScoreBlock %.9g", h, k, i, s, out[i])
					}
				}
			}
		}
	}
}

// laneSum adds float32 terms as kernel k does: lane l accumulates the terms j ≡ l (mod
// lanes) in increasing j, then the lanes are added pairwise (l + lanes/2, …), then c.
// KernelGo's four accumulators (its tail j ≥ 4⌊h/4⌋ in s0) end as (s0 + s1) + (s2 + s3).
func laneSum(k Kernel, terms []float32, c float32) float32 {
	lanes := map[Kernel]int{KernelGo: 4, KernelAVX2: 8, KernelAVX512: 16}[k]
	acc := make([]float32, lanes)
	for j, v := range terms {
		if k == KernelGo && j >= len(terms)/4*4 {
			acc[0] += v // KernelGo's tail goes to s0
			continue
		}
		acc[j%lanes] += v
	}
	if k == KernelGo {
		return c + ((acc[0] + acc[1]) + (acc[2] + acc[3]))
	}
	for w := lanes / 2; w >= 1; w /= 2 {
		for l := range w {
			acc[l] += acc[l+w]
		}
	}
	return c + acc[0]
}

// TestExplainTermsAreScanSummands: Explain's terms are exactly the rounded summands of
// the scan's score — adding them in the kernel's lane order gives the scan's score bit
// for bit — and Explain's float64 Score is within the float32 summation bound of it.
func TestExplainTermsAreScanSummands(t *testing.T) {
	for _, h := range []int{128, 40, 6} {
		hd, qp, pp := randARS(t, h, 5, 7+int64(h))
		for _, k := range kernels(t, h) {
			out := make([]float32, 5)
			hd.scoreBlock(k, qp, pp, out)
			terms := make([]float32, h)
			for i := range 5 {
				p := pp[i*h : (i+1)*h]
				hd.terms(k, qp, p, terms)
				if got := laneSum(k, terms, hd.C[0]); got != out[i] {
					t.Errorf("h %d kernel %v passage %d: lane sum of the terms %.9g, scan %.9g", h, k, i, got, out[i])
				}
			}
		}
		// Explain uses the head's own kernel.
		k := hd.ScanKernel()
		for i := range 5 {
			p := pp[i*h : (i+1)*h]
			ex, ok := hd.Explain(qp, p)
			if !ok {
				t.Fatal("Explain failed")
			}
			terms := make([]float32, h)
			hd.terms(k, qp, p, terms)
			abs := math.Abs(ex.Bias)
			for j, v := range ex.Terms {
				if v != float64(terms[j]) {
					t.Fatalf("h %d dim %d: Explain term %g, kernel term %g", h, j, v, terms[j])
				}
				abs += math.Abs(v)
			}
			s := hd.Score(qp, p)
			if d := math.Abs(ex.Score - float64(s)); d > float64(h+1)*0x1p-24*abs {
				t.Errorf("h %d passage %d: Explain score %.9g, scan %.9g", h, i, ex.Score, s)
			}
		}
	}
}

// TestScoreBlockErrors: ScoreBlock names wrong lengths.
func TestScoreBlockErrors(t *testing.T) {
	hd := arsHead(t, 16)
	if err := hd.ScoreBlock(make([]float32, 15), make([]float32, 16), make([]float32, 1)); err == nil {
		t.Error("short query: want an error")
	}
	if err := hd.ScoreBlock(make([]float32, 16), make([]float32, 33), make([]float32, 2)); err == nil {
		t.Error("33 values for 2 passages: want an error")
	}
	// Zero query: every term is v·tanh(0) = 0, the score is c.
	hd.C[0] = 0.5
	out := []float32{9, 9}
	if err := hd.ScoreBlock(make([]float32, 16), make([]float32, 32), out); err != nil || out[0] != 0.5 || out[1] != 0.5 {
		t.Errorf("zero query: %v, %v; want [0.5 0.5]", out, err)
	}
}
