package nn

import "math"

// geluErf32 is geluErf in float32: Φ(x) = ½(1 + erf(x/√2)) with Abramowitz & Stegun's
// 7.1.26 erf (|Δerf| ≤ 1.5e-7), whose e^{−x²/2} (exp32) also gives the density in the
// derivative Φ(x) + x·φ(x): one exp per element instead of float64 Erf and Exp. Max
// error against float64 x·Φ(x) ≤ 3e-7·(1+|gelu|), derivative ≤ 5e-7 (TestGELUErf32).
// Large inputs are split into fixed chunks over goroutines.
func geluErf32(u, out, d []float32) {
	out = out[:len(u)]
	if d != nil {
		d = d[:len(u)]
	}
	parallelChunks(len(u), elemChunk, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x := u[i]
			e := exp32(-0.5 * x * x) // e^{−z²} for z = |x|/√2
			z := float32(math.Abs(float64(x))) * 0.70710678118654752
			t := 1 / (1 + 0.3275911*z)
			p := t * (0.254829592 + t*(-0.284496736+t*(1.421413741+t*(-1.453152027+t*1.061405429))))
			tail := 0.5 * p * e // ½(1 − erf(z))
			cdf := 1 - tail
			if x < 0 {
				cdf = tail
			}
			out[i] = x * cdf
			if d != nil {
				d[i] = cdf + x*0.3989422804014327*e
			}
		}
	})
}
