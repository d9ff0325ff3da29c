package metrics

import (
	"math"
	"reflect"
	"testing"

	"github.com/arslab/arslab/datasets"
)

const eps = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) <= eps }

// Worked example (ks = 1, 5):
//
//	q1: qrels a:2 b:1;      run x a y b z  → relevant at ranks 2 and 4
//	    top1 0, top5 1, recall@1 0, recall@5 2/2, mrr@10 1/2, AP (1/2 + 2/4)/2 = 1/2
//	    nDCG@10 = (2/log2 3 + 1/log2 5) / (2/log2 2 + 1/log2 3) = 1.692536065 / 2.630929754 = 0.6433224083306327
//	q2: qrels c:1 d:0;      run c d c      → the second c is ignored; d has grade 0 (not relevant)
//	    top1 1, top5 1, recall 1, mrr 1, AP 1, nDCG 1
//	q3: qrels e:1 f:3 g:1;  run f h        → list shorter than k=5
//	    top1 1, top5 1, recall@1 = recall@5 = 1/3, mrr 1, AP (1/1)/3 = 1/3
//	    nDCG@10 = (3/log2 2) / (3 + 1/log2 3 + 1/log2 4) = 3 / 4.130929754 = 0.7262287617954056
//	q4: qrels i:0           → no relevant passage: not counted
//	q5: qrels j:1, not in run → counted, 0 everywhere
//
// Means over the 4 counted queries:
//
//	top1 (0+1+1+0)/4 = 0.5        top5 (1+1+1+0)/4 = 0.75
//	recall@1 (0+1+1/3+0)/4 = 1/3  recall@5 (1+1+1/3+0)/4 = 7/12
//	mrr@10 (1/2+1+1+0)/4 = 0.625  map (1/2+1+1/3+0)/4 = 11/24
//	ndcg@10 (0.6433224083306327+1+0.7262287617954056+0)/4 = 0.5923877925315096
func TestEvaluateWorkedExample(t *testing.T) {
	qrels := datasets.Qrels{
		"q1": {"a": 2, "b": 1},
		"q2": {"c": 1, "d": 0},
		"q3": {"e": 1, "f": 3, "g": 1},
		"q4": {"i": 0},
		"q5": {"j": 1},
	}
	run := map[string][]string{
		"q1":    {"x", "a", "y", "b", "z"},
		"q2":    {"c", "d", "c"},
		"q3":    {"f", "h"},
		"q4":    {"i"},
		"extra": {"a"}, // unjudged query: ignored
	}
	got, n := Evaluate(run, qrels, []int{5, 1, 0, 5}) // unsorted, non-positive and repeated ks are cleaned
	if n != 4 {
		t.Fatalf("counted %d queries, want 4", n)
	}
	want := Result{
		"top1": 0.5, "top5": 0.75,
		"recall@1": 1.0 / 3, "recall@5": 7.0 / 12,
		"mrr@10": 0.625, "map": 11.0 / 24,
		"ndcg@10": 0.5923877925315096,
	}
	if len(got) != len(want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !near(g, w) {
			t.Errorf("%s = %.12f, want %.12f", k, g, w)
		}
	}
}

func TestEvaluateEdges(t *testing.T) {
	ranked := func(n int, rel int) []string {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = "n" + string(rune('a'+i))
		}
		if rel > 0 {
			ids[rel-1] = "rel"
		}
		return ids
	}
	qrels := datasets.Qrels{"q": {"rel": 1}}
	cases := []struct {
		name string
		run  []string
		want Result
	}{
		// Relevant at rank 11: outside mrr@10, nDCG@10 and top10, but AP counts it (1/11) and top20 sees it.
		{"rank 11", ranked(15, 11), Result{"top10": 0, "top20": 1, "mrr@10": 0, "map": 1.0 / 11, "ndcg@10": 0}},
		// Relevant at rank 3: mrr 1/3, AP 1/3, nDCG = (1/log2 4)/(1/log2 2) = 1/2.
		{"rank 3", ranked(4, 3), Result{"top1": 0, "top5": 1, "mrr@10": 1.0 / 3, "map": 1.0 / 3, "ndcg@10": 0.5}},
		// Not retrieved at all.
		{"missing", ranked(3, 0), Result{"top100": 0, "recall@100": 0, "mrr@10": 0, "map": 0, "ndcg@10": 0}},
		// Empty ranking.
		{"empty", nil, Result{"top1": 0, "map": 0}},
	}
	for _, c := range cases {
		got, n := Evaluate(map[string][]string{"q": c.run}, qrels, DefaultKs)
		if n != 1 {
			t.Fatalf("%s: n = %d", c.name, n)
		}
		for k, w := range c.want {
			if !near(got[k], w) {
				t.Errorf("%s: %s = %v, want %v", c.name, k, got[k], w)
			}
		}
	}

	// No judged query with a relevant passage: count 0, all zeros, no NaN.
	got, n := Evaluate(map[string][]string{"q": {"a"}}, datasets.Qrels{"q": {"a": 0}}, []int{1})
	if n != 0 || got["top1"] != 0 || got["map"] != 0 || math.IsNaN(got["ndcg@10"]) {
		t.Errorf("no relevant: got %v, %d", got, n)
	}
}

// Reranking groups:
//
//	g1: p1 p2 p3 p4, relevant p2 p4 → mrr 1/2, AP (1/2 + 2/4)/2 = 1/2,
//	    nDCG@10 = (1/log2 3 + 1/log2 5)/(1/log2 2 + 1/log2 3) = 0.6509209298071326
//	g2: p5 p6, relevant p5        → 1, 1, 1
//	g3: p7 p8, no relevant        → skipped
//
// Means over 2 groups: mrr 0.75, map 0.75, ndcg@10 (0.6509209298071326+1)/2 = 0.8254604649035663.
func TestEvaluateRerank(t *testing.T) {
	qrels := datasets.Qrels{
		"g1": {"p1": 0, "p2": 1, "p3": 0, "p4": 1},
		"g2": {"p5": 1, "p6": 0},
		"g3": {"p7": 0, "p8": 0},
	}
	run := map[string][]string{
		"g1": {"p1", "p2", "p3", "p4"},
		"g2": {"p5", "p6"},
		"g3": {"p7", "p8"},
	}
	got, n := EvaluateRerankN(run, qrels)
	if n != 2 {
		t.Fatalf("groups = %d, want 2", n)
	}
	want := Result{"mrr": 0.75, "map": 0.75, "ndcg@10": 0.8254604649035663}
	for k, w := range want {
		if !near(got[k], w) {
			t.Errorf("%s = %.12f, want %.12f", k, got[k], w)
		}
	}
	if r := EvaluateRerank(run, qrels); !reflect.DeepEqual(r, got) {
		t.Errorf("EvaluateRerank = %v, EvaluateRerankN = %v", r, got)
	}
}

func TestKeysAndFormat(t *testing.T) {
	want := []string{"top1", "top5", "recall@1", "recall@5", "mrr@10", "map", "ndcg@10"}
	if got := Keys([]int{5, 1}); !reflect.DeepEqual(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
	s := Format(Result{"top1": 0.5, "map": 1.0 / 3}, []string{"top1", "top5", "map"})
	if s != "top1=0.5000 map=0.3333" {
		t.Errorf("Format = %q", s)
	}
}

func TestDedupe(t *testing.T) {
	in := []string{"a", "b", "a", "c", "b"}
	if got := dedupe(in); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("dedupe = %v", got)
	}
	if !reflect.DeepEqual(in, []string{"a", "b", "a", "c", "b"}) {
		t.Error("dedupe modified its input")
	}
}
