package views

import "github.com/arslab/arslab/views/rtl"

// Right-to-left helpers, delegated to views/rtl.

// hasRTL reports whether s holds right-to-left characters.
func hasRTL(s string) bool { return rtl.HasRTL(s) }

// rtlFirst reports whether s reads right to left (its first strong character is RTL).
func rtlFirst(s string) bool { return rtl.BaseRTL(s) }

// rtlWrap wraps s to w cells, each line in visual order with Arabic shaping.
func rtlWrap(s string, w int) []string { return rtl.Wrap(s, w) }

// disp returns a one-line string ready for display: right-to-left runs reordered
// (visual order) unless the terminal does bidi itself.
func (a *App) disp(s string) string {
	if a.bidi || !hasRTL(s) {
		return s
	}
	return rtl.Visual(s)
}
