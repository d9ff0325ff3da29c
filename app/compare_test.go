package app

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/compare"
	"github.com/arslab/arslab/lab"
)

func TestCompareJSONAgreesWithEval(t *testing.T) {
	code, out, errs := run(t, "compare", "--data", "demo", "--format", "json", "--permutations", "2000", "bm25", "tfidf", "fuse:rrf(k=60):bm25+tfidf")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var tab compare.Table
	if err := json.Unmarshal([]byte(out), &tab); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if tab.Baseline != "BM25" || len(tab.Rows) != 3 || tab.Queries != 33 || tab.Permutations != 2000 || tab.RelMin != 1 {
		t.Fatalf("table header %+v", tab)
	}
	for ri, model := range []string{"bm25", "tfidf"} {
		code, out, errs := run(t, "eval", "--data", "demo", "--model", model, "--json")
		if code != 0 {
			t.Fatalf("eval exit %d: %s", code, errs)
		}
		var rep lab.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		for _, c := range tab.Rows[ri].Cells {
			if want, ok := rep.Metrics[c.Metric]; ok && math.Abs(want-c.Value) > 1e-12 {
				t.Errorf("%s %s: compare %v, eval %v", model, c.Metric, c.Value, want)
			}
		}
	}
	for _, r := range tab.Rows[1:] {
		for _, c := range r.Cells {
			s := c.VsBaseline
			if s == nil || s.N != 33 || s.Wins+s.Ties+s.Losses != 33 || s.PRand <= 0 || s.PRand > 1 || s.PRandHolm < s.PRand {
				t.Errorf("%s %s: stats %+v", r.Name, c.Metric, s)
			}
		}
	}
	if code, _, errs := run(t, "compare", "--data", "demo", "bm25"); code != 2 || !strings.Contains(errs, "at least two models") {
		t.Errorf("one model: exit %d %q", code, errs)
	}
	if code, _, errs := run(t, "compare", "--data", "demo", "--baseline", "dense", "bm25", "tfidf"); code != 1 || !strings.Contains(errs, `baseline "dense" is not one of the compared models`) {
		t.Errorf("bad baseline: exit %d %q", code, errs)
	}
}
