#include "textflag.h"

// func gelu512(n int, u, out, d *float32, k *[18]float32)
// gelu32 on n (a multiple of 16) floats, 16 at a time with AVX-512: the same rational
// tanh (tanh32) with FMAs and a true division. d == nil skips the derivative; d may
// alias u (each block is read before it is written).
// k: lim, −lim, c, c·κ, 3c·κ, ½, 1, p6..p0, q3..q0.
TEXT ·gelu512(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	MOVQ u+8(FP), SI
	MOVQ out+16(FP), DI
	MOVQ d+24(FP), R9
	MOVQ k+32(FP), AX
	SHRQ $4, CX
	JZ   gdone
	VBROADCASTSS 0(AX), Z12
	VBROADCASTSS 4(AX), Z13
	VBROADCASTSS 8(AX), Z14
	VBROADCASTSS 12(AX), Z15
	VBROADCASTSS 16(AX), Z16
	VBROADCASTSS 20(AX), Z17
	VBROADCASTSS 24(AX), Z18
	VBROADCASTSS 28(AX), Z19
	VBROADCASTSS 32(AX), Z20
	VBROADCASTSS 36(AX), Z21
	VBROADCASTSS 40(AX), Z22
	VBROADCASTSS 44(AX), Z23
	VBROADCASTSS 48(AX), Z24
	VBROADCASTSS 52(AX), Z25
	VBROADCASTSS 56(AX), Z26
	VBROADCASTSS 60(AX), Z27
	VBROADCASTSS 64(AX), Z28
	VBROADCASTSS 68(AX), Z29
	VPXORD       Z11, Z11, Z11
	VSUBPS       Z18, Z11, Z11       // −1

gloop:
	VMOVUPS      (SI), Z0
	VMULPS       Z0, Z0, Z1          // x²
	VMOVAPS      Z15, Z2
	VFMADD213PS  Z14, Z1, Z2         // c + cκx²
	VMULPS       Z0, Z2, Z2          // y
	VCMPPS       $13, Z12, Z2, K1    // y ≥ lim: t = 1 exactly (as tanh32 rounds there)
	VCMPPS       $2, Z13, Z2, K2     // y ≤ −lim: t = −1
	VMINPS       Z12, Z2, Z2
	VMAXPS       Z13, Z2, Z2
	VMULPS       Z2, Z2, Z3          // y²
	VMOVAPS      Z19, Z4
	VFMADD213PS  Z20, Z3, Z4
	VFMADD213PS  Z21, Z3, Z4
	VFMADD213PS  Z22, Z3, Z4
	VFMADD213PS  Z23, Z3, Z4
	VFMADD213PS  Z24, Z3, Z4
	VFMADD213PS  Z25, Z3, Z4         // p(y²)
	VMOVAPS      Z26, Z5
	VFMADD213PS  Z27, Z3, Z5
	VFMADD213PS  Z28, Z3, Z5
	VFMADD213PS  Z29, Z3, Z5         // q(y²)
	VMULPS       Z2, Z4, Z4
	VDIVPS       Z5, Z4, Z6          // t = y·p/q
	VMOVAPS      Z18, K1, Z6
	VMOVAPS      Z11, K2, Z6
	VMULPS       Z17, Z0, Z7         // ½x
	VMOVAPS      Z7, Z8
	VFMADD213PS  Z7, Z6, Z8          // ½x + ½x·t
	VMOVUPS      Z8, (DI)
	TESTQ        R9, R9
	JZ           gnext
	VMOVAPS      Z17, Z9
	VFMADD213PS  Z17, Z6, Z9         // ½ + ½t
	VMOVAPS      Z18, Z8
	VFNMADD231PS Z6, Z6, Z8          // 1 − t²
	VMULPS       Z7, Z8, Z8          // ½x(1 − t²)
	VMOVAPS      Z16, Z10
	VFMADD213PS  Z14, Z1, Z10        // c(1 + 3κx²)
	VFMADD231PS  Z10, Z8, Z9
	VMOVUPS      Z9, (R9)
	ADDQ         $64, R9

gnext:
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  gloop

gdone:
	VZEROUPPER
	RET

// func softmax512(n int, row *float32, k *[10]float32)
// Softmax of one row of n (a multiple of 16) floats in place: max, eˣ⁻ᵐᵃˣ with the
// exp32 algorithm (Cody–Waite reduction, degree-6 Taylor polynomial, VSCALEFPS for 2ᵏ,
// arguments clamped at −88), a 16-lane float32 sum reduced in a fixed order, then a
// multiply by 1/sum.
// k: log2e, ln2hi, ln2lo, 1/720, 1/120, 1/24, 1/6, ½, 1, −88.
TEXT ·softmax512(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ row+8(FP), SI
	MOVQ k+16(FP), AX
	SHRQ $4, CX
	JZ   sdone
	VBROADCASTSS 0(AX), Z20
	VBROADCASTSS 4(AX), Z21
	VBROADCASTSS 8(AX), Z22
	VBROADCASTSS 12(AX), Z23
	VBROADCASTSS 16(AX), Z24
	VBROADCASTSS 20(AX), Z25
	VBROADCASTSS 24(AX), Z26
	VBROADCASTSS 28(AX), Z27
	VBROADCASTSS 32(AX), Z28
	VBROADCASTSS 36(AX), Z29

	// max
	MOVQ    SI, DI
	MOVQ    CX, BX
	VMOVUPS (DI), Z0
smax:
	VMAXPS (DI), Z0, Z0
	ADDQ   $64, DI
	DECQ   BX
	JNZ    smax
	VEXTRACTF32X8 $1, Z0, Y1
	VMAXPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0x4e, X0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0xb1, X0, X1
	VMAXPS        X1, X0, X0
	VBROADCASTSS  X0, Z30               // row max

	// exp and sum
	VPXORD Z31, Z31, Z31
	MOVQ   SI, DI
	MOVQ   CX, BX
sexp:
	VMOVUPS      (DI), Z0
	VSUBPS       Z30, Z0, Z0
	VMAXPS       Z29, Z0, Z0            // x ≥ −88
	VMULPS       Z20, Z0, Z1
	VRNDSCALEPS  $0, Z1, Z1             // k = round(x·log2e)
	VFNMADD231PS Z21, Z1, Z0            // r = x − k·ln2hi
	VFNMADD231PS Z22, Z1, Z0            // r −= k·ln2lo
	VMOVAPS      Z23, Z2
	VFMADD213PS  Z24, Z0, Z2
	VFMADD213PS  Z25, Z0, Z2
	VFMADD213PS  Z26, Z0, Z2
	VFMADD213PS  Z27, Z0, Z2
	VFMADD213PS  Z28, Z0, Z2
	VFMADD213PS  Z28, Z0, Z2            // 1 + r(1 + r(½ + …))
	VSCALEFPS    Z1, Z2, Z2             // ·2ᵏ
	VMOVUPS      Z2, (DI)
	VADDPS       Z2, Z31, Z31
	ADDQ         $64, DI
	DECQ         BX
	JNZ          sexp
	VEXTRACTF32X8 $1, Z31, Y1
	VADDPS        Y1, Y31, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VPERMILPS     $0x4e, X0, X1
	VADDPS        X1, X0, X0
	VPERMILPS     $0xb1, X0, X1
	VADDPS        X1, X0, X0
	VBROADCASTSS  X0, Z1
	VDIVPS        Z1, Z28, Z1           // 1/sum

	MOVQ SI, DI
snorm:
	VMULPS  (DI), Z1, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	DECQ    CX
	JNZ     snorm

sdone:
	VZEROUPPER
	RET

// func vadd512(n int, dst, src *float32)
// dst[i] += src[i] for n (a multiple of 16) floats.
TEXT ·vadd512(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ dst+8(FP), DI
	MOVQ src+16(FP), SI
	SHRQ $4, CX
	JZ   vadone
valoop:
	VMOVUPS (DI), Z0
	VADDPS  (SI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	DECQ    CX
	JNZ     valoop
vadone:
	VZEROUPPER
	RET

// func vmul512(n int, dst, src *float32)
// dst[i] *= src[i] for n (a multiple of 16) floats.
TEXT ·vmul512(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ dst+8(FP), DI
	MOVQ src+16(FP), SI
	SHRQ $4, CX
	JZ   vmdone
vmloop:
	VMOVUPS (DI), Z0
	VMULPS  (SI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	DECQ    CX
	JNZ     vmloop
vmdone:
	VZEROUPPER
	RET

// func vscale512(n int, dst, src *float32, alpha float32)
// dst[i] = alpha·src[i] for n (a multiple of 16) floats.
TEXT ·vscale512(SB), NOSPLIT, $0-28
	MOVQ n+0(FP), CX
	MOVQ dst+8(FP), DI
	MOVQ src+16(FP), SI
	VBROADCASTSS alpha+24(FP), Z1
	SHRQ $4, CX
	JZ   vsdone
vsloop:
	VMULPS  (SI), Z1, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	DECQ    CX
	JNZ     vsloop
vsdone:
	VZEROUPPER
	RET
