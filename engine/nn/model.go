package nn

// layerW views one transformer layer's tensors. Linear weights are stored in×out
// (row-major), so y = x·W + b.
type layerW[T Float] struct {
	qW, qB, kW, kB, vW, vB, oW, oB []T
	ln1G, ln1B                     []T
	w1, b1, w2, b2                 []T
	ln2G, ln2B                     []T
}

// model views all encoder tensors (weights or their gradients) in Params() order.
type model[T Float] struct {
	cfg      Config
	tok, pos []T
	typ      []T // token-type embeddings (nil without Config.TypeVocab)
	lnG, lnB []T
	layers   []layerW[T]
}

// bindModel slices bufs (one per tensor, in paramSpecs order) into a model view.
func bindModel[T Float](cfg Config, bufs [][]T) model[T] {
	m := model[T]{cfg: cfg, tok: bufs[0], pos: bufs[1], lnG: bufs[2], lnB: bufs[3]}
	i := 4
	for l := 0; l < cfg.Layers; l++ {
		b := bufs[i : i+perLayer]
		m.layers = append(m.layers, layerW[T]{
			qW: b[0], qB: b[1], kW: b[2], kB: b[3], vW: b[4], vB: b[5], oW: b[6], oB: b[7],
			ln1G: b[8], ln1B: b[9], w1: b[10], b1: b[11], w2: b[12], b2: b[13], ln2G: b[14], ln2B: b[15],
		})
		i += perLayer
	}
	if cfg.TypeVocab > 0 {
		m.typ = bufs[i]
	}
	return m
}

// perLayer is the number of tensors in one layer.
const perLayer = 16

// paramSpec names a tensor and its shape.
type paramSpec struct {
	name    string
	shape   []int
	noDecay bool
	ones    bool // LayerNorm gain: initialised to 1
	zeros   bool // biases, LayerNorm shift: initialised to 0
}

