// Package compare tests whether retrieval runs differ, query by query, from a baseline run:
// paired two-sided t-test, Fisher's randomisation (sign-flip permutation) test,
// Holm–Bonferroni correction, wins/ties/losses and a confidence interval of the mean
// difference; and it builds the paper table of several runs (Build) with Markdown, LaTeX
// and JSON renderers. It imports no UI package.
//
// All randomness is seeded (Options.Seed), so the same inputs give the same p-values.
package compare

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Defaults of Options.
const (
	DefaultPermutations = 10000
	DefaultConfidence   = 0.95
	DefaultAlpha        = 0.05
	DefaultTolerance    = 1e-9
	// MaxExact is the largest number of non-zero differences ExactRandomisation enumerates (2^MaxExact sign vectors).
	MaxExact = 24
)

// Test names the p-value that decides significance in a Table.
type Test string

// The tests a Table can flag significance with.
const (
	Randomisation Test = "randomisation" // Fisher's sign-flip randomisation test (default)
	TTest         Test = "t"             // paired two-sided Student's t-test
)

// Options tune the paired statistics. The zero value gives the defaults.
type Options struct {
	Permutations int     // randomisation test samples; 0 means DefaultPermutations
	Seed         uint64  // seed of the randomisation test and the bootstrap
	Bootstrap    int     // > 0: percentile bootstrap CI with this many resamples; 0: t interval
	Confidence   float64 // level of the CI; 0 means DefaultConfidence (0.95)
	Tolerance    float64 // |other−base| ≤ Tolerance is a tie (wins/ties/losses only); 0 means DefaultTolerance, < 0 exact equality
	Alpha        float64 // significance level (after Holm correction); 0 means DefaultAlpha
	Test         Test    // the p-value that flags significance; "" means Randomisation
	Workers      int     // parallel tests in Build; 0 means GOMAXPROCS
}

func (o Options) withDefaults() (Options, error) {
	if o.Permutations == 0 {
		o.Permutations = DefaultPermutations
	}
	if o.Confidence == 0 {
		o.Confidence = DefaultConfidence
	}
	if o.Alpha == 0 {
		o.Alpha = DefaultAlpha
	}
	switch {
	case o.Tolerance == 0:
		o.Tolerance = DefaultTolerance
	case o.Tolerance < 0:
		o.Tolerance = 0
	}
	if o.Test == "" {
		o.Test = Randomisation
	}
	switch {
	case o.Permutations < 0:
		return o, fmt.Errorf("%w: %d permutations", ErrOptions, o.Permutations)
	case o.Bootstrap < 0:
		return o, fmt.Errorf("%w: %d bootstrap resamples", ErrOptions, o.Bootstrap)
	case !(o.Confidence > 0 && o.Confidence < 1):
		return o, fmt.Errorf("%w: confidence %v is not in (0, 1)", ErrOptions, o.Confidence)
	case !(o.Alpha > 0 && o.Alpha < 1):
		return o, fmt.Errorf("%w: alpha %v is not in (0, 1)", ErrOptions, o.Alpha)
	case o.Test != Randomisation && o.Test != TTest:
		return o, fmt.Errorf("%w: unknown test %q (want %q or %q)", ErrOptions, o.Test, Randomisation, TTest)
	}
	return o, nil
}

// Errors of this package; returned errors wrap them.
var (
	ErrOptions = errors.New("compare: invalid options")
	ErrInput   = errors.New("compare: invalid input")
)

// Stats compares one run (other) with a baseline (base) over the same queries.
// Differences are other − base: positive means other is better.
type Stats struct {
	N      int     `json:"n"`       // paired queries
	Base   float64 `json:"base"`    // mean of base
	Other  float64 `json:"other"`   // mean of other
	Diff   float64 `json:"diff"`    // mean difference, other − base
	CILow  float64 `json:"ci_low"`  // confidence interval of Diff
	CIHigh float64 `json:"ci_high"` //
	T      float64 `json:"-"`       // t statistic (±Inf when all differences are equal and non-zero)
	PT     float64 `json:"p_t"`     // paired two-sided t-test
	PRand  float64 `json:"p_rand"`  // randomisation test, (count+1)/(permutations+1)
	// PTHolm and PRandHolm are the p-values after Holm–Bonferroni correction; Paired sets
	// them to PT and PRand (a family of one) and Build corrects them per metric across runs.
	PTHolm    float64 `json:"p_t_holm"`
	PRandHolm float64 `json:"p_rand_holm"`
	Wins      int     `json:"wins"`   // queries with other − base > Tolerance
	Ties      int     `json:"ties"`   // |other − base| ≤ Tolerance
	Losses    int     `json:"losses"` // other − base < −Tolerance
}

