package rtl

import "golang.org/x/text/unicode/bidi"

// A subset of the Unicode Bidirectional Algorithm (UAX #9) for one line.
// golang.org/x/text/unicode/bidi (v0.43) supplies the Bidi_Class data, but its
// Paragraph.Order only splits text into even/odd runs in LOGICAL order: levels
// (e.g. a number at level 2 inside Arabic) and the visual reordering (L2) are
// not exposed, so the rules are applied here:
//   - P2/P3: base level from the first strong character (0 if none);
//   - explicit embeddings/overrides/isolates (X1–X8) are NOT supported: their
//     control characters are ignored (X9) and dropped from the output, as are
//     LRM/RLM/ALM after they have taken part as strong characters;
//   - W1–W7, N0 (paired brackets, simplified: no NSM after brackets), N1–N2,
//     I1–I2, L1 (trailing whitespace), L2 (reversal), L3 (combining marks are
//     kept after their base) and L4 (mirroring of brackets and a few math
//     symbols at odd levels).

// mirror is a subset of Bidi_Mirroring_Glyph; brackets first.
var mirror = map[rune]rune{
	'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{',
	'<': '>', '>': '<', '«': '»', '»': '«', '‹': '›', '›': '‹',
	'⁅': '⁆', '⁆': '⁅', '⁽': '⁾', '⁾': '⁽', '₍': '₎', '₎': '₍',
	'≤': '≥', '≥': '≤', '⟨': '⟩', '⟩': '⟨', '〈': '〉', '〉': '〈',
	'《': '》', '》': '《', '「': '」', '」': '「', '『': '』', '』': '『',
	'【': '】', '】': '【', '〔': '〕', '〕': '〔',
}

func classOf(r rune) bidi.Class {
	p, _ := bidi.LookupRune(r)
	return p.Class()
}

// isExplicit reports the explicit formatting controls ignored by this subset.
func isExplicit(c bidi.Class) bool {
	switch c {
	case bidi.LRO, bidi.RLO, bidi.LRE, bidi.RLE, bidi.PDF, bidi.LRI, bidi.RLI, bidi.FSI, bidi.PDI, bidi.Control:
		return true
	}
	return false
}

// isMark reports LRM, RLM and ALM, used for resolution but not displayed.
func isMark(r rune) bool { return r == 0x200E || r == 0x200F || r == 0x061C }

// baseLevel is 1 when the first strong character is R or AL, else 0.
func baseLevel(rs []rune) uint8 {
	for _, r := range rs {
		switch classOf(r) {
		case bidi.L:
			return 0
		case bidi.R, bidi.AL:
			return 1
		}
	}
	return 0
}

// strongDir maps a resolved class to L or R for N0/N1 (numbers count as R).
func strongDir(c bidi.Class) (bidi.Class, bool) {
	switch c {
	case bidi.L:
		return bidi.L, true
	case bidi.R, bidi.AL, bidi.EN, bidi.AN:
		return bidi.R, true
	}
	return 0, false
}

// reorder returns rs (logical order, already shaped) in visual order for a
// left-to-right display, resolving with paragraph level base.
func reorder(rs []rune, base uint8) []rune {
	n := len(rs)
	orig := make([]bidi.Class, n)
	for i, r := range rs {
		orig[i] = classOf(r)
	}
	// X9: resolve over the characters that are neither BN nor explicit controls.
	var kept []int
	for i, c := range orig {
		if c != bidi.BN && !isExplicit(c) {
			kept = append(kept, i)
		}
	}
	t := make([]bidi.Class, len(kept))
	for k, i := range kept {
		t[k] = orig[i]
	}
	e := bidi.L
	if base%2 == 1 {
		e = bidi.R
	}
	resolveWeak(t, e)
	resolveBrackets(t, kept, rs, e)
	resolveNeutrals(t, e)

	// I1/I2 on kept characters; removed ones take the previous level (X9 note).
	levels := make([]uint8, n)
	prev := base
	k := 0
	for i := range rs {
		if k < len(kept) && kept[k] == i {
			lv := base
			switch c := t[k]; {
			case base%2 == 0 && c == bidi.R:
				lv++
			case base%2 == 0 && (c == bidi.AN || c == bidi.EN):
				lv += 2
			case base%2 == 1 && (c == bidi.L || c == bidi.AN || c == bidi.EN):
				lv++
			}
			levels[i], prev = lv, lv
			k++
			continue
		}
		levels[i] = prev
	}

	// L1: segment separators and trailing whitespace go back to the base level.
	trailing := true
	for i := n - 1; i >= 0; i-- {
		switch c := orig[i]; {
		case c == bidi.S || c == bidi.B:
			levels[i] = base
			trailing = true
		case trailing && (c == bidi.WS || c == bidi.BN || isExplicit(c)):
			levels[i] = base
		default:
			trailing = false
		}
	}

	// L2: reverse every maximal run at level ≥ lv, from the highest level down
	// to the lowest odd one.
	order := make([]int, n)
	var maxLv, minOdd uint8 = 0, 255
	for i := range order {
		order[i] = i
		if levels[i] > maxLv {
			maxLv = levels[i]
		}
		if levels[i]%2 == 1 && levels[i] < minOdd {
			minOdd = levels[i]
		}
	}
	for lv := maxLv; lv >= minOdd && lv > 0; lv-- {
		for i := 0; i < n; {
			if levels[order[i]] < lv {
				i++
				continue
			}
			j := i
			for j < n && levels[order[j]] >= lv {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				order[a], order[b] = order[b], order[a]
			}
			i = j
		}
	}

	// L3: a reversed mark run sits before its base; put it back after.
	for i := 0; i < n; {
		if orig[order[i]] != bidi.NSM || levels[order[i]]%2 == 0 {
			i++
			continue
		}
		j := i
		for j < n && orig[order[j]] == bidi.NSM && levels[order[j]]%2 == 1 {
			j++
		}
		if j < n && order[j] < order[i] { // base follows visually: put it first,
			b := order[j] // then the marks back in logical order
			marks := order[i:j]
			for a, z := 0, len(marks)-1; a < z; a, z = a+1, z-1 {
				marks[a], marks[z] = marks[z], marks[a]
			}
			copy(order[i+1:j+1], marks)
			order[i] = b
		}
		i = j + 1
	}

	// L4 and output, dropping invisible bidi controls.
	out := make([]rune, 0, n)
	for _, i := range order {
		r := rs[i]
		if isExplicit(orig[i]) || isMark(r) {
			continue
		}
		if levels[i]%2 == 1 {
			if m, ok := mirror[r]; ok {
				r = m
			}
		}
		out = append(out, r)
	}
	return out
}

