package lab

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/compare"
	"github.com/arslab/arslab/engine/fusion"
	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/engine/runs"
)

// RankDepth is how deep a retrieval run is ranked for evaluation and comparison.
const RankDepth = 100

// Ranked is one model's ranking of every judged query of a split: query id → passages,
// best first, with the model's scores. Reranking sets rank each query's own candidates.
type Ranked struct {
	Name   string
	Split  datasets.Split
	Rerank bool
	Lists  map[string][]fusion.Scored
}

// IDs returns the ranked ids per query, as the metrics take them.
func (r Ranked) IDs() map[string][]string {
	out := make(map[string][]string, len(r.Lists))
	for q, l := range r.Lists {
		out[q] = fusion.IDs(l)
	}
	return out
}

// Rank ranks every judged query of split with r to depth (0: RankDepth); reranking
// datasets rank each query's candidates when r can rerank.
//
// Ties: a retrieval ranking orders equal scores as trec_eval does (docid descending, byte
// order), so the lab's metrics, its --run files and trec_eval on those files agree. A
// candidate group keeps equal scores in the group's file order, as the SemEval scorer's
// stable sort does.
func (w *Workspace) Rank(ctx context.Context, r engine.Retriever, split datasets.Split, depth int, progress engine.Progress) (Ranked, error) {
	d := w.Data
	judged, err := w.judgedQueries(split)
	if err != nil {
		return Ranked{}, err
	}
	if depth <= 0 {
		depth = RankDepth
	}
	rr, rerank := r.(engine.Reranker)
	rerank = rerank && d.IsRerank()
	pidx := d.PassageIndex()
	out := Ranked{Name: r.Name(), Split: split, Rerank: rerank, Lists: make(map[string][]fusion.Scored, len(judged))}
	done := 0
	for qid, text := range judged {
		if err := ctx.Err(); err != nil {
			return Ranked{}, err
		}
		var hits []engine.Hit
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
		list := scored(hits)
		if !rerank {
			slices.SortStableFunc(list, trecOrder)
		}
		out.Lists[qid] = list
		done++
		if progress != nil {
			progress(done, len(judged))
		}
	}
	return out, nil
}

// judgedQueries maps each judged query of split to its text; a split without judged
// queries, or judging a query the dataset lacks, is an error.
func (w *Workspace) judgedQueries(split datasets.Split) (map[string]string, error) {
	d := w.Data
	qrels, ok := d.Qrels[split]
	if !ok || len(qrels) == 0 {
		return nil, fmt.Errorf("dataset %q has no judged queries in split %q (has: %s)", d.Name, split, w.splitNames())
	}
	texts := make(map[string]string, len(d.Queries))
	for _, q := range d.Queries {
		texts[q.ID] = q.Text
	}
	judged := make(map[string]string, len(qrels))
	for qid := range qrels {
		text, ok := texts[qid]
		if !ok {
			return nil, fmt.Errorf("split %q judges query %q which the dataset does not contain", split, qid)
		}
		judged[qid] = text
	}
	return judged, nil
}

// PerQuery evaluates a ranking query by query against the split's judgements.
func (w *Workspace) PerQuery(r Ranked, opts metrics.Options) (metrics.PerQuery, error) {
	qrels := w.Data.Qrels[r.Split]
	if r.Rerank {
		return metrics.EvaluateRerankPerQuery(r.IDs(), qrels, opts)
	}
	return metrics.EvaluatePerQuery(r.IDs(), qrels, opts)
}

// CompareOptions configure Compare.
type CompareOptions struct {
	Split    datasets.Split // "" = DefaultSplit
	Baseline string         // model name or spec of the baseline; "" = the first
	Eval     EvalOptions    // cut-offs, relevance threshold, queries without a relevant passage
	Keys     []string       // metric keys of the table; nil = the defaults of the first run
	Stats    compare.Options
	Progress func(model string, done, total int)
	// Timing, when set, receives how long ranking and the significance tests took.
	Timing *CompareTiming
}

