package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Options switches the steps of Normalize and Tokens. The zero value only composes (NFC),
// collapses white space and drops invisible format characters; DefaultOptions turns everything on.
type Options struct {
	NFKC  bool // compatibility composition (presentation forms, ligatures, full-width); off: NFC
	Lower bool // Unicode-aware lower-casing

	ArabicDiacritics bool // strip harakat, tanween, shadda, sukun, superscript alef U+0670, Quranic marks
	ArabicTatweel    bool // strip tatweel (kashida) U+0640
	ArabicAlef       bool // أ إ آ ٱ → ا
	ArabicYaa        bool // ى → ي
	ArabicTaaMarbuta bool // ة → ه
	Digits           bool // Arabic-Indic ٠-٩ and Persian ۰-۹ digits → 0-9

	// VietTone moves the tone mark of open syllables ending in oa, oe, uy to the first vowel
	// ("hoà" → "hòa", "thuỷ" → "thủy", "khoẻ" → "khỏe") so both spelling conventions match.
	// Tone marks are never stripped.
	VietTone bool
}

// DefaultOptions turns every step on.
func DefaultOptions() Options {
	return Options{
		NFKC: true, Lower: true,
		ArabicDiacritics: true, ArabicTatweel: true, ArabicAlef: true,
		ArabicYaa: true, ArabicTaaMarbuta: true, Digits: true,
		VietTone: true,
	}
}

// Normalize returns s composed (NFKC or NFC), lower-cased and with the Arabic letter rules applied,
// white space collapsed to single spaces and trimmed. Punctuation is kept (see Tokens).
//
// The Arabic rules only touch Arabic-script runes, so they apply whatever lang says: mixed
// text ("ما هو Python؟") normalises the same way however it was detected. lang is accepted so
// language-specific steps can be added without changing callers; VietTone is applied in Tokens.
func Normalize(s string, lang Lang, o Options) string {
	_ = lang
	if o.NFKC {
		s = norm.NFKC.String(s)
	} else {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		r, keep := mapRune(r, o)
		if !keep {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Tokens normalises s and splits it into tokens: maximal runs of letters, digits and
// combining marks. Everything else (white space, punctuation incl. ، ؛ ؟, symbols) separates.
// Vietnamese syllables are therefore the space-separated units.
func Tokens(s string, lang Lang, o Options) []string {
	return AppendTokens(nil, s, lang, o)
}

// AppendTokens is Tokens appending to dst. The tokens share memory with one normalised copy of s:
// clone them (strings.Clone) before keeping a few of them for long.
func AppendTokens(dst []string, s string, lang Lang, o Options) []string {
	n := Normalize(s, lang, o)
	start := -1
	for i, r := range n {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			dst = appendToken(dst, n[start:i], o)
			start = -1
		}
	}
	if start >= 0 {
		dst = appendToken(dst, n[start:], o)
	}
	return dst
}

func appendToken(dst []string, tok string, o Options) []string {
	if o.VietTone {
		tok = fixVietTone(tok)
	}
	return append(dst, tok)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || unicode.IsNumber(r)
}

// mapRune applies lower-casing, digit folding and the Arabic rules to one rune.
// keep is false for runes to delete.
func mapRune(r rune, o Options) (rune, bool) {
	if r < utf8.RuneSelf {
		if o.Lower && 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		if r < ' ' || r == 0x7f { // control characters
			return 0, false
		}
		return r, true
	}
	switch {
	case r >= 0x0600 && r <= 0x06FF, r >= 0x0750 && r <= 0x077F, r >= 0x08A0 && r <= 0x08FF:
		return mapArabic(r, o)
	case unicode.Is(unicode.Cf, r), unicode.IsControl(r):
		return 0, false // ZWJ/ZWNJ, bidi marks, soft hyphen, BOM …
	}
	if o.Lower {
		r = unicode.ToLower(r)
	}
	return r, true
}

// mapArabic handles runes of the Arabic blocks.
func mapArabic(r rune, o Options) (rune, bool) {
	switch {
	case unicode.Is(unicode.Cf, r): // Arabic letter mark, number signs, end of ayah
		return 0, false
	case r == 0x0640:
		return r, !o.ArabicTatweel
	case isArabicDiacritic(r):
		return r, !o.ArabicDiacritics
	case o.Digits && r >= 0x0660 && r <= 0x0669:
		return '0' + r - 0x0660, true
	case o.Digits && r >= 0x06F0 && r <= 0x06F9:
		return '0' + r - 0x06F0, true
	}
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ':
		if o.ArabicAlef {
			return 'ا', true
		}
	case 'ى':
		if o.ArabicYaa {
			return 'ي', true
		}
	case 'ة':
		if o.ArabicTaaMarbuta {
			return 'ه', true
		}
	}
	return r, true
}

// isArabicDiacritic covers harakat and tanween (U+064B–U+065F: fathatan … sukun, madda,
// hamza above/below and rarer vowel signs), superscript alef U+0670, and Quranic
// annotation marks (U+0610–U+061A, U+06D6–U+06ED except the small letters U+06E5/U+06E6,
// U+08D3–U+08FF).
func isArabicDiacritic(r rune) bool {
	switch {
	case r >= 0x064B && r <= 0x065F, r == 0x0670:
		return true
	case r >= 0x0610 && r <= 0x061A:
		return true
	case r >= 0x06D6 && r <= 0x06ED:
		return r != 0x06DD && r != 0x06DE && r != 0x06E5 && r != 0x06E6 // end of ayah, rub el hizb: symbols
	case r >= 0x08D3 && r <= 0x08FF:
		return r != 0x08E2 // U+08E2 is a format character (number mark above)
	}
	return false
}
