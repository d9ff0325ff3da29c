package datasets

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// checkLoadWith is checkLoad with options.
func checkLoadWith(t *testing.T, fsys fstest.MapFS, p string, opt LoadOptions) {
	d, err := LoadFSWith(fsys, p, opt)
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
	_ = d.Issues()
	for _, s := range d.Splits() {
		if _, err := d.Subset(s); err != nil {
			t.Fatalf("Subset(%s): %v", s, err)
		}
	}
	_ = ComputeStats(d).Table()
}

func FuzzDelimited(f *testing.F) {
	f.Add(seed(f, "qa.csv"), false)
	f.Add(seed(f, "qa.tsv"), true)
	f.Add(seed(f, "bad/qa_open_quote.csv"), false)
	f.Add([]byte("query-id,corpus-id,score\n1,2,1\n"), false)
	f.Add([]byte("question\tcontext\n\"a\tb\"\tc\n"), true)
	f.Fuzz(func(t *testing.T, doc []byte, tab bool) {
		name := "rows.csv"
		if tab {
			name = "rows.tsv"
		}
		checkLoad(t, fstest.MapFS{name: {Data: doc}}, name)
		checkLoadWith(t, fstest.MapFS{name: {Data: doc}}, name, LoadOptions{Columns: map[string]string{"query": "b", "passage": "a"}})
	})
}

func FuzzSemEval(f *testing.F) {
	f.Add(seed(f, "semeval15/QA-Arabic-dev.xml"), seed(f, "semeval15/QA-Arabic-dev.gold"))
	f.Add(seed(f, "semeval16/SemEval2016-Task3-CQA-QL-dev-subtaskA.xml"), []byte(""))
	f.Add([]byte(`<root><Question QID="1"><QSubject>s</QSubject><Answer CID="7" CGOLD="?">t &bogus; <x></Answer></Question>`), []byte("1-7\tdirect\n"))
	f.Fuzz(func(t *testing.T, doc, gold []byte) {
		checkLoad(t, fstest.MapFS{"s/x-dev.xml": {Data: doc}, "s/x-dev.gold": {Data: gold}}, "s/x-dev.xml")
	})
}

func FuzzViQuAD(f *testing.F) {
	f.Add(seed(f, "viquad_dev.json"))
	f.Add([]byte(`[{"context": "a_b", "question": "c_d", "label": [["ANSWER", 0, 0, "a_b"], []]}]`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkLoad(t, fstest.MapFS{"v.json": {Data: doc}}, "v.json")
	})
}

func FuzzTriple(f *testing.F) {
	f.Add(seed(f, "triple/corpus.csv"), seed(f, "triple/claims_validation.csv"), seed(f, "triple/qrels/test.tsv"))
	f.Add([]byte("doc_id,text\n1,\"['a' 'b']\"\n"), []byte("id,claim\n1,q\n1,q\n"), []byte("1 0 1 1\n"))
	f.Fuzz(func(t *testing.T, corpus, queries, qrels []byte) {
		fsys := fstest.MapFS{"b/corpus.csv": {Data: corpus}, "b/queries.csv": {Data: queries}, "b/qrels/dev.tsv": {Data: qrels}}
		checkLoadWith(t, fsys, "b", LoadOptions{Corpus: "corpus.csv", Queries: "queries.csv", Qrels: "qrels/dev.tsv"})
	})
}

func FuzzListRepr(f *testing.F) {
	f.Add("['a.'\n 'b.']")
	f.Add(`["it's", 'x\'y']`)
	f.Add("[see 2]")
	f.Fuzz(func(t *testing.T, s string) {
		got := listRepr(s)
		if strings.TrimSpace(s) == "" || strings.TrimSpace(s)[0] != '[' {
			if got != s {
				t.Fatalf("non-list %q changed to %q", s, got)
			}
		}
		if len(got) > len(s) {
			t.Fatalf("listRepr(%q) = %q grew", s, got)
		}
	})
}

func FuzzSplitFolder(f *testing.F) {
	f.Add(seed(f, "splitfolder/set-train.json"), seed(f, "splitfolder/set-test.json"), "a-train.json", "a-test.json")
	f.Add(seed(f, "semeval16/SemEval2016-Task3-CQA-QL-dev-subtaskA.xml"), seed(f, "semeval16/SemEval2016-Task3-CQA-QL-dev-subtaskA.xml"), "x-dev.xml", "x_test.xml")
	f.Add(seed(f, "qa.csv"), seed(f, "viquad_dev.json"), "dev.csv", "test.json")
	f.Fuzz(func(t *testing.T, a, b []byte, na, nb string) {
		if !fs.ValidPath(na) || !fs.ValidPath(nb) || strings.Contains(na+nb, "/") || na == nb || na == "." || nb == "." {
			return
		}
		checkLoad(t, fstest.MapFS{"f/" + na: {Data: a}, "f/" + nb: {Data: b}}, "f")
	})
}

func FuzzParseColumns(f *testing.F) {
	f.Add("query=question,passage=context")
	f.Add("=,x")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseColumns(s)
		if err != nil {
			return
		}
		for role, h := range m {
			if !validRole(role) || h == "" {
				t.Fatalf("ParseColumns(%q) accepted %q=%q", s, role, h)
			}
		}
	})
}
