package datasets

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// fixtures is the repository's test data folder for datasets.
const fixtures = "../testdata/datasets"

func fx(name string) string { return filepath.Join(fixtures, name) }

// TestLoadFixtures checks every good fixture parses into exactly the expected dataset.
func TestLoadFixtures(t *testing.T) {
	tests := []struct {
		path string
		want *Dataset
	}{
		{"beir_tiny", &Dataset{
			Name: "beir_tiny", Format: "beir",
			Passages: []Passage{
				{ID: "d1", Title: "Cairo", Text: "Cairo is the capital of Egypt."},
				{ID: "d2", Text: "القاهرة هي عاصمة مصر وأكبر مدنها."},
				{ID: "3", Title: "Hà Nội", Text: "Hà Nội là thủ đô của nước Việt Nam."}, // numeric _id kept as its literal
				{ID: "d4", Text: "Paris is the capital of France."},
				{ID: "d5", Title: "Nile", Text: "The Nile flows north through Egypt."},
			},
			Queries: []Query{
				{ID: "q1", Text: "What is the capital of Egypt?"},
				{ID: "q2", Text: "ما هي عاصمة مصر؟"},
				{ID: "7", Text: "Thủ đô của Việt Nam là gì?"},
				{ID: "q4", Text: "capital of France"},
			},
			Qrels: map[Split]Qrels{
				Train: {"q1": {"d1": 1}, "q2": {"d2": 2}},        // header line skipped
				Test:  {"7": {"3": 1}, "q4": {"d4": 1, "d1": 0}}, // CRLF lines, grade 0 kept
			},
			// "7" lists d1 twice: kept once, in file order.
			HardNegatives: map[string][]string{"q1": {"d5", "d4"}, "7": {"d1", "d5"}},
		}},
		{"squad_train.json", &Dataset{
			Name: "squad_train", Format: "squad",
			Passages: []Passage{
				// The second Egypt paragraph differs only by surrounding space: same passage p1.
				{ID: "p1", Title: "Egypt", Text: "Cairo is the capital of Egypt. It lies on the Nile."},
				{ID: "p2", Title: "مصر", Text: "القاهرة هي عاصمة جمهورية مصر العربية."},
				{ID: "p3", Title: "Việt Nam", Text: "Hà Nội là thủ đô của nước Cộng hòa Xã hội chủ nghĩa Việt Nam."},
				{ID: "p4", Title: "Việt Nam", Text: "Sông Hồng chảy qua Hà Nội."}, // no questions, still in the corpus
			},
			Queries: []Query{ // e3 is_impossible: skipped
				{ID: "e1", Text: "What is the capital of Egypt?"},
				{ID: "e2", Text: "Which river runs through Cairo?"},
				{ID: "17", Text: "Where does Cairo lie?"},
				{ID: "a1", Text: "ما هي عاصمة مصر؟"},
				{ID: "v1", Text: "Thủ đô của Việt Nam là gì?"},
			},
			Qrels: map[Split]Qrels{Train: { // "train" in the file name
				"e1": {"p1": 1}, "e2": {"p1": 1}, "17": {"p1": 1}, "a1": {"p2": 1}, "v1": {"p3": 1},
			}},
			Answers: map[string][]string{ // e1's duplicate "Cairo" kept once
				"e1": {"Cairo"}, "e2": {"the Nile"}, "17": {"on the Nile"}, "a1": {"القاهرة"}, "v1": {"Hà Nội"},
			},
		}},
		{"triples.jsonl", &Dataset{
			Name: "triples", Format: "triples",
			Passages: []Passage{
				{ID: "p1", Text: "Cairo is the capital of Egypt."},
				{ID: "p2", Text: "Paris is the capital of France."},
				{ID: "p3", Text: "Berlin is the capital of Germany."},
			},
			// Row 3 repeats "capital of egypt": same query q1, its negatives merge.
			Queries: []Query{{ID: "q1", Text: "capital of egypt"}, {ID: "q2", Text: "capital of france"}},
			Qrels:   map[Split]Qrels{Train: {"q1": {"p1": 1}, "q2": {"p2": 1}}},
			// q1 listed its own positive p1 as a negative on row 1: dropped.
			HardNegatives: map[string][]string{"q1": {"p2", "p3"}, "q2": {"p3"}},
		}},
		{"dpr.json", &Dataset{
			Name: "dpr", Format: "dpr",
			Passages: []Passage{
				{ID: "101", Title: "Hamlet", Text: "Hamlet is a tragedy by William Shakespeare."},
				{ID: "102", Title: "Macbeth", Text: "Macbeth is a tragedy."},
				{ID: "p1", Title: "Paris", Text: "Paris is in France."},
				{ID: "p2", Title: "Oslo", Text: "Oslo is in Norway."},
			},
			// The third entry has no positive_ctxs: skipped with its negatives.
			Queries: []Query{{ID: "q1", Text: "who wrote hamlet"}, {ID: "q2", Text: "what is macbeth"}},
			Qrels:   map[Split]Qrels{Train: {"q1": {"101": 1}, "q2": {"102": 1}}},
			// q2's id-less Hamlet negative is the same text as passage 101.
			HardNegatives: map[string][]string{"q1": {"102", "p1"}, "q2": {"101", "p2"}},
			Answers:       map[string][]string{"q1": {"Shakespeare", "William Shakespeare"}},
		}},
		{"rerank.jsonl", &Dataset{
			Name: "rerank", Format: "rerank",
			Passages: []Passage{
				{ID: "p1", Text: "Cairo is the capital of Egypt."},
				{ID: "p2", Text: "Paris is the capital of France."},
				{ID: "p3", Text: "Berlin is the capital of Germany."},
				{ID: "p4", Text: "Cairo is the capital of Egypt."}, // row 5 repeats row 1: its own candidate
				{ID: "p5", Text: "The Nile flows through Cairo."},
			},
			Queries: []Query{{ID: "q1", Text: "capital of egypt"}, {ID: "q2", Text: "capital of france"}},
			// label true → 1; label 0 rows are judged 0. No row is merged with another.
			Qrels:      map[Split]Qrels{Test: {"q1": {"p1": 1, "p2": 0, "p4": 1, "p5": 2}, "q2": {"p2": 1, "p3": 0}}},
			Candidates: map[string][]string{"q1": {"p1", "p2", "p4", "p5"}, "q2": {"p2", "p3"}},
		}},
		{"rerank.tsv", &Dataset{
			Name: "rerank", Format: "rerank",
			Passages: []Passage{
				{ID: "p1", Text: "Hà Nội là thủ đô của Việt Nam."},
				{ID: "p2", Text: "Paris là thủ đô của Pháp."},
				{ID: "p3", Text: "القاهرة هي عاصمة مصر."},
				{ID: "p4", Text: "باريس عاصمة فرنسا."},
			},
			Queries:    []Query{{ID: "q1", Text: "thủ đô việt nam"}, {ID: "q2", Text: "عاصمة مصر"}},
			Qrels:      map[Split]Qrels{Test: {"q1": {"p1": 1, "p2": 0}, "q2": {"p3": 1, "p4": 0}}},
			Candidates: map[string][]string{"q1": {"p1", "p2"}, "q2": {"p3", "p4"}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got, err := Load(fx(tc.path))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got.Source != fx(tc.path) {
				t.Errorf("Source = %q, want %q", got.Source, fx(tc.path))
			}
			tc.want.Source = got.Source
			assertDataset(t, got, tc.want)
		})
	}
}

// assertDataset compares field by field for readable failures.
func assertDataset(t *testing.T, got, want *Dataset) {
	t.Helper()
	if got.Name != want.Name || got.Format != want.Format {
		t.Errorf("Name/Format = %q/%q, want %q/%q", got.Name, got.Format, want.Name, want.Format)
	}
	if !reflect.DeepEqual(got.Passages, want.Passages) {
		t.Errorf("Passages =\n%#v\nwant\n%#v", got.Passages, want.Passages)
	}
	if !reflect.DeepEqual(got.Queries, want.Queries) {
		t.Errorf("Queries =\n%#v\nwant\n%#v", got.Queries, want.Queries)
	}
	if !reflect.DeepEqual(got.Qrels, want.Qrels) {
		t.Errorf("Qrels = %v, want %v", got.Qrels, want.Qrels)
	}
	if !reflect.DeepEqual(got.HardNegatives, want.HardNegatives) {
		t.Errorf("HardNegatives = %v, want %v", got.HardNegatives, want.HardNegatives)
	}
	if !reflect.DeepEqual(got.Answers, want.Answers) {
		t.Errorf("Answers = %v, want %v", got.Answers, want.Answers)
	}
	if !reflect.DeepEqual(got.Candidates, want.Candidates) {
		t.Errorf("Candidates = %v, want %v", got.Candidates, want.Candidates)
	}
	if got.IsRerank() != (want.Candidates != nil) {
		t.Errorf("IsRerank = %v", got.IsRerank())
	}
}

// TestLoadBadFixtures checks malformed files on disk give exact, located errors.
func TestLoadBadFixtures(t *testing.T) {
	b := filepath.Join(fixtures, "bad")
	tests := []struct {
		path string
		want string
		line int
	}{
		{"beir_missing_id", filepath.Join(b, "beir_missing_id", "corpus.jsonl") + `:3: field "_id": missing`, 3},
		{"beir_unknown_passage", filepath.Join(b, "beir_unknown_passage", "qrels", "test.tsv") + `:3: field "corpus-id": unknown passage id "d9"`, 3},
		{"squad_context_type.json", filepath.Join(b, "squad_context_type.json") + `: data[1].paragraphs[0]: field "context": not a string (got number)`, 0},
		{"dpr_syntax.json", filepath.Join(b, "dpr_syntax.json") + `:3:19: invalid JSON: invalid character '"' after object key:value pair`, 3},
		{"triples_no_positive.jsonl", filepath.Join(b, "triples_no_positive.jsonl") + `:2: field "positive": missing`, 2},
		{"rerank_bad_label.tsv", filepath.Join(b, "rerank_bad_label.tsv") + `:2: field "label": not an integer: "maybe"`, 2},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			_, err := Load(filepath.Join(b, tc.path))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if err.Error() != tc.want {
				t.Errorf("error =\n%s\nwant\n%s", err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if pe.Line != tc.line {
				t.Errorf("Line = %d, want %d", pe.Line, tc.line)
			}
		})
	}
	if _, err := Load(filepath.Join(b, "unknown_keys.jsonl")); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("unknown_keys.jsonl: err = %v, want ErrUnknownFormat", err)
	}
}

