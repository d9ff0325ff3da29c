package train

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/sparse"
	"github.com/arslab/arslab/engine/text"
)

// TestResidualPriors: with Residual λ every example carries λ·BM25(q, c)/max BM25(q, ·)
// for its positive and each negative, computed here independently with the same BM25
// (analyzer included); the batch prior lays them out as the "hard" graph's candidates; a
// run trains and its loss differs from the run without the prior.
func TestResidualPriors(t *testing.T) {
	cfg := tinyConfig()
	cfg.Residual, cfg.Analyzer = 2, "stem=on,stop=en"
	tr := setupOnly(t, cfg)
	an, err := text.ParseAnalyzer(cfg.Analyzer)
	if err != nil {
		t.Fatal(err)
	}
	bm, err := sparse.NewBM25With(context.Background(), tr.ds.Passages, sparse.DefaultBM25(), an, nil)
	if err != nil {
		t.Fatal(err)
	}
	sawPositive := false
	for _, ex := range tr.examples {
		if len(ex.prior) != 1+len(ex.negs) || len(ex.negs) != 3 {
			t.Fatalf("example of query %d: %d priors for %d negatives", ex.q, len(ex.prior), len(ex.negs))
		}
		q := tr.queries[ex.q]
		top := bm.Search(q, 1)[0].Score
		all := map[int]float64{}
		for _, h := range bm.Search(q, len(tr.ds.Passages)) {
			all[h.Index] = h.Score
		}
		for j, c := range append([]int{ex.pos}, ex.negs...) {
			want := 2 * all[c] / top
			if math.Abs(ex.prior[j]-want) > 1e-12 {
				t.Errorf("query %q candidate %d: prior %.6f, want %.6f", q, c, ex.prior[j], want)
			}
			if ex.prior[j] < 0 || ex.prior[j] > 2+1e-12 {
				t.Errorf("query %q candidate %d: prior %.6f outside [0, λ]", q, c, ex.prior[j])
			}
		}
		sawPositive = sawPositive || ex.prior[0] == 2 // the toy positives are BM25's best
	}
	if !sawPositive {
		t.Error("no positive got the full prior λ")
	}

	g, err := tr.graph(2)
	if err != nil {
		t.Fatal(err)
	}
	batch := tr.examples[:2]
	pr := tr.prior(batch, g.Structure())
	if len(pr) != 2*4 || pr[0] != batch[0].prior[0] || pr[4+3] != batch[1].prior[3] {
		t.Errorf("batch prior %v from %v, %v", pr, batch[0].prior, batch[1].prior)
	}
	withPrior, err := tr.forward(batch)
	if err != nil {
		t.Fatal(err)
	}
	tr.cfg.Residual = 0
	without, err := tr.forward(batch)
	if err != nil {
		t.Fatal(err)
	}
	if withPrior.res.Total == without.res.Total {
		t.Errorf("the prior did not change the loss (%.6f)", without.res.Total)
	}
}

func TestResidualConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Residual = -1 }, "residual -1"},
		{func(c *Config) { c.Residual = math.NaN() }, "residual NaN"},
		{func(c *Config) { c.Residual, c.Negatives = 1, "inbatch" }, "needs negatives hard:K"},
		{func(c *Config) { c.Residual, c.Negatives = 1, "both:3" }, "needs negatives hard:K"},
		{func(c *Config) { c.Analyzer = "stem=xx" }, "analyzer"},
	} {
		c := tinyConfig()
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error with %q", err, tc.want)
		}
	}
	c := tinyConfig()
	c.Residual, c.Analyzer = 0.5, "stem=ar"
	if err := c.Validate(); err != nil {
		t.Errorf("valid residual config refused: %v", err)
	}
}
