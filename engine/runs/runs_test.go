package runs

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sample() Run {
	return Run{Tag: "bm25-k1=0.9", Ranked: map[string][]Scored{
		"q2":  {{"d7", 12.5}, {"d3", 3.25}, {"d1", -0.5}},
		"q10": {{"doc-α", 1e-7}, {"x", 0}},
		"q1":  {{"d9", 0.30000000000000004}},
		"q3":  {}, // not representable: left out
	}}
}

const sampleText = `q1 Q0 d9 1 0.30000000000000004 bm25-k1=0.9
q10 Q0 doc-α 1 0.0000001 bm25-k1=0.9
q10 Q0 x 2 0 bm25-k1=0.9
q2 Q0 d7 1 12.5 bm25-k1=0.9
q2 Q0 d3 2 3.25 bm25-k1=0.9
q2 Q0 d1 3 -0.5 bm25-k1=0.9
`

func TestWrite(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, sample()); err != nil {
		t.Fatal(err)
	}
	if b.String() != sampleText {
		t.Errorf("Write:\n%s\nwant:\n%s", b.String(), sampleText)
	}
}

func TestRoundTrip(t *testing.T) {
	want := sample()
	delete(want.Ranked, "q3")
	got, err := Read(strings.NewReader(sampleText), "sample.run")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Read = %+v\nwant %+v", got, want)
	}
	// Scores survive exactly, including ones with no short decimal form.
	in := Run{Tag: "t", Ranked: map[string][]Scored{"q": {
		{"a", math.MaxFloat64}, {"b", 1.0 / 3}, {"c", math.SmallestNonzeroFloat64}, {"d", -1e300},
	}}}
	var b bytes.Buffer
	if err := Write(&b, in); err != nil {
		t.Fatal(err)
	}
	back, err := Read(&b, "exact")
	if err != nil || !reflect.DeepEqual(back, in) {
		t.Errorf("round trip = %+v, %v; want %+v", back, err, in)
	}
}

func TestLists(t *testing.T) {
	got := sample().Lists()
	want := map[string][]string{"q1": {"d9"}, "q10": {"doc-α", "x"}, "q2": {"d7", "d3", "d1"}, "q3": {}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Lists = %v, want %v", got, want)
	}
}

// TestTRECTieOrder: trec_eval (form_res_rels.c, comp_sim_docno) sorts by score descending and
// breaks ties with strcmp(docno2, docno1), i.e. docid descending in byte order, ignoring the
// rank column. Read does the same.
func TestTRECTieOrder(t *testing.T) {
	in := `q1 Q0 d1 1 5 t
q1 Q0 d3 2 5 t
q1 Q0 d2 3 5 t
q1 Q0 low 4 1 t
q1 Q0 high 5 9 t
q1 Q0 d10 6 5 t
q1 Q0 d9 7 5 t
q1 Q0 D9 8 5 t
`
	run, err := Read(strings.NewReader(in), "ties.run")
	if err != nil {
		t.Fatal(err)
	}
	// Bytes: "d9" > "d3" > "d2" > "d10" > "d1" > "D9" ('1' < '2', 'D' < 'd').
	want := []string{"high", "d9", "d3", "d2", "d10", "d1", "D9", "low"}
	if got := run.Lists()["q1"]; !reflect.DeepEqual(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}

	// SortTREC reorders an engine's tie order (passage index) into trec_eval's.
	r := Run{Tag: "t", Ranked: map[string][]Scored{"q": {{"a", 2}, {"b", 1}, {"c", 1}, {"d", 0}}}}
	r.SortTREC()
	if got := r.Lists()["q"]; !reflect.DeepEqual(got, []string{"a", "c", "b", "d"}) {
		t.Errorf("SortTREC = %v", got)
	}
	if CompareTREC(Scored{"a", 1}, Scored{"b", 1}) <= 0 || CompareTREC(Scored{"a", 2}, Scored{"b", 1}) >= 0 {
		t.Error("CompareTREC order wrong")
	}
}

func TestReadLenient(t *testing.T) {
	// Blank lines, comments, tabs, CRLF, rank 0 and a non-"Q0" iteration column are accepted, as by trec_eval.
	in := "# run produced by test\r\n\r\n   \n" +
		"q1\tQ0\td1\t0\t2.5\trun\r\n" +
		"  # indented comment\n" +
		"q1 0   d2 1 1e-3 run\n" +
		"q1 Q0 d3 2 +4 run" // no final newline
	run, err := Read(strings.NewReader(in), "x")
	if err != nil {
		t.Fatal(err)
	}
	want := Run{Tag: "run", Ranked: map[string][]Scored{"q1": {{"d3", 4}, {"d1", 2.5}, {"d2", 0.001}}}}
	if !reflect.DeepEqual(run, want) {
		t.Errorf("Read = %+v, want %+v", run, want)
	}
}

