package tok

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/arslab/arslab/engine/ckpt"
	"golang.org/x/text/unicode/norm"
)

// ConfigFile is Hugging Face's tokenizer_config.json, read for BERT's casing settings.
const ConfigFile = "tokenizer_config.json"

// Basic is the text processing of BERT's BasicTokenizer (and of the tokenizers library's
// BertNormalizer), applied by Encode and Tokens before splitting into words when a
// tokenizer has one: a pre-trained checkpoint's vocabulary was built on text processed
// this way. In order: control characters, U+0000 and U+FFFD are dropped and BERT
// whitespace (space, \t, \n, \r, Zs) becomes a space; CJK ideographs get spaces around
// them (ChineseChars); accents are stripped (NFD, then every Mn mark removed) and the
// text lower-cased. Words are then split on whitespace and punctuation as always.
//
// Tokenizers trained here have none: their input is normalised by engine/text.
type Basic struct {
	Lower        bool // do_lower_case / BertNormalizer.lowercase
	StripAccents bool // strip_accents; null in the files means "as Lower"
	ChineseChars bool // tokenize_chinese_chars / handle_chinese_chars
}

// WithBasic returns a copy of t that applies b (nil: none) before splitting text.
func (t *Tokenizer) WithBasic(b *Basic) *Tokenizer {
	c := *t
	if b != nil {
		bb := *b
		b = &bb
	}
	c.basic = b
	return &c
}

// Basic returns the BERT text processing t applies (nil: none).
func (t *Tokenizer) Basic() *Basic {
	if t.basic == nil {
		return nil
	}
	b := *t.basic
	return &b
}

// Apply runs the processing on s (see Basic).
func (b Basic) Apply(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	for _, r := range s {
		switch {
		case r == 0 || r == 0xfffd || isBertControl(r):
			continue
		case isBertSpace(r):
			sb.WriteByte(' ')
		case b.ChineseChars && isCJK(r):
			sb.WriteByte(' ')
			sb.WriteRune(r)
			sb.WriteByte(' ')
		default:
			sb.WriteRune(r)
		}
	}
	s = sb.String()
	if b.StripAccents {
		d := norm.NFD.String(s)
		sb.Reset()
		for _, r := range d {
			if !unicode.Is(unicode.Mn, r) {
				sb.WriteRune(r)
			}
		}
		s = sb.String()
	}
	if b.Lower {
		s = strings.ToLower(s)
	}
	return s
}

func isBertSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || unicode.Is(unicode.Zs, r)
}

func isBertControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

// isCJK reports a CJK Unified Ideograph (the blocks BERT's _is_chinese_char lists).
func isCJK(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) || (r >= 0x2B740 && r <= 0x2B81F) || (r >= 0x2B820 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) || (r >= 0x2F800 && r <= 0x2FA1F)
}

// hfNormalizer is tokenizer.json's "normalizer" object.
type hfNormalizer struct {
	Type         string `json:"type"`
	CleanText    *bool  `json:"clean_text"`
	ChineseChars *bool  `json:"handle_chinese_chars"`
	StripAccents *bool  `json:"strip_accents"`
	Lowercase    *bool  `json:"lowercase"`
}

// basic converts a BertNormalizer; nil for no normaliser; an error for any other kind.
func (n *hfNormalizer) basic() (*Basic, error) {
	if n == nil {
		return nil, nil
	}
	if n.Type != "BertNormalizer" {
		return nil, fmt.Errorf("normalizer %q is not supported (want BertNormalizer)", n.Type)
	}
	b := &Basic{Lower: boolOr(n.Lowercase, true), ChineseChars: boolOr(n.ChineseChars, true)}
	b.StripAccents = boolOr(n.StripAccents, b.Lower)
	return b, nil
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// tokConfig is the part of tokenizer_config.json we read.
type tokConfig struct {
	TokenizerClass string `json:"tokenizer_class,omitempty"`
	DoLowerCase    *bool  `json:"do_lower_case"`
	StripAccents   *bool  `json:"strip_accents"`
	ChineseChars   *bool  `json:"tokenize_chinese_chars"`
	BasicTokenize  *bool  `json:"do_basic_tokenize,omitempty"`
}

// readConfigBasic reads dir/tokenizer_config.json: nil, nil when it is absent. A missing
// do_lower_case means true (BertTokenizer's default).
func readConfigBasic(dir string) (*Basic, error) {
	path := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("tok: load: %w", err)
	}
	var c tokConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("tok: load %s: %w", path, err)
	}
	if c.BasicTokenize != nil && !*c.BasicTokenize {
		return nil, fmt.Errorf("tok: load %s: do_basic_tokenize false is not supported", path)
	}
	b := &Basic{Lower: boolOr(c.DoLowerCase, true), ChineseChars: boolOr(c.ChineseChars, true)}
	b.StripAccents = boolOr(c.StripAccents, b.Lower)
	return b, nil
}

// saveConfig writes dir/tokenizer_config.json for b, so Load (and Hugging Face's
// BertTokenizer) read the same casing back.
func saveConfig(dir string, b Basic) error {
	c := map[string]any{
		"tokenizer_class": "BertTokenizer", "do_lower_case": b.Lower, "strip_accents": b.StripAccents,
		"tokenize_chinese_chars": b.ChineseChars, "unk_token": UnkToken, "cls_token": CLSToken,
		"sep_token": SEPToken, "pad_token": PadToken, "mask_token": MaskToken,
	}
	return ckpt.WriteJSON(filepath.Join(dir, ConfigFile), c)
}
