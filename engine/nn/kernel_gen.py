#!/usr/bin/python3
"""Generates kernel_amd64.s: the GEMM micro-kernels (go generate ./engine/nn).

Every kernel computes one mr×nr tile  C (=|+=) Σ_p op(A)[i,p]·op(B)[p,j]  over one
k-block from packed panels. The sum starts from zero and runs over p in order with one
FMA per step, so all kernels (any tile shape, AVX2 or AVX-512) give bit-identical sums.
Packed B: b[p*nr + j]. Packed A, layout "r" (row-major): a[i*KC + p] with the fixed
row stride KC = kcBlock floats; layout "c" (p-major): a[p*mr + i].
Arguments: (kc int, a, b, c *float32, ldc, store int); C rows are ldc floats apart;
store ≠ 0 overwrites the tile, store = 0 adds to it.
"""
import sys

KC = 256  # must equal kcBlock in gemm.go


def header(name, mr, nr, lay, regs):
    return [
        f"// func {name}(kc int, a, b, c *float32, ldc, store int)",
        f"// {mr}×{nr} tile, packed A layout {lay!r}, {regs}.",
        f"TEXT ·{name}(SB), NOSPLIT, $0-48",
        "\tMOVQ kc+0(FP), CX", "\tMOVQ a+8(FP), SI", "\tMOVQ b+16(FP), DI",
        "\tMOVQ c+24(FP), DX", "\tMOVQ ldc+32(FP), R8", "\tSHLQ $2, R8", "\tMOVQ store+40(FP), R9",
    ]


def prefetch_c(mr, vecs, width):
    """PREFETCHT0 every cache line of the C tile (rows R8 bytes apart) before the k-loop,
    so the epilogue's loads (and stores) of C do not stall on L3/DRAM."""
    out = ["\tMOVQ DX, BX"]
    lines = (vecs * width + 63) // 64
    for i in range(mr):
        for l in range(lines):
            out.append(f"\tPREFETCHT0 {l * 64}(BX)")
        if i < mr - 1:
            out.append("\tADDQ R8, BX")
    return out


def adisp(lay, mr, u, i):
    return i * KC * 4 + u * 4 if lay == "r" else (u * mr + i) * 4


def epilogue(mr, vecs, reg, width, add):
    out = ["\tCMPQ R9, $0", "\tJNE store"]
    for i in range(mr):
        for v in range(vecs):
            r = f"{reg}{vecs * i + v}"
            out.append(f"\t{add} {v * width}(DX), {r}, {r}")
            out.append(f"\tVMOVUPS {r}, {v * width}(DX)")
        if i < mr - 1:
            out.append("\tADDQ R8, DX")
    out += ["\tVZEROUPPER", "\tRET", "store:"]
    for i in range(mr):
        for v in range(vecs):
            out.append(f"\tVMOVUPS {reg}{vecs * i + v}, {v * width}(DX)")
        if i < mr - 1:
            out.append("\tADDQ R8, DX")
    out += ["\tVZEROUPPER", "\tRET", ""]
    return out


def kernel(isa, mr, lay):
    if isa == "avx512":
        reg, width, nr, zero = "Z", 64, 32, "VPXORD"
    else:
        reg, width, nr, zero = "Y", 32, 16, "VXORPS"
    vecs = nr * 4 // width
    na = vecs * mr
    breg = [na + v for v in range(vecs)]
    bc = list(range(na + vecs, 32 if isa == "avx512" else 16))
    name = f"kern{'512' if isa == 'avx512' else '256'}{lay}{mr}"
    L = header(name, mr, nr, lay, f"{na} accumulators")
    if isa == "avx512":
        L += prefetch_c(mr, vecs, width)
    L += [f"\t{zero} {reg}{i}, {reg}{i}, {reg}{i}" for i in range(na)]

    def body(u):
        out = [f"\tVMOVUPS {(u * nr + v * width // 4) * 4}(DI), {reg}{breg[v]}" for v in range(vecs)]
        for i in range(mr):
            r = f"{reg}{bc[i % len(bc)]}"
            out.append(f"\tVBROADCASTSS {adisp(lay, mr, u, i)}(SI), {r}")
            for v in range(vecs):
                out.append(f"\tVFMADD231PS {reg}{breg[v]}, {r}, {reg}{vecs * i + v}")
        return out

    ainc = 8 if lay == "r" else mr * 8
    L += ["\tMOVQ CX, BX", "\tSHRQ $1, CX", "\tJZ tail", "loop:"]
    L += body(0) + body(1)
    L += [f"\tADDQ ${ainc}, SI", f"\tADDQ ${nr * 8}, DI", "\tDECQ CX", "\tJNZ loop",
          "tail:", "\tANDQ $1, BX", "\tJZ done"]
    L += body(0)
    L += ["done:"]
    L += epilogue(mr, vecs, reg, width, "VADDPS")
    return "\n".join(L)


# Direct A (layout "d", AVX-512 only): the kernel reads op(A) rows straight from the
# row-major A (row stride lda floats, alpha = 1), with no packing. Row i is addressed from
# one of five base registers plus the index register R10 = lda·4 scaled by 1, 2, 4 or 8.
DIRECT_ROWS = {  # row: (base, scale) with bases SI = row 0, R11 = row 3, R12 = row 6, R13 = row 9, AX = row 12
    0: ("SI", 0), 1: ("SI", 1), 2: ("SI", 2), 4: ("SI", 4), 8: ("SI", 8),
    3: ("R11", 0), 5: ("R11", 2), 7: ("R11", 4), 11: ("R11", 8),
    6: ("R12", 0), 10: ("R12", 4), 9: ("R13", 0), 13: ("R13", 4), 12: ("AX", 0),
}


