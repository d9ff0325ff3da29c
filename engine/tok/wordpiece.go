package tok

import (
	"github.com/sugarme/tokenizer/model"
	"github.com/sugarme/tokenizer/model/wordpiece"
)

// Words are cut into pieces by sugarme/tokenizer's WordPiece model (greedy
// longest-match-first, "##" continuations, the whole word → [UNK] when any part is
// unmatched or it exceeds maxChars runes). Training the vocabulary (train.go) and
// splitting text into words (BERT pre-tokenisation, tok.go) are ours.

type sugarmeWordPiece struct {
	wp  wordpiece.WordPiece
	unk int
}

func newPieceModel(vocab []string, ids map[string]int, maxChars int) pieceModel {
	v := make(model.Vocab, len(ids))
	for tok, id := range ids {
		v[tok] = id
	}
	wp := wordpiece.NewWordPieceBuilder().
		Vocab(&v).
		UnkToken(UnkToken).
		ContinuingSubwordPrefix(contPrefix).
		MaxInputCharsPerWord(maxChars).
		Build()
	return &sugarmeWordPiece{wp: wp, unk: ids[UnkToken]}
}

func (m *sugarmeWordPiece) appendIDs(dst []int, word string) []int {
	toks, err := m.wp.Tokenize(word)
	if err != nil { // only when [UNK] is missing, which newTokenizer rules out
		return append(dst, m.unk)
	}
	for _, t := range toks {
		dst = append(dst, t.Id)
	}
	return dst
}

func (m *sugarmeWordPiece) appendTokens(dst []string, word string) []string {
	toks, err := m.wp.Tokenize(word)
	if err != nil {
		return append(dst, UnkToken)
	}
	for _, t := range toks {
		dst = append(dst, t.Value)
	}
	return dst
}
