package sparse

import (
	"context"
	"fmt"
	"math"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/text"
)

// BM25Params are the Okapi BM25 constants.
type BM25Params struct {
	K1 float64 // term-frequency saturation (≥ 0)
	B  float64 // length normalisation in [0, 1]
}

// DefaultBM25 returns k1 = 0.9, b = 0.4, Anserini's defaults for passage retrieval
// (MS MARCO, BEIR, Mr. TyDi); 1.2 / 0.75 is the classic Robertson setting.
func DefaultBM25() BM25Params { return BM25Params{K1: 0.9, B: 0.4} }

// Validate reports parameters BM25 cannot use.
func (p BM25Params) Validate() error {
	if math.IsNaN(p.K1) || math.IsInf(p.K1, 0) || p.K1 < 0 {
		return fmt.Errorf("sparse: bm25 k1 = %v, want a finite value ≥ 0", p.K1)
	}
	if math.IsNaN(p.B) || p.B < 0 || p.B > 1 {
		return fmt.Errorf("sparse: bm25 b = %v, want a value in [0, 1]", p.B)
	}
	return nil
}

// BM25 ranks passages by Okapi BM25 with Lucene's idf:
//
//	idf(t)    = ln(1 + (N − df + 0.5)/(df + 0.5))
//	score(q,d) = Σ_{t∈q} qtf · idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))
//
// where qtf counts repeats of t in the query, dl is the passage length in analysed terms and
// avgdl the mean length. Only passages sharing a term with the query are returned by Search.
// It is safe for concurrent use.
type BM25 struct {
	ix   *index
	p    BM25Params
	idf  []float64 // per term
	norm []float64 // per passage: k1·(1 − b + b·dl/avgdl)
}

var (
	_ engine.Retriever = (*BM25)(nil)
	_ engine.Reranker  = (*BM25)(nil)
)

// NewBM25 indexes title + " " + text of each passage with the default analyzer (text.NewAnalyzer).
func NewBM25(ctx context.Context, passages []datasets.Passage, p BM25Params, progress engine.Progress) (*BM25, error) {
	return NewBM25With(ctx, passages, p, text.NewAnalyzer(), progress)
}

// NewBM25With is NewBM25 with a chosen analyzer.
func NewBM25With(ctx context.Context, passages []datasets.Passage, p BM25Params, an text.Analyzer, progress engine.Progress) (*BM25, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ix, err := buildIndex(ctx, passages, an, progress)
	if err != nil {
		return nil, fmt.Errorf("bm25: %w", err)
	}
	n := float64(len(ix.docLen))
	m := &BM25{ix: ix, p: p, idf: make([]float64, len(ix.vocab)), norm: make([]float64, len(ix.docLen))}
	for t := range m.idf {
		df := float64(ix.df(int32(t)))
		m.idf[t] = math.Log(1 + (n-df+0.5)/(df+0.5))
	}
	for d, dl := range ix.docLen {
		lenNorm := 1.0
		if ix.avgdl > 0 {
			lenNorm = 1 - p.B + p.B*float64(dl)/ix.avgdl
		}
		m.norm[d] = p.K1 * lenNorm
	}
	return m, nil
}

// Name implements engine.Retriever.
func (m *BM25) Name() string { return "BM25" }

// Params returns the constants the index scores with.
func (m *BM25) Params() BM25Params { return m.p }

// Stats describes the index.
func (m *BM25) Stats() Stats { return m.ix.stats() }

// Analyzer returns the analyzer the index was built with.
func (m *BM25) Analyzer() text.Analyzer { return m.ix.an }

// accumulate adds every query term's contribution into s.acc (term at a time).
func (m *BM25) accumulate(s *scratch, query string) {
	k1p1 := m.p.K1 + 1
	for _, q := range m.ix.queryTerms(s, query) {
		w := float64(q.qtf) * m.idf[q.id]
		for _, p := range m.ix.postings(q.id) {
			tf := float64(p.tf)
			if s.acc[p.doc] == 0 {
				s.touched = append(s.touched, p.doc)
			}
			s.acc[p.doc] += w * tf * k1p1 / (tf + m.norm[p.doc])
		}
	}
}

// Search implements engine.Retriever: the k best passages, best first, ties by passage index.
// Hit.Prob is NaN.
func (m *BM25) Search(query string, k int) []engine.Hit {
	if k <= 0 {
		return nil
	}
	s := m.ix.getScratch()
	defer m.ix.putScratch(s)
	m.accumulate(s, query)
	return m.ix.toHits(m.ix.topK(s, k, nil))
}

// MineHardNegatives returns the indices of the k best BM25 passages for query that are not in
// exclude (typically the query's positives), best first.
func (m *BM25) MineHardNegatives(query string, exclude map[int]bool, k int) []int {
	if k <= 0 {
		return nil
	}
	s := m.ix.getScratch()
	defer m.ix.putScratch(s)
	m.accumulate(s, query)
	cs := m.ix.topK(s, k, exclude)
	out := make([]int, len(cs))
	for i, c := range cs {
		out[i] = int(c.Doc)
	}
	return out
}

// Rerank implements engine.Reranker: every valid candidate (indices outside the corpus are
// skipped) scored and sorted best first; candidates sharing no term score 0.
func (m *BM25) Rerank(query string, candidates []int) []engine.Hit {
	s := m.ix.getScratch()
	defer m.ix.putScratch(s)
	q := m.ix.queryTerms(s, query)
	k1p1 := m.p.K1 + 1
	return m.ix.rerank(candidates, func(d int32) float64 {
		score := 0.0
		for _, t := range q {
			if tf := float64(m.ix.tf(t.id, d)); tf > 0 {
				score += float64(t.qtf) * m.idf[t.id] * tf * k1p1 / (tf + m.norm[d])
			}
		}
		return score
	})
}
