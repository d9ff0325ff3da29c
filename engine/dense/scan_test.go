package dense

import (
	"slices"
	"testing"

	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/topk"
)

// TestScanSameForAnyWorkerCount: the parallel scan returns the same hits (ids, scores,
// contributions) for 1, 2, 3, 7 and 16 workers, and they are the brute-force top k of
// Score over every window (MaxP), ties broken by passage index. Passages 100–139 copy
// passage 5's vector, so the top of the ranking is a block of equal scores.
func TestScanSameForAnyWorkerCount(t *testing.T) {
	const n, h, k = 3000, 128, 25
	ix, qp := syntheticIndex(t, n, h, 1, 7, 11)
	ix.scorePar = 50
	// The best single window, copied to 40 passages (their first window) to make ties.
	best, bestScore := 0, float32(-1e30)
	for w := range ix.Windows() {
		if s := ix.m.Head.Score(qp, ix.wvec(w)); s > bestScore {
			best, bestScore = w, s
		}
	}
	src := slices.Clone(ix.wvec(best))
	for i := 100; i < 140; i++ {
		copy(ix.wvec(int(ix.start[i])), src)
	}
	var brute []topk.Cand[float32]
	for i := range n {
		s, _ := ix.best(qp, i)
		brute = append(brute, topk.Cand[float32]{Doc: int32(i), Score: s})
	}
	brute = topk.Sort(brute)[:k]
	if brute[0].Doc != 100 || brute[k-1].Doc != 124 {
		t.Fatalf("fixture: brute-force top %d runs from %d to %d, want the tied block 100…124", k, brute[0].Doc, brute[k-1].Doc)
	}
	var ref []engine.Hit
	for _, w := range []int{1, 2, 3, 7, 16} {
		ix.workers = w
		hits := ix.searchProjected(qp, k)
		if len(hits) != k {
			t.Fatalf("%d workers: %d hits", w, len(hits))
		}
		for r, hit := range hits {
			if hit.Index != int(brute[r].Doc) || hit.Score != float64(brute[r].Score) {
				t.Errorf("%d workers rank %d: passage %d score %g, brute force %d %g", w, r, hit.Index, hit.Score, brute[r].Doc, brute[r].Score)
			}
		}
		if ref == nil {
			ref = hits
		} else if !slices.EqualFunc(ref, hits, func(a, b engine.Hit) bool {
			return a.ID == b.ID && a.Score == b.Score && slices.Equal(a.Contrib, b.Contrib)
		}) {
			t.Errorf("%d workers: hits differ from 1 worker's", w)
		}
	}
	// More passages than workers can split: k larger than n.
	ix.workers = 2
	if hits := ix.searchProjected(qp, n+5); len(hits) != n {
		t.Errorf("k > n: %d hits, want %d", len(hits), n)
	}
}

// TestTopContrib: the largest |values| first, an earlier dimension first on ties.
func TestTopContrib(t *testing.T) {
	c := []float64{0.1, -0.5, 0.5, 0.2, -0.05, 0.3, -0.3}
	want := []engine.Contribution{{Dim: 1, Value: -0.5}, {Dim: 2, Value: 0.5}, {Dim: 5, Value: 0.3}, {Dim: 6, Value: -0.3}}
	if got := topContrib(c, 4); !slices.Equal(got, want) {
		t.Errorf("top 4 = %v, want %v", got, want)
	}
	if got := topContrib(c[:2], 5); !slices.Equal(got, []engine.Contribution{{Dim: 1, Value: -0.5}, {Dim: 0, Value: 0.1}}) {
		t.Errorf("top 5 of 2 = %v", got)
	}
	if got := topContrib(c, 0); len(got) != 0 {
		t.Errorf("top 0 = %v", got)
	}
}