func paramSpecs(cfg Config) []paramSpec {
	H, F := cfg.Hidden, cfg.FFN
	w := func(name string, shape ...int) paramSpec { return paramSpec{name: name, shape: shape} }
	bias := func(name string, n int) paramSpec {
		return paramSpec{name: name, shape: []int{n}, noDecay: true, zeros: true}
	}
	gain := func(name string, n int) paramSpec {
		return paramSpec{name: name, shape: []int{n}, noDecay: true, ones: true}
	}
	specs := []paramSpec{
		w("emb.tok", cfg.Vocab, H), w("emb.pos", cfg.MaxLen, H), gain("emb.ln.g", H), bias("emb.ln.b", H),
	}
	for l := 0; l < cfg.Layers; l++ {
		p := "layer" + itoa(l) + "."
		specs = append(specs,
			w(p+"attn.q.w", H, H), bias(p+"attn.q.b", H),
			w(p+"attn.k.w", H, H), bias(p+"attn.k.b", H),
			w(p+"attn.v.w", H, H), bias(p+"attn.v.b", H),
			w(p+"attn.o.w", H, H), bias(p+"attn.o.b", H),
			gain(p+"attn.ln.g", H), bias(p+"attn.ln.b", H),
			w(p+"ffn.w1", H, F), bias(p+"ffn.b1", F),
			w(p+"ffn.w2", F, H), bias(p+"ffn.b2", H),
			gain(p+"ffn.ln.g", H), bias(p+"ffn.ln.b", H),
		)
	}
	if cfg.TypeVocab > 0 { // last, so encoders without types keep their tensor order
		specs = append(specs, w("emb.type", cfg.TypeVocab, H))
	}
	return specs
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// layerCache keeps one layer's activations for the backward pass.
type layerCache[T Float] struct {
	in           []T // layer input (rows×H)
	q, k, v, p   []T
	ctx          []T
	xhat1, rstd1 []T
	h1           []T // after attention block LayerNorm
	dgelu, g     []T // GELU derivative at the FFN pre-activation, GELU output (rows×F)
	xhat2, rstd2 []T
}

// fwdCache keeps everything Backward needs.
type fwdCache[T Float] struct {
	b         *batch
	xhat0, r0 []T
	layers    []layerCache[T]
	final     []T // last hidden states (rows×H)
}

// forward runs the encoder on a packed batch and returns pooled vectors (n×H, freshly
// allocated). Scratch comes from ar (nil: make). With keep=false no activations are
// retained and each layer's scratch is reused by the next.
func (m *model[T]) forward(b *batch, keep bool, ar *arena[T]) ([]T, *fwdCache[T]) {
	cfg := m.cfg
	H, F, R := cfg.Hidden, cfg.FFN, b.rows
	c := &fwdCache[T]{b: b}
	ws := &gemmWS{}
	x := ar.get(R * H)
	m.embed(b, x)
	h := ar.get(R * H)
	c.xhat0, c.r0 = ar.get(R*H), ar.get(R)
	layerNorm(x, m.lnG, m.lnB, h, c.xhat0, c.r0, H, cfg.eps())
	var spare []T // inference: the previous layer's input buffer, reused for the output
	for l := range m.layers {
		w := &m.layers[l]
		var next []T // this layer's output
		if keep {
			next = ar.get(R * H)
		} else if spare != nil {
			next = spare
		} else {
			next = ar.get(R * H)
		}
		mark := ar.mark()
		lc := layerCache[T]{in: h}
		lc.q, lc.k, lc.v = ar.get(R*H), ar.get(R*H), ar.get(R*H)
		gemm(false, false, R, H, H, 1, h, H, w.qW, H, 0, lc.q, H, true, ws)
		addBias(lc.q, w.qB, H)
		gemm(false, false, R, H, H, 1, h, H, w.kW, H, 0, lc.k, H, true, ws)
		addBias(lc.k, w.kB, H)
		gemm(false, false, R, H, H, 1, h, H, w.vW, H, 0, lc.v, H, true, ws)
		addBias(lc.v, w.vB, H)
		lc.p = ar.get(b.pOff[b.n])
		lc.ctx = ar.get(R * H)
		attnForward(b, cfg.Heads, H, lc.q, lc.k, lc.v, lc.ctx, lc.p)
		z := ar.get(R * H) // residual: h + ctx·Wo + bo
		copy(z, h)
		gemm(false, false, R, H, H, 1, lc.ctx, H, w.oW, H, 1, z, H, true, ws)
		addBias(z, w.oB, H)
		lc.h1, lc.xhat1, lc.rstd1 = ar.get(R*H), ar.get(R*H), ar.get(R)
		layerNorm(z, w.ln1G, w.ln1B, lc.h1, lc.xhat1, lc.rstd1, H, cfg.eps())
		u := ar.get(R * F)
		lc.g = ar.get(R * F)
		gemm(false, false, R, F, H, 1, lc.h1, H, w.w1, F, 0, u, F, true, ws)
		addBias(u, w.b1, F)
		if keep {
			lc.dgelu = u // overwritten in place by gelu: d[i] is written after u[i] is read
		}
		if cfg.Act == ActGELUErf {
			geluErf(u, lc.g, lc.dgelu)
		} else {
			gelu(u, lc.g, lc.dgelu)
		}
		copy(z, lc.h1) // residual: h1 + g·W2 + b2
		gemm(false, false, R, H, F, 1, lc.g, F, w.w2, H, 1, z, H, true, ws)
		addBias(z, w.b2, H)
		lc.xhat2, lc.rstd2 = ar.get(R*H), ar.get(R)
		layerNorm(z, w.ln2G, w.ln2B, next, lc.xhat2, lc.rstd2, H, cfg.eps())
		if keep {
			c.layers = append(c.layers, lc)
		} else {
			ar.release(mark)
			spare = h
		}
		h = next
	}
	c.final = h
	out := make([]T, b.n*H)
	pool(cfg.Pooling, b, h, out, H)
	if !keep {
		return out, nil
	}
	return out, c
}

// pool writes one vector per sequence: its first token ("cls") or the mean of its tokens.
func pool[T Float](mode string, b *batch, h, out []T, H int) {
	for s := 0; s < b.n; s++ {
		o := out[s*H : (s+1)*H]
		r0 := b.start[s]
		if mode == "cls" {
			copy(o, h[r0*H:(r0+1)*H])
			continue
		}
		L := b.length[s]
		acc := make([]float64, H)
		for r := r0; r < r0+L; r++ {
			for j, v := range h[r*H : (r+1)*H] {
				acc[j] += float64(v)
			}
		}
		for j := range o {
			o[j] = T(acc[j] / float64(L))
		}
	}
}

// poolBack writes dh (rows×H, overwritten) from dOut (n×H).
func poolBack[T Float](mode string, b *batch, dOut, dh []T, H int) {
	clear(dh)
	for s := 0; s < b.n; s++ {
		d := dOut[s*H : (s+1)*H]
		r0, L := b.start[s], b.length[s]
		if mode == "cls" {
			copy(dh[r0*H:(r0+1)*H], d)
			continue
		}
		inv := 1 / T(L)
		for r := r0; r < r0+L; r++ {
			row := dh[r*H : (r+1)*H]
			for j, v := range d {
				row[j] = v * inv
			}
		}
	}
}

// backward accumulates parameter gradients into g given dOut (n×H, nil: none) and
// dHid (rows×H, a gradient on the last hidden states; nil: none).
// Scratch comes from ar (nil: make).
// dx, when not nil (rows×H), receives dLoss/dx for the summed input embeddings x.
func (m *model[T]) backward(c *fwdCache[T], dOut, dHid []T, g *model[T], ar *arena[T], dx []T) {
	cfg := m.cfg
	H, F, b := cfg.Hidden, cfg.FFN, c.b
	R := b.rows
	ws := &gemmWS{}
	dh := ar.get(R * H)
	if dOut != nil {
		poolBack(cfg.Pooling, b, dOut, dh, H)
	} else {
		clear(dh)
	}
	for i, v := range dHid {
		dh[i] += v
	}
	dz, dh1, dctx := ar.get(R*H), ar.get(R*H), ar.get(R*H)
	dq, dk, dv := ar.get(R*H), ar.get(R*H), ar.get(R*H)
	du := ar.get(R * F)
	scratch := make([][]T, parallelWorkers())
	for i := range scratch {
		scratch[i] = ar.get(b.maxLen * b.maxLen)
	}
	for l := len(m.layers) - 1; l >= 0; l-- {
		w, gw, lc := &m.layers[l], &g.layers[l], &c.layers[l]
		// h_out = LN2(h1 + g·W2 + b2)
		layerNormBack(dh, lc.xhat2, lc.rstd2, w.ln2G, dz, gw.ln2G, gw.ln2B, H)
		gemm(true, false, F, H, R, 1, lc.g, F, dz, H, 1, gw.w2, H, true, ws) // dW2 += gᵀ dz
		colSumAcc(dz, gw.b2, H)
		gemm(false, true, R, F, H, 1, dz, H, w.w2, H, 0, du, F, true, ws) // dg = dz W2ᵀ
		mulInto(du, lc.dgelu)
		gemm(true, false, H, F, R, 1, lc.h1, H, du, F, 1, gw.w1, F, true, ws) // dW1 += h1ᵀ du
		colSumAcc(du, gw.b1, F)
		copy(dh1, dz)                                                      // residual
		gemm(false, true, R, H, F, 1, du, F, w.w1, F, 1, dh1, H, true, ws) // dh1 += du W1ᵀ
		// h1 = LN1(in + ctx·Wo + bo)
		layerNormBack(dh1, lc.xhat1, lc.rstd1, w.ln1G, dz, gw.ln1G, gw.ln1B, H)
		gemm(true, false, H, H, R, 1, lc.ctx, H, dz, H, 1, gw.oW, H, true, ws)
		colSumAcc(dz, gw.oB, H)
		gemm(false, true, R, H, H, 1, dz, H, w.oW, H, 0, dctx, H, true, ws)
		attnBackward(b, cfg.Heads, H, lc.q, lc.k, lc.v, lc.p, dctx, dq, dk, dv, scratch)
		copy(dh, dz) // residual into the layer input
		for _, t := range []struct{ d, w, gw, gb []T }{{dq, w.qW, gw.qW, gw.qB}, {dk, w.kW, gw.kW, gw.kB}, {dv, w.vW, gw.vW, gw.vB}} {
			gemm(true, false, H, H, R, 1, lc.in, H, t.d, H, 1, t.gw, H, true, ws)
			colSumAcc(t.d, t.gb, H)
			gemm(false, true, R, H, H, 1, t.d, H, t.w, H, 1, dh, H, true, ws)
		}
	}
	// embeddings: x = tok[id] + pos[t] (+ typ[type]); h0 = LN(x)
	layerNormBack(dh, c.xhat0, c.r0, m.lnG, dz, g.lnG, g.lnB, H)
	for r := 0; r < R; r++ {
		d := dz[r*H : (r+1)*H]
		gt := g.tok[b.ids[r]*H : (b.ids[r]+1)*H]
		gp := g.pos[b.pos[r]*H : (b.pos[r]+1)*H]
		for j, v := range d {
			gt[j] += v
			gp[j] += v
		}
		if g.typ != nil && b.typ != nil {
			gy := g.typ[b.typ[r]*H : (b.typ[r]+1)*H]
			for j, v := range d {
				gy[j] += v
			}
		}
	}
	if dx != nil {
		copy(dx, dz)
	}
}

// embed writes x = tok[id] + pos[t] (+ typ[type]) for every row of b (rows×H).
func (m *model[T]) embed(b *batch, x []T) {
	H := m.cfg.Hidden
	for r := 0; r < b.rows; r++ {
		row := x[r*H : (r+1)*H]
		te := m.tok[b.ids[r]*H : (b.ids[r]+1)*H]
		pe := m.pos[b.pos[r]*H : (b.pos[r]+1)*H]
		for j := range row {
			row[j] = te[j] + pe[j]
		}
		if m.typ != nil && b.typ != nil {
			ye := m.typ[b.typ[r]*H : (b.typ[r]+1)*H]
			for j := range row {
				row[j] += ye[j]
			}
		}
	}
}
