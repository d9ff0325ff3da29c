package nn

import "math"

// batch is a packed ("varlen") batch: the n sequences are concatenated without any
// padding, row r of every activation matrix is one real token. Token-wise layers run on
// the N = Σ len(s) rows; attention runs per (sequence, head) block of len×len scores.
// This is exactly what padding to the batch maximum and masking padded keys with −inf
// computes, minus all the work on padding.
type batch struct {
	n, rows int
	start   []int // first row of each sequence
	length  []int // tokens in each sequence
	pOff    []int // offset of each sequence's probabilities: heads·len² floats
	ids     []int // token id of each row
	pos     []int // position of each row inside its sequence
	typ     []int // token type of each row (nil: no types)
	maxLen  int
}

func newBatch(ids [][]int, heads int) *batch {
	b := &batch{n: len(ids), start: make([]int, len(ids)), length: make([]int, len(ids)), pOff: make([]int, len(ids)+1)}
	for s, seq := range ids {
		b.start[s], b.length[s] = b.rows, len(seq)
		b.rows += len(seq)
		b.pOff[s+1] = b.pOff[s] + heads*len(seq)*len(seq)
		b.maxLen = max(b.maxLen, len(seq))
		for t, id := range seq {
			b.ids = append(b.ids, id)
			b.pos = append(b.pos, t)
		}
	}
	return b
}

// withTypes sets the token types of a batch built from ids (types[s][t] for each token).
func (b *batch) withTypes(types [][]int) *batch {
	if types == nil {
		return b
	}
	b.typ = make([]int, 0, b.rows)
	for _, seq := range types {
		b.typ = append(b.typ, seq...)
	}
	return b
}

// attnForward computes multi-head scaled dot-product attention for every sequence:
// ctx_sh = softmax(Q_sh K_shᵀ/√dh) V_sh, with q, k, v, ctx packed rows×hid and head h in
// columns h·dh..(h+1)·dh. Probabilities are kept in p (layout given by b.pOff).
func attnForward[T Float](b *batch, heads, hid int, q, k, v, ctx, p []T) {
	dh := hid / heads
	scale := T(1 / math.Sqrt(float64(dh)))
	ws := make([]*gemmWS, parallelWorkers())
	for i := range ws {
		ws[i] = &gemmWS{}
	}
	parallelFor(b.n*heads, len(ws), func(w, item int) {
		s, h := item/heads, item%heads
		L, r0 := b.length[s], b.start[s]
		ps := p[b.pOff[s]+h*L*L : b.pOff[s]+(h+1)*L*L]
		off := r0*hid + h*dh
		gemm(false, true, L, L, dh, scale, q[off:], hid, k[off:], hid, 0, ps, L, false, ws[w])
		softmaxRows(ps, L)
		gemm(false, false, L, dh, L, 1, ps, L, v[off:], hid, 0, ctx[off:], hid, false, ws[w])
	})
}

// attnBackward writes dq, dk, dv (overwriting) from dctx. scratch holds one maxLen²
// buffer per worker.
func attnBackward[T Float](b *batch, heads, hid int, q, k, v, p, dctx, dq, dk, dv []T, scratch [][]T) {
	dh := hid / heads
	scale := T(1 / math.Sqrt(float64(dh)))
	ws := make([]*gemmWS, len(scratch))
	for i := range ws {
		ws[i] = &gemmWS{}
	}
	parallelFor(b.n*heads, len(scratch), func(w, item int) {
		s, h := item/heads, item%heads
		L, r0 := b.length[s], b.start[s]
		ps := p[b.pOff[s]+h*L*L : b.pOff[s]+(h+1)*L*L]
		off := r0*hid + h*dh
		dp := scratch[w][:L*L]
		gemm(false, true, L, L, dh, 1, dctx[off:], hid, v[off:], hid, 0, dp, L, false, ws[w])    // dP = dC Vᵀ
		gemm(true, false, L, dh, L, 1, ps, L, dctx[off:], hid, 0, dv[off:], hid, false, ws[w])   // dV = Pᵀ dC
		softmaxBack(ps, dp, L)                                                                   // dS
		gemm(false, false, L, dh, L, scale, dp, L, k[off:], hid, 0, dq[off:], hid, false, ws[w]) // dQ = dS K/√dh
		gemm(true, false, L, dh, L, scale, dp, L, q[off:], hid, 0, dk[off:], hid, false, ws[w])  // dK = dSᵀ Q/√dh
	})
}
