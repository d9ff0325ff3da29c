package tok

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/arslab/arslab/engine/ckpt"
)

// File names inside a tokenizer directory.
const (
	VocabFile = "vocab.txt"      // BERT format: one token per line, line number = id
	HFFile    = "tokenizer.json" // HuggingFace tokenizers file with a WordPiece model
)

// Load reads dir/vocab.txt, or else dir/tokenizer.json (HuggingFace WordPiece).
// dir may also name one of those files directly. Only the vocabulary (and, for
// tokenizer.json, max_input_chars_per_word) is used: the files' casing settings are
// ignored since input arrives normalised by engine/text (LoadBERT honours them).
func Load(dir string) (*Tokenizer, error) {
	t, _, err := load(dir)
	return t, err
}

// LoadBERT is Load for a pre-trained checkpoint's tokenizer: it also reads BERT's casing
// settings (ReadBasic) and applies them before splitting, as BERT's BasicTokenizer does.
// A folder whose files say nothing gets BertTokenizer's default (lower-casing, accents
// stripped, CJK split); source is then "".
//
// vocab.txt and tokenizer.json give the same ids on the real MiniLM files
// (TestMiniLMTokenizer). What differs: with vocab.txt the casing comes from
// tokenizer_config.json and words over 100 characters are [UNK]; with tokenizer.json it
// comes from its BertNormalizer, the word limit from max_input_chars_per_word, and
// added_tokens missing from model.vocab are added. Not reproduced from either: special
// tokens typed in the text ("[MASK]") are split like any bracketed word where Hugging Face
// keeps added tokens whole, and clean_text false is treated as true (transformers' slow
// BertTokenizer also NFC-composes text first; its fast tokenizer and this do not).
func LoadBERT(dir string) (t *Tokenizer, source string, err error) {
	t, folder, err := load(dir)
	if err != nil {
		return nil, "", err
	}
	_, vErr := os.Stat(filepath.Join(folder, VocabFile))
	preferJSON := vErr != nil || strings.HasSuffix(dir, ".json")
	b, src, err := readBasic(folder, preferJSON)
	if err != nil {
		return nil, "", err
	}
	if b == nil {
		b = &Basic{Lower: true, StripAccents: true, ChineseChars: true}
	}
	return t.WithBasic(b), src, nil
}

// load reads the tokenizer at dir (a folder or a file) and returns the folder it is in.
func load(dir string) (*Tokenizer, string, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, "", fmt.Errorf("tok: load: %w", err)
	}
	if info.IsDir() {
		t, _, err := loadDir(dir)
		return t, dir, err
	}
	if strings.HasSuffix(dir, ".json") {
		t, err := loadHF(dir)
		return t, filepath.Dir(dir), err
	}
	t, err := loadVocabTxt(dir)
	return t, filepath.Dir(dir), err
}

// loadDir loads dir/vocab.txt, else dir/tokenizer.json (fromJSON true).
func loadDir(dir string) (*Tokenizer, bool, error) {
	vocabPath := filepath.Join(dir, VocabFile)
	if _, err := os.Stat(vocabPath); err == nil {
		t, err := loadVocabTxt(vocabPath)
		return t, false, err
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("tok: load: %w", err)
	}
	hfPath := filepath.Join(dir, HFFile)
	if _, err := os.Stat(hfPath); err == nil {
		t, err := loadHF(hfPath)
		return t, true, err
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("tok: load: %w", err)
	}
	return nil, false, fmt.Errorf("tok: load: %s: found neither %s nor %s", dir, VocabFile, HFFile)
}

// ReadBasic reads the BERT casing settings of the tokenizer folder dir: tokenizer.json's
// normalizer when there is no vocab.txt, else tokenizer_config.json (do_lower_case,
// strip_accents, tokenize_chinese_chars), each falling back on the other. It returns the
// file it read, or nil and "" when neither says anything; a normaliser other than
// BertNormalizer is an error naming the file.
func ReadBasic(dir string) (*Basic, string, error) {
	_, err := os.Stat(filepath.Join(dir, VocabFile))
	return readBasic(dir, err != nil)
}

