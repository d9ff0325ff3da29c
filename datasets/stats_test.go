package datasets

import (
	"reflect"
	"testing"

	"github.com/arslab/arslab/engine/text"
)

func TestCountTokens(t *testing.T) {
	for s, want := range map[string]int{
		"": 0, "   ": 0, "a": 1, " a  b\tc\n": 3, "ما هي عاصمة مصر؟": 4,
		"Hà Nội\u00a0là": 3, // U+00A0 no-break space separates
	} {
		if got := countTokens(s); got != want {
			t.Errorf("countTokens(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestLengthStats(t *testing.T) {
	edges := histEdges()
	tests := []struct {
		lens []int
		want LengthStats
		hist []int
	}{
		{nil, LengthStats{}, []int{0, 0, 0, 0, 0, 0, 0, 0}},
		// one value: everything is that value; 8 opens bucket [8,16).
		{[]int{8}, LengthStats{Mean: 8, Median: 8, P95: 8, Max: 8}, []int{0, 1, 0, 0, 0, 0, 0, 0}},
		// sorted 0,7,9,600: mean 616/4 = 154; median (7+9)/2 = 8; p95 rank ceil(3.8)=4 → 600.
		{[]int{600, 9, 0, 7}, LengthStats{Mean: 154, Median: 8, P95: 600, Max: 600}, []int{2, 1, 0, 0, 0, 0, 0, 1}},
		// 1..20: mean 10.5; median (10+11)/2; p95 rank ceil(19) = 19 → 19.
		{seq(1, 20), LengthStats{Mean: 10.5, Median: 10.5, P95: 19, Max: 20}, []int{7, 8, 5, 0, 0, 0, 0, 0}},
	}
	for _, tc := range tests {
		got, hist := lengthStats(tc.lens, edges)
		if got != tc.want || !reflect.DeepEqual(hist, tc.hist) {
			t.Errorf("lengthStats(%v) = %+v %v, want %+v %v", tc.lens, got, hist, tc.want, tc.hist)
		}
	}
}

func seq(a, b int) []int {
	var s []int
	for i := a; i <= b; i++ {
		s = append(s, i)
	}
	return s
}

// TestStatsBEIRTiny checks Stats on the fixture against counts done by hand.
func TestStatsBEIRTiny(t *testing.T) {
	d, err := Load(fx("beir_tiny"))
	if err != nil {
		t.Fatal(err)
	}
	s := d.Stats()
	// Passage tokens (title + text): d1 1+6=7, d2 0+6=6, "3" 2+9=11, d4 0+6=6, d5 1+6=7
	// → sorted 6 6 7 7 11: mean 37/5 = 7.4, median 7, p95 rank ceil(4.75)=5 → 11.
	// Query tokens: 6, 4, 7, 3 → sorted 3 4 6 7: mean 5, median (4+6)/2 = 5, p95 rank 4 → 7.
	want := Stats{
		Name: "beir_tiny", Format: "beir", Passages: 5, Queries: 4,
		Splits: map[Split]SplitStats{
			Train: {Queries: 2, Judgements: 2, Relevant: 2},
			Test:  {Queries: 2, Judgements: 3, Relevant: 2}, // q4→d1 has grade 0
		},
		HardNegatives: 4, HardNegQueries: 2,
		PassageLen:  LengthStats{Mean: 7.4, Median: 7, P95: 11, Max: 11},
		QueryLen:    LengthStats{Mean: 5, Median: 5, P95: 7, Max: 7},
		HistEdges:   []int{0, 8, 16, 32, 64, 128, 256, 512},
		PassageHist: []int{4, 1, 0, 0, 0, 0, 0, 0},
		QueryHist:   []int{4, 0, 0, 0, 0, 0, 0, 0},
		// Passages en d1 d4 d5, ar d2, vi "3"; queries en q1 q4, ar q2, vi 7.
		Languages: map[text.Lang]int{text.English: 5, text.Arabic: 2, text.Vietnamese: 2},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Stats =\n%+v\nwant\n%+v", s, want)
	}
	const table = `dataset          beir_tiny  (beir)
passages         5
queries          4
  train          2 queries  2 judgements, 2 relevant
  test           2 queries  3 judgements, 2 relevant
hard negatives   4          over 2 queries

length (tokens)  mean       median  p95  max
passages         7.4        7       11   11
queries          5.0        5       7    7

histogram        passages   queries
  0-7            4          4
  8-15           1          0
  16-31          0          0
  32-63          0          0
  64-127         0          0
  128-255        0          0
  256-511        0          0
  512+           0          0

language         texts
  en             5
  ar             2
  vi             2
`
	if got := s.Table(); got != table {
		t.Errorf("Table() =\n%s\nwant\n%s", got, table)
	}
}

func TestStatsRerankAndAnswers(t *testing.T) {
	for _, tc := range []struct {
		path                         string
		groups, cands, answered, neg int
	}{
		{"rerank.jsonl", 2, 6, 0, 0},     // q1: p1 p2 p4 p5, q2: p2 p3
		{"squad_train.json", 0, 0, 5, 0}, // five answerable questions with answers
		{"dpr.json", 0, 0, 1, 4},         // only q1 has answers; 2+2 negatives
	} {
		d, err := Load(fx(tc.path))
		if err != nil {
			t.Fatal(err)
		}
		s := ComputeStats(d)
		if s.CandidateGroups != tc.groups || s.Candidates != tc.cands || s.Answered != tc.answered || s.HardNegatives != tc.neg {
			t.Errorf("%s: groups %d cands %d answered %d neg %d, want %d %d %d %d", tc.path,
				s.CandidateGroups, s.Candidates, s.Answered, s.HardNegatives, tc.groups, tc.cands, tc.answered, tc.neg)
		}
	}
}
