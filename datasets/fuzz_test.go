package datasets

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// Fuzz property for every parser: no panic; either a *ParseError / ErrUnknownFormat
// error, or a dataset that passes Validate. Seeds come from the fixtures; crashers
// found by `go test -fuzz` are kept under testdata/fuzz/<Target>/.

// seed reads a fixture, failing the fuzz setup when it is gone.
func seed(f *testing.F, name string) []byte {
	f.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// checkLoad asserts the fuzz property for one in-memory input.
func checkLoad(t *testing.T, fsys fstest.MapFS, p string) {
	d, err := LoadFS(fsys, p)
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) && !errors.Is(err, ErrUnknownFormat) {
			t.Fatalf("unexpected error kind %T: %v", err, err)
		}
		return
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("loaded dataset fails Validate: %v", err)
	}
	_ = ComputeStats(d).Table() // must not panic either
}

func FuzzBEIRCorpus(f *testing.F) {
	f.Add(seed(f, "beir_tiny/corpus.jsonl"))
	f.Add(seed(f, "bad/beir_missing_id/corpus.jsonl"))
	f.Add([]byte(`{"_id": 1, "text": "\u00e9\ud800"}`))
	f.Fuzz(func(t *testing.T, corpus []byte) {
		checkLoad(t, fstest.MapFS{
			"b/corpus.jsonl":    {Data: corpus},
			"b/queries.jsonl":   {Data: []byte(`{"_id":"q1","text":"q"}`)},
			"b/qrels/test.tsv":  {Data: []byte("q1\td1\t1\n")},
			"b/qrels/train.tsv": {Data: []byte("q1\t3\t1\n")},
		}, "b")
	})
}

func FuzzBEIRQrels(f *testing.F) {
	f.Add(seed(f, "beir_tiny/queries.jsonl"), seed(f, "beir_tiny/qrels/test.tsv"), seed(f, "beir_tiny/hard_negatives.jsonl"))
	f.Add(seed(f, "beir_tiny/queries.jsonl"), seed(f, "beir_tiny/qrels/train.tsv"), []byte(`{"query_id":"q1","negatives":[1]}`))
	f.Add([]byte(`{"_id":"q1","text":"x"}`), []byte("q1 0 d1 1.0\n"), []byte(""))
	corpus := seed(f, "beir_tiny/corpus.jsonl")
	f.Fuzz(func(t *testing.T, queries, qrels, negs []byte) {
		checkLoad(t, fstest.MapFS{
			"b/corpus.jsonl":         {Data: corpus},
			"b/queries.jsonl":        {Data: queries},
			"b/qrels/dev.tsv":        {Data: qrels},
			"b/hard_negatives.jsonl": {Data: negs},
		}, "b")
	})
}

func FuzzSQuAD(f *testing.F) {
	f.Add(seed(f, "squad_train.json"))
	f.Add(seed(f, "bad/squad_context_type.json"))
	f.Add([]byte(`{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": 1, "question": "a", "is_impossible": false}]}]}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkLoad(t, fstest.MapFS{"dev.json": {Data: doc}}, "dev.json")
	})
}

func FuzzDPR(f *testing.F) {
	f.Add(seed(f, "dpr.json"))
	f.Add(seed(f, "bad/dpr_syntax.json"))
	f.Add([]byte(`[{"question": "q", "positive_ctxs": [{"text": "a", "psg_id": 3}, {"text": "b", "passage_id": "p1"}]}]`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkLoad(t, fstest.MapFS{"d.json": {Data: doc}}, "d.json")
	})
}

func FuzzTriples(f *testing.F) {
	f.Add(seed(f, "triples.jsonl"))
	f.Add(seed(f, "bad/triples_no_positive.jsonl"))
	f.Add([]byte(`{"anchor": "a", "pos": ["x", {"text": "y", "passage_id": "p1"}], "neg": "x"}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkLoad(t, fstest.MapFS{"t.jsonl": {Data: doc}}, "t.jsonl")
	})
}

func FuzzRerankJSONL(f *testing.F) {
	f.Add(seed(f, "rerank.jsonl"))
	f.Add([]byte(`{"question": "q", "document": "d", "label": "2"}` + "\n" + `{"question": "q", "document": "d", "label": 2.0}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkLoad(t, fstest.MapFS{"r.jsonl": {Data: doc}}, "r.jsonl")
	})
}

func FuzzRerankTSV(f *testing.F) {
	f.Add(seed(f, "rerank.tsv"))
	f.Add(seed(f, "bad/rerank_bad_label.tsv"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkLoad(t, fstest.MapFS{"r.tsv": {Data: doc}}, "r.tsv")
	})
}
