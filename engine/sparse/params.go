package sparse

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// String describes p in the syntax ParseBM25Params reads, e.g. "k1=0.9,b=0.4". Numbers are
// written in the shortest form that parses back to the same float64, so the string identifies
// the constants exactly (for eval JSON and bench rows).
func (p BM25Params) String() string {
	return "k1=" + formatParam(p.K1) + ",b=" + formatParam(p.B)
}

func formatParam(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// ParseBM25Params reads BM25 constants written as comma-separated key=value pairs,
// e.g. "k1=1.5,b=0.75" (the --bm25 flag). Keys are k1 and b; each is optional and takes its
// DefaultBM25 value when absent, so "b=0.75" keeps k1 = 0.9. The empty string and "default"
// give DefaultBM25. Spaces around pairs, keys and values are ignored. A key given twice, an
// unknown key, a value that is not a finite number, k1 < 0 or b outside [0, 1] is an error
// naming the pair.
func ParseBM25Params(s string) (BM25Params, error) {
	p := DefaultBM25()
	s = strings.TrimSpace(s)
	if s == "" || s == "default" {
		return p, nil
	}
	var seenK1, seenB bool
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		key, val, ok := strings.Cut(item, "=")
		if !ok {
			return BM25Params{}, fmt.Errorf("sparse: bm25 %q: %q is not key=value (want e.g. k1=1.5,b=0.75)", s, item)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		x, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return BM25Params{}, fmt.Errorf("sparse: bm25 %q: %s = %q is not a finite number", s, key, val)
		}
		switch key {
		case "k1":
			if seenK1 {
				return BM25Params{}, fmt.Errorf("sparse: bm25 %q: k1 given twice", s)
			}
			seenK1 = true
			if x < 0 {
				return BM25Params{}, fmt.Errorf("sparse: bm25 %q: k1 = %s, want a value ≥ 0", s, val)
			}
			p.K1 = x
		case "b":
			if seenB {
				return BM25Params{}, fmt.Errorf("sparse: bm25 %q: b given twice", s)
			}
			seenB = true
			if x < 0 || x > 1 {
				return BM25Params{}, fmt.Errorf("sparse: bm25 %q: b = %s, want a value in [0, 1]", s, val)
			}
			p.B = x
		default:
			return BM25Params{}, fmt.Errorf("sparse: bm25 %q: unknown key %q (want k1 or b)", s, key)
		}
	}
	return p, nil
}
