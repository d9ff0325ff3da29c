package lab

import (
	"fmt"
	"math"
	"math/rand"
	"sort"

	"github.com/arslab/arslab/datasets"
)

// HoldOut splits a dataset that has one judged split (SemEval-2015 Arabic ships only its dev
// file) by question: the question ids sorted, a seeded permutation (math/rand, seed) picks
// round(frac·n) of them for the held-out split (test, or dev when the judged split is test);
// the others stay. Passages and candidate groups are shared; only Qrels change.
func HoldOut(d *datasets.Dataset, frac float64, seed int64) (*datasets.Dataset, error) {
	if !(frac > 0 && frac < 1) {
		return nil, fmt.Errorf("holdout %g: want a fraction in (0, 1)", frac)
	}
	var from datasets.Split
	for _, sp := range splitOrder {
		if len(d.Qrels[sp]) > 0 {
			if from != "" {
				return nil, fmt.Errorf("holdout: %s has more than one judged split (%s and %s)", d.Name, from, sp)
			}
			from = sp
		}
	}
	if from == "" {
		return nil, fmt.Errorf("holdout: %s has no judged queries", d.Name)
	}
	to := datasets.Test
	if from == datasets.Test {
		to = datasets.Dev
	}
	qids := make([]string, 0, len(d.Qrels[from]))
	for q := range d.Qrels[from] {
		qids = append(qids, q)
	}
	sort.Strings(qids)
	n := int(math.Round(frac * float64(len(qids))))
	if n < 1 || n >= len(qids) {
		return nil, fmt.Errorf("holdout %g of %d questions leaves an empty side", frac, len(qids))
	}
	out := *d
	out.Qrels = map[datasets.Split]datasets.Qrels{from: {}, to: {}}
	held := map[string]bool{}
	for _, i := range rand.New(rand.NewSource(seed)).Perm(len(qids))[:n] {
		held[qids[i]] = true
	}
	for _, q := range qids {
		sp := from
		if held[q] {
			sp = to
		}
		out.Qrels[sp][q] = d.Qrels[from][q]
	}
	out.SplitPassages = nil
	out.Notes = append(append([]string(nil), d.Notes...), fmt.Sprintf("split %s: %d of %d questions held out as %s (seed %d)", from, n, len(qids), to, seed))
	return &out, nil
}
