package head

import (
	"math"
	"math/rand"
	"testing"
)

// The linear initialisation makes the untrained ARS score the dot product of the encoder
// vectors, up to the random projection's error: Σ_i v_i tanh(q̂_i p̂_i) with tanh in its
// linear range equals v_0·(W q)·(W p) to 3e-3, and averaged over many projections
// (seeds) v_0·(W q)·(W p) is q·p. The symmetric default is far from linear (saturated).
func TestLinearInitScoresLikeDot(t *testing.T) {
	const d = 128
	rng := rand.New(rand.NewSource(3))
	q, p := make([]float32, d), make([]float32, d)
	for i := range q {
		q[i] = float32(rng.NormFloat64())
		p[i] = float32(0.6*float64(q[i]) + 0.8*rng.NormFloat64()) // correlated: q·p ≈ 0.6·d
	}
	var dot float64
	for i := range q {
		dot += float64(q[i]) * float64(p[i])
	}
	score := func(hd *Head) (ars, bilinear float64) {
		qp, pp := make([]float32, hd.H), make([]float32, hd.H)
		if err := hd.ProjectQueries(q, qp); err != nil {
			t.Fatal(err)
		}
		if err := hd.ProjectPassages(p, pp); err != nil {
			t.Fatal(err)
		}
		for i := range qp {
			bilinear += float64(hd.V[i]) * float64(qp[i]) * float64(pp[i])
		}
		return float64(hd.Score(qp, pp)), bilinear
	}
	var mean float64
	const seeds = 40
	for s := range seeds {
		hd, err := NewInit(ARS, d, 0, 0.05, int64(s), InitLinear)
		if err != nil {
			t.Fatal(err)
		}
		if hd.V[0] != 100 {
			t.Fatalf("v_0 = %g, want d/(h·α²) = 100", hd.V[0])
		}
		ars, bil := score(hd)
		if math.Abs(ars-bil) > 3e-3*math.Abs(bil)+1e-3 { // tanh x = x(1 − x²/3 + …), products ≲ 0.1
			t.Fatalf("seed %d: ARS %g vs bilinear %g: tanh not in its linear range", s, ars, bil)
		}
		mean += ars / seeds
	}
	if math.Abs(mean-dot) > 0.1*math.Abs(dot) {
		t.Fatalf("mean linear-init ARS score %g, want ≈ q·p = %g", mean, dot)
	}
	sym, err := NewInit(ARS, d, 0, 0.05, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	if ars, bil := score(sym); math.Abs(ars-bil) < 0.2*math.Abs(bil) {
		t.Fatalf("sym init: ARS %g vs bilinear %g: expected saturation", ars, bil)
	}
	if _, err := NewInit(ARS, d, 0, 0.05, 1, "xavier"); err == nil {
		t.Fatal("unknown initialisation accepted")
	}
}
