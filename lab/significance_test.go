package lab

import (
	"context"
	"reflect"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/metrics"
)

func TestFuseModelsIsTheSpecFusion(t *testing.T) {
	ctx := context.Background()
	w := testWorkspace(t, testData())
	tf, err := w.TFIDF(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Models as the app holds them: no spec, only the retriever.
	got, err := w.FuseModels(RRFSpec(), Model{Name: "BM25", Retriever: w.BM25}, Model{Name: "TF-IDF", Retriever: tf})
	if err != nil {
		t.Fatal(err)
	}
	want, err := w.Retriever(ctx, "fuse:rrf(k=60):bm25+tfidf", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != want.Name || got.Name != "fuse:rrf(k=60):bm25+tfidf" {
		t.Errorf("name %q, want %q", got.Name, want.Name)
	}
	for _, q := range []string{"capital of France", "عاصمة مصر", "thủ đô"} {
		if g, w := scored(got.Retriever.Search(q, 3)), scored(want.Retriever.Search(q, 3)); !reflect.DeepEqual(g, w) {
			t.Errorf("%q: FuseModels %v, spec %v", q, g, w)
		}
	}
	if _, err := w.FuseModels(RRFSpec(), got, Model{Name: "BM25", Retriever: w.BM25}); err == nil {
		t.Error("a fusion of a fusion was accepted")
	}
	if _, err := w.FuseModels(RRFSpec(), Model{Name: "BM25", Retriever: w.BM25}); err == nil {
		t.Error("a fusion of one model was accepted")
	}
}

func TestCompareDetailDiffsAndRanks(t *testing.T) {
	ctx := context.Background()
	d := testData()
	// Three dev queries so that compare has pairs; q2 judged relevant to p2 only.
	d.Qrels[datasets.Dev]["q2"] = map[string]int{"p2": 1}
	w := testWorkspace(t, d)
	bm, _ := w.Retriever(ctx, "bm25", nil)
	tf, _ := w.Retriever(ctx, "tfidf", nil)
	c, err := w.CompareDetail(ctx, []Model{bm, tf}, CompareOptions{Split: datasets.Dev, Stats: StatsDefaults()})
	if err != nil {
		t.Fatal(err)
	}
	tab, err := w.Compare(ctx, []Model{bm, tf}, CompareOptions{Split: datasets.Dev, Stats: StatsDefaults()})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Table, tab) {
		t.Error("CompareDetail's table differs from Compare's")
	}
	if c.Run("TF-IDF") != 1 || c.Run("nope") != -1 || c.Cell("TF-IDF", metrics.MRR10) == nil || c.Cell("TF-IDF", metrics.MRR10).VsBaseline == nil {
		t.Fatalf("runs %v / cells", c.Runs)
	}
	for ri := range c.Runs {
		for _, q := range c.Runs[ri].PerQuery.Queries {
			// By hand: the first id of the list with grade ≥ 1.
			want := 0
			for i, s := range c.Runs[ri].Ranked.Lists[q] {
				if d.Qrels[datasets.Dev][q][s.ID] >= 1 {
					want = i + 1
					break
				}
			}
			if got := c.FirstRelevant(ri, q); got != want {
				t.Errorf("%s %s: first relevant %d, want %d", c.Runs[ri].Name, q, got, want)
			}
			// MRR@10 is 1/rank of the first relevant passage within 10.
			if v, _ := c.Runs[ri].PerQuery.Value(metrics.MRR10, q); want > 0 && want <= 10 && v != 1/float64(want) {
				t.Errorf("%s %s: mrr %v, rank %d", c.Runs[ri].Name, q, v, want)
			}
		}
	}
	ds, err := c.Diffs(0, 1, metrics.MRR10)
	if err != nil || len(ds) != 3 {
		t.Fatalf("diffs %v %v", ds, err)
	}
	for i, x := range ds {
		if x.Diff != x.B-x.A || x.Text == "" || (i > 0 && x.Diff > ds[i-1].Diff) {
			t.Errorf("diff %d: %+v", i, x)
		}
	}
	if _, err := c.Diffs(0, 1, "nope"); err == nil {
		t.Error("an unknown metric gave diffs")
	}
}
