package compare

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/metrics"
)

func pq(values map[string][]float64) metrics.PerQuery {
	return metrics.PerQuery{RelMin: 1, Queries: []string{"q1", "q2", "q3", "q4"}, Values: values}
}

// Three runs on 4 queries:
//
//	          mrr@10            map
//	base      1  .5  0  1       .5  .25  1   0     means .625, .4375
//	A         1  1   1  1       .75 .5   1   .25   means 1,    .625
//	B         1  .5  0  1       .5  .25  .5  0     means .625, .3125
//
// Student's t with ν = 3: P(|T| ≥ t) = 1 − (2/π)·(t/(√3(1+t²/3)) + atan(t/√3)).
//
//	A map: d = (.25 .25 0 .25), mean .1875, sd = √(.046875/3) = .125, se .0625, t = 3,
//	       p = 1 − (2/π)(√3/4 + π/3) = 1/3 − √3/(2π) = 0.05766888562…; W/T/L 3/1/0;
//	       exact randomisation over 3 equal non-zero differences: 2/8.
//	B map: d = (0 0 −.5 0), mean −.125, sd = √(.1875/3) = .25, se .125, t = −1,
//	       p = 1 − (2/π)(√3/4 + π/6) = 2/3 − √3/(2π) = 0.39100222…; W/T/L 0/3/1;
//	       randomisation: one non-zero difference, every sign vector reaches it → p = 1.
//	A mrr: d = (0 .5 1 0), mean .375, t² = .140625/(.6875/12) = 27/11; W/T/L 2/2/0.
//	B mrr: d = 0 → p_t = p_rand = 1, 4 ties.
//
// Holm per metric over {A, B}: map t: 2·0.0577 = 0.1153, max(0.1153, 0.3910) = 0.3910;
// at α = 0.2 with the t-test only A's map is significant.
func TestBuildWorked(t *testing.T) {
	runs := []Run{
		{"base", pq(map[string][]float64{"mrr@10": {1, .5, 0, 1}, "map": {.5, .25, 1, 0}})},
		{"A", pq(map[string][]float64{"mrr@10": {1, 1, 1, 1}, "map": {.75, .5, 1, .25}})},
		{"B", pq(map[string][]float64{"mrr@10": {1, .5, 0, 1}, "map": {.5, .25, .5, 0}})},
	}
	tab, err := Build(runs, "base", []string{"mrr@10", "map"}, Options{Test: TTest, Alpha: 0.2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	pt3 := func(x float64) float64 {
		x = math.Abs(x)
		return 1 - 2/math.Pi*(x/(math.Sqrt(3)*(1+x*x/3))+math.Atan(x/math.Sqrt(3)))
	}
	pA, pB := 1.0/3-math.Sqrt(3)/(2*math.Pi), 2.0/3-math.Sqrt(3)/(2*math.Pi)
	pAmrr := pt3(math.Sqrt(27.0 / 11))
	mapA, mapB := tab.Rows[1].Cells[1].VsBaseline, tab.Rows[2].Cells[1].VsBaseline
	mrrA, mrrB := tab.Rows[1].Cells[0].VsBaseline, tab.Rows[2].Cells[0].VsBaseline
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"A map p_t", mapA.PT, pA}, {"A map p_t literal", mapA.PT, 0.0576688856},
		{"A map p_t holm", mapA.PTHolm, 2 * pA},
		{"B map p_t", mapB.PT, pB}, {"B map p_t holm", mapB.PTHolm, pB},
		{"B map p_rand", mapB.PRand, 1}, {"B map p_rand holm", mapB.PRandHolm, 1},
		{"A map p_rand holm", mapA.PRandHolm, 2 * mapA.PRand},
		{"A map diff", mapA.Diff, 0.1875}, {"B map diff", mapB.Diff, -0.125},
		{"A mrr p_t", mrrA.PT, pAmrr}, {"A mrr p_t holm", mrrA.PTHolm, 2 * pAmrr},
		{"B mrr p_t", mrrB.PT, 1}, {"B mrr p_rand", mrrB.PRand, 1},
	} {
		if !near(c.got, c.want, 1e-9) {
			t.Errorf("%s = %.12g, want %.12g", c.name, c.got, c.want)
		}
	}
	if !near(mapA.PRand, 0.25, 4*0.0043) {
		t.Errorf("A map p_rand = %v, want ≈ 0.25 (exact)", mapA.PRand)
	}
	wtl := func(s *Stats) [3]int { return [3]int{s.Wins, s.Ties, s.Losses} }
	if wtl(mapA) != [3]int{3, 1, 0} || wtl(mapB) != [3]int{0, 3, 1} || wtl(mrrA) != [3]int{2, 2, 0} || wtl(mrrB) != [3]int{0, 4, 0} {
		t.Errorf("W/T/L: %v %v %v %v", wtl(mapA), wtl(mapB), wtl(mrrA), wtl(mrrB))
	}
	if tab.Rows[0].Cells[0].VsBaseline != nil || !tab.Rows[0].Baseline {
		t.Error("baseline row carries a test")
	}

	var md bytes.Buffer
	if err := tab.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	wantMD := "| Run | mrr@10 | map |\n" +
		"|:---|---:|---:|\n" +
		"| base (baseline) | 0.6250 | 0.4375 |\n" +
		"| A | **1.0000** | **0.6250**† |\n" +
		"| B | 0.6250 | 0.3125 |\n" +
		"\n†: differs significantly from base (paired two-sided t-test; Holm–Bonferroni over 2 comparisons per metric; α = 0.2). " +
		"Bold: best per column. 4 queries; relevant means grade ≥ 1.\n" +
		"\n| Run | Metric | Δ vs base | 95% CI (t) | p (t) | p (rand) | p (t, Holm) | p (rand, Holm) | W/T/L |\n" +
		"|:---|:---|---:|:---:|---:|---:|---:|---:|:---:|\n"
	if !strings.HasPrefix(md.String(), wantMD) {
		t.Errorf("Markdown:\n%s\nwant prefix:\n%s", md.String(), wantMD)
	}
	// B's map row, all deterministic: t CI = −.125 ± t_{3,.975}·.125 with t_{3,.975} = 3.182446305.
	if !strings.Contains(md.String(), "| B | map | -0.1250 | [-0.5228, +0.2728] | 0.3910 | 1.0000 | 0.3910 | 1.0000 | 0/3/1 |\n") {
		t.Errorf("Markdown misses B's map row:\n%s", md.String())
	}

	var tex bytes.Buffer
	if err := tab.LaTeX(&tex); err != nil {
		t.Fatal(err)
	}
	wantTex := "\\begin{tabular}{lrr}\n\\toprule\nRun & mrr@10 & map \\\\\n\\midrule\n" +
		"base & 0.6250 & 0.4375 \\\\\n" +
		"A & \\textbf{1.0000} & \\textbf{0.6250}$^\\dagger$ \\\\\n" +
		"B & 0.6250 & 0.3125 \\\\\n" +
		"\\bottomrule\n\\end{tabular}\n"
	if !strings.HasPrefix(tex.String(), "% †: differs significantly from base") || !strings.HasSuffix(tex.String(), wantTex) {
		t.Errorf("LaTeX:\n%s\nwant suffix:\n%s", tex.String(), wantTex)
	}

	var js bytes.Buffer
	if err := tab.JSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Table
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	back.Rows[1].Cells[1].VsBaseline.T = mapA.T // T is not serialised
	back.Rows[1].Cells[0].VsBaseline.T = mrrA.T
	back.Rows[2].Cells[1].VsBaseline.T = mapB.T
	back.Rows[2].Cells[0].VsBaseline.T = mrrB.T
	if !reflect.DeepEqual(&back, tab) {
		t.Errorf("JSON round trip differs:\n%s", js.String())
	}
	for _, field := range []string{`"rel_min": 1`, `"test": "t"`, `"correction": "holm"`, `"p_rand_holm"`, `"significant": true`, `"baseline": "base"`} {
		if !strings.Contains(js.String(), field) {
			t.Errorf("JSON lacks %s:\n%s", field, js.String())
		}
	}
}