// resolveWeak applies W1–W7 to t; sos = eos = e.
func resolveWeak(t []bidi.Class, e bidi.Class) {
	n := len(t)
	for i := range t { // W1
		if t[i] == bidi.NSM {
			if i == 0 {
				t[i] = e
			} else {
				t[i] = t[i-1]
			}
		}
	}
	last := e
	for i, c := range t { // W2, W3
		switch c {
		case bidi.L, bidi.R:
			last = c
		case bidi.AL:
			last = c
			t[i] = bidi.R
		case bidi.EN:
			if last == bidi.AL {
				t[i] = bidi.AN
			}
		}
	}
	for i := 1; i+1 < n; i++ { // W4
		switch {
		case t[i] == bidi.ES && t[i-1] == bidi.EN && t[i+1] == bidi.EN:
			t[i] = bidi.EN
		case t[i] == bidi.CS && t[i-1] == t[i+1] && (t[i-1] == bidi.EN || t[i-1] == bidi.AN):
			t[i] = t[i-1]
		}
	}
	for i := 0; i < n; { // W5
		if t[i] != bidi.ET {
			i++
			continue
		}
		j := i
		for j < n && t[j] == bidi.ET {
			j++
		}
		if (i > 0 && t[i-1] == bidi.EN) || (j < n && t[j] == bidi.EN) {
			for k := i; k < j; k++ {
				t[k] = bidi.EN
			}
		}
		i = j
	}
	for i, c := range t { // W6
		if c == bidi.ES || c == bidi.ET || c == bidi.CS {
			t[i] = bidi.ON
		}
	}
	last = e
	for i, c := range t { // W7
		switch c {
		case bidi.L, bidi.R:
			last = c
		case bidi.EN:
			if last == bidi.L {
				t[i] = bidi.L
			}
		}
	}
}

// resolveBrackets applies a simplified N0 to paired brackets still ON.
func resolveBrackets(t []bidi.Class, kept []int, rs []rune, e bidi.Class) {
	type pair struct{ open, close int }
	var stack []int // positions in t of open brackets
	var pairs []pair
	for k, i := range kept {
		if t[k] != bidi.ON {
			continue
		}
		p, _ := bidi.LookupRune(rs[i])
		if !p.IsBracket() {
			continue
		}
		if p.IsOpeningBracket() {
			if len(stack) == 63 { // BD16: stop pairing on overflow
				break
			}
			stack = append(stack, k)
			continue
		}
		for s := len(stack) - 1; s >= 0; s-- {
			if mirror[rs[kept[stack[s]]]] == rs[i] {
				pairs = append(pairs, pair{stack[s], k})
				stack = stack[:s]
				break
			}
		}
	}
	// Pairs in order of their opening bracket.
	for a := 1; a < len(pairs); a++ {
		for b := a; b > 0 && pairs[b].open < pairs[b-1].open; b-- {
			pairs[b], pairs[b-1] = pairs[b-1], pairs[b]
		}
	}
	for _, p := range pairs {
		foundE, foundOpp := false, false
		for k := p.open + 1; k < p.close; k++ {
			if d, ok := strongDir(t[k]); ok {
				if d == e {
					foundE = true
					break
				}
				foundOpp = true
			}
		}
		var dir bidi.Class
		switch {
		case foundE:
			dir = e
		case foundOpp:
			before := e // sos
			for k := p.open - 1; k >= 0; k-- {
				if d, ok := strongDir(t[k]); ok {
					before = d
					break
				}
			}
			dir = e
			if before != e {
				dir = before
			}
		default:
			continue
		}
		t[p.open], t[p.close] = dir, dir
	}
}

// resolveNeutrals applies N1/N2: runs of neutrals take the direction of equal
// strong neighbours (numbers count as R), else the embedding direction e.
func resolveNeutrals(t []bidi.Class, e bidi.Class) {
	n := len(t)
	for i := 0; i < n; {
		if _, strong := strongDir(t[i]); strong {
			i++
			continue
		}
		j := i
		for j < n {
			if _, strong := strongDir(t[j]); strong {
				break
			}
			j++
		}
		before, after := e, e
		if i > 0 {
			before, _ = strongDir(t[i-1])
		}
		if j < n {
			after, _ = strongDir(t[j])
		}
		dir := e
		if before == after {
			dir = before
		}
		for k := i; k < j; k++ {
			t[k] = dir
		}
		i = j
	}
}
