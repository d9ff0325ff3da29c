package train

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/head"
)

// indexBatch is how many passages are encoded per Encode call.
const indexBatch = 64

// TopContrib is how many per-dimension contributions a Hit carries.
const TopContrib = 8

// Index is a dense index: one cached vector per passage (W_p p + b_p for ARS, p for
// dot, p/‖p‖ for cos) in one flat float32 array. It implements engine.Retriever and
// engine.Reranker and is safe for concurrent searches.
type Index struct {
	name     string
	m        *model
	ids      []string
	k        int       // cached vector size (head.ProjDim)
	vecs     []float32 // len(ids) × k
	workers  int
	scorePar int // passages per goroutine below which search stays serial
}

func (m *Model) index(ctx context.Context, passages []datasets.Passage, progress engine.Progress) (*Index, error) {
	return buildIndex(ctx, m.m, m.Name(), passages, progress)
}

func buildIndex(ctx context.Context, m *model, name string, passages []datasets.Passage, progress engine.Progress) (*Index, error) {
	k := m.head.ProjDim()
	ix := &Index{name: name, m: m, k: k, ids: make([]string, len(passages)), vecs: make([]float32, len(passages)*k),
		workers: runtime.GOMAXPROCS(0), scorePar: 4096}
	d := m.head.D
	for start := 0; start < len(passages); start += indexBatch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		end := min(start+indexBatch, len(passages))
		ids := make([][]int, 0, end-start)
		for i := start; i < end; i++ {
			ix.ids[i] = passages[i].ID
			ids = append(ids, m.passageIDs(passages[i].Title, passages[i].Text))
		}
		out, err := m.encP.Encode(ids)
		if err != nil {
			return nil, fmt.Errorf("index: encoding passages %d–%d: %w", start, end-1, err)
		}
		if len(out) != (end-start)*d {
			return nil, fmt.Errorf("index: encoder returned %d values for %d passages", len(out), end-start)
		}
		if err := m.head.ProjectPassages(out, ix.vecs[start*k:end*k]); err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
		if progress != nil {
			progress(end, len(passages))
		}
	}
	return ix, nil
}

// Name is the model's name.
func (ix *Index) Name() string { return ix.name }

// Len is the number of indexed passages.
func (ix *Index) Len() int { return len(ix.ids) }

// projectQuery encodes and projects one query; nil when encoding fails.
func (ix *Index) projectQuery(query string) []float32 {
	out, err := ix.m.encQ.Encode([][]int{ix.m.queryIDs(query)})
	if err != nil {
		return nil
	}
	qp := make([]float32, ix.k)
	if err := ix.m.head.ProjectQueries(out, qp); err != nil {
		return nil
	}
	return qp
}

// scored is one candidate during top-k selection.
type scored struct {
	idx   int
	score float32
}

// topK keeps the k best (score desc, index asc) in a min-heap.
type topK struct {
	k int
	h []scored
}

func worse(a, b scored) bool { return a.score < b.score || (a.score == b.score && a.idx > b.idx) }

func (t *topK) push(s scored) {
	if len(t.h) < t.k {
		t.h = append(t.h, s)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !worse(t.h[i], t.h[p]) {
				break
			}
			t.h[i], t.h[p] = t.h[p], t.h[i]
			i = p
		}
		return
	}
	if !worse(t.h[0], s) {
		return
	}
	t.h[0] = s
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(t.h) && worse(t.h[l], t.h[m]) {
			m = l
		}
		if r < len(t.h) && worse(t.h[r], t.h[m]) {
			m = r
		}
		if m == i {
			break
		}
		t.h[i], t.h[m] = t.h[m], t.h[i]
		i = m
	}
}

// Search scores every passage against the query and returns the k best.
func (ix *Index) Search(query string, k int) []engine.Hit {
	n := len(ix.ids)
	if k <= 0 || n == 0 {
		return nil
	}
	qp := ix.projectQuery(query)
	if qp == nil {
		return nil
	}
	return ix.searchProjected(qp, k)
}

// searchProjected ranks the corpus for an already projected query.
func (ix *Index) searchProjected(qp []float32, k int) []engine.Hit {
	n := len(ix.ids)
	k = min(k, n)
	workers := min(ix.workers, max(1, n/ix.scorePar))
	heaps := make([]topK, workers)
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min(n, (w+1)*chunk)
		heaps[w] = topK{k: k, h: make([]scored, 0, k)}
		wg.Add(1)
		go func(t *topK) {
			defer wg.Done()
			ix.scoreRange(qp, lo, hi, t)
		}(&heaps[w])
	}
	wg.Wait()
	all := topK{k: k, h: make([]scored, 0, k)}
	for _, t := range heaps {
		for _, s := range t.h {
			all.push(s)
		}
	}
	sort.Slice(all.h, func(i, j int) bool { return worse(all.h[j], all.h[i]) })
	return ix.hits(qp, all.h)
}

