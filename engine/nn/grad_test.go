package nn

import (
	"math"
	"math/rand"
	"testing"
)

// Gradient checks run the generic core in float64 and compare the hand-written backward
// pass with central differences, (f(x+ε) − f(x−ε)) / 2ε with ε = 1e-5. In float64 the
// truncation error is O(ε²)≈1e-10 and the rounding error ≈1e-16/ε≈1e-11, so an entry
// passes when |analytic − numeric| ≤ 1e-7 + 1e-5·max(|analytic|, |numeric|).
// Any real mistake in a backward formula gives errors of order 1e-2..1 (checked by
// deliberately breaking lines while writing these tests).
const (
	fdEps    = 1e-5
	fdAbsTol = 1e-7
	fdRelTol = 1e-5
)

func closeGrad(a, n float64) bool {
	return math.Abs(a-n) <= fdAbsTol+fdRelTol*math.Max(math.Abs(a), math.Abs(n))
}

func randF64(rng *rand.Rand, n int, scale float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = scale * rng.NormFloat64()
	}
	return s
}

func dot64(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// fdCheck perturbs x[i] for the given indices and compares with grad[i].
func fdCheck(t *testing.T, name string, x, grad []float64, idx []int, loss func() float64) {
	t.Helper()
	for _, i := range idx {
		orig := x[i]
		x[i] = orig + fdEps
		lp := loss()
		x[i] = orig - fdEps
		lm := loss()
		x[i] = orig
		num := (lp - lm) / (2 * fdEps)
		if !closeGrad(grad[i], num) {
			t.Errorf("%s[%d]: analytic %.10g, numeric %.10g", name, i, grad[i], num)
		}
	}
}

func allIdx(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func TestLayerNormGrad(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	const rows, n = 3, 8
	x, g, b := randF64(rng, rows*n, 1), randF64(rng, n, 1), randF64(rng, n, 1)
	R := randF64(rng, rows*n, 1)
	y, xhat, rstd := make([]float64, rows*n), make([]float64, rows*n), make([]float64, rows)
	loss := func() float64 { layerNorm(x, g, b, y, xhat, rstd, n, lnEps); return dot64(y, R) }
	loss()
	dx, dg, db := make([]float64, rows*n), make([]float64, n), make([]float64, n)
	layerNormBack(R, xhat, rstd, g, dx, dg, db, n)
	fdCheck(t, "x", x, dx, allIdx(rows*n), loss)
	fdCheck(t, "g", g, dg, allIdx(n), loss)
	fdCheck(t, "b", b, db, allIdx(n), loss)
}

func TestGELUGrad(t *testing.T) {
	u := []float64{-40, -4, -1.5, -0.3, 0, 0.2, 1, 2.5, 40}
	// Hand values of ½x(1 + tanh(√(2/π)(x + 0.044715x³))): at x = 1, y = 0.7978845608·1.044715
	// = 0.8335620, tanh y = 0.6823840, gelu = 0.8411920; x = 0 → 0; x = ±40 → 40 and 0.
	out, d := make([]float64, len(u)), make([]float64, len(u))
	gelu(u, out, d)
	if math.Abs(out[6]-0.8411920) > 1e-7 || out[4] != 0 || out[8] != 40 || out[0] != 0 || d[4] != 0.5 {
		t.Fatalf("gelu values %v derivative %v", out, d)
	}
	R := []float64{1, -2, 0.5, 3, 1, -1, 2, 0.7, 0.3}
	loss := func() float64 { gelu(u, out, nil); return dot64(out, R) }
	grad := append([]float64(nil), R...)
	mulInto(grad, d)
	fdCheck(t, "u", u, grad, allIdx(len(u)), loss)
}

// The float32 fast path (rational tanh) matches the float64 formula.
func TestGELU32(t *testing.T) {
	var maxTanh float64
	for i := -12000; i <= 12000; i++ {
		y := float64(i) / 1000
		maxTanh = math.Max(maxTanh, math.Abs(float64(tanh32(float32(y)))-math.Tanh(y)))
	}
	if maxTanh > 5e-7 {
		t.Fatalf("tanh32 max error %g", maxTanh)
	}
	u64 := []float64{-9, -3, -1, -0.1, 0, 0.3, 1, 2, 5, 30}
	u32 := make([]float32, len(u64))
	for i, v := range u64 {
		u32[i] = float32(v)
	}
	o64, d64 := make([]float64, len(u64)), make([]float64, len(u64))
	o32, d32 := make([]float32, len(u64)), make([]float32, len(u64))
	gelu(u64, o64, d64)
	gelu(u32, o32, d32)
	for i := range u64 {
		if math.Abs(float64(o32[i])-o64[i]) > 2e-6*(1+math.Abs(o64[i])) || math.Abs(float64(d32[i])-d64[i]) > 2e-6 {
			t.Fatalf("x=%g: float32 %g/%g, float64 %g/%g", u64[i], o32[i], d32[i], o64[i], d64[i])
		}
	}
}

func TestExp32(t *testing.T) {
	var worst float64
	for i := 0; i <= 870000; i++ {
		x := -float64(i) / 10000
		want := math.Exp(float64(float32(x)))
		got := float64(exp32(float32(x)))
		worst = math.Max(worst, math.Abs(got-want)/want)
	}
	if worst > 4e-7 {
		t.Fatalf("exp32 max relative error %g", worst)
	}
	if exp32(0) != 1 || exp32(-100) != 0 {
		t.Fatalf("exp32(0)=%g exp32(-100)=%g", exp32(0), exp32(-100))
	}
}

// The attention op on a packed batch (lengths 3, 5, 1; 2 heads of 4).
func TestAttentionGrad(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	const heads, hid = 2, 8
	b := newBatch([][]int{{1, 2, 3}, {1, 2, 3, 4, 5}, {7}}, heads)
	q, k, v := randF64(rng, b.rows*hid, 1), randF64(rng, b.rows*hid, 1), randF64(rng, b.rows*hid, 1)
	R := randF64(rng, b.rows*hid, 1)
	ctx, p := make([]float64, b.rows*hid), make([]float64, b.pOff[b.n])
	loss := func() float64 { attnForward(b, heads, hid, q, k, v, ctx, p); return dot64(ctx, R) }
	loss()
	dq, dk, dv := make([]float64, len(q)), make([]float64, len(k)), make([]float64, len(v))
	attnBackward(b, heads, hid, q, k, v, p, R, dq, dk, dv, [][]float64{make([]float64, 25), make([]float64, 25)})
	fdCheck(t, "q", q, dq, allIdx(len(q)), loss)
	fdCheck(t, "k", k, dk, allIdx(len(k)), loss)
	fdCheck(t, "v", v, dv, allIdx(len(v)), loss)

	// Rows of the probabilities sum to 1 and the masking holds: changing keys and values
	// of sequence 1 (rows 3..7) leaves sequences 0 and 2 bit-identical.
	for s := 0; s < b.n; s++ {
		L := b.length[s]
		for r := 0; r < heads*L; r++ {
			var sum float64
			for _, x := range p[b.pOff[s]+r*L : b.pOff[s]+(r+1)*L] {
				sum += x
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Fatalf("seq %d prob row %d sums to %g", s, r, sum)
			}
		}
	}
	loss()
	before := append([]float64(nil), ctx...)
	for i := 3 * hid; i < 8*hid; i++ {
		k[i] += 10
		v[i] -= 7
	}
	attnForward(b, heads, hid, q, k, v, ctx, p)
	for _, r := range []int{0, 1, 2, 8} {
		for j := 0; j < hid; j++ {
			if ctx[r*hid+j] != before[r*hid+j] {
				t.Fatalf("row %d changed after editing another sequence", r)
			}
		}
	}
}

func TestPoolingGrad(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	const H = 4
	b := newBatch([][]int{{1, 2, 3}, {4}, {5, 6}}, 1)
	h := randF64(rng, b.rows*H, 1)
	R := randF64(rng, b.n*H, 1)
	out := make([]float64, b.n*H)
	for _, mode := range []string{"cls", "mean"} {
		loss := func() float64 { pool(mode, b, h, out, H); return dot64(out, R) }
		loss()
		dh := make([]float64, len(h))
		poolBack(mode, b, R, dh, H)
		fdCheck(t, mode+".h", h, dh, allIdx(len(h)), loss)
	}
	// Hand check: mean of sequence 0 is (h0+h1+h2)/3, cls of sequence 2 is its first row (row 4).
	pool("mean", b, h, out, H)
	if want := (h[0] + h[H] + h[2*H]) / 3; math.Abs(out[0]-want) > 1e-15 {
		t.Fatalf("mean pool %g want %g", out[0], want)
	}
	pool("cls", b, h, out, H)
	if out[2*H+1] != h[4*H+1] {
		t.Fatalf("cls pool %g want %g", out[2*H+1], h[4*H+1])
	}
}

func smallConfig(pooling string) Config {
	return Config{Vocab: 13, Hidden: 8, Layers: 2, Heads: 2, FFN: 16, MaxLen: 10, Pooling: pooling}
}

// scrambled returns a small encoder whose weights are far from initialisation (so every
// nonlinearity and every LayerNorm gain/shift matters in the check).
func scrambled(t *testing.T, pooling string) *Encoder {
	t.Helper()
	e, err := NewEncoder(smallConfig(pooling), 7)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(8))
	for _, p := range e.Params() {
		for i := range p.W {
			p.W[i] += float32(0.4 * rng.NormFloat64())
		}
	}
	return e
}

var gradIDs = [][]int{{1, 5, 7, 2}, {1, 3, 2}, {1, 12, 11, 10, 9, 8, 2}, {1, 2}}

// TestEncoderGrad checks every tensor of the whole encoder (both poolings): 6 random
// entries per tensor (rows of used tokens for emb.tok) against central differences in
// float64, then checks that the float32 Backward agrees with the float64 one.
func TestEncoderGrad(t *testing.T) {
	for _, pooling := range []string{"cls", "mean"} {
		t.Run(pooling, func(t *testing.T) {
			e := scrambled(t, pooling)
			cfg := e.Config()
			rng := rand.New(rand.NewSource(9))
			var ws, gs [][]float64
			for _, p := range e.Params() {
				w := make([]float64, len(p.W))
				for i, v := range p.W {
					w[i] = float64(v)
				}
				ws, gs = append(ws, w), append(gs, make([]float64, len(p.W)))
			}
			m, g := bindModel(cfg, ws), bindModel(cfg, gs)
			b := newBatch(gradIDs, cfg.Heads)
			R := randF64(rng, b.n*cfg.Hidden, 1)
			loss := func() float64 { out, _ := m.forward(b, false, nil); return dot64(out, R) }
			_, c := m.forward(b, true, nil)
			m.backward(c, R, nil, &g, nil, nil)
			for pi, p := range e.Params() {
				var idx []int
				for range 6 {
					i := rng.Intn(len(ws[pi]))
					if p.Name == "emb.tok" { // a used token's row
						row := gradIDs[rng.Intn(len(gradIDs))]
						i = row[rng.Intn(len(row))]*cfg.Hidden + rng.Intn(cfg.Hidden)
					}
					if p.Name == "emb.pos" {
						i = rng.Intn(4 * cfg.Hidden)
					}
					idx = append(idx, i)
				}
				fdCheck(t, p.Name, ws[pi], gs[pi], idx, loss)
			}

			// float32 path: same gradients up to float32 rounding (relative L2 error per tensor).
			R32 := make([]float32, len(R))
			for i, v := range R {
				R32[i] = float32(v)
			}
			_, cache, err := e.Forward(gradIDs)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Backward(cache, R32); err != nil {
				t.Fatal(err)
			}
			for pi, p := range e.Params() {
				var num, den float64
				for i, v := range p.G {
					d := float64(v) - gs[pi][i]
					num += d * d
					den += gs[pi][i] * gs[pi][i]
				}
				if math.Sqrt(num) > 1e-4*math.Sqrt(den)+1e-6 {
					t.Errorf("%s: float32 grad differs from float64: |Δ|=%g |g|=%g", p.Name, math.Sqrt(num), math.Sqrt(den))
				}
			}
		})
	}
}

// The exact GELU: x·Φ(x) at hand values (Φ(1) = 0.841344746, so gelu(1) = 0.841344746;
// gelu(−1) = −0.158655254) and its derivative against central differences.
func TestGELUErfGrad(t *testing.T) {
	u := []float64{-40, -4, -1.5, -1, -0.3, 0, 0.2, 1, 2.5, 40}
	out, d := make([]float64, len(u)), make([]float64, len(u))
	geluErf(u, out, d)
	if math.Abs(out[7]-0.8413447460685429) > 1e-12 || math.Abs(out[3]+0.15865525393145707) > 1e-12 ||
		out[5] != 0 || d[5] != 0.5 || out[9] != 40 || out[0] != 0 {
		t.Fatalf("gelu values %v derivative %v", out, d)
	}
	R := []float64{1, -2, 0.5, 3, 1, -1, 2, 0.7, 0.3, 1}
	loss := func() float64 { geluErf(u, out, nil); return dot64(out, R) }
	grad := append([]float64(nil), R...)
	mulInto(grad, d)
	fdCheck(t, "u", u, grad, allIdx(len(u)), loss)
}

// BackwardHidden with both a pooled and a token-level gradient, on an encoder with the
// exact GELU and LayerNorm ε = 1e-5 (the Hugging Face settings), against central differences.
func TestEncoderGradHidden(t *testing.T) {
	cfg := smallConfig("mean")
	cfg.Act, cfg.LNEps = ActGELUErf, 1e-5
	e, err := NewEncoder(cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(8))
	for _, p := range e.Params() {
		for i := range p.W {
			p.W[i] += float32(0.4 * rng.NormFloat64())
		}
	}
	var ws, gs [][]float64
	for _, p := range e.Params() {
		w := make([]float64, len(p.W))
		for i, v := range p.W {
			w[i] = float64(v)
		}
		ws, gs = append(ws, w), append(gs, make([]float64, len(p.W)))
	}
	m, g := bindModel(cfg, ws), bindModel(cfg, gs)
	b := newBatch(gradIDs, cfg.Heads)
	R := randF64(rng, b.n*cfg.Hidden, 1)
	RH := randF64(rng, b.rows*cfg.Hidden, 1)
	loss := func() float64 { out, c := m.forward(b, true, nil); return dot64(out, R) + dot64(c.final, RH) }
	_, c := m.forward(b, true, nil)
	m.backward(c, R, RH, &g, nil, nil)
	for pi, p := range e.Params() {
		idx := []int{rng.Intn(len(ws[pi])), rng.Intn(len(ws[pi])), rng.Intn(len(ws[pi]))}
		if p.Name == "emb.tok" || p.Name == "emb.pos" {
			idx = []int{gradIDs[0][1]*cfg.Hidden + 3, 2*cfg.Hidden + 1}
		}
		fdCheck(t, p.Name, ws[pi], gs[pi], idx, loss)
	}
	// The float32 API gives the same gradients and exposes the same hidden states.
	R32, RH32 := make([]float32, len(R)), make([]float32, len(RH))
	for i, v := range R {
		R32[i] = float32(v)
	}
	for i, v := range RH {
		RH32[i] = float32(v)
	}
	_, cache, err := e.Forward(gradIDs)
	if err != nil {
		t.Fatal(err)
	}
	h, start := cache.Hidden()
	if len(h) != b.rows*cfg.Hidden || start[2] != len(gradIDs[0])+len(gradIDs[1]) {
		t.Fatalf("hidden %d values, starts %v", len(h), start)
	}
	if math.Abs(float64(h[5])-c.final[5]) > 1e-4 {
		t.Fatalf("hidden[5] %g want %g", h[5], c.final[5])
	}
	if err := e.BackwardHidden(cache, R32, RH32); err != nil {
		t.Fatal(err)
	}
	for pi, p := range e.Params() {
		var num, den float64
		for i, v := range p.G {
			d := float64(v) - gs[pi][i]
			num += d * d
			den += gs[pi][i] * gs[pi][i]
		}
		if math.Sqrt(num) > 1e-4*math.Sqrt(den)+1e-6 {
			t.Errorf("%s: float32 grad differs from float64: |Δ|=%g |g|=%g", p.Name, math.Sqrt(num), math.Sqrt(den))
		}
	}
	if err := e.BackwardHidden(cache, nil, nil); err == nil {
		t.Fatal("a used cache was accepted")
	}
}
