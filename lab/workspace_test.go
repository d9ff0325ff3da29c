package lab

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/train"
)

func testData() *datasets.Dataset {
	return &datasets.Dataset{
		Name: "t",
		Passages: []datasets.Passage{
			{ID: "p1", Title: "Cairo", Text: "القاهرة هي عاصمة مصر"},
			{ID: "p2", Text: "Hà Nội là thủ đô của Việt Nam"},
			{ID: "p3", Text: "Paris is the capital of France"},
		},
		Queries: []datasets.Query{
			{ID: "q1", Text: "ما هي عاصمة مصر؟"},
			{ID: "q2", Text: "Thủ đô của Việt Nam là gì?"},
			{ID: "q3", Text: "capital of France"},
		},
		Qrels: map[datasets.Split]datasets.Qrels{
			datasets.Dev:  {"q1": {"p1": 2, "p3": 0}, "q3": {"p3": 1}},
			datasets.Test: {"q2": {"p2": 1}, "q3": {"p1": 1}},
		},
	}
}

func testWorkspace(t *testing.T, d *datasets.Dataset) *Workspace {
	t.Helper()
	w, err := New(context.Background(), d, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestJudgeNormalises(t *testing.T) {
	w := testWorkspace(t, testData())
	tests := []struct {
		q, id string
		split datasets.Split
		rel   map[string]int
	}{
		// alef variants and the question mark do not matter
		{"ما هى عاصمة مصر", "q1", datasets.Dev, map[string]int{"p1": 2}},
		// case and punctuation; tone marks kept
		{"thủ đô của việt nam là gì", "q2", datasets.Test, map[string]int{"p2": 1}},
		// judged in two splits: the first (dev) names it, relevance is the union
		{"Capital of France!", "q3", datasets.Dev, map[string]int{"p3": 1, "p1": 1}},
		// tone marks are meaning in Vietnamese: a different word is a different query
		{"thu do cua viet nam la gi", "", "", map[string]int{}},
	}
	for _, tt := range tests {
		j := w.Judge(tt.q)
		if j.QueryID != tt.id || j.Split != tt.split || len(j.Relevant) != len(tt.rel) {
			t.Errorf("Judge(%q) = %+v, want %s %s %v", tt.q, j, tt.id, tt.split, tt.rel)
			continue
		}
		for pid, g := range tt.rel {
			if j.Relevant[pid] != g {
				t.Errorf("Judge(%q).Relevant[%s] = %d, want %d", tt.q, pid, j.Relevant[pid], g)
			}
		}
	}
}

func TestQueryJudgements(t *testing.T) {
	w := testWorkspace(t, testData())
	sp, rel := w.QueryJudgements("q3")
	if sp != datasets.Dev || len(rel) != 2 || rel[0] != 2 || rel[1] != 0 {
		t.Errorf("q3: %s %v, want dev [2 0] (dev's p3, then test's p1)", sp, rel)
	}
	if sp, rel := w.QueryJudgements("q1"); sp != datasets.Dev || len(rel) != 1 || rel[0] != 0 {
		t.Errorf("q1: %s %v (grade 0 is not relevant)", sp, rel)
	}
	if sp, rel := w.QueryJudgements("nope"); sp != "" || rel != nil {
		t.Errorf("unknown query: %s %v", sp, rel)
	}
}

func TestDefaultSplit(t *testing.T) {
	d := testData()
	if sp, _ := testWorkspace(t, d).DefaultSplit(); sp != datasets.Test {
		t.Errorf("dev+test: %s, want test", sp)
	}
	delete(d.Qrels, datasets.Test)
	sp, why := testWorkspace(t, d).DefaultSplit()
	if sp != datasets.Dev || !strings.Contains(why, "only split present: dev") {
		t.Errorf("dev only: %s %q", sp, why)
	}
	d.Qrels = nil
	if sp, _ := testWorkspace(t, d).DefaultSplit(); sp != "" {
		t.Errorf("no qrels: %q", sp)
	}
}

func TestRetrieverErrors(t *testing.T) {
	w := testWorkspace(t, testData())
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for spec, want := range map[string]string{
		"":                           "no model given: want bm25, tfidf, a run folder",
		"nosuch":                     `unknown model "nosuch": want bm25, tfidf, a run folder`,
		file:                         "is a file: want bm25",
		dir:                          "is not a run folder (no config.json)",
		filepath.Join(dir, "absent"): "unknown model",
	} {
		_, err := w.Retriever(context.Background(), spec, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Retriever(%q) = %v, want %q", spec, err, want)
		}
	}
	for spec, name := range map[string]string{"bm25": "BM25", "TF-IDF": "TF-IDF", " tfidf ": "TF-IDF"} {
		m, err := w.Retriever(context.Background(), spec, nil)
		if err != nil || m.Name != name || m.Explainer != nil {
			t.Errorf("Retriever(%q) = %+v, %v", spec, m, err)
		}
	}
	// TF-IDF is built once and shared.
	a, _ := w.TFIDF(context.Background(), nil)
	b, _ := w.TFIDF(context.Background(), nil)
	if a != b {
		t.Error("TF-IDF built twice")
	}
}

func TestJobPauseCancelWait(t *testing.T) {
	stepped := make(chan struct{})
	job := StartJob(context.Background(), func(ctx context.Context, events chan<- train.Event) error {
		for i := 1; ; i++ {
			events <- train.Event{Kind: train.StepEvent, Step: i}
			select {
			case stepped <- struct{}{}:
			case <-ctx.Done():
				events <- train.Event{Kind: train.DoneEvent, Err: ctx.Err()}
				return ctx.Err()
			}
		}
	})
	<-job.Events()
	<-stepped
	job.Pause()
	if !job.Paused() {
		t.Fatal("not paused")
	}
	job.Resume()
	if job.Paused() {
		t.Fatal("still paused")
	}
	if job.Err() != nil {
		t.Fatal("Err before the end")
	}
	job.Cancel()
	go func() {
		for range job.Events() {
		}
	}()
	done := make(chan error)
	go func() { done <- job.Wait() }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || !errors.Is(job.Err(), context.Canceled) {
			t.Fatalf("Wait = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return after Cancel")
	}
}
