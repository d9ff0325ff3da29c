package text

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseAnalyzer(t *testing.T) {
	def := DefaultOptions()
	noLower := def
	noLower.Lower = false
	noTaaNoTone := def
	noTaaNoTone.ArabicTaaMarbuta = false
	noTaaNoTone.VietTone = false
	cases := []struct {
		in   string
		want Analyzer
		str  string
	}{
		{"", NewAnalyzer(), DefaultAnalyzerSpec},
		{"default", NewAnalyzer(), DefaultAnalyzerSpec},
		{"stem=ar,stop=ar+en+vi", Analyzer{Opts: def, Stem: ArabicSet, Stop: AllLangs}, "stem=ar,stop=ar+en+vi,norm=all"},
		{"stem=on,stop=off", Analyzer{Opts: def, Stem: ArabicSet}, "stem=ar,stop=off,norm=all"},
		{"stop=on", Analyzer{Opts: def, Stop: AllLangs}, "stem=off,stop=ar+en+vi,norm=all"},
		{"stop=vi+ar", Analyzer{Opts: def, Stop: ArabicSet | VietnameseSet}, "stem=off,stop=ar+vi,norm=all"},
		{" stop = en , stem = off ", Analyzer{Opts: def, Stop: EnglishSet}, "stem=off,stop=en,norm=all"},
		{"lower=off", Analyzer{Opts: noLower}, "stem=off,stop=off,norm=nfkc+diacritics+tatweel+alef+yaa+taa+digits+vitone"},
		{"norm=none", Analyzer{}, "stem=off,stop=off,norm=none"},
		{"norm=off", Analyzer{}, "stem=off,stop=off,norm=none"},
		{"norm=on", NewAnalyzer(), DefaultAnalyzerSpec},
		{"norm=lower+nfkc", Analyzer{Opts: Options{NFKC: true, Lower: true}}, "stem=off,stop=off,norm=nfkc+lower"},
		// Single flags apply after norm, wherever they are written.
		{"lower=on,norm=none", Analyzer{Opts: Options{Lower: true}}, "stem=off,stop=off,norm=lower"},
		{"norm=none,lower=on", Analyzer{Opts: Options{Lower: true}}, "stem=off,stop=off,norm=lower"},
		{"taa=off,vitone=off,stem=ar", Analyzer{Opts: noTaaNoTone, Stem: ArabicSet}, "stem=ar,stop=off,norm=nfkc+lower+diacritics+tatweel+alef+yaa+digits"},
		{"nfkc=on,lower=on,diacritics=on,tatweel=on,alef=on,yaa=on,taa=on,digits=on,vitone=on", NewAnalyzer(), DefaultAnalyzerSpec},
	}
	for _, c := range cases {
		got, err := ParseAnalyzer(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseAnalyzer(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
			continue
		}
		if s := got.String(); s != c.str {
			t.Errorf("ParseAnalyzer(%q).String() = %q, want %q", c.in, s, c.str)
		}
		if back, err := ParseAnalyzer(got.String()); err != nil || back != got {
			t.Errorf("ParseAnalyzer(%q) = %+v, %v; want %+v (round trip)", got.String(), back, err, got)
		}
	}
	if s := NewAnalyzer().String(); s != DefaultAnalyzerSpec {
		t.Errorf("NewAnalyzer().String() = %q, want %q", s, DefaultAnalyzerSpec)
	}
	// Stem languages without a stemmer change nothing, so String leaves them out.
	if s := (Analyzer{Opts: def, Stem: AllLangs}).String(); s != "stem=ar,stop=off,norm=all" {
		t.Errorf("String with Stem = all languages: %q", s)
	}
}

func TestParseAnalyzerErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"stem=en", `text: analyzer "stem=en": stem: no stemmer for "en" (have: ar)`},
		{"stem=ar+vi", `text: analyzer "stem=ar+vi": stem: no stemmer for "vi" (have: ar)`},
		{"stop=fr", `text: analyzer "stop=fr": stop: unknown language "fr" (want on, off or languages from ar+en+vi joined by +)`},
		{"stop=ar+", `text: analyzer "stop=ar+": stop: unknown language "" (want on, off or languages from ar+en+vi joined by +)`},
		{"stop=", `text: analyzer "stop=": stop: unknown language "" (want on, off or languages from ar+en+vi joined by +)`},
		{"stop=yes", `text: analyzer "stop=yes": stop: unknown language "yes" (want on, off or languages from ar+en+vi joined by +)`},
		{"stem=ar,stem=off", `text: analyzer "stem=ar,stem=off": stem given twice`},
		{"lower=off,lower=on", `text: analyzer "lower=off,lower=on": lower given twice`},
		{"lower=no", `text: analyzer "lower=no": lower = "no", want on or off`},
		{"lowercase=off", `text: analyzer "lowercase=off": unknown key "lowercase" (want stem, stop, norm or one of nfkc, lower, diacritics, tatweel, alef, yaa, taa, digits, vitone)`},
		{"norm=nfc", `text: analyzer "norm=nfc": norm: unknown step "nfc" (want all, none or steps from nfkc, lower, diacritics, tatweel, alef, yaa, taa, digits, vitone joined by +)`},
		{"stem", `text: analyzer "stem": "stem" is not key=value (want e.g. stem=ar,stop=ar+en)`},
		{"stem=ar,", `text: analyzer "stem=ar,": "" is not key=value (want e.g. stem=ar,stop=ar+en)`},
		{"stem=ar;stop=en", `text: analyzer "stem=ar;stop=en": stem: unknown language "ar;stop=en" (want on, off or languages from ar joined by +)`},
	}
	for _, c := range cases {
		got, err := ParseAnalyzer(c.in)
		if err == nil {
			t.Errorf("ParseAnalyzer(%q) = %+v, want error %q", c.in, got, c.want)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("ParseAnalyzer(%q) error\n got %q\nwant %q", c.in, err, c.want)
		}
	}
}

