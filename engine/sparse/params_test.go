package sparse

import (
	"math"
	"testing"
)

func TestParseBM25Params(t *testing.T) {
	cases := []struct {
		in   string
		want BM25Params
	}{
		{"k1=1.5,b=0.75", BM25Params{K1: 1.5, B: 0.75}},
		{"b=0.75,k1=1.2", BM25Params{K1: 1.2, B: 0.75}},
		{" k1 = 1.2 , b = 0.75 ", BM25Params{K1: 1.2, B: 0.75}},
		{"k1=1.5", BM25Params{K1: 1.5, B: 0.4}},  // b keeps its default
		{"b=0.75", BM25Params{K1: 0.9, B: 0.75}}, // k1 keeps its default
		{"k1=0,b=0", BM25Params{K1: 0, B: 0}},
		{"k1=0,b=1", BM25Params{K1: 0, B: 1}},
		{"k1=1e1,b=.5", BM25Params{K1: 10, B: 0.5}},
		{"", DefaultBM25()},
		{"default", DefaultBM25()},
	}
	for _, c := range cases {
		got, err := ParseBM25Params(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseBM25Params(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestParseBM25ParamsErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"k1=1.5,b=2", `sparse: bm25 "k1=1.5,b=2": b = 2, want a value in [0, 1]`},
		{"b=-0.1", `sparse: bm25 "b=-0.1": b = -0.1, want a value in [0, 1]`},
		{"k1=-1", `sparse: bm25 "k1=-1": k1 = -1, want a value ≥ 0`},
		{"k1=abc", `sparse: bm25 "k1=abc": k1 = "abc" is not a finite number`},
		{"k1=", `sparse: bm25 "k1=": k1 = "" is not a finite number`},
		{"k1=NaN", `sparse: bm25 "k1=NaN": k1 = "NaN" is not a finite number`},
		{"b=inf", `sparse: bm25 "b=inf": b = "inf" is not a finite number`},
		{"k1=1e400", `sparse: bm25 "k1=1e400": k1 = "1e400" is not a finite number`},
		{"k=1.2", `sparse: bm25 "k=1.2": unknown key "k" (want k1 or b)`},
		{"K1=1.2", `sparse: bm25 "K1=1.2": unknown key "K1" (want k1 or b)`},
		{"k1=1,k1=2", `sparse: bm25 "k1=1,k1=2": k1 given twice`},
		{"b=0.5,b=0.5", `sparse: bm25 "b=0.5,b=0.5": b given twice`},
		{"1.2,0.75", `sparse: bm25 "1.2,0.75": "1.2" is not key=value (want e.g. k1=1.5,b=0.75)`},
		{"k1=1.2,", `sparse: bm25 "k1=1.2,": "" is not key=value (want e.g. k1=1.5,b=0.75)`},
		{"k1=1.2;b=0.75", `sparse: bm25 "k1=1.2;b=0.75": k1 = "1.2;b=0.75" is not a finite number`},
	}
	for _, c := range cases {
		got, err := ParseBM25Params(c.in)
		if err == nil {
			t.Errorf("ParseBM25Params(%q) = %+v, want error %q", c.in, got, c.want)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("ParseBM25Params(%q) error\n got %q\nwant %q", c.in, err, c.want)
		}
		if got != (BM25Params{}) {
			t.Errorf("ParseBM25Params(%q) returned %+v with its error, want the zero value", c.in, got)
		}
	}
}

func TestBM25ParamsString(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // variables: constant arithmetic would be exact
	cases := []struct {
		p    BM25Params
		want string
	}{
		{DefaultBM25(), "k1=0.9,b=0.4"},
		{BM25Params{K1: 1.2, B: 0.75}, "k1=1.2,b=0.75"},
		{BM25Params{K1: 0, B: 1}, "k1=0,b=1"},
		{BM25Params{K1: tenth + fifth, B: 1.0 / 3}, "k1=0.30000000000000004,b=0.3333333333333333"},
		{BM25Params{K1: 1e21, B: 0.5}, "k1=1e+21,b=0.5"},
	}
	for _, c := range cases {
		s := c.p.String()
		if s != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.p, s, c.want)
		}
		back, err := ParseBM25Params(s)
		if err != nil || back != c.p {
			t.Errorf("ParseBM25Params(%q) = %+v, %v; want %+v (round trip)", s, back, err, c.p)
		}
	}
}

func FuzzParseBM25Params(f *testing.F) {
	for _, s := range []string{"k1=1.5,b=0.75", "b=1", "", "default", "k1=-0", "k1=1e308,b=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseBM25Params(s)
		if err != nil {
			return
		}
		if verr := p.Validate(); verr != nil {
			t.Fatalf("ParseBM25Params(%q) = %+v, which Validate rejects: %v", s, p, verr)
		}
		back, err := ParseBM25Params(p.String())
		if err != nil || back != p || math.Signbit(back.K1) != math.Signbit(p.K1) {
			t.Fatalf("round trip of %+v via %q = %+v, %v", p, p.String(), back, err)
		}
	})
}
