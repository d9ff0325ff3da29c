package datasets

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// splitCount is what one split of a real set holds.
type splitCount struct {
	Queries  int // judged queries
	Passages int // the split's corpus (Subset)
	Qrels    int // judgements, grade 0 included
	Relevant int // judgements with grade > 0
}

// TestRealCounts loads each of the eleven staged sets (../shared/datasets, see its
// README) the way a user would and checks exact counts against the README's.
// It skips when the shared data is absent.
func TestRealCounts(t *testing.T) {
	if _, err := os.Stat(realData); err != nil {
		t.Skipf("no real data at %s", realData)
	}
	if testing.Short() {
		t.Skip("-short: skipping real data")
	}
	r := func(p string) string { return filepath.Join(realData, p) }
	scifact := func(claims, qrels string) LoadOptions {
		return LoadOptions{Corpus: "scifact.zip:corpus_train.csv", Queries: "scifact.zip:" + claims, Qrels: qrels}
	}
	tests := []struct {
		name     string
		path     string
		opt      LoadOptions
		format   string
		passages int
		splits   map[Split]splitCount
		def      string      // DefaultSplit's reason
		groups   int         // reranking groups (0: retrieval)
		grades   map[int]int // judgements per grade, over all splits (reranking sets)
		warnings int
	}{
		{name: "arcd folder", path: "arcd", format: "squad", passages: 462, def: "test split (present: train, test)", // 3 paragraphs are in both files
			splits: map[Split]splitCount{Train: {693, 231, 693, 693}, Test: {702, 234, 702, 702}}},
		{name: "arcd.json", path: "arcd/arcd.json", format: "squad", passages: 460, def: "only split present: test",
			splits: map[Split]splitCount{Test: {1395, 460, 1395, 1395}}},
		{name: "tydiqa", path: "tydiqa_goldp_arabic_dev", format: "squad", passages: 842, def: "only split present: dev",
			splits: map[Split]splitCount{Dev: {921, 842, 921, 921}}},
		{name: "mlqa", path: "mlqa_arabic_dev/MLQA-dev-context-ar-question-ar.json", format: "squad", passages: 439, def: "only split present: dev",
			splits: map[Split]splitCount{Dev: {517, 439, 517, 517}}},
		{name: "semeval2015", path: "semeval2015_task3_arabic_dev", format: "semeval2015", passages: 1000, def: "only split present: dev",
			splits: map[Split]splitCount{Dev: {200, 1000, 1000, 422}}, groups: 200, grades: map[int]int{2: 200, 1: 222, 0: 578}},
		{name: "vinewsqa folder", path: "vinewsqa", format: "squad", passages: 898, def: "test split (present: dev, test)",
			splits: map[Split]splitCount{Dev: {2497, 500, 2497, 2497}, Test: {1987, 398, 1987, 1987}}},
		{name: "dev_ViNewsQA.json", path: "vinewsqa/dev_ViNewsQA.json", format: "squad", passages: 500, def: "only split present: dev",
			splits: map[Split]splitCount{Dev: {2497, 500, 2497, 2497}}},
		{name: "ALQAC", path: "vire_subsets/ALQAC.csv", format: "csv", passages: 304, def: "only split present: test",
			splits: map[Split]splitCount{Test: {530, 304, 530, 530}}},
		{name: "ViMedAQA_v2", path: "vire_subsets/ViMedAQA_v2.csv", format: "csv", passages: 1000, def: "only split present: test",
			splits: map[Split]splitCount{Test: {1000, 1000, 1000, 1000}}},
		// Two contexts differ only in control characters or spacing: one passage with ViRE's
		// --dedup normalisation (the README counts 1000 by exact text).
		{name: "ViRe4MRC_v2", path: "vire_subsets/ViRe4MRC_v2.csv", format: "csv", passages: 999, def: "only split present: test",
			splits: map[Split]splitCount{Test: {1000, 999, 1000, 1000}}},
		{name: "ViRHE4QA_v2", path: "vire_subsets/ViRHE4QA_v2.csv", format: "csv", passages: 297, def: "only split present: test",
			splits: map[Split]splitCount{Test: {1000, 297, 1000, 1000}}},
		{name: "viquad folder", path: "viquad1_segmented", format: "viquad", passages: 1008, def: "test split (present: dev, test)",
			splits: map[Split]splitCount{Dev: {2285, 515, 2285, 2285}, Test: {2210, 493, 2210, 2210}}},
		{name: "scifact test", path: "scifact", opt: scifact("claims_validation.csv", "qrels/test.tsv"), format: "triple", passages: 5183, def: "only split present: test",
			splits: map[Split]splitCount{Test: {300, 5183, 339, 339}}},
		{name: "scifact train", path: "scifact", opt: scifact("claims_train.csv", "qrels/train.tsv"), format: "triple", passages: 5183, def: "only split present: train",
			splits: map[Split]splitCount{Train: {809, 5183, 919, 919}}},
		{name: "msmarco", path: "msmarco_trecdl19_subset", format: "beir", passages: 5000, def: "only split present: test",
			splits: map[Split]splitCount{Test: {43, 5000, 4102, 4102}}},
		{name: "dbpedia", path: "dbpedia_entity_subset", format: "beir", passages: 5000, def: "only split present: test",
			splits: map[Split]splitCount{Test: {40, 5000, 3709, 880}}}, // 50 queries, 40 with qrels
		{name: "semeval2016 folder", path: "semeval2016_task3_english_subtaskA", format: "semeval2016", passages: 5710, def: "test split (present: dev, test)",
			splits: map[Split]splitCount{Dev: {244, 2440, 2440, 1231}, Test: {327, 3270, 3270, 1785}},
			groups: 571, grades: map[int]int{2: 818 + 1329, 1: 413 + 456, 0: 1209 + 1485}, warnings: 1},
		{name: "semeval2016 test", path: "semeval2016_task3_english_subtaskA/SemEval2016-Task3-CQA-QL-test-subtaskA.xml", format: "semeval2016", passages: 3270,
			def: "only split present: test", splits: map[Split]splitCount{Test: {327, 3270, 3270, 1785}},
			groups: 327, grades: map[int]int{2: 1329, 1: 456, 0: 1485}, warnings: 1},
		{name: "semeval2016 dev", path: "semeval2016_task3_english_subtaskA/SemEval2016-Task3-CQA-QL-dev-subtaskA.xml", format: "semeval2016", passages: 2440,
			def: "only split present: dev", splits: map[Split]splitCount{Dev: {244, 2440, 2440, 1231}},
			groups: 244, grades: map[int]int{2: 818, 1: 413, 0: 1209}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := LoadWith(r(tc.path), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if d.Format != tc.format || len(d.Passages) != tc.passages {
				t.Errorf("format %q, %d passages; want %q, %d", d.Format, len(d.Passages), tc.format, tc.passages)
			}
			got := map[Split]splitCount{}
			grades := map[int]int{}
			for _, s := range d.Splits() {
				sub, err := d.Subset(s)
				if err != nil {
					t.Fatal(err)
				}
				c := splitCount{Queries: len(sub.Queries), Passages: len(sub.Passages)}
				for _, m := range d.Qrels[s] {
					for _, g := range m {
						c.Qrels++
						grades[g]++
						if g > 0 {
							c.Relevant++
						}
					}
				}
				got[s] = c
			}
			if !reflect.DeepEqual(got, tc.splits) {
				t.Errorf("splits = %+v, want %+v", got, tc.splits)
			}
			if _, why := d.DefaultSplit(); why != tc.def {
				t.Errorf("DefaultSplit: %q, want %q", why, tc.def)
			}
			if len(d.Candidates) != tc.groups {
				t.Errorf("%d candidate groups, want %d", len(d.Candidates), tc.groups)
			}
			if tc.grades != nil && !reflect.DeepEqual(grades, tc.grades) {
				t.Errorf("grades = %v, want %v", grades, tc.grades)
			}
			if tc.groups > 0 && d.RelMinDefault != 2 {
				t.Errorf("RelMinDefault = %d, want 2", d.RelMinDefault)
			}
			if len(d.Warnings) != tc.warnings {
				t.Errorf("warnings = %q, want %d", d.Warnings, tc.warnings)
			}
		})
	}
}

