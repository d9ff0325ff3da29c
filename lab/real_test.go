package lab

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/arslab/arslab/engine/fusion"
)

// sharedDatasets is the folder of real datasets beside the repository; tests that need it skip without it.
func sharedDatasets(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "datasets", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not present: %v", p, err)
	}
	return p
}

// TestSemEval2016ForumOrderMatchesPublished: ranking every thread's comments in forum order
// reproduces the official IR baseline of SemEval-2016 Task 3 subtask A test (MAP 0.5953,
// MRR 67.83), which checks the loader (only Good relevant, groups of 10, file order) and
// the scorer's conventions (questions without a Good comment count 0).
func TestSemEval2016ForumOrderMatchesPublished(t *testing.T) {
	p := sharedDatasets(t, "semeval2016_task3_english_subtaskA")
	wss, splits, _, err := OpenSplits(context.Background(), p, Options{}, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	w := wss[0]
	r := Ranked{Name: "forum", Split: splits[0], Rerank: true, Lists: map[string][]fusion.Scored{}}
	for q := range w.Data.Qrels[splits[0]] {
		cands := w.Data.Candidates[q]
		for i, c := range cands {
			r.Lists[q] = append(r.Lists[q], fusion.Scored{ID: c, Score: float64(len(cands) - i)})
		}
	}
	ev, err := w.EvaluateRanked(r, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Queries != 327 || ev.NoRelevant != 12 || ev.RelMin != 2 || !ev.KeepNoRelevant {
		t.Fatalf("report %+v", ev.Report)
	}
	if got := ev.Metrics["map"]; math.Abs(got-0.5953) > 5e-5 {
		t.Errorf("forum-order MAP %.5f, published 0.5953", got)
	}
	if got := ev.Metrics["mrr"]; math.Abs(got-0.6783) > 5e-5 {
		t.Errorf("forum-order MRR %.5f, published 67.83", got)
	}
}
