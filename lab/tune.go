package lab

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/fusion"
)

// Choosing a fusion's weights on held-out questions: every member ranks the split once,
// then each weight vector of a grid is fused from those lists and evaluated, exactly as
// `eval --model fuse:…(w=…)` would rank it (same depths, same order).

// TuneOptions configure TuneFusion.
type TuneOptions struct {
	Split datasets.Split // "" = DefaultSplit
	Eval  EvalOptions
	Step  float64 // grid step of the weights, in (0, 1]: every vector of multiples of Step summing to 1
	// Metric picks the best vector; ties go to TieBreak, then to the earlier vector in
	// grid order (the first member's weight decreasing).
	Metric, TieBreak string
	Progress         func(member string, done, total int)
}

// Tuned is the outcome of TuneFusion: one evaluation per weight vector, in grid order,
// and the index of the best.
type Tuned struct {
	Evaluations []Evaluation
	Weights     [][]float64
	Best        int
}

// WeightGrid lists every vector of n non-negative multiples of step summing to 1, the
// first weight decreasing from 1 (then the second, …). step must divide 1 (to 1e-9).
func WeightGrid(n int, step float64) ([][]float64, error) {
	if n < 2 {
		return nil, fmt.Errorf("weight grid: %d members, want at least 2", n)
	}
	units := math.Round(1 / step)
	if !(step > 0 && step <= 1) || math.Abs(units*step-1) > 1e-9 {
		return nil, fmt.Errorf("weight grid: step %g must divide 1 (e.g. 0.05, 0.1, 0.25)", step)
	}
	u := int(units)
	var out [][]float64
	var rec func(prefix []int, left int)
	rec = func(prefix []int, left int) {
		if len(prefix) == n-1 {
			v := make([]float64, n)
			for i, p := range prefix {
				v[i] = float64(p) / units
			}
			v[n-1] = float64(left) / units
			out = append(out, v)
			return
		}
		for p := left; p >= 0; p-- {
			rec(append(prefix, p), left-p)
		}
	}
	rec(nil, u)
	return out, nil
}

// TuneFusion evaluates the fusion spec (any method; its own weights are replaced) with
// every weight vector of the grid on the split and picks the best by o.Metric.
func (w *Workspace) TuneFusion(ctx context.Context, spec string, o TuneOptions) (Tuned, error) {
	sp, err := fusion.Parse(spec)
	if err != nil {
		return Tuned{}, err
	}
	grid, err := WeightGrid(len(sp.Members), o.Step)
	if err != nil {
		return Tuned{}, err
	}
	split := o.Split
	if split == "" {
		split, _ = w.DefaultSplit()
	}
	depth := RankDepth
	for _, k := range o.Eval.Ks {
		depth = max(depth, k)
	}
	if w.Data.IsRerank() {
		return Tuned{}, fmt.Errorf("tune: %s is a reranking set; weights are tuned on retrieval sets", w.Data.Name)
	}
	judged, err := w.judgedQueries(split)
	if err != nil {
		return Tuned{}, err
	}
	// Each member's lists as Fused.Search gets them: its top max(depth, FuseDepth) in its
	// own order (RRF reads ranks, so ties must stay as the member returns them).
	lists := make([]map[string][]fusion.Scored, len(sp.Members))
	for i, name := range sp.Members {
		m, err := w.Retriever(ctx, name, nil)
		if err != nil {
			return Tuned{}, fmt.Errorf("%s: member %q: %w", spec, name, err)
		}
		lists[i] = make(map[string][]fusion.Scored, len(judged))
		done := 0
		for qid, text := range judged {
			if err := ctx.Err(); err != nil {
				return Tuned{}, err
			}
			lists[i][qid] = scored(m.Retriever.Search(text, max(depth, FuseDepth)))
			if done++; o.Progress != nil {
				o.Progress(name, done, len(judged))
			}
		}
	}
	t := Tuned{Weights: grid, Best: -1}
	for _, wv := range grid {
		if err := ctx.Err(); err != nil {
			return Tuned{}, err
		}
		s := sp
		s.Weights = wv
		fused, err := fusion.FuseRuns(s, lists)
		if err != nil {
			return Tuned{}, err
		}
		for q, l := range fused {
			l = l[:min(depth, len(l))]
			slices.SortStableFunc(l, trecOrder)
			fused[q] = l
		}
		ev, err := w.EvaluateRanked(Ranked{Name: s.String(), Split: split, Lists: fused}, o.Eval)
		if err != nil {
			return Tuned{}, err
		}
		t.Evaluations = append(t.Evaluations, ev)
	}
	for i, ev := range t.Evaluations {
		v, ok := ev.Metrics[o.Metric]
		if !ok {
			return Tuned{}, fmt.Errorf("tune: metric %q is not computed (have e.g. top1, mrr@10, ndcg@10 at the cut-offs asked)", o.Metric)
		}
		if t.Best < 0 {
			t.Best = i
			continue
		}
		b := t.Evaluations[t.Best].Metrics
		if v > b[o.Metric] || v == b[o.Metric] && o.TieBreak != "" && ev.Metrics[o.TieBreak] > b[o.TieBreak] {
			t.Best = i
		}
	}
	return t, nil
}
