package lab

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/train"
)

// A dense run as the second stage: BM25's top 5 rescored by the dense model's head (the
// scores its own Rerank gives), in that order, the first stage's order below; token
// explanations are refused with a message (they need a cross-encoder).
func TestRerankedDenseSecondStage(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny dense model")
	}
	d, err := datasets.Demo()
	if err != nil {
		t.Fatal(err)
	}
	cfg := train.DefaultConfig()
	cfg.Epochs, cfg.MaxLen, cfg.Vocab, cfg.Negatives = 1, 32, 400, "hard:3"
	dir := filepath.Join(t.TempDir(), "dense")
	job := Train(context.Background(), cfg, d, dir, false)
	for range job.Events() {
	}
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	w := testWorkspace(t, d)
	ctx := context.Background()
	m, err := w.Retriever(ctx, "bm25>>"+dir+"@5", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := m.Retriever.(*Reranked)
	if r.CE != nil || m.Name != "BM25>>dense@5" {
		t.Fatalf("pipeline %q (CE %v)", m.Name, r.CE != nil)
	}
	q := "which planet has the highest surface temperature"
	res, err := r.Run(q, 8)
	if err != nil {
		t.Fatal(err)
	}
	first := w.BM25.Search(q, 8)
	idx := []int{}
	for _, h := range first[:5] {
		idx = append(idx, h.Index)
	}
	want := r.Dense.Retriever.(engine.Reranker).Rerank(q, idx)
	for i, h := range res.Hits {
		switch {
		case i < 5:
			if h.ID != want[i].ID || h.Score != want[i].Score || first[h.FirstRank-1].ID != h.ID {
				t.Fatalf("hit %d: %s %g, dense rerank has %s %g", i, h.ID, h.Score, want[i].ID, want[i].Score)
			}
		default:
			if h.ID != first[i].ID || h.FirstRank != i+1 {
				t.Fatalf("hit %d below the depth: %s, first stage has %s", i, h.ID, first[i].ID)
			}
		}
	}
	if _, err := r.ExplainTokens(q, res.Hits[0].Index); err == nil {
		t.Fatal("token explanation of a dense second stage: want an error")
	}
	if _, err := w.Retriever(ctx, "bm25>>"+filepath.Join(t.TempDir(), "missing")+"@5", nil); err == nil {
		t.Fatal("a missing second stage was accepted")
	}
}
