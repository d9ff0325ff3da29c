package text

import (
	"reflect"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestNormalizeArabic(t *testing.T) {
	def := DefaultOptions()
	noAlef := def
	noAlef.ArabicAlef = false
	noYaa := def
	noYaa.ArabicYaa = false
	noTaa := def
	noTaa.ArabicTaaMarbuta = false
	noDiac := def
	noDiac.ArabicDiacritics = false
	noTatweel := def
	noTatweel.ArabicTatweel = false
	noDigits := def
	noDigits.Digits = false

	cases := []struct {
		name string
		in   string
		o    Options
		want string
	}{
		{"harakat+shadda+taa", "الْعَرَبِيَّةُ", def, "العربيه"},
		{"tanween", "كِتَابٌ", def, "كتاب"},
		{"tanween fath", "شُكْرًا", def, "شكرا"},
		{"hamza below", "إسلام", def, "اسلام"},
		{"hamza above", "أحمد", def, "احمد"},
		{"madda", "آمن", def, "امن"},
		{"wasla", "ٱلرَّحْمَٰنِ", def, "الرحمن"}, // superscript alef U+0670 dropped
		{"alef maqsura", "مستشفى", def, "مستشفي"},
		{"tatweel", "كـتـاب", def, "كتاب"},
		// Quranic spelling writes the long a of الكتاب as superscript alef, so it goes too.
		{"quranic marks", "ذَٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَ ۛ فِيهِ ۛ", def, "ذلك الكتب لا ريب فيه"},
		{"arabic digits", "عام ٢٠٢٤", def, "عام 2024"},
		{"persian digits", "۱۲۳", def, "123"},
		{"arabic punctuation kept", "ما هذا؟ نعم، هذا.", def, "ما هذا؟ نعم، هذا."},
		{"presentation forms (NFKC)", "\uFEDF\uFEE0\uFEEE", def, "للو"}, // isolated/initial/medial forms
		{"zwnj dropped", "مى\u200Cخواهم", def, "ميخواهم"},
		{"switch alef", "أحمد إسلام", noAlef, "أحمد إسلام"},
		{"switch yaa", "مستشفى", noYaa, "مستشفى"},
		{"switch taa", "مدرسة", noTaa, "مدرسة"},
		{"switch diacritics", "كَتَبَ", noDiac, "كَتَبَ"},
		{"switch tatweel", "كـتاب", noTatweel, "كـتاب"},
		{"switch digits", "٢٠٢٤", noDigits, "٢٠٢٤"},
	}
	for _, c := range cases {
		if got := Normalize(c.in, Arabic, c.o); got != c.want {
			t.Errorf("%s: Normalize(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestTokens(t *testing.T) {
	def := DefaultOptions()
	cases := []struct {
		name string
		in   string
		lang Lang
		want []string
	}{
		{"vi sentence", "Hà Nội là thủ đô của Việt Nam.", Vietnamese,
			[]string{"hà", "nội", "là", "thủ", "đô", "của", "việt", "nam"}},
		{"vi NFD input", norm.NFD.String("Hà Nội là thủ đô của Việt Nam."), Vietnamese,
			[]string{"hà", "nội", "là", "thủ", "đô", "của", "việt", "nam"}},
		{"vi upper", "ĐẠI HỌC QUỐC GIA", Vietnamese, []string{"đại", "học", "quốc", "gia"}},
		{"vi tone placement", "Hoà bình, sức khoẻ, thuỷ điện", Vietnamese,
			[]string{"hòa", "bình", "sức", "khỏe", "thủy", "điện"}},
		{"vi tone already classic", "hòa khỏe thủy", Vietnamese, []string{"hòa", "khỏe", "thủy"}},
		{"vi tone untouched", "hoàng quý quà khuyến", Vietnamese, []string{"hoàng", "quý", "quà", "khuyến"}},
		{"en", "Don't panic—it's fine!", English, []string{"don", "t", "panic", "it", "s", "fine"}},
		{"en numbers", "COVID-19 cases rose 3.5% in 2020", English,
			[]string{"covid", "19", "cases", "rose", "3", "5", "in", "2020"}},
		{"full-width NFKC", "ＡＢＣ１２３", English, []string{"abc123"}},
		{"ligature NFKC", "ﬁnal", English, []string{"final"}},
		{"ar", "ما هي عاصمة المملكة العربية السعودية؟", Arabic,
			[]string{"ما", "هي", "عاصمه", "المملكه", "العربيه", "السعوديه"}},
		{"ar punctuation", "نعم،لا؛ربما؟(حقا)", Arabic, []string{"نعم", "لا", "ربما", "حقا"}},
		{"ar digits split", "سنة ١٩٩٠م", Arabic, []string{"سنه", "1990م"}},
		{"empty", "  \t\n ", English, nil},
		{"only punct", "!!! ... ؟", Other, nil},
	}
	for _, c := range cases {
		got := Tokens(c.in, c.lang, def)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Tokens(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestNormalizeVietnameseKeepsTones(t *testing.T) {
	in := "Thành phố Hồ Chí Minh"
	want := "thành phố hồ chí minh"
	for _, s := range []string{in, norm.NFD.String(in)} {
		got := Normalize(s, Vietnamese, DefaultOptions())
		if got != want {
			t.Errorf("Normalize(%q) = %q, want %q", s, got, want)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Errorf("Normalize(%q) is not NFC", s)
		}
	}
}

func TestNormalizeZeroOptions(t *testing.T) {
	// Zero options: NFC, white space collapsed, nothing else.
	got := Normalize("  Ａ  أَحمد\n\tـ ", Arabic, Options{})
	if want := "Ａ أَحمد ـ"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAnalyzer(t *testing.T) {
	cases := []struct {
		in   string
		stop LangSet
		want []string
	}{
		{"The capital of France is Paris", 0, []string{"the", "capital", "of", "france", "is", "paris"}},
		{"The capital of France is Paris", AllLangs, []string{"capital", "france", "paris"}},
		{"The capital of France is Paris", ArabicSet | VietnameseSet, []string{"the", "capital", "of", "france", "is", "paris"}},
		{"Is it not the capital?", EnglishSet, []string{"capital"}},  // Lucene's set has no and not
		{"ما هي عاصمة فرنسا؟", AllLangs, []string{"عاصمه", "فرنسا"}}, // ما and هي are on Lucene's list
		{"ما هي عاصمة فرنسا؟", EnglishSet, []string{"ما", "هي", "عاصمه", "فرنسا"}},
		{"ذهبتُ إلى المدرسةِ", ArabicSet, []string{"ذهبت", "المدرسه"}}, // إلى → الي is a stopword after folding
		{"Hà Nội là thủ đô của Việt Nam", VietnameseSet, []string{"hà", "nội", "thủ", "đô", "việt", "nam"}},
		{"Hà Nội là thủ đô của Việt Nam", 0, []string{"hà", "nội", "là", "thủ", "đô", "của", "việt", "nam"}},
		// English "to" and "an" are Vietnamese words: lists apply only to their own language.
		{"Cây to ăn an toàn không?", AllLangs, []string{"cây", "to", "ăn", "an", "toàn", "không"}},
		{"Ai là người đầu tiên đặt chân lên mặt trăng?", VietnameseSet, []string{"ai", "người", "đầu", "tiên", "đặt", "chân", "mặt", "trăng"}},
	}
	for _, c := range cases {
		a := NewAnalyzer()
		a.Stop = c.stop
		if got := a.Analyze(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Analyze(%q, stop=%v) = %q, want %q", c.in, c.stop, got, c.want)
		}
	}
	if !IsStopword("إلى", Arabic) || !IsStopword("الي", Arabic) || IsStopword("paris", English) {
		t.Error("IsStopword misclassifies")
	}
}

func BenchmarkTokens(b *testing.B) {
	b.Run("default", func(b *testing.B) { benchAnalyze(b, NewAnalyzer()) })
	b.Run("stem=ar,stop=on", func(b *testing.B) {
		benchAnalyze(b, Analyzer{Opts: DefaultOptions(), Stem: StemLangs, Stop: AllLangs})
	})
}

func benchAnalyze(b *testing.B, an Analyzer) {
	texts := []string{
		"The quick brown fox jumps over the lazy dog near the river bank in 2024.",
		"Hà Nội là thủ đô của nước Cộng hòa Xã hội chủ nghĩa Việt Nam.",
		"تطبيقات الذكاء الاصطناعي تُستخدم في مختلف المجالات لتحسين الكفاءة.",
	}
	b.ReportAllocs()
	var buf []string
	for i := 0; b.Loop(); i++ {
		buf = an.AppendAnalyze(buf[:0], texts[i%len(texts)])
	}
}
