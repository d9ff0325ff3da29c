package train

import (
	"math"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestInitialPsiWeights: each static sampler's P = softmax(ψ) against hand-computed values.
func TestInitialPsiWeights(t *testing.T) {
	sizes := []int{100, 300, 600}
	cases := []struct {
		spec string
		temp float64
		want []float64
	}{
		{"uniform", 1, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}},
		{"proportional", 1, []float64{0.1, 0.3, 0.6}},
		// T = 2: P ∝ √n = 10, 17.3205, 24.4949 (sum 51.8154)
		{"proportional", 2, []float64{10 / 51.81541, 17.32051 / 51.81541, 24.49490 / 51.81541}},
		{"fixed:1,0,3", 1, []float64{0.25, 0, 0.75}},
		{"fixed: 2, 2 ,4", 1, []float64{0.25, 0.25, 0.5}},
	}
	for _, c := range cases {
		psi, err := InitialPsi(c.spec, sizes, c.temp)
		if err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		p := Softmax(psi)
		for i := range p {
			if !near(p[i], c.want[i], 1e-6) {
				t.Errorf("%s T=%g: P = %v, want %v", c.spec, c.temp, p, c.want)
				break
			}
		}
	}
}

func TestInitialPsiErrors(t *testing.T) {
	sizes := []int{10, 20}
	cases := map[string]string{
		"fixed:1,2,3":    "one weight per --data",
		"fixed:1,-2":     "must be a number ≥ 0",
		"fixed:0,0":      "sum to 0",
		"fixed:1,x":      `weight 2 "x"`,
		"fixed":          "want fixed:w1",
		"zipf":           "want uniform, proportional",
		"uniform:1,1":    "takes no weights",
		"proportional:2": "takes no weights",
	}
	for spec, want := range cases {
		_, err := InitialPsi(spec, sizes, 1)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", spec, err, want)
		}
	}
	if _, err := InitialPsi("proportional", sizes, 0); err == nil || !strings.Contains(err.Error(), "temperature 0") {
		t.Errorf("temperature 0: %v", err)
	}
	if _, err := InitialPsi("proportional", []int{3, 0}, 1); err == nil || !strings.Contains(err.Error(), "dataset 2") {
		t.Errorf("empty dataset: %v", err)
	}
}

// TestSamplerProportionsByCounting draws 60000 datasets with the seeded RNG: the counts pass a
// chi-square test (2 degrees of freedom, 0.1 % critical value 13.82) and a zero weight is
// never drawn; the same seed gives the same counts.
func TestSamplerProportionsByCounting(t *testing.T) {
	count := func(p []float64, seed int64, n int) []int {
		rng := newSamplerRNG(seed)
		c := make([]int, len(p))
		for range n {
			c[pick(p, rng.Float64())]++
		}
		return c
	}
	p := []float64{0.2, 0.5, 0.3}
	const n = 60000
	c := count(p, 42, n)
	chi := 0.0
	for i, v := range c {
		e := p[i] * n
		chi += (float64(v) - e) * (float64(v) - e) / e
	}
	if chi > 13.82 {
		t.Errorf("counts %v: chi-square %.2f > 13.82 for P = %v", c, chi, p)
	}
	if again := count(p, 42, n); again[0] != c[0] || again[1] != c[1] || again[2] != c[2] {
		t.Errorf("same seed, counts %v then %v", c, again)
	}
	if other := count(p, 43, n); other[0] == c[0] && other[1] == c[1] {
		t.Errorf("seeds 42 and 43 gave the same counts %v", c)
	}
	z := count([]float64{0.5, 0, 0.5}, 7, 10000)
	if z[1] != 0 || z[0]+z[2] != 10000 {
		t.Errorf("zero weight drawn: %v", z)
	}
	// pick at the CDF edges.
	for _, tc := range []struct {
		u    float64
		want int
	}{{0, 0}, {0.1999, 0}, {0.2, 1}, {0.6999, 1}, {0.7, 2}, {0.99999, 2}} {
		if got := pick(p, tc.u); got != tc.want {
			t.Errorf("pick(%v, %g) = %d, want %d", p, tc.u, got, tc.want)
		}
	}
}

// TestSamplerRNGStateRoundTrip: restoring a saved state replays the same draws.
func TestSamplerRNGStateRoundTrip(t *testing.T) {
	r := newSamplerRNG(5)
	for range 17 {
		r.Float64()
	}
	st := r.state()
	var a []float64
	for range 10 {
		a = append(a, r.Float64())
	}
	r2 := newSamplerRNG(99)
	if err := r2.restore(st); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if b := r2.Float64(); b != a[i] {
			t.Fatalf("draw %d after restore: %v, want %v", i, b, a[i])
		}
	}
	if err := r2.restore("!!"); err == nil {
		t.Error("a corrupt state was accepted")
	}
}
