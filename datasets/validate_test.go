package datasets

import (
	"reflect"
	"strings"
	"testing"
)

// good returns a small consistent dataset; tests break one thing each.
func good() *Dataset {
	return &Dataset{
		Name: "g", Format: "beir",
		Passages: []Passage{{ID: "p1", Text: "one"}, {ID: "p2", Text: "two"}, {ID: "p3", Title: "three"}},
		Queries:  []Query{{ID: "q1", Text: "first"}, {ID: "q2", Text: "second"}, {ID: "q3", Text: "third"}},
		Qrels: map[Split]Qrels{
			Train: {"q1": {"p1": 1}},
			Test:  {"q2": {"p2": 2, "p3": 0}, "q3": {"p3": 1}},
		},
		HardNegatives: map[string][]string{"q1": {"p2", "p3"}},
		Answers:       map[string][]string{"q1": {"one"}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(d *Dataset)
		want   string
	}{
		{"ok", func(d *Dataset) {}, ""},
		{"no passages", func(d *Dataset) { d.Passages = nil; d.Qrels = nil; d.HardNegatives = nil },
			"invalid dataset: 2 problems:\n  no passages\n  no relevance judgements"},
		{"empty passage id", func(d *Dataset) { d.Passages[1].ID = " " },
			"invalid dataset: 3 problems:\n  passage 1 has an empty id\n  qrels test: query \"q2\": unknown passage id \"p2\"\n  hard negatives: query \"q1\": unknown passage id \"p2\""},
		{"passage no text", func(d *Dataset) { d.Passages[0].Text = "" }, `invalid dataset: passage "p1" has no text`},
		{"dup passage", func(d *Dataset) { d.Passages[2].ID = "p1" }, // p3 disappears: its references break
			"invalid dataset: 4 problems:\n  passage id \"p1\" used twice (passages 0 and 2)\n" +
				"  qrels test: query \"q2\": unknown passage id \"p3\"\n  qrels test: query \"q3\": unknown passage id \"p3\"\n" +
				"  hard negatives: query \"q1\": unknown passage id \"p3\""},
		{"query no text", func(d *Dataset) { d.Queries[2].Text = "\t" }, `invalid dataset: query "q3" has no text`},
		{"dup query", func(d *Dataset) { d.Queries = append(d.Queries, Query{ID: "q1", Text: "x"}) },
			`invalid dataset: query id "q1" used twice (queries 0 and 3)`},
		{"qrels unknown query", func(d *Dataset) { d.Qrels[Dev] = Qrels{"q9": {"p1": 1}} }, `invalid dataset: qrels dev: unknown query id "q9"`},
		{"no judgements", func(d *Dataset) { d.Qrels = map[Split]Qrels{Test: {}}; d.HardNegatives = nil },
			`invalid dataset: no relevance judgements`},
		{"negative is positive", func(d *Dataset) { d.HardNegatives["q1"] = []string{"p1"} },
			`invalid dataset: hard negatives: passage "p1" is judged relevant for query "q1" in train`},
		{"negative grade 0 ok", func(d *Dataset) { d.HardNegatives["q2"] = []string{"p3"} }, ""},
		{"negative unknown query", func(d *Dataset) { d.HardNegatives["qx"] = nil }, `invalid dataset: hard negatives: unknown query id "qx"`},
		{"answers unknown query", func(d *Dataset) { d.Answers["qx"] = []string{"a"} }, `invalid dataset: answers: unknown query id "qx"`},
		{"candidates ok", func(d *Dataset) {
			d.Candidates = map[string][]string{"q2": {"p3", "p2"}, "q3": {"p3"}, "q1": {"p1"}}
		}, ""},
		{"candidates missing judged", func(d *Dataset) { d.Candidates = map[string][]string{"q1": {"p1"}, "q2": {"p2"}, "q3": {"p3"}} },
			`invalid dataset: candidates: query "q2": judged passage "p3" is not among its candidates`},
		{"candidates dup", func(d *Dataset) {
			d.Candidates = map[string][]string{"q1": {"p1"}, "q2": {"p2", "p3"}, "q3": {"p3", "p3"}}
		},
			`invalid dataset: candidates: query "q3" lists passage "p3" twice`},
		{"candidates missing group", func(d *Dataset) { d.Candidates = map[string][]string{"q1": {"p1"}, "q2": {"p2", "p3"}} },
			`invalid dataset: candidates: judged query "q3" has no candidate group`},
		{"candidates unknown", func(d *Dataset) {
			d.Candidates = map[string][]string{"q1": {"p1"}, "q2": {"p2", "p3"}, "q3": {"p3", "p7"}}
		},
			`invalid dataset: candidates: query "q3": unknown passage id "p7"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := good()
			tc.mutate(d)
			err := d.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Validate() =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestValidateCaps checks a badly broken dataset lists at most 10 problems.
func TestValidateCaps(t *testing.T) {
	d := good()
	for i := 0; i < 30; i++ {
		d.Passages = append(d.Passages, Passage{ID: "", Text: "x"})
	}
	err := d.Validate()
	if err == nil || !strings.HasPrefix(err.Error(), "invalid dataset: 10 problems (stopped after 10):") {
		t.Fatalf("err = %v", err)
	}
	if n := strings.Count(err.Error(), "\n  "); n != 10 {
		t.Errorf("listed %d problems, want 10", n)
	}
	var nilDS *Dataset
	if err := nilDS.Validate(); err == nil {
		t.Error("nil dataset validated")
	}
}

func TestSplitAndLookups(t *testing.T) {
	d := good()
	q, qs, err := d.Split(Test)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(q, d.Qrels[Test]) {
		t.Errorf("qrels = %v", q)
	}
	if want := []Query{{ID: "q2", Text: "second"}, {ID: "q3", Text: "third"}}; !reflect.DeepEqual(qs, want) {
		t.Errorf("queries = %v, want %v", qs, want)
	}
	if _, _, err := d.Split(Dev); err == nil || err.Error() != `dataset "g" has no "dev" split (available: train, test)` {
		t.Errorf("missing split error = %v", err)
	}
	if _, _, err := (&Dataset{Name: "e"}).Split(Train); err == nil || err.Error() != `dataset "e" has no "train" split (available: none)` {
		t.Errorf("empty dataset split error = %v", err)
	}
	d.Qrels["zz"] = Qrels{"q1": {"p2": 1}}
	d.Qrels[Dev] = Qrels{}
	if got := d.Splits(); !reflect.DeepEqual(got, []Split{Train, Test, "zz"}) {
		t.Errorf("Splits() = %v", got)
	}
	if got := d.PassageIndex(); !reflect.DeepEqual(got, map[string]int{"p1": 0, "p2": 1, "p3": 2}) {
		t.Errorf("PassageIndex() = %v", got)
	}
	if q, ok := d.QueryByID("q2"); !ok || q.Text != "second" {
		t.Errorf("QueryByID(q2) = %v, %v", q, ok)
	}
	if _, ok := d.QueryByID("nope"); ok {
		t.Error("QueryByID(nope) found something")
	}
}
