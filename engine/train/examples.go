package train

import (
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strings"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/sparse"
	"github.com/arslab/arslab/engine/text"
)

// Training data: (query, positive, hard negatives) examples from the train split,
// BM25-mined and random negatives, cropped pseudo-queries, and the batching of an epoch.

// example is one training item: a query, one relevant passage and its hard negatives.
type example struct {
	q     int       // index into trainer.queries
	pos   int       // passage index
	negs  []int     // ≤ K passage indices, never a positive of q
	prior []float64 // with Config.Residual: the logit prior of pos, then of each of negs
}

// buildExamples collects (query, positive) pairs of the train split and their hard negatives.
func (t *trainer) buildExamples() error {
	qrels := t.ds.Qrels[datasets.Train]
	if len(qrels) == 0 {
		return fmt.Errorf("train: dataset %q has no train split", t.ds.Name)
	}
	pidx := make(map[string]int, len(t.ds.Passages))
	for i, p := range t.ds.Passages {
		pidx[p.ID] = i
	}
	qs := append([]datasets.Query(nil), t.ds.Queries...)
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].ID < qs[j].ID })
	for _, q := range qs {
		rel := qrels[q.ID]
		var pos []int
		for pid, g := range rel {
			if i, ok := pidx[pid]; ok && g > 0 {
				pos = append(pos, i)
			}
		}
		if len(pos) == 0 {
			continue
		}
		sort.Ints(pos)
		qi := len(t.queries)
		t.queries = append(t.queries, q.Text)
		set := make(map[int]bool, len(pos))
		for _, p := range pos {
			set[p] = true
		}
		t.posSets = append(t.posSets, set)
		t.qIDs = append(t.qIDs, t.m.QueryIDs(q.Text))
		for _, p := range pos {
			t.examples = append(t.examples, example{q: qi, pos: p})
		}
		if t.neg.Hard > 0 {
			// Known hard negatives first, in file order.
			var negs []int
			seen := map[int]bool{}
			for _, pid := range t.ds.HardNegatives[q.ID] {
				if i, ok := pidx[pid]; ok && !set[i] && !seen[i] {
					negs = append(negs, i)
					seen[i] = true
				}
			}
			for e := len(t.examples) - len(pos); e < len(t.examples); e++ {
				t.examples[e].negs = negs
			}
		}
	}
	t.addPseudo()
	if len(t.examples) < 2 {
		return fmt.Errorf("train: need at least 2 training pairs with a relevant passage, found %d", len(t.examples))
	}
	t.pIDs = make([][]int, len(t.ds.Passages))
	if t.neg.Hard == 0 {
		return nil
	}
	t.k = min(t.neg.Hard, len(t.ds.Passages)-1)
	if t.k < 1 {
		return errors.New("train: hard negatives need a corpus of at least 2 passages")
	}
	// Top up with BM25 negatives (then random passages), once per query.
	need := false
	for _, ex := range t.examples {
		if len(ex.negs) < t.k {
			need = true
			break
		}
	}
	if !need && t.cfg.Residual == 0 {
		return nil
	}
	an, err := text.ParseAnalyzer(t.cfg.Analyzer)
	if err != nil {
		return fmt.Errorf("train: analyzer: %w", err)
	}
	if need {
		t.info(fmt.Sprintf("mining hard negatives with BM25 over %d passages", len(t.ds.Passages)))
	}
	bm, err := sparse.NewBM25With(t.ctx, t.ds.Passages, sparse.DefaultBM25(), an, nil)
	if err != nil {
		return fmt.Errorf("train: BM25 for hard negatives: %w", err)
	}
	if err := t.mine(bm); err != nil {
		return err
	}
	if t.cfg.Residual > 0 {
		return t.residualPriors(bm)
	}
	return nil
}

