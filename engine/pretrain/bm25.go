package pretrain

import (
	"math"
	"math/rand"
	"sort"
	"strings"

	"github.com/arslab/arslab/engine/sparse"
)

// The bm25 objective's teacher: pseudo-queries sampled from a passage and BM25's top-k
// over the whole pre-training corpus with their scores.

// Pseudo-query sizes.
const (
	spanMin, spanMax       = 4, 12 // words in a random span
	salientMin, salientMax = 2, 5  // words drawn from a passage's most salient ones
	salientPool            = 10    // how many of the highest-idf words are drawn from
)

// idfTable is ln(1 + (N − df + 0.5)/(df + 0.5)) of every word of the corpus
// (whitespace words of the normalised text, as pseudo-queries are made of).
type idfTable map[string]float64

func newIDF(texts []string) idfTable {
	df := map[string]int{}
	for _, t := range texts {
		seen := map[string]bool{}
		for _, w := range strings.Fields(t) {
			if !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	n := float64(len(texts))
	idf := make(idfTable, len(df))
	for w, d := range df {
		idf[w] = math.Log(1 + (n-float64(d)+0.5)/(float64(d)+0.5))
	}
	return idf
}

// SpanQuery is a random span of 4–12 of the passage's words (all of them when shorter).
func SpanQuery(text string, rng *rand.Rand) string {
	w := strings.Fields(text)
	if len(w) == 0 {
		return ""
	}
	l := min(spanMin+rng.Intn(spanMax-spanMin+1), len(w))
	s := rng.Intn(len(w) - l + 1)
	return strings.Join(w[s:s+l], " ")
}

// salientQuery draws 2–5 distinct words among the passage's salientPool highest-idf words
// (ties by first occurrence), in passage order.
func salientQuery(text string, idf idfTable, rng *rand.Rand) string {
	var words []string
	first := map[string]int{}
	for _, w := range strings.Fields(text) {
		if _, ok := first[w]; !ok {
			first[w] = len(words)
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return ""
	}
	ranked := append([]string(nil), words...)
	sort.SliceStable(ranked, func(i, j int) bool { return idf[ranked[i]] > idf[ranked[j]] })
	pool := ranked[:min(salientPool, len(ranked))]
	n := min(salientMin+rng.Intn(salientMax-salientMin+1), len(pool))
	idx := rng.Perm(len(pool))[:n]
	picked := make([]string, n)
	for i, k := range idx {
		picked[i] = pool[k]
	}
	sort.Slice(picked, func(i, j int) bool { return first[picked[i]] < first[picked[j]] })
	return strings.Join(picked, " ")
}

// teacherList is BM25's top-k for one pseudo-query: passage indices and scores, best first.
type teacherList struct {
	query  string
	idx    []int
	scores []float64
}

// teach returns BM25's top k for query (nil when fewer than two passages match).
func teach(bm *sparse.BM25, query string, k int) *teacherList {
	hits := bm.Search(query, k)
	if len(hits) < 2 {
		return nil
	}
	tl := &teacherList{query: query}
	for _, h := range hits {
		tl.idx = append(tl.idx, h.Index)
		tl.scores = append(tl.scores, h.Score)
	}
	return tl
}
