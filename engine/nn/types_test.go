package nn

import (
	"errors"
	"math"
	"math/rand"
	"testing"
)

var gradTypes = [][]int{{0, 0, 1, 1}, {0, 1, 1}, {0, 0, 0, 1, 1, 1, 1}, {0, 1}}

// Token-type embeddings: every tensor of a typed encoder (emb.type included) against
// central differences in float64, and the input-embedding gradient of BackwardInput.
func TestEncoderTypesGrad(t *testing.T) {
	cfg := smallConfig("cls")
	cfg.TypeVocab = 2
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
	if last := e.Params()[len(e.Params())-1]; last.Name != "emb.type" || len(last.W) != 2*cfg.Hidden {
		t.Fatalf("last tensor %s (%d values), want emb.type 2×%d", last.Name, len(last.W), cfg.Hidden)
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
	b := newBatch(gradIDs, cfg.Heads).withTypes(gradTypes)
	R := randF64(rng, b.n*cfg.Hidden, 1)
	loss := func() float64 { out, _ := m.forward(b, false, nil); return dot64(out, R) }
	_, c := m.forward(b, true, nil)
	dx := make([]float64, b.rows*cfg.Hidden)
	m.backward(c, R, nil, &g, nil, dx)
	for pi, p := range e.Params() {
		idx := []int{}
		for range 6 {
			i := rng.Intn(len(ws[pi]))
			if p.Name == "emb.tok" {
				row := gradIDs[rng.Intn(len(gradIDs))]
				i = row[rng.Intn(len(row))]*cfg.Hidden + rng.Intn(cfg.Hidden)
			}
			idx = append(idx, i)
		}
		if p.Name == "emb.type" {
			idx = allIdx(len(ws[pi]))
		}
		fdCheck(t, p.Name, ws[pi], gs[pi], idx, loss)
	}
	// dLoss/dx summed over the rows of one token id is that id's emb.tok gradient; over
	// the rows of one type, the emb.type gradient.
	H := cfg.Hidden
	for _, id := range []int{5, 12, 2} {
		for j := 0; j < H; j++ {
			var s float64
			for r := 0; r < b.rows; r++ {
				if b.ids[r] == id {
					s += dx[r*H+j]
				}
			}
			if !closeGrad(s, gs[0][id*H+j]) {
				t.Fatalf("id %d dim %d: Σdx %g, emb.tok grad %g", id, j, s, gs[0][id*H+j])
			}
		}
	}
	typ := gs[len(gs)-1]
	for y := 0; y < 2; y++ {
		for j := 0; j < H; j++ {
			var s float64
			for r := 0; r < b.rows; r++ {
				if b.typ[r] == y {
					s += dx[r*H+j]
				}
			}
			if !closeGrad(s, typ[y*H+j]) {
				t.Fatalf("type %d dim %d: Σdx %g, emb.type grad %g", y, j, s, typ[y*H+j])
			}
		}
	}
	// float32 BackwardInput agrees with float64.
	R32 := make([]float32, len(R))
	for i, v := range R {
		R32[i] = float32(v)
	}
	_, cache, err := e.ForwardTyped(gradIDs, gradTypes)
	if err != nil {
		t.Fatal(err)
	}
	dx32, x32, err := e.BackwardInput(cache, R32)
	if err != nil {
		t.Fatal(err)
	}
	var num, den float64
	for i, v := range dx32 {
		num += (float64(v) - dx[i]) * (float64(v) - dx[i])
		den += dx[i] * dx[i]
	}
	if math.Sqrt(num) > 1e-4*math.Sqrt(den)+1e-6 {
		t.Fatalf("float32 dx differs: |Δ|=%g |dx|=%g", math.Sqrt(num), math.Sqrt(den))
	}
	// x is tok + pos + type of row 2 (sequence 0, token 7 at position 2, type 1).
	for j := 0; j < H; j++ {
		want := e.w.tok[7*H+j] + e.w.pos[2*H+j] + e.w.typ[1*H+j]
		if x32[2*H+j] != want {
			t.Fatalf("x[2][%d] = %g, want %g", j, x32[2*H+j], want)
		}
	}
}

// Without TypeVocab the encoder is what it was: same tensors, same weights for a seed,
// Forward == ForwardTyped(nil); types are refused. With TypeVocab the other tensors keep
// their seeded values.
func TestEncoderTypesDefault(t *testing.T) {
	cfg := smallConfig("mean")
	plain, _ := NewEncoder(cfg, 3)
	cfg2 := cfg
	cfg2.TypeVocab = 2
	typed, _ := NewEncoder(cfg2, 3)
	if len(typed.Params()) != len(plain.Params())+1 {
		t.Fatalf("typed encoder has %d tensors, plain %d", len(typed.Params()), len(plain.Params()))
	}
	for i, p := range plain.Params() {
		q := typed.Params()[i]
		if p.Name != q.Name || len(p.W) != len(q.W) {
			t.Fatalf("tensor %d: %s vs %s", i, p.Name, q.Name)
		}
		for j := range p.W {
			if p.W[j] != q.W[j] {
				t.Fatalf("%s[%d] differs", p.Name, j)
			}
		}
	}
	a, err := plain.Encode(gradIDs)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := plain.EncodeTyped(gradIDs, nil)
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("EncodeTyped(nil) differs from Encode")
		}
	}
	if _, err := plain.EncodeTyped(gradIDs, gradTypes); !errors.Is(err, ErrInput) {
		t.Fatalf("types on an untyped encoder: %v", err)
	}
	if _, err := typed.EncodeTyped(gradIDs, [][]int{{0, 0, 2, 1}, {0, 1, 1}, {0, 0, 0, 1, 1, 1, 1}, {0, 1}}); !errors.Is(err, ErrInput) {
		t.Fatalf("type 2 with TypeVocab 2: %v", err)
	}
	// Types change the vector.
	t0, _ := typed.EncodeTyped(gradIDs, nil)
	t1, _ := typed.EncodeTyped(gradIDs, gradTypes)
	same := true
	for i := range t0 {
		same = same && t0[i] == t1[i]
	}
	if same {
		t.Fatal("token types left the vectors unchanged")
	}
}
