package dense

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/topk"
)

// indexBatch is how many passages are encoded per Encode call.
const indexBatch = 64

// TopContrib is how many per-dimension contributions a Hit carries.
const TopContrib = 8

// Index is a dense index: one cached vector per passage window (W_p p + b_p for ARS, p
// for dot, p/‖p‖ for cos) in one flat float32 array. A passage has one window (its first
// MaxLen tokens) unless the model's Window setting splits long passages into overlapping
// windows; a passage's score is then its best window's (MaxP). Search, Rerank and Explain
// all score with the head's kernel (head.Score, head.Explain). It implements
// engine.Retriever and engine.Reranker and is safe for concurrent searches.
type Index struct {
	name     string
	m        *Model
	ids      []string
	k        int       // cached vector size (head.ProjDim)
	vecs     []float32 // windows × k
	start    []int32   // passage i's windows are start[i] … start[i+1]-1
	workers  int
	scorePar int // passages per goroutine below which search stays serial
}

var (
	_ engine.Retriever = (*Index)(nil)
	_ engine.Reranker  = (*Index)(nil)
)

// Index encodes passages (each window of each, see Model.Window) in batches and caches
// what search needs. progress may be nil; it counts passages.
func (m *Model) Index(ctx context.Context, passages []datasets.Passage, progress engine.Progress) (*Index, error) {
	hd := m.Head
	k := hd.ProjDim()
	ix := &Index{name: m.Name(), m: m, k: k, ids: make([]string, len(passages)), start: make([]int32, 0, len(passages)+1),
		workers: runtime.GOMAXPROCS(0), scorePar: 4096}
	d := hd.D
	var pending [][]int
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		out, err := m.EncP.Encode(pending)
		if err != nil {
			return fmt.Errorf("index: encoding %d passage windows: %w", len(pending), err)
		}
		if len(out) != len(pending)*d {
			return fmt.Errorf("index: encoder returned %d values for %d passage windows", len(out), len(pending))
		}
		at := len(ix.vecs)
		ix.vecs = append(ix.vecs, make([]float32, len(pending)*k)...)
		if err := hd.ProjectPassages(out, ix.vecs[at:]); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		pending = pending[:0]
		return nil
	}
	windows := int32(0)
	for i, p := range passages {
		if i%indexBatch == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if progress != nil && i > 0 {
				progress(i, len(passages))
			}
		}
		ix.ids[i] = p.ID
		ix.start = append(ix.start, windows)
		ws := m.PassageWindows(p.Title, p.Text)
		windows += int32(len(ws))
		pending = append(pending, ws...)
		if len(pending) >= indexBatch {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	ix.start = append(ix.start, windows)
	if progress != nil {
		progress(len(passages), len(passages))
	}
	return ix, nil
}

// Name is the model's name.
func (ix *Index) Name() string { return ix.name }

// Len is the number of indexed passages.
func (ix *Index) Len() int { return len(ix.ids) }

// Windows is the number of indexed windows (Len when no passage was split).
func (ix *Index) Windows() int { return int(ix.start[len(ix.ids)]) }

// wvec is window w's cached vector.
func (ix *Index) wvec(w int) []float32 { return ix.vecs[w*ix.k : (w+1)*ix.k] }

// best is passage i's score for the projected query, its best window's (MaxP), and that
// window's vector.
func (ix *Index) best(qp []float32, i int) (float32, []float32) {
	hd := ix.m.Head
	w0, w1 := int(ix.start[i]), int(ix.start[i+1])
	bs, bv := hd.Score(qp, ix.wvec(w0)), ix.wvec(w0)
	for w := w0 + 1; w < w1; w++ {
		if s := hd.Score(qp, ix.wvec(w)); s > bs {
			bs, bv = s, ix.wvec(w)
		}
	}
	return bs, bv
}

// projectQuery encodes and projects one query; nil when encoding fails.
func (ix *Index) projectQuery(query string) []float32 {
	out, err := ix.m.EncQ.Encode([][]int{ix.m.QueryIDs(query)})
	if err != nil {
		return nil
	}
	qp := make([]float32, ix.k)
	if err := ix.m.Head.ProjectQueries(out, qp); err != nil {
		return nil
	}
	return qp
}

type cand = topk.Cand[float32]

// Search scores every passage against the query and returns the k best.
func (ix *Index) Search(query string, k int) []engine.Hit {
	if k <= 0 || len(ix.ids) == 0 {
		return nil
	}
	qp := ix.projectQuery(query)
	if qp == nil {
		return nil
	}
	return ix.searchProjected(qp, k)
}

// searchProjected ranks the corpus for an already projected query. The passages are
// split into ix.workers contiguous ranges (GOMAXPROCS at indexing time, fewer for a
// small corpus); each worker scores its windows in blocks with the head's vectorised
// kernel and keeps its top k, and the workers' heaps are merged. A passage's score does
// not depend on the range or block it falls in, and candidates are ordered by score,
// then passage index (topk.Better, a total order), so the result is the same for any
// number of workers.
func (ix *Index) searchProjected(qp []float32, k int) []engine.Hit {
	n := len(ix.ids)
	k = min(k, n)
	workers := min(ix.workers, max(1, n/ix.scorePar))
	heaps := make([][]cand, workers)
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := range workers {
		lo, hi := min(n, w*chunk), min(n, (w+1)*chunk)
		wg.Add(1)
		go func() {
			defer wg.Done()
			heaps[w] = ix.scoreRange(qp, lo, hi, make([]cand, 0, k), k)
		}()
	}
	wg.Wait()
	all := make([]cand, 0, k)
	for _, h := range heaps {
		for _, c := range h {
			all = topk.Push(all, k, c)
		}
	}
	return ix.hits(qp, topk.Sort(all))
}

