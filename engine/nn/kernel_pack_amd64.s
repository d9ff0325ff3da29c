#include "textflag.h"

// func packRows12(kc int, src *float32, lds int, dst *float32)
// dst[p*12 + i] = src[p*lds + i] for i < 12, p < kc: a transposed-A panel (tA), one
// 12-float row segment per k-step (no memmove call per segment).
TEXT ·packRows12(SB), NOSPLIT, $0-32
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $2, R8
	MOVQ dst+24(FP), DI
	TESTQ CX, CX
	JZ   p12done
p12loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), X1
	VMOVUPS Y0, (DI)
	VMOVUPS X1, 32(DI)
	ADDQ    R8, SI
	ADDQ    $48, DI
	DECQ    CX
	JNZ     p12loop
p12done:
	VZEROUPPER
	RET

// func packRows32(kc int, src *float32, lds int, dst *float32)
// dst[p*32 + j] = src[p*lds + j] for j < 32, p < kc: one full B panel.
TEXT ·packRows32(SB), NOSPLIT, $0-32
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $2, R8
	MOVQ dst+24(FP), DI
	TESTQ CX, CX
	JZ   p32done
p32loop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ    R8, SI
	ADDQ    $128, DI
	DECQ    CX
	JNZ     p32loop
p32done:
	VZEROUPPER
	RET
