package fusion

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Scored is one passage of a ranked list and the score its retriever gave it.
type Scored struct {
	ID    string  `json:"id"`
	Score float64 `json:"score"`
}

// IDs returns the ids of list in order (the ranking the metrics take).
func IDs(list []Scored) []string {
	ids := make([]string, len(list))
	for i, s := range list {
		ids[i] = s.ID
	}
	return ids
}

// Fuse combines one query's ranked lists, lists[i] coming from spec.Members[i], best first.
//
//   - A passage repeated in a list counts at its first occurrence only.
//   - RRF uses positions only: rank 1 is the first entry; score = Σ_i w_i / (k + rank_i).
//   - CombSUM / WSum: score = Σ_i w_i · norm_i(score), each list normalised on its own
//     (per query, per list: see Norm); CombMNZ multiplies that by the number of lists that
//     retrieved the passage. Entries with NaN or infinite scores are dropped first.
//   - A passage absent from a list gets nothing from it (0, which with zscore is the list mean).
//   - The result holds every passage of any list, by fused score descending, ties broken by
//     id ascending, so it is deterministic. Fuse deeper lists than the depth you will keep.
//
// The only errors are an invalid spec and len(lists) ≠ len(spec.Members).
func Fuse(spec Spec, lists [][]Scored) ([]Scored, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if len(lists) != len(spec.Members) {
		return nil, fmt.Errorf("%w: %d lists for %d members", ErrSpec, len(lists), len(spec.Members))
	}
	type acc struct {
		score float64
		hits  int
	}
	index := map[string]int{}
	var ids []string
	var accs []acc
	var norm []float64
	for li, list := range lists {
		w := 1.0
		if spec.Weights != nil {
			w = spec.Weights[li]
		}
		list = clean(list, spec.Method != RRF)
		if spec.Method != RRF {
			norm = normalise(norm[:0], list, spec.Norm)
		}
		for r, s := range list {
			i, ok := index[s.ID]
			if !ok {
				i = len(ids)
				index[s.ID] = i
				ids = append(ids, s.ID)
				accs = append(accs, acc{})
			}
			if spec.Method == RRF {
				accs[i].score += w / (spec.K + float64(r+1))
			} else {
				accs[i].score += w * norm[r]
			}
			accs[i].hits++
		}
	}
	out := make([]Scored, len(ids))
	for i, id := range ids {
		s := accs[i].score
		if spec.Method == CombMNZ {
			s *= float64(accs[i].hits)
		}
		out[i] = Scored{ID: id, Score: s}
	}
	slices.SortFunc(out, func(a, b Scored) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// clean drops repeated ids (and, when finite, non-finite scores), copying only when needed.
func clean(list []Scored, finite bool) []Scored {
	seen := make(map[string]struct{}, len(list))
	var out []Scored
	for i, s := range list {
		_, dup := seen[s.ID]
		bad := finite && (math.IsNaN(s.Score) || math.IsInf(s.Score, 0))
		if (dup || bad) && out == nil {
			out = slices.Clone(list[:i])
		}
		if !dup && !bad {
			seen[s.ID] = struct{}{}
			if out != nil {
				out = append(out, s)
			}
		}
	}
	if out == nil {
		return list
	}
	return out
}

// normalise appends the normalised scores of list to dst.
func normalise(dst []float64, list []Scored, n Norm) []float64 {
	if len(list) == 0 {
		return dst
	}
	switch n {
	case NormMinMax:
		lo, hi := list[0].Score, list[0].Score
		for _, s := range list {
			lo, hi = min(lo, s.Score), max(hi, s.Score)
		}
		for _, s := range list {
			v := 1.0
			if hi > lo {
				v = (s.Score - lo) / (hi - lo)
			}
			dst = append(dst, v)
		}
	case NormZScore:
		mean := 0.0
		for _, s := range list {
			mean += s.Score
		}
		mean /= float64(len(list))
		ss := 0.0
		for _, s := range list {
			ss += (s.Score - mean) * (s.Score - mean)
		}
		sd := math.Sqrt(ss / float64(len(list)))
		for _, s := range list {
			v := 0.0
			if sd > 0 {
				v = (s.Score - mean) / sd
			}
			dst = append(dst, v)
		}
	default: // NormNone
		for _, s := range list {
			dst = append(dst, s.Score)
		}
	}
	return dst
}

// FuseRuns fuses whole runs (query id → ranked list), runs[i] coming from spec.Members[i]:
// every query of any run is fused, a run lacking the query contributing an empty list.
func FuseRuns(spec Spec, runs []map[string][]Scored) (map[string][]Scored, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if len(runs) != len(spec.Members) {
		return nil, fmt.Errorf("%w: %d runs for %d members", ErrSpec, len(runs), len(spec.Members))
	}
	out := map[string][]Scored{}
	lists := make([][]Scored, len(runs))
	for _, run := range runs {
		for qid := range run {
			if _, done := out[qid]; done {
				continue
			}
			for i, r := range runs {
				lists[i] = r[qid]
			}
			fused, err := Fuse(spec, lists)
			if err != nil {
				return nil, err
			}
			out[qid] = fused
		}
	}
	return out, nil
}
