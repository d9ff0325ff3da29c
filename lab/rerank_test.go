package lab

import (
	"context"
	"math"
	"path/filepath"
	"sort"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/cross"
	"github.com/arslab/arslab/engine/train"
)

func TestParseRerankSpec(t *testing.T) {
	for _, c := range []struct {
		spec, first, run string
		depth            int
		ok, bad          bool
	}{
		{"bm25>>runs/ce@20", "bm25", "runs/ce", 20, true, false},
		{"fuse:rrf(k=60):bm25+tfidf >> runs/ce", "fuse:rrf(k=60):bm25+tfidf", "runs/ce", RerankDepth, true, false},
		{"runs/x", "", "", 0, false, false},
		{"bm25>>runs/ce@0", "", "", 0, true, true},
		{">>runs/ce", "", "", 0, true, true},
	} {
		first, run, depth, ok, err := ParseRerankSpec(c.spec)
		if ok != c.ok || (err != nil) != c.bad || (!c.bad && (first != c.first || run != c.run || depth != c.depth)) {
			t.Errorf("%q: %q %q %d %v %v", c.spec, first, run, depth, ok, err)
		}
	}
	if s := RerankSpec("bm25", "runs/ce", 0); s != "bm25>>runs/ce@100" {
		t.Errorf("RerankSpec %q", s)
	}
}

// tinyCE trains a one-epoch cross-encoder on the demo set's train split (small, fast).
func tinyCE(t *testing.T, d *datasets.Dataset) string {
	t.Helper()
	cfg := cross.DefaultConfig()
	cfg.MaxLen, cfg.MaxQuery, cfg.Vocab, cfg.Negatives, cfg.Epochs, cfg.Batch = 48, 16, 400, 1, 1, 16
	dir := filepath.Join(t.TempDir(), "ce")
	job := TrainReranker(context.Background(), cfg, d, dir)
	var steps int
	var last train.Event
	for ev := range job.Events() {
		if ev.Kind == train.StepEvent {
			steps++
		}
		last = ev
	}
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	if steps == 0 || last.Kind != train.DoneEvent || last.Err != nil {
		t.Fatalf("%d step events, last %+v", steps, last)
	}
	return dir
}

// The pipeline reranks exactly the first stage's top depth (same set, cross-encoder order,
// σ of the logit), keeps the first stage's order below it, records latency and explains.
func TestRerankedPipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny cross-encoder")
	}
	d, err := datasets.Demo()
	if err != nil {
		t.Fatal(err)
	}
	dir := tinyCE(t, d)
	w := testWorkspace(t, d)
	ctx := context.Background()
	if alone, err := w.Retriever(ctx, dir, nil); err != nil || alone.Name != "BM25>>ce@100" {
		t.Fatalf("a cross-encoder alone: %q %v (want BM25>>ce@100)", alone.Name, err)
	}
	if cc := CrossConfig(train.DefaultConfig()); cc.Negatives != 29 || cc.MaxLen != 128 || cc.MaxQuery != 32 || cc.Validate() != nil {
		t.Fatalf("CrossConfig %+v", cc)
	}
	m, err := w.Retriever(ctx, "bm25>>"+dir+"@5", nil)
	if err != nil {
		t.Fatal(err)
	}
	if om, err := w.OpenModel(ctx, "bm25>>"+dir+"@5", nil); err != nil || om.Name != m.Name {
		t.Fatalf("OpenModel of the pipeline: %q %v", om.Name, err)
	}
	r := m.Retriever.(*Reranked)
	q := "which planet has the highest surface temperature"
	res, err := r.Run(q, 8)
	if err != nil {
		t.Fatal(err)
	}
	first := w.BM25.Search(q, 8)
	if len(res.Hits) != 8 || len(res.First) < 8 {
		t.Fatalf("%d hits, first stage %d", len(res.Hits), len(res.First))
	}
	top := map[string]bool{}
	for _, h := range first[:5] {
		top[h.ID] = true
	}
	logits, _ := r.CE.Score(q, func() (ps [][2]string) {
		for _, h := range res.Hits[:5] {
			p := d.Passages[h.Index]
			ps = append(ps, [2]string{p.Title, p.Text})
		}
		return
	}())
	for i, h := range res.Hits {
		switch {
		case i < 5:
			if !top[h.ID] || first[h.FirstRank-1].ID != h.ID || math.Abs(h.Score-logits[i]) > 1e-9 ||
				math.Abs(h.Prob-1/(1+math.Exp(-h.Score))) > 1e-12 || (i > 0 && h.Score > res.Hits[i-1].Score) {
				t.Fatalf("reranked hit %d: %+v", i, h)
			}
		default:
			if h.ID != first[i].ID || h.FirstRank != i+1 || h.Move(i+1) != 0 {
				t.Fatalf("hit %d below the depth: %s (first rank %d), first stage has %s", i, h.ID, h.FirstRank, first[i].ID)
			}
		}
	}
	// Search gives the same order, ranked evaluation works and reports latency.
	hs := r.Search(q, 8)
	for i := range hs {
		if hs[i].ID != res.Hits[i].ID {
			t.Fatalf("Search differs from Run at %d", i)
		}
	}
	ev, err := w.EvaluateWith(ctx, r, datasets.Test, EvalOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Latency == nil || ev.Latency.Queries != len(d.Qrels[datasets.Test]) || ev.Latency.Pairs > 5*ev.Latency.Queries || ev.Latency.Pairs < ev.Latency.Queries {
		t.Fatalf("latency %+v", ev.Latency)
	}
	ex, err := r.ExplainTokens(q, res.Hits[0].Index)
	if err != nil || len(ex.Tokens) == 0 || math.Abs(ex.Logit-res.Hits[0].Score) > 1e-5 {
		t.Fatalf("explain %+v %v", ex, err)
	}
}

