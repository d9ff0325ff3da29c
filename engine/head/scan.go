package head

import "fmt"

// This file is the ARS scan: the scores of many cached passage vectors against one
// projected query, s = c + Σᵢ vᵢ·tanh(q̂ᵢ·p̂ᵢ), vectorised over the dimensions i. Three
// kernels compute it — AVX-512 (16 lanes), AVX2 + FMA (8 lanes), pure Go (4 scalar
// accumulators, FastTanh) — and the fastest one the CPU runs for the head's ProjDim is
// chosen at run time (golang.org/x/sys/cpu). Score, ScoreBlock and Explain all use the
// same kernel, so a passage scores the same whether it is scored alone, in a block or
// by any worker of a parallel scan, and Explain's terms are the summands of that score.
//
// The kernels share FastTanh's rational approximation; the assembly ones evaluate it
// with FMA, which rounds differently, so each kernel's tanh is tested on its own over a
// dense grid (TestKernelTanhError) against TanhMaxErr.

// Kernel names an implementation of the ARS scan.
type Kernel int

// The kernels, slowest first.
const (
	KernelGo Kernel = iota
	KernelAVX2
	KernelAVX512
)

func (k Kernel) String() string {
	switch k {
	case KernelAVX2:
		return "avx2"
	case KernelAVX512:
		return "avx512"
	}
	return "go"
}

// TanhMaxErr bounds |tanh_k(x) − tanh(x)| for every kernel k and every float32 x.
// TestKernelTanhError measures it on a grid of step 1e-4 over [−12, 12], at 10⁶ random
// points of [−8, 8] and at the clamp points: 3.8e-7 (Go), 2.7e-7 (AVX2, AVX-512) on
// the development machine; the bound leaves a margin over that.
const TanhMaxErr = 5e-7

// ScanKernel is the kernel Score, ScoreBlock and Explain use for this head (for dot and
// cos heads, which have no tanh, it is always KernelGo).
func (hd *Head) ScanKernel() Kernel {
	if hd.Kind != ARS {
		return KernelGo
	}
	return bestKernel(hd.H)
}

// ScoreBlock scores n projected passages stored one after the other in pp (n×ProjDim
// values) against the projected query qp, writing n scores to out; it equals Score of
// each passage, bit for bit, and allocates nothing.
func (hd *Head) ScoreBlock(qp, pp, out []float32) error {
	k := hd.ProjDim()
	if len(qp) != k {
		return fmt.Errorf("head: query vector of %d values, want %d", len(qp), k)
	}
	if len(pp) != len(out)*k {
		return fmt.Errorf("head: %d passage values for %d scores, want %d", len(pp), len(out), len(out)*k)
	}
	hd.scoreBlock(hd.ScanKernel(), qp, pp, out)
	return nil
}

// scoreBlock is ScoreBlock with a chosen kernel and checked lengths.
func (hd *Head) scoreBlock(kern Kernel, qp, pp, out []float32) {
	if hd.Kind != ARS {
		k := len(qp)
		for i := range out {
			out[i] = dotGo(qp, pp[i*k:(i+1)*k])
		}
		return
	}
	if kern != KernelGo {
		arsScanAsm(kern, qp, hd.V[:len(qp)], pp, out, hd.C[0])
		return
	}
	k := len(qp)
	for i := range out {
		out[i] = arsGo(qp, hd.V[:k], pp[i*k:(i+1)*k], hd.C[0])
	}
}

// terms writes the ARS terms vᵢ·tanh(q̂ᵢ·p̂ᵢ) of one pair with kernel kern, rounded as
// that kernel rounds the summands of its score.
func (hd *Head) terms(kern Kernel, qp, pp, out []float32) {
	v := hd.V[:len(qp)]
	if kern != KernelGo {
		arsTermsAsm(kern, qp, v, pp, out)
		return
	}
	for i, a := range qp {
		out[i] = float32(v[i] * FastTanh(a*pp[i])) // the conversion forbids fusing
	}
}

// dotGo is Σ qᵢ·pᵢ in four float32 accumulators.
func dotGo(qp, pp []float32) float32 {
	n := len(qp)
	pp = pp[:n]
	var s0, s1, s2, s3 float32
	j := 0
	for ; j+4 <= n; j += 4 {
		s0 += qp[j] * pp[j]
		s1 += qp[j+1] * pp[j+1]
		s2 += qp[j+2] * pp[j+2]
		s3 += qp[j+3] * pp[j+3]
	}
	for ; j < n; j++ {
		s0 += qp[j] * pp[j]
	}
	return (s0 + s1) + (s2 + s3)
}

// arsGo is c + Σ vᵢ·FastTanh(qᵢ·pᵢ) in four float32 accumulators.
func arsGo(qp, v, pp []float32, c float32) float32 {
	n := len(qp)
	v, pp = v[:n], pp[:n]
	var s0, s1, s2, s3 float32
	j := 0
	for ; j+4 <= n; j += 4 {
		s0 += float32(v[j] * FastTanh(qp[j]*pp[j])) // rounded terms: the conversions forbid fusing
		s1 += float32(v[j+1] * FastTanh(qp[j+1]*pp[j+1]))
		s2 += float32(v[j+2] * FastTanh(qp[j+2]*pp[j+2]))
		s3 += float32(v[j+3] * FastTanh(qp[j+3]*pp[j+3]))
	}
	for ; j < n; j++ {
		s0 += float32(v[j] * FastTanh(qp[j]*pp[j]))
	}
	return c + ((s0 + s1) + (s2 + s3))
}