// Results depend on the seed, run names and metrics only: not on run order or worker count.
func TestBuildDeterministic(t *testing.T) {
	runs := syntheticRuns(4, 300, 1)
	a, err := Build(runs, "run0", nil, Options{Seed: 11, Workers: 1, Permutations: 2000})
	if err != nil {
		t.Fatal(err)
	}
	rev := []Run{runs[3], runs[1], runs[0], runs[2]}
	b, err := Build(rev, "run0", nil, Options{Seed: 11, Workers: 4, Permutations: 2000})
	if err != nil {
		t.Fatal(err)
	}
	byName := func(tab *Table) map[string]Row {
		m := map[string]Row{}
		for _, r := range tab.Rows {
			m[r.Name] = r
		}
		return m
	}
	if !reflect.DeepEqual(byName(a), byName(b)) {
		t.Error("tables differ with run order / workers")
	}
	c, _ := Build(runs, "run0", nil, Options{Seed: 12, Workers: 1, Permutations: 2000})
	if reflect.DeepEqual(byName(a), byName(c)) {
		t.Error("seed has no effect")
	}
}

func TestBuildFromMetrics(t *testing.T) {
	qrels := datasets.Qrels{"q1": {"a": 2}, "q2": {"b": 1}, "q3": {"c": 2}, "q4": {"d": 0}}
	eval := func(run map[string][]string) metrics.PerQuery {
		p, err := metrics.EvaluatePerQuery(run, qrels, metrics.Options{Ks: []int{1}, RelMin: 2})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := eval(map[string][]string{"q1": {"x", "a"}, "q3": {"c"}})
	other := eval(map[string][]string{"q1": {"a"}, "q2": {"b"}, "q3": {"c"}})
	tab, err := Build([]Run{{"bm25", base}, {"dense", other}}, "", nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Counted: q1, q3 (grade ≥ 2). q1: mrr 1/2 → 1; q3: 1 → 1.
	if tab.Queries != 2 || tab.RelMin != 2 || tab.Baseline != "bm25" || !reflect.DeepEqual(tab.Metrics, metrics.Keys([]int{1})) {
		t.Errorf("table header %+v", tab)
	}
	c := tab.Rows[1].Cells[slices.Index(tab.Metrics, metrics.MRR10)]
	if c.Value != 1 || c.VsBaseline.Diff != 0.25 || c.VsBaseline.Wins != 1 || c.VsBaseline.Ties != 1 {
		t.Errorf("dense mrr@10 cell %+v %+v", c, c.VsBaseline)
	}
	if tab.Rows[0].Missing != 0 || tab.Rows[1].Missing != 0 {
		t.Errorf("missing %d %d", tab.Rows[0].Missing, tab.Rows[1].Missing)
	}
	// bm25 lacks q3 now: it is kept, scored 0, and reported.
	base = eval(map[string][]string{"q1": {"x", "a"}})
	tab, err = Build([]Run{{"bm25", base}, {"dense", other}}, "", nil, Options{})
	if err != nil || tab.Rows[0].Missing != 1 || tab.Queries != 2 {
		t.Errorf("missing query: %v, %+v", err, tab)
	}
}

func TestBuildErrors(t *testing.T) {
	ok := pq(map[string][]float64{"map": {1, 0, 1, 0}})
	other := ok
	other.Queries = []string{"q1", "q2", "q3", "q5"}
	rel2 := ok
	rel2.RelMin = 2
	rerank := ok
	rerank.Rerank = true
	nan := pq(map[string][]float64{"map": {1, math.NaN(), 1, 0}})
	for _, c := range []struct {
		name     string
		runs     []Run
		baseline string
		keys     []string
		opt      Options
		want     error
	}{
		{"no runs", nil, "", nil, Options{}, ErrInput},
		{"unknown baseline", []Run{{"a", ok}}, "b", nil, Options{}, ErrInput},
		{"duplicate", []Run{{"a", ok}, {"a", ok}}, "", nil, Options{}, ErrInput},
		{"other queries", []Run{{"a", ok}, {"b", other}}, "", nil, Options{}, ErrInput},
		{"rel min", []Run{{"a", ok}, {"b", rel2}}, "", nil, Options{}, ErrInput},
		{"rerank", []Run{{"a", ok}, {"b", rerank}}, "", nil, Options{}, ErrInput},
		{"missing metric", []Run{{"a", ok}, {"b", ok}}, "", []string{"ndcg@10"}, Options{}, ErrInput},
		{"nan", []Run{{"a", ok}, {"b", nan}}, "", []string{"map"}, Options{}, ErrInput},
		{"options", []Run{{"a", ok}}, "", nil, Options{Alpha: -1}, ErrOptions},
	} {
		if _, err := Build(c.runs, c.baseline, c.keys, c.opt); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	// One run alone is a table without tests.
	tab, err := Build([]Run{{"a", ok}}, "", []string{"map"}, Options{})
	if err != nil || len(tab.Rows) != 1 || !tab.Rows[0].Cells[0].Best {
		t.Errorf("single run: %+v, %v", tab, err)
	}
}

func TestTexEscape(t *testing.T) {
	if got := texEscape(`runs/my_run&50%#1`); got != `runs/my\_run\&50\%\#1` {
		t.Errorf("texEscape = %q", got)
	}
	if got := mdEscape("a|b"); got != `a\|b` {
		t.Errorf("mdEscape = %q", got)
	}
	if formatP(0.00001) != "<0.0001" || formatP(0.5) != "0.5000" {
		t.Error("formatP")
	}
}
