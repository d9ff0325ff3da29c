#include "textflag.h"

// The ARS scan kernels: s = c + Σⱼ vⱼ·tanh(qⱼ·pⱼ) with the rational tanh of FastTanh
// (numerator and denominator by Horner with FMA, one division), vectorised over the
// dimensions j: 16 lanes (AVX-512) or 8 (AVX2). Each lane accumulates the rounded
// terms vⱼ·tanh(…) of its dimensions j ≡ lane in increasing j; the lanes are then
// added in a fixed tree. arsTerms* stores the same rounded terms, so Explain's terms
// are exactly the summands of the scan's score.

// tanhc: the constants of FastTanh, each repeated 8 times (32 bytes):
// 0 clamp, 1 −clamp, 2 a13, 3 a11, 4 a9, 5 a7, 6 a5, 7 a3, 8 a1, 9 b6, 10 b4, 11 b2, 12 b0.
DATA tanhc<>+0(SB)/4, $0x40fcf84f // clamp
DATA tanhc<>+4(SB)/4, $0x40fcf84f
DATA tanhc<>+8(SB)/4, $0x40fcf84f
DATA tanhc<>+12(SB)/4, $0x40fcf84f
DATA tanhc<>+16(SB)/4, $0x40fcf84f
DATA tanhc<>+20(SB)/4, $0x40fcf84f
DATA tanhc<>+24(SB)/4, $0x40fcf84f
DATA tanhc<>+28(SB)/4, $0x40fcf84f
DATA tanhc<>+32(SB)/4, $0xc0fcf84f // nclamp
DATA tanhc<>+36(SB)/4, $0xc0fcf84f
DATA tanhc<>+40(SB)/4, $0xc0fcf84f
DATA tanhc<>+44(SB)/4, $0xc0fcf84f
DATA tanhc<>+48(SB)/4, $0xc0fcf84f
DATA tanhc<>+52(SB)/4, $0xc0fcf84f
DATA tanhc<>+56(SB)/4, $0xc0fcf84f
DATA tanhc<>+60(SB)/4, $0xc0fcf84f
DATA tanhc<>+64(SB)/4, $0xa59f25c0 // a13
DATA tanhc<>+68(SB)/4, $0xa59f25c0
DATA tanhc<>+72(SB)/4, $0xa59f25c0
DATA tanhc<>+76(SB)/4, $0xa59f25c0
DATA tanhc<>+80(SB)/4, $0xa59f25c0
DATA tanhc<>+84(SB)/4, $0xa59f25c0
DATA tanhc<>+88(SB)/4, $0xa59f25c0
DATA tanhc<>+92(SB)/4, $0xa59f25c0
DATA tanhc<>+96(SB)/4, $0x2a61337e // a11
DATA tanhc<>+100(SB)/4, $0x2a61337e
DATA tanhc<>+104(SB)/4, $0x2a61337e
DATA tanhc<>+108(SB)/4, $0x2a61337e
DATA tanhc<>+112(SB)/4, $0x2a61337e
DATA tanhc<>+116(SB)/4, $0x2a61337e
DATA tanhc<>+120(SB)/4, $0x2a61337e
DATA tanhc<>+124(SB)/4, $0x2a61337e
DATA tanhc<>+128(SB)/4, $0xaebd37ff // a9
DATA tanhc<>+132(SB)/4, $0xaebd37ff
DATA tanhc<>+136(SB)/4, $0xaebd37ff
DATA tanhc<>+140(SB)/4, $0xaebd37ff
DATA tanhc<>+144(SB)/4, $0xaebd37ff
DATA tanhc<>+148(SB)/4, $0xaebd37ff
DATA tanhc<>+152(SB)/4, $0xaebd37ff
DATA tanhc<>+156(SB)/4, $0xaebd37ff
DATA tanhc<>+160(SB)/4, $0x335c0041 // a7
DATA tanhc<>+164(SB)/4, $0x335c0041
DATA tanhc<>+168(SB)/4, $0x335c0041
DATA tanhc<>+172(SB)/4, $0x335c0041
DATA tanhc<>+176(SB)/4, $0x335c0041
DATA tanhc<>+180(SB)/4, $0x335c0041
DATA tanhc<>+184(SB)/4, $0x335c0041
DATA tanhc<>+188(SB)/4, $0x335c0041
DATA tanhc<>+192(SB)/4, $0x3779434a // a5
DATA tanhc<>+196(SB)/4, $0x3779434a
DATA tanhc<>+200(SB)/4, $0x3779434a
DATA tanhc<>+204(SB)/4, $0x3779434a
DATA tanhc<>+208(SB)/4, $0x3779434a
DATA tanhc<>+212(SB)/4, $0x3779434a
DATA tanhc<>+216(SB)/4, $0x3779434a
DATA tanhc<>+220(SB)/4, $0x3779434a
DATA tanhc<>+224(SB)/4, $0x3a270ded // a3
DATA tanhc<>+228(SB)/4, $0x3a270ded
DATA tanhc<>+232(SB)/4, $0x3a270ded
DATA tanhc<>+236(SB)/4, $0x3a270ded
DATA tanhc<>+240(SB)/4, $0x3a270ded
DATA tanhc<>+244(SB)/4, $0x3a270ded
DATA tanhc<>+248(SB)/4, $0x3a270ded
DATA tanhc<>+252(SB)/4, $0x3a270ded
DATA tanhc<>+256(SB)/4, $0x3ba059dc // a1
DATA tanhc<>+260(SB)/4, $0x3ba059dc
DATA tanhc<>+264(SB)/4, $0x3ba059dc
DATA tanhc<>+268(SB)/4, $0x3ba059dc
DATA tanhc<>+272(SB)/4, $0x3ba059dc
DATA tanhc<>+276(SB)/4, $0x3ba059dc
DATA tanhc<>+280(SB)/4, $0x3ba059dc
DATA tanhc<>+284(SB)/4, $0x3ba059dc
DATA tanhc<>+288(SB)/4, $0x35a0d3d8 // b6
DATA tanhc<>+292(SB)/4, $0x35a0d3d8
DATA tanhc<>+296(SB)/4, $0x35a0d3d8
DATA tanhc<>+300(SB)/4, $0x35a0d3d8
DATA tanhc<>+304(SB)/4, $0x35a0d3d8
DATA tanhc<>+308(SB)/4, $0x35a0d3d8
DATA tanhc<>+312(SB)/4, $0x35a0d3d8
DATA tanhc<>+316(SB)/4, $0x35a0d3d8
DATA tanhc<>+320(SB)/4, $0x38f895d6 // b4
DATA tanhc<>+324(SB)/4, $0x38f895d6
DATA tanhc<>+328(SB)/4, $0x38f895d6
DATA tanhc<>+332(SB)/4, $0x38f895d6
DATA tanhc<>+336(SB)/4, $0x38f895d6
DATA tanhc<>+340(SB)/4, $0x38f895d6
DATA tanhc<>+344(SB)/4, $0x38f895d6
DATA tanhc<>+348(SB)/4, $0x38f895d6
DATA tanhc<>+352(SB)/4, $0x3b14aa05 // b2
DATA tanhc<>+356(SB)/4, $0x3b14aa05
DATA tanhc<>+360(SB)/4, $0x3b14aa05
DATA tanhc<>+364(SB)/4, $0x3b14aa05
DATA tanhc<>+368(SB)/4, $0x3b14aa05
DATA tanhc<>+372(SB)/4, $0x3b14aa05
DATA tanhc<>+376(SB)/4, $0x3b14aa05
DATA tanhc<>+380(SB)/4, $0x3b14aa05
DATA tanhc<>+384(SB)/4, $0x3ba059dd // b0
DATA tanhc<>+388(SB)/4, $0x3ba059dd
DATA tanhc<>+392(SB)/4, $0x3ba059dd
DATA tanhc<>+396(SB)/4, $0x3ba059dd
DATA tanhc<>+400(SB)/4, $0x3ba059dd
DATA tanhc<>+404(SB)/4, $0x3ba059dd
DATA tanhc<>+408(SB)/4, $0x3ba059dd
DATA tanhc<>+412(SB)/4, $0x3ba059dd
GLOBL tanhc<>(SB), RODATA|NOPTR, $416

