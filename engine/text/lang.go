// Package text normalises and tokenises Arabic, Vietnamese and English text for retrieval.
package text

import (
	"unicode"
)

// Lang is a coarse language tag chosen by script.
type Lang string

// The languages the pipelines know.
const (
	Arabic     Lang = "ar"
	Vietnamese Lang = "vi"
	English    Lang = "en"
	Other      Lang = "other"
)

// viMarkedPercent is the share (in %) of Latin letters that must carry Vietnamese
// marks before Latin text is called Vietnamese. Vietnamese prose sits around 15–30 %;
// English naming one Vietnamese place ("Hà Nội") stays well below.
const viMarkedPercent = 8

// Detect guesses the language of s from its script:
// mostly Arabic-script letters → Arabic; Latin with enough Vietnamese letters
// (ă â đ ê ô ơ ư, toned vowels, combining tone marks) → Vietnamese; other Latin → English;
// anything else (no letters, CJK, Cyrillic …) → Other.
func Detect(s string) Lang {
	var arabic, latin, other, viStrong, viWeak int
	for _, r := range s {
		switch {
		case r >= 0x0300 && r <= 0x036F:
			// Combining mark of decomposed (NFD) text: score it like the precomposed letter.
			switch r {
			case 0x0306, 0x031B, 0x0309, 0x0323: // breve, horn, hook above, dot below
				viStrong++
			case 0x0300, 0x0301, 0x0302, 0x0303: // grave, acute, circumflex, tilde
				viWeak++
			}
		case r < 0x80 && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'):
		case r < 0x80:
			latin++
		case !unicode.IsLetter(r):
		case unicode.Is(unicode.Arabic, r):
			arabic++
		case unicode.Is(unicode.Latin, r):
			latin++
			switch vietClass(r) {
			case viStrongClass:
				viStrong++
			case viWeakClass:
				viWeak++
			}
		default:
			other++
		}
	}
	total := arabic + latin + other
	switch {
	case total == 0:
		return Other
	case arabic > latin && 2*arabic >= total:
		return Arabic
	case latin >= arabic && 2*latin >= total:
		if viStrong > 0 && 100*(viStrong+viWeak) >= viMarkedPercent*latin {
			return Vietnamese
		}
		return English
	}
	return Other
}

type viClass uint8

const (
	viNone viClass = iota
	viWeakClass
	viStrongClass
)

// vietClass says how specific a (composed) Latin letter is to Vietnamese.
// Strong: letters other Latin-script languages rarely use (ă ơ ư đ ĩ ũ and the
// Latin Extended Additional block U+1EA0–U+1EF9 with dot below / hook above / stacked marks).
// Weak: letters shared with French, Portuguese … (â ê ô à á è é ì í ò ó ù ú ý ã õ).
func vietClass(r rune) viClass {
	r = unicode.ToLower(r)
	switch {
	case r >= 0x1EA0 && r <= 0x1EF9:
		return viStrongClass
	}
	switch r {
	case 'ă', 'ơ', 'ư', 'đ', 'ĩ', 'ũ':
		return viStrongClass
	case 'â', 'ê', 'ô', 'à', 'á', 'è', 'é', 'ì', 'í', 'ò', 'ó', 'ù', 'ú', 'ý', 'ã', 'õ':
		return viWeakClass
	}
	return viNone
}
