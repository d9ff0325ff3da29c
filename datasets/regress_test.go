package datasets

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// Regression tests for the findings of the "new user" issue.

func TestSplitFromName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Split
		ok   bool
	}{
		{"dev_ViNewsQA.json", Dev, true},
		{"test_ViNewsQA.json", Test, true},
		{"arcd-test.json", Test, true},
		{"arcd-train.json", Train, true},
		{"SemEval2016-Task3-CQA-QL-dev-subtaskA.xml", Dev, true},
		{"tydiqa-goldp-dev-arabic.json", Dev, true},
		{"MLQA-dev-context-ar-question-ar.json", Dev, true},
		{"claims_validation.csv", Dev, true},
		{"QA-Arabic-dev.xml", Dev, true},
		{"dir/val.squad.json", Dev, true},
		{"evaluation.json", "", false}, // not "val" (substring)
		{"devices.json", "", false},
		{"contest.json", "", false},
		{"arcd.json", "", false},
		{"train-vs-test.json", "", false}, // two splits: ambiguous
	} {
		got, ok := SplitFromName(tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("SplitFromName(%q) = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

const tinySQuAD = `{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "a", "question": "b"}]}]}]}`

func TestDefaultSplit(t *testing.T) {
	fsys := fstest.MapFS{
		"evaluation.json":   {Data: []byte(tinySQuAD)},
		"dev_ViNewsQA.json": {Data: []byte(tinySQuAD)},
	}
	d, err := LoadFS(fsys, "evaluation.json")
	if err != nil {
		t.Fatal(err)
	}
	if s, why := d.DefaultSplit(); s != Test || why != "only split present: test" {
		t.Errorf("evaluation.json: DefaultSplit = %q, %q", s, why)
	}
	wantNote := "evaluation.json names no split (train, dev or test as a whole name part): its questions form the test split"
	if !reflect.DeepEqual(d.Notes, []string{wantNote}) {
		t.Errorf("Notes = %q", d.Notes)
	}
	d, err = LoadFS(fsys, "dev_ViNewsQA.json")
	if err != nil {
		t.Fatal(err)
	}
	if s, why := d.DefaultSplit(); s != Dev || why != "only split present: dev" || d.Notes != nil {
		t.Errorf("dev_ViNewsQA.json: DefaultSplit = %q, %q; notes %q", s, why, d.Notes)
	}
	multi := &Dataset{Qrels: map[Split]Qrels{Train: {"q": {"p": 1}}, Dev: {"q": {"p": 1}}}}
	if s, why := multi.DefaultSplit(); s != Dev || why != "dev split (present: train, dev)" {
		t.Errorf("train+dev: %q, %q", s, why)
	}
	multi.Qrels[Test] = Qrels{"q": {"p": 1}}
	if s, why := multi.DefaultSplit(); s != Test || why != "test split (present: train, dev, test)" {
		t.Errorf("train+dev+test: %q, %q", s, why)
	}
	if s, why := (&Dataset{}).DefaultSplit(); s != "" || why != "no split has judgements" {
		t.Errorf("empty: %q, %q", s, why)
	}
}

// A BEIR qrels file given as data must not load as reranking rows (it scored MAP 1.000).
func TestQrelsFileRefused(t *testing.T) {
	const msg = "this is a qrels file (%s), not a dataset: it holds ids, not texts; " +
		"give it with --qrels, with the passages as --corpus and the questions as --queries"
	fsys := fstest.MapFS{
		"scifact/qrels/test.tsv": {Data: []byte("query-id\tcorpus-id\tscore\n1\t31715818\t1\n3\t14717500\t1\n")},
		"noheader.tsv":           {Data: []byte("1\t31715818\t1\n3\t14717500\t1\n")},
		"trec.tsv":               {Data: []byte("qid\titer\tdocid\trel\n")},
	}
	for p, want := range map[string]string{
		"scifact/qrels/test.tsv": "scifact/qrels/test.tsv:1: " + strings.Replace(msg, "%s", "header query-id corpus-id score", 1),
		"noheader.tsv":           "noheader.tsv: " + strings.Replace(msg, "%s", "every row is query-id, corpus-id, score", 1),
		"trec.tsv":               "trec.tsv:1: " + strings.Replace(msg, "%s", "header qid iter docid rel", 1),
	} {
		_, err := LoadFS(fsys, p)
		if err == nil || err.Error() != want {
			t.Errorf("%s: err =\n%v\nwant\n%s", p, err, want)
		}
		if !errors.Is(err, ErrQrelsFile) || !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("%s: %v does not wrap ErrQrelsFile and ErrUnknownFormat", p, err)
		}
	}
}

// Rows with equal passage text in one group stay separate candidates; conflicting labels
// for one candidate id are warnings, not fatal.
func TestRerankKeepsEqualTexts(t *testing.T) {
	fsys := fstest.MapFS{"r.tsv": {Data: []byte("q\tsame text\t1\nq\tsame text\t0\nq\tother\t0\nq\tsame text\t1\n")}}
	d, err := LoadFS(fsys, "r.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string][]string{"q1": {"p1", "p2", "p3", "p4"}}; !reflect.DeepEqual(d.Candidates, want) {
		t.Errorf("Candidates = %v, want %v", d.Candidates, want)
	}
	if want := (Qrels{"q1": {"p1": 1, "p2": 0, "p3": 0, "p4": 1}}); !reflect.DeepEqual(d.Qrels[Test], want) {
		t.Errorf("Qrels = %v, want %v", d.Qrels[Test], want)
	}
	want := []string{`line 2: query "q1": candidates "p1" and "p2" have the same text but labels 1 and 0`}
	if !reflect.DeepEqual(d.Warnings, want) {
		t.Errorf("Warnings = %q, want %q", d.Warnings, want)
	}
}

func TestRerankConflictWarning(t *testing.T) {
	b := newRerankBuilder()
	for i, l := range []int{2, 0, 2} {
		if msg := b.add(rerankRow{qid: "Q1", qtext: "q", pid: "C1", ptext: "c", label: l, at: "row " + string(rune('1'+i))}); msg != "" {
			t.Fatal(msg)
		}
	}
	if msg := b.add(rerankRow{qid: "Q1", qtext: "q", pid: "C1", ptext: "changed"}); msg != `candidate id "C1" already used for a different text` {
		t.Errorf("reused id: %q", msg)
	}
	d := b.finish(Dev)
	if want := []string{`row 2: query "Q1": conflicting labels 2 and 0 for candidate "C1" (kept 2)`}; !reflect.DeepEqual(d.Warnings, want) {
		t.Errorf("Warnings = %q", d.Warnings)
	}
	if !reflect.DeepEqual(d.Candidates, map[string][]string{"Q1": {"C1"}}) || d.Qrels[Dev]["Q1"]["C1"] != 2 {
		t.Errorf("Candidates %v Qrels %v", d.Candidates, d.Qrels)
	}
	if got := d.Issues(); len(got) != 4 || got[0] != d.Warnings[0] {
		t.Errorf("Issues = %q", got)
	}
}

// A truncated one-line JSON file reports line, column and byte offset and what was expected.
func TestJSONErrorPosition(t *testing.T) {
	long := `{"data": [{"paragraphs": [{"context": "` + strings.Repeat("x", 300) + `", "qas": [`
	fsys := fstest.MapFS{
		"cut.json":  {Data: []byte(long)},
		"bad.json":  {Data: []byte(long + `{"id": "a" "question": "q"}]}]}]}`)},
		"arab.json": {Data: []byte("{\"data\": [\n{\"title\": \"مصر\" ]")},
	}
	for p, want := range map[string]string{
		"cut.json":  "cut.json:1:351 (byte 350): invalid JSON: the file ends inside a value (truncated?): want the rest of the value and its closing brackets",
		"bad.json":  "bad.json:1:362 (byte 361): invalid JSON: invalid character '\"' after object key:value pair",
		"arab.json": "arab.json:2:17: invalid JSON: invalid character ']' after object key:value pair",
	} {
		_, err := LoadFS(fsys, p)
		if err == nil || err.Error() != want {
			t.Errorf("%s: err =\n%v\nwant\n%s", p, err, want)
		}
	}
}

// A huge one-row set loads (the data is consistent) but Issues says its metrics are meaningless.
func TestOneRowSetWarned(t *testing.T) {
	big := strings.Repeat("word ", (2<<20)/5)
	fsys := fstest.MapFS{"one.tsv": {Data: []byte("q\t" + big + "\t1")}}
	d, err := LoadFS(fsys, "one.tsv")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"only 1 query: metrics over a single query are meaningless",
		"only 1 passage: every ranking is the same, metrics are meaningless",
		"test: 1 of 1 judged candidate groups have a single candidate or only relevant candidates, so any ranking scores 1: metrics are meaningless",
		`1 passage(s) over 1 MiB (passage "p1" is 2097149 bytes): a whole file read as one row?`,
	}
	if got := d.Issues(); !reflect.DeepEqual(got, want) {
		t.Errorf("Issues =\n%q\nwant\n%q", got, want)
	}
}

// Reranking JSONL rows may carry their own ids; equal texts with their own ids stay apart.
func TestRerankJSONLIDs(t *testing.T) {
	rows := `{"query_id": "Q7", "query": "q", "passage_id": "C1", "passage": "same", "label": 1}
{"query_id": "Q7", "query": "q", "doc_id": 2, "passage": "same", "label": 0}
{"query_id": "Q7", "query": "q", "passage_id": "C1", "passage": "same", "label": 0}
`
	d, err := LoadFS(fstest.MapFS{"r.jsonl": {Data: []byte(rows)}}, "r.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Candidates, map[string][]string{"Q7": {"C1", "2"}}) || !reflect.DeepEqual(d.Qrels[Test], Qrels{"Q7": {"C1": 1, "2": 0}}) {
		t.Errorf("Candidates %v Qrels %v", d.Candidates, d.Qrels)
	}
	want := []string{
		`line 2: query "Q7": candidates "C1" and "2" have the same text but labels 1 and 0`,
		`line 3: query "Q7": conflicting labels 1 and 0 for candidate "C1" (kept 1)`,
	}
	if !reflect.DeepEqual(d.Warnings, want) {
		t.Errorf("Warnings = %q", d.Warnings)
	}
	bad := `{"query_id": "Q7", "query": "q", "passage": "a", "label": 1}
{"query_id": "Q7", "query": "other", "passage": "b", "label": 1}`
	if _, err := LoadFS(fstest.MapFS{"r.jsonl": {Data: []byte(bad)}}, "r.jsonl"); err == nil || err.Error() != `r.jsonl:2: query id "Q7" already used for a different text` {
		t.Errorf("err = %v", err)
	}
}

// Issues counts a SemEval group as trivial only when every candidate is Good (rel-min 2).
func TestIssuesUseRelMinDefault(t *testing.T) {
	d := &Dataset{Passages: []Passage{{ID: "a", Text: "x"}, {ID: "b", Text: "y"}}, Queries: []Query{{ID: "q", Text: "q"}, {ID: "r", Text: "r"}},
		Qrels:      map[Split]Qrels{Test: {"q": {"a": 2, "b": 1}, "r": {"a": 2, "b": 2}}},
		Candidates: map[string][]string{"q": {"a", "b"}, "r": {"a", "b"}}, RelMinDefault: 2}
	want := []string{"test: 1 of 2 judged candidate groups have a single candidate or only relevant candidates, so any ranking scores 1"}
	if got := d.Issues(); !reflect.DeepEqual(got, want) {
		t.Errorf("Issues = %q, want %q", got, want)
	}
}
