package app

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/arslab/arslab/lab"
)

// run calls Main like the shell would and returns exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

const tiny = "../testdata/datasets/beir_tiny"

func TestEvalJSONOnTinyBEIR(t *testing.T) {
	code, out, errs := run(t, "eval", "--data", tiny, "--model", "bm25", "--split", "test", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep lab.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	// The test split judges query 7 ("Thủ đô của Việt Nam là gì?" → passage 3, the only
	// Vietnamese passage) and q4 ("capital of France" → d4, the only passage with "france").
	// BM25 ranks both first, so every headline metric is exactly 1.
	if rep.Dataset != "beir_tiny" || rep.Split != "test" || rep.Model != "BM25" || rep.Queries != 2 || rep.Passages != 5 {
		t.Errorf("header = %+v", rep)
	}
	want := []string{"top1", "top5", "top10", "top20", "top50", "top100", "recall@100", "mrr@10", "map", "ndcg@10"}
	if len(rep.Metrics) != len(want) {
		t.Errorf("metrics keys = %v, want %v", rep.Metrics, want)
	}
	for _, k := range want {
		if v, ok := rep.Metrics[k]; !ok || math.Abs(v-1) > 1e-12 {
			t.Errorf("%s = %v (present %v), want 1", k, v, ok)
		}
	}
}

func TestEvalRerankGroups(t *testing.T) {
	// Each group's positive shares more query terms than its negative
	// ("thủ đô việt nam": 4 vs 2 terms; "عاصمة مصر": 2 vs 1), so BM25 puts it first.
	code, out, errs := run(t, "eval", "--data", "../testdata/datasets/rerank.tsv", "--model", "bm25", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep lab.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Queries != 2 {
		t.Errorf("queries = %d, want 2", rep.Queries)
	}
	for _, k := range []string{"mrr", "map", "ndcg@10"} {
		if v := rep.Metrics[k]; math.Abs(v-1) > 1e-12 {
			t.Errorf("%s = %v, want 1", k, v)
		}
	}
}

func TestQueryMarksRelevant(t *testing.T) {
	code, out, errs := run(t, "query", "--data", tiny, "--k", "2", "capital of France")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want header + 2 hits, got:\n%s", out)
	}
	if !strings.Contains(lines[1], "✓") || !strings.Contains(lines[1], "d4") {
		t.Errorf("first hit should be the judged d4 with ✓: %q", lines[1])
	}
	if strings.Contains(lines[2], "✓") {
		t.Errorf("second hit is not judged relevant: %q", lines[2])
	}
}

func TestCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"bad k", []string{"eval", "--model", "bm25", "--k", "1,x"}, 2, `--k: "x" is not a positive integer`},
		{"unknown flag", []string{"eval", "--modle", "bm25"}, 2, "flag provided but not defined: -modle"},
		{"missing model", []string{"eval", "--data", tiny}, 2, "--model is required"},
		{"missing split", []string{"eval", "--data", tiny, "--model", "bm25", "--split", "dev"}, 1, `no judged queries in split "dev" (has: train, test)`},
		{"malformed file", []string{"eval", "--data", "../testdata/datasets/bad/beir_missing_id", "--model", "bm25"}, 1, `corpus.jsonl:`},
		{"missing path", []string{"dataset", "stats", "--data", "../testdata/nope"}, 1, "nope"},
		{"train without out", []string{"train"}, 2, "--out is required"},
		{"query without text", []string{"query", "--data", tiny}, 2, "give the question"},
		{"dataset without sub", []string{"dataset"}, 2, "stats or validate"},
		{"app flag typo", []string{"--dta", "x"}, 2, "flag provided but not defined: -dta"},
		{"app bad data", []string{"--data", "../testdata/nope"}, 1, "nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := run(t, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d containing %q", code, errs, tc.code, tc.want)
			}
		})
	}
}

func TestDatasetStatsDemo(t *testing.T) {
	code, out, errs := run(t, "dataset", "stats")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"passages         242", "queries          172", "ar ", "vi ", "en "} {
		if !strings.Contains(out, want) {
			t.Errorf("stats output lacks %q:\n%s", want, out)
		}
	}
}
