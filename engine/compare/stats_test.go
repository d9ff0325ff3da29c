package compare

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// Hand-worked paired statistics. Student's t has closed forms for 1 and 2 degrees of freedom:
//
//	ν = 1: P(|T| ≥ t) = 1 − 2·atan(t)/π
//	ν = 2: P(|T| ≥ t) = 1 − t/√(2+t²),   quantile t_{2,p} = (2p−1)/√(2p(1−p))
func TestPairedWorked(t *testing.T) {
	// n = 3: d = other − base = (0.2, 0.1, 0.3); mean 0.2; deviations (0, −0.1, 0.1),
	// sd = √(0.02/2) = 0.1, se = 0.1/√3, t = 0.2/(0.1/√3) = 2√3 = 3.4641016151377544;
	// p = 1 − 2√3/√14 = 1 − √(6/7) = 0.07417990022744858.
	// 95% CI: t_{2,0.975} = 0.95/√0.04875 = 4.302652729749464 → 0.2 ± 4.3026527·0.1/√3
	//   = 0.2 ± 0.2484138 → [−0.04841377…, 0.44841377…].
	// Randomisation, all 8 sign vectors: ±0.2±0.1±0.3 ∈ {0.6, 0, 0.4, −0.2, 0.2, −0.4, 0, −0.6}:
	// |s| ≥ 0.6 twice → exact p = 2/8 = 0.25. Wins 3, ties 0, losses 0.
	base := []float64{0.2, 0.5, 0.1}
	other := []float64{0.4, 0.6, 0.4}
	s, err := Paired(base, other, Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	half := 0.95 / math.Sqrt(0.04875) * 0.1 / math.Sqrt(3)
	checks := []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"base", s.Base, 0.8 / 3, 1e-12},
		{"other", s.Other, 1.4 / 3, 1e-12},
		{"diff", s.Diff, 0.2, 1e-12},
		{"t", s.T, 2 * math.Sqrt(3), 1e-9},
		{"p_t", s.PT, 1 - math.Sqrt(6.0/7), 1e-9},
		{"p_t literal", s.PT, 0.07417990022744858, 1e-9},
		{"ci_low", s.CILow, 0.2 - half, 1e-9},
		{"ci_high", s.CIHigh, 0.2 + half, 1e-9},
		// 10,000 samples of p = 0.25: standard error √(0.25·0.75/10⁴) = 0.0043.
		{"p_rand", s.PRand, 0.25, 4 * 0.0043},
		{"holm = raw", s.PRandHolm, s.PRand, 0},
	}
	for _, c := range checks {
		if !near(c.got, c.want, c.tol) {
			t.Errorf("%s = %.15g, want %.15g", c.name, c.got, c.want)
		}
	}
	if s.N != 3 || s.Wins != 3 || s.Ties != 0 || s.Losses != 0 {
		t.Errorf("n %d w/t/l %d/%d/%d", s.N, s.Wins, s.Ties, s.Losses)
	}
	if p, _ := ExactRandomisation([]float64{0.2, 0.1, 0.3}); p != 0.25 {
		t.Errorf("exact p = %v, want 0.25", p)
	}

	// n = 2, ν = 1: d = (1, 3) (one loss is impossible here: both wins); mean 2,
	// sd = √((1+1)/1) = √2, se = √2/√2 = 1, t = 2, p = 1 − 2·atan(2)/π = 0.2951672353008665.
	// Exact randomisation: ±1±3 ∈ {4, −2, 2, −4} → p = 2/4 = 0.5.
	s, err = Paired([]float64{0, 0}, []float64{1, 3}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !near(s.T, 2, 1e-12) || !near(s.PT, 1-2*math.Atan(2)/math.Pi, 1e-9) || !near(s.PT, 0.2951672353008665, 1e-9) {
		t.Errorf("ν=1: t %v p %v", s.T, s.PT)
	}
	if p, _ := ExactRandomisation([]float64{1, 3}); p != 0.5 {
		t.Errorf("exact p = %v, want 0.5", p)
	}
}

