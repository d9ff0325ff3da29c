package head

import (
	"math"
	"testing"
)

func TestBCELossByHand(t *testing.T) {
	// s = 0, y = 1: log 2 = 0.693147; s = 2, y = 0: softplus(2) = 2.126928;
	// s = −1, y = 0.5: softplus(−1) + 0.5 = 0.313262 + 0.5 = 0.813262. Mean 1.211112.
	loss, grad, err := BCELoss([]float64{0, 2, -1}, []float64{1, 0, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(loss-(0.693147181+2.126928011+0.813261687)/3) > 1e-8 {
		t.Fatalf("bce %g", loss)
	}
	// ∂/∂s = (σ(s) − y)/3: (0.5−1)/3, (0.880797−0)/3, (0.268941−0.5)/3.
	want := []float64{-0.5 / 3, 0.880797078 / 3, (0.268941421 - 0.5) / 3}
	for i := range want {
		if math.Abs(grad[i]-want[i]) > 1e-8 {
			t.Fatalf("grad %v want %v", grad, want)
		}
	}
	// Stable for huge logits.
	if l, _, _ := BCELoss([]float64{800, -800}, []float64{1, 0}); l != 0 {
		t.Fatalf("bce of confident right answers %g", l)
	}
	if l, _, _ := BCELoss([]float64{-800}, []float64{1}); math.Abs(l-800) > 1e-9 {
		t.Fatalf("bce of a confident wrong answer %g", l)
	}
	if _, _, err := BCELoss([]float64{1}, []float64{2}); err == nil {
		t.Fatal("label 2 accepted")
	}
}

func TestListwiseLossByHand(t *testing.T) {
	// One-hot on the first of (2, 0, 1): −log(e²/(e²+1+e)) = −(2 − log(7.389056+1+2.718282)) = 0.407606.
	loss, grads, err := ListwiseLoss([][]float64{{2, 0, 1}}, [][]float64{{1, 0, 0}})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(loss-0.407605964) > 1e-8 {
		t.Fatalf("listwise %g", loss)
	}
	p := []float64{0.665240956, 0.090030573, 0.244728471}
	want := []float64{p[0] - 1, p[1], p[2]}
	for i := range want {
		if math.Abs(grads[0][i]-want[i]) > 1e-8 {
			t.Fatalf("grad %v want %v", grads[0], want)
		}
	}
	// Graded target: grades (2, 1, 0) → (3, 1, 0)/4.
	tg := GradedTarget([]int{2, 1, 0})
	if math.Abs(tg[0]-0.75) > 1e-15 || math.Abs(tg[1]-0.25) > 1e-15 || tg[2] != 0 {
		t.Fatalf("graded target %v", tg)
	}
	if GradedTarget([]int{0, 0}) != nil {
		t.Fatal("target of a group without relevant candidates")
	}
	if _, _, err := ListwiseLoss([][]float64{{1, 2}}, [][]float64{{0.5, 0.2}}); err == nil {
		t.Fatal("targets not summing to 1 accepted")
	}
}

func TestCrossLossesFiniteDifferences(t *testing.T) {
	const eps = 1e-6
	logits := []float64{0.3, -1.2, 2.5, 0.01}
	labels := []float64{1, 0, 0.5, 0}
	_, grad, _ := BCELoss(logits, labels)
	for i := range logits {
		o := logits[i]
		logits[i] = o + eps
		lp, _, _ := BCELoss(logits, labels)
		logits[i] = o - eps
		lm, _, _ := BCELoss(logits, labels)
		logits[i] = o
		if num := (lp - lm) / (2 * eps); math.Abs(num-grad[i]) > 1e-8 {
			t.Fatalf("bce grad %d: analytic %g numeric %g", i, grad[i], num)
		}
	}
	groups := [][]float64{{0.3, -1.2, 2.5}, {1, 0.5, -0.5, 3, 0}}
	targets := [][]float64{{1, 0, 0}, GradedTarget([]int{1, 2, 0, 0, 1})}
	_, grads, err := ListwiseLoss(groups, targets)
	if err != nil {
		t.Fatal(err)
	}
	for g := range groups {
		for i := range groups[g] {
			o := groups[g][i]
			groups[g][i] = o + eps
			lp, _, _ := ListwiseLoss(groups, targets)
			groups[g][i] = o - eps
			lm, _, _ := ListwiseLoss(groups, targets)
			groups[g][i] = o
			if num := (lp - lm) / (2 * eps); math.Abs(num-grads[g][i]) > 1e-8 {
				t.Fatalf("listwise grad %d/%d: analytic %g numeric %g", g, i, grads[g][i], num)
			}
		}
	}
}
