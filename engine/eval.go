package engine

import (
	"context"
	"fmt"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/metrics"
)

// EvalResult is the outcome of evaluating one retriever on one split.
type EvalResult struct {
	Metrics metrics.Result
	Queries int  // queries evaluated (those with at least one relevant passage)
	Rerank  bool // metrics computed per candidate group
}

// Evaluate ranks every judged query of split with r and computes the IR metrics.
// Retrieval sets are ranked to depth max(ks, 100); reranking sets (d.IsRerank) rank each
// query's own candidates when r also implements Reranker.
func Evaluate(ctx context.Context, r Retriever, d *datasets.Dataset, split datasets.Split, ks []int, progress Progress) (EvalResult, error) {
	qrels, ok := d.Qrels[split]
	if !ok || len(qrels) == 0 {
		return EvalResult{}, fmt.Errorf("dataset %q has no judged queries in split %q (has: %s)", d.Name, split, splitNames(d))
	}
	if len(ks) == 0 {
		ks = metrics.DefaultKs
	}
	depth := 100
	for _, k := range ks {
		depth = max(depth, k)
	}
	rr, rerank := r.(Reranker)
	rerank = rerank && d.IsRerank()
	texts := make(map[string]string, len(d.Queries))
	for _, q := range d.Queries {
		texts[q.ID] = q.Text
	}
	pidx := make(map[string]int, len(d.Passages))
	for i, p := range d.Passages {
		pidx[p.ID] = i
	}
	run := make(map[string][]string, len(qrels))
	done, total := 0, len(qrels)
	for qid := range qrels {
		if err := ctx.Err(); err != nil {
			return EvalResult{}, err
		}
		text, ok := texts[qid]
		if !ok {
			return EvalResult{}, fmt.Errorf("split %q judges query %q which the dataset does not contain", split, qid)
		}
		var hits []Hit
		if rerank {
			cands := make([]int, 0, len(d.Candidates[qid]))
			for _, pid := range d.Candidates[qid] {
				if i, ok := pidx[pid]; ok {
					cands = append(cands, i)
				}
			}
			hits = rr.Rerank(text, cands)
		} else {
			hits = r.Search(text, depth)
		}
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.ID
		}
		run[qid] = ids
		done++
		if progress != nil {
			progress(done, total)
		}
	}
	if rerank {
		m, n := metrics.EvaluateRerankN(run, qrels)
		return EvalResult{Metrics: m, Queries: n, Rerank: true}, nil
	}
	m, n := metrics.Evaluate(run, qrels, ks)
	return EvalResult{Metrics: m, Queries: n}, nil
}

func splitNames(d *datasets.Dataset) string {
	s := ""
	for _, sp := range []datasets.Split{datasets.Train, datasets.Dev, datasets.Test} {
		if len(d.Qrels[sp]) > 0 {
			if s != "" {
				s += ", "
			}
			s += string(sp)
		}
	}
	if s == "" {
		return "none"
	}
	return s
}
