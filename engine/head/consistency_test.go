package head

import (
	"math"
	"math/rand"
	"testing"
)

// TestGraphMatchesFastScoring: the training graph's scores (exact tanh) equal the
// query-time kernel (ProjectQueries/ProjectPassages + Score, FastTanh) for every head,
// and the kernel's Explain adds up to its Score: Σ Terms + Bias = Score.
func TestGraphMatchesFastScoring(t *testing.T) {
	for _, kind := range []string{Dot, Cos, ARS} {
		rng := rand.New(rand.NewSource(1))
		hd, err := New(kind, 6, 5, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if kind == ARS {
			copy(hd.Bq, randVec(rng, len(hd.Bq), 0.3))
			copy(hd.Bp, randVec(rng, len(hd.Bp), 0.3))
			hd.C[0] = -0.4
		}
		gr, err := hd.NewGraph(HardStructure(2, 1), mustWeights(t, map[string]float64{"infonce": 1}), false)
		if err != nil {
			t.Fatal(err)
		}
		q, p := randVec(rng, 2*6, 1), randVec(rng, 4*6, 1)
		res, err := gr.Run(q, p, nil)
		gr.Close()
		if err != nil {
			t.Fatal(err)
		}
		k := hd.ProjDim()
		qp, pp := make([]float32, 2*k), make([]float32, 4*k)
		if err := hd.ProjectQueries(q, qp); err != nil {
			t.Fatal(err)
		}
		if err := hd.ProjectPassages(p, pp); err != nil {
			t.Fatal(err)
		}
		label, _ := hd.Formula()
		for r := range 4 {
			i := r / 2
			qi, pr := qp[i*k:(i+1)*k], pp[r*k:(r+1)*k]
			fast := float64(hd.Score(qi, pr))
			if math.Abs(fast-res.Scores[r]) > 1e-5 {
				t.Errorf("%s candidate %d: graph %.6f, fast %.6f", kind, r, res.Scores[r], fast)
			}
			ex, ok := hd.Explain(qi, pr)
			if !ok || len(ex.Terms) != k || ex.Label != label {
				t.Fatalf("%s: Explain = %+v, %v", kind, ex, ok)
			}
			sum := ex.Bias
			for _, v := range ex.Terms {
				sum += v
			}
			if sum != ex.Score || math.Abs(ex.Score-fast) > 1e-5 {
				t.Errorf("%s candidate %d: Σ terms + bias %.7f, explanation score %.7f, kernel %.7f", kind, r, sum, ex.Score, fast)
			}
			if kind != ARS && ex.Bias != 0 {
				t.Errorf("%s: bias %g, want 0", kind, ex.Bias)
			}
		}
	}
}

// TestExplainTerms: dot terms are the products qᵢpᵢ; cos terms the products of the
// unit vectors (they add up to the cosine).
func TestExplainTerms(t *testing.T) {
	dot, _ := New(Dot, 2, 0, 1, 1)
	ex, ok := dot.Explain([]float32{1, -2}, []float32{3, 0.5})
	if !ok || ex.Terms[0] != 3 || ex.Terms[1] != -1 || ex.Score != 2 || ex.Label != "s = Σᵢ qᵢ·pᵢ" {
		t.Errorf("dot: %+v", ex)
	}
	cos, _ := New(Cos, 2, 0, 1, 1)
	q, p := make([]float32, 2), make([]float32, 2)
	if err := cos.ProjectQueries([]float32{3, 4}, q); err != nil {
		t.Fatal(err)
	}
	if err := cos.ProjectPassages([]float32{4, 3}, p); err != nil {
		t.Fatal(err)
	}
	// (0.6, 0.8)·(0.8, 0.6) = 0.48 + 0.48 = 0.96.
	ex, _ = cos.Explain(q, p)
	near(t, "cos term 0", ex.Terms[0], 0.48, 1e-6)
	near(t, "cos score", ex.Score, 0.96, 1e-6)
	if ex.Label == "s = Σᵢ qᵢ·pᵢ" {
		t.Error("cos shares dot's label")
	}
}
