package lab

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/fusion"
	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/engine/runs"
)

// Report is one evaluation: the object `arslab eval --json` prints.
type Report struct {
	Dataset  string             `json:"dataset"`
	Split    string             `json:"split"`
	Model    string             `json:"model"`
	Queries  int                `json:"queries"`
	Passages int                `json:"passages"`
	Metrics  map[string]float64 `json:"metrics"`
	Seconds  float64            `json:"seconds"`
	Rerank   bool               `json:"rerank,omitempty"`  // metrics computed per candidate group
	RelMin   int                `json:"rel_min,omitempty"` // lowest grade counted relevant (binary metrics)
	// KeepNoRelevant: queries without a relevant passage stay in the means with 0.
	KeepNoRelevant bool   `json:"keep_no_relevant,omitempty"`
	Settings       string `json:"settings,omitempty"` // lexical settings of the workspace
	// NoRelevant counts judged queries left out because none of their passages reaches RelMin.
	NoRelevant int `json:"no_relevant,omitempty"`
	// Missing counts queries the run had no ranking for (scored 0).
	Missing int `json:"missing,omitempty"`
	// Latency is the per-query time of each stage of a reranking pipeline (Reranked).
	Latency *Latency `json:"latency,omitempty"`
}

// Row is the report as a metrics-table row.
func (r Report) Row() Row { return Row{Name: r.Model, Split: r.Split, Metrics: r.Metrics} }

// EvalOptions configure EvaluateWith.
type EvalOptions struct {
	Ks     []int // cut-offs; nil = metrics.DefaultKs
	RelMin int   // lowest relevant grade for binary metrics; 0 = the dataset's RelMinDefault, else 1
	// NoRelevant says what happens to judged queries without a relevant passage: "skip"
	// leaves them out, "zero" keeps them with 0 on every metric; "" is the dataset's
	// official setting (Dataset.KeepNoRelevant), else skip.
	NoRelevant string
}

// metricsOptions resolves the options against the dataset's official settings.
func (w *Workspace) metricsOptions(o EvalOptions) (metrics.Options, error) {
	mo := metrics.Options{Ks: o.Ks, RelMin: o.RelMin, KeepNoRelevant: w.Data.KeepNoRelevant}
	if mo.RelMin == 0 {
		mo.RelMin = w.Data.RelMinDefault
	}
	switch o.NoRelevant {
	case "":
	case "skip":
		mo.KeepNoRelevant = false
	case "zero":
		mo.KeepNoRelevant = true
	default:
		return mo, fmt.Errorf("no-relevant %q: want skip or zero", o.NoRelevant)
	}
	return mo, nil
}

// Evaluation is a report with the ranking and per-query values behind it.
type Evaluation struct {
	Report
	Ranked   Ranked
	PerQuery metrics.PerQuery
}

// Evaluate ranks every judged query of split with r and computes the IR metrics at the
// cut-offs ks (nil: metrics.DefaultKs). split "" is the DefaultSplit.
func (w *Workspace) Evaluate(ctx context.Context, r engine.Retriever, split datasets.Split, ks []int, progress engine.Progress) (Report, error) {
	ev, err := w.EvaluateWith(ctx, r, split, EvalOptions{Ks: ks}, progress)
	return ev.Report, err
}

// EvaluateWith is Evaluate with options, keeping the ranking and the per-query values.
// Retrieval sets are ranked to depth max(RankDepth, the largest cut-off).
func (w *Workspace) EvaluateWith(ctx context.Context, r engine.Retriever, split datasets.Split, o EvalOptions, progress engine.Progress) (Evaluation, error) {
	if split == "" {
		split, _ = w.DefaultSplit()
	}
	start := time.Now()
	depth := RankDepth
	for _, k := range o.Ks {
		depth = max(depth, k)
	}
	lr, timed := r.(*Reranked)
	if timed {
		lr.ResetLatency()
	}
	ranked, err := w.Rank(ctx, r, split, depth, progress)
	if err != nil {
		return Evaluation{}, fmt.Errorf("evaluating %s: %w", r.Name(), err)
	}
	ev, err := w.EvaluateRanked(ranked, o)
	ev.Seconds = time.Since(start).Seconds()
	if timed {
		ev.Latency = lr.Latency()
	}
	return ev, err
}

