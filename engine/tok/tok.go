// Package tok is the WordPiece tokeniser of ARS Lab.
//
// Input text is expected to be normalised already by engine/text (lower-cased,
// Arabic normalised, Vietnamese NFC with tone marks kept), so pre-tokenisation
// here only splits on whitespace and punctuation: it never lower-cases or strips
// accents — unless the tokenizer carries BERT's BasicTokenizer settings (Basic, read
// from a pre-trained checkpoint's tokenizer_config.json or tokenizer.json), which it
// then applies first, as BERT does. Words are cut into pieces by greedy longest-match-first WordPiece
// with "##" continuation pieces (see wordpiece*.go for the two back ends).
package tok

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/sugarme/tokenizer/normalizer"
)

// Special tokens; Train puts them first, in this order, at ids 0..6.
const (
	PadToken     = "[PAD]"
	UnkToken     = "[UNK]"
	CLSToken     = "[CLS]"
	SEPToken     = "[SEP]"
	MaskToken    = "[MASK]"
	QueryToken   = "[Q]"
	PassageToken = "[P]"
)

// Specials lists the special tokens in id order of a trained vocabulary.
var specials = [...]string{PadToken, UnkToken, CLSToken, SEPToken, MaskToken, QueryToken, PassageToken}

// Continuation prefix of non-initial word pieces.
const contPrefix = "##"

// defaultMaxChars is the longest word (in runes) WordPiece will split; longer
// words become [UNK], as in BERT.
const defaultMaxChars = 100

// pieceModel cuts one pre-tokenised word into vocabulary pieces.
// Implementations are immutable and safe for concurrent use.
type pieceModel interface {
	// appendIDs appends the piece ids of word to dst.
	appendIDs(dst []int, word string) []int
	// appendTokens appends the piece strings of word to dst.
	appendTokens(dst []string, word string) []string
}

// Tokenizer is an immutable WordPiece tokeniser, safe for concurrent Encode.
type Tokenizer struct {
	vocab   []string       // id → token
	ids     map[string]int // token → id
	aliases map[string]int // [Q]/[P] → [unusedN] for BERT vocabularies without them
	basic   *Basic         // BERT text processing before splitting (nil: none; see bert.go)
	model   pieceModel
	unk     int
	cls     int
	sep     int
}

// newTokenizer validates vocab (id order) and builds the WordPiece model.
// source names the origin (file path or "training") for error messages.
func newTokenizer(vocab []string, maxChars int, source string) (*Tokenizer, error) {
	if len(vocab) == 0 {
		return nil, fmt.Errorf("tok: %s: empty vocabulary", source)
	}
	ids := make(map[string]int, len(vocab))
	for id, tok := range vocab {
		switch {
		case tok == "":
			return nil, fmt.Errorf("tok: %s: empty token at id %d", source, id)
		case !utf8.ValidString(tok):
			return nil, fmt.Errorf("tok: %s: token at id %d is not valid UTF-8", source, id)
		}
		if prev, dup := ids[tok]; dup {
			return nil, fmt.Errorf("tok: %s: duplicate token %q at ids %d and %d", source, tok, prev, id)
		}
		ids[tok] = id
	}
	t := &Tokenizer{vocab: vocab, ids: ids}
	for _, req := range []struct {
		name string
		dst  *int
	}{{UnkToken, &t.unk}, {CLSToken, &t.cls}, {SEPToken, &t.sep}, {PadToken, nil}} {
		id, ok := ids[req.name]
		if !ok {
			return nil, fmt.Errorf("tok: %s: vocabulary lacks required token %s", source, req.name)
		}
		if req.dst != nil {
			*req.dst = id
		}
	}
	// ColBERT convention: BERT vocabularies without [Q]/[P] use [unused0]/[unused1].
	for tok, alias := range map[string]string{QueryToken: "[unused0]", PassageToken: "[unused1]"} {
		if _, ok := ids[tok]; ok {
			continue
		}
		if id, ok := ids[alias]; ok {
			if t.aliases == nil {
				t.aliases = make(map[string]int, 2)
			}
			t.aliases[tok] = id
		}
	}
	if maxChars <= 0 {
		maxChars = defaultMaxChars
	}
	t.model = newPieceModel(vocab, ids, maxChars)
	return t, nil
}

// VocabSize is the number of tokens (ids run 0..VocabSize()-1).
func (t *Tokenizer) VocabSize() int { return len(t.vocab) }

// ID returns the id of token. [Q]/[P] resolve to [unused0]/[unused1] when the
// vocabulary lacks them but has those.
func (t *Tokenizer) ID(token string) (int, bool) {
	if id, ok := t.ids[token]; ok {
		return id, true
	}
	id, ok := t.aliases[token]
	return id, ok
}

// Token returns the token string of id.
func (t *Tokenizer) Token(id int) (string, bool) {
	if id < 0 || id >= len(t.vocab) {
		return "", false
	}
	return t.vocab[id], true
}

// Encode returns [CLS] (prefix) pieces… [SEP]. A prefix token missing from the
// vocabulary is encoded as [UNK]. With maxLen > 0 the pieces are truncated so
// that len ≤ maxLen, keeping [CLS] first and [SEP] last (maxLen 1 gives just
// [CLS]; with maxLen 2 the prefix is dropped). maxLen ≤ 0 means no limit.
func (t *Tokenizer) Encode(text string, prefix string, maxLen int) []int {
	if maxLen == 1 {
		return []int{t.cls}
	}
	capHint := len(text)/3 + 3
	if maxLen > 0 && capHint > maxLen {
		capHint = maxLen
	}
	if t.basic != nil {
		text = t.basic.Apply(text)
	}
	out := make([]int, 0, capHint)
	out = append(out, t.cls)
	if prefix != "" && (maxLen <= 0 || maxLen >= 3) {
		id, ok := t.ID(prefix)
		if !ok {
			id = t.unk
		}
		out = append(out, id)
	}
	limit := maxLen - 1 // room before [SEP]
	if maxLen <= 0 || len(out) < limit {
		splitWords(text, func(word string) bool {
			out = t.model.appendIDs(out, word)
			return maxLen <= 0 || len(out) < limit
		})
	}
	if maxLen > 0 && len(out) > limit {
		out = out[:limit]
	}
	return append(out, t.sep)
}

// Tokens returns the word pieces of text (no special tokens), for display.
func (t *Tokenizer) Tokens(text string) []string {
	var out []string
	if t.basic != nil {
		text = t.basic.Apply(text)
	}
	splitWords(text, func(word string) bool {
		out = t.model.appendTokens(out, word)
		return true
	})
	return out
}

// isSplitPunct reports BERT punctuation: ASCII symbol ranges plus Unicode P*
// (this is sugarme's BertPreTokenizer definition, so Arabic ، ؛ ؟ split too).
func isSplitPunct(r rune) bool { return normalizer.IsBertPunctuation(r) }

// splitWords calls fn with each word of text: maximal runs without whitespace,
// punctuation being a word of its own. fn returns false to stop early.
func splitWords(text string, fn func(word string) bool) {
	start := -1
	for i, r := range text {
		space := unicode.IsSpace(r)
		if space || isSplitPunct(r) {
			if start >= 0 {
				if !fn(text[start:i]) {
					return
				}
				start = -1
			}
			if _, w := utf8.DecodeRuneInString(text[i:]); !space && !fn(text[i:i+w]) {
				return
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		fn(text[start:])
	}
}