// TestLoadFSErrors covers every parser's error paths with in-memory files.
func TestLoadFSErrors(t *testing.T) {
	beir := func(corpus, queries, qrels string, extra ...string) fstest.MapFS {
		m := fstest.MapFS{
			"b/corpus.jsonl":  {Data: []byte(corpus)},
			"b/queries.jsonl": {Data: []byte(queries)},
		}
		if qrels != "" {
			m["b/qrels/test.tsv"] = &fstest.MapFile{Data: []byte(qrels)}
		}
		for i := 0; i+1 < len(extra); i += 2 {
			m["b/"+extra[i]] = &fstest.MapFile{Data: []byte(extra[i+1])}
		}
		return m
	}
	const okC = `{"_id":"d1","text":"one"}` + "\n" + `{"_id":"d2","text":"two"}` + "\n"
	const okQ = `{"_id":"q1","text":"one?"}` + "\n"
	const okR = "q1\td1\t1\n"
	file := func(name, data string) fstest.MapFS { return fstest.MapFS{name: {Data: []byte(data)}} }
	tests := []struct {
		name string
		fsys fstest.MapFS
		path string
		want string
	}{
		// BEIR corpus
		{"corpus text type", beir(`{"_id":"d1","text":5}`, okQ, okR), "b", `b/corpus.jsonl:1: field "text": not a string (got number)`},
		{"corpus bad json", beir(okC+`{"_id": "d3", "text": "x"`, okQ, okR), "b", `b/corpus.jsonl:3:26: invalid JSON: the line ends inside a value: want the rest of the value and its closing brackets (JSONL holds one whole JSON object per line)`},
		{"corpus not object", beir(`[1,2]`, okQ, okR), "b", `b/corpus.jsonl:1: not a JSON object (got array)`},
		{"corpus dup id", beir(okC+`{"_id":"d1","text":"again"}`, okQ, okR), "b", `b/corpus.jsonl:3: field "_id": duplicate id "d1" (first on line 1)`},
		{"corpus empty text", beir(`{"_id":"d1","title":"","text":"  "}`, okQ, okR), "b", `b/corpus.jsonl:1: field "text": empty`},
		{"corpus missing text", beir(`{"_id":"d1","title":"t"}`, okQ, okR), "b", `b/corpus.jsonl:1: field "text": missing`},
		{"corpus id object", beir(`{"_id":{"a":1},"text":"x"}`, okQ, okR), "b", `b/corpus.jsonl:1: field "_id": not a string or number (got object)`},
		{"corpus empty id", beir(`{"_id":"","text":"x"}`, okQ, okR), "b", `b/corpus.jsonl:1: field "_id": empty`},
		{"corpus empty", beir("\n  \n", okQ, okR), "b", `b/corpus.jsonl: no passages`},
		// BEIR queries
		{"queries missing", fstest.MapFS{"b/corpus.jsonl": {Data: []byte(okC)}}, "b", `b/queries.jsonl: missing file`},
		{"queries dup", beir(okC, okQ+`{"_id":"q1","text":"x"}`, okR), "b", `b/queries.jsonl:2: field "_id": duplicate id "q1" (first on line 1)`},
		{"queries empty", beir(okC, "", okR), "b", `b/queries.jsonl: no queries`},
		// BEIR qrels
		{"qrels unknown query", beir(okC, okQ, "q9\td1\t1\n"), "b", `b/qrels/test.tsv:1: field "query-id": unknown query id "q9"`},
		{"qrels bad grade", beir(okC, okQ, okR+"q1\td2\t1.5\n"), "b", `b/qrels/test.tsv:2: field "score": not an integer: "1.5"`},
		{"qrels header twice", beir(okC, okQ, "query-id\tcorpus-id\tscore\nquery-id\tcorpus-id\tscore\n"), "b", `b/qrels/test.tsv:2: field "score": not an integer: "score"`},
		{"qrels columns", beir(okC, okQ, "q1\td1\n"), "b", `b/qrels/test.tsv:1: want 3 tab-separated columns (query-id, corpus-id, score), got 2`},
		{"qrels conflict", beir(okC, okQ, okR+"q1\td1\t2\n"), "b", `b/qrels/test.tsv:2: conflicting grades 1 and 2 for query "q1", passage "d1"`},
		{"qrels none", beir(okC, okQ, ""), "b", `b/qrels: no judgements (want qrels/train.tsv, qrels/dev.tsv or qrels/test.tsv)`},
		// BEIR hard negatives
		{"negatives unknown passage", beir(okC, okQ, okR, "hard_negatives.jsonl", `{"query_id":"q1","negatives":["d2","zz"]}`), "b", `b/hard_negatives.jsonl:1: field "negatives[1]": unknown passage id "zz"`},
		{"negatives positive", beir(okC, okQ, okR, "hard_negatives.jsonl", `{"query_id":"q1","negatives":["d1"]}`), "b", `b/hard_negatives.jsonl:1: field "negatives[0]": passage "d1" is judged relevant for query "q1" in test`},
		{"negatives unknown query", beir(okC, okQ, okR, "hard_negatives.jsonl", `{"query_id":"q2","negatives":[]}`), "b", `b/hard_negatives.jsonl:1: field "query_id": unknown query id "q2"`},
		{"negatives not list", beir(okC, okQ, okR, "hard_negatives.jsonl", `{"query_id":"q1","negatives":"d2"}`), "b", `b/hard_negatives.jsonl:1: field "negatives": not a list (got string)`},
		// SQuAD
		{"squad data not list", file("s.json", `{"data": {}}`), "s.json", `s.json: field "data": not a list`},
		{"squad article type", file("s.json", `{"data": [1]}`), "s.json", `s.json: data[0]: not an object (got number)`},
		{"squad no paragraphs", file("s.json", `{"data": [{"title": "t"}]}`), "s.json", `s.json: data[0]: field "paragraphs": missing`},
		{"squad title type", file("s.json", `{"data": [{"title": [], "paragraphs": []}]}`), "s.json", `s.json: data[0]: field "title": not a string (got list)`},
		{"squad empty question", file("s.json", `{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "x", "question": " "}]}]}]}`),
			"s.json", `s.json: data[0].paragraphs[0].qas[0]: field "question": empty`},
		{"squad dup id", file("s.json", `{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "x", "question": "a"}]}, {"context": "d", "qas": [{"id": "x", "question": "b"}]}]}]}`),
			"s.json", `s.json: data[0].paragraphs[1].qas[0]: field "id": duplicate id "x" (first at data[0].paragraphs[0].qas[0])`},
		{"squad answers type", file("s.json", `{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "x", "question": "a", "answers": "c"}]}]}]}`),
			"s.json", `s.json: data[0].paragraphs[0].qas[0]: field "answers": not a list (got string)`},
		{"squad answer text", file("s.json", `{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "x", "question": "a", "answers": [{"text": 5}]}]}]}]}`),
			"s.json", `s.json: data[0].paragraphs[0].qas[0].answers[0]: field "text": not a string (got number)`},
		{"squad impossible type", file("s.json", `{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "x", "question": "a", "is_impossible": "yes"}]}]}]}`),
			"s.json", `s.json: data[0].paragraphs[0].qas[0]: field "is_impossible": not a boolean (got string)`},
		{"squad no questions", file("s.json", `{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "x", "question": "a", "is_impossible": true}]}]}]}`),
			"s.json", `s.json: no answerable questions`},
		{"squad syntax", file("s.json", "{\"data\": [\n{\"title\": \"t\",\n \"paragraphs\": [}\n]}"), "s.json", `s.json:3:17: invalid JSON: invalid character '}' looking for beginning of value`},
		// triples
		{"triples query type", file("t.jsonl", `{"query": 1, "positive": "p"}`), "t.jsonl", `t.jsonl:1: field "query": not a string (got number)`},
		{"triples empty positives", file("t.jsonl", `{"query": "q", "positives": []}`), "t.jsonl", `t.jsonl:1: field "positives": empty list`},
		{"triples positive element", file("t.jsonl", `{"query": "q", "positives": ["a", 3]}`), "t.jsonl", `t.jsonl:1: field "positives[1]": not a string or object (got number)`},
		{"triples negatives type", file("t.jsonl", `{"query": "q", "positive": "a", "negatives": {}}`), "t.jsonl", `t.jsonl:1: field "negatives": not a string or list (got object)`},
		{"triples bad json", file("t.jsonl", `{"query": "q", "positive": "a"}`+"\n"+`{"query": "q", positive}`), "t.jsonl", `t.jsonl:2:16: invalid JSON: invalid character 'p' looking for beginning of object key string`},
		// DPR
		{"dpr ctxs type", file("d.json", `[{"question": "q", "positive_ctxs": [{"text": "a"}]}, {"question": "r", "positive_ctxs": {}}]`),
			"d.json", `d.json: [1]: field "positive_ctxs": not a list (got object)`},
		{"dpr missing text", file("d.json", `[{"question": "q", "positive_ctxs": [{"title": "t"}]}]`), "d.json", `d.json: [0].positive_ctxs[0]: field "text": missing`},
		{"dpr missing question", file("d.json", `[{"question": "q", "positive_ctxs": [{"text": "a"}]}, {"positive_ctxs": []}]`), "d.json", `d.json: [1]: field "question": missing`},
		{"dpr id conflict", file("d.json", `[{"question": "q", "positive_ctxs": [{"text": "a", "passage_id": "1"}, {"text": "b", "passage_id": 1}]}]`),
			"d.json", `d.json: [0].positive_ctxs[1]: field "passage_id": id "1" already used for a different passage`},
		{"dpr no positives", file("d.json", `[{"question": "q", "positive_ctxs": []}]`), "d.json", `d.json: no questions with positive_ctxs`},
		{"dpr entry type", file("d.json", `[{"question": "q", "positive_ctxs": []}, "x"]`), "d.json", `d.json: [1]: not an object (got string)`},
		// rerank
		{"rerank missing label", file("r.jsonl", `{"query": "q", "passage": "p", "label": 1}`+"\n"+`{"query": "q", "passage": "p2"}`), "r.jsonl", `r.jsonl:2: field "label": missing`},
		{"rerank float label", file("r.jsonl", `{"query": "q", "passage": "p", "label": 0.5}`), "r.jsonl", `r.jsonl:1: field "label": not an integer: "0.5"`},
		{"rerank label type", file("r.jsonl", `{"query": "q", "passage": "p", "label": [1]}`), "r.jsonl", `r.jsonl:1: field "label": not a number (got list)`},
		{"rerank missing passage", file("r.jsonl", `{"query": "q", "passage": "p", "label": 1}`+"\n"+`{"query": "q", "label": 1}`), "r.jsonl", `r.jsonl:2: field "passage": missing`},
		{"rerank no positive", file("r.jsonl", `{"query": "q", "passage": "p", "label": 0}`), "r.jsonl", `r.jsonl: no row has a positive label`},
		{"rerank tsv columns", file("r.tsv", "q\tp\n"), "r.tsv", `r.tsv:1: want 3 tab-separated columns (query, passage, label), got 2`},
		{"rerank tsv empty query", file("r.tsv", "q\tp\t1\n \tp\t1\n"), "r.tsv", `r.tsv:2: field "query": empty`},
		{"rerank tsv empty", file("r.tsv", "query\tpassage\tlabel\n"), "r.tsv", `r.tsv: no rows`},
		{"jsonl empty", file("e.jsonl", "\n\n"), "e.jsonl", `e.jsonl: no rows`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := LoadFS(tc.fsys, tc.path)
			if err == nil {
				t.Fatalf("LoadFS succeeded (%d passages), want %s", len(d.Passages), tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("error =\n%s\nwant\n%s", err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
		})
	}
}

// TestDetectUnknown checks unsupported inputs wrap ErrUnknownFormat and list the formats.
func TestDetectUnknown(t *testing.T) {
	fsys := fstest.MapFS{
		"x.csv":       {Data: []byte("a,b\n")},
		"dir/a.txt":   {Data: []byte("x")},
		"obj.json":    {Data: []byte(`{"version": 1}`)},
		"arr.json":    {Data: []byte(`[{"question": "q"}]`)},
		"keys.jsonl":  {Data: []byte(`{"query": "q", "answer": "a"}`)},
		"empty.json":  {Data: []byte(`[]`)},
		"scalar.json": {Data: []byte(`3`)},
	}
	for _, p := range []string{"x.csv", "dir", "obj.json", "arr.json", "keys.jsonl", "empty.json", "scalar.json"} {
		_, err := LoadFS(fsys, p)
		if !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("%s: err = %v, want ErrUnknownFormat", p, err)
			continue
		}
		if p != "keys.jsonl" && p != "x.csv" && !strings.Contains(err.Error(), "supported: BEIR folder") {
			t.Errorf("%s: error does not list the formats: %v", p, err)
		}
	}
	if _, err := LoadFS(fsys, "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: err = %v, want fs.ErrNotExist", err)
	}
	if _, err := Load(filepath.Join(fixtures, "does-not-exist")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load missing: err = %v, want fs.ErrNotExist", err)
	}
}