def direct_kernel(mr):
    assert mr <= 14  # DIRECT_ROWS covers rows 0..13
    vecs, nr, width, reg = 2, 32, 64, "Z"
    na = vecs * mr
    breg = [na, na + 1]
    bc = list(range(na + 2, 32))
    name = f"kern512d{mr}"
    L = [
        f"// func {name}(kc int, a *float32, lda int, b, c *float32, ldc, store int)",
        f"// {mr}×{nr} tile reading A directly (row stride lda floats), {na} accumulators.",
        f"TEXT ·{name}(SB), NOSPLIT, $0-56",
        "\tMOVQ kc+0(FP), CX", "\tMOVQ a+8(FP), SI", "\tMOVQ lda+16(FP), R10", "\tSHLQ $2, R10",
        "\tMOVQ b+24(FP), DI", "\tMOVQ c+32(FP), DX", "\tMOVQ ldc+40(FP), R8", "\tSHLQ $2, R8",
        "\tMOVQ store+48(FP), R9",
        "\tLEAQ (SI)(R10*2), R11", "\tADDQ R10, R11",  # row 3
        "\tLEAQ (R11)(R10*2), R12", "\tADDQ R10, R12",  # row 6
        "\tLEAQ (R12)(R10*2), R13", "\tADDQ R10, R13",  # row 9
        "\tLEAQ (R13)(R10*2), AX", "\tADDQ R10, AX",  # row 12
    ]
    L += prefetch_c(mr, vecs, width)
    L += [f"\tVPXORD Z{i}, Z{i}, Z{i}" for i in range(na)]

    def addr(i, u):
        base, sc = DIRECT_ROWS[i]
        d = u * 4
        return f"{d}({base})" if sc == 0 else f"{d}({base})(R10*{sc})"

    def body(u):
        out = [f"\tVMOVUPS {(u * nr + v * 16) * 4}(DI), Z{breg[v]}" for v in range(vecs)]
        for i in range(mr):
            r = f"Z{bc[i % len(bc)]}"
            out.append(f"\tVBROADCASTSS {addr(i, u)}, {r}")
            for v in range(vecs):
                out.append(f"\tVFMADD231PS Z{breg[v]}, {r}, Z{vecs * i + v}")
        return out

    L += ["\tMOVQ CX, BX", "\tSHRQ $1, CX", "\tJZ tail", "loop:"]
    L += body(0) + body(1)
    L += ["\tADDQ $8, SI", "\tADDQ $8, R11", "\tADDQ $8, R12", "\tADDQ $8, R13", "\tADDQ $8, AX",
          f"\tADDQ ${nr * 8}, DI", "\tDECQ CX", "\tJNZ loop", "tail:", "\tANDQ $1, BX", "\tJZ done"]
    L += body(0)
    L += ["done:"]
    L += epilogue(mr, vecs, reg, width, "VADDPS")
    return "\n".join(L)


def direct_t_kernel(mr):
    """Layout "t" (AVX-512): op(A) = Aᵀ read in place, a[p*lda + i] (the weight-gradient
    shape Xᵀ·dY with alpha = 1): one contiguous mr-float segment per k-step."""
    vecs, nr, width = 2, 32, 64
    na = vecs * mr
    breg = [na, na + 1]
    bc = list(range(na + 2, 32))
    name = f"kern512t{mr}"
    L = [
        f"// func {name}(kc int, a *float32, lda int, b, c *float32, ldc, store int)",
        f"// {mr}×{nr} tile reading Aᵀ in place (a[p*lda+i], lda floats), {na} accumulators.",
        f"TEXT ·{name}(SB), NOSPLIT, $0-56",
        "\tMOVQ kc+0(FP), CX", "\tMOVQ a+8(FP), SI", "\tMOVQ lda+16(FP), R10", "\tSHLQ $2, R10",
        "\tMOVQ b+24(FP), DI", "\tMOVQ c+32(FP), DX", "\tMOVQ ldc+40(FP), R8", "\tSHLQ $2, R8",
        "\tMOVQ store+48(FP), R9",
    ]
    L += prefetch_c(mr, vecs, width)
    L += [f"\tVPXORD Z{i}, Z{i}, Z{i}" for i in range(na)]

    def body(u):
        out = [f"\tVMOVUPS {(u * nr + v * 16) * 4}(DI), Z{breg[v]}" for v in range(vecs)]
        for i in range(mr):
            r = f"Z{bc[i % len(bc)]}"
            a = f"{i * 4}(SI)" if u == 0 else f"{i * 4}(SI)(R10*1)"
            out.append(f"\tVBROADCASTSS {a}, {r}")
            for v in range(vecs):
                out.append(f"\tVFMADD231PS Z{breg[v]}, {r}, Z{vecs * i + v}")
        return out

    L += ["\tMOVQ CX, BX", "\tSHRQ $1, CX", "\tJZ tail", "loop:"]
    L += body(0) + body(1)
    L += ["\tLEAQ (SI)(R10*2), SI", f"\tADDQ ${nr * 8}, DI", "\tDECQ CX", "\tJNZ loop",
          "tail:", "\tANDQ $1, BX", "\tJZ done"]
    L += body(0)
    L += ["done:"]
    L += epilogue(mr, vecs, "Z", width, "VADDPS")
    return "\n".join(L)


def main():
    mr512 = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    print("// Code generated by kernel_gen.py; DO NOT EDIT.\n\n#include \"textflag.h\"\n")
    for lay in "rc":
        print(kernel("avx2", 6, lay))
    for lay in "rc":
        print(kernel("avx512", mr512, lay))
    print(direct_kernel(mr512))
    print(direct_t_kernel(mr512))


main()
