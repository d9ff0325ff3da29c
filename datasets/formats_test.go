package datasets

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
)

// TestLoadNewFormats checks each new format's fixture parses into exactly the expected
// dataset, with the notes and warnings a user sees.
func TestLoadNewFormats(t *testing.T) {
	tests := []struct {
		path     string
		opt      LoadOptions
		want     *Dataset
		notes    []string
		warnings []string
	}{
		{path: "qa.csv", want: &Dataset{
			Name: "qa", Format: "csv",
			// BOM dropped; m2's context differs only by surrounding space: same passage.
			Passages: []Passage{
				{ID: "p1", Text: "Hà Nội là thủ đô của Việt Nam.\nNó nằm bên sông Hồng."},
				{ID: "p2", Text: `القاهرة هي عاصمة مصر، "أم الدنيا".`},
			},
			Queries: []Query{{ID: "m1", Text: "Thủ đô của Việt Nam là gì?"}, {ID: "m2", Text: "Sông nào chảy qua Hà Nội?"}, {ID: "m3", Text: "ما هي عاصمة مصر؟"}},
			// label is not relevance: ignored.
			Qrels:   map[Split]Qrels{Test: {"m1": {"p1": 1}, "m2": {"p1": 1}, "m3": {"p2": 1}}},
			Answers: map[string][]string{"m1": {"Hà Nội"}, "m2": {"sông Hồng"}},
		}, notes: []string{
			"columns: query=question, passage=context, answer=answer, id=idx; ignored: label",
			"qa.csv names no split (train, dev or test as a whole name part): its questions form the test split",
			"3 rows: 3 queries, 2 distinct contexts (contexts equal after Unicode NFKC and whitespace normalisation are one passage)",
		}},
		{path: "qa.tsv", want: &Dataset{
			Name: "qa", Format: "tsv",
			Passages: []Passage{{ID: "p1", Text: "Cairo is the capital of Egypt."}, {ID: "p2", Text: "Paris is the capital of France."}},
			Queries:  []Query{{ID: "q1", Text: "capital of egypt"}, {ID: "q2", Text: "capital of france"}},
			Qrels:    map[Split]Qrels{Test: {"q1": {"p1": 1}, "q2": {"p2": 1}}},
		}, notes: []string{
			"columns: query=query, passage=passage, id=qid; ignored: tag",
			`column "qid" repeats "1" (lines 2 and 3): queries are numbered q1, q2, … instead`,
			"qa.tsv names no split (train, dev or test as a whole name part): its questions form the test split",
			"2 rows: 2 queries, 2 distinct contexts (contexts equal after Unicode NFKC and whitespace normalisation are one passage)",
		}},
		{path: "qa.csv", opt: LoadOptions{Columns: map[string]string{"query": "Context", "passage": "question", "id": "label"}}, want: &Dataset{
			Name: "qa", Format: "csv",
			Passages: []Passage{{ID: "p1", Text: "Thủ đô của Việt Nam là gì?"}, {ID: "p2", Text: "Sông nào chảy qua Hà Nội?"}, {ID: "p3", Text: "ما هي عاصمة مصر؟"}},
			Queries: []Query{
				{ID: "q1", Text: "Hà Nội là thủ đô của Việt Nam.\nNó nằm bên sông Hồng."},
				{ID: "q2", Text: "Hà Nội là thủ đô của Việt Nam.\nNó nằm bên sông Hồng."},
				{ID: "q3", Text: `القاهرة هي عاصمة مصر، "أم الدنيا".`},
			},
			Qrels:   map[Split]Qrels{Test: {"q1": {"p1": 1}, "q2": {"p2": 1}, "q3": {"p3": 1}}},
			Answers: map[string][]string{"q1": {"Hà Nội"}, "q2": {"sông Hồng"}},
		}, notes: []string{
			"columns: query=context, passage=question, answer=answer, id=label; ignored: idx",
			`column "label" repeats "1" (lines 4 and 6): queries are numbered q1, q2, … instead`,
			"qa.csv names no split (train, dev or test as a whole name part): its questions form the test split",
			"3 rows: 3 queries, 3 distinct contexts (contexts equal after Unicode NFKC and whitespace normalisation are one passage)",
		}},
		{path: "semeval15", want: &Dataset{
			Name: "semeval15", Format: "semeval2015",
			// Inner tags dropped, the raw "&" kept; CID 102 under two questions with two texts: ids are QID-CID.
			Passages: []Passage{
				{ID: "10-100", Text: `فإن العلماء قالوا: وَإِذَا ضَرَبْتُمْ انظر href="index.php?page=showfatwa&lang=&Id=4451">4451 والله أعلم.`},
				{ID: "10-101", Text: "القصر في السفر سنة."},
				{ID: "10-102", Text: "حلق اللحية حرام."},
				{ID: "11-102", Text: "نص آخر بنفس الرقم."},
				{ID: "11-103", Text: "الصيام في السفر رخصة."},
			},
			Queries:    []Query{{ID: "10", Text: "حكم الصلاة ما حكم الصلاة في السفر؟"}, {ID: "11", Text: "حكم الصيام"}},
			Qrels:      map[Split]Qrels{Dev: {"10": {"10-100": 2, "10-101": 1, "10-102": 0}, "11": {"11-102": 0, "11-103": 2}}},
			Candidates: map[string][]string{"10": {"10-100", "10-101", "10-102"}, "11": {"11-102", "11-103"}},
		}, notes: []string{"graded labels: direct=2, related=1, irrelevant=0; only direct counts as relevant by default (rel-min 2)"},
			warnings: []string{`line 9: 11-103: CGOLD "related" but the .gold file says "direct" (used)`}},
		{path: "semeval16/SemEval2016-Task3-CQA-QL-dev-subtaskA.xml", want: &Dataset{
			Name: "SemEval2016-Task3-CQA-QL-dev-subtaskA", Format: "semeval2016",
			// Equal texts in one thread keep their own ids and labels.
			Passages: []Passage{
				{ID: "Q1_R1_C1", Text: "About two weeks."}, {ID: "Q1_R1_C2", Text: "lol"}, {ID: "Q1_R1_C3", Text: "lol"},
				{ID: "Q1_R1_C4", Text: "About two weeks."}, {ID: "Q2_R1_C1", Text: "No idea."}, {ID: "Q2_R1_C2", Text: "Turkey Central."},
			},
			Queries:    []Query{{ID: "Q1_R1", Text: "Visa renewal How long does a visa renewal take & cost?"}, {ID: "Q2_R1", Text: "Best shawarma?"}},
			Qrels:      map[Split]Qrels{Dev: {"Q1_R1": {"Q1_R1_C1": 2, "Q1_R1_C2": 0, "Q1_R1_C3": 1, "Q1_R1_C4": 2}, "Q2_R1": {"Q2_R1_C1": 0, "Q2_R1_C2": 2}}},
			Candidates: map[string][]string{"Q1_R1": {"Q1_R1_C1", "Q1_R1_C2", "Q1_R1_C3", "Q1_R1_C4"}, "Q2_R1": {"Q2_R1_C1", "Q2_R1_C2"}},
		}, notes: []string{"graded labels: Good=2, PotentiallyUseful=1, Bad=0; only Good counts as relevant by default (rel-min 2), as in the official scorer"},
			warnings: []string{`line 6: query "Q1_R1": candidates "Q1_R1_C2" and "Q1_R1_C3" have the same text but labels 0 and 1`}},
		{path: "viquad_dev.json", want: &Dataset{
			Name: "viquad_dev", Format: "viquad",
			Passages: []Passage{{ID: "p1", Text: "hà nội là thủ đô của việt nam ."}, {ID: "p2", Text: "sông hồng chảy qua hà nội ."}},
			Queries:  []Query{{ID: "q1", Text: "thủ đô của việt nam là gì ?"}, {ID: "q2", Text: "hà nội là gì ?"}, {ID: "q3", Text: "sông nào chảy qua hà nội ?"}},
			Qrels:    map[Split]Qrels{Dev: {"q1": {"p1": 1}, "q2": {"p1": 1}, "q3": {"p2": 1}}},
			Answers:  map[string][]string{"q1": {"hà nội"}, "q2": {"thủ đô", "thủ đô của việt nam"}},
		}, notes: []string{`word-segmented text: "_" between syllables restored to spaces`}},
		{path: "splitfolder", want: &Dataset{
			Name: "splitfolder", Format: "squad",
			// The test file's "Shared paragraph." is the train file's p1; its own p1 is another text: renamed.
			Passages: []Passage{{ID: "p1", Title: "A", Text: "Shared paragraph."}, {ID: "p2", Title: "A", Text: "Train only."}, {ID: "test-p1", Title: "A", Text: "Test only."}},
			Queries:  []Query{{ID: "t1", Text: "train q?"}, {ID: "x", Text: "same id, train text?"}, {ID: "test-x", Text: "same id, test text?"}, {ID: "e2", Text: "test q?"}},
			Qrels:    map[Split]Qrels{Train: {"t1": {"p1": 1}, "x": {"p2": 1}}, Test: {"test-x": {"test-p1": 1}, "e2": {"p1": 1}}},
		}, notes: []string{"set.json skipped: its name states no split (the folder's split files set-train.json, set-test.json are used)"}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got, err := LoadWith(fx(tc.path), tc.opt)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			assertDataset(t, got, tc.want)
			if !reflect.DeepEqual(got.Notes, tc.notes) {
				t.Errorf("Notes =\n%q\nwant\n%q", got.Notes, tc.notes)
			}
			if !reflect.DeepEqual(got.Warnings, tc.warnings) {
				t.Errorf("Warnings =\n%q\nwant\n%q", got.Warnings, tc.warnings)
			}
		})
	}
}