// TANH512: Z0 = x (clamped) → Z2 = tanh(x); uses Z1, Z3 and the constants in Z18..Z28.
#define TANH512 \
	VMULPS      Z0, Z0, Z1 \
	VMOVAPS     Z18, Z2 \
	VFMADD213PS Z19, Z1, Z2 \
	VFMADD213PS Z20, Z1, Z2 \
	VFMADD213PS Z21, Z1, Z2 \
	VFMADD213PS Z22, Z1, Z2 \
	VFMADD213PS Z23, Z1, Z2 \
	VFMADD213PS Z24, Z1, Z2 \
	VMULPS      Z0, Z2, Z2 \
	VMOVAPS     Z25, Z3 \
	VFMADD213PS Z26, Z1, Z3 \
	VFMADD213PS Z27, Z1, Z3 \
	VFMADD213PS Z28, Z1, Z3 \
	VDIVPS      Z3, Z2, Z2

// CLAMP512: Z0 = min(max(Z0, −clamp), clamp); NaN stays NaN (it is the second source).
#define CLAMP512 \
	VMAXPS Z0, Z17, Z0 \
	VMINPS Z0, Z16, Z0

#define LOADC512 \
	VBROADCASTSS tanhc<>+0(SB), Z16 \
	VBROADCASTSS tanhc<>+32(SB), Z17 \
	VBROADCASTSS tanhc<>+64(SB), Z18 \
	VBROADCASTSS tanhc<>+96(SB), Z19 \
	VBROADCASTSS tanhc<>+128(SB), Z20 \
	VBROADCASTSS tanhc<>+160(SB), Z21 \
	VBROADCASTSS tanhc<>+192(SB), Z22 \
	VBROADCASTSS tanhc<>+224(SB), Z23 \
	VBROADCASTSS tanhc<>+256(SB), Z24 \
	VBROADCASTSS tanhc<>+288(SB), Z25 \
	VBROADCASTSS tanhc<>+320(SB), Z26 \
	VBROADCASTSS tanhc<>+352(SB), Z27 \
	VBROADCASTSS tanhc<>+384(SB), Z28

