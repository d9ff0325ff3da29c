package compare

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/metrics"
)

// syntheticRuns evaluates nRuns simulated retrievers of increasing quality on nQueries
// queries (1–3 relevant passages each, graded 1–3, rankings 100 deep) with the default
// metrics, so ties and zero differences look like real runs.
func syntheticRuns(nRuns, nQueries int, seed uint64) []Run {
	rng := rand.New(rand.NewPCG(seed, 1))
	qrels := datasets.Qrels{}
	for q := range nQueries {
		judged := map[string]int{}
		for range 1 + rng.IntN(3) {
			judged[fmt.Sprintf("p%d", rng.IntN(5000))] = 1 + rng.IntN(3)
		}
		qrels[fmt.Sprintf("q%05d", q)] = judged
	}
	difficulty := map[string]float64{}
	for qid := range qrels {
		difficulty[qid] = rng.ExpFloat64()
	}
	runs := make([]Run, nRuns)
	for i := range runs {
		run := map[string][]string{}
		for qid, judged := range qrels {
			ranked := make([]string, 100)
			for r := range ranked {
				ranked[r] = fmt.Sprintf("n%d", rng.IntN(5000))
			}
			for pid := range judged {
				r := int(math.Floor(difficulty[qid] * rng.ExpFloat64() * 30 / float64(i+2)))
				if r < len(ranked) {
					ranked[r] = pid
				}
			}
			run[qid] = ranked
		}
		p, err := metrics.EvaluatePerQuery(run, qrels, metrics.Options{})
		if err != nil {
			panic(err)
		}
		runs[i] = Run{Name: fmt.Sprintf("run%d", i), Scores: p}
	}
	return runs
}

// BenchmarkCompare: 5 runs × 2,000 queries × 15 metrics (DefaultKs), 10,000 permutations,
// every run against run0: 60 randomisation tests of 2,000 paired queries.
func BenchmarkCompare(b *testing.B) {
	runs := syntheticRuns(5, 2000, 42)
	b.ResetTimer()
	for range b.N {
		if _, err := Build(runs, "run0", nil, Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompareDense is the worst case of BenchmarkCompare: continuous values, so no
// query ties and every one of the 2,000 differences enters the 10,000 sign-flip samples.
func BenchmarkCompareDense(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	keys := metrics.Keys(metrics.DefaultKs)
	queries := make([]string, 2000)
	for i := range queries {
		queries[i] = fmt.Sprintf("q%05d", i)
	}
	runs := make([]Run, 5)
	for i := range runs {
		p := metrics.PerQuery{RelMin: 1, Ks: metrics.DefaultKs, Queries: queries, Values: map[string][]float64{}}
		for _, k := range keys {
			v := make([]float64, len(queries))
			for q := range v {
				v[q] = rng.Float64()
			}
			p.Values[k] = v
		}
		runs[i] = Run{Name: fmt.Sprintf("run%d", i), Scores: p}
	}
	b.ResetTimer()
	for range b.N {
		if _, err := Build(runs, "run0", nil, Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
