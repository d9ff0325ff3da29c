package app

import (
	"strings"
	"testing"
)

// TestEvalTune: eval --tune prints one row per weight vector and names the best, whose
// metric equals what plain eval of that spec prints; misuse is a usage error.
func TestEvalTune(t *testing.T) {
	code, out, errs := run(t, "eval", "--data", "demo", "--model", "fuse:wsum(w=1,1):bm25+tfidf", "--tune", "0.5", "--k", "1,5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, w := range []string{"w=1,0;", "w=0.5,0.5;", "w=0,1;", "best by top1 (ties: mrr@10) on demo/test: fuse:wsum("} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	line := out[strings.Index(out, "best by"):]
	spec := strings.Fields(line)[7]
	code, plain, errs := run(t, "eval", "--data", "demo", "--model", spec, "--k", "1,5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(plain), "\n")
	top1 := strings.Fields(lines[len(lines)-1])[1]
	if !strings.Contains(line, "(top1 "+top1+")") {
		t.Errorf("best line %q, plain eval of %s gives top1 %s", line, spec, top1)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "--data", "demo", "--model", "bm25", "--tune", "0.5"}, "--tune needs a fusion --model"},
		{[]string{"eval", "--data", "demo", "--model", "fuse:rrf:bm25+tfidf", "--tune", "0.3"}, "must divide 1"},
		{[]string{"eval", "--data", "demo", "--model", "fuse:rrf:bm25+tfidf", "--tune", "0.5", "--run", "x.trec"}, "not with --run-in, --rerank, --run"},
		{[]string{"eval", "--data", "demo", "--model", "fuse:rrf:bm25+tfidf", "--tune", "0.5", "--tune-metric", "top9"}, `metric "top9"`},
		{[]string{"eval", "--data", "demo", "--model", "fuse:rrf:bm25+tfidf", "--tune", "0.5", "--split", "all"}, "one split"},
	} {
		code, _, errs := run(t, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}