// func arsScan512(q, v, p, out *float32, h, n int, c float32)
// out[i] = c + Σⱼ v[j]·tanh(q[j]·p[i*h+j]) for i < n; h is a positive multiple of 16.
TEXT ·arsScan512(SB), NOSPLIT, $0-52
	MOVQ   q+0(FP), SI
	MOVQ   v+8(FP), BX
	MOVQ   p+16(FP), DI
	MOVQ   out+24(FP), DX
	MOVQ   h+32(FP), R9
	SHLQ   $2, R9
	MOVQ   n+40(FP), CX
	VMOVSS c+48(FP), X6
	LOADC512
	TESTQ  CX, CX
	JZ     done512

passage512:
	VPXORD Z4, Z4, Z4
	XORQ   AX, AX

dim512:
	VMOVUPS (DI)(AX*1), Z0
	VMULPS  (SI)(AX*1), Z0, Z0
	CLAMP512
	TANH512
	VMULPS  (BX)(AX*1), Z2, Z2
	VADDPS  Z2, Z4, Z4
	ADDQ    $64, AX
	CMPQ    AX, R9
	JLT     dim512

	VEXTRACTF64X4 $1, Z4, Y5
	VADDPS        Y5, Y4, Y4
	VEXTRACTF128  $1, Y4, X5
	VADDPS        X5, X4, X4
	VPERMILPS     $0x4e, X4, X5
	VADDPS        X5, X4, X4
	VPERMILPS     $0xb1, X4, X5
	VADDSS        X5, X4, X4
	VADDSS        X4, X6, X4
	VMOVSS        X4, (DX)
	ADDQ          R9, DI
	ADDQ          $4, DX
	DECQ          CX
	JNZ           passage512

done512:
	VZEROUPPER
	RET

// func arsTerms512(q, v, p, out *float32, h int)
// out[j] = v[j]·tanh(q[j]·p[j]) for j < h, rounded as arsScan512 rounds its summands.
TEXT ·arsTerms512(SB), NOSPLIT, $0-40
	MOVQ q+0(FP), SI
	MOVQ v+8(FP), BX
	MOVQ p+16(FP), DI
	MOVQ out+24(FP), DX
	MOVQ h+32(FP), R9
	SHLQ $2, R9
	LOADC512
	XORQ AX, AX
	TESTQ R9, R9
	JZ   tdone512

tdim512:
	VMOVUPS (DI)(AX*1), Z0
	VMULPS  (SI)(AX*1), Z0, Z0
	CLAMP512
	TANH512
	VMULPS  (BX)(AX*1), Z2, Z2
	VMOVUPS Z2, (DX)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R9
	JLT     tdim512