func TestLangSet(t *testing.T) {
	s := ArabicSet | VietnameseSet
	if !s.Has(Arabic) || s.Has(English) || !s.Has(Vietnamese) || s.Has(Other) {
		t.Errorf("Has on %v wrong", s)
	}
	if got := s.Langs(); !reflect.DeepEqual(got, []Lang{Arabic, Vietnamese}) {
		t.Errorf("Langs = %v", got)
	}
	if LangSet(0).String() != "off" || AllLangs.String() != "ar+en+vi" {
		t.Errorf("String: %q %q", LangSet(0), AllLangs)
	}
}

// TestArabicAnalyzerLucene runs the cases of Lucene's TestArabicAnalyzer
// (lucene/analysis/common/src/test/org/apache/lucene/analysis/ar/TestArabicAnalyzer.java) through
// the Lucene-like setting stem=ar,stop=ar. Tokenisation differs from Lucene's StandardTokenizer
// only in cases these sentences do not touch.
func TestArabicAnalyzerLucene(t *testing.T) {
	a, err := ParseAnalyzer("stem=ar,stop=ar")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in   string
		want []string
	}{
		{"كبير", []string{"كبير"}},
		{"كبيرة", []string{"كبير"}}, // feminine marker
		{"مشروب", []string{"مشروب"}},
		{"مشروبات", []string{"مشروب"}},  // plural -at
		{"أمريكيين", []string{"امريك"}}, // plural -in
		{"امريكي", []string{"امريك"}},   // singular with bare alif
		{"كتاب", []string{"كتاب"}},
		{"الكتاب", []string{"كتاب"}}, // definite article
		{"ما ملكت أيمانكم", []string{"ملكت", "ايمانكم"}},
		{"الذين ملكت أيمانكم", []string{"ملكت", "ايمانكم"}}, // stopwords
		{"١٢٣٤", []string{"1234"}},                          // digits folded
		{"English text.", []string{"english", "text"}},
		// Lucene's stemmer tests after normalisation: ة has become ه, so ية and ة act as يه and ه.
		{"ساهدية ساهدة ساهدهات وساهدون", []string{"ساهد", "ساهد", "ساهد", "ساهد"}},
	}
	for _, c := range cases {
		if got := a.Analyze(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Analyze(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Stemming without stopwords keeps ما; stemming is off by default.
	a.Stop = 0
	if got := a.Analyze("ما ملكت أيمانكم"); !reflect.DeepEqual(got, []string{"ما", "ملكت", "ايمانكم"}) {
		t.Errorf("stem only: %q", got)
	}
	if got := NewAnalyzer().Analyze("الكتاب"); !reflect.DeepEqual(got, []string{"الكتاب"}) {
		t.Errorf("default analyzer stems: %q", got)
	}
}

// TestStemMixedText: the Arabic stemmer applies to Arabic tokens of a text detected as English,
// as Lucene's filter does, and leaves Latin and Vietnamese tokens alone.
func TestStemMixedText(t *testing.T) {
	a := Analyzer{Opts: DefaultOptions(), Stem: ArabicSet}
	got := a.Analyze("The word الكتاب means the book in Vietnamese: quyển sách")
	want := []string{"the", "word", "كتاب", "means", "the", "book", "in", "vietnamese", "quyển", "sách"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestStopwordLists(t *testing.T) {
	// Normalised sizes: English 33 distinct words; Arabic 119 entries collapse to 88 once
	// أ/إ/ا, ى/ي and آ are folded; Vietnamese 82.
	for _, c := range []struct {
		lang Lang
		n    int
	}{{English, 33}, {Arabic, 88}, {Vietnamese, 82}} {
		if got := len(Stopwords(c.lang)); got != c.n {
			t.Errorf("%s: %d normalised stopwords, want %d", c.lang, got, c.n)
		}
	}
	if Stopwords(Other) != nil {
		t.Error("Other has a stopword list")
	}
	for _, lang := range []Lang{English, Arabic, Vietnamese} {
		for _, w := range Stopwords(lang) {
			if toks := Tokens(w, lang, DefaultOptions()); len(toks) != 1 || toks[0] != w {
				t.Errorf("%s stopword %q analyses to %q, not itself (never matches)", lang, w, toks)
			}
		}
	}
	// Negations and question words are kept in Vietnamese; Lucene's English list drops no/not.
	for _, w := range []string{"không", "chưa", "gì", "nào", "ai", "sao", "đâu", "người", "năm", "ngày"} {
		if IsStopword(w, Vietnamese) {
			t.Errorf("%q is a Vietnamese stopword", w)
		}
	}
	for _, w := range []string{"ثم", "أيضاً", "هى", "إلى", "الآن"} {
		if !IsStopword(w, Arabic) {
			t.Errorf("%q is not an Arabic stopword", w)
		}
	}
	if !strings.Contains(strings.Join(Stopwords(English), " "), "not") {
		t.Error("English list lacks not")
	}
}

func FuzzParseAnalyzer(f *testing.F) {
	for _, s := range []string{"", "default", "stem=ar,stop=ar+en+vi", "stem=on,stop=off", "norm=none,lower=on", "taa=off", "stop=ar+ar"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAnalyzer(s)
		if err != nil {
			return
		}
		back, err := ParseAnalyzer(a.String())
		if err != nil || back != a {
			t.Fatalf("ParseAnalyzer(%q) = %+v; its String %q parses to %+v, %v", s, a, a.String(), back, err)
		}
	})
}

func FuzzAnalyzeStemStop(f *testing.F) {
	for _, s := range []string{"ما ملكت أيمانكم", "Hà Nội là thủ đô", "The capital of France", "والحسن ساهدهات", "\xd9\x88\xff", ""} {
		f.Add(s)
	}
	a := Analyzer{Opts: DefaultOptions(), Stop: AllLangs, Stem: StemLangs}
	raw := Analyzer{Stop: AllLangs, Stem: StemLangs} // no normalisation: stopwords still match by canonical form
	f.Fuzz(func(t *testing.T, s string) {
		for _, an := range []Analyzer{a, raw} {
			for _, tok := range an.Analyze(s) {
				if tok == "" || strings.ContainsFunc(tok, func(r rune) bool { return r == ' ' }) {
					t.Fatalf("Analyze(%q) with %v gave term %q", s, an, tok)
				}
			}
		}
	})
}
