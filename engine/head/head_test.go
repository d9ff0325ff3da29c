package head

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The hand example used by the loss tests: 2 queries × 3 candidates, column 0 positive.
//
//	S = [[2, 1, 0],
//	     [0, 1, 0]]
//
// Row log-sum-exps: lse₁ = 2 + log(1 + e⁻¹ + e⁻²) = 2 + log 1.503215 = 2.407606,
// lse₂ = log(2 + e) = log 4.718282 = 1.551445. So log p₊ = (−0.407606, −1.551445)
// and p₊ = (0.665241, 0.211942).
var handS = []float64{2, 1, 0, 0, 1, 0}

// runLoss evaluates build(S) on the hand matrix and returns the value and ∂L/∂S.
func runLoss(t *testing.T, s []float64, b, c int, build func(*G.Node) (*G.Node, error)) (float64, []float64) {
	t.Helper()
	g := G.NewGraph()
	x := G.NewMatrix(g, G.Float64, G.WithShape(b, c), G.WithName("S"),
		G.WithValue(tensor.New(tensor.WithShape(b, c), tensor.WithBacking(append([]float64(nil), s...)))))
	l, err := build(x)
	if err != nil {
		t.Fatal(err)
	}
	gr, err := G.Grad(l, x)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	v, err := scalar(l)
	if err != nil {
		t.Fatal(err)
	}
	d, err := values(gr[0])
	if err != nil {
		t.Fatal(err)
	}
	return v, d
}

func scalar(n *G.Node) (float64, error) {
	vs, err := values(n)
	if err != nil {
		return 0, err
	}
	if len(vs) != 1 {
		return 0, fmt.Errorf("head: node %s holds %d values, want 1", n.Name(), len(vs))
	}
	return vs[0], nil
}

// values copies a node's value out of a test graph; only safe for nodes that are live
// at the end of the run (e.g. the graph's final output).
func values(n *G.Node) ([]float64, error) {
	v := n.Value()
	if v == nil {
		return nil, fmt.Errorf("head: node %s has no value", n.Name())
	}
	return valueData(v, n.Name())
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) {
		t.Errorf("%s = %.6f, want %.6f (±%g)", what, got, want, tol)
	}
}

func TestLossValuesByHand(t *testing.T) {
	dynUniform := func(x *G.Node) (*G.Node, error) { return dyn(x, nil) }
	tests := []struct {
		name  string
		build func(*G.Node) (*G.Node, error)
		// want worked out from the log p₊ above.
		want float64
	}{
		// InfoNCE = (0.407606 + 1.551445)/2.
		{"infonce", infoNCE, 0.979525},
		// ModInfoNCE = ((1−0.665241)·0.407606 + (1−0.211942)·1.551445)/2 = (0.136450 + 1.222629)/2.
		{"modinfonce", modInfoNCE, 0.679540},
		// Dyn: positives softplus(−2) = 0.126928, softplus(0) = 0.693147 → mean 0.410038;
		// negatives softplus(1) = 1.313262, softplus(0) = 0.693147 (twice each) → mean 1.003204.
		{"dyn", dynUniform, 1.413242},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := runLoss(t, handS, 2, 3, tc.build)
			near(t, tc.name, got, tc.want, 1e-6)
		})
	}
}

func TestLossGradientsByHand(t *testing.T) {
	// InfoNCE: ∂L/∂S_ij = (softmax_ij − [j=0]) / B.
	// Row 1 softmax = (0.665241, 0.244728, 0.090031) → (−0.167380, 0.122364, 0.045015).
	// Row 2 softmax = (0.211942, 0.576117, 0.211942) → (−0.394029, 0.288058, 0.105971).
	_, d := runLoss(t, handS, 2, 3, infoNCE)
	want := []float64{-0.167380, 0.122364, 0.045015, -0.394029, 0.288058, 0.105971}
	for i := range want {
		near(t, fmt.Sprintf("dInfoNCE/dS[%d]", i), d[i], want[i], 1e-6)
	}

	// ModInfoNCE differentiates through (1 − p₊): per query, for the positive logit
	// ∂ℓ/∂z = (1−p)(p·log p − (1−p)); for a negative j, ∂ℓ/∂z_j = −(p_j/(1−p))·∂ℓ/∂z.
	// Query 1 (p = 0.665241, log p = −0.407606):
	//   (0.334759)(0.665241·(−0.407606) − 0.334759) = 0.334759·(−0.605914) = −0.202835, /B = −0.101418.
	// A stop-gradient weight would instead give −(1−p)² / B = −0.056032: the test tells them apart.
	_, d = runLoss(t, handS, 2, 3, modInfoNCE)
	near(t, "dMod/dS[0]", d[0], -0.101418, 1e-6)
	// Negative column 1 of query 1: −(0.244728/0.334759)·(−0.202835)/2 = 0.074142.
	near(t, "dMod/dS[1]", d[1], 0.074142, 1e-6)

	// Dyn: ∂/∂s_pos = −(1−σ(s))/B, ∂/∂s_neg = σ(s)/N_neg.
	// s = 2: −(1−0.880797)/2 = −0.059601; s = 1 (neg): 0.731059/4 = 0.182765; s = 0 (neg): 0.5/4 = 0.125.
	_, d = runLoss(t, handS, 2, 3, func(x *G.Node) (*G.Node, error) { return dyn(x, nil) })
	want = []float64{-0.059601, 0.182765, 0.125, -0.25, 0.182765, 0.125}
	for i := range want {
		near(t, fmt.Sprintf("dDyn/dS[%d]", i), d[i], want[i], 1e-6)
	}
}

