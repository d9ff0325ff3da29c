package app

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/compare"
	"github.com/arslab/arslab/lab"
)

// TestPaneSignificanceIsTheCompareTable: the Metrics pane's significance marks (lab's
// CompareDetail with PaneCompareOptions) are `arslab compare`'s table for the same runs,
// cell for cell, p-values included.
func TestPaneSignificanceIsTheCompareTable(t *testing.T) {
	keys := "top1,top5,top10,top20,top50,top100,mrr@10,map,ndcg@10"
	specs := []string{"bm25", "tfidf", "fuse:rrf(k=60):bm25+tfidf"}
	args := append([]string{"compare", "--data", "demo", "--split", "test", "--baseline", "tfidf", "--format", "json",
		"--k", "1,5,10,20,50,100", "--metrics", keys}, specs...)
	code, out, errs := run(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var cli compare.Table
	if err := json.Unmarshal([]byte(out), &cli); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	ws, err := lab.Open(ctx, "demo", lab.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The pane holds models the way the app does: BM25 and TF-IDF by their retrievers and
	// the fusion made from them (FuseModels), not from specs.
	tf, err := ws.TFIDF(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	bm := lab.Model{Name: ws.BM25.Name(), Retriever: ws.BM25}
	tfm := lab.Model{Name: tf.Name(), Retriever: tf}
	fu, err := ws.FuseModels(lab.RRFSpec(), bm, tfm)
	if err != nil {
		t.Fatal(err)
	}
	pane, err := ws.CompareDetail(ctx, []lab.Model{bm, tfm, fu}, lab.PaneCompareOptions(datasets.Test, "TF-IDF", []string{
		"top1", "top5", "top10", "top20", "top50", "top100", "mrr@10", "map", "ndcg@10"}))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(cli)
	b, _ := json.Marshal(pane.Table)
	if string(a) != string(b) {
		t.Errorf("pane table differs from arslab compare:\ncli  %s\npane %s", a, b)
	}
	sig := 0
	for _, r := range pane.Table.Rows {
		for _, c := range r.Cells {
			if c.Significant {
				sig++
			}
		}
	}
	t.Logf("%d significant cells of %d rows; baseline %s", sig, len(pane.Table.Rows), pane.Table.Baseline)
}
