package head

import "golang.org/x/sys/cpu"

// CPU features, read-only after package init (properties of the machine, not state).
var (
	hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasFMA
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

//go:noescape
func arsScan512(q, v, p, out *float32, h, n int, c float32)

//go:noescape
func arsTerms512(q, v, p, out *float32, h int)

//go:noescape
func arsScan256(q, v, p, out *float32, h, n int, c float32)

//go:noescape
func arsTerms256(q, v, p, out *float32, h int)

// bestKernel is the fastest kernel this CPU runs for vectors of h values.
func bestKernel(h int) Kernel {
	switch {
	case hasAVX512 && h > 0 && h%16 == 0:
		return KernelAVX512
	case hasAVX2 && h > 0 && h%8 == 0:
		return KernelAVX2
	}
	return KernelGo
}

// supported reports whether this CPU runs kernel k on vectors of h values.
func supported(k Kernel, h int) bool {
	switch k {
	case KernelAVX512:
		return hasAVX512 && h > 0 && h%16 == 0
	case KernelAVX2:
		return hasAVX2 && h > 0 && h%8 == 0
	}
	return k == KernelGo
}

// arsScanAsm runs an assembly kernel; the caller checked supported and the lengths.
func arsScanAsm(k Kernel, q, v, p, out []float32, c float32) {
	h, n := len(q), len(out)
	if n == 0 {
		return
	}
	if k == KernelAVX512 {
		arsScan512(&q[0], &v[0], &p[0], &out[0], h, n, c)
		return
	}
	arsScan256(&q[0], &v[0], &p[0], &out[0], h, n, c)
}

func arsTermsAsm(k Kernel, q, v, p, out []float32) {
	if k == KernelAVX512 {
		arsTerms512(&q[0], &v[0], &p[0], &out[0], len(q))
		return
	}
	arsTerms256(&q[0], &v[0], &p[0], &out[0], len(q))
}
