package nn

import (
	"errors"
	"math"
	"math/rand"
	"sync"
	"testing"
)

func randIDs(rng *rand.Rand, n, minLen, maxLen, vocab int) [][]int {
	ids := make([][]int, n)
	for i := range ids {
		L := minLen + rng.Intn(maxLen-minLen+1)
		ids[i] = make([]int, L)
		for t := range ids[i] {
			ids[i][t] = 1 + rng.Intn(vocab-1)
		}
	}
	return ids
}

func TestPreset(t *testing.T) {
	tests := []struct {
		name                       string
		layers, hidden, heads, ffn int
		params                     int
	}{
		// tiny, vocab 1000, maxLen 128: emb 1000·128 + 128·128 + 2·128 = 144640;
		// per layer 4·(128·128+128) + 2·128 + (128·512+512) + (512·128+128) + 2·128 = 198272.
		{"tiny", 2, 128, 2, 512, 144640 + 2*198272},
		// mini: emb 1000·256 + 128·256 + 512 = 289280;
		// per layer 4·(65536+256) + 512 + (262144+1024) + (262144+256) + 512 = 789760.
		{"mini", 4, 256, 4, 1024, 289280 + 4*789760},
	}
	for _, tc := range tests {
		cfg, err := Preset(tc.name, 1000, 128)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Layers != tc.layers || cfg.Hidden != tc.hidden || cfg.Heads != tc.heads || cfg.FFN != tc.ffn {
			t.Fatalf("%s: %+v", tc.name, cfg)
		}
		e, err := NewEncoder(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		if e.NumParams() != tc.params {
			t.Fatalf("%s: %d params, want %d", tc.name, e.NumParams(), tc.params)
		}
	}
	if _, err := Preset("huge", 10, 10); err == nil {
		t.Fatal("unknown preset accepted")
	}
}

func TestParamsNamesAndInit(t *testing.T) {
	e, err := NewEncoder(smallConfig("cls"), 1)
	if err != nil {
		t.Fatal(err)
	}
	ps := e.Params()
	if len(ps) != 4+2*perLayer {
		t.Fatalf("%d params", len(ps))
	}
	want := map[int]string{0: "emb.tok", 1: "emb.pos", 4: "layer0.attn.q.w", 5: "layer0.attn.q.b", 14: "layer0.ffn.w1", 35: "layer1.ffn.ln.b"}
	for i, n := range want {
		if ps[i].Name != n {
			t.Errorf("param %d is %q, want %q", i, ps[i].Name, n)
		}
	}
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.Name] {
			t.Fatalf("duplicate %s", p.Name)
		}
		seen[p.Name] = true
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		if n != len(p.W) || n != len(p.G) {
			t.Fatalf("%s: shape %v vs %d values", p.Name, p.Shape, len(p.W))
		}
	}
	// LayerNorm γ = 1, β = 0, biases 0 (NoDecay); weights ~N(0, 0.02²) within ±0.04.
	if ps[2].W[3] != 1 || ps[3].W[3] != 0 || !ps[2].NoDecay || !ps[5].NoDecay || ps[4].NoDecay {
		t.Fatal("LayerNorm/bias init or NoDecay flags wrong")
	}
	var ss float64
	for _, v := range ps[0].W {
		if math.Abs(float64(v)) > 0.04 {
			t.Fatalf("weight %g outside ±2σ", v)
		}
		ss += float64(v) * float64(v)
	}
	if sd := math.Sqrt(ss / float64(len(ps[0].W))); sd < 0.014 || sd > 0.022 {
		t.Fatalf("emb.tok std %g, want ≈0.018 (truncated 0.02)", sd)
	}
}