tdone512:
	VZEROUPPER
	RET

// TANH256: Y0 = x (clamped) → Y2 = tanh(x); uses Y1, Y3, the constants in Y8..Y15
// (a13 … b6) and b4, b2, b0 from memory.
#define TANH256 \
	VMULPS      Y0, Y0, Y1 \
	VMOVAPS     Y8, Y2 \
	VFMADD213PS Y9, Y1, Y2 \
	VFMADD213PS Y10, Y1, Y2 \
	VFMADD213PS Y11, Y1, Y2 \
	VFMADD213PS Y12, Y1, Y2 \
	VFMADD213PS Y13, Y1, Y2 \
	VFMADD213PS Y14, Y1, Y2 \
	VMULPS      Y0, Y2, Y2 \
	VMOVAPS     Y15, Y3 \
	VFMADD213PS tanhc<>+320(SB), Y1, Y3 \
	VFMADD213PS tanhc<>+352(SB), Y1, Y3 \
	VFMADD213PS tanhc<>+384(SB), Y1, Y3 \
	VDIVPS      Y3, Y2, Y2

#define CLAMP256 \
	VMAXPS Y0, Y7, Y0 \
	VMINPS Y0, Y6, Y0

#define LOADC256 \
	VMOVUPS tanhc<>+0(SB), Y6 \
	VMOVUPS tanhc<>+32(SB), Y7 \
	VMOVUPS tanhc<>+64(SB), Y8 \
	VMOVUPS tanhc<>+96(SB), Y9 \
	VMOVUPS tanhc<>+128(SB), Y10 \
	VMOVUPS tanhc<>+160(SB), Y11 \
	VMOVUPS tanhc<>+192(SB), Y12 \
	VMOVUPS tanhc<>+224(SB), Y13 \
	VMOVUPS tanhc<>+256(SB), Y14 \
	VMOVUPS tanhc<>+288(SB), Y15

// func arsScan256(q, v, p, out *float32, h, n int, c float32)
// arsScan512 with AVX2 + FMA; h is a positive multiple of 8.
TEXT ·arsScan256(SB), NOSPLIT, $0-52
	MOVQ  q+0(FP), SI
	MOVQ  v+8(FP), BX
	MOVQ  p+16(FP), DI
	MOVQ  out+24(FP), DX
	MOVQ  h+32(FP), R9
	SHLQ  $2, R9
	MOVQ  n+40(FP), CX
	LOADC256
	TESTQ CX, CX
	JZ    done256

passage256:
	VXORPS Y4, Y4, Y4
	XORQ   AX, AX

dim256:
	VMOVUPS (DI)(AX*1), Y0
	VMULPS  (SI)(AX*1), Y0, Y0
	CLAMP256
	TANH256
	VMULPS  (BX)(AX*1), Y2, Y2
	VADDPS  Y2, Y4, Y4
	ADDQ    $32, AX
	CMPQ    AX, R9
	JLT     dim256

	VEXTRACTF128 $1, Y4, X5
	VADDPS       X5, X4, X4
	VPERMILPS    $0x4e, X4, X5
	VADDPS       X5, X4, X4
	VPERMILPS    $0xb1, X4, X5
	VADDSS       X5, X4, X4
	VMOVSS       c+48(FP), X5
	VADDSS       X4, X5, X4
	VMOVSS       X4, (DX)
	ADDQ         R9, DI
	ADDQ         $4, DX
	DECQ         CX
	JNZ          passage256

done256:
	VZEROUPPER
	RET

// func arsTerms256(q, v, p, out *float32, h int)
TEXT ·arsTerms256(SB), NOSPLIT, $0-40
	MOVQ q+0(FP), SI
	MOVQ v+8(FP), BX
	MOVQ p+16(FP), DI
	MOVQ out+24(FP), DX
	MOVQ h+32(FP), R9
	SHLQ $2, R9
	LOADC256
	XORQ AX, AX
	TESTQ R9, R9
	JZ   tdone256

tdim256:
	VMOVUPS (DI)(AX*1), Y0
	VMULPS  (SI)(AX*1), Y0, Y0
	CLAMP256
	TANH256
	VMULPS  (BX)(AX*1), Y2, Y2
	VMOVUPS Y2, (DX)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, R9
	JLT     tdim256

tdone256:
	VZEROUPPER
	RET
