package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestStemArabicLucene checks every case of Lucene's TestArabicStemFilter
// (lucene/analysis/common/src/test/org/apache/lucene/analysis/ar/TestArabicStemFilter.java,
// apache/lucene main): the stemmer alone, on unnormalised input.
func TestStemArabicLucene(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"AlPrefix", "الحسن", "حسن"},
		{"WalPrefix", "والحسن", "حسن"},
		{"BalPrefix", "بالحسن", "حسن"},
		{"KalPrefix", "كالحسن", "حسن"},
		{"FalPrefix", "فالحسن", "حسن"},
		{"LlPrefix", "للاخر", "اخر"},
		{"WaPrefix", "وحسن", "حسن"},
		{"AhSuffix", "زوجها", "زوج"},
		{"AnSuffix", "ساهدان", "ساهد"},
		{"AtSuffix", "ساهدات", "ساهد"},
		{"WnSuffix", "ساهدون", "ساهد"},
		{"YnSuffix", "ساهدين", "ساهد"},
		{"YhSuffix", "ساهديه", "ساهد"},
		{"YpSuffix", "ساهدية", "ساهد"},
		{"HSuffix", "ساهده", "ساهد"},
		{"PSuffix", "ساهدة", "ساهد"},
		{"YSuffix", "ساهدي", "ساهد"},
		{"ComboPrefSuf", "وساهدون", "ساهد"},
		{"ComboSuf", "ساهدهات", "ساهد"},
		{"ShouldntStem", "الو", "الو"},
		{"NonArabic", "English", "English"},
		{"EmptyTerm", "", ""},
	}
	for _, c := range cases {
		if got := StemArabic(c.in); got != c.want {
			t.Errorf("%s: StemArabic(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

// TestStemArabicLengthRules pins the length limits and the order of the rules, worked by hand
// from Lucene's startsWithCheckLength / endsWithCheckLength.
func TestStemArabicLengthRules(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"al needs 2 left: 4 letters stem", "الحب", "حب"},
		{"al needs 2 left: 3 letters stay", "الم", "الم"},
		{"wa needs 4 letters", "وقت", "وقت"},
		{"wa on 4 letters, then ي", "ولدي", "لد"}, // و → لدي (3 letters), ي → لد
		{"wal too long for 4 letters, wa applies", "والد", "الد"},
		{"ll too long for 3 letters, h applies", "لله", "لل"},
		{"suffix needs 2 left", "بها", "بها"},
		{"one-letter suffix needs 3 letters", "به", "به"},
		{"h on 3 letters", "كته", "كت"},
		{"suffixes chain in table order", "مدرساتها", "مدرس"}, // ها, then ات
		{"ات then ه", "كتبهات", "كتب"},
		{"prefix once only", "والكتاب", "كتاب"},
		{"al then suffix", "المعلمون", "معلم"},
		{"bal + ين", "بالمسلمين", "مسلم"},
		{"ال then ة", "المدرسة", "مدرس"},
		{"normalised ة as ه", "المدرسه", "مدرس"},
		{"latin untouched", "the", "the"},
		{"digits untouched", "2024", "2024"},
		{"mixed script", "الabc", "abc"},
	}
	for _, c := range cases {
		if got := StemArabic(c.in); got != c.want {
			t.Errorf("%s: StemArabic(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func FuzzStemArabic(f *testing.F) {
	for _, s := range []string{"والحسن", "ساهدهات", "الو", "English", "", "\xd9", "ال\xff", "و𝔸ها"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := StemArabic(s)
		if !strings.Contains(s, got) {
			t.Fatalf("StemArabic(%q) = %q, not a substring", s, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("StemArabic(%q) = %q, invalid UTF-8", s, got)
		}
		if len(got) < len(s) && utf16Len(got) < 2 {
			t.Fatalf("StemArabic(%q) = %q, stemmed below 2 characters", s, got)
		}
	})
}

// TestNormalizeLuceneArabic: Normalize with DefaultOptions passes every case of Lucene's
// TestArabicNormalizationFilter (the ArabicNormalizer that runs before ArabicStemmer).
func TestNormalizeLuceneArabic(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"AlifMadda", "آجن", "اجن"},
		{"AlifHamzaAbove", "أحمد", "احمد"},
		{"AlifHamzaBelow", "إعاذ", "اعاذ"},
		{"AlifMaksura", "بنى", "بني"},
		{"TehMarbuta", "فاطمة", "فاطمه"},
		{"Tatweel", "روبرـــــت", "روبرت"},
		{"Fatha", "مَبنا", "مبنا"},
		{"Kasra", "علِي", "علي"},
		{"Damma", "بُوات", "بوات"},
		{"Fathatan", "ولداً", "ولدا"},
		{"Kasratan", "ولدٍ", "ولد"},
		{"Dammatan", "ولدٌ", "ولد"},
		{"Sukun", "نلْسون", "نلسون"},
		{"Shaddah", "هتميّ", "هتمي"},
		{"EmptyTerm", "", ""},
	}
	for _, c := range cases {
		if got := Normalize(c.in, Arabic, DefaultOptions()); got != c.want {
			t.Errorf("%s: Normalize(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}
