package rtl

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/text/unicode/norm"
)

// Hand-shaped words (logical letters → forms, then reversed for display).
const (
	// مرحبا: م initial (FEE3, joins ر), ر final (FEAE, right-joining so the
	// next letter starts afresh), ح initial (FEA3), ب medial (FE92), ا final (FE8E).
	// Display order is the reverse.
	marhaba = "\uFE8E\uFE92\uFEA3\uFEAE\uFEE3"
	// مصر: م initial FEE3, ص medial FEBC, ر final FEAE → reversed.
	misr = "\uFEAE\uFEBC\uFEE3"
	// عاصمة: ع initial FECB, ا final FE8E, ص initial FEBB (after right-joining ا),
	// م medial FEE4, ة final FE94 → reversed.
	asima = "\uFE94\uFEE4\uFEBB\uFE8E\uFECB"
	// القاهرة: ا isolated FE8D, ل initial FEDF (ا does not join forward, and the
	// next letter is ق so no lam-alef), ق medial FED8, ا final FE8E, ه initial
	// FEEB, ر final FEAE, ة isolated FE93 (after right-joining ر) → reversed.
	qahira = "\uFE93\uFEAE\uFEEB\uFE8E\uFED8\uFEDF\uFE8D"
	// نهر: ن initial FEE7, ه medial FEEC, ر final FEAE → reversed.
	nahr = "\uFEAE\uFEEC\uFEE7"
	// النيل: ا isolated FE8D, ل initial FEDF, ن medial FEE8, ي medial FEF4,
	// ل final FEDE → reversed.
	nil_ = "\uFEDE\uFEF4\uFEE8\uFEDF\uFE8D"
	// كم: ك initial FEDB, م final FEE2 → reversed.
	km = "\uFEE2\uFEDB"
	// عام: ع initial FECB, ا final FE8E, م isolated FEE1 → reversed.
	aam = "\uFEE1\uFE8E\uFECB"
	// سلام: س initial FEB3, لا final ligature FEFC (ل joins س), م isolated FEE1 → reversed.
	salam = "\uFEE1\uFEFC\uFEB3"
)

func TestVisual(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"word", "مرحبا", marhaba},
		{"harakat dropped", "مَرْحَبًا", marhaba},
		{"lam-alef isolated", "لا", "\uFEFB"},
		{"lam-alef final", "سلام", salam},
		{"lam-hamza-alef", "لأن", "\uFEE5\uFEF7"}, // لأ isolated FEF7, ن isolated FEE5 (after right-joining ligature)
		{"lam-alef madda, hamza below", "لآ لإ", "\uFEF9 \uFEF5"},
		{"word order reversed", "القاهرة عاصمة مصر", misr + " " + asima + " " + qahira},
		{"number keeps its order", "نهر النيل 6650 كم", km + " 6650 " + nil_ + " " + nahr},
		{"year", "عام 1969", "1969 " + aam},
		{"number with separators", "عام 1,969.5", "1,969.5 " + aam},
		{"parentheses mirrored", "مصر (القاهرة)", "(" + qahira + ") " + misr},
		{"latin inside arabic", "مصر Egypt", "Egypt " + misr},
		{"two latin words inside arabic", "مصر is Egypt", "is Egypt " + misr},
		{"arabic inside latin", "capital (القاهرة) of egypt", "capital (" + qahira + ") of egypt"},
		{"arabic question mark", "مصر؟", "\u061F" + misr},
		{"tatweel joins", "بـب", "\uFE90\u0640\uFE91"},            // ب initial FE91, tatweel, ب final FE90
		{"zwnj breaks joining", "ب\u200Cب", "\uFE8F\u200C\uFE8F"}, // both isolated
		// Hebrew marks are kept, after their base and in logical order (L3):
		// ש U+05E9 + qamats U+05B8 + shin dot U+05C1, ל U+05DC, ו U+05D5 + holam U+05B9, ם U+05DD.
		{"marks follow base", "\u05E9\u05B8\u05C1\u05DC\u05D5\u05B9\u05DD", "\u05DD\u05D5\u05B9\u05DC\u05E9\u05B8\u05C1"},
		{"rlm dropped", "\u200Fabc", "abc"},
		{"trailing space goes visually left", "مصر ", " " + misr}, // L1: base level 1, reversed with the line
		{"two lines", "مصر\nEgypt", misr + "\nEgypt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Visual(tc.in); got != tc.want {
				t.Errorf("Visual(%q)\n got %s\nwant %s", tc.in, hexRunes(got), hexRunes(tc.want))
			}
		})
	}
}

func hexRunes(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, "\\u%04X", r)
		}
	}
	return b.String()
}