// mine tops every example's negatives up to K with BM25's best (then random passages).
func (t *trainer) mine(bm *sparse.BM25) error {
	mined := map[int][]int{}
	for e := range t.examples {
		ex := &t.examples[e]
		if len(ex.negs) >= t.k {
			ex.negs = ex.negs[:t.k]
			continue
		}
		if m, ok := mined[ex.q]; ok {
			ex.negs = m
			continue
		}
		if err := t.ctx.Err(); err != nil {
			return err
		}
		exclude := make(map[int]bool, len(t.posSets[ex.q])+len(ex.negs))
		for p := range t.posSets[ex.q] {
			exclude[p] = true
		}
		negs := append([]int(nil), ex.negs...)
		for _, n := range negs {
			exclude[n] = true
		}
		for _, n := range bm.MineHardNegatives(t.queries[ex.q], exclude, t.k-len(negs)) {
			negs = append(negs, n)
			exclude[n] = true
		}
		// BM25 only returns passages sharing a term: fill up with random ones.
		if free := len(t.ds.Passages) - len(exclude); len(negs) < t.k && free > 0 {
			rng := rand.New(rand.NewSource(t.cfg.Seed + int64(ex.q)))
			for _, n := range rng.Perm(len(t.ds.Passages)) {
				if len(negs) == t.k {
					break
				}
				if !exclude[n] {
					negs = append(negs, n)
					exclude[n] = true
				}
			}
		}
		mined[ex.q] = negs
		ex.negs = negs
	}
	return nil
}

// residualPriors sets each example's logit prior for Config.Residual: λ·BM25(q, c) over
// the query's best BM25 score in the corpus, for c = its positive then its negatives
// (0 for every candidate of a query that shares no term with the corpus).
func (t *trainer) residualPriors(bm *sparse.BM25) error {
	best := map[int]float64{}
	for e := range t.examples {
		ex := &t.examples[e]
		if err := t.ctx.Err(); err != nil {
			return err
		}
		q := t.queries[ex.q]
		top, ok := best[ex.q]
		if !ok {
			if hits := bm.Search(q, 1); len(hits) > 0 {
				top = hits[0].Score
			}
			best[ex.q] = top
		}
		cands := append([]int{ex.pos}, ex.negs...)
		ex.prior = make([]float64, len(cands))
		if !(top > 0) {
			continue
		}
		score := make(map[int]float64, len(cands))
		for _, h := range bm.Rerank(q, cands) {
			score[h.Index] = h.Score
		}
		for j, c := range cands {
			ex.prior[j] = t.cfg.Residual * score[c] / top
		}
	}
	return nil
}

// addPseudo appends cfg.Pseudo cropped pseudo-queries per passage (seeded per passage).
func (t *trainer) addPseudo() {
	if t.cfg.Pseudo <= 0 {
		return
	}
	for i, p := range t.ds.Passages {
		words := strings.Fields(p.Text)
		if len(words) == 0 {
			continue
		}
		rng := rand.New(rand.NewSource(t.cfg.Seed*7919 + int64(i)))
		for j := 0; j < t.cfg.Pseudo; j++ {
			q := cropSpan(words, rng)
			qi := len(t.queries)
			t.queries = append(t.queries, q)
			t.posSets = append(t.posSets, map[int]bool{i: true})
			t.qIDs = append(t.qIDs, t.m.QueryIDs(q))
			t.examples = append(t.examples, example{q: qi, pos: i})
		}
	}
}

// cropSpan returns a random contiguous span of 4–12 words (all of them when shorter).
func cropSpan(words []string, rng *rand.Rand) string {
	n := len(words)
	if n <= 4 {
		return strings.Join(words, " ")
	}
	l := 4 + rng.Intn(min(12, n)-4+1)
	start := rng.Intn(n - l + 1)
	return strings.Join(words[start:start+l], " ")
}

// stepsPerEpoch: batches of `batch`; a last batch of 1 joins the one before it.
func stepsPerEpoch(n, batch int) (int, error) {
	if n < 2 {
		return 0, fmt.Errorf("train: need at least 2 training pairs, found %d", n)
	}
	full, r := n/batch, n%batch
	if r >= 2 || full == 0 {
		return full + 1, nil
	}
	return full, nil
}

// batchBounds returns the [lo, hi) ranges of an epoch's batches (see stepsPerEpoch).
func batchBounds(n, batch int) [][2]int {
	var out [][2]int
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		if hi-lo == 1 && len(out) > 0 {
			out[len(out)-1][1] = hi
			break
		}
		out = append(out, [2]int{lo, hi})
	}
	return out
}
