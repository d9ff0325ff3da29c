package tok

import "unicode/utf8"

// By default encoding uses sugarme/tokenizer's WordPiece model (wordpiece_sugarme.go);
// build with -tags localwp to use localWordPiece instead. localWordPiece is a port of sugarme's WordPiece.Tokenize with identical output (greedy
// longest-match-first, "##" continuations, whole word → [UNK] when any part is
// unmatched or the word exceeds maxChars runes) but without per-candidate
// allocations.

// localWordPiece looks up candidate substrings without building "##"+s strings:
// cont holds continuation tokens keyed without their prefix.
type localWordPiece struct {
	vocab    []string
	head     map[string]int // every token, as sugarme looks up word starts
	cont     map[string]int // "##x" tokens keyed by "x"
	unk      int
	maxChars int
}

func newLocalWordPiece(vocab []string, ids map[string]int, maxChars int) *localWordPiece {
	m := &localWordPiece{vocab: vocab, head: ids, cont: make(map[string]int), unk: ids[UnkToken], maxChars: maxChars}
	for tok, id := range ids {
		if len(tok) > len(contPrefix) && tok[:len(contPrefix)] == contPrefix {
			m.cont[tok[len(contPrefix):]] = id
		}
	}
	return m
}

// split calls emit with the piece ids of word, or returns false (emitting
// nothing) when the word must become a single [UNK].
func (m *localWordPiece) split(word string, emit func(id int)) bool {
	n := utf8.RuneCountInString(word)
	if n > m.maxChars {
		return false
	}
	var stack [64]int
	bounds := stack[:0] // byte offset of each rune boundary
	for i := range word {
		bounds = append(bounds, i)
	}
	bounds = append(bounds, len(word))
	// First pass checks the word is fully matchable so nothing is emitted for [UNK] words.
	var pieceStack [32]int
	pieces := pieceStack[:0]
	for start := 0; start < n; {
		end, id := n, -1
		for ; end > start; end-- {
			sub := word[bounds[start]:bounds[end]]
			var ok bool
			if start == 0 {
				id, ok = m.head[sub]
			} else {
				id, ok = m.cont[sub]
			}
			if ok {
				break
			}
		}
		if end == start {
			return false
		}
		pieces = append(pieces, id)
		start = end
	}
	for _, id := range pieces {
		emit(id)
	}
	return true
}

func (m *localWordPiece) appendIDs(dst []int, word string) []int {
	if !m.split(word, func(id int) { dst = append(dst, id) }) {
		dst = append(dst, m.unk)
	}
	return dst
}

func (m *localWordPiece) appendTokens(dst []string, word string) []string {
	if !m.split(word, func(id int) { dst = append(dst, m.vocab[id]) }) {
		dst = append(dst, UnkToken)
	}
	return dst
}
