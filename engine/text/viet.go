package text

import (
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Vietnamese writes the tone of the open syllables oa, oe, uy on either vowel
// ("hoà"/"hòa", "khoẻ"/"khỏe", "thuỷ"/"thủy"). fixVietTone moves it to the first vowel.
// Closed syllables (hoàng, khuyến) and qu- (quý, quà) are left alone: there both
// conventions agree.

// toneOf splits a lower-case vowel into its plain base and tone mark (0 if none).
// ok is false for letters with another diacritic (breve, circumflex, horn) and for
// non-letters handled elsewhere; consonants are returned as their own base with ok true.
func toneOf(r rune) (base rune, tone rune, ok bool) {
	if r < utf8.RuneSelf {
		return r, 0, true
	}
	if v, found := tonedVowels[r]; found {
		return v[0], v[1], true
	}
	return r, 0, !isVietVowelLetter(r)
}

// tonedVowels maps each precomposed plain vowel with a tone mark (à á ả ã ạ … ỳ ý ỷ ỹ ỵ)
// to its base and combining tone. Built once at init, read-only afterwards.
var tonedVowels = func() map[rune][2]rune {
	m := make(map[rune][2]rune, 30)
	for _, b := range "aeiouy" {
		for _, t := range []rune{0x0300, 0x0301, 0x0303, 0x0309, 0x0323} {
			c := []rune(norm.NFC.String(string([]rune{b, t})))
			if len(c) == 1 {
				m[c[0]] = [2]rune{b, t}
			}
		}
	}
	return m
}()

// isVietVowelLetter reports vowels with breve, circumflex or horn (with or without tone).
func isVietVowelLetter(r rune) bool {
	return vietClass(r) != viNone && r != 'đ'
}

func fixVietTone(tok string) string {
	// Quick reject: the token must end in two runes, the last one non-ASCII.
	last, n2 := utf8.DecodeLastRuneInString(tok)
	if last < utf8.RuneSelf || n2 == len(tok) {
		return tok
	}
	prev, n1 := utf8.DecodeLastRuneInString(tok[:len(tok)-n2])
	b2, t2, ok2 := toneOf(last)
	b1, t1, ok1 := toneOf(prev)
	if !ok1 || !ok2 || t2 == 0 || t1 != 0 {
		return tok
	}
	if !((b1 == 'o' && (b2 == 'a' || b2 == 'e')) || (b1 == 'u' && b2 == 'y')) {
		return tok
	}
	head := tok[:len(tok)-n2-n1]
	if head != "" {
		before, _ := utf8.DecodeLastRuneInString(head)
		if before == 'q' {
			return tok // qu- + vowel: u is part of the consonant
		}
		if bb, _, ok := toneOf(before); ok && isVowel(bb) || !ok {
			return tok // part of a longer vowel cluster: not the pattern
		}
	}
	return head + norm.NFC.String(string([]rune{b1, t2, b2}))
}

func isVowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}
