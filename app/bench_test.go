package app

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/arslab/arslab/lab"
)

func TestBenchTwoDatasetsCSV(t *testing.T) {
	code, out, errs := run(t, "bench", "--data", tiny, "--data", "../testdata/datasets/rerank.tsv", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 { // header + 2 datasets × (BM25, TF-IDF)
		t.Fatalf("%d records:\n%s", len(recs), out)
	}
	head := strings.Join(recs[0], ",")
	if head != "dataset,split,model,queries,passages,top1,top5,top10,top20,top100,mrr@10,ndcg@10,map,seconds,settings" {
		t.Errorf("header %s", head)
	}
	// beir_tiny, test split: BM25 ranks both judged queries' passages first (see TestEvalJSONOnTinyBEIR).
	bm := recs[1]
	if bm[0] != "beir_tiny" || bm[1] != "test" || bm[2] != "BM25" || bm[3] != "2" || bm[5] != "1.0000" || bm[10] != "1.0000" {
		t.Errorf("beir_tiny BM25 row %v", bm)
	}
	if !strings.Contains(bm[14], "bm25 k1=0.9,b=0.4; analyzer stem=off,stop=off,norm=all") {
		t.Errorf("row not stamped with its BM25 settings: %v", bm)
	}
	// the reranking set: per-group MRR in the MRR@10 column, no Top-k.
	rr := recs[3]
	if rr[0] != "rerank.tsv" || rr[5] != "—" || rr[10] != "1.0000" || !strings.Contains(rr[14], "reranking groups") {
		t.Errorf("rerank row %v", rr)
	}
	if !strings.Contains(errs, "bench: 2 datasets, 4 rows") {
		t.Errorf("stderr %q", errs)
	}
}

func TestBenchJSONAndErrors(t *testing.T) {
	code, out, errs := run(t, "bench", "--data", tiny, "--model", "bm25", "--model", "nosuch", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	var ok, bad lab.BenchRow
	if err := json.Unmarshal([]byte(lines[0]), &ok); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &bad); err != nil {
		t.Fatal(err)
	}
	if ok.Model != "BM25" || ok.Metrics["top1"] != 1 || ok.Err != "" {
		t.Errorf("BM25 row %+v", ok)
	}
	if bad.Model != "nosuch" || !strings.Contains(bad.Err, `unknown model "nosuch"`) {
		t.Errorf("bad model row %+v", bad)
	}
	if code, _, errs := run(t, "bench", "--data", tiny, "--format", "xml"); code != 2 || !strings.Contains(errs, "want table, markdown, csv or json") {
		t.Errorf("bad format: exit %d %q", code, errs)
	}
}
