//go:build !localwp

package tok

import (
	"reflect"
	"strings"
	"testing"
)

// TestLocalMatchesSugarme: the tokenizer encodes with sugarme's WordPiece by default;
// the local port (-tags localwp) must give identical pieces.
func TestLocalMatchesSugarme(t *testing.T) {
	tk := trainCorpus(t, 300)
	local := newLocalWordPiece(tk.vocab, tk.ids, 12)
	sug := newPieceModel(tk.vocab, tk.ids, 12)
	words := []string{"☃", "abcdefghijklm", "abcdefghijkl", "the☃", "hồng", "unseen", "thủđô"}
	for _, s := range corpus {
		splitWords(s, func(w string) bool { words = append(words, w); return true })
	}
	for _, w := range words {
		for _, variant := range []string{w, strings.ToUpper(w), w + w, w[:len(w)/2]} {
			if a, b := local.appendIDs(nil, variant), sug.appendIDs(nil, variant); !reflect.DeepEqual(a, b) {
				t.Errorf("%q: local %v, sugarme %v", variant, a, b)
			}
			if a, b := local.appendTokens(nil, variant), sug.appendTokens(nil, variant); !reflect.DeepEqual(a, b) {
				t.Errorf("%q: local %q, sugarme %q", variant, a, b)
			}
		}
	}
}
