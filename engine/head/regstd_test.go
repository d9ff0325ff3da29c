package head

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// stdMasked is regStd with the negatives given by a validity mask (B×C).
func stdMasked(valid []bool) func(*G.Node) (*G.Node, error) {
	return func(x *G.Node) (*G.Node, error) {
		b, c := x.Shape()[0], x.Shape()[1]
		a, u := make([]float64, b*c), make([]float64, b*c)
		stdNegWeights(valid, c, a, u)
		na := G.NewConstant(tensor.New(tensor.WithShape(b, c), tensor.WithBacking(a)), G.WithName("negA"))
		nu := G.NewConstant(tensor.New(tensor.WithShape(b, c), tensor.WithBacking(u)), G.WithName("negU"))
		return regStd(x, na, nu)
	}
}

// TestStdByHand checks the std term on the hand matrix S = [[2,1,0],[0,1,0]] (sample
// std, ÷(n−1)):
//
//	s⁺ = {2, 0}:       mean 1,   var = (1² + 1²)/1 = 2,              std = 1.414214
//	s⁻ = {1,0,1,0}:    mean 0.5, var = 4·0.5²/3 = 0.333333,          std = 0.577350
//	r⁺ = {σ(2), σ(0)} = {0.880797, 0.5}: std = 0.380797/√2           = 0.269264
//	r⁻ = {0.731059, 0.5, 0.731059, 0.5}: mean 0.615529,
//	     var = 4·0.115529²/3 = 0.017796,                              std = 0.133402
//	L = 0.269264 + 0.133402 + 1.414214 + 0.577350 = 2.394230
//
// Gradient: ∂std/∂x_k = (x_k − mean)/((n−1)·std) on members, and ∂r/∂s = σ(s)(1−σ(s))
// (σ'(2) = 0.104994, σ'(1) = 0.196612, σ'(0) = 0.25):
//
//	S[0] (s = 2, pos): 1/√2 + (0.190398/0.269264)·0.104994 = 0.707107 + 0.074242 =  0.781348
//	S[3] (s = 0, pos): −0.707107 − 0.707107·0.25           = −0.707107 − 0.176777 = −0.883883
//	S[1] (s = 1, neg): 0.5/(3·0.577350) + (0.115529/(3·0.133402))·0.196612
//	                 = 0.288675 + 0.288675·0.196612 = 0.288675 + 0.056757 =  0.345432
//	S[2] (s = 0, neg): −0.288675 − 0.288675·0.25 = −0.288675 − 0.072169 = −0.360844
//
// and S[4], S[5] equal S[1], S[2].
func TestStdByHand(t *testing.T) {
	got, d := runLoss(t, handS, 2, 3, func(x *G.Node) (*G.Node, error) { return regStd(x, nil, nil) })
	near(t, "std", got, 2.394230, 1e-6)
	want := []float64{0.781348, 0.345432, -0.360844, -0.883883, 0.345432, -0.360844}
	for i := range want {
		near(t, fmt.Sprintf("dStd/dS[%d]", i), d[i], want[i], 1e-6)
	}

	// The same with every negative valid given as a mask.
	all, _ := runLoss(t, handS, 2, 3, stdMasked(nil))
	near(t, "std (mask, all valid)", all, 2.394230, 1e-6)

	// Masking S[2] and S[5] leaves s⁻ = {1, 1}: zero spread, so std(s⁻) = std(r⁻) = 0
	// (ε inside the square root, − √ε outside) and their gradient is 0, not NaN:
	// L = 0.269264 + 1.414214 = 1.683478; ∂L/∂S[1] = ∂L/∂S[4] = 0.
	got, d = runLoss(t, handS, 2, 3, stdMasked([]bool{true, true, false, true, true, false}))
	near(t, "std, zero negative spread", got, 1.683478, 1e-6)
	for _, i := range []int{1, 2, 4, 5} {
		near(t, fmt.Sprintf("dStd/dS[%d], zero spread", i), d[i], 0, 1e-9)
	}
	near(t, "dStd/dS[0], zero spread", d[0], 0.781348, 1e-6)

	// One valid negative (n = 1): its std is 0 by the guard (u = 0), gradient 0.
	got, d = runLoss(t, handS, 2, 3, stdMasked([]bool{true, true, false, true, false, false}))
	near(t, "std, one negative", got, 1.683478, 1e-6)
	near(t, "dStd/dS[1], one negative", d[1], 0, 1e-12)
}

