package datasets

import (
	"testing"

	"github.com/arslab/arslab/engine/text"
)

// TestDemo checks real properties of the embedded set: it loads and validates, has
// all three splits, spans at least three languages, and its hard negatives are real
// passages that are never a positive of their query.
func TestDemo(t *testing.T) {
	d, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "demo" || d.Source != "embedded:demo" || d.Format != "beir" {
		t.Errorf("Name/Source/Format = %q/%q/%q", d.Name, d.Source, d.Format)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []Split{Train, Dev, Test} {
		q, qs, err := d.Split(s)
		if err != nil {
			t.Errorf("split %s: %v", s, err)
			continue
		}
		if len(q) == 0 || len(qs) != len(q) {
			t.Errorf("split %s: %d judged queries, %d query records", s, len(q), len(qs))
		}
	}
	st := d.Stats()
	langs := 0
	for l, n := range st.Languages {
		if l != text.Other && n > 0 {
			langs++
		}
	}
	if langs < 3 {
		t.Errorf("languages %v: want at least 3 of ar/vi/en", st.Languages)
	}
	if st.HardNegatives == 0 {
		t.Error("demo has no hard negatives")
	}
	pidx := d.PassageIndex()
	for qid, negs := range d.HardNegatives {
		if _, ok := d.QueryByID(qid); !ok {
			t.Errorf("hard negatives for unknown query %q", qid)
		}
		for _, pid := range negs {
			if _, ok := pidx[pid]; !ok {
				t.Errorf("query %q: hard negative %q is not a passage", qid, pid)
			}
			for s, q := range d.Qrels {
				if q[qid][pid] > 0 {
					t.Errorf("query %q: hard negative %q is a positive in %s", qid, pid, s)
				}
			}
		}
	}
	// Each call is independent: changing one result leaves the next intact.
	d.Passages[0].Text = "changed"
	d2, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	if d2.Passages[0].Text == "changed" {
		t.Error("Demo() results share state")
	}
}
