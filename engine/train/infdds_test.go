package train

import (
	"math"
	"math/rand"
	"testing"
)

// TestReinforceUpdateHandValues checks the ψ update of each baseline against hand values.
func TestReinforceUpdateHandValues(t *testing.T) {
	ln2 := math.Log(2)
	r := []float64{0.4, 0.1, 0.1} // mean 0.2
	cases := []struct {
		name      string
		c         InfDDS
		psi, want []float64
	}{
		// mean baseline: A = R − 0.2 = (0.2, −0.1, −0.1), ΣA = 0 → ψ += 0.5·A.
		{"mean", InfDDS{PolicyLR: 0.5, Baseline: "mean"}, []float64{0, 0, 0}, []float64{0.1, -0.05, -0.05}},
		// no baseline, P = (0.5, 0.25, 0.25), ΣA = 0.6: ψⱼ += 0.5·(Rⱼ − Pⱼ·0.6).
		{"none", InfDDS{PolicyLR: 0.5, Baseline: "none"}, []float64{ln2, 0, 0}, []float64{ln2 + 0.05, -0.025, -0.025}},
		// normalised: σ = √((0.04+0.01+0.01)/3) = 0.141421; A = (1.414214, −0.707107, −0.707107).
		{"mean+normalize", InfDDS{PolicyLR: 0.5, Baseline: "mean", Normalize: true}, []float64{0, 0, 0},
			[]float64{0.707107, -0.353553, -0.353553}},
		// a dataset given weight 0 stays out (its reward is 0 as it is not measured; mean 0.2 still counts it).
		{"excluded", InfDDS{PolicyLR: 0.5, Baseline: "mean"}, []float64{0, ExcludedPsi, 0}, []float64{0.1, ExcludedPsi, -0.05}},
	}
	for _, c := range cases {
		s := policyState{Psi: append([]float64(nil), c.psi...)}
		c.c.update(&s, r)
		for i := range s.Psi {
			if !(near(s.Psi[i], c.want[i], 1e-6) || s.Psi[i] == c.want[i]) {
				t.Errorf("%s: ψ = %v, want %v", c.name, s.Psi, c.want)
				break
			}
		}
		if s.Rounds != 1 {
			t.Errorf("%s: rounds %d", c.name, s.Rounds)
		}
	}
	// ema: the first round starts b at mean(R) = 0.2 and keeps it (0.9·0.2 + 0.1·0.2); the
	// second, R = (0.5, 0.5, 0.5), uses b = 0.2 → A = 0.3 each, ΣA = 0.9, P uniform → ψ unchanged
	// by symmetry (+0.5·(0.3 − 0.3)); b becomes 0.9·0.2 + 0.1·0.5 = 0.23.
	c := InfDDS{PolicyLR: 0.5, Baseline: "ema", BaselineDecay: 0.9}
	s := policyState{Psi: []float64{0, 0, 0}}
	c.update(&s, r)
	if !near(s.Baseline, 0.2, 1e-12) || !near(s.Psi[0], 0.1, 1e-12) {
		t.Errorf("ema round 1: b %v ψ %v", s.Baseline, s.Psi)
	}
	psi := append([]float64(nil), s.Psi...)
	a := c.update(&s, []float64{0.5, 0.5, 0.5})
	if !near(a[0], 0.3, 1e-12) || !near(s.Baseline, 0.23, 1e-12) {
		t.Errorf("ema round 2: A %v b %v", a, s.Baseline)
	}
	p := Softmax(psi)
	for j := range psi {
		want := psi[j] + 0.5*(0.3-p[j]*0.9)
		if !near(s.Psi[j], want, 1e-12) {
			t.Errorf("ema round 2: ψ%d = %v, want %v", j, s.Psi[j], want)
		}
	}
}

// quadToy is a model with a known optimum: θ ∈ R⁴, dev loss ½‖θ − θ*‖². Dataset 0's
// gradient is θ − θ* plus noise (useful); datasets 1 and 2 give pure noise of larger
// size (no information about θ*). The best policy puts all weight on dataset 0.
type quadToy struct {
	theta, star, kept []float64
	rng               *rand.Rand
	lr                float64
}

func newQuadToy(seed int64) *quadToy {
	q := &quadToy{theta: []float64{3, -2, 1, 4}, star: []float64{0, 0, 0, 0}, rng: rand.New(rand.NewSource(seed)), lr: 0.05}
	return q
}