func TestBadInput(t *testing.T) {
	e, err := NewEncoder(smallConfig("mean"), 1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ids  [][]int
	}{
		{"no sequences", nil},
		{"empty sequence", [][]int{{1, 2}, {}}},
		{"too long", [][]int{make([]int, 11)}},
		{"id = vocab", [][]int{{1, 13}}},
		{"negative id", [][]int{{1, -1}}},
	}
	for _, tc := range tests {
		if _, _, err := e.Forward(tc.ids); !errors.Is(err, ErrInput) {
			t.Errorf("Forward %s: err %v", tc.name, err)
		}
		if _, err := e.Encode(tc.ids); !errors.Is(err, ErrInput) {
			t.Errorf("Encode %s: err %v", tc.name, err)
		}
	}
	out, c, err := e.Forward([][]int{{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Backward(c, out[:3]); err == nil {
		t.Error("short dOut accepted")
	}
	if err := e.Backward(nil, out); err == nil {
		t.Error("nil cache accepted")
	}
	if err := e.Backward(c, out); err != nil {
		t.Fatal(err)
	}
	if err := e.Backward(c, out); err == nil {
		t.Error("cache reused")
	}
	bad := []Config{
		{Vocab: 10, Hidden: 9, Layers: 1, Heads: 2, FFN: 4, MaxLen: 4, Pooling: "cls"},
		{Vocab: 10, Hidden: 8, Layers: 1, Heads: 2, FFN: 4, MaxLen: 4, Pooling: "max"},
		{Vocab: 0, Hidden: 8, Layers: 1, Heads: 2, FFN: 4, MaxLen: 4, Pooling: "cls"},
	}
	for _, cfg := range bad {
		if _, err := NewEncoder(cfg, 1); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

// A sequence encoded alone or next to longer ones gives the same vector.
func TestPaddingInvariance(t *testing.T) {
	for _, pooling := range []string{"cls", "mean"} {
		cfg, _ := Preset("tiny", 50, 40)
		cfg.Pooling = pooling
		e, err := NewEncoder(cfg, 3)
		if err != nil {
			t.Fatal(err)
		}
		short := []int{1, 7, 8, 9, 2}
		alone, err := e.Encode([][]int{short})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewSource(4))
		batch := randIDs(rng, 6, 20, 40, 50)
		batch[3] = short
		all, err := e.Encode(batch)
		if err != nil {
			t.Fatal(err)
		}
		H := cfg.Hidden
		for j := 0; j < H; j++ {
			if d := math.Abs(float64(alone[j] - all[3*H+j])); d > 1e-5 {
				t.Fatalf("%s: dim %d alone %g in batch %g", pooling, j, alone[j], all[3*H+j])
			}
		}
	}
}

func TestDeterminism(t *testing.T) {
	cfg, _ := Preset("tiny", 64, 32)
	e1, _ := NewEncoder(cfg, 42)
	e2, _ := NewEncoder(cfg, 42)
	e3, _ := NewEncoder(cfg, 43)
	for i, p := range e1.Params() {
		for j := range p.W {
			if p.W[j] != e2.Params()[i].W[j] {
				t.Fatalf("%s differs for the same seed", p.Name)
			}
		}
	}
	if e1.Params()[0].W[0] == e3.Params()[0].W[0] && e1.Params()[0].W[1] == e3.Params()[0].W[1] {
		t.Fatal("different seeds gave the same weights")
	}
	rng := rand.New(rand.NewSource(5))
	ids := randIDs(rng, 9, 3, 32, 64)
	want, err := e1.Encode(ids)
	if err != nil {
		t.Fatal(err)
	}
	// Forward+Backward twice on twin encoders: bit-identical outputs and gradients.
	dOut := randSlice(rng, len(want))
	for _, e := range []*Encoder{e1, e2} {
		out, c, err := e.Forward(ids)
		if err != nil {
			t.Fatal(err)
		}
		assertSame(t, "forward", out, want)
		if err := e.Backward(c, dOut); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range e1.Params() {
		assertSame(t, p.Name+".G", p.G, e2.Params()[i].G)
	}
	// Backward accumulates: a second pass on e1 doubles its gradients (up to float32
	// rounding: the second pass adds into G term by term).
	_, c, _ := e1.Forward(ids)
	if err := e1.Backward(c, dOut); err != nil {
		t.Fatal(err)
	}
	for i, p := range e1.Params() {
		for j, g := range e2.Params()[i].G {
			if d := math.Abs(float64(p.G[j] - 2*g)); d > 1e-4*math.Abs(float64(g))+1e-7 {
				t.Fatalf("%s.G[%d] = %g after two passes, want 2×%g", p.Name, j, p.G[j], g)
			}
		}
	}
	// Four goroutines encoding at once all get the serial result.
	var wg sync.WaitGroup
	res := make([][]float32, 4)
	for g := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[g], _ = e1.Encode(ids)
		}()
	}
	wg.Wait()
	for g := range res {
		assertSame(t, "concurrent encode", res[g], want)
	}
	// Repeated steps reuse scratch memory (not zeroed): results must not change.
	var firstG [][]float32
	for rep := 0; rep < 3; rep++ {
		ZeroGrad(e2.Params())
		out, c, err := e2.Forward(ids)
		if err != nil {
			t.Fatal(err)
		}
		assertSame(t, "repeated forward", out, want)
		if err := e2.Backward(c, dOut); err != nil {
			t.Fatal(err)
		}
		for i, p := range e2.Params() {
			if rep == 0 {
				firstG = append(firstG, append([]float32(nil), p.G...))
				continue
			}
			assertSame(t, "repeated "+p.Name+".G", p.G, firstG[i])
		}
	}
}

func assertSame(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: [%d] = %g, want %g (not bit-identical)", what, i, got[i], want[i])
		}
	}
}

// Overfit sanity: a small encoder with a fixed linear readout r learns four targets.
// loss = Σ_s (out_s·r − y_s)², dLoss/dout_s = 2(out_s·r − y_s)·r.
func TestOverfit(t *testing.T) {
	cfg := Config{Vocab: 20, Hidden: 16, Layers: 1, Heads: 2, FFN: 32, MaxLen: 8, Pooling: "mean"}
	e, err := NewEncoder(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	ids := [][]int{{1, 3, 4, 2}, {1, 5, 2}, {1, 6, 7, 8, 2}, {1, 9, 2}}
	y := []float64{1, -1, 0.5, -0.5}
	rng := rand.New(rand.NewSource(2))
	r := randSlice(rng, cfg.Hidden)
	opt := NewAdamW(e.Params(), 0.9, 0.999, 1e-8, 0.01)
	var first, last float64
	for step := 0; step < 150; step++ {
		out, c, err := e.Forward(ids)
		if err != nil {
			t.Fatal(err)
		}
		d := make([]float32, len(out))
		var loss float64
		for s := range ids {
			var pred float64
			for j, v := range out[s*cfg.Hidden : (s+1)*cfg.Hidden] {
				pred += float64(v * r[j])
			}
			loss += (pred - y[s]) * (pred - y[s])
			for j := range r {
				d[s*cfg.Hidden+j] = float32(2 * (pred - y[s]) * float64(r[j]))
			}
		}
		if step == 0 {
			first = loss
		}
		last = loss
		ZeroGrad(e.Params())
		if err := e.Backward(c, d); err != nil {
			t.Fatal(err)
		}
		ClipGradNorm(e.Params(), 5)
		opt.Step(e.Params(), 3e-3)
	}
	if !(last < first/100) {
		t.Fatalf("loss %g → %g: did not overfit", first, last)
	}
}
