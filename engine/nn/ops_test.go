package nn

import (
	"math"
	"math/rand"
	"testing"
)

// gelu32 on every path against the float64 formula on a dense grid (x in [−12, 12],
// length 24001 so the AVX-512 kernel and the scalar tail both run), aliasing d with u
// as the model does. Measured on every path: max |Δgelu|/(1+|gelu|) ≤ 7.4e-7 and
// max |Δgelu'| = 4.2e-6, both at x ≈ −4.84 where tanh32 has saturated to −1 (the
// kernel sets t = ±1 beyond the clamp exactly as tanh32 does). Bounds: 1e-6 and 5e-6.
func TestGELU32Paths(t *testing.T) {
	for _, p := range allPaths {
		t.Run(p.String(), func(t *testing.T) {
			forcePath(t, p)
			const n = 24001
			u := make([]float32, n)
			for i := range u {
				u[i] = float32(-12 + 24*float64(i)/(n-1))
			}
			x64 := make([]float64, n)
			for i, v := range u {
				x64[i] = float64(v)
			}
			o64, d64 := make([]float64, n), make([]float64, n)
			gelu(x64, o64, d64)
			out := make([]float32, n)
			d := append([]float32(nil), u...)
			gelu32(d, out, d) // d aliases the input
			var eo, ed float64
			for i := range u {
				eo = math.Max(eo, math.Abs(float64(out[i])-o64[i])/(1+math.Abs(o64[i])))
				ed = math.Max(ed, math.Abs(float64(d[i])-d64[i]))
			}
			if eo > 1e-6 || ed > 5e-6 {
				t.Fatalf("gelu32 max error %g (relative-ish), derivative %g", eo, ed)
			}
			t.Logf("%s: gelu max |Δ|/(1+|gelu|) = %.3g, gelu' max |Δ| = %.3g", p, eo, ed)
			out2 := make([]float32, n)
			gelu32(u, out2, nil)
			assertSame(t, "gelu32 without derivative", out2, out)
		})
	}
}

// softmaxRows on every path against float64, for row lengths that take the AVX-512
// kernel (16, 128) and the scalar fallback (33), with a wide range of logits.
func TestSoftmaxPaths(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for _, p := range allPaths {
		t.Run(p.String(), func(t *testing.T) {
			forcePath(t, p)
			for _, n := range []int{16, 33, 128} {
				s := make([]float32, 7*n)
				for i := range s {
					s[i] = float32(rng.NormFloat64() * 30)
				}
				s[3] = -1e30 // far below the others: probability 0
				want := make([]float64, len(s))
				for i, v := range s {
					want[i] = float64(v)
				}
				softmaxRows(want, n)
				softmaxRows(s, n)
				var worst float64
				for i := range s {
					worst = math.Max(worst, math.Abs(float64(s[i])-want[i])/(want[i]+1e-30))
					if want[i] < 1e-30 && s[i] > 1e-30 {
						t.Fatalf("n=%d: p[%d]=%g, want %g", n, i, s[i], want[i])
					}
				}
				// exp32's 4e-7 near 0, growing with |x| (Cody–Waite reduction) to about
				// 3.7e-6 for arguments near −80, plus float32 sum and scaling rounding.
				if worst > 5e-6 {
					t.Fatalf("n=%d: softmax max relative error %g", n, worst)
				}
			}
		})
	}
}

// geluErf32 (float32, A&S 7.1.26 erf) against float64 x·Φ(x) with math.Erf on a dense
// grid; d aliases u as in the model.
func TestGELUErf32(t *testing.T) {
	const n = 40001
	u := make([]float32, n)
	for i := range u {
		u[i] = float32(-14 + 28*float64(i)/(n-1))
	}
	x64 := make([]float64, n)
	for i, v := range u {
		x64[i] = float64(v)
	}
	o64, d64 := make([]float64, n), make([]float64, n)
	geluErf(x64, o64, d64)
	out := make([]float32, n)
	d := append([]float32(nil), u...)
	geluErf(d, out, d)
	var eo, ed float64
	for i := range u {
		eo = math.Max(eo, math.Abs(float64(out[i])-o64[i])/(1+math.Abs(o64[i])))
		ed = math.Max(ed, math.Abs(float64(d[i])-d64[i]))
	}
	t.Logf("geluErf32: max |Δ|/(1+|gelu|) = %.3g, derivative max |Δ| = %.3g", eo, ed)
	if eo > 3e-7 || ed > 5e-7 {
		t.Fatalf("geluErf32 max error %g, derivative %g", eo, ed)
	}
	// Hand value: gelu(1) = Φ(1) = 0.8413447460685429.
	one := make([]float32, 1)
	geluErf([]float32{1}, one, nil)
	if math.Abs(float64(one[0])-0.8413447460685429) > 2e-7 {
		t.Fatalf("geluErf32(1) = %g", one[0])
	}
}