// scanBlock is how many passages a worker scores per ScoreBlock call.
const scanBlock = 256

// scoreRange pushes the scores of passages lo..hi-1 (each its best window's) into heap h.
func (ix *Index) scoreRange(qp []float32, lo, hi int, h []cand, k int) []cand {
	if k <= 0 {
		return h
	}
	hd := ix.m.Head
	var scores []float32
	for b := lo; b < hi; b += scanBlock {
		e := min(hi, b+scanBlock)
		w0, w1 := int(ix.start[b]), int(ix.start[e])
		if cap(scores) < w1-w0 {
			scores = make([]float32, w1-w0)
		}
		scores = scores[:w1-w0]
		if err := hd.ScoreBlock(qp, ix.vecs[w0*ix.k:w1*ix.k], scores); err != nil {
			return h // lengths are the index's own: cannot happen
		}
		single := w1-w0 == e-b // one window per passage: the scores are the passages'
		for i := b; i < e; i++ {
			var s float32
			if single {
				s = scores[i-b]
			} else {
				ws := scores[int(ix.start[i])-w0 : int(ix.start[i+1])-w0]
				s = ws[0]
				for _, v := range ws[1:] {
					s = max(s, v)
				}
			}
			if len(h) == k && s < h[0].Score { // cheap rejection of most passages
				continue
			}
			h = topk.Push(h, k, cand{Doc: int32(i), Score: s})
		}
	}
	return h
}

// Rerank scores the given candidates (indices outside the corpus are skipped).
func (ix *Index) Rerank(query string, candidates []int) []engine.Hit {
	qp := ix.projectQuery(query)
	if qp == nil {
		return nil
	}
	cs := make([]cand, 0, len(candidates))
	for _, c := range candidates {
		if c < 0 || c >= len(ix.ids) {
			continue
		}
		s, _ := ix.best(qp, c)
		cs = append(cs, cand{Doc: int32(c), Score: s})
	}
	return ix.hits(qp, topk.Sort(cs))
}

// hits turns ranked candidates into Hits with Prob and the top contributions.
func (ix *Index) hits(qp []float32, cs []cand) []engine.Hit {
	hd := ix.m.Head
	out := make([]engine.Hit, len(cs))
	for i, c := range cs {
		d := int(c.Doc)
		h := engine.Hit{ID: ix.ids[d], Index: d, Score: float64(c.Score), Prob: hd.Prob(float64(c.Score))}
		_, v := ix.best(qp, d)
		if ex, ok := hd.Explain(qp, v); ok {
			h.Contrib = topContrib(ex.Terms, TopContrib)
		}
		out[i] = h
	}
	return out
}

// topContrib returns the n largest contributions by |value| (ties by dimension), by
// insertion into a sorted list of n: O(len(c)·n) without sorting all of c.
func topContrib(c []float64, n int) []engine.Contribution {
	n = min(n, len(c))
	if n <= 0 {
		return nil
	}
	out := make([]engine.Contribution, 0, n)
	for i, v := range c {
		a := math.Abs(v)
		if len(out) == n && !(a > math.Abs(out[n-1].Value)) {
			continue // not larger than the nth: an earlier dimension wins the tie
		}
		if len(out) < n {
			out = append(out, engine.Contribution{})
		}
		j := len(out) - 1
		for j > 0 && a > math.Abs(out[j-1].Value) {
			out[j] = out[j-1]
			j--
		}
		out[j] = engine.Contribution{Dim: i, Value: v}
	}
	return out
}

// Explain breaks the score of passage (an index into the indexed passages; its best
// window when it has several) for query into the head's per-dimension terms (see head.Explanation: ARS vᵢ·tanh(q̂ᵢ·p̂ᵢ) plus
// the bias c, dot qᵢ·pᵢ, cos the products of the unit vectors), with the formula's
// label. ok is false for a passage index outside the index or a query that cannot be
// encoded.
func (ix *Index) Explain(query string, passage int) (head.Explanation, bool) {
	if passage < 0 || passage >= len(ix.ids) {
		return head.Explanation{}, false
	}
	qp := ix.projectQuery(query)
	if qp == nil {
		return head.Explanation{}, false
	}
	_, v := ix.best(qp, passage)
	return ix.m.Head.Explain(qp, v)
}

// ExplainTerms is Explain in the form views.NamedRetriever.Explain takes: the terms
// and the score, or (nil, NaN) when Explain fails.
func (ix *Index) ExplainTerms(query string, passage int) ([]float64, float64) {
	ex, ok := ix.Explain(query, passage)
	if !ok {
		return nil, math.NaN()
	}
	return ex.Terms, ex.Score
}