// Paired compares other with base query by query (base[i] and other[i] are the same query).
//
//   - t-test: t = mean(d) / (sd(d)/√n) with the n−1 sample standard deviation, p two-sided
//     from Student's t with n−1 degrees of freedom. When every difference is equal, sd is 0:
//     p is 1 if they are all 0 and 0 otherwise.
//   - Randomisation test (Fisher; Smucker, Allan & Carterette 2007): each of
//     opt.Permutations samples flips the sign of every difference with probability ½ (swapping
//     the two runs' values on that query); p = (c+1)/(N+1) where c counts samples with
//     |Σ flipped| ≥ |Σ d| (up to rounding), so p > 0 and the test is exact in level —
//     the Monte Carlo estimate of what ExactRandomisation enumerates.
//   - CI of mean(d): t interval mean ± t_{n−1,(1+conf)/2}·sd/√n, or with opt.Bootstrap > 0 the
//     percentile bootstrap over resampled queries.
//
// It needs at least 2 queries and equal lengths, and NaN or infinite values are errors.
func Paired(base, other []float64, opt Options) (Stats, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Stats{}, err
	}
	d, err := diffs(base, other)
	if err != nil {
		return Stats{}, err
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	return paired(base, other, d, opt, rng, newRandTest(nil)), nil
}

func diffs(base, other []float64) ([]float64, error) {
	if len(base) != len(other) {
		return nil, fmt.Errorf("%w: %d baseline values but %d others", ErrInput, len(base), len(other))
	}
	if len(base) < 2 {
		return nil, fmt.Errorf("%w: %d queries, need at least 2", ErrInput, len(base))
	}
	d := make([]float64, len(base))
	for i := range base {
		d[i] = other[i] - base[i]
		if math.IsNaN(d[i]) || math.IsInf(d[i], 0) {
			return nil, fmt.Errorf("%w: value %d is not finite (%v, %v)", ErrInput, i, base[i], other[i])
		}
	}
	return d, nil
}

// paired computes Stats from validated inputs; rt is a reusable randomisation buffer.
func paired(base, other, d []float64, opt Options, rng *rand.Rand, rt *randTest) Stats {
	n := len(d)
	s := Stats{N: n, Base: mean(base), Other: mean(other), Diff: mean(d)}
	for _, x := range d {
		switch {
		case x > opt.Tolerance:
			s.Wins++
		case x < -opt.Tolerance:
			s.Losses++
		default:
			s.Ties++
		}
	}
	sd := stddev(d, s.Diff)
	se := sd / math.Sqrt(float64(n))
	tdist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}
	switch {
	case se > 0:
		s.T = s.Diff / se
		s.PT = math.Min(1, 2*tdist.Survival(math.Abs(s.T)))
	case s.Diff == 0:
		s.T, s.PT = 0, 1
	default:
		s.T, s.PT = math.Copysign(math.Inf(1), s.Diff), 0
	}
	if opt.Bootstrap > 0 {
		s.CILow, s.CIHigh = bootstrapCI(d, opt.Bootstrap, opt.Confidence, rng)
	} else {
		half := tdist.Quantile(1-(1-opt.Confidence)/2) * se
		s.CILow, s.CIHigh = s.Diff-half, s.Diff+half
	}
	rt.reset(d)
	s.PRand = rt.sample(opt.Permutations, rng)
	s.PTHolm, s.PRandHolm = s.PT, s.PRand
	return s
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	sum := 0.0
	for _, v := range x {
		sum += v
	}
	return sum / float64(len(x))
}

// stddev is the sample (n−1) standard deviation of x around m.
func stddev(x []float64, m float64) float64 {
	if len(x) < 2 {
		return 0
	}
	ss := 0.0
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return math.Sqrt(ss / float64(len(x)-1))
}

// bootstrapCI is the percentile bootstrap interval of mean(d) from b resamples.
func bootstrapCI(d []float64, b int, conf float64, rng *rand.Rand) (lo, hi float64) {
	n := len(d)
	means := make([]float64, b)
	for i := range means {
		sum := 0.0
		for range n {
			sum += d[rng.IntN(n)]
		}
		means[i] = sum / float64(n)
	}
	slices.Sort(means)
	q := func(p float64) float64 { // linear interpolation between order statistics
		pos := p * float64(b-1)
		i := int(pos)
		if i >= b-1 {
			return means[b-1]
		}
		return means[i] + (pos-float64(i))*(means[i+1]-means[i])
	}
	return q((1 - conf) / 2), q(1 - (1-conf)/2)
}