func TestPairedDegenerate(t *testing.T) {
	// All differences 0: t 0, p 1 for both tests, all ties, CI [0, 0].
	s, err := Paired([]float64{0.5, 1, 0}, []float64{0.5, 1, 0}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.PT != 1 || s.PRand != 1 || s.Ties != 3 || s.CILow != 0 || s.CIHigh != 0 || s.T != 0 {
		t.Errorf("equal runs: %+v", s)
	}
	// All differences equal and non-zero: sd 0, t +Inf, p_t 0; the randomisation test can
	// still only reach 2/2^n = 1/4 exactly here.
	s, _ = Paired([]float64{0, 0, 0}, []float64{0.25, 0.25, 0.25}, Options{})
	if !math.IsInf(s.T, 1) || s.PT != 0 || s.CILow != 0.25 || s.CIHigh != 0.25 {
		t.Errorf("constant shift: %+v", s)
	}
	// Tolerance: differences within 1e-9 are ties by default; a negative tolerance is exact.
	base, other := []float64{0, 0, 0}, []float64{1e-12, -1, 1}
	s, _ = Paired(base, other, Options{})
	if s.Wins != 1 || s.Ties != 1 || s.Losses != 1 {
		t.Errorf("default tolerance w/t/l %d/%d/%d, want 1/1/1", s.Wins, s.Ties, s.Losses)
	}
	s, _ = Paired(base, other, Options{Tolerance: -1})
	if s.Wins != 2 || s.Ties != 0 {
		t.Errorf("exact tolerance w/t/l %d/%d/%d, want 2/0/1", s.Wins, s.Ties, s.Losses)
	}
	s, _ = Paired(base, other, Options{Tolerance: 0.5})
	if s.Wins != 1 || s.Ties != 1 {
		t.Errorf("tolerance 0.5 w/t/l %d/%d/%d, want 1/1/1", s.Wins, s.Ties, s.Losses)
	}
}

func TestPairedErrors(t *testing.T) {
	for _, c := range []struct {
		base, other []float64
		opt         Options
		want        error
	}{
		{[]float64{1, 2}, []float64{1}, Options{}, ErrInput},
		{[]float64{1}, []float64{1}, Options{}, ErrInput},
		{[]float64{1, math.NaN()}, []float64{1, 2}, Options{}, ErrInput},
		{[]float64{1, 2}, []float64{1, math.Inf(1)}, Options{}, ErrInput},
		{[]float64{1, 2}, []float64{1, 2}, Options{Permutations: -1}, ErrOptions},
		{[]float64{1, 2}, []float64{1, 2}, Options{Confidence: 1}, ErrOptions},
		{[]float64{1, 2}, []float64{1, 2}, Options{Alpha: 2}, ErrOptions},
		{[]float64{1, 2}, []float64{1, 2}, Options{Test: "wilcoxon"}, ErrOptions},
		{[]float64{1, 2}, []float64{1, 2}, Options{Bootstrap: -5}, ErrOptions},
	} {
		if _, err := Paired(c.base, c.other, c.opt); !errors.Is(err, c.want) {
			t.Errorf("Paired(%v, %v, %+v) err = %v, want %v", c.base, c.other, c.opt, err, c.want)
		}
	}
	if _, err := ExactRandomisation(make25()); !errors.Is(err, ErrInput) {
		t.Errorf("25 differences: err = %v", err)
	}
}

func make25() []float64 {
	d := make([]float64, 25)
	for i := range d {
		d[i] = float64(i + 1)
	}
	return d
}

// The Monte Carlo randomisation test agrees with exact enumeration on small cases,
// including zero differences, tied magnitudes and a group of fewer than 4.
func TestRandomisationMatchesExact(t *testing.T) {
	cases := [][]float64{
		{0.2, 0.1, 0.3},
		{0.5, -0.25, 0, 0.125, 0.5, 0.5, -0.5, 0, 0.25, 0.125},                        // ties and zeros
		{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1},                                     // binary metric (top-k): 11 wins, 2 losses
		{0.3, 0.1, -0.05, 0.2, 0.15, 0.1, -0.1, 0.25, 0.05, 0.2, 0.1, 0.3, -0.2, 0.4}, // 14 queries
		{0.01, -0.02, 0.03, -0.04, 0.05, -0.06, 0.07, -0.08, 0.09, -0.1, 0.11, -0.12, 0.13, 0.5, 0.2, 0.3, -0.1, 0.05},
	}
	const n = 10000
	for i, d := range cases {
		exact, err := ExactRandomisation(d)
		if err != nil {
			t.Fatal(err)
		}
		base := make([]float64, len(d))
		for seed := range uint64(3) {
			s, err := Paired(base, d, Options{Permutations: n, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			// (c+1)/(n+1) vs exact: within 4 standard errors plus the +1 bias.
			tol := 4*math.Sqrt(exact*(1-exact)/n) + 1.0/n
			if !near(s.PRand, exact, tol) {
				t.Errorf("case %d seed %d: Monte Carlo p %.4f, exact %.4f (tol %.4f)", i, seed, s.PRand, exact, tol)
			}
		}
	}
	// Hand check of the 13-query binary case: |Σ| = 9 needs at most one of the 11 wins
	// flipped with both losses kept, or the mirror image. Sign sums: 11−2·(flipped wins)
	// −2 + 2·(flipped losses) = 9 − 2a + 2b with a ∈ 0..11, b ∈ 0..2; |9−2a+2b| ≥ 9 ⇔
	// 9−2a+2b ≥ 9 (b ≥ a) or ≤ −9 (a ≥ 9+b). Count: b ≥ a: a=0 → b∈{0,1,2}: C(11,0)·(1+2+1)=4,
	// a=1 → b∈{1,2}: 11·(2+1)=33, a=2 → b=2: 55·1=55 → 92. a ≥ 9+b: b=0: a∈{9,10,11}:
	// 55+11+1=67 (×1), b=1: a∈{10,11}: (11+1)·2=24, b=2: a=11: 1·1=1 → 92. Total 184/8192.
	if p, _ := ExactRandomisation(cases[2]); p != 184.0/8192 {
		t.Errorf("binary exact p = %v, want 184/8192 = %v", p, 184.0/8192)
	}
}

// The table-driven sampler counts exactly what a plain bit-by-bit sampler reading the same
// random words counts (non-zero difference i takes bit i%64 of word i/64), over a large n
// that uses both the 16-group fast path and the tail. Values are multiples of 1/64 so every
// sum is exact in float64 whatever its order.
func TestRandomisationFastPathMatchesPlain(t *testing.T) {
	src := rand.New(rand.NewPCG(3, 4))
	d := make([]float64, 2003)
	for i := range d {
		d[i] = float64(src.IntN(129)-64) / 64 // includes zeros
	}
	const n = 500
	rt := newRandTest(nil)
	rt.reset(d)
	got := rt.sample(n, rand.New(rand.NewPCG(9, 9)))

	var nz []float64
	obs := 0.0
	for _, x := range d {
		if x != 0 {
			nz = append(nz, x)
			obs += x
		}
	}
	rng := rand.New(rand.NewPCG(9, 9))
	count := 0
	words := make([]uint64, (len(nz)+63)/64)
	for range n {
		for w := range words {
			words[w] = rng.Uint64()
		}
		s := 0.0
		for i, x := range nz {
			if words[i/64]>>(i%64)&1 == 1 {
				s -= x
			} else {
				s += x
			}
		}
		if math.Abs(s) >= math.Abs(obs) {
			count++
		}
	}
	want := float64(count+1) / float64(n+1)
	if got != want {
		t.Errorf("fast sampler p = %v, plain = %v", got, want)
	}
	if want <= 1.0/(n+1) || want >= 1 {
		t.Logf("uninformative case: p = %v", want)
	}
}

func TestHolm(t *testing.T) {
	// m = 4, sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running
	// max 0.02, 0.03, 0.06, 0.06; back in input order: 0.03, 0.06, 0.06, 0.02.
	got := Holm([]float64{0.01, 0.04, 0.03, 0.005})
	want := []float64{0.03, 0.06, 0.06, 0.02}
	for i := range want {
		if !near(got[i], want[i], 1e-15) {
			t.Errorf("Holm[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// Capped at 1; a single p-value is unchanged; empty is empty.
	if got := Holm([]float64{0.5, 0.6}); got[0] != 1 || got[1] != 1 {
		t.Errorf("Holm cap = %v", got)
	}
	if got := Holm([]float64{0.2}); got[0] != 0.2 {
		t.Errorf("Holm single = %v", got)
	}
	if got := Holm(nil); len(got) != 0 {
		t.Errorf("Holm(nil) = %v", got)
	}
}

func TestBootstrapCI(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	base := make([]float64, 400)
	other := make([]float64, 400)
	for i := range base {
		base[i] = rng.Float64()
		other[i] = base[i] + 0.05 + 0.2*(rng.Float64()-0.5)
	}
	tci, _ := Paired(base, other, Options{})
	b1, _ := Paired(base, other, Options{Bootstrap: 2000, Seed: 1})
	b2, _ := Paired(base, other, Options{Bootstrap: 2000, Seed: 1})
	if b1 != b2 {
		t.Errorf("bootstrap not deterministic: %+v vs %+v", b1, b2)
	}
	// For a near-normal mean the percentile interval is close to the t interval (width ≈ 0.0113).
	if !near(b1.CILow, tci.CILow, 0.002) || !near(b1.CIHigh, tci.CIHigh, 0.002) {
		t.Errorf("bootstrap CI [%v, %v], t CI [%v, %v]", b1.CILow, b1.CIHigh, tci.CILow, tci.CIHigh)
	}
	if !(b1.CILow < b1.Diff && b1.Diff < b1.CIHigh) {
		t.Errorf("CI [%v, %v] misses the mean %v", b1.CILow, b1.CIHigh, b1.Diff)
	}
}
