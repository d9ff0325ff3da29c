package rtl

import "unicode"

// Arabic shaping: each letter is replaced by its presentation form (isolated,
// final, initial, medial) chosen from its joining type and its neighbours',
// as in Unicode's ArabicShaping.txt. Choices:
//   - Arabic harakat and other Arabic combining marks are DROPPED: they are
//     transparent for joining, and terminals place them poorly next to
//     presentation forms. Other combining marks are kept after their base.
//   - Tatweel (U+0640) and ZWJ join on both sides; ZWNJ breaks joining.
//   - lam + alef (ا أ إ آ) becomes one ligature glyph (U+FEF5..U+FEFC).
//   - alef maksura ى is dual-joining as in ArabicShaping.txt (its initial and
//     medial forms are in Presentation Forms-A); at the end of a word — its
//     normal place — it shapes like a right-joining letter.

// forms are the presentation forms of one letter; 0 = the form does not exist.
type forms struct{ isol, fina, init, medi rune }

// arabicForms covers U+0621..U+064A (Presentation Forms-B) plus the common
// Persian/Urdu letters (Forms-A). Generated from the UCD decomposition mappings
// (<isolated>/<final>/<initial>/<medial>) and checked in TestFormsTable.
var arabicForms = map[rune]forms{
	0x0621: {0xFE80, 0, 0, 0},                // HAMZA
	0x0622: {0xFE81, 0xFE82, 0, 0},           // ALEF WITH MADDA ABOVE
	0x0623: {0xFE83, 0xFE84, 0, 0},           // ALEF WITH HAMZA ABOVE
	0x0624: {0xFE85, 0xFE86, 0, 0},           // WAW WITH HAMZA ABOVE
	0x0625: {0xFE87, 0xFE88, 0, 0},           // ALEF WITH HAMZA BELOW
	0x0626: {0xFE89, 0xFE8A, 0xFE8B, 0xFE8C}, // YEH WITH HAMZA ABOVE
	0x0627: {0xFE8D, 0xFE8E, 0, 0},           // ALEF
	0x0628: {0xFE8F, 0xFE90, 0xFE91, 0xFE92}, // BEH
	0x0629: {0xFE93, 0xFE94, 0, 0},           // TEH MARBUTA
	0x062A: {0xFE95, 0xFE96, 0xFE97, 0xFE98}, // TEH
	0x062B: {0xFE99, 0xFE9A, 0xFE9B, 0xFE9C}, // THEH
	0x062C: {0xFE9D, 0xFE9E, 0xFE9F, 0xFEA0}, // JEEM
	0x062D: {0xFEA1, 0xFEA2, 0xFEA3, 0xFEA4}, // HAH
	0x062E: {0xFEA5, 0xFEA6, 0xFEA7, 0xFEA8}, // KHAH
	0x062F: {0xFEA9, 0xFEAA, 0, 0},           // DAL
	0x0630: {0xFEAB, 0xFEAC, 0, 0},           // THAL
	0x0631: {0xFEAD, 0xFEAE, 0, 0},           // REH
	0x0632: {0xFEAF, 0xFEB0, 0, 0},           // ZAIN
	0x0633: {0xFEB1, 0xFEB2, 0xFEB3, 0xFEB4}, // SEEN
	0x0634: {0xFEB5, 0xFEB6, 0xFEB7, 0xFEB8}, // SHEEN
	0x0635: {0xFEB9, 0xFEBA, 0xFEBB, 0xFEBC}, // SAD
	0x0636: {0xFEBD, 0xFEBE, 0xFEBF, 0xFEC0}, // DAD
	0x0637: {0xFEC1, 0xFEC2, 0xFEC3, 0xFEC4}, // TAH
	0x0638: {0xFEC5, 0xFEC6, 0xFEC7, 0xFEC8}, // ZAH
	0x0639: {0xFEC9, 0xFECA, 0xFECB, 0xFECC}, // AIN
	0x063A: {0xFECD, 0xFECE, 0xFECF, 0xFED0}, // GHAIN
	0x0641: {0xFED1, 0xFED2, 0xFED3, 0xFED4}, // FEH
	0x0642: {0xFED5, 0xFED6, 0xFED7, 0xFED8}, // QAF
	0x0643: {0xFED9, 0xFEDA, 0xFEDB, 0xFEDC}, // KAF
	0x0644: {0xFEDD, 0xFEDE, 0xFEDF, 0xFEE0}, // LAM
	0x0645: {0xFEE1, 0xFEE2, 0xFEE3, 0xFEE4}, // MEEM
	0x0646: {0xFEE5, 0xFEE6, 0xFEE7, 0xFEE8}, // NOON
	0x0647: {0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC}, // HEH
	0x0648: {0xFEED, 0xFEEE, 0, 0},           // WAW
	0x0649: {0xFEEF, 0xFEF0, 0xFBE8, 0xFBE9}, // ALEF MAKSURA
	0x064A: {0xFEF1, 0xFEF2, 0xFEF3, 0xFEF4}, // YEH
	0x0671: {0xFB50, 0xFB51, 0, 0},           // ALEF WASLA
	0x067E: {0xFB56, 0xFB57, 0xFB58, 0xFB59}, // PEH
	0x0686: {0xFB7A, 0xFB7B, 0xFB7C, 0xFB7D}, // TCHEH
	0x0698: {0xFB8A, 0xFB8B, 0, 0},           // JEH
	0x06A9: {0xFB8E, 0xFB8F, 0xFB90, 0xFB91}, // KEHEH
	0x06AF: {0xFB92, 0xFB93, 0xFB94, 0xFB95}, // GAF
	0x06CC: {0xFBFC, 0xFBFD, 0xFBFE, 0xFBFF}, // FARSI YEH
}

