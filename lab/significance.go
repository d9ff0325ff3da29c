package lab

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/compare"
	"github.com/arslab/arslab/engine/fusion"
	"github.com/arslab/arslab/engine/metrics"
)

// StatsDefaults are the statistics options of `arslab compare` when no flag is given
// (10,000 randomisation samples, seed 1, t interval, α = 0.05 after Holm): the Metrics
// pane tests with them, so its marks are the CLI's table.
func StatsDefaults() compare.Options {
	return compare.Options{Permutations: compare.DefaultPermutations, Seed: 1, Alpha: compare.DefaultAlpha}
}

// RunDetail is one compared model's ranking and per-query values.
type RunDetail struct {
	Name     string
	Ranked   Ranked
	PerQuery metrics.PerQuery
}

// Comparison is a compare table with the rankings and per-query values behind it.
type Comparison struct {
	Table  *compare.Table
	Split  datasets.Split
	RelMin int // lowest grade counted relevant (first relevant rank, binary metrics)
	Runs   []RunDetail

	qrels datasets.Qrels
	data  *datasets.Dataset
}

// Run returns the index of the run called name, or -1.
func (c *Comparison) Run(name string) int {
	return slices.IndexFunc(c.Runs, func(r RunDetail) bool { return r.Name == name })
}

// Cell returns run's cell of metric key in the table (nil when either is unknown).
func (c *Comparison) Cell(run, key string) *compare.Cell {
	if c == nil || c.Table == nil {
		return nil
	}
	for i := range c.Table.Rows {
		if c.Table.Rows[i].Name != run {
			continue
		}
		for j := range c.Table.Rows[i].Cells {
			if c.Table.Rows[i].Cells[j].Metric == key {
				return &c.Table.Rows[i].Cells[j]
			}
		}
	}
	return nil
}

// FirstRelevant is the rank (from 1) of the first passage of grade ≥ RelMin in run's
// ranking of query qid, or 0 when none is ranked (or the run has no ranking for it).
func (c *Comparison) FirstRelevant(run int, qid string) int {
	judged := c.qrels[qid]
	for i, s := range c.Runs[run].Ranked.Lists[qid] {
		if judged[s.ID] >= c.RelMin {
			return i + 1
		}
	}
	return 0
}

// QueryDiff is one query of two runs compared on one metric.
type QueryDiff struct {
	Query        string  // query id
	Text         string  // the query's text
	A, B         float64 // the two runs' values of the metric
	Diff         float64 // B − A
	RankA, RankB int     // rank of the first relevant passage in each run (0: not ranked)
}

// Diffs lists the counted queries of runs a and b (indices into Runs) on metric key,
// sorted by B − A, largest first; equal differences keep query id order.
func (c *Comparison) Diffs(a, b int, key string) ([]QueryDiff, error) {
	if a < 0 || b < 0 || a >= len(c.Runs) || b >= len(c.Runs) {
		return nil, fmt.Errorf("runs %d and %d: the comparison has %d runs", a, b, len(c.Runs))
	}
	pa, pb := c.Runs[a].PerQuery, c.Runs[b].PerQuery
	va, oka := pa.Values[key]
	vb, okb := pb.Values[key]
	if !oka || !okb {
		return nil, fmt.Errorf("no per-query values of %s", key)
	}
	texts := make(map[string]string, len(c.data.Queries))
	for _, q := range c.data.Queries {
		texts[q.ID] = q.Text
	}
	out := make([]QueryDiff, len(pa.Queries))
	for i, q := range pa.Queries {
		out[i] = QueryDiff{Query: q, Text: texts[q], A: va[i], B: vb[i], Diff: vb[i] - va[i],
			RankA: c.FirstRelevant(a, q), RankB: c.FirstRelevant(b, q)}
	}
	slices.SortStableFunc(out, func(x, y QueryDiff) int {
		if d := cmp.Compare(y.Diff, x.Diff); math.Abs(x.Diff-y.Diff) > 1e-12 {
			return d
		}
		return cmp.Compare(x.Query, y.Query)
	})
	return out, nil
}

// FuseModels fuses models already opened on the workspace (BM25, TF-IDF, a model trained or
// opened in the app) with spec's method and parameters; spec.Members are replaced by the
// models' names ("bm25", "tfidf", a run folder or the model's name), so the fused model is
// named as the CLI would name it: FuseModels(RRFSpec(), bm25, m) is
// `fuse:rrf(k=60):bm25+<m>`.
func (w *Workspace) FuseModels(spec fusion.Spec, models ...Model) (Model, error) {
	spec.Members = spec.Members[:0:0]
	f := &Fused{index: w.Data.PassageIndex()}
	for _, m := range models {
		if m.Retriever == nil {
			return Model{}, fmt.Errorf("fusing %s: it has no retriever", m.Name)
		}
		if _, nested := m.Retriever.(*Fused); nested {
			return Model{}, fmt.Errorf("fusing %s: a fusion cannot hold another fusion", m.Name)
		}
		spec.Members = append(spec.Members, w.memberName(m))
		f.members = append(f.members, m)
	}
	if err := spec.Validate(); err != nil {
		return Model{}, err
	}
	f.spec = spec
	return Model{Name: f.Name(), Retriever: f, spec: f.Name()}, nil
}

// RRFSpec is reciprocal rank fusion with k = 60, the TUI's fusion.
func RRFSpec() fusion.Spec { return fusion.Spec{Method: fusion.RRF, K: fusion.DefaultK} }

// memberName names a model in a fusion spec as the CLI names it.
func (w *Workspace) memberName(m Model) string {
	switch {
	case m.spec != "":
		return m.spec
	case w.BM25 != nil && m.Retriever == w.BM25:
		return "bm25"
	}
	w.tfidfMu.Lock()
	tf := w.tfidf
	w.tfidfMu.Unlock()
	if tf != nil && m.Retriever == tf {
		return "tfidf"
	}
	return m.Name
}

// PaneCompareOptions are the options of the Metrics pane's significance tests on split
// against baseline: the metric columns keys (nil: the defaults), metrics.DefaultKs, the
// dataset's official relevance settings and StatsDefaults. They make the table of
// `arslab compare --split SPLIT --baseline BASELINE --k 1,5,10,20,50,100 --metrics KEYS`.
func PaneCompareOptions(split datasets.Split, baseline string, keys []string) CompareOptions {
	return CompareOptions{Split: split, Baseline: baseline, Keys: keys,
		Eval: EvalOptions{Ks: metrics.DefaultKs}, Stats: StatsDefaults()}
}