func TestSemEvalRelMinAndSplitPassages(t *testing.T) {
	d, err := Load(fx("semeval16"))
	if err != nil {
		t.Fatal(err)
	}
	if d.RelMinDefault != 2 || !d.IsRerank() {
		t.Errorf("RelMinDefault %d, rerank %v", d.RelMinDefault, d.IsRerank())
	}
	f, err := Load(fx("splitfolder"))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[Split][]string{Train: {"p1", "p2"}, Test: {"test-p1", "p1"}}; !reflect.DeepEqual(f.SplitPassages, want) {
		t.Errorf("SplitPassages = %v, want %v", f.SplitPassages, want)
	}
	sub, err := f.Subset(Test)
	if err != nil {
		t.Fatal(err)
	}
	assertDataset(t, sub, &Dataset{Name: "splitfolder", Format: "squad",
		Passages: []Passage{{ID: "p1", Title: "A", Text: "Shared paragraph."}, {ID: "test-p1", Title: "A", Text: "Test only."}},
		Queries:  []Query{{ID: "test-x", Text: "same id, test text?"}, {ID: "e2", Text: "test q?"}},
		Qrels:    map[Split]Qrels{Test: {"test-x": {"test-p1": 1}, "e2": {"p1": 1}}},
	})
	if err := sub.Validate(); err != nil {
		t.Error(err)
	}
	if _, err := f.Subset(Dev); err == nil || err.Error() != `dataset "splitfolder" has no "dev" split (available: train, test)` {
		t.Errorf("Subset(dev): %v", err)
	}
}

