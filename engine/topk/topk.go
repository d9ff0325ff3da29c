// Package topk is the one bounded top-k heap of the engine: sparse and dense search
// keep their best k candidates with it, ranked by score (descending) then by document
// index (ascending), so ties are deterministic.
package topk

import "slices"

// Cand is a scored document.
type Cand[S float32 | float64] struct {
	Doc   int32
	Score S
}

// Better orders candidates: higher score first, then lower document index.
func Better[S float32 | float64](a, b Cand[S]) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.Doc < b.Doc
}

// Push keeps h a min-heap (worst at h[0]) of at most k candidates and returns it.
func Push[S float32 | float64](h []Cand[S], k int, c Cand[S]) []Cand[S] {
	if len(h) < k {
		h = append(h, c)
		// sift up
		i := len(h) - 1
		for i > 0 {
			p := (i - 1) / 2
			if !Better(h[p], h[i]) { // parent is worse or equal: heap order holds
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
		return h
	}
	if k <= 0 || !Better(c, h[0]) {
		return h
	}
	h[0] = c
	// sift down
	i, n := 0, len(h)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		w := l // the worse child
		if r := l + 1; r < n && Better(h[l], h[r]) {
			w = r
		}
		if !Better(h[i], h[w]) {
			break
		}
		h[i], h[w] = h[w], h[i]
		i = w
	}
	return h
}

// Sort sorts cs best first, in place, and returns it (a heap from Push becomes a ranking).
func Sort[S float32 | float64](cs []Cand[S]) []Cand[S] {
	slices.SortFunc(cs, func(a, b Cand[S]) int {
		switch {
		case Better(a, b):
			return -1
		case Better(b, a):
			return 1
		}
		return 0
	})
	return cs
}
