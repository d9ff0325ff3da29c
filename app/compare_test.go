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

// TestCompareRunFile: a TREC run written by eval compares with the model that made it as
// identical (every query tied, p = 1).
func TestCompareRunFile(t *testing.T) {
	runFile := t.TempDir() + "/bm25.trec"
	if code, _, errs := run(t, "eval", "--data", "demo", "--model", "bm25", "--run", runFile); code != 0 {
		t.Fatalf("eval: %s", errs)
	}
	code, out, errs := run(t, "compare", "--data", "demo", "--format", "json", "--permutations", "200", "bm25", "run:"+runFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var tab compare.Table
	if err := json.Unmarshal([]byte(out), &tab); err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 2 || tab.Rows[1].Name != "BM25 [run:"+runFile+"]" {
		t.Fatalf("rows %+v", tab.Rows)
	}
	for i, c := range tab.Rows[1].Cells {
		s := c.VsBaseline
		if c.Value != tab.Rows[0].Cells[i].Value || s.Ties != 33 || s.PRand != 1 {
			t.Errorf("%s: %v vs %v, stats %+v", c.Metric, c.Value, tab.Rows[0].Cells[i].Value, s)
		}
	}
	if code, _, errs := run(t, "compare", "--data", "demo", "bm25", "run:nosuch.trec"); code != 2 || !strings.Contains(errs, "nosuch.trec") {
		t.Errorf("missing run file: exit %d %q", code, errs)
	}
}