// TestPassThrough: text without RTL characters comes back byte for byte.
func TestPassThrough(t *testing.T) {
	for _, s := range []string{
		"Hà Nội", "thủ đô hà nội (since 1976)", "Ha\u0300 No\u0302\u0323i", // NFD too
		"", "  spaces  ", "a\u200Db", "1 + 2 = 3", "日本語", "x\u202Ey",
	} {
		if got := Visual(s); got != s {
			t.Errorf("Visual(%q) = %q", s, got)
		}
		if HasRTL(s) {
			t.Errorf("HasRTL(%q) = true", s)
		}
	}
}

func TestHasRTLAndBase(t *testing.T) {
	tests := []struct {
		in       string
		has, rtl bool
	}{
		{"hello", false, false},
		{"hello مصر", true, false},
		{"مصر hello", true, true},
		{"123 مصر", true, true}, // digits are weak: first strong is Arabic
		{"שלום", true, true},    // Hebrew is R
		{"\uFEFB", true, true},  // presentation forms are AL
		{"٣", false, false},     // Arabic-Indic digit is AN, not strong
	}
	for _, tc := range tests {
		if got := HasRTL(tc.in); got != tc.has {
			t.Errorf("HasRTL(%q) = %v", tc.in, got)
		}
		if got := BaseRTL(tc.in); got != tc.rtl {
			t.Errorf("BaseRTL(%q) = %v", tc.in, got)
		}
	}
}

func TestWrapExact(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  []string
	}{
		// widths 7 + 1 + 5 = 13 fit; مصر goes to the next line.
		{"القاهرة عاصمة مصر", 13, []string{asima + " " + qahira, misr}},
		{"القاهرة عاصمة مصر", 12, []string{qahira, misr + " " + asima}},
		// سلام is 4 letters but 3 cells once lam-alef joins: 3+1+3 = 7 fits.
		{"سلام سلام", 7, []string{salam + " " + salam}},
		{"Hà Nội là thủ đô", 6, []string{"Hà Nội", "là thủ", "đô"}},
		{"abcdefghij xy", 4, []string{"abcd", "efgh", "ij", "xy"}}, // only an overlong word is cut
		{"a  b\nc", 0, []string{"a  b", "c"}},
		{"", 5, []string{""}},
		// Second line starts with Latin but keeps the paragraph's RTL base.
		{"مصر Egypt cairo", 9, []string{"Egypt " + misr, "cairo"}},
	}
	for _, tc := range tests {
		got := Wrap(tc.in, tc.width)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Wrap(%q, %d)\n got %q\nwant %q", tc.in, tc.width, got, tc.want)
		}
	}
}

// TestWrapProperties: for many widths every line fits and holds whole words.
func TestWrapProperties(t *testing.T) {
	para := "نهر النيل أطول نهر في العالم، ويمر بمصر والسودان (6650 كم). The Nile flows north through Cairo; thủ đô Hà Nội có sông Hồng."
	words := strings.Fields(para)
	longest := 0
	for _, w := range words {
		longest = max(longest, displayWidth(w, true))
	}
	for width := longest; width <= 60; width++ {
		lines := Wrap(para, width)
		logical := wrapLogical(para, width, true)
		if len(lines) != len(logical) {
			t.Fatalf("width %d: %d visual vs %d logical lines", width, len(lines), len(logical))
		}
		var rejoined []string
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > width {
				t.Errorf("width %d: line %q is %d wide", width, l, w)
			}
			rejoined = append(rejoined, strings.Fields(logical[i])...)
		}
		if strings.Join(rejoined, " ") != strings.Join(words, " ") {
			t.Errorf("width %d: words changed or split: %q", width, logical)
		}
	}
}

// TestFormsTable checks the shaping table: every form is a compatibility
// form of its letter (NFKC maps it back), and Forms-B keeps UCD layout:
// isolated, final, initial, medial at consecutive code points.
func TestFormsTable(t *testing.T) {
	for base, f := range arabicForms {
		for _, form := range []rune{f.isol, f.fina, f.init, f.medi} {
			if form != 0 && norm.NFKC.String(string(form)) != string(base) {
				t.Errorf("U+%04X: form U+%04X is not a form of it", base, form)
			}
		}
		if f.isol >= 0xFE70 && f.fina != 0 && f.fina != f.isol+1 {
			t.Errorf("U+%04X: final U+%04X not after isolated", base, f.fina)
		}
		if f.isol >= 0xFE70 && f.init >= 0xFE70 && (f.init != f.isol+2 || f.medi != f.isol+3) {
			t.Errorf("U+%04X: initial/medial out of Forms-B order", base)
		}
	}
	for alef, lig := range lamAlef {
		for _, form := range lig {
			if norm.NFKC.String(string(form)) != string([]rune{lam, alef}) {
				t.Errorf("lam-alef U+%04X is not lam + U+%04X", form, alef)
			}
		}
	}
}

func BenchmarkVisual(b *testing.B) {
	s := "نهر النيل أطول نهر في العالم، ويمر بمصر والسودان (6650 كم)."
	for i := 0; i < b.N; i++ {
		Visual(s)
	}
}
