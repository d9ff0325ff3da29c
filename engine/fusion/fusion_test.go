package fusion

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want Spec
	}{
		{"fuse:rrf:bm25+runs/dense", Spec{Method: RRF, K: 60, Members: []string{"bm25", "runs/dense"}}},
		{"fuse:RRF(k=10):bm25+tfidf+run:out/ce.trec", Spec{Method: RRF, K: 10, Members: []string{"bm25", "tfidf", "run:out/ce.trec"}}},
		{"fuse:rrf(k=0, w=2,1):a+b", Spec{Method: RRF, K: 0, Weights: []float64{2, 1}, Members: []string{"a", "b"}}},
		{"fuse:rrf():a+b", Spec{Method: RRF, K: 60, Members: []string{"a", "b"}}},
		{"fuse:combsum:a+b", Spec{Method: CombSUM, Norm: NormMinMax, Members: []string{"a", "b"}}},
		{"fuse:combsum(norm=minmax):bm25+runs/dense", Spec{Method: CombSUM, Norm: NormMinMax, Members: []string{"bm25", "runs/dense"}}},
		{"fuse:combmnz(norm=zscore):bm25+runs/dense", Spec{Method: CombMNZ, Norm: NormZScore, Members: []string{"bm25", "runs/dense"}}},
		{"fuse:combsum(norm=none):a+b", Spec{Method: CombSUM, Norm: NormNone, Members: []string{"a", "b"}}},
		{"fuse:wsum(w=0.7,0.3;norm=minmax):bm25+runs/dense", Spec{Method: WSum, Norm: NormMinMax, Weights: []float64{0.7, 0.3}, Members: []string{"bm25", "runs/dense"}}},
		{"fuse:wsum(w=0.7,0.3,norm=zscore):a + b", Spec{Method: WSum, Norm: NormZScore, Weights: []float64{0.7, 0.3}, Members: []string{"a", "b"}}},
		{"fuse:wsum( norm = none ; w = 1 , 0 ):a+b", Spec{Method: WSum, Norm: NormNone, Weights: []float64{1, 0}, Members: []string{"a", "b"}}},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", c.in, got, c.want)
		}
		back, err := Parse(got.String())
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("round trip of %q via %q: %+v, %v", c.in, got.String(), back, err)
		}
	}
	if s := (Spec{Method: WSum, Norm: NormMinMax, Weights: []float64{0.7, 0.3}, Members: []string{"a", "b"}}).String(); s != "fuse:wsum(w=0.7,0.3;norm=minmax):a+b" {
		t.Errorf("String = %q", s)
	}
	if s := (Spec{Method: RRF, K: 60, Members: []string{"a", "b"}}).String(); s != "fuse:rrf(k=60):a+b" {
		t.Errorf("String = %q", s)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in  string
		col int
		msg string
	}{
		{"rrf:a+b", 1, `expected "fuse:"`},
		{"fuse::a+b", 6, "expected a method"},
		{"fuse:borda:a+b", 6, `unknown method "borda"`},
		{"fuse:rrf", 9, `expected ":" and the members`},
		{"fuse:rrf[k=1]:a+b", 9, `expected "(" or ":"`},
		{"fuse:rrf(k=x):a+b", 12, `expected a number ≥ 0 for k, found "x"`},
		{"fuse:rrf(k=-1):a+b", 12, "expected a number ≥ 0 for k"},
		{"fuse:rrf(k=1,2):a+b", 13, "k takes one number"},
		{"fuse:rrf(k=1;k=2):a+b", 14, `parameter "k" given twice`},
		{"fuse:rrf(norm=minmax):a+b", 10, "no norm parameter"},
		{"fuse:combsum(k=1):a+b", 14, "k is for rrf only"},
		{"fuse:combsum(norm=l2):a+b", 19, "expected none, minmax or zscore"},
		{"fuse:combsum(depth=5):a+b", 14, `unknown parameter "depth"`},
		{"fuse:combsum(norm):a+b", 18, `expected "=" after "norm"`},
		{"fuse:combsum(norm=):a+b", 19, `expected a value for "norm"`},
		{"fuse:combsum(=1):a+b", 14, "expected a parameter name"},
		{"fuse:combsum(norm=none:a+b", 23, `expected ";" or ")"`},
		{"fuse:wsum(w=0.5,x):a+b", 17, `expected a weight ≥ 0, found "x"`},
		{"fuse:wsum(w=0.5,0.3,0.2):a+b", 11, "3 weights for 2 members"},
		{"fuse:wsum(w=0,0):a+b", 6, "all weights are 0"},
		{"fuse:wsum:a+b", 14, "wsum needs weights"},
		{"fuse:rrf:bm25", 14, "at least two"},
		{"fuse:rrf:a++b", 12, "member 2 is empty"},
		{"fuse:rrf:a+", 12, "member 2 is empty"},
		{"fuse:rrf:a+fuse:rrf:b", 12, "nested fusion"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, ErrSpec) {
			t.Errorf("Parse(%q) err = %v, want a *SyntaxError", c.in, err)
			continue
		}
		if se.Pos+1 != c.col || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("Parse(%q): column %d %q, want column %d containing %q", c.in, se.Pos+1, se.Msg, c.col, c.msg)
		}
		if !strings.Contains(err.Error(), "column") {
			t.Errorf("error %q does not name the column", err)
		}
	}
	if !IsFusion("fuse:rrf:a+b") || IsFusion("bm25") {
		t.Error("IsFusion")
	}
}

