package nn

import "golang.org/x/sys/cpu"

//go:generate sh -c "/usr/bin/python3 kernel_gen.py 12 > kernel_amd64.s"

// mr512 is the AVX-512 micro-tile height (kernel_gen.py's argument).
// Chosen by measurement on Zen 5 (GFLOP/cpu-s, 6 interleaved rounds on the three
// encoder shapes): 12 rows ≈ +4 % over 14 on 4096×256×256, equal on the others; 8 and
// 10 rows no better.
const mr512 = 12

// detectPath picks the fastest micro-kernel the CPU (and OS) supports. x/sys/cpu
// reports AVX-512 only when the OS saves the ZMM state. The AVX-512 path needs F, DQ
// and VL (the element-wise kernels in ops_amd64.s use DQ and VL instructions).
func detectPath() kernelPath {
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL && cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return pathAVX512
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return pathAVX2
	}
	return pathGo
}

// pathSupported reports whether this CPU can run path p (tests force each one).
func pathSupported(p kernelPath) bool { return p <= detectPath() }

//go:noescape
func kern256r6(kc int, a, b, c *float32, ldc, store int)

//go:noescape
func kern256c6(kc int, a, b, c *float32, ldc, store int)

//go:noescape
func kern512r12(kc int, a, b, c *float32, ldc, store int)

//go:noescape
func kern512c12(kc int, a, b, c *float32, ldc, store int)

// runKernel computes one full mr×nr tile of C at c[0] (row stride ldc) from packed
// panels; see kernelGo for the contract. Callers guarantee the slice bounds.
func runKernel(p kernelPath, rowA bool, kc int, ap, bp, c []float32, ldc int, store bool) {
	g := tileGeom(p)
	_ = ap[g.apLen(rowA, kc)-1]
	_ = bp[kc*g.nr-1]
	_ = c[(g.mr-1)*ldc+g.nr-1]
	st := 0
	if store {
		st = 1
	}
	switch {
	case p == pathAVX512 && rowA:
		kern512r12(kc, &ap[0], &bp[0], &c[0], ldc, st)
	case p == pathAVX512:
		kern512c12(kc, &ap[0], &bp[0], &c[0], ldc, st)
	case p == pathAVX2 && rowA:
		kern256r6(kc, &ap[0], &bp[0], &c[0], ldc, st)
	case p == pathAVX2:
		kern256c6(kc, &ap[0], &bp[0], &c[0], ldc, st)
	default:
		kernelGo(rowA, kc, ap, bp, c, ldc, store)
	}
}

//go:noescape
func kern512d12(kc int, a *float32, lda int, b, c *float32, ldc, store int)

// directA reports whether the AVX-512 kernel may read an unpacked row-major A with row
// stride lda (alpha = 1, full panels). Strides that are a multiple of 1024 floats are
// packed instead: their 12 rows would share one L1 set (12 ways) and thrash it.
func directA(p kernelPath, lda int) bool { return p == pathAVX512 && lda%1024 != 0 }

// runKernelDirect is runKernel on an unpacked A: a[i*lda+p] for the tile's mr rows.
func runKernelDirect(kc int, a []float32, lda int, bp, c []float32, ldc int, store bool) {
	_ = a[(mr512-1)*lda+kc-1]
	_ = bp[kc*32-1]
	_ = c[(mr512-1)*ldc+31]
	st := 0
	if store {
		st = 1
	}
	kern512d12(kc, &a[0], lda, &bp[0], &c[0], ldc, st)
}

//go:noescape
func packRows12(kc int, src *float32, lds int, dst *float32)

//go:noescape
func packRows32(kc int, src *float32, lds int, dst *float32)

// packStrided copies kc segments of w floats, lds apart in src, densely into dst
// (dst[p*w+i] = src[p*lds+i]) with the AVX-512 copy loops for w = 12 and 32; it reports
// false (and copies nothing) for other widths or off the AVX-512 path.
func packStrided(p kernelPath, kc, w int, src []float32, lds int, dst []float32) bool {
	if p != pathAVX512 || kc == 0 || (w != 12 && w != 32) {
		return false
	}
	_ = src[(kc-1)*lds+w-1]
	_ = dst[kc*w-1]
	if w == 12 {
		packRows12(kc, &src[0], lds, &dst[0])
	} else {
		packRows32(kc, &src[0], lds, &dst[0])
	}
	return true
}

//go:noescape
func packCols32(kc int, src *float32, idx *[16]int32, hi int, dst *float32)

// packTransposed fills one full 32-wide B panel from a transposed B (dst[p*32+j] =
// src[j*lds+p]) with AVX-512 gathers; false (nothing copied) off the AVX-512 path or
// when the offsets do not fit the gather's 32-bit indices.
func packTransposed(p kernelPath, kc int, src []float32, lds int, dst []float32) bool {
	if p != pathAVX512 || kc == 0 || 32*lds >= 1<<28 {
		return false
	}
	_ = src[31*lds+kc-1]
	_ = dst[kc*32-1]
	var idx [16]int32
	for i := range idx {
		idx[i] = int32(i * lds)
	}
	packCols32(kc, &src[0], &idx, 16*lds*4, &dst[0])
	return true
}

//go:noescape
func kern512t12(kc int, a *float32, lda int, b, c *float32, ldc, store int)

// runKernelDirectT is runKernelDirect for a transposed A read in place: op(A)[i][p] =
// a[p*lda+i] for the tile's mr rows (the weight-gradient shape, alpha = 1).
func runKernelDirectT(kc int, a []float32, lda int, bp, c []float32, ldc int, store bool) {
	_ = a[(kc-1)*lda+mr512-1]
	_ = bp[kc*32-1]
	_ = c[(mr512-1)*ldc+31]
	st := 0
	if store {
		st = 1
	}
	kern512t12(kc, &a[0], lda, &bp[0], &c[0], ldc, st)
}