// scoreRange scores passages lo..hi-1 into t with no allocation.
func (ix *Index) scoreRange(qp []float32, lo, hi int, t *topK) {
	hd, k := ix.m.head, ix.k
	if hd.Kind == head.ARS {
		v, c := hd.V[:k], hd.C[0]
		qp = qp[:k]
		for i := lo; i < hi; i++ {
			pp := ix.vecs[i*k : i*k+k]
			t.push(scored{i, c + arsDot(qp, pp, v)})
		}
		return
	}
	for i := lo; i < hi; i++ {
		pp := ix.vecs[i*k : i*k+k]
		var s float32
		for j, a := range qp {
			s += a * pp[j]
		}
		t.push(scored{i, s})
	}
}

// Rerank scores the given candidates (indices outside the corpus are skipped).
func (ix *Index) Rerank(query string, candidates []int) []engine.Hit {
	qp := ix.projectQuery(query)
	if qp == nil {
		return nil
	}
	ss := make([]scored, 0, len(candidates))
	for _, c := range candidates {
		if c < 0 || c >= len(ix.ids) {
			continue
		}
		ss = append(ss, scored{c, ix.m.head.ScoreProjected(qp, ix.vecs[c*ix.k:(c+1)*ix.k])})
	}
	sort.SliceStable(ss, func(i, j int) bool { return worse(ss[j], ss[i]) })
	return ix.hits(qp, ss)
}

func (ix *Index) hits(qp []float32, ss []scored) []engine.Hit {
	hd := ix.m.head
	out := make([]engine.Hit, len(ss))
	contrib := make([]float64, ix.k)
	for i, s := range ss {
		h := engine.Hit{ID: ix.ids[s.idx], Index: s.idx, Score: float64(s.score), Prob: hd.Prob(float64(s.score))}
		if hd.Kind == head.ARS {
			if _, err := hd.Contributions(qp, ix.vecs[s.idx*ix.k:(s.idx+1)*ix.k], contrib); err == nil {
				h.Contrib = topContrib(contrib, TopContrib)
			}
		}
		out[i] = h
	}
	return out
}

// topContrib returns the n largest contributions by |value| (ties by dimension).
func topContrib(c []float64, n int) []engine.Contribution {
	out := make([]engine.Contribution, len(c))
	for i, v := range c {
		out[i] = engine.Contribution{Dim: i, Value: v}
	}
	sort.SliceStable(out, func(i, j int) bool { return math.Abs(out[i].Value) > math.Abs(out[j].Value) })
	return out[:min(n, len(out))]
}

// Explain returns every dimension's contribution to the score of passage for query
// (ARS: v_i·tanh(q̂_i p̂_i), with the bias c only in score; dot: q_i·p_i; cos: the
// same on unit vectors) and the score. It returns (nil, NaN) for a bad passage index.
func (ix *Index) Explain(query string, passage int) (contrib []float64, score float64) {
	if passage < 0 || passage >= len(ix.ids) {
		return nil, math.NaN()
	}
	qp := ix.projectQuery(query)
	if qp == nil {
		return nil, math.NaN()
	}
	contrib = make([]float64, ix.k)
	score, err := ix.m.head.Contributions(qp, ix.vecs[passage*ix.k:(passage+1)*ix.k], contrib)
	if err != nil {
		return nil, math.NaN()
	}
	return contrib, score
}

// arsDot is Σ_j v_j·tanh(q_j·p_j) with head.FastTanh's rational approximation inlined
// (branch-free clamp, four independent accumulators).
func arsDot(q, p, v []float32) float32 {
	const (
		clamp = 7.90531110763549805
		a13   = -2.76076847742355e-16
		a11   = 2.00018790482477e-13
		a9    = -8.60467152213735e-11
		a7    = 5.12229709037114e-08
		a5    = 1.48572235717979e-05
		a3    = 6.37261928875436e-04
		a1    = 4.89352455891786e-03
		b6    = 1.19825839466702e-06
		b4    = 1.18534705686654e-04
		b2    = 2.26843463243900e-03
		b0    = 4.89352518554385e-03
	)
	th := func(x float32) float32 {
		x = min(max(x, -clamp), clamp)
		x2 := x * x
		num := ((((((a13*x2+a11)*x2+a9)*x2+a7)*x2+a5)*x2+a3)*x2 + a1) * x
		den := ((b6*x2+b4)*x2+b2)*x2 + b0
		return num / den
	}
	var s0, s1, s2, s3 float32
	n := len(q)
	p, v = p[:n], v[:n]
	j := 0
	for ; j+4 <= n; j += 4 {
		s0 += v[j] * th(q[j]*p[j])
		s1 += v[j+1] * th(q[j+1]*p[j+1])
		s2 += v[j+2] * th(q[j+2]*p[j+2])
		s3 += v[j+3] * th(q[j+3]*p[j+3])
	}
	for ; j < n; j++ {
		s0 += v[j] * th(q[j]*p[j])
	}
	return (s0 + s1) + (s2 + s3)
}