// CompareTiming splits a comparison's time.
type CompareTiming struct {
	Rank, Tests time.Duration
}

// Compare ranks the split with every model and builds the significance table against the
// baseline (see engine/compare).
func (w *Workspace) Compare(ctx context.Context, models []Model, o CompareOptions) (*compare.Table, error) {
	c, err := w.CompareDetail(ctx, models, o)
	if err != nil {
		return nil, err
	}
	return c.Table, nil
}

// CompareDetail is Compare keeping each model's ranking and per-query values (the Metrics
// pane's per-query view reads them).
func (w *Workspace) CompareDetail(ctx context.Context, models []Model, o CompareOptions) (*Comparison, error) {
	if len(models) < 2 {
		return nil, fmt.Errorf("compare needs at least two models, got %d", len(models))
	}
	split := o.Split
	if split == "" {
		split, _ = w.DefaultSplit()
	}
	mo, err := w.metricsOptions(o.Eval)
	if err != nil {
		return nil, err
	}
	out := &Comparison{Split: split, RelMin: max(mo.RelMin, 1), qrels: w.Data.Qrels[split], data: w.Data}
	runs := make([]compare.Run, 0, len(models))
	baseline := ""
	start := time.Now()
	for _, m := range models {
		var prog engine.Progress
		if o.Progress != nil {
			name := m.Name
			prog = func(done, total int) { o.Progress(name, done, total) }
		}
		var r Ranked
		switch {
		case m.fixed != nil:
			r = *m.fixed
			if r.Split != split {
				return nil, fmt.Errorf("%s ranks split %s, the comparison is on %s", m.Name, r.Split, split)
			}
		default:
			if r, err = w.Rank(ctx, m.Retriever, split, 0, prog); err != nil {
				return nil, err
			}
		}
		pq, err := w.PerQuery(r, mo)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Name, err)
		}
		runs = append(runs, compare.Run{Name: m.Name, Scores: pq})
		out.Runs = append(out.Runs, RunDetail{Name: m.Name, Ranked: r, PerQuery: pq})
		if o.Baseline != "" && (m.Name == o.Baseline || m.spec == o.Baseline) {
			baseline = m.Name
		}
	}
	if o.Baseline != "" && baseline == "" {
		return nil, fmt.Errorf("baseline %q is not one of the compared models", o.Baseline)
	}
	ranked := time.Now()
	tab, err := compare.Build(runs, baseline, o.Keys, o.Stats)
	if o.Timing != nil {
		o.Timing.Rank, o.Timing.Tests = ranked.Sub(start), time.Since(ranked)
	}
	if err != nil {
		return nil, err
	}
	out.Table = tab
	return out, nil
}

// splitNames lists the judged splits ("train, test"), or "none".
func (w *Workspace) splitNames() string {
	var names []string
	for _, sp := range splitOrder {
		if len(w.Data.Qrels[sp]) > 0 {
			names = append(names, string(sp))
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// trecOrder is trec_eval's ranking order: score descending, then docid descending.
func trecOrder(a, b fusion.Scored) int {
	switch {
	case a.Score > b.Score:
		return -1
	case a.Score < b.Score:
		return 1
	}
	return strings.Compare(b.ID, a.ID)
}

// RunModel reads a TREC run file (made by any tool) as a fixed ranking of split, to compare
// it with models: `arslab compare … run:FILE`. It has no retriever: only Compare uses it.
func (w *Workspace) RunModel(path string, split datasets.Split) (Model, error) {
	run, err := runs.ReadFile(path)
	if err != nil {
		return Model{}, err
	}
	name := run.Tag
	if name == "" {
		name = filepath.Base(path)
	}
	r, err := w.RankedFromRun(run, name, split)
	if err != nil {
		return Model{}, err
	}
	return Model{Name: name, spec: "run:" + path, fixed: &r}, nil
}
