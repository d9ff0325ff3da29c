//go:build localwp

package tok

// newPieceModel picks the WordPiece back end: the local port with -tags localwp.
func newPieceModel(vocab []string, ids map[string]int, maxChars int) pieceModel {
	return newLocalWordPiece(vocab, ids, maxChars)
}