func TestRegByHand(t *testing.T) {
	// W = [[1,2],[3,0]], v = (0.5, −1): 1+4+9+0 + 0.25+1 = 15.25; ∂/∂W = 2W.
	g := G.NewGraph()
	w := G.NewMatrix(g, G.Float64, G.WithShape(2, 2), G.WithName("W"), G.WithValue(dense([]float64{1, 2, 3, 0}, 2, 2)))
	v := G.NewVector(g, G.Float64, G.WithShape(2), G.WithName("v"), G.WithValue(dense([]float64{0.5, -1}, 2)))
	l, err := reg(w, v)
	if err != nil {
		t.Fatal(err)
	}
	gr, err := G.Grad(l, w, v)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	got, _ := scalar(l)
	near(t, "reg", got, 15.25, 1e-12)
	dv, _ := values(gr[1])
	near(t, "dReg/dv[1]", dv[1], -2, 1e-12)
	if _, err := reg(); err == nil {
		t.Error("reg() with no weights: want an error")
	}
}

// handHead is a 2-d ARS head with round numbers.
func handHead(t *testing.T) *Head {
	t.Helper()
	hd, err := New(ARS, 2, 2, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	copy(hd.Wq, []float32{1, 0, 0, 1}) // identity
	copy(hd.Bq, []float32{0, 0.5})
	copy(hd.Wp, []float32{0, 1, 1, 0}) // swap
	copy(hd.Bp, []float32{0.1, 0})
	copy(hd.V, []float32{2, -1})
	hd.C[0] = 0.3
	return hd
}

func TestARSValueByHand(t *testing.T) {
	// q = (0.5, 1), p = (1, −1): W_q q + b_q = (0.5, 1.5); W_p p + b_p = (−1+0.1, 1) = (−0.9, 1).
	// ⊙ = (−0.45, 1.5); tanh = (−0.421899, 0.905148);
	// contributions v⊙tanh = (−0.843798, −0.905148); s = −1.748946 + 0.3 = −1.448946.
	hd := handHead(t)
	qp, pp := make([]float32, 2), make([]float32, 2)
	if err := hd.ProjectQueries([]float32{0.5, 1}, qp); err != nil {
		t.Fatal(err)
	}
	if err := hd.ProjectPassages([]float32{1, -1}, pp); err != nil {
		t.Fatal(err)
	}
	near(t, "score", float64(hd.Score(qp, pp)), -1.448946, 1e-5)
	ex, ok := hd.Explain(qp, pp)
	if !ok {
		t.Fatal("Explain refused ProjDim-long vectors")
	}
	contrib, s := ex.Terms, ex.Score
	near(t, "contrib[0]", contrib[0], -0.843798, 1e-5)
	near(t, "contrib[1]", contrib[1], -0.905148, 1e-5)
	near(t, "bias", ex.Bias, 0.3, 1e-7)
	near(t, "contrib score", s, -1.448946, 1e-5)
	if ex.Label != "s = Σᵢ vᵢ·tanh(q̂ᵢ·p̂ᵢ) + c" || ex.Kind != ARS {
		t.Errorf("label %q kind %q", ex.Label, ex.Kind)
	}
	if _, ok := hd.Explain(qp, pp[:1]); ok {
		t.Error("Explain of a short passage vector: want ok = false")
	}
	// Prob = σ(−1.448946) = 1/(1 + e^1.448946) = 1/(1 + 4.258632) = 0.190164.
	near(t, "prob", hd.Prob(s), 0.190164, 1e-5)

	// The graph computes the same score (exact tanh) in a 1 query × 2 candidate layout.
	// (Graphs need B ≥ 2, so the query is repeated.)
	gr, err := hd.NewGraph(HardStructure(2, 1), mustWeights(t, map[string]float64{"infonce": 1}), false)
	if err != nil {
		t.Fatal(err)
	}
	defer gr.Close()
	res, err := gr.Run([]float32{0.5, 1, 0.5, 1}, []float32{1, -1, 0, 0, 1, -1, 0, 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "graph score", res.Scores[0], -1.448946, 1e-6)
}

func TestFastTanh(t *testing.T) {
	worst := 0.0
	for x := -12.0; x <= 12; x += 0.001 {
		worst = max(worst, math.Abs(float64(FastTanh(float32(x)))-math.Tanh(x)))
	}
	if worst > FastTanhMaxErr {
		t.Errorf("max |FastTanh − tanh| = %g, want ≤ %g", worst, FastTanhMaxErr)
	}
}

// mustWeights validates a loss map for a test.
func mustWeights(t *testing.T, m map[string]float64) Weights {
	t.Helper()
	w, err := NewWeights(m)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestLossNames(t *testing.T) {
	w, err := ParseWeights(" InfoNCE, dyn=0.5,reg=1e-4")
	if err != nil {
		t.Fatal(err)
	}
	if w.Weight(InfoNCE) != 1 || w.Weight(Dyn) != 0.5 || w.Weight(Reg) != 1e-4 || w.Has(ModInfoNCE) {
		t.Errorf("parsed %v", w)
	}
	if got := w.String(); got != "dyn=0.5,infonce=1,reg=0.0001" {
		t.Errorf("String() = %q", got)
	}
	if names := w.Names(); len(names) != 3 || names[0] != Dyn || names[1] != InfoNCE || names[2] != Reg {
		t.Errorf("Names() = %v, want LossNames order", names)
	}
	// "+" separates terms too (sweep grids split their values on ","), but not inside a number.
	plus, err := ParseWeights("infonce=1+dyn=0.5+reg=1e+2")
	if err != nil || plus.Weight(InfoNCE) != 1 || plus.Weight(Dyn) != 0.5 || plus.Weight(Reg) != 100 {
		t.Errorf("ParseWeights with +: %v %v", plus, err)
	}
	for _, bad := range []string{"", "focal", "dyn=x", "dyn=-1", "dyn,dyn", "reg", "infonce+dyn+dyn"} {
		if _, err := ParseWeights(bad); err == nil {
			t.Errorf("ParseWeights(%q): want an error", bad)
		}
	}
	for _, bad := range []map[string]float64{nil, {"Dyn": 1}, {"dyn": math.NaN()}, {"dyn": math.Inf(1)}, {"infonce": 0, "reg": 1}} {
		if _, err := NewWeights(bad); err == nil {
			t.Errorf("NewWeights(%v): want an error", bad)
		}
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		kind string
		d, h int
		tau  float64
	}{{"bogus", 4, 0, 0.1}, {ARS, 0, 0, 0.1}, {ARS, 4, -1, 0.1}, {Dot, 4, 0, 0}, {Cos, 4, 0, math.NaN()}} {
		if _, err := New(tc.kind, tc.d, tc.h, tc.tau, 1); err == nil {
			t.Errorf("New(%q, %d, %d, %g): want an error", tc.kind, tc.d, tc.h, tc.tau)
		}
	}
}

func randVec(rng *rand.Rand, n int, scale float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(rng.NormFloat64() * scale)
	}
	return out
}

// lossAt runs a fresh forward pass and returns the total (used by finite differences).
func lossAt(t *testing.T, gr *Graph, q, p []float32, valid []bool) float64 {
	t.Helper()
	res, err := gr.Run(q, p, valid)
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

// TestGradientsFiniteDifferences checks ∂L/∂Q, ∂L/∂P and every head parameter against
// central differences, for each head, candidate layout and loss term.
func TestGradientsFiniteDifferences(t *testing.T) {
	const learn = true
	const d, h, b, k = 4, 3, 2, 2
	structures := []Structure{HardStructure(b, k), InBatchStructure(b), BothStructure(b, k)}
	lossSets := []map[string]float64{
		{"infonce": 1}, {"modinfonce": 1}, {"dyn": 1}, {"infonce": 1, "dyn": 0.5, "reg": 0.1},
		{"infonce": 1, "std": 0.1}, {"dyn": 1, "l2": 0.1, "std": 1},
	}
	for _, kind := range []string{ARS, Dot, Cos} {
		for _, st := range structures {
			for li, losses := range lossSets {
				t.Run(fmt.Sprintf("%s/%s/%d", kind, st.Kind, li), func(t *testing.T) {
					rng := rand.New(rand.NewSource(7))
					hd, err := New(kind, d, h, 0.5, 3)
					if err != nil {
						t.Fatal(err)
					}
					copy(hd.Bq, randVec(rng, len(hd.Bq), 0.3))
					copy(hd.Bp, randVec(rng, len(hd.Bp), 0.3))
					if hd.C != nil {
						hd.C[0] = 0.2
					}
					gr, err := hd.NewGraph(st, mustWeights(t, losses), learn)
					if err != nil {
						t.Fatal(err)
					}
					defer gr.Close()
					q := randVec(rng, b*d, 0.7)
					p := randVec(rng, st.M*d, 0.7)
					var valid []bool
					if st.Kind == "hard" { // mask one negative to cover the mask path
						valid = make([]bool, b*st.C)
						for i := range valid {
							valid[i] = i != st.C+2
						}
					}
					hd.ZeroGrad()
					res, err := gr.Run(q, p, valid)
					if err != nil {
						t.Fatal(err)
					}
					// Copy the head's gradients now: every later Run adds to Param.G.
					headGrads := map[string][]float32{}
					for _, prm := range hd.Params() {
						headGrads[prm.Name] = append([]float32(nil), prm.G...)
					}
					const eps = 1e-3
					check := func(name string, x []float32, grad []float32) {
						for i := range x {
							old := x[i]
							x[i] = old + eps
							lp := lossAt(t, gr, q, p, valid)
							x[i] = old - eps
							lm := lossAt(t, gr, q, p, valid)
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
	}
}

// TestGraphReuse runs one graph on two inputs and checks each run equals a fresh
// graph's run, and that gradients do not accumulate inside gorgonia between runs.
func TestGraphReuse(t *testing.T) {
	const d, b, k = 4, 2, 3
	rng := rand.New(rand.NewSource(11))
	losses := map[string]float64{"infonce": 1, "dyn": 0.5, "reg": 0.01}
	hd, err := New(ARS, d, 0, 0.1, 5)
	if err != nil {
		t.Fatal(err)
	}
	st := HardStructure(b, k)
	reused, err := hd.NewGraph(st, mustWeights(t, losses), false)
	if err != nil {
		t.Fatal(err)
	}
	defer reused.Close()
	inputs := [][2][]float32{
		{randVec(rng, b*d, 1), randVec(rng, st.M*d, 1)},
		{randVec(rng, b*d, 1), randVec(rng, st.M*d, 1)},
	}
	for run := range 3 {
		in := inputs[run%2]
		hd.ZeroGrad()
		got, err := reused.Run(in[0], in[1], nil)
		if err != nil {
			t.Fatal(err)
		}
		gotGV := append([]float32(nil), hd.gV...)
		fresh, err := hd.NewGraph(st, mustWeights(t, losses), false)
		if err != nil {
			t.Fatal(err)
		}
		hd.ZeroGrad()
		want, err := fresh.Run(in[0], in[1], nil)
		fresh.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != want.Total {
			t.Errorf("run %d: reused total %v, fresh %v", run, got.Total, want.Total)
		}
		for i := range want.DQ {
			if got.DQ[i] != want.DQ[i] {
				t.Fatalf("run %d: dQ[%d] reused %v, fresh %v", run, i, got.DQ[i], want.DQ[i])
			}
		}
		for i := range gotGV {
			if gotGV[i] != hd.gV[i] {
				t.Fatalf("run %d: dv[%d] reused %v, fresh %v", run, i, gotGV[i], hd.gV[i])
			}
		}
	}
	// Two runs without ZeroGrad add up in Param.G (the accumulate contract).
	hd.ZeroGrad()
	if _, err := reused.Run(inputs[0][0], inputs[0][1], nil); err != nil {
		t.Fatal(err)
	}
	one := append([]float32(nil), hd.gV...)
	if _, err := reused.Run(inputs[0][0], inputs[0][1], nil); err != nil {
		t.Fatal(err)
	}
	for i := range one {
		// float32 accumulation: relative tolerance of a few ulps.
		near(t, "accumulated dv", float64(hd.gV[i]), 2*float64(one[i]), 1e-6*math.Max(1, math.Abs(2*float64(one[i]))))
	}
}

func TestGraphErrors(t *testing.T) {
	hd, err := New(ARS, 4, 0, 0.1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewWeights(map[string]float64{"reg": 1}); err == nil {
		t.Error("reg alone: want an error")
	}
	if _, err := NewWeights(map[string]float64{"focal": 1}); err == nil {
		t.Error("unknown loss: want an error")
	}
	if _, err := hd.NewGraph(HardStructure(2, 1), Weights{}, false); err == nil {
		t.Error("unvalidated (zero) weights: want an error")
	}
	if _, err := hd.NewGraph(Structure{B: 1, C: 2, M: 1, Cand: []int{0, 5}}, mustWeights(t, map[string]float64{"infonce": 1}), false); err == nil {
		t.Error("candidate out of range: want an error")
	}
	// gorgonia treats 1×n matrices as vectors: a one-query batch is refused.
	if _, err := hd.NewGraph(HardStructure(1, 1), mustWeights(t, map[string]float64{"infonce": 1}), false); err == nil {
		t.Error("B = 1: want an error")
	}
	gr, err := hd.NewGraph(HardStructure(2, 1), mustWeights(t, map[string]float64{"infonce": 1}), false)
	if err != nil {
		t.Fatal(err)
	}
	defer gr.Close()
	if _, err := gr.Run(make([]float32, 3), make([]float32, 16), nil); err == nil {
		t.Error("wrong Q size: want an error")
	}
	if _, err := gr.Run(make([]float32, 8), make([]float32, 16), []bool{false, true, true, true}); err == nil {
		t.Error("masked positive: want an error")
	}
}

func TestStructures(t *testing.T) {
	// In-batch with B = 3: query 1's candidates are its positive (row 1), then rows 0 and 2.
	ib := InBatchStructure(3)
	if got := ib.Cand[3:6]; got[0] != 1 || got[1] != 0 || got[2] != 2 {
		t.Errorf("in-batch query 1 candidates %v, want [1 0 2]", got)
	}
	// Both with B = 2, k = 1: M = 4 (2 positives + 2 hard); query 1 → [1 0 2 3].
	both := BothStructure(2, 1)
	if both.C != 4 || both.M != 4 {
		t.Fatalf("both: C=%d M=%d, want 4 and 4", both.C, both.M)
	}
	if got := both.Cand[4:8]; got[0] != 1 || got[1] != 0 || got[2] != 2 || got[3] != 3 {
		t.Errorf("both query 1 candidates %v, want [1 0 2 3]", got)
	}
	if !HardStructure(2, 3).identity() || ib.identity() {
		t.Error("identity detection wrong")
	}
}

// TestTermsMatchSingleTermGraphs: in a graph summing several terms, each reported term
// equals the total of a graph with that term alone (weight 1), and the total is the
// weighted sum of the terms. Without the Read nodes of build, intermediate values are
// read from registers the tape machine has reused, and this test fails.
func TestTermsMatchSingleTermGraphs(t *testing.T) {
	const d, b, k = 4, 3, 2
	rng := rand.New(rand.NewSource(5))
	for _, kind := range []string{ARS, Cos} {
		hd, err := New(kind, d, 3, 0.2, 9)
		if err != nil {
			t.Fatal(err)
		}
		st := HardStructure(b, k)
		q, p := randVec(rng, b*d, 1), randVec(rng, st.M*d, 1)
		all := map[string]float64{"infonce": 1, "modinfonce": 0.3, "dyn": 0.5, "reg": 0.01, "std": 0.1}
		gr, err := hd.NewGraph(st, mustWeights(t, all), false)
		if err != nil {
			t.Fatal(err)
		}
		res, err := gr.Run(q, p, nil)
		gr.Close()
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for name, w := range all {
			total += w * res.Terms[name]
			if name == "reg" || name == "std" {
				continue // a regulariser alone is not a valid loss
			}
			one, err := hd.NewGraph(st, mustWeights(t, map[string]float64{name: 1}), false)
			if err != nil {
				t.Fatal(err)
			}
			r1, err := one.Run(q, p, nil)
			one.Close()
			if err != nil {
				t.Fatal(err)
			}
			near(t, kind+" "+name, res.Terms[name], r1.Total, 1e-12)
		}
		near(t, kind+" total", res.Total, total, 1e-12)
		if kind == Cos && res.Terms["reg"] != 0 {
			t.Errorf("cos reg term %g, want 0", res.Terms["reg"])
		}
	}
}
