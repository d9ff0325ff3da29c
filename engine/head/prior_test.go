package head

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// TestPriorByHand: the hand matrix S = [[2,1,0],[0,1,0]] from a dot head (τ = 1) with the
// prior [[0,0,2],[1,0,0]] on the logits. Row 1's logits are (2,1,2): log-sum-exp =
// log(2e² + e) = log 17.496394 = 2.861995, so log p₊ = −0.861995; row 2's are (1,1,0):
// log(2e + 1) = log 6.436564 = 1.861995, log p₊ = −0.861995. InfoNCE = 0.861995.
// Without the prior it is 0.979525 (TestLossValuesByHand). ∂L/∂S = (softmax − onehot)/B:
// row 1 softmax (e², e, e²)/17.496394 = (0.422319, 0.155362, 0.422319), so for the dot
// head ∂L/∂q₁ = Σ_j ∂L/∂S_1j · p_1j = ((0.422319−1)·2 + 0.155362·1)/2 = −0.500000 on
// its first coordinate, plus dyn's 0.5·(−0.059601·2 + 0.182765·1) = 0.031782 (its hand
// gradients are in TestLossGradientsByHand): −0.468218. The scores and dyn do not see the prior.
func TestPriorByHand(t *testing.T) {
	const b, k, d = 2, 2, 2
	hd, err := New(Dot, d, 0, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	st := HardStructure(b, k)
	gr, err := hd.NewGraph(st, mustWeights(t, map[string]float64{"infonce": 1, "dyn": 0.5}), false)
	if err != nil {
		t.Fatal(err)
	}
	defer gr.Close()
	q := []float32{1, 0, 0, 1}
	p := []float32{2, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0} // query 1: pos, neg, neg; query 2 likewise
	prior := []float64{0, 0, 2, 1, 0, 0}
	plain, err := gr.Run(q, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := gr.RunPrior(q, p, nil, prior)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range []float64{2, 1, 0, 0, 1, 0} {
		near(t, fmt.Sprintf("score[%d]", i), got.Scores[i], s, 1e-12)
	}
	near(t, "infonce without prior", plain.Terms["infonce"], 0.979525, 1e-6)
	near(t, "infonce with prior", got.Terms["infonce"], 0.861995, 1e-6)
	near(t, "dyn unchanged", got.Terms["dyn"], plain.Terms["dyn"], 1e-12)
	near(t, "dL/dq1[0]", float64(got.DQ[0]), -0.468218, 2e-6) // float32 gradient
	near(t, "total", got.Total, 0.861995+0.5*plain.Terms["dyn"], 1e-6)

	// A prior with the wrong length or a non-finite entry is refused.
	if _, err := gr.RunPrior(q, p, nil, prior[:5]); err == nil {
		t.Error("a prior of 5 entries for 6 candidates was accepted")
	}
	if _, err := gr.RunPrior(q, p, nil, []float64{0, math.NaN(), 0, 0, 0, 0}); err == nil {
		t.Error("a NaN prior was accepted")
	}
}

// TestPriorFiniteDifferences checks ∂L/∂Q, ∂L/∂P and the head's gradients with a prior,
// for the ARS head and both softmax losses, against central differences.
func TestPriorFiniteDifferences(t *testing.T) {
	const d, h, b, k = 4, 3, 2, 2
	for _, losses := range []map[string]float64{{"infonce": 1}, {"modinfonce": 1, "dyn": 0.5}} {
		t.Run(fmt.Sprint(losses), func(t *testing.T) {
			rng := rand.New(rand.NewSource(11))
			hd, err := New(ARS, d, h, 0.5, 3)
			if err != nil {
				t.Fatal(err)
			}
			st := HardStructure(b, k)
			gr, err := hd.NewGraph(st, mustWeights(t, losses), true) // learned τ: log τ has a gradient to check too
			if err != nil {
				t.Fatal(err)
			}
			defer gr.Close()
			q := randVec(rng, b*d, 0.7)
			p := randVec(rng, st.M*d, 0.7)
			prior := make([]float64, b*st.C)
			for i := range prior {
				prior[i] = 3 * rng.Float64()
			}
			loss := func() float64 {
				res, err := gr.RunPrior(q, p, nil, prior)
				if err != nil {
					t.Fatal(err)
				}
				return res.Total
			}
			hd.ZeroGrad()
			res, err := gr.RunPrior(q, p, nil, prior)
			if err != nil {
				t.Fatal(err)
			}
			// Copy the head's gradients now: every later Run adds to Param.G.
			headGrads := map[string][]float32{}
			for _, prm := range hd.Params() {
				headGrads[prm.Name] = append([]float32(nil), prm.G...)
			}
			plain, err := gr.Run(q, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(plain.Total-res.Total) < 1e-3 {
				t.Fatalf("the prior did not change the loss (%.6f)", res.Total)
			}
			const eps = 1e-3
			check := func(name string, x, grad []float32) {
				for i := range x {
					old := x[i]
					x[i] = old + eps
					lp := loss()
					x[i] = old - eps
					lm := loss()
					x[i] = old
					fd := (lp - lm) / (2 * eps)
					if math.Abs(fd-float64(grad[i])) > 2e-3*max(1, math.Abs(fd)) {
						t.Errorf("%s[%d]: analytic %.6f, finite difference %.6f", name, i, grad[i], fd)
					}
				}
			}
			check("dQ", q, res.DQ)
			check("dP", p, res.DP)
			for _, prm := range hd.Params() {
				check(prm.Name, prm.W, headGrads[prm.Name])
			}
		})
	}
}