const (
	lam     = 0x0644
	tatweel = 0x0640
	zwj     = 0x200D
	zwnj    = 0x200C
)

// lamAlef maps the alef after a lam to the ligature's isolated and final forms.
var lamAlef = map[rune][2]rune{
	0x0622: {0xFEF5, 0xFEF6}, // LAM WITH ALEF WITH MADDA ABOVE
	0x0623: {0xFEF7, 0xFEF8}, // LAM WITH ALEF WITH HAMZA ABOVE
	0x0625: {0xFEF9, 0xFEFA}, // LAM WITH ALEF WITH HAMZA BELOW
	0x0627: {0xFEFB, 0xFEFC}, // LAM WITH ALEF
}

type joinType uint8

const (
	joinNone        joinType = iota // U: does not join
	joinRight                       // R: joins only the preceding letter
	joinDual                        // D: joins both sides
	joinCausing                     // C: tatweel, ZWJ
	joinTransparent                 // T: combining marks, skipped
)

func joiningType(r rune) joinType {
	if f, ok := arabicForms[r]; ok {
		switch {
		case f.init != 0:
			return joinDual
		case f.fina != 0:
			return joinRight
		}
		return joinNone
	}
	switch {
	case r == tatweel || r == zwj:
		return joinCausing
	case r == zwnj:
		return joinNone
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return joinTransparent
	}
	return joinNone
}

// isArabicMark reports the combining marks of the Arabic blocks (harakat are
// Script=Inherited, so the block decides), which shaping drops.
func isArabicMark(r rune) bool {
	inBlock := (r >= 0x0600 && r <= 0x06FF) || (r >= 0x0750 && r <= 0x077F) ||
		(r >= 0x0870 && r <= 0x08FF) || (r >= 0xFB50 && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFF)
	return inBlock && unicode.Is(unicode.Mn, r)
}

// neighbour returns the joining type of the nearest non-transparent rune from
// i in direction step (±1), or joinNone at the string's edge.
func neighbour(rs []rune, i, step int) (joinType, int) {
	for j := i + step; j >= 0 && j < len(rs); j += step {
		if jt := joiningType(rs[j]); jt != joinTransparent {
			return jt, j
		}
	}
	return joinNone, -1
}

// shape returns rs (logical order) with Arabic letters in presentation forms
// and Arabic marks removed.
func shape(rs []rune) []rune {
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if isArabicMark(r) {
			continue
		}
		f, ok := arabicForms[r]
		if !ok {
			out = append(out, r)
			continue
		}
		jt := joiningType(r)
		prev, _ := neighbour(rs, i, -1)
		joinsPrev := jt != joinNone && (prev == joinDual || prev == joinCausing)
		if r == lam {
			if _, k := neighbour(rs, i, 1); k > 0 && onlyArabicMarks(rs[i+1:k]) {
				if lig, ok := lamAlef[rs[k]]; ok {
					out = append(out, lig[boolIndex(joinsPrev)])
					i = k
					continue
				}
			}
		}
		next, _ := neighbour(rs, i, 1)
		joinsNext := jt == joinDual && (next == joinDual || next == joinRight || next == joinCausing)
		var form rune
		switch {
		case joinsPrev && joinsNext:
			form = f.medi
		case joinsPrev:
			form = f.fina
		case joinsNext:
			form = f.init
		default:
			form = f.isol
		}
		if form == 0 { // cannot happen with the table's joining types; stay safe
			form = r
		}
		out = append(out, form)
	}
	return out
}

func onlyArabicMarks(rs []rune) bool {
	for _, r := range rs {
		if !isArabicMark(r) {
			return false
		}
	}
	return true
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}
