package compare_test

import (
	"fmt"
	"os"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/compare"
	"github.com/arslab/arslab/engine/metrics"
)

// Evaluate each run per query, then build and render the comparison table.
func ExampleBuild() {
	qrels := datasets.Qrels{
		"q1": {"a": 2}, "q2": {"b": 3, "c": 1}, "q3": {"d": 2}, "q4": {"e": 1, "f": 2}, "q5": {"g": 2},
	}
	runs := map[string]map[string][]string{
		"bm25":  {"q1": {"x", "a"}, "q2": {"c", "y", "b"}, "q3": {"z", "y", "x", "d"}, "q4": {"f"}, "q5": {"x"}},
		"dense": {"q1": {"a"}, "q2": {"b"}, "q3": {"d"}, "q4": {"f", "e"}, "q5": {"g", "x"}},
	}
	var in []compare.Run
	for _, name := range []string{"bm25", "dense"} {
		pq, err := metrics.EvaluatePerQuery(runs[name], qrels, metrics.Options{Ks: []int{1}, RelMin: 2})
		if err != nil {
			panic(err)
		}
		in = append(in, compare.Run{Name: name, Scores: pq})
	}
	tab, err := compare.Build(in, "bm25", []string{metrics.MRR10, metrics.NDCG10}, compare.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	if err := tab.Markdown(os.Stdout); err != nil {
		panic(err)
	}
	fmt.Println()
	if err := tab.LaTeX(os.Stdout); err != nil {
		panic(err)
	}
	// With 4 non-zero differences the randomisation test cannot go below 2/2⁴ = 0.125,
	// while the t-test already calls both differences significant.

	// Output:
	// | Run | mrr@10 | ndcg@10 |
	// |:---|---:|---:|
	// | bm25 (baseline) | 0.4167 | 0.5021 |
	// | dense | **1.0000** | **0.9652** |
	//
	// †: differs significantly from bm25 (Fisher's randomisation test, 10000 permutations, seed 1; Holm–Bonferroni over 1 comparison per metric; α = 0.05). Bold: best per column. 5 queries; relevant means grade ≥ 2.
	//
	// | Run | Metric | Δ vs bm25 | 95% CI (t) | p (t) | p (rand) | p (t, Holm) | p (rand, Holm) | W/T/L |
	// |:---|:---|---:|:---:|---:|---:|---:|---:|:---:|
	// | dense | mrr@10 | +0.5833 | [+0.1206, +1.0461] | 0.0249 | 0.1207 | 0.0249 | 0.1207 | 4/1/0 |
	// | dense | ndcg@10 | +0.4632 | [+0.0402, +0.8861] | 0.0384 | 0.0653 | 0.0384 | 0.0653 | 5/0/0 |
	//
	// % †: differs significantly from bm25 (Fisher's randomisation test, 10000 permutations, seed 1; Holm–Bonferroni over 1 comparison per metric; α = 0.05). Bold: best per column. 5 queries; relevant means grade ≥ 2.
	// \begin{tabular}{lrr}
	// \toprule
	// Run & mrr@10 & ndcg@10 \\
	// \midrule
	// bm25 & 0.4167 & 0.5021 \\
	// dense & \textbf{1.0000} & \textbf{0.9652} \\
	// \bottomrule
	// \end{tabular}
}