// On a reranking set a group no larger than the depth is scored whole and equal logits
// keep the group's file order.
func TestRerankedGroupsKeepFileOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny cross-encoder")
	}
	demo, _ := datasets.Demo()
	dir := tinyCE(t, demo)
	d := &datasets.Dataset{Name: "g", Passages: []datasets.Passage{{ID: "a", Text: "same text"}, {ID: "b", Text: "same text"},
		{ID: "c", Text: "other words here"}, {ID: "d", Text: "same text"}},
		Queries:    []datasets.Query{{ID: "q", Text: "same"}},
		Qrels:      map[datasets.Split]datasets.Qrels{datasets.Test: {"q": {"a": 0, "b": 2, "c": 0, "d": 0}}},
		Candidates: map[string][]string{"q": {"d", "b", "c", "a"}}}
	w := testWorkspace(t, d)
	m, err := w.Retriever(context.Background(), "bm25>>"+dir+"@10", nil)
	if err != nil {
		t.Fatal(err)
	}
	ranked, err := w.Rank(context.Background(), m.Retriever, datasets.Test, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var same []string
	for _, s := range ranked.Lists["q"] {
		if s.ID != "c" {
			same = append(same, s.ID)
		}
	}
	if len(ranked.Lists["q"]) != 4 || !sort.SliceIsSorted(ranked.Lists["q"], func(i, j int) bool { return ranked.Lists["q"][i].Score > ranked.Lists["q"][j].Score }) ||
		same[0] != "d" || same[1] != "b" || same[2] != "a" {
		t.Fatalf("group ranked %v", ranked.Lists["q"])
	}
}

// The Training pane's head "cross" trains a cross-encoder through Service.Train.
func TestServiceTrainCross(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny cross-encoder")
	}
	d, _ := datasets.Demo()
	w := testWorkspace(t, d)
	cfg := train.DefaultConfig()
	cfg.Head, cfg.MaxLen, cfg.Vocab, cfg.Negatives, cfg.Epochs, cfg.Batch, cfg.Pseudo = CrossHead, 48, 400, "hard:1", 1, 16, 0
	dir := filepath.Join(t.TempDir(), "ce")
	job := Service{}.Train(context.Background(), w, cfg, dir)
	steps := 0
	for ev := range job.Events() {
		if ev.Kind == train.StepEvent && ev.Terms["listwise"] > 0 {
			steps++
		}
	}
	if err := job.Wait(); err != nil || steps == 0 || !cross.IsRun(dir) {
		t.Fatalf("err %v, %d listwise steps, cross run %v", err, steps, cross.IsRun(dir))
	}
}
