package metrics

import (
	"errors"
	"fmt"
	"slices"

	"github.com/arslab/arslab/datasets"
)

// Options selects what EvaluatePerQuery computes.
type Options struct {
	// Ks are the cut-offs of top{k} and recall@{k}; nil means DefaultKs. Repeated cut-offs
	// are merged and the rest sorted; a cut-off below 1 is an error.
	Ks []int
	// RelMin is the lowest grade that counts as relevant for the binary metrics (top{k},
	// recall@{k}, mrr@10, map) and for deciding which queries count; 0 means 1.
	// TREC DL passage qrels use RelMin 2 ("relevant means grade ≥ 2"). Like trec_eval's -l
	// flag it changes only binary relevance: nDCG@10 keeps the gain of every positive grade.
	RelMin int
	// KeepNoRelevant keeps judged queries (reranking: candidate groups) that have no
	// passage of grade ≥ RelMin in every mean, scoring 0 on every metric, instead of leaving
	// them out. The SemEval Task 3 scorers average this way over every question (a question
	// without a Good comment scores 0). NoRelevant still counts them.
	KeepNoRelevant bool
}

// PerQuery holds each metric's value for each counted query.
type PerQuery struct {
	RelMin  int      // the relevance threshold used (≥ 1)
	Ks      []int    // the cleaned cut-offs
	Queries []string // the counted query ids, sorted
	// Values maps a metric key (see Keys) to one value per entry of Queries, in that order.
	Values map[string][]float64
	// Missing lists the counted queries the run has no ranking for (they score 0), sorted.
	Missing []string
	// NoRelevant is how many judged queries (reranking: candidate groups) were left out
	// because no passage reaches RelMin.
	NoRelevant int
	// Rerank marks per-group reranking metrics (EvaluateRerankPerQuery: mrr, map, ndcg@10).
	Rerank bool
}

// Keys gives the metric keys of p in display order: Keys(p.Ks), or mrr, map, ndcg@10 when p.Rerank.
func (p PerQuery) Keys() []string {
	if p.Rerank {
		return []string{MRR, MAP, NDCG10}
	}
	return Keys(p.Ks)
}

// Means gives each metric's mean over p.Queries (0 for every metric when none count).
// Sums run in query order, so the means are bit-for-bit those of Evaluate.
func (p PerQuery) Means() Result {
	res := make(Result, len(p.Values))
	for key, vals := range p.Values {
		sum := 0.0
		for _, v := range vals {
			sum += v
		}
		if len(vals) > 0 {
			sum /= float64(len(vals))
		}
		res[key] = sum
	}
	return res
}

// Value returns the value of metric key for query qid; ok is false when either is unknown.
func (p PerQuery) Value(key, qid string) (v float64, ok bool) {
	i, found := slices.BinarySearch(p.Queries, qid)
	vals, has := p.Values[key]
	if !found || !has || i >= len(vals) {
		return 0, false
	}
	return vals[i], true
}

// ErrOptions reports invalid Options.
var ErrOptions = errors.New("metrics: invalid options")

// EvaluatePerQuery scores run (query id → ranked passage ids, best first) against qrels
// and keeps every counted query's value, the way trec_eval -q does. Its conventions:
//
//   - Ordering: a ranking is taken as given, position 1 first. The metrics never look at
//     scores, so ties in scores are whatever order the caller produced; callers must break
//     them deterministically (the retrievers here sort by score descending, then by corpus
//     position; fusion by fused score, then by id; trec_eval instead re-sorts by score
//     and breaks ties by descending document id).
//   - Queries without a relevant passage: a judged query with no passage of grade ≥ RelMin
//     is left out of every metric and of the mean (nDCG included, though it could score
//     lower grades); PerQuery.NoRelevant counts them. Every metric is therefore averaged
//     over the same queries, which paired tests need.
//   - Runs missing queries: a counted query the run has no ranking for (or an empty one)
//     scores 0 on every metric and stays in the mean (trec_eval -c); PerQuery.Missing lists
//     them. Rankings of queries absent from qrels are ignored.
//   - Duplicate ids: a passage id repeated in a ranking counts at its first position only;
//     later copies are dropped, so ranks after them move up.
//   - Unjudged passages count as not relevant (grade 0); negative grades count as 0.
//
// With R the set of passages of grade ≥ RelMin and rank r starting at 1, the metrics are:
//
//	top{k}     1 if some passage of R is in the first k, else 0 (Top-k accuracy)
//	recall@{k} |R ∩ first k| / |R|   (a list shorter than k counts whole)
//	mrr@10     1/r of the first passage of R within the first 10, else 0
//	map        Σ over ranks r holding a passage of R of precision@r, divided by |R| (whole list)
//	ndcg@10    Σ_{r≤10} grade_r / log2(r+1), divided by the same sum over all positive qrels
//	           grades sorted descending (linear gains; grades below RelMin still gain)
func EvaluatePerQuery(run map[string][]string, qrels datasets.Qrels, opts Options) (PerQuery, error) {
	ks := opts.Ks
	if ks == nil {
		ks = DefaultKs
	}
	for _, k := range ks {
		if k < 1 {
			return PerQuery{}, fmt.Errorf("%w: cut-off %d is below 1", ErrOptions, k)
		}
	}
	relMin, err := opts.relMin()
	if err != nil {
		return PerQuery{}, err
	}
	return perQuery(run, qrels, cleanKs(ks), relMin, opts.KeepNoRelevant), nil
}

func (o Options) relMin() (int, error) {
	switch {
	case o.RelMin < 0:
		return 0, fmt.Errorf("%w: RelMin %d is negative", ErrOptions, o.RelMin)
	case o.RelMin == 0:
		return 1, nil
	}
	return o.RelMin, nil
}