func readBasic(dir string, preferJSON bool) (*Basic, string, error) {
	fromJSON := func() (*Basic, string, error) {
		path := filepath.Join(dir, HFFile)
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", nil
		} else if err != nil {
			return nil, "", fmt.Errorf("tok: %w", err)
		}
		var f struct {
			Normalizer *hfNormalizer `json:"normalizer"`
		}
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, "", fmt.Errorf("tok: %s: %w", path, err)
		}
		b, err := f.Normalizer.basic()
		if err != nil {
			return nil, "", fmt.Errorf("tok: %s: %w", path, err)
		}
		if b == nil {
			return nil, "", nil
		}
		return b, path, nil
	}
	fromConfig := func() (*Basic, string, error) {
		b, err := readConfigBasic(dir)
		if err != nil || b == nil {
			return nil, "", err
		}
		return b, filepath.Join(dir, ConfigFile), nil
	}
	first, second := fromConfig, fromJSON
	if preferJSON {
		first, second = fromJSON, fromConfig
	}
	b, src, err := first()
	if err != nil || b != nil {
		return b, src, err
	}
	return second()
}

// loadVocabTxt parses a BERT vocab.txt (a trailing "\r" per line is tolerated).
func loadVocabTxt(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tok: load: %w", err)
	}
	var vocab []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		vocab = append(vocab, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tok: load %s: line %d: %w", path, len(vocab)+1, err)
	}
	return newTokenizer(vocab, defaultMaxChars, path)
}

// hfTokenizer is the part of a HuggingFace tokenizer.json we read.
type hfTokenizer struct {
	AddedTokens []struct {
		ID      int    `json:"id"`
		Content string `json:"content"`
	} `json:"added_tokens"`
	Model *struct {
		Type                    string          `json:"type"`
		UnkToken                *string         `json:"unk_token"`
		ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
		MaxInputCharsPerWord    int             `json:"max_input_chars_per_word"`
		Vocab                   json.RawMessage `json:"vocab"`
		Merges                  json.RawMessage `json:"merges"`
	} `json:"model"`
}

func loadHF(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tok: load: %w", err)
	}
	var f hfTokenizer
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("tok: load %s: %w", path, err)
	}
	m := f.Model
	switch {
	case m == nil:
		return nil, fmt.Errorf("tok: load %s: no \"model\" object", path)
	case m.Type != "" && m.Type != "WordPiece":
		return nil, fmt.Errorf("tok: load %s: model type %q is not WordPiece", path, m.Type)
	case m.Type == "" && len(m.Merges) > 0:
		return nil, fmt.Errorf("tok: load %s: model has merges (BPE), not WordPiece", path)
	case m.UnkToken != nil && *m.UnkToken != UnkToken:
		return nil, fmt.Errorf("tok: load %s: unk_token %q unsupported (want %s)", path, *m.UnkToken, UnkToken)
	case m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != contPrefix:
		return nil, fmt.Errorf("tok: load %s: continuing_subword_prefix %q unsupported (want %q)", path, *m.ContinuingSubwordPrefix, contPrefix)
	}
	var byTok map[string]int
	if err := json.Unmarshal(m.Vocab, &byTok); err != nil || len(byTok) == 0 {
		return nil, fmt.Errorf("tok: load %s: model.vocab must be a non-empty {token: id} object (%v)", path, err)
	}
	for _, a := range f.AddedTokens { // normally already in vocab
		if _, ok := byTok[a.Content]; !ok {
			byTok[a.Content] = a.ID
		}
	}
	vocab := make([]string, len(byTok))
	for tok, id := range byTok {
		if id < 0 || id >= len(vocab) {
			return nil, fmt.Errorf("tok: load %s: id %d of %q outside 0..%d (ids must be dense)", path, id, tok, len(vocab)-1)
		}
		if vocab[id] != "" {
			return nil, fmt.Errorf("tok: load %s: id %d used by %q and %q", path, id, vocab[id], tok)
		}
		vocab[id] = tok
	}
	return newTokenizer(vocab, m.MaxInputCharsPerWord, path)
}

// Save writes dir/vocab.txt (creating dir) atomically with ckpt.WriteFile, and
// dir/tokenizer_config.json when t has BERT casing settings (Basic).
func (t *Tokenizer) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("tok: save: %w", err)
	}
	var buf bytes.Buffer
	for _, tok := range t.vocab {
		buf.WriteString(tok)
		buf.WriteByte('\n')
	}
	if err := ckpt.WriteFile(filepath.Join(dir, VocabFile), buf.Bytes()); err != nil {
		return fmt.Errorf("tok: save: %w", err)
	}
	if t.basic != nil {
		if err := saveConfig(dir, *t.basic); err != nil {
			return fmt.Errorf("tok: save: %w", err)
		}
	}
	return nil
}