// sampleStd is the unbiased sample standard deviation (0 for fewer than two values).
func sampleStd(x []float64) float64 {
	if len(x) < 2 {
		return 0
	}
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(x)-1))
}

// TestStdTermInGraph: in a full graph (every head, a masked negative) the std term
// equals the four sample stds worked out in plain Go from the graph's scores, and the
// total is the weighted sum infonce + 0.1·std + 0.01·l2.
func TestStdTermInGraph(t *testing.T) {
	const d, b, k = 4, 3, 2
	for _, kind := range []string{ARS, Dot, Cos} {
		rng := rand.New(rand.NewSource(3))
		hd, err := New(kind, d, 3, 0.2, 9)
		if err != nil {
			t.Fatal(err)
		}
		st := HardStructure(b, k)
		q, p := randVec(rng, b*d, 1), randVec(rng, st.M*d, 1)
		valid := make([]bool, b*st.C)
		for i := range valid {
			valid[i] = i != st.C+1
		}
		w, err := ParseWeights("infonce, std=0.1, l2=0.01")
		if err != nil {
			t.Fatal(err)
		}
		gr, err := hd.NewGraph(st, w, false)
		if err != nil {
			t.Fatal(err)
		}
		res, err := gr.Run(q, p, valid)
		gr.Close()
		if err != nil {
			t.Fatal(err)
		}
		var sp, sn, rp, rn []float64
		for r, s := range res.Scores {
			switch {
			case r%st.C == 0:
				sp, rp = append(sp, s), append(rp, 1/(1+math.Exp(-s)))
			case valid[r]:
				sn, rn = append(sn, s), append(rn, 1/(1+math.Exp(-s)))
			}
		}
		want := sampleStd(rp) + sampleStd(rn) + sampleStd(sp) + sampleStd(sn)
		near(t, kind+" std term", res.Terms["std"], want, 1e-8) // four stds, each low by < √ε = 1e-9
		total := res.Terms["infonce"] + 0.1*res.Terms["std"] + 0.01*res.Terms["reg"]
		near(t, kind+" total", res.Total, total, 1e-12)
		if _, ok := res.Terms["l2"]; ok {
			t.Errorf("%s: l2 reported under its alias, want \"reg\"", kind)
		}
	}
}

func TestLossNamesStdL2(t *testing.T) {
	w, err := ParseWeights("infonce, STD=0.1, l2=1e-4")
	if err != nil {
		t.Fatal(err)
	}
	if w.Weight(Std) != 0.1 || w.Weight(Reg) != 1e-4 || w.Weight(InfoNCE) != 1 {
		t.Errorf("parsed %v", w)
	}
	if got := w.String(); got != "infonce=1,reg=0.0001,std=0.1" {
		t.Errorf("String() = %q (l2 is stored as reg)", got)
	}
	if names := w.Names(); len(names) != 3 || names[0] != InfoNCE || names[1] != Reg || names[2] != Std {
		t.Errorf("Names() = %v, want LossNames order", names)
	}
	for _, s := range []string{"l2", " L2 ", "reg"} {
		if n, err := ParseLossName(s); err != nil || n != Reg {
			t.Errorf("ParseLossName(%q) = %q, %v; want reg", s, n, err)
		}
	}
	if n, err := ParseLossName("std"); err != nil || n != Std {
		t.Errorf("ParseLossName(std) = %q, %v", n, err)
	}
	// An old config.json with "reg" and a new one with "l2" give the same weights.
	old := mustWeights(t, map[string]float64{"infonce": 1, "reg": 1e-4})
	nw := mustWeights(t, map[string]float64{"infonce": 1, "l2": 1e-4})
	if old.String() != nw.String() {
		t.Errorf("reg %v and l2 %v differ", old, nw)
	}
	for _, bad := range []string{"std", "l2", "std,l2", "infonce,l2,reg", "infonce,std,std", "std=-0.1,dyn"} {
		if _, err := ParseWeights(bad); err == nil {
			t.Errorf("ParseWeights(%q): want an error", bad)
		}
	}
	for _, bad := range []map[string]float64{{"std": 1}, {"dyn": 1, "l2": 1, "reg": 1}, {"dyn": 1, "L2": 1}, {"dyn": 1, "Std": 1}} {
		if _, err := NewWeights(bad); err == nil {
			t.Errorf("NewWeights(%v): want an error", bad)
		}
	}
	if Std.Scoring() || Reg.Scoring() || !Dyn.Scoring() {
		t.Error("Scoring: std and reg are regularisers")
	}
}
