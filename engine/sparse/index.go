// Package sparse holds the lexical baselines: an inverted index with BM25 and TF-IDF scoring.
package sparse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/text"
	"github.com/arslab/arslab/engine/topk"
)

// ErrEmptyCorpus is returned when an index is built over no passages.
var ErrEmptyCorpus = errors.New("sparse: empty corpus")

// posting is one (document, term frequency) pair.
type posting struct {
	doc int32
	tf  int32
}

// index is an immutable inverted index in CSR form: the postings of term t are
// posts[offs[t]:offs[t+1]], sorted by document index.
type index struct {
	an     text.Analyzer
	vocab  map[string]int32
	offs   []int
	posts  []posting
	docLen []int32
	ids    []string
	avgdl  float64
	pool   sync.Pool // *scratch
}

// Stats describes an index.
type Stats struct {
	Docs     int     // passages indexed
	Terms    int     // distinct terms
	Postings int     // (term, passage) pairs
	AvgLen   float64 // mean passage length in terms
}

// progressEvery is the least time between two progress reports.
const progressEvery = 250 * time.Millisecond

// buildIndex analyses title + " " + text of every passage and inverts it.
func buildIndex(ctx context.Context, passages []datasets.Passage, an text.Analyzer, progress engine.Progress) (*index, error) {
	n := len(passages)
	if n == 0 {
		return nil, ErrEmptyCorpus
	}
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("sparse: %d passages exceed the index limit", n)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sparse: build index: %w", err)
	}
	ix := &index{
		an:     an,
		vocab:  make(map[string]int32, 1024),
		docLen: make([]int32, n),
		ids:    make([]string, n),
	}
	var (
		lists    [][]posting // per-term postings while building
		count    []int32     // tf of each term in the current passage
		distinct []int32     // terms seen in the current passage
		toks     []string
		sb       strings.Builder
		total    int
		last     = time.Now()
	)
	for d, p := range passages {
		if d&255 == 0 && d > 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("sparse: build index at passage %d: %w", d, err)
			}
			if progress != nil && time.Since(last) >= progressEvery {
				progress(d, n)
				last = time.Now()
			}
		}
		ix.ids[d] = p.ID
		s := p.Text
		if p.Title != "" {
			sb.Reset()
			sb.WriteString(p.Title)
			sb.WriteByte(' ')
			sb.WriteString(p.Text)
			s = sb.String()
		}
		toks = an.AppendAnalyze(toks[:0], s)
		ix.docLen[d] = int32(len(toks))
		total += len(toks)
		for _, tok := range toks {
			id, ok := ix.vocab[tok]
			if !ok {
				id = int32(len(lists))
				ix.vocab[strings.Clone(tok)] = id // tok shares memory with the whole normalised passage
				lists = append(lists, nil)
				count = append(count, 0)
			}
			if count[id] == 0 {
				distinct = append(distinct, id)
			}
			count[id]++
		}
		for _, id := range distinct {
			lists[id] = append(lists[id], posting{doc: int32(d), tf: count[id]})
			count[id] = 0
		}
		distinct = distinct[:0]
	}
	ix.avgdl = float64(total) / float64(n)

	// Flatten to CSR, releasing the per-term slices as we go.
	np := 0
	for _, l := range lists {
		np += len(l)
	}
	ix.offs = make([]int, len(lists)+1)
	ix.posts = make([]posting, 0, np)
	for t, l := range lists {
		ix.offs[t] = len(ix.posts)
		ix.posts = append(ix.posts, l...)
		lists[t] = nil
	}
	ix.offs[len(lists)] = len(ix.posts)
	if progress != nil {
		progress(n, n)
	}
	return ix, nil
}

func (ix *index) stats() Stats {
	return Stats{Docs: len(ix.docLen), Terms: len(ix.vocab), Postings: len(ix.posts), AvgLen: ix.avgdl}
}

func (ix *index) postings(t int32) []posting { return ix.posts[ix.offs[t]:ix.offs[t+1]] }

func (ix *index) df(t int32) int { return ix.offs[t+1] - ix.offs[t] }

// tf returns the frequency of term t in document d (binary search in the postings).
func (ix *index) tf(t int32, d int32) int32 {
	ps := ix.postings(t)
	lo, hi := 0, len(ps)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ps[m].doc < d {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ps) && ps[lo].doc == d {
		return ps[lo].tf
	}
	return 0
}

// qterm is a distinct known query term and how often the query repeats it.
type qterm struct {
	id  int32
	qtf int32
}

// cand is a scored document (the engine's shared top-k heap holds them).
type cand = topk.Cand[float64]

// scratch holds the per-query buffers; pooled so Search is safe for concurrent use.
type scratch struct {
	acc     []float64 // score per document, zero outside touched
	touched []int32
	toks    []string
	q       []qterm
	qw      []float64 // query weights (TF-IDF)
	heap    []cand
}

func (ix *index) getScratch() *scratch {
	if s, ok := ix.pool.Get().(*scratch); ok {
		return s
	}
	return &scratch{acc: make([]float64, len(ix.docLen))}
}

// putScratch clears the accumulator and returns s to the pool.
func (ix *index) putScratch(s *scratch) {
	for _, d := range s.touched {
		s.acc[d] = 0
	}
	s.touched = s.touched[:0]
	clear(s.toks) // drop references to the query text
	s.toks = s.toks[:0]
	s.q = s.q[:0]
	s.heap = s.heap[:0]
	ix.pool.Put(s)
}

// queryTerms analyses query into distinct known terms with their counts, in first-seen order.
func (ix *index) queryTerms(s *scratch, query string) []qterm {
	s.toks = ix.an.AppendAnalyze(s.toks[:0], query)
	q := s.q[:0]
next:
	for _, tok := range s.toks {
		id, ok := ix.vocab[tok]
		if !ok {
			continue
		}
		for i := range q {
			if q[i].id == id {
				q[i].qtf++
				continue next
			}
		}
		q = append(q, qterm{id: id, qtf: 1})
	}
	s.q = q
	return q
}

// topK turns the accumulated scores into the best k hits (k ≤ 0: none), skipping excluded documents.
func (ix *index) topK(s *scratch, k int, exclude map[int]bool) []cand {
	if k <= 0 {
		return nil
	}
	h := s.heap[:0]
	for _, d := range s.touched {
		if exclude != nil && exclude[int(d)] {
			continue
		}
		h = topk.Push(h, k, cand{Doc: d, Score: s.acc[d]})
	}
	s.heap = h
	return topk.Sort(h)
}

func (ix *index) toHits(cs []cand) []engine.Hit {
	if len(cs) == 0 {
		return nil
	}
	out := make([]engine.Hit, len(cs))
	for i, c := range cs {
		out[i] = engine.Hit{ID: ix.ids[c.Doc], Index: int(c.Doc), Score: c.Score, Prob: math.NaN()}
	}
	return out
}

// rerank scores each valid candidate with score(d) and returns them best first.
// Indices outside the corpus are skipped.
func (ix *index) rerank(candidates []int, score func(d int32) float64) []engine.Hit {
	cs := make([]cand, 0, len(candidates))
	for _, c := range candidates {
		if c < 0 || c >= len(ix.docLen) {
			continue
		}
		cs = append(cs, cand{Doc: int32(c), Score: score(int32(c))})
	}
	topk.Sort(cs)
	return ix.toHits(cs)
}
