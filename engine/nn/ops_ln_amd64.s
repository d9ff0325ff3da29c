#include "textflag.h"

// Horizontal sum of the 8 float64 lanes of Z0 into X0 (fixed order).
#define HSUMPD \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPD        Y1, Y0, Y0; \
	VEXTRACTF128  $1, Y0, X1; \
	VADDPD        X1, X0, X0; \
	VPERMILPD     $1, X0, X1; \
	VADDSD        X1, X0, X0

// func lnFwd512(n int, x, gamma, b, y, xh *float32, eps float64) (rstd float32)
// One LayerNorm row of n (a multiple of 16) floats: mean and variance summed in float64
// (8 lanes, reduced in a fixed order), xh = (x − mean)·rstd in float64, y = xh·g + b.
TEXT ·lnFwd512(SB), NOSPLIT, $0-60
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	SHRQ $4, CX
	// mean
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	MOVQ   SI, AX
	MOVQ   CX, BX
lnf1:
	VCVTPS2PD (AX), Z2
	VCVTPS2PD 32(AX), Z3
	VADDPD    Z2, Z4, Z4
	VADDPD    Z3, Z5, Z5
	ADDQ      $64, AX
	DECQ      BX
	JNZ       lnf1
	VADDPD    Z5, Z4, Z0
	HSUMPD
	MOVQ      n+0(FP), DX
	CVTSQ2SD  DX, X7              // n as float64
	VDIVSD    X7, X0, X6          // mean
	VBROADCASTSD X6, Z6
	// variance
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	MOVQ   SI, AX
	MOVQ   CX, BX
lnf2:
	VCVTPS2PD   (AX), Z2
	VCVTPS2PD   32(AX), Z3
	VSUBPD      Z6, Z2, Z2
	VSUBPD      Z6, Z3, Z3
	VFMADD231PD Z2, Z2, Z4
	VFMADD231PD Z3, Z3, Z5
	ADDQ        $64, AX
	DECQ        BX
	JNZ         lnf2
	VADDPD      Z5, Z4, Z0
	HSUMPD
	VDIVSD      X7, X0, X0        // var
	VADDSD      eps+48(FP), X0, X0
	VSQRTSD     X0, X0, X0
	MOVQ        $1, DX
	CVTSQ2SD    DX, X1
	VDIVSD      X0, X1, X0        // rstd
	VCVTSD2SS   X0, X0, X2
	MOVSS       X2, rstd+56(FP)
	VBROADCASTSD X0, Z7
	// normalise
	MOVQ gamma+16(FP), R8
	MOVQ b+24(FP), R9
	MOVQ y+32(FP), R10
	MOVQ xh+40(FP), R11
lnf3:
	VCVTPS2PD     (SI), Z2
	VCVTPS2PD     32(SI), Z3
	VSUBPD        Z6, Z2, Z2
	VSUBPD        Z6, Z3, Z3
	VMULPD        Z7, Z2, Z2
	VMULPD        Z7, Z3, Z3
	VCVTPD2PS     Z2, Y2
	VCVTPD2PS     Z3, Y3
	VINSERTF32X8  $1, Y3, Z2, Z2
	VMOVUPS       Z2, (R11)
	VMULPS        (R8), Z2, Z2
	VADDPS        (R9), Z2, Z2
	VMOVUPS       Z2, (R10)
	ADDQ          $64, SI
	ADDQ          $64, R8
	ADDQ          $64, R9
	ADDQ          $64, R10
	ADDQ          $64, R11
	DECQ          CX
	JNZ           lnf3
	VZEROUPPER
	RET

// func lnBwd512(n int, dy, xh, gamma, dx, dg, db *float32, rs float64)
// One LayerNorm backward row: dg += dy·xh, db += dy (float32), s1 = mean(dh),
// s2 = mean(dh·xh) in float64 with dh = dy·g, dx = rs·(dh − s1 − xh·s2).
TEXT ·lnBwd512(SB), NOSPLIT, $0-64
	MOVQ n+0(FP), CX
	MOVQ dy+8(FP), SI
	MOVQ xh+16(FP), DI
	MOVQ gamma+24(FP), R8
	MOVQ dg+40(FP), R10
	MOVQ db+48(FP), R11
	SHRQ $4, CX
	VPXORQ Z4, Z4, Z4             // s1 lanes
	VPXORQ Z5, Z5, Z5             // s2 lanes
	XORQ   AX, AX
	MOVQ   CX, BX