// Holm returns Holm–Bonferroni adjusted p-values, in the order of p: with p sorted
// ascending p(1) ≤ … ≤ p(m), adj(i) = max_{j≤i} min(1, (m−j+1)·p(j)). A hypothesis is
// rejected at level α when its adjusted p-value is below α. Ties keep their input order.
func Holm(p []float64) []float64 {
	m := len(p)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpFloat(p[a], p[b]) })
	adj := make([]float64, m)
	running := 0.0
	for rank, i := range order {
		v := math.Min(1, float64(m-rank)*p[i])
		running = math.Max(running, v)
		adj[i] = running
	}
	return adj
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ExactRandomisation is the exact two-sided p-value of the randomisation test on the
// differences d: the share of all 2^m sign vectors over the m non-zero differences with
// |Σ ±d| ≥ |Σ d| (the identity counts, so p ≥ 2/2^m when m > 0; p = 1 when m = 0).
// It refuses more than MaxExact non-zero differences.
func ExactRandomisation(d []float64) (float64, error) {
	rt := newRandTest(nil)
	rt.reset(d)
	if rt.m > MaxExact {
		return 0, fmt.Errorf("%w: %d non-zero differences, exact enumeration stops at %d", ErrInput, rt.m, MaxExact)
	}
	if rt.m == 0 {
		return 1, nil
	}
	total := uint64(1) << rt.m
	count := uint64(0)
	for mask := range total {
		s := 0.0
		for g := 0; g < rt.groups; g++ {
			s += rt.tbl[g<<4|int(mask>>(4*g)&15)]
		}
		if math.Abs(s) >= rt.threshold {
			count++
		}
	}
	return float64(count) / float64(total), nil
}

// randTest runs sign-flip samples fast: the non-zero differences are cut into groups of 4,
// and tbl[16g + mask] holds group g's sum under the sign pattern mask (bit set = flipped),
// so one sample costs one table look-up per 4 queries and 16 groups use one random word.
// Zero differences are dropped: flipping them changes nothing.
type randTest struct {
	tbl       []float64
	groups, m int
	threshold float64 // |Σ d| less a rounding allowance
}

func newRandTest(buf []float64) *randTest { return &randTest{tbl: buf[:0]} }

func (rt *randTest) reset(d []float64) {
	rt.m = 0
	abs := 0.0
	rt.tbl = rt.tbl[:0]
	var group [4]float64
	flush := func(k int) {
		for mask := range 16 {
			s := 0.0
			for j := range k {
				if mask>>j&1 == 1 {
					s -= group[j]
				} else {
					s += group[j]
				}
			}
			rt.tbl = append(rt.tbl, s)
		}
	}
	k := 0
	for _, x := range d {
		if x == 0 {
			continue
		}
		rt.m++
		abs += math.Abs(x)
		group[k] = x
		k++
		if k == 4 {
			flush(4)
			k = 0
		}
	}
	if k > 0 {
		flush(k)
	}
	rt.groups = len(rt.tbl) / 16
	obs := 0.0
	for g := range rt.groups {
		obs += rt.tbl[g<<4]
	}
	// Sums of the same magnitudes in another order differ by at most ~m·ε·Σ|d|.
	rt.threshold = math.Abs(obs) - 1e-11*abs
}

// sample returns (c+1)/(n+1), c the number of n random sign vectors reaching the threshold.
func (rt *randTest) sample(n int, rng *rand.Rand) float64 {
	if rt.m == 0 {
		return 1
	}
	tbl, groups, thr := rt.tbl, rt.groups, rt.threshold
	count := 0
	for range n {
		var s0, s1, s2, s3 float64
		g := 0
		for ; g+16 <= groups; g += 16 {
			w := rng.Uint64()
			t := tbl[g<<4 : (g+16)<<4 : (g+16)<<4]
			s0 += t[0<<4|w&15] + t[4<<4|w>>16&15] + t[8<<4|w>>32&15] + t[12<<4|w>>48&15]
			s1 += t[1<<4|w>>4&15] + t[5<<4|w>>20&15] + t[9<<4|w>>36&15] + t[13<<4|w>>52&15]
			s2 += t[2<<4|w>>8&15] + t[6<<4|w>>24&15] + t[10<<4|w>>40&15] + t[14<<4|w>>56&15]
			s3 += t[3<<4|w>>12&15] + t[7<<4|w>>28&15] + t[11<<4|w>>44&15] + t[15<<4|w>>60&15]
		}
		if g < groups {
			w := rng.Uint64()
			for j := 0; g < groups; g, j = g+1, j+4 {
				s0 += tbl[g<<4|int(w>>j&15)]
			}
		}
		if math.Abs((s0+s1)+(s2+s3)) >= thr {
			count++
		}
	}
	return float64(count+1) / float64(n+1)
}
