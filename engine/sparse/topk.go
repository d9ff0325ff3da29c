package sparse

import "slices"

// cand is a scored document.
type cand struct {
	doc   int32
	score float64
}

// better orders candidates: higher score first, then lower document index (deterministic ties).
func better(a, b cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

// pushTopK keeps h a min-heap (worst at h[0]) of at most k candidates.
func pushTopK(h []cand, k int, c cand) []cand {
	if len(h) < k {
		h = append(h, c)
		// sift up
		i := len(h) - 1
		for i > 0 {
			p := (i - 1) / 2
			if !better(h[p], h[i]) { // parent is worse or equal: heap order holds
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
		return h
	}
	if !better(c, h[0]) {
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
		if r := l + 1; r < n && better(h[l], h[r]) {
			w = r
		}
		if !better(h[i], h[w]) {
			break
		}
		h[i], h[w] = h[w], h[i]
		i = w
	}
	return h
}

// sortCands sorts the heap best first, in place.
func sortCands(h []cand) []cand {
	sortByRank(h)
	return h
}

func sortByRank(cs []cand) {
	slices.SortFunc(cs, func(a, b cand) int {
		switch {
		case better(a, b):
			return -1
		case better(b, a):
			return 1
		}
		return 0
	})
}