func (q *quadToy) gradStep(i int) {
	for d := range q.theta {
		g := 0.5 * q.rng.NormFloat64()
		if i == 0 {
			g += q.theta[d] - q.star[d]
		} else {
			g *= 4
		}
		q.theta[d] -= q.lr * g
	}
}

func (q *quadToy) keep() error { q.kept = append(q.kept[:0], q.theta...); return nil }
func (q *quadToy) restore() error {
	copy(q.theta, q.kept)
	return nil
}
func (q *quadToy) proxy(i, steps int) error {
	for range steps {
		q.gradStep(i)
	}
	return nil
}
func (q *quadToy) devLoss() (float64, error) {
	s := 0.0
	for d := range q.theta {
		s += 0.5 * (q.theta[d] - q.star[d]) * (q.theta[d] - q.star[d])
	}
	return s, nil
}

// simulate trains the toy for rounds × interval steps, sampling datasets with the policy and
// updating it every interval steps; it returns the weights after each round.
func simulate(c InfDDS, seed int64, rounds, interval int) ([][]float64, error) {
	q := newQuadToy(seed)
	s := policyState{Psi: []float64{0, 0, 0}}
	rng := newSamplerRNG(seed)
	var traj [][]float64
	for range rounds {
		if _, _, err := c.round(&s, q); err != nil {
			return nil, err
		}
		traj = append(traj, Softmax(s.Psi))
		for range interval {
			q.gradStep(pick(Softmax(s.Psi), rng.Float64()))
		}
	}
	return traj, nil
}

// TestInfDDSToyUsefulDatasetWins: on the quadratic toy the useful dataset's weight rises from
// 1/3 to over 0.9 within 40 rounds and each noise dataset ends under 0.05, for every
// baseline; the same seed gives the same trajectory bit for bit.
func TestInfDDSToyUsefulDatasetWins(t *testing.T) {
	for _, base := range []string{"mean", "ema", "none"} {
		c := DefaultInfDDS()
		c.Baseline = base
		c.ProxySteps = 2
		traj, err := simulate(c, 1, 40, 5)
		if err != nil {
			t.Fatal(err)
		}
		last := traj[len(traj)-1]
		if last[0] < 0.9 || last[1] > 0.05 || last[2] > 0.05 {
			t.Errorf("%s baseline: final weights %.3f, want the useful dataset > 0.9 (after 10 rounds: %.3f)", base, last, traj[9])
		}
		again, _ := simulate(c, 1, 40, 5)
		for r := range traj {
			for i := range traj[r] {
				if traj[r][i] != again[r][i] {
					t.Fatalf("%s baseline: round %d differs between two runs with seed 1: %v vs %v", base, r, traj[r], again[r])
				}
			}
		}
	}
}

// TestInfDDSRoundRestoresWeights: a round leaves the model exactly where it was and its
// rewards are the dev-loss drops of the proxy steps.
func TestInfDDSRoundRestoresWeights(t *testing.T) {
	q := newQuadToy(3)
	before := append([]float64(nil), q.theta...)
	l0, _ := q.devLoss()
	s := policyState{Psi: []float64{0, 0, 0}}
	r, base, err := DefaultInfDDS().round(&s, q)
	if err != nil {
		t.Fatal(err)
	}
	for d := range before {
		if q.theta[d] != before[d] {
			t.Fatalf("θ after the round %v, before %v", q.theta, before)
		}
	}
	if base != l0 || !(r[0] > r[1]) || !(r[0] > r[2]) || !(r[0] > 1) {
		t.Errorf("base %v (want %v), rewards %v: want the useful one largest (from θ = (3,−2,1,4))", base, l0, r)
	}
}

func TestInfDDSValidate(t *testing.T) {
	ok := DefaultInfDDS()
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []func(*InfDDS){
		func(c *InfDDS) { c.Interval = 0 }, func(c *InfDDS) { c.ProxySteps = 0 }, func(c *InfDDS) { c.ProxyLR = 0 },
		func(c *InfDDS) { c.PolicyLR = math.NaN() }, func(c *InfDDS) { c.Baseline = "max" },
		func(c *InfDDS) { c.BaselineDecay = 1 }, func(c *InfDDS) { c.DevBatches = 0 },
	}
	for i, f := range bad {
		c := DefaultInfDDS()
		f(&c)
		if c.Validate() == nil {
			t.Errorf("case %d: %+v accepted", i, c)
		}
	}
}
