// Package rtl makes Arabic (and other right-to-left) text readable in
// terminals that draw code points strictly left to right, without bidi or
// Arabic shaping: Visual reorders a logical-order line into display order and
// shapes Arabic letters into presentation forms (see shape.go and bidi.go for
// the exact subset of Unicode behaviour). Text without right-to-left
// characters is returned unchanged.
//
// Input must be plain text: apply lipgloss/ANSI styling after Visual/Wrap.
package rtl

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/text/unicode/bidi"
)

// HasRTL reports whether s contains a right-to-left character (bidi class R
// or AL: Hebrew, Arabic, Syriac, Thaana, N'Ko, presentation forms…).
func HasRTL(s string) bool {
	for _, r := range s {
		if r < 0x0590 {
			continue // nothing right-to-left below Hebrew
		}
		if c := classOf(r); c == bidi.R || c == bidi.AL {
			return true
		}
	}
	return false
}

// BaseRTL reports whether the paragraph direction of s is right-to-left (its
// first strong character is R or AL). Views may right-align such lines.
func BaseRTL(s string) bool { return baseLevel([]rune(s)) == 1 }

// Visual converts a logical-order line to visual order for a left-to-right
// display, with Arabic shaping. Each "\n"-separated line is converted on its
// own, with its own base direction. Strings without RTL characters are
// returned unchanged.
func Visual(s string) string {
	if !HasRTL(s) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		rs := []rune(l)
		lines[i] = visualLine(rs, baseLevel(rs))
	}
	return strings.Join(lines, "\n")
}

// visualLine shapes and reorders one line with the given base level.
func visualLine(rs []rune, base uint8) string {
	if !HasRTL(string(rs)) && base == 0 {
		return string(rs)
	}
	return string(reorder(shape(rs), base))
}

// Wrap breaks s into lines of display width ≤ width, then returns each line
// in visual order (Visual). Lines break at spaces in logical order, so a
// word is never split unless it alone is wider than width; such a word is cut
// at grapheme-cluster boundaries. A line's base direction is that of its
// whole paragraph ("\n"-separated), so wrapped Arabic lines keep reading
// right to left even when one starts with a Latin word. Spaces at a break are
// dropped. width ≤ 0 disables wrapping.
func Wrap(s string, width int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		prs := []rune(para)
		base := baseLevel(prs)
		rtl := HasRTL(para)
		for _, line := range wrapLogical(para, width, rtl) {
			if rtl {
				line = visualLine([]rune(line), base)
			}
			out = append(out, line)
		}
	}
	return out
}

// displayWidth is the width of s once shaped (shaping can merge lam-alef and
// drops harakat; reordering does not change widths).
func displayWidth(s string, rtl bool) int {
	if rtl {
		s = string(shape([]rune(s)))
	}
	return ansi.StringWidth(s)
}

// wrapLogical greedily packs words (runs of non-space) into lines.
func wrapLogical(para string, width int, rtl bool) []string {
	if width <= 0 {
		return []string{para}
	}
	var (
		lines []string
		cur   strings.Builder
		curW  int
		gap   string // spaces pending between the previous word and the next
	)
	flush := func() {
		lines = append(lines, cur.String())
		cur.Reset()
		curW = 0
	}
	for i := 0; i < len(para); {
		// Collect a run of spaces, then a word.
		j := i
		for j < len(para) {
			r, sz := utf8.DecodeRuneInString(para[j:])
			if !unicode.IsSpace(r) {
				break
			}
			j += sz
		}
		gap += para[i:j]
		if j == len(para) {
			break // trailing spaces are dropped
		}
		k := j
		for k < len(para) {
			r, sz := utf8.DecodeRuneInString(para[k:])
			if unicode.IsSpace(r) {
				break
			}
			k += sz
		}
		word := para[j:k]
		i = k
		ww, gw := displayWidth(word, rtl), ansi.StringWidth(gap)
		switch {
		case curW+gw+ww <= width:
			cur.WriteString(gap)
			cur.WriteString(word)
			curW += gw + ww
		case ww <= width:
			if cur.Len() > 0 {
				flush()
			}
			cur.WriteString(word)
			curW = ww
		default: // wider than a whole line: cut it
			if cur.Len() > 0 {
				flush()
			}
			for _, piece := range hardBreak(word, width) {
				if cur.Len() > 0 {
					flush()
				}
				cur.WriteString(piece)
				curW = displayWidth(piece, rtl)
			}
		}
		gap = ""
	}
	if cur.Len() > 0 || len(lines) == 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// hardBreak cuts word into pieces of logical width ≤ width at grapheme
// boundaries (shaping never widens text, so shaped pieces fit too).
func hardBreak(word string, width int) []string {
	var pieces []string
	start, w := 0, 0
	for i := 0; i < len(word); {
		cluster, cw := ansi.FirstGraphemeCluster(word[i:], ansi.GraphemeWidth)
		if w+cw > width && i > start {
			pieces = append(pieces, word[start:i])
			start, w = i, 0
		}
		w += cw
		i += len(cluster)
	}
	return append(pieces, word[start:])
}