lnb1:
	VMOVUPS      (SI)(AX*1), Z8   // dy
	VMOVUPS      (DI)(AX*1), Z9   // xh
	VMULPS       Z9, Z8, Z10
	VADDPS       (R10)(AX*1), Z10, Z10
	VMOVUPS      Z10, (R10)(AX*1)
	VADDPS       (R11)(AX*1), Z8, Z10
	VMOVUPS      Z10, (R11)(AX*1)
	VMULPS       (R8)(AX*1), Z8, Z8   // dh (float32)
	VCVTPS2PD    Y8, Z2
	VEXTRACTF32X8 $1, Z8, Y3
	VCVTPS2PD    Y3, Z3
	VCVTPS2PD    Y9, Z12
	VEXTRACTF32X8 $1, Z9, Y13
	VCVTPS2PD    Y13, Z13
	VADDPD       Z2, Z4, Z4
	VADDPD       Z3, Z4, Z4
	VFMADD231PD  Z12, Z2, Z5
	VFMADD231PD  Z13, Z3, Z5
	ADDQ         $64, AX
	DECQ         BX
	JNZ          lnb1
	MOVQ         n+0(FP), DX
	CVTSQ2SD     DX, X7
	VMOVAPD      Z4, Z0
	HSUMPD
	VDIVSD       X7, X0, X0
	VBROADCASTSD X0, Z14          // s1
	VMOVAPD      Z5, Z0
	HSUMPD
	VDIVSD       X7, X0, X0
	VBROADCASTSD X0, Z15          // s2
	VBROADCASTSD rs+56(FP), Z11
	MOVQ         dx+32(FP), R9
	XORQ         AX, AX
lnb2:
	VMOVUPS       (SI)(AX*1), Z8
	VMULPS        (R8)(AX*1), Z8, Z8   // dh
	VMOVUPS       (DI)(AX*1), Z9
	VCVTPS2PD     Y8, Z2
	VEXTRACTF32X8 $1, Z8, Y3
	VCVTPS2PD     Y3, Z3
	VCVTPS2PD     Y9, Z12
	VEXTRACTF32X8 $1, Z9, Y13
	VCVTPS2PD     Y13, Z13
	VSUBPD        Z14, Z2, Z2
	VSUBPD        Z14, Z3, Z3
	VFNMADD231PD  Z15, Z12, Z2
	VFNMADD231PD  Z15, Z13, Z3
	VMULPD        Z11, Z2, Z2
	VMULPD        Z11, Z3, Z3
	VCVTPD2PS     Z2, Y2
	VCVTPD2PS     Z3, Y3
	VINSERTF32X8  $1, Y3, Z2, Z2
	VMOVUPS       Z2, (R9)(AX*1)
	ADDQ          $64, AX
	DECQ          CX
	JNZ           lnb2
	VZEROUPPER
	RET

// func softmaxBack512(n int, p, dp *float32)
// One row of the softmax backward pass, in place: dot = Σ p·dp (float32 products summed
// in float64, 8 lanes reduced in a fixed order), dp = p·(dp − dot) in float64.
TEXT ·softmaxBack512(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ p+8(FP), SI
	MOVQ dp+16(FP), DI
	SHRQ $4, CX
	JZ   sbdone
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	XORQ   AX, AX
	MOVQ   CX, BX
sb1:
	VMOVUPS       (SI)(AX*1), Z8
	VMULPS        (DI)(AX*1), Z8, Z8
	VCVTPS2PD     Y8, Z2
	VEXTRACTF32X8 $1, Z8, Y3
	VCVTPS2PD     Y3, Z3
	VADDPD        Z2, Z4, Z4
	VADDPD        Z3, Z5, Z5
	ADDQ          $64, AX
	DECQ          BX
	JNZ           sb1
	VADDPD        Z5, Z4, Z0
	HSUMPD
	VBROADCASTSD  X0, Z6          // dot
	XORQ          AX, AX
sb2:
	VCVTPS2PD     (SI)(AX*1), Z2
	VCVTPS2PD     32(SI)(AX*1), Z3
	VCVTPS2PD     (DI)(AX*1), Z12
	VCVTPS2PD     32(DI)(AX*1), Z13
	VSUBPD        Z6, Z12, Z12
	VSUBPD        Z6, Z13, Z13
	VMULPD        Z12, Z2, Z2
	VMULPD        Z13, Z3, Z3
	VCVTPD2PS     Z2, Y2
	VCVTPD2PS     Z3, Y3
	VINSERTF32X8  $1, Y3, Z2, Z2
	VMOVUPS       Z2, (DI)(AX*1)
	ADDQ          $64, AX
	DECQ          CX
	JNZ           sb2
sbdone:
	VZEROUPPER
	RET