// perQuery is EvaluatePerQuery with cleaned ks and relMin ≥ 1.
func perQuery(run map[string][]string, qrels datasets.Qrels, ks []int, relMin int, keep bool) PerQuery {
	keys := Keys(ks)
	p := PerQuery{RelMin: relMin, Ks: ks, Values: make(map[string][]float64, len(keys))}
	for _, qid := range sortedKeys(qrels) {
		switch {
		case countAtLeast(qrels[qid], relMin) > 0:
			p.Queries = append(p.Queries, qid)
		case keep:
			p.Queries = append(p.Queries, qid)
			p.NoRelevant++
		default:
			p.NoRelevant++
		}
	}
	n := len(p.Queries)
	for _, key := range keys {
		p.Values[key] = make([]float64, n)
	}
	top := make([][]float64, len(ks))
	rec := make([][]float64, len(ks))
	for i, k := range ks {
		top[i], rec[i] = p.Values[TopKey(k)], p.Values[RecallKey(k)]
	}
	mrr, ap, nd := p.Values[MRR10], p.Values[MAP], p.Values[NDCG10]
	for qi, qid := range p.Queries {
		judged := qrels[qid]
		nrel := countAtLeast(judged, relMin)
		ranking, ok := run[qid]
		if !ok || len(ranking) == 0 {
			p.Missing = append(p.Missing, qid)
		}
		if nrel == 0 { // kept without a relevant passage: 0 on every metric
			continue
		}
		ranked := dedupe(ranking)
		hits, firstRel, sumPrec := 0, 0, 0.0
		ki := 0
		atK := func(i int) {
			if hits > 0 {
				top[i][qi] = 1
			}
			rec[i][qi] = float64(hits) / float64(nrel)
		}
		for r, pid := range ranked {
			rank := r + 1
			if judged[pid] >= relMin {
				hits++
				sumPrec += float64(hits) / float64(rank)
				if firstRel == 0 {
					firstRel = rank
				}
			}
			for ki < len(ks) && ks[ki] == rank {
				atK(ki)
				ki++
			}
		}
		for ; ki < len(ks); ki++ { // k beyond the list: the whole list counts
			atK(ki)
		}
		if firstRel > 0 && firstRel <= 10 {
			mrr[qi] = 1 / float64(firstRel)
		}
		ap[qi] = sumPrec / float64(nrel)
		nd[qi] = ndcg(ranked, judged, idealGrades(judged), 10)
	}
	return p
}

// countAtLeast counts the passages of judged with grade ≥ min.
func countAtLeast(judged map[string]int, min int) int {
	n := 0
	for _, g := range judged {
		if g >= min {
			n++
		}
	}
	return n
}

// EvaluateRerankPerQuery keeps EvaluateRerank's per-group values (keys mrr, map, ndcg@10;
// opts.Ks is ignored). Each candidate group of run is judged on its own, in query id order:
//
//   - a group without a candidate of grade ≥ RelMin is skipped (counted in NoRelevant), or
//     scores 0 with Options.KeepNoRelevant (the SemEval scorers' convention); a
//     judged query without a group is not scored at all (the candidates are the run's), so
//     Missing stays empty;
//   - mrr is 1/rank of the first candidate of grade ≥ RelMin over the whole group;
//   - map is average precision with |candidates of grade ≥ RelMin in the group| as denominator;
//   - ndcg@10 uses linear gains and the ideal ordering of the group's own positive grades;
//   - ties, duplicates and unjudged candidates as in EvaluatePerQuery.
func EvaluateRerankPerQuery(run map[string][]string, qrels datasets.Qrels, opts Options) (PerQuery, error) {
	relMin, err := opts.relMin()
	if err != nil {
		return PerQuery{}, err
	}
	return rerankPerQuery(run, qrels, relMin, opts.KeepNoRelevant), nil
}

func rerankPerQuery(run map[string][]string, qrels datasets.Qrels, relMin int, keep bool) PerQuery {
	p := PerQuery{RelMin: relMin, Rerank: true, Values: map[string][]float64{}}
	var mrr, ap, nd []float64
	for _, qid := range sortedKeys(run) {
		judged := qrels[qid]
		group := dedupe(run[qid])
		var grades []int
		nrel := 0
		for _, pid := range group {
			if g := judged[pid]; g > 0 {
				grades = append(grades, g)
				if g >= relMin {
					nrel++
				}
			}
		}
		if nrel == 0 {
			p.NoRelevant++
			if keep {
				p.Queries = append(p.Queries, qid)
				mrr, ap, nd = append(mrr, 0), append(ap, 0), append(nd, 0)
			}
			continue
		}
		slices.Sort(grades)
		slices.Reverse(grades)
		hits, sumPrec, first := 0, 0.0, 0
		for r, pid := range group {
			if judged[pid] >= relMin {
				hits++
				sumPrec += float64(hits) / float64(r+1)
				if first == 0 {
					first = r + 1
				}
			}
		}
		p.Queries = append(p.Queries, qid)
		mrr = append(mrr, 1/float64(first))
		ap = append(ap, sumPrec/float64(nrel))
		nd = append(nd, ndcg(group, judged, grades, 10))
	}
	n := len(p.Queries)
	p.Values[MRR], p.Values[MAP], p.Values[NDCG10] = orEmpty(mrr, n), orEmpty(ap, n), orEmpty(nd, n)
	return p
}

func orEmpty(v []float64, n int) []float64 {
	if v == nil {
		return make([]float64, 0, n)
	}
	return v
}
