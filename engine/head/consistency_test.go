package head

import (
	"math"
	"math/rand"
	"testing"
)

// TestGraphMatchesFastScoring: the graph's scores equal the float32 search path
// (ProjectQueries/ProjectPassages + ScoreProjected) for every head.
func TestGraphMatchesFastScoring(t *testing.T) {
	for _, kind := range []string{Dot, Cos, ARS} {
		rng := rand.New(rand.NewSource(1))
		hd, err := New(kind, 3, 2, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		gr, err := hd.NewGraph(HardStructure(2, 1), map[string]float64{"infonce": 1}, false)
		if err != nil {
			t.Fatal(err)
		}
		q, p := randVec(rng, 6, 1), randVec(rng, 12, 1)
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
		for r := range 4 {
			i := r / 2
			fast := float64(hd.ScoreProjected(qp[i*k:(i+1)*k], pp[r*k:(r+1)*k]))
			if math.Abs(fast-res.Scores[r]) > 1e-5 {
				t.Errorf("%s candidate %d: graph %.6f, fast %.6f", kind, r, res.Scores[r], fast)
			}
		}
	}
}