// TestRealRegressions covers the findings on the real files.
func TestRealRegressions(t *testing.T) {
	if _, err := os.Stat(realData); err != nil {
		t.Skipf("no real data at %s", realData)
	}
	// A BEIR qrels file is not reranking rows (it scored MAP 1.000).
	_, err := Load(filepath.Join(realData, "scifact/qrels/test.tsv"))
	if !errors.Is(err, ErrQrelsFile) {
		t.Errorf("scifact/qrels/test.tsv: err = %v, want ErrQrelsFile", err)
	}
	// Groups of 10 in SemEval-2016; the two identical comments of Q344_R9 keep their labels.
	d, err := Load(filepath.Join(realData, "semeval2016_task3_english_subtaskA/SemEval2016-Task3-CQA-QL-test-subtaskA.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for qid, c := range d.Candidates {
		if len(c) != 10 {
			t.Errorf("group %s has %d candidates", qid, len(c))
		}
	}
	if g := d.Qrels[Test]["Q344_R9"]; g["Q344_R9_C3"] != 2 || g["Q344_R9_C4"] != 1 {
		t.Errorf("Q344_R9: %v", g)
	}
	// The four ViRE files load; the whole folder is refused with a clear reason.
	if _, err := Load(filepath.Join(realData, "vire_subsets")); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("vire_subsets folder: %v", err)
	}
}