// LayerNorm forward and backward in float32 on every path against the float64 code
// (rows of 128 and 256 take the AVX-512 kernels, 24 the Go loop), over several row
// blocks so the per-block dg, db partial sums are exercised.
func TestLayerNormPaths(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	for _, p := range allPaths {
		t.Run(p.String(), func(t *testing.T) {
			forcePath(t, p)
			for _, n := range []int{24, 128, 256} {
				rows := 3*lnRowBlock + 5
				x, g, b, dy := randSlice(rng, rows*n), randSlice(rng, n), randSlice(rng, n), randSlice(rng, rows*n)
				for i := range x {
					x[i] = 3 + 2*x[i] // offset mean: the centring must be done in float64
				}
				f64 := func(s []float32) []float64 {
					o := make([]float64, len(s))
					for i, v := range s {
						o[i] = float64(v)
					}
					return o
				}
				y, xh, rs := make([]float32, rows*n), make([]float32, rows*n), make([]float32, rows)
				layerNorm(x, g, b, y, xh, rs, n, 1e-12)
				y64, xh64, rs64 := make([]float64, rows*n), make([]float64, rows*n), make([]float64, rows)
				layerNorm(f64(x), f64(g), f64(b), y64, xh64, rs64, n, 1e-12)
				dx, dg, db := make([]float32, rows*n), randSlice(rng, n), make([]float32, n)
				dg0 := append([]float32(nil), dg...)
				layerNormBack(dy, xh, rs, g, dx, dg, db, n)
				dx64, dg64, db64 := make([]float64, rows*n), f64(dg0), make([]float64, n)
				layerNormBack(f64(dy), xh64, rs64, f64(g), dx64, dg64, db64, n)
				check := func(what string, got []float32, want []float64, tol float64) {
					for i := range got {
						if d := math.Abs(float64(got[i]) - want[i]); d > tol*(1+math.Abs(want[i])) {
							t.Fatalf("n=%d %s[%d] = %g, float64 %g", n, what, i, got[i], want[i])
						}
					}
				}
				check("y", y, y64, 2e-6)
				check("xhat", xh, xh64, 2e-6)
				check("rstd", rs, rs64, 2e-6)
				check("dx", dx, dx64, 1e-5)
				check("dg", dg, dg64, 1e-5*float64(rows))
				check("db", db, db64, 1e-5*float64(rows))
			}
		})
	}
}

// softmaxBack in float32 on every path against float64 (rows of 128 take the AVX-512
// kernel, 40 the Go loop).
func TestSoftmaxBackPaths(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	for _, p := range allPaths {
		t.Run(p.String(), func(t *testing.T) {
			forcePath(t, p)
			for _, n := range []int{40, 128} {
				s := randSlice(rng, 5*n)
				softmaxRows(s, n)
				dp := randSlice(rng, 5*n)
				p64, dp64 := make([]float64, len(s)), make([]float64, len(s))
				for i := range s {
					p64[i], dp64[i] = float64(s[i]), float64(dp[i])
				}
				softmaxBack(s, dp, n)
				softmaxBack(p64, dp64, n)
				for i := range dp {
					if d := math.Abs(float64(dp[i]) - dp64[i]); d > 1e-6*(math.Abs(dp64[i])+float64(s[i])) {
						t.Fatalf("n=%d dS[%d] = %g, float64 %g", n, i, dp[i], dp64[i])
					}
				}
			}
		})
	}
}
