package lab

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/arslab/arslab/datasets"
)

func TestWeightGrid(t *testing.T) {
	tests := []struct {
		n    int
		step float64
		want [][]float64
	}{
		{2, 0.5, [][]float64{{1, 0}, {0.5, 0.5}, {0, 1}}},
		{2, 1, [][]float64{{1, 0}, {0, 1}}},
		{3, 0.5, [][]float64{{1, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 1, 0}, {0, 0.5, 0.5}, {0, 0, 1}}},
	}
	for _, tc := range tests {
		got, err := WeightGrid(tc.n, tc.step)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("WeightGrid(%d, %g) = %v, want %v", tc.n, tc.step, got, tc.want)
		}
	}
	if g, _ := WeightGrid(2, 0.05); len(g) != 21 || g[1][0] != 0.95 || g[1][1] != 0.05 {
		t.Errorf("step 0.05: %d vectors, second %v", len(g), g[1])
	}
	for _, bad := range []struct {
		n    int
		step float64
	}{{1, 0.5}, {2, 0}, {2, 0.3}, {2, -0.5}, {2, 1.5}} {
		if _, err := WeightGrid(bad.n, bad.step); err == nil {
			t.Errorf("WeightGrid(%d, %g) accepted", bad.n, bad.step)
		}
	}
}

// TestTuneFusionMatchesEval: each weight vector's metrics are those of evaluating the
// fused model with those weights, and the best is the grid's maximum of the metric, ties
// broken by the second metric, then by grid order.
func TestTuneFusionMatchesEval(t *testing.T) {
	d, err := datasets.Demo()
	if err != nil {
		t.Fatal(err)
	}
	w := testWorkspace(t, d)
	ctx := context.Background()
	for _, spec := range []string{"fuse:wsum(w=1,1):bm25+tfidf", "fuse:rrf(k=10):bm25+tfidf"} {
		o := TuneOptions{Eval: EvalOptions{Ks: []int{1, 5}}, Step: 0.25, Metric: "top1", TieBreak: "mrr@10"}
		tu, err := w.TuneFusion(ctx, spec, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(tu.Evaluations) != 5 || len(tu.Weights) != 5 {
			t.Fatalf("%s: %d evaluations", spec, len(tu.Evaluations))
		}
		best := -1
		for i, ev := range tu.Evaluations {
			m, err := w.Retriever(ctx, ev.Model, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, err := w.EvaluateWith(ctx, m.Retriever, "", o.Eval, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range want.Metrics {
				if ev.Metrics[k] != v {
					t.Errorf("%s: %s = %v, eval gives %v", ev.Model, k, ev.Metrics[k], v)
				}
			}
			if !slices.Equal(ev.PerQuery.Queries, want.PerQuery.Queries) {
				t.Errorf("%s: per-query sets differ", ev.Model)
			}
			if best < 0 || v(ev, "top1") > v(tu.Evaluations[best], "top1") ||
				v(ev, "top1") == v(tu.Evaluations[best], "top1") && v(ev, "mrr@10") > v(tu.Evaluations[best], "mrr@10") {
				best = i
			}
		}
		if tu.Best != best {
			t.Errorf("%s: best %d, want %d", spec, tu.Best, best)
		}
	}
	if _, err := w.TuneFusion(ctx, "fuse:rrf:bm25+tfidf", TuneOptions{Step: 0.5, Metric: "top7"}); err == nil {
		t.Error("an uncomputed metric was accepted")
	}
	if _, err := w.TuneFusion(ctx, "bm25", TuneOptions{Step: 0.5, Metric: "top1"}); err == nil {
		t.Error("a non-fusion model was accepted")
	}
}

func v(ev Evaluation, k string) float64 { return ev.Metrics[k] }