// TestLoadTriple loads corpus + queries + qrels files, on disk and inside a zip.
func TestLoadTriple(t *testing.T) {
	want := &Dataset{Name: "triple", Format: "triple",
		// The abstract is a Python list repr: its sentences joined; "[]" leaves only the title.
		Passages: []Passage{
			{ID: "11", Title: "Cairo", Text: "Cairo is the capital of Egypt. It lies on the Nile, it's old."},
			{ID: "22", Title: "Paris", Text: "Paris is in France."},
			{ID: "33", Title: "Empty list"},
		},
		// Claim 1 is listed twice (once per evidence row): one query.
		Queries: []Query{{ID: "1", Text: "Cairo is in Egypt."}, {ID: "2", Text: "Paris is in France."}, {ID: "3", Text: "Unjudged claim."}},
		Qrels:   map[Split]Qrels{Test: {"1": {"11": 1}, "2": {"22": 1, "33": 0}}},
	}
	for _, opt := range []LoadOptions{
		{Corpus: "corpus.csv", Queries: "claims_validation.csv", Qrels: "qrels/test.tsv"},
		{Corpus: "data.zip:in/corpus.csv", Queries: "data.zip:in/claims_validation.csv", Qrels: "qrels/test.tsv"},
	} {
		d, err := LoadWith(fx("triple"), opt)
		if err != nil {
			t.Fatalf("%+v: %v", opt, err)
		}
		assertDataset(t, d, want)
		if src := fx("triple") + ": corpus=" + opt.Corpus + " queries=" + opt.Queries + " qrels=" + opt.Qrels; d.Source != src {
			t.Errorf("Source = %q, want %q", d.Source, src)
		}
	}
	// Paths relative to the working folder when no base is given.
	d, err := LoadWith("", LoadOptions{Corpus: fx("triple/data.zip") + ":in/corpus.csv", Queries: fx("triple/claims_validation.csv"), Qrels: fx("triple/qrels/test.tsv")})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "data" || len(d.Passages) != 3 {
		t.Errorf("no base: name %q, %d passages", d.Name, len(d.Passages))
	}
	// A zip path loads a file inside the archive in place.
	z, err := Load(fx("triple/data.zip") + ":in/corpus.csv")
	if err == nil {
		t.Errorf("corpus.csv as QA rows loaded: %v", z.Format)
	} else if want := fx("triple/data.zip") + `:in/corpus.csv:1: no query column (looked for question, query, claim, question_text, query_text, q; columns: "doc_id", "title", "abstract", "structured"): name it with --columns query=COLUMN`; err.Error() != want {
		t.Errorf("err =\n%v\nwant\n%s", err, want)
	}
}

