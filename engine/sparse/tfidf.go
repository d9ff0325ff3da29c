package sparse

import (
	"context"
	"fmt"
	"math"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/text"
)

// TFIDF ranks passages by the cosine of tf-idf vectors:
//
//	w(t,d) = (1 + ln tf) · idf(t),  idf(t) = ln((1 + N)/(1 + df)) + 1
//
// (sublinear tf; the smoothed idf of scikit-learn's TfidfVectorizer, which stays positive
// for terms in every passage so tiny corpora still rank). Query and passage vectors are
// L2-normalised, so scores lie in [0, 1]; a query term repeated counts through 1 + ln qtf.
// It is safe for concurrent use.
type TFIDF struct {
	ix      *index
	idf     []float64 // per term
	invNorm []float64 // per passage: 1/‖w(·,d)‖ (0 for passages without terms)
}

var (
	_ engine.Retriever = (*TFIDF)(nil)
	_ engine.Reranker  = (*TFIDF)(nil)
)

// NewTFIDF indexes title + " " + text of each passage with the default analyzer.
func NewTFIDF(ctx context.Context, passages []datasets.Passage, progress engine.Progress) (*TFIDF, error) {
	return NewTFIDFWith(ctx, passages, text.NewAnalyzer(), progress)
}

// NewTFIDFWith is NewTFIDF with a chosen analyzer.
func NewTFIDFWith(ctx context.Context, passages []datasets.Passage, an text.Analyzer, progress engine.Progress) (*TFIDF, error) {
	ix, err := buildIndex(ctx, passages, an, progress)
	if err != nil {
		return nil, fmt.Errorf("tf-idf: %w", err)
	}
	n := float64(len(ix.docLen))
	m := &TFIDF{ix: ix, idf: make([]float64, len(ix.vocab)), invNorm: make([]float64, len(ix.docLen))}
	sq := make([]float64, len(ix.docLen))
	for t := range m.idf {
		id := int32(t)
		idf := math.Log((1+n)/(1+float64(ix.df(id)))) + 1
		m.idf[t] = idf
		for _, p := range ix.postings(id) {
			w := sublinear(p.tf) * idf
			sq[p.doc] += w * w
		}
	}
	for d, s := range sq {
		if s > 0 {
			m.invNorm[d] = 1 / math.Sqrt(s)
		}
	}
	return m, nil
}

// sublinear is 1 + ln tf, from a table for small tf.
func sublinear(tf int32) float64 {
	if int(tf) < len(sublinearTable) {
		return sublinearTable[tf]
	}
	return 1 + math.Log(float64(tf))
}

// sublinearTable[tf] = 1 + ln tf for tf < 64 (entry 0 unused). Read-only after init.
var sublinearTable = func() [64]float64 {
	var t [64]float64
	for i := 1; i < len(t); i++ {
		t[i] = 1 + math.Log(float64(i))
	}
	return t
}()

// Name implements engine.Retriever.
func (m *TFIDF) Name() string { return "TF-IDF" }

// Stats describes the index.
func (m *TFIDF) Stats() Stats { return m.ix.stats() }

// Analyzer returns the analyzer the index was built with.
func (m *TFIDF) Analyzer() text.Analyzer { return m.ix.an }

// queryWeights returns the L2-normalised query weight of each term of q (in s.q order), in buf.
func (m *TFIDF) queryWeights(q []qterm, buf []float64) []float64 {
	buf = buf[:0]
	ss := 0.0
	for _, t := range q {
		w := sublinear(t.qtf) * m.idf[t.id]
		buf = append(buf, w)
		ss += w * w
	}
	if ss > 0 {
		inv := 1 / math.Sqrt(ss)
		for i := range buf {
			buf[i] *= inv
		}
	}
	return buf
}

func (m *TFIDF) accumulate(s *scratch, query string) {
	q := m.ix.queryTerms(s, query)
	s.qw = m.queryWeights(q, s.qw)
	for i, t := range q {
		w := s.qw[i] * m.idf[t.id]
		for _, p := range m.ix.postings(t.id) {
			if s.acc[p.doc] == 0 {
				s.touched = append(s.touched, p.doc)
			}
			s.acc[p.doc] += w * sublinear(p.tf) * m.invNorm[p.doc]
		}
	}
}

// Search implements engine.Retriever: the k passages of highest cosine, best first, ties by
// passage index. Hit.Prob is NaN.
func (m *TFIDF) Search(query string, k int) []engine.Hit {
	if k <= 0 {
		return nil
	}
	s := m.ix.getScratch()
	defer m.ix.putScratch(s)
	m.accumulate(s, query)
	return m.ix.toHits(m.ix.topK(s, k, nil))
}

// Rerank implements engine.Reranker (see BM25.Rerank).
func (m *TFIDF) Rerank(query string, candidates []int) []engine.Hit {
	s := m.ix.getScratch()
	defer m.ix.putScratch(s)
	q := m.ix.queryTerms(s, query)
	s.qw = m.queryWeights(q, s.qw)
	return m.ix.rerank(candidates, func(d int32) float64 {
		score := 0.0
		for i, t := range q {
			if tf := m.ix.tf(t.id, d); tf > 0 {
				score += s.qw[i] * m.idf[t.id] * sublinear(tf) * m.invNorm[d]
			}
		}
		return score
	})
}
