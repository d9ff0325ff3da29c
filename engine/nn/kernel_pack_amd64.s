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

// func packCols32(kc int, src *float32, idx *[16]int32, hi int, dst *float32)
// dst[p*32 + j] = src[j*lds + p] for j < 32, p < kc (a B panel of a transposed B):
// two 16-lane gathers per k-step; idx[i] = i·lds and hi = 16·lds·4 bytes.
TEXT ·packCols32(SB), NOSPLIT, $0-40
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ idx+16(FP), AX
	MOVQ hi+24(FP), R8
	MOVQ dst+32(FP), DI
	TESTQ CX, CX
	JZ   pc32done
	VMOVDQU32 (AX), Z2
	LEAQ (SI)(R8*1), R9
pc32loop:
	KXNORW     K1, K1, K1
	KXNORW     K2, K2, K2
	VGATHERDPS (SI)(Z2*4), K1, Z0
	VGATHERDPS (R9)(Z2*4), K2, Z1
	VMOVUPS    Z0, (DI)
	VMOVUPS    Z1, 64(DI)
	ADDQ       $4, SI
	ADDQ       $4, R9
	ADDQ       $128, DI
	DECQ       CX
	JNZ        pc32loop
pc32done:
	VZEROUPPER
	RET
