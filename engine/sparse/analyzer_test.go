package sparse

import (
	"context"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/text"
)

// TestAnalyzerSettings: the index and its queries go through the chosen analyzer, and the
// settings are reported back in the spec syntax for recording.
func TestAnalyzerSettings(t *testing.T) {
	ps := []datasets.Passage{
		{ID: "a0", Text: "ذهب الطلاب إلى المدرسة صباحا"},     // المدرسة → مدرسه → stem مدرس
		{ID: "a1", Text: "والمعلمون في المدارس الحكومية"},    // المدارس → مدارس: a broken plural, not conflated
		{ID: "a2", Text: "The school is in the city centre"}, // English: untouched by the Arabic stemmer
	}
	ctx := context.Background()
	ids := func(m *BM25, q string) []string {
		var out []string
		for _, h := range m.Search(q, 10) {
			out = append(out, h.ID)
		}
		return out
	}

	plain, err := NewBM25With(ctx, ps, DefaultBM25(), text.NewAnalyzer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(plain, "مدرسة"); len(got) != 0 {
		t.Errorf("default analyzer: مدرسة matched %v; want nothing (المدرسه is a different term)", got)
	}

	an, err := text.ParseAnalyzer("stem=ar,stop=ar")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseBM25Params("k1=1.2,b=0.75")
	if err != nil {
		t.Fatal(err)
	}
	stem, err := NewBM25With(ctx, ps, p, an, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(stem, "مدرسة"); len(got) != 1 || got[0] != "a0" {
		t.Errorf("stem=ar: مدرسة matched %v, want [a0]", got)
	}
	// والمعلمين and المعلمون both stem to معلم; في is a stopword.
	if got := ids(stem, "في والمعلمين"); len(got) != 1 || got[0] != "a1" {
		t.Errorf("stem=ar: والمعلمين matched %v, want [a1]", got)
	}
	if got := ids(stem, "school"); len(got) != 1 || got[0] != "a2" {
		t.Errorf("stem=ar: school matched %v, want [a2]", got)
	}
	if s := stem.Analyzer().String(); s != "stem=ar,stop=ar,norm=all" {
		t.Errorf("Analyzer().String() = %q", s)
	}
	if s := stem.Params().String(); s != "k1=1.2,b=0.75" {
		t.Errorf("Params().String() = %q", s)
	}
	// Stopwords and stems shape the index: a0 has 4 terms left (ذهب طلاب مدرس صباحا, إلى dropped).
	if st := stem.Stats(); st.Docs != 3 || st.AvgLen != float64(4+3+7)/3 {
		t.Errorf("stats = %+v", st)
	}

	tf, err := NewTFIDFWith(ctx, ps, an, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hits := tf.Search("المدرسة", 10); len(hits) != 1 || hits[0].ID != "a0" {
		t.Errorf("tf-idf stem=ar: %v", hits)
	}
	if s := tf.Analyzer().String(); s != "stem=ar,stop=ar,norm=all" {
		t.Errorf("tf-idf Analyzer().String() = %q", s)
	}
}
