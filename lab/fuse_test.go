package lab

import (
	"context"
	"math"
	"testing"

	"github.com/arslab/arslab/engine"
)

func TestFusedRRFByHand(t *testing.T) {
	w := testWorkspace(t, testData())
	m, err := w.Retriever(context.Background(), "fuse:rrf(k=60):bm25+tfidf", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "fuse:rrf(k=60):bm25+tfidf" {
		t.Errorf("name %q", m.Name)
	}
	q := "capital of France"
	bm := w.BM25.Search(q, 10)
	tf, _ := w.TFIDF(context.Background(), nil)
	tfh := tf.Search(q, 10)
	// RRF by hand: Σ 1/(60 + rank) over the two lists.
	want := map[string]float64{}
	for r, h := range bm {
		want[h.ID] += 1 / float64(60+r+1)
	}
	for r, h := range tfh {
		want[h.ID] += 1 / float64(60+r+1)
	}
	hits := m.Retriever.Search(q, 10)
	if len(hits) != len(want) {
		t.Fatalf("%d hits, want %d", len(hits), len(want))
	}
	for i, h := range hits {
		if math.Abs(h.Score-want[h.ID]) > 1e-12 || w.Data.Passages[h.Index].ID != h.ID || !math.IsNaN(h.Prob) {
			t.Errorf("hit %d %+v, want score %v", i, h, want[h.ID])
		}
		if i > 0 && h.Score > hits[i-1].Score {
			t.Errorf("not sorted at %d", i)
		}
	}
	if hits[0].ID != "p3" {
		t.Errorf("top hit %s, want p3", hits[0].ID)
	}
	// Rerank keeps only the candidates, fused the same way.
	got := m.Retriever.(*Fused).Rerank(q, []int{0, 1})
	if len(got) != 2 || got[0].ID != "p1" {
		t.Errorf("rerank of p1, p2: %+v", got)
	}
	for _, bad := range []string{"fuse:rrf:bm25", "fuse:rrf:bm25+nosuch", "fuse:rrf:bm25+fuse:rrf:bm25+tfidf"} {
		if _, err := w.Retriever(context.Background(), bad, nil); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// tiedRetriever gives every passage the same score, in index order.
type tiedRetriever struct{ w *Workspace }

func (tiedRetriever) Name() string { return "tied" }
func (r tiedRetriever) Search(string, int) []engine.Hit {
	var hits []engine.Hit
	for i, p := range r.w.Data.Passages {
		hits = append(hits, engine.Hit{ID: p.ID, Index: i, Score: 1})
	}
	return hits
}

func TestRankBreaksTiesAsTrecEval(t *testing.T) {
	w := testWorkspace(t, testData())
	r, err := w.Rank(context.Background(), tiedRetriever{w}, "test", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := r.IDs()["q2"]
	if len(got) != 3 || got[0] != "p3" || got[1] != "p2" || got[2] != "p1" {
		t.Errorf("tied ranking %v, want docid descending [p3 p2 p1]", got)
	}
	ev, err := w.EvaluateRanked(r, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// q2 (p2 relevant) at rank 2, q3 (p1 relevant) at rank 3: MRR@10 = (1/2 + 1/3)/2.
	if math.Abs(ev.Metrics["mrr@10"]-(0.5+1.0/3)/2) > 1e-12 {
		t.Errorf("mrr@10 %v", ev.Metrics["mrr@10"])
	}
}