// EvaluateRanked scores a ranking (made here or read from a run file) against the split's
// judgements.
func (w *Workspace) EvaluateRanked(ranked Ranked, o EvalOptions) (Evaluation, error) {
	mo, err := w.metricsOptions(o)
	if err != nil {
		return Evaluation{}, err
	}
	pq, err := w.PerQuery(ranked, mo)
	if err != nil {
		return Evaluation{}, fmt.Errorf("evaluating %s: %w", ranked.Name, err)
	}
	return Evaluation{
		Report: Report{
			Dataset:        w.Data.Name,
			Split:          string(ranked.Split),
			Model:          ranked.Name,
			Queries:        len(pq.Queries),
			Passages:       len(w.Data.Passages),
			Metrics:        pq.Means(),
			Rerank:         ranked.Rerank,
			RelMin:         pq.RelMin,
			KeepNoRelevant: mo.KeepNoRelevant,
			NoRelevant:     pq.NoRelevant,
			Missing:        len(pq.Missing),
		},
		Ranked:   ranked,
		PerQuery: pq,
	}, nil
}

// RunFile converts a ranking to a TREC run tagged tag, in trec_eval's order.
func (r Ranked) RunFile(tag string) runs.Run {
	out := runs.Run{Tag: tag, Ranked: make(map[string][]runs.Scored, len(r.Lists))}
	for q, l := range r.Lists {
		rs := make([]runs.Scored, len(l))
		for i, s := range l {
			rs[i] = runs.Scored{DocID: s.ID, Score: s.Score}
		}
		out.Ranked[q] = rs
	}
	out.SortTREC()
	return out
}

// RankedFromRun reads a TREC run made by any tool as a ranking of split, in trec_eval's
// order (score descending, ties by docid descending). Queries of the run that the split
// does not judge are ignored; judged queries the run lacks score 0 (metrics.PerQuery.Missing).
func (w *Workspace) RankedFromRun(run runs.Run, name string, split datasets.Split) (Ranked, error) {
	if split == "" {
		split, _ = w.DefaultSplit()
	}
	qrels := w.Data.Qrels[split]
	if len(qrels) == 0 {
		return Ranked{}, fmt.Errorf("dataset %q has no judged queries in split %q", w.Data.Name, split)
	}
	run.SortTREC()
	out := Ranked{Name: name, Split: split, Rerank: w.Data.IsRerank(), Lists: map[string][]fusion.Scored{}}
	known := w.Data.PassageIndex()
	unknown := 0
	for q, l := range run.Ranked {
		if _, ok := qrels[q]; !ok {
			continue
		}
		list := make([]fusion.Scored, len(l))
		for i, s := range l {
			if _, ok := known[s.DocID]; !ok {
				unknown++
			}
			list[i] = fusion.Scored{ID: s.DocID, Score: s.Score}
		}
		out.Lists[q] = list
	}
	if len(out.Lists) == 0 {
		qs := make([]string, 0, len(run.Ranked))
		for q := range run.Ranked {
			qs = append(qs, q)
		}
		slices.Sort(qs)
		return Ranked{}, fmt.Errorf("run %s ranks none of the %d judged queries of split %s (its queries start %v)",
			name, len(qrels), split, qs[:min(3, len(qs))])
	}
	_ = unknown // passages outside the corpus simply never match a judgement
	return out, nil
}

// PerQueryRow is one line of `eval --per-query`: a query's value of every metric.
type PerQueryRow struct {
	Query   string             `json:"query"`
	Metrics map[string]float64 `json:"metrics"`
}

// PerQueryRows lists the per-query values query by query.
func (e Evaluation) PerQueryRows() []PerQueryRow {
	rows := make([]PerQueryRow, len(e.PerQuery.Queries))
	for i, q := range e.PerQuery.Queries {
		m := make(map[string]float64, len(e.PerQuery.Values))
		for k, vals := range e.PerQuery.Values {
			m[k] = vals[i]
		}
		rows[i] = PerQueryRow{Query: q, Metrics: m}
	}
	return rows
}