func ids(l []Scored) string { return strings.Join(IDs(l), " ") }

// Two lists for one query:
//
//	A: a 10, b 8, c 6        minmax (min 6, max 10): a 1, b .5, c 0
//	B: b 9,  d 5, a 1        minmax (min 1, max 9):  b 1, d .5, a 0
//
// z-scores (population sd): A mean 8, sd √(8/3): a √1.5, b 0, c −√1.5;
// B mean 5, sd √(32/3) = 2√(8/3): b √1.5, d 0, a −√1.5 (√1.5 = 1.224744871391589).
func TestFuseWorked(t *testing.T) {
	A := []Scored{{"a", 10}, {"b", 8}, {"c", 6}}
	B := []Scored{{"b", 9}, {"d", 5}, {"a", 1}}
	r15 := math.Sqrt(1.5)
	cases := []struct {
		spec  string
		order string
		score map[string]float64
	}{
		// RRF k=60: a 1/61+1/63, b 1/62+1/61, c 1/63, d 1/62.
		{"fuse:rrf(k=60):A+B", "b a d c", map[string]float64{
			"a": 1.0/61 + 1.0/63, "b": 1.0/62 + 1.0/61, "c": 1.0 / 63, "d": 1.0 / 62}},
		// k=0: a 1+1/3, b 1/2+1, c 1/3, d 1/2.
		{"fuse:rrf(k=0):A+B", "b a d c", map[string]float64{"a": 4.0 / 3, "b": 1.5, "c": 1.0 / 3, "d": 0.5}},
		// Weighted RRF k=0, w 3,1: a 3+1/3, b 3/2+1, c 1, d 1/2.
		{"fuse:rrf(k=0;w=3,1):A+B", "a b c d", map[string]float64{"a": 10.0 / 3, "b": 2.5, "c": 1, "d": 0.5}},
		// CombSUM minmax: a 1+0, b .5+1, c 0, d .5.
		{"fuse:combsum(norm=minmax):A+B", "b a d c", map[string]float64{"a": 1, "b": 1.5, "c": 0, "d": 0.5}},
		// CombMNZ minmax: a 1·2, b 1.5·2, c 0·1, d .5·1.
		{"fuse:combmnz(norm=minmax):A+B", "b a d c", map[string]float64{"a": 2, "b": 3, "c": 0, "d": 0.5}},
		// CombSUM zscore: a √1.5−√1.5 = 0, b √1.5, c −√1.5, d 0; a and d tie at 0: id order.
		{"fuse:combsum(norm=zscore):A+B", "b a d c", map[string]float64{"a": 0, "b": r15, "c": -r15, "d": 0}},
		// CombMNZ zscore: b 2√1.5, a 0·2, d 0·1, c −√1.5.
		{"fuse:combmnz(norm=zscore):A+B", "b a d c", map[string]float64{"a": 0, "b": 2 * r15, "c": -r15, "d": 0}},
		// Raw scores: a 11, b 17, c 6, d 5.
		{"fuse:combsum(norm=none):A+B", "b a c d", map[string]float64{"a": 11, "b": 17, "c": 6, "d": 5}},
		// Weighted sum .7/.3 minmax: a .7, b .35+.3 = .65, c 0, d .15 — A's favourite wins.
		{"fuse:wsum(w=0.7,0.3;norm=minmax):A+B", "a b d c", map[string]float64{"a": 0.7, "b": 0.65, "c": 0, "d": 0.15}},
	}
	for _, c := range cases {
		spec, err := Parse(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Fuse(spec, [][]Scored{A, B})
		if err != nil {
			t.Fatal(err)
		}
		if ids(got) != c.order {
			t.Errorf("%s: order %q, want %q (%v)", c.spec, ids(got), c.order, got)
		}
		for _, s := range got {
			if math.Abs(s.Score-c.score[s.ID]) > 1e-12 {
				t.Errorf("%s: %s = %.15g, want %.15g", c.spec, s.ID, s.Score, c.score[s.ID])
			}
		}
	}
}

func TestFuseEdges(t *testing.T) {
	rrf, _ := Parse("fuse:rrf:A+B")
	sum, _ := Parse("fuse:combsum:A+B")
	mnz, _ := Parse("fuse:combmnz(norm=zscore):A+B")
	// Equal fused scores: ids ascending, whichever list holds which.
	for _, lists := range [][][]Scored{{{{"y", 1}}, {{"x", 1}}}, {{{"x", 1}}, {{"y", 1}}}} {
		got, _ := Fuse(rrf, lists)
		if ids(got) != "x y" {
			t.Errorf("tie order %q, want \"x y\"", ids(got))
		}
	}
	// Duplicates count at their first position; RRF ignores scores (even NaN), Comb* drop
	// non-finite scores before normalising. A = [a, a, b NaN, c]: RRF ranks a 1, b 2, c 3.
	A := []Scored{{"a", 3}, {"a", 2}, {"b", math.NaN()}, {"c", 1}}
	got, _ := Fuse(rrf, [][]Scored{A, nil})
	if ids(got) != "a b c" || got[0].Score != 1.0/61 || got[2].Score != 1.0/63 {
		t.Errorf("rrf with duplicates: %v", got)
	}
	// CombSUM: cleaned A = [a 3, c 1] → minmax a 1, c 0; b dropped.
	got, _ = Fuse(sum, [][]Scored{A, nil})
	if ids(got) != "a c" || got[0].Score != 1 || got[1].Score != 0 {
		t.Errorf("combsum with duplicates and NaN: %v", got)
	}
	if !reflect.DeepEqual(A[1], Scored{"a", 2}) {
		t.Error("Fuse modified its input")
	}
	// A constant list normalises to 1 under minmax and 0 under zscore.
	got, _ = Fuse(sum, [][]Scored{{{"a", 5}, {"b", 5}}, {{"b", 2}}})
	if ids(got) != "b a" || got[0].Score != 2 || got[1].Score != 1 {
		t.Errorf("constant minmax: %v", got)
	}
	got, _ = Fuse(mnz, [][]Scored{{{"a", 5}, {"b", 5}}, {{"b", 2}}})
	if got[0].Score != 0 || got[1].Score != 0 || ids(got) != "a b" {
		t.Errorf("constant zscore: %v", got)
	}
	// Empty input: empty output, no error.
	if got, err := Fuse(rrf, [][]Scored{nil, {}}); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
	// Wrong number of lists, invalid hand-made spec.
	if _, err := Fuse(rrf, [][]Scored{A}); !errors.Is(err, ErrSpec) {
		t.Errorf("1 list for 2 members: %v", err)
	}
	for _, bad := range []Spec{
		{Method: "borda", Members: []string{"a", "b"}},
		{Method: RRF, K: -1, Members: []string{"a", "b"}},
		{Method: CombSUM, Norm: "l2", Members: []string{"a", "b"}},
		{Method: CombSUM, Norm: NormNone, Members: []string{"a"}},
		{Method: WSum, Norm: NormNone, Members: []string{"a", "b"}},
		{Method: CombSUM, Norm: NormNone, Weights: []float64{1, math.NaN()}, Members: []string{"a", "b"}},
	} {
		if _, err := Fuse(bad, [][]Scored{nil, nil}); !errors.Is(err, ErrSpec) {
			t.Errorf("Fuse(%+v) err = %v, want ErrSpec", bad, err)
		}
	}
}

func TestFuseRuns(t *testing.T) {
	spec, _ := Parse("fuse:rrf(k=0):A+B")
	runs := []map[string][]Scored{
		{"q1": {{"a", 1}, {"b", 0}}, "q2": {{"c", 1}}},
		{"q1": {{"b", 1}}, "q3": {{"d", 1}}},
	}
	got, err := FuseRuns(spec, runs)
	if err != nil {
		t.Fatal(err)
	}
	// q1: a 1, b 1/2 + 1 → b a; q2: c only; q3: d only.
	want := map[string]string{"q1": "b a", "q2": "c", "q3": "d"}
	if len(got) != len(want) {
		t.Errorf("queries %v", got)
	}
	for q, w := range want {
		if ids(got[q]) != w {
			t.Errorf("%s: %q, want %q", q, ids(got[q]), w)
		}
	}
	if _, err := FuseRuns(spec, runs[:1]); !errors.Is(err, ErrSpec) {
		t.Errorf("1 run for 2 members: %v", err)
	}
}

// Parse never panics, and what it accepts is valid and survives String.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"fuse:rrf(k=60):a+b", "fuse:wsum(w=0.7,0.3;norm=minmax):bm25+runs/x", "fuse:combmnz(norm=zscore):a+b+c", "fuse:rrf(", "fuse:(,=;):+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := Parse(s)
		if err != nil {
			return
		}
		if err := spec.Validate(); err != nil {
			t.Fatalf("Parse(%q) accepted an invalid spec: %v", s, err)
		}
		back, err := Parse(spec.String())
		if err != nil || !reflect.DeepEqual(back, spec) {
			t.Fatalf("round trip of %q via %q: %+v, %v", s, spec.String(), back, err)
		}
	})
}