func TestReadErrors(t *testing.T) {
	long := "q1 Q0 " + strings.Repeat("d", maxLine) + " 1 1 t\n"
	cases := []struct {
		name, in, want string
		line           int
		field          string
	}{
		{"5 fields", "q1 Q0 d1 1 0.5\n", "r.run:1: 5 fields, want 6: qid Q0 docid rank score tag", 1, ""},
		{"3 column", "q1 Q0 d1 1 0.5 t\nq1 d2 0.4\n", "r.run:2: 3 fields, want 6: qid Q0 docid rank score tag", 2, ""},
		{"7 fields", "q1 Q0 d1 1 0.5 t extra\n", "r.run:1: 7 fields, want 6: qid Q0 docid rank score tag", 1, ""},
		{"bad rank", "q1 Q0 d1 first 0.5 t\n", `r.run:1: rank: "first" is not a non-negative integer (column 4 of qid Q0 docid rank score tag)`, 1, "rank"},
		{"negative rank", "q1 Q0 d1 -1 0.5 t\n", `r.run:1: rank: "-1" is not a non-negative integer (column 4 of qid Q0 docid rank score tag)`, 1, "rank"},
		{"float rank", "q1 Q0 d1 1.0 0.5 t\n", `r.run:1: rank: "1.0" is not a non-negative integer (column 4 of qid Q0 docid rank score tag)`, 1, "rank"},
		{"bad score", "q1 Q0 d1 1 high t\n", `r.run:1: score: "high" is not a finite number (column 5 of qid Q0 docid rank score tag)`, 1, "score"},
		{"nan score", "q1 Q0 d1 1 0.5 t\n\nq1 Q0 d2 2 NaN t\n", `r.run:3: score: "NaN" is not a finite number (column 5 of qid Q0 docid rank score tag)`, 3, "score"},
		{"inf score", "q1 Q0 d1 1 -Inf t\n", `r.run:1: score: "-Inf" is not a finite number (column 5 of qid Q0 docid rank score tag)`, 1, "score"},
		{"overflow score", "q1 Q0 d1 1 1e999 t\n", `r.run:1: score: "1e999" is not a finite number (column 5 of qid Q0 docid rank score tag)`, 1, "score"},
		{"duplicate docid", "q1 Q0 d1 1 0.5 t\nq2 Q0 d1 1 0.5 t\n# c\nq1 Q0 d1 2 0.4 t\n", `r.run:4: docid: "d1" repeated for query "q1" (first on line 1)`, 4, "docid"},
		{"two tags", "q1 Q0 d1 1 0.5 bm25\nq1 Q0 d2 2 0.4 dense\n", `r.run:2: tag: "dense" differs from "bm25" on line 1 (one run per file)`, 2, "tag"},
		{"nul", "q1 Q0 d\x001 1 0.5 t\n", `r.run:1: docid: "d\x001" contains a NUL byte`, 1, "docid"},
		{"empty", "", "r.run: no result lines (want lines of qid Q0 docid rank score tag)", 0, ""},
		{"comments only", "# nothing\n\n", "r.run: no result lines (want lines of qid Q0 docid rank score tag)", 0, ""},
		{"line too long", "q1 Q0 d1 1 0.5 t\n" + long, "r.run:2: line longer than 1048576 bytes", 2, ""},
	}
	for _, c := range cases {
		run, err := Read(strings.NewReader(c.in), "r.run")
		if err == nil {
			t.Errorf("%s: Read = %+v, want error %q", c.name, run, c.want)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%s: error\n got %q\nwant %q", c.name, err, c.want)
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != c.line || pe.Field != c.field || pe.File != "r.run" {
			t.Errorf("%s: error %#v, want a *ParseError at line %d field %q", c.name, err, c.line, c.field)
		}
		if run.Ranked != nil || run.Tag != "" {
			t.Errorf("%s: Read returned %+v with its error", c.name, run)
		}
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadIOError(t *testing.T) {
	_, err := Read(io.MultiReader(strings.NewReader("q1 Q0 d1 1 1 t\n"), failReader{}), "x.run")
	if err == nil || err.Error() != "runs: read x.run: disk on fire" {
		t.Errorf("err = %v", err)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		run  Run
		want string
	}{
		{"no tag", Run{Ranked: map[string][]Scored{"q": {{"d", 1}}}}, `runs: tag "": empty`},
		{"spaced tag", Run{Tag: "my run", Ranked: map[string][]Scored{"q": {{"d", 1}}}}, `runs: tag "my run": contains white space`},
		{"no results", Run{Tag: "t", Ranked: map[string][]Scored{"q": {}}}, "runs: run has no results"},
		{"nil map", Run{Tag: "t"}, "runs: run has no results"},
		{"empty qid", Run{Tag: "t", Ranked: map[string][]Scored{"": {{"d", 1}}}}, `runs: query id "": empty`},
		{"spaced qid", Run{Tag: "t", Ranked: map[string][]Scored{"q 1": {{"d", 1}}}}, `runs: query id "q 1": contains white space`},
		{"comment qid", Run{Tag: "t", Ranked: map[string][]Scored{"#1": {{"d", 1}}}}, `runs: query id "#1" starts with #, which TREC readers skip as a comment`},
		{"tab docid", Run{Tag: "t", Ranked: map[string][]Scored{"q": {{"a", 2}, {"d\t2", 1}}}}, `runs: query "q" rank 2: docid "d\t2": contains white space`},
		{"nul docid", Run{Tag: "t", Ranked: map[string][]Scored{"q": {{"d\x00", 1}}}}, `runs: query "q" rank 1: docid "d\x00": contains a NUL byte`},
		{"nan", Run{Tag: "t", Ranked: map[string][]Scored{"q": {{"d", math.NaN()}}}}, `runs: query "q" rank 1 (docid "d"): score NaN is not finite`},
		{"rising", Run{Tag: "t", Ranked: map[string][]Scored{"q": {{"a", 1}, {"b", 1}, {"c", 1.5}}}}, `runs: query "q" rank 3 (docid "c"): score 1.5 is above rank 2's 1; lists must be best first`},
		{"duplicate", Run{Tag: "t", Ranked: map[string][]Scored{"q": {{"a", 3}, {"b", 2}, {"a", 1}}}}, `runs: query "q": docid "a" at ranks 1 and 3`},
	}
	for _, c := range cases {
		err := c.run.Validate()
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: Validate = %v, want %q", c.name, err, c.want)
		}
		var b bytes.Buffer
		if werr := Write(&b, c.run); werr == nil || b.Len() != 0 {
			t.Errorf("%s: Write = %v and wrote %q; want the error and nothing written", c.name, werr, b.String())
		}
	}
	if err := sample().Validate(); err != nil {
		t.Errorf("sample: %v", err)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bm25.run")
	if err := WriteFile(path, sample()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != sampleText {
		t.Fatalf("file = %q, %v; want %q", data, err, sampleText)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, %v; want 0644", st.Mode(), err)
	}
	back, err := ReadFile(path)
	want := sample()
	delete(want.Ranked, "q3")
	if err != nil || !reflect.DeepEqual(back, want) {
		t.Errorf("ReadFile = %+v, %v", back, err)
	}

	// An invalid run leaves the existing file as it was and no temporary file behind.
	bad := Run{Tag: "has space", Ranked: map[string][]Scored{"q": {{"d", 1}}}}
	if err := WriteFile(path, bad); err == nil {
		t.Error("WriteFile of an invalid run succeeded")
	}
	if data, _ := os.ReadFile(path); string(data) != sampleText {
		t.Errorf("file changed by a failed write: %q", data)
	}
	// Overwriting replaces the whole file.
	small := Run{Tag: "t2", Ranked: map[string][]Scored{"q9": {{"z", 1}}}}
	if err := WriteFile(path, small); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "q9 Q0 z 1 1 t2\n" {
		t.Errorf("overwritten file = %q", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the run file: %v", len(entries), entries)
	}

	// A missing directory is an error naming the path.
	err = WriteFile(filepath.Join(dir, "nope", "x.run"), small)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "nope", "x.run")) {
		t.Errorf("WriteFile into a missing directory: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.run")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(sampleText))
	f.Add([]byte("q1 Q0 d1 1 5 t\nq1 Q0 d2 2 5 t\n"))
	f.Add([]byte("# c\n\nq Q0 d 0 -0 t"))
	f.Add([]byte("q1 Q0 d1 1 0x1p-2 t\r\n"))
	f.Add([]byte("q1 Q0 d1 x 1 t\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		run, err := Read(bytes.NewReader(data), "fuzz")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		// What Read accepts, Write writes and Read reads back identically.
		var b bytes.Buffer
		if err := Write(&b, run); err != nil {
			t.Fatalf("Write of a run Read accepted: %v", err)
		}
		back, err := Read(&b, "again")
		if err != nil || !reflect.DeepEqual(back, run) {
			t.Fatalf("round trip: %+v, %v; want %+v", back, err, run)
		}
	})
}
