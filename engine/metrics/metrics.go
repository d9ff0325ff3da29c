// Package metrics computes the IR metrics of a run against graded judgements.
// It imports no other engine package (engine imports it).
package metrics

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/arslab/arslab/datasets"
)

// DefaultKs are the cut-offs reported by default.
var DefaultKs = []int{1, 5, 10, 20, 50, 100}

// Result maps a metric key ("top10", "recall@100", "mrr@10", "map", "ndcg@10", "mrr") to its mean over queries.
type Result map[string]float64

// Keys of the fixed-depth metrics.
const (
	MRR10  = "mrr@10"
	MAP    = "map"
	NDCG10 = "ndcg@10"
	MRR    = "mrr" // reranking: reciprocal rank over the whole candidate group
)

// TopKey is the key of Top-k accuracy (share of queries with a relevant passage in the top k).
func TopKey(k int) string { return "top" + strconv.Itoa(k) }

// RecallKey is the key of recall at k.
func RecallKey(k int) string { return "recall@" + strconv.Itoa(k) }

// Keys gives the canonical display order for ks: top{k} for each k, recall@{k} for each k, mrr@10, map, ndcg@10.
func Keys(ks []int) []string {
	ks = cleanKs(ks)
	keys := make([]string, 0, 2*len(ks)+3)
	for _, k := range ks {
		keys = append(keys, TopKey(k))
	}
	for _, k := range ks {
		keys = append(keys, RecallKey(k))
	}
	return append(keys, MRR10, MAP, NDCG10)
}

// cleanKs drops non-positive cut-offs and duplicates and sorts the rest.
func cleanKs(ks []int) []int {
	out := make([]int, 0, len(ks))
	for _, k := range ks {
		if k > 0 {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Evaluate scores run (query id → ranked passage ids, best first) against qrels with
// grade ≥ 1 counting as relevant. It returns the mean of each metric over the counted
// queries and their number; it equals EvaluatePerQuery(run, qrels, Options{Ks: ks}).Means()
// except that nil ks means no top/recall cut-offs. See EvaluatePerQuery for the metrics
// and the conventions (ties, queries without relevant passages, missing queries, duplicates).
func Evaluate(run map[string][]string, qrels datasets.Qrels, ks []int) (Result, int) {
	pq := perQuery(run, qrels, cleanKs(ks), 1, false)
	return pq.Means(), len(pq.Queries)
}

// EvaluateRerank scores reranked candidate groups (query id → its candidates, best first).
// Each group is judged on its own: groups without a relevant candidate are skipped,
// "mrr" is 1/rank of the first relevant candidate over the full group, "map" is average
// precision with |relevant candidates in the group| as denominator, and "ndcg@10" takes
// its ideal ordering from the group's own grades — as in the ARM reranker model card.
func EvaluateRerank(run map[string][]string, qrels datasets.Qrels) Result {
	r, _ := EvaluateRerankN(run, qrels)
	return r
}

// EvaluateRerankN is EvaluateRerank also returning how many groups were scored.
// It equals EvaluateRerankPerQuery(run, qrels, Options{}).Means().
func EvaluateRerankN(run map[string][]string, qrels datasets.Qrels) (Result, int) {
	pq := rerankPerQuery(run, qrels, 1, false)
	return pq.Means(), len(pq.Queries)
}

// ndcg computes nDCG@k of ranked with linear gains (grade, negatives as 0) and the given ideal grades (descending).
func ndcg(ranked []string, judged map[string]int, ideal []int, k int) float64 {
	idcg := 0.0
	for i := 0; i < k && i < len(ideal); i++ {
		idcg += float64(ideal[i]) / math.Log2(float64(i+2))
	}
	if idcg == 0 {
		return 0
	}
	dcg := 0.0
	for i := 0; i < k && i < len(ranked); i++ {
		if g := judged[ranked[i]]; g > 0 {
			dcg += float64(g) / math.Log2(float64(i+2))
		}
	}
	return dcg / idcg
}

// idealGrades returns the positive grades of judged, highest first.
func idealGrades(judged map[string]int) []int {
	g := make([]int, 0, len(judged))
	for _, v := range judged {
		if v > 0 {
			g = append(g, v)
		}
	}
	slices.Sort(g)
	slices.Reverse(g)
	return g
}

// dedupe drops repeated ids, keeping the first occurrence. It copies only when needed.
func dedupe(ids []string) []string {
	seen := make(map[string]struct{}, len(ids))
	for i, id := range ids {
		if _, dup := seen[id]; dup {
			out := slices.Clone(ids[:i])
			for _, id := range ids[i+1:] {
				if _, dup := seen[id]; !dup {
					seen[id] = struct{}{}
					out = append(out, id)
				}
			}
			return out
		}
		seen[id] = struct{}{}
	}
	return ids
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Format renders the keys of r present in it as "key=0.1234" pairs separated by spaces.
func Format(r Result, keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		v, ok := r[k]
		if !ok {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%.4f", k, v)
	}
	return b.String()
}