// TestLoadVariants covers accepted spellings: aliases, BOM, long lines, numbers, ids colliding with generated ones.
func TestLoadVariants(t *testing.T) {
	long := strings.Repeat("word ", 80000) // 400 KB line: beyond the 256 KiB read buffer and bufio.Scanner's 64 KiB
	fsys := fstest.MapFS{
		"b/corpus.jsonl":      {Data: []byte("\xef\xbb\xbf" + `{"_id":"d1","text":"` + long + `"}` + "\n" + `{"_id":2.5,"title":"only title","text":""}`)},
		"b/queries.jsonl":     {Data: []byte(`{"_id":"q1","text":"q"}`)},
		"b/qrels/dev.tsv":     {Data: []byte("q1 0 d1 1\nq1\t2.5\t1.0\n")}, // TREC 4-column line, then "1.0" grade
		"alias.jsonl":         {Data: []byte(`{"anchor": "a", "pos": ["x", {"text": "y", "title": "T"}], "neg": ["z"]}`)},
		"gen.json":            {Data: []byte(`[{"question": "q", "positive_ctxs": [{"text": "a"}, {"text": "b", "passage_id": "p1"}]}]`)},
		"val-squad.json":      {Data: []byte(`{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": 1, "question": "a"}]}]}]}`)},
		"x/queries.jsonl":     {Data: []byte(`{"_id":"q1","text":"q"}`)},
		"x/corpus.jsonl":      {Data: []byte(`{"_id":"d1","text":"t"}`)},
		"x/qrels/train.tsv":   {Data: []byte("q1\td1\t1")},
		"x/qrels/other.tsv":   {Data: []byte("garbage")}, // not a split file: ignored
		"r.jsonl":             {Data: []byte(`{"question": "q", "candidate": "c", "label": "1"}`)},
		"crlf.tsv":            {Data: []byte("q\tp\t1\r\n")},
		"test-questions.json": {Data: []byte(`{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "a", "question": "b"}]}]}]}`)},
	}
	b, err := LoadFS(fsys, "b")
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Passages[0].Text; got != strings.TrimSpace(long) {
		t.Errorf("long line: got %d bytes, want %d", len(got), len(strings.TrimSpace(long)))
	}
	if b.Passages[1] != (Passage{ID: "2.5", Title: "only title"}) {
		t.Errorf("title-only passage = %#v", b.Passages[1])
	}
	if want := (map[Split]Qrels{Dev: {"q1": {"d1": 1, "2.5": 1}}}); !reflect.DeepEqual(b.Qrels, want) {
		t.Errorf("qrels = %v, want %v", b.Qrels, want)
	}

	a, err := LoadFS(fsys, "alias.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	assertDataset(t, a, &Dataset{Name: "alias", Format: "triples",
		Passages:      []Passage{{ID: "p1", Text: "x"}, {ID: "p2", Title: "T", Text: "y"}, {ID: "p3", Text: "z"}},
		Queries:       []Query{{ID: "q1", Text: "a"}},
		Qrels:         map[Split]Qrels{Train: {"q1": {"p1": 1, "p2": 1}}},
		HardNegatives: map[string][]string{"q1": {"p3"}},
	})

	// "b" claims p1, so the id-less "a" gets p2.
	g, err := LoadFS(fsys, "gen.json")
	if err != nil {
		t.Fatal(err)
	}
	if want := []Passage{{ID: "p2", Text: "a"}, {ID: "p1", Text: "b"}}; !reflect.DeepEqual(g.Passages, want) {
		t.Errorf("generated ids = %v, want %v", g.Passages, want)
	}

	for name, want := range map[string]Split{"val-squad.json": Dev, "test-questions.json": Test} {
		s, err := LoadFS(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Splits(); len(got) != 1 || got[0] != want {
			t.Errorf("%s: splits %v, want [%s]", name, got, want)
		}
	}

	// A BEIR file path loads its folder.
	x, err := LoadFS(fsys, "x/queries.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if x.Format != "beir" || x.Name != "x" || len(x.Qrels) != 1 {
		t.Errorf("x/queries.jsonl: format %q name %q qrels %v", x.Format, x.Name, x.Qrels)
	}

	r, err := LoadFS(fsys, "r.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Qrels, map[Split]Qrels{Test: {"q1": {"p1": 1}}}) {
		t.Errorf("string label: qrels %v", r.Qrels)
	}
	c, err := LoadFS(fsys, "crlf.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if c.Passages[0].Text != "p" || c.Qrels[Test]["q1"]["p1"] != 1 {
		t.Errorf("crlf.tsv: %v %v", c.Passages, c.Qrels)
	}
}
