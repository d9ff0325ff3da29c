package app

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/runs"
	"github.com/arslab/arslab/lab"
)

// TestEvalRunOutRunInPerQuery: a run written by eval --run reads back as a TREC run, and
// eval --run-in on it gives the same metrics; --per-query lines average to the metrics.
func TestEvalRunOutRunInPerQuery(t *testing.T) {
	dir := t.TempDir()
	runFile := filepath.Join(dir, "bm25.run")
	pqFile := filepath.Join(dir, "bm25.jsonl")
	code, out, errs := run(t, "eval", "--data", "demo", "--model", "bm25", "--json", "--run", runFile, "--per-query", pqFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep lab.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	r, err := runs.ReadFile(runFile)
	if err != nil {
		t.Fatal(err)
	}
	if r.Tag != "BM25" || len(r.Ranked) != rep.Queries {
		t.Fatalf("run tag %q with %d queries, want BM25 and %d", r.Tag, len(r.Ranked), rep.Queries)
	}
	code, out2, errs := run(t, "eval", "--data", "demo", "--run-in", runFile, "--json")
	if code != 0 {
		t.Fatalf("run-in exit %d: %s", code, errs)
	}
	var rep2 lab.Report
	if err := json.Unmarshal([]byte(out2), &rep2); err != nil {
		t.Fatal(err)
	}
	if rep2.Model != "BM25" || rep2.Queries != rep.Queries {
		t.Errorf("run-in report %+v", rep2)
	}
	for k, v := range rep.Metrics {
		if math.Abs(rep2.Metrics[k]-v) > 1e-12 {
			t.Errorf("%s: model %v, run file %v", k, v, rep2.Metrics[k])
		}
	}
	f, err := os.Open(pqFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums, n := map[string]float64{}, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Split, Model, Query string
			Metrics             map[string]float64
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		if line.Split != "test" || line.Model != "BM25" || line.Query == "" {
			t.Fatalf("line %s", sc.Text())
		}
		for k, v := range line.Metrics {
			sums[k] += v
		}
		n++
	}
	if n != rep.Queries {
		t.Fatalf("%d per-query lines, want %d", n, rep.Queries)
	}
	for k, v := range rep.Metrics {
		if math.Abs(sums[k]/float64(n)-v) > 1e-12 {
			t.Errorf("%s: mean of lines %v, report %v", k, sums[k]/float64(n), v)
		}
	}
}

func TestEvalRelMinAndSettings(t *testing.T) {
	// beir_tiny's test split judges its queries with grade 1 only: at --rel-min 2 no query counts.
	code, out, errs := run(t, "eval", "--data", tiny, "--model", "bm25", "--json", "--rel-min", "2", "--bm25", "k1=1.5,b=0.75", "--analyzer", "stop=on")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep lab.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.RelMin != 2 || rep.Queries != 0 || rep.NoRelevant != 2 || rep.Metrics["top1"] != 0 {
		t.Errorf("rel-min 2: %+v", rep)
	}
	if rep.Settings != "bm25 k1=1.5,b=0.75; analyzer stem=off,stop=ar+en+vi,norm=all" {
		t.Errorf("settings %q", rep.Settings)
	}
	for _, tc := range []struct{ args, want string }{
		{"--bm25 k1=-1", "--bm25: sparse: bm25"},
		{"--analyzer stem=en", `no stemmer for "en"`},
		{"--rel-min -1", "--rel-min -1: want a grade ≥ 1"},
		{"--run-in nosuch.run", "nosuch.run"},
	} {
		args := append([]string{"eval", "--data", tiny}, strings.Fields(tc.args)...)
		if !strings.Contains(tc.args, "run-in") {
			args = append(args, "--model", "bm25")
		}
		code, _, errs := run(t, args...)
		if code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", tc.args, code, errs, tc.want)
		}
	}
}
