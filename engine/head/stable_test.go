package head

import (
	"fmt"
	"math"
	"testing"
)

// Rows whose positive logit is far above the rest (a pre-trained dot head at τ = 0.05
// gives logits in the thousands) must give a finite loss and the exact gradient.
// Row 1: (2000, 0, 1000) with row 0 starting at 0 made gorgonia's log-softmax overflow
// (NaN) before the row shift in logPPos. Hand values: row 0 = (0, 1, 2):
// log p₊ = −log(1 + e + e²) = −2.407606; row 1: log p₊ = −log(1 + e^−2000 + e^−1000) ≈ 0.
// Loss = 2.407606/2 = 1.203803; ∂L/∂S row 0 = (softmax − [j=0])/2 =
// ((0.090031 − 1)/2, 0.244728/2, 0.665241/2); row 1 ≈ 0.
func TestInfoNCELargeLogits(t *testing.T) {
	s := []float64{0, 1, 2, 2000, 0, 1000}
	for _, loss := range []struct {
		name  string
		value float64
	}{{"infonce", 1.203803}} {
		v, d := runLoss(t, s, 2, 3, infoNCE)
		if math.IsNaN(v) || math.Abs(v-loss.value) > 1e-6 {
			t.Fatalf("%s = %g, want %g", loss.name, v, loss.value)
		}
		want := []float64{-0.454985, 0.122364, 0.332620, 0, 0, 0}
		for i := range want {
			near(t, fmt.Sprintf("d%s/dS[%d]", loss.name, i), d[i], want[i], 1e-6)
		}
	}
	// ModInfoNCE goes through the same log p₊: finite, and row 1 (p₊ = 1) contributes 0.
	v, d := runLoss(t, s, 2, 3, modInfoNCE)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		t.Fatalf("modinfonce = %g", v)
	}
	for i, x := range d {
		if math.IsNaN(x) {
			t.Fatalf("dMod/dS[%d] is NaN", i)
		}
	}
}