func TestListRepr(t *testing.T) {
	for in, want := range map[string]string{
		"['a.'\n 'b.']":               "a. b.",
		`["it's", 'say "hi"']`:        `it's say "hi"`,
		`['esc \'q\' \\ \n end']`:     "esc 'q' \\ \n end",
		"[]":                          "",
		"plain text":                  "plain text",
		"[1, 2]":                      "[1, 2]",
		"['unterminated]":             "['unterminated]",
		"[see figure 2]":              "[see figure 2]",
		"  ['padded']  ":              "padded",
		"['a', 'b',]":                 "a b",
		"['  spaced  ' '' 'x']":       "spaced x",
		"['tab\\tx', 'other\\qkeep']": "tab\tx other\\qkeep",
	} {
		if got := listRepr(in); got != want {
			t.Errorf("listRepr(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseColumns(t *testing.T) {
	got, err := ParseColumns(" query = question , passage=Context,id=idx")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"query": "question", "passage": "Context", "id": "idx"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ParseColumns = %v, want %v", got, want)
	}
	if m, err := ParseColumns("  "); m != nil || err != nil {
		t.Errorf("empty: %v, %v", m, err)
	}
	for in, want := range map[string]string{
		"query=question,,passage=c": "--columns: item 2 is empty (want role=header, e.g. query=question,passage=context)",
		"question":                  `--columns: "question": want role=header (e.g. query=question)`,
		"label=x":                   `--columns: unknown role "label" (roles: query, passage, answer, id, title, pid)`,
		"query=":                    `--columns: role "query" has no header name`,
		"query=a,QUERY=b":           `--columns: role "query" given twice ("a" and "b")`,
	} {
		if _, err := ParseColumns(in); err == nil || err.Error() != want {
			t.Errorf("ParseColumns(%q) = %v, want %s", in, err, want)
		}
	}
	if _, err := LoadWith(fx("qa.csv"), LoadOptions{Columns: map[string]string{"bogus": "x"}}); err == nil ||
		err.Error() != `datasets: --columns: unknown role "bogus" (roles: query, passage, answer, id, title, pid)` {
		t.Errorf("LoadWith bad role: %v", err)
	}
}

// TestNewFormatErrors checks located, exact messages for malformed input of the new formats.
func TestNewFormatErrors(t *testing.T) {
	b := filepath.Join(fixtures, "bad")
	for _, tc := range []struct {
		path string
		opt  LoadOptions
		want string
	}{
		{path: filepath.Join(b, "qa_open_quote.csv"), want: filepath.Join(b, "qa_open_quote.csv") + `:3:10: extraneous or missing " in quoted field: want a closing " followed by the delimiter or the end of the line`},
		{path: filepath.Join(b, "qa_fields.csv"), want: filepath.Join(b, "qa_fields.csv") + `:3:1: wrong number of fields: every row must have as many fields as the header`},
		{path: filepath.Join(b, "qa_empty_context.csv"), want: filepath.Join(b, "qa_empty_context.csv") + `:2: field "passage": empty`},
		{path: filepath.Join(b, "qrels.csv"), want: filepath.Join(b, "qrels.csv") + `:1: this is a qrels file (header query-id corpus-id score), not a dataset: it holds ids, not texts; give it with --qrels, with the passages as --corpus and the questions as --queries`},
		{path: fx("qa.csv"), opt: LoadOptions{Columns: map[string]string{"query": "claim"}},
			want: fx("qa.csv") + `:1: --columns query=claim: no such column (columns: "idx", "question", "context", "answer", "label")`},
		{path: fx("triple"), opt: LoadOptions{Corpus: "corpus.csv", Qrels: "qrels/test.tsv"}, want: "datasets: --corpus, --queries and --qrels go together: --queries is missing"},
		{path: fx("triple"), opt: LoadOptions{Corpus: "data.zip:corpus.csv", Queries: "claims_validation.csv", Qrels: "qrels/test.tsv"},
			want: "datasets: " + fx("triple/data.zip") + `: no "corpus.csv" in the archive (it holds: in/claims_validation.csv, in/corpus.csv)`},
		{path: fx("triple"), opt: LoadOptions{Corpus: "claims_validation.csv", Queries: "claims_validation.csv", Qrels: "qrels/test.tsv"},
			want: fx("triple/claims_validation.csv") + `:1: no passage column (looked for context, passage, document, text, paragraph, contents, content, abstract, body, passage_text, doc; columns: "id", "claim", "evidence_doc_id"): name it with --columns passage=COLUMN`},
		{path: fx("triple"), opt: LoadOptions{Corpus: "corpus.csv", Queries: "claims_validation.csv", Qrels: "corpus.csv"},
			want: fx("triple/corpus.csv") + `:1: want 3 tab-separated columns (query-id, corpus-id, score), got 1`},
	} {
		_, err := LoadWith(tc.path, tc.opt)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s %+v: err =\n%v\nwant\n%s", tc.path, tc.opt, err, tc.want)
		}
	}
	file := func(name, data string) fstest.MapFS { return fstest.MapFS{name: {Data: []byte(data)}} }
	const thread = `<xml><Thread><RelQuestion RELQ_ID="Q1"><RelQSubject>s</RelQSubject><RelQBody>b</RelQBody></RelQuestion>`
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		path string
		want string
	}{
		{"semeval16 label", file("t-dev.xml", thread+"\n"+`<RelComment RELC_ID="C1" RELC_RELEVANCE2RELQ="Great"><RelCText>x</RelCText></RelComment></Thread></xml>`),
			"t-dev.xml", `t-dev.xml:1: Thread Q1 RelComment[0]: field "RELC_RELEVANCE2RELQ": unknown label "Great" (want Good, PotentiallyUseful or Bad)`},
		{"semeval16 truncated", file("t.xml", thread+"\n<RelComment RELC_ID=\"C1\""), "t.xml", `t.xml:2:25: invalid XML: the file ends inside an element (truncated?): want the rest of it and its closing tags`},
		{"semeval16 no comments", file("t.xml", thread+"</Thread></xml>"), "t.xml", `t.xml:1: Thread Q1: field "RelComment": none: want the candidate comments`},
		{"semeval16 id reused", file("t.xml", thread+`<RelComment RELC_ID="C1" RELC_RELEVANCE2RELQ="Good"><RelCText>x</RelCText></RelComment><RelComment RELC_ID="C1" RELC_RELEVANCE2RELQ="Good"><RelCText>y</RelCText></RelComment></Thread></xml>`),
			"t.xml", `t.xml:1: Thread Q1 RelComment[1]: field "RELC_ID": candidate id "C1" already used for a different text`},
		{"semeval15 label", file("a.xml", "<root>\n<Question QID = \"1\"><QSubject>s</QSubject>\n<Answer CID = \"7\" CGOLD = \"?\">t</Answer></Question></root>"),
			"a.xml", `a.xml:2: Question 1 Answer[0]: field "CGOLD": unknown label "?" (want direct, related or irrelevant, or a .gold file beside the XML)`},
		{"semeval15 gold", fstest.MapFS{"a.xml": {Data: []byte(`<root><Question QID="1"><QSubject>s</QSubject><Answer CID="7" CGOLD="?">t</Answer></Question></root>`)},
			"a.gold": {Data: []byte("1-7\tdirect\n1-8 maybe\n")}}, "a.xml", `a.gold:2: field "label": unknown label "maybe" (want direct, related or irrelevant)`},
		{"xml other", file("o.xml", "<rss><item/></rss>"), "o.xml", `datasets: o.xml: unknown dataset format: XML has no <Question> (SemEval-2015 Task 3) or <Thread> (SemEval-2016 Task 3) elements (` + supportedFormats + ")"},
		{"viquad label type", file("v.json", `[{"context": "c", "question": "q", "label": "x"}]`), "v.json", `v.json: [0]: field "label": not a list (got string)`},
		{"viquad span", file("v.json", `[{"context": "c", "question": "q", "label": [5]}]`), "v.json", `v.json: [0]: field "label[0]": not a span (want ["ANSWER", start, end, "text"])`},
		{"viquad context", file("v.json", `[{"context": "c", "question": "q"}, {"context": 1, "question": "q"}]`), "v.json", `v.json: [1]: field "context": not a string (got number)`},
		{"viquad syntax", file("v.json", "[{\"context\": \"c\", \"question\": \"q\"},\n {\"context\" \"c\"}]"), "v.json", `v.json:2:13: invalid JSON: invalid character '"' after object key`},
		{"folder two dev", fstest.MapFS{"f/a-dev.json": {Data: []byte(tinySQuAD)}, "f/b_dev.json": {Data: []byte(tinySQuAD)}}, "f",
			`datasets: f: unknown dataset format: both a-dev.json and b_dev.json are the dev split: give one file, or the passages, questions and judgements with --corpus, --queries and --qrels`},
		{"folder no split", fstest.MapFS{"f/a.csv": {Data: []byte("x")}, "f/b.csv": {Data: []byte("y")}}, "f",
			`datasets: f: unknown dataset format: the folder holds 2 data files (a.csv, b.csv) and no name states a split (train, dev, test): give one file, or the passages, questions and judgements with --corpus, --queries and --qrels`},
		{"folder qrels only", fstest.MapFS{"f/qrels/test.tsv": {Data: []byte("q\tp\t1")}, "f/x.zip": {Data: []byte("PK")}}, "f",
			`datasets: f: unknown dataset format: folder has no corpus.jsonl and no data file (.json, .jsonl, .csv, .tsv, .xml); it has qrels/: give the passages, questions and judgements with --corpus, --queries and --qrels (` + supportedFormats + ")"},
		{"bad zip", file("x.zip", "not a zip"), "x.zip", `x.zip: not a zip archive: zip: not a valid zip file`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadFS(tc.fsys, tc.path)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err =\n%v\nwant\n%s", err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) && !errors.Is(err, ErrUnknownFormat) {
				t.Errorf("error %T is neither a *ParseError nor ErrUnknownFormat", err)
			}
		})
	}
}

// TestDedupKey follows ViRE's --dedup normalisation.
func TestDedupKey(t *testing.T) {
	for in, want := range map[string]string{
		"  Hà Nội\r\nlà  thủ đô ":   "Hà Nộilà thủ đô", // control characters removed, not spaced
		"a\u200bb\ufeff":            "ab",
		"ﬁ ① Ｆｕｌｌ":                  "fi 1 Full", // NFKC
		"Tab\tinside and\u00a0nbsp": "Tabinside and nbsp",
		"Case Kept":                 "Case Kept",
	} {
		if got := dedupKey(in); got != want {
			t.Errorf("dedupKey(%q) = %q, want %q", in, got, want)
		}
	}
	if dedupKey("Hà Nội") != dedupKey("Ha\u0300 Nội") {
		t.Error("composed and decomposed forms differ")
	}
}
