package tok

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// miniLMDir is the real all-MiniLM-L6-v2 tokenizer (vocab.txt, tokenizer.json,
// tokenizer_config.json), shared read-only beside the repository.
const miniLMDir = "../../../shared/models/all-MiniLM-L6-v2-tokenizer-only"

// TestMiniLMTokenizer checks LoadBERT on the real MiniLM files against
// testdata/hf/minilm_tokens.json, written by testdata/hf/bert_tokenizer_reference.py (BERT's
// published BasicTokenizer + WordpieceTokenizer in plain Python): lower-casing, accent
// stripping (Vietnamese tone marks, Arabic harakat and hamza), ## pieces, [UNK] (unknown
// characters, words over 100 characters), CJK splitting, control characters and truncation,
// on English, Arabic and Vietnamese text. vocab.txt (+ tokenizer_config.json) and
// tokenizer.json (its BertNormalizer) must give the same ids.
func TestMiniLMTokenizer(t *testing.T) {
	if _, err := os.Stat(miniLMDir); err != nil {
		t.Skipf("MiniLM tokenizer files not here: %v", err)
	}
	data, err := os.ReadFile("../../testdata/hf/minilm_tokens.json")
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		VocabSize int `json:"vocab_size"`
		MaxLen    int `json:"max_len"`
		Cases     []struct {
			Text   string   `json:"text"`
			Tokens []string `json:"tokens"`
			IDs    []int    `json:"ids"`
			Trunc  []int    `json:"ids_max16"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{miniLMDir, filepath.Join(miniLMDir, HFFile)} {
		tk, from, err := LoadBERT(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if b := tk.Basic(); b == nil || !b.Lower || !b.StripAccents || !b.ChineseChars || from == "" {
			t.Fatalf("%s: casing %+v from %q, want lower-case, strip accents, CJK", src, b, from)
		}
		if tk.VocabSize() != want.VocabSize {
			t.Errorf("%s: vocab %d, want %d", src, tk.VocabSize(), want.VocabSize)
		}
		for _, c := range want.Cases {
			if got := tk.Tokens(c.Text); !reflect.DeepEqual(got, c.Tokens) && !(len(got) == 0 && len(c.Tokens) == 0) {
				t.Errorf("%s %q:\n got  %q\n want %q", filepath.Base(src), c.Text, got, c.Tokens)
			}
			if got := tk.Encode(c.Text, "", 0); !reflect.DeepEqual(got, c.IDs) {
				t.Errorf("%s %q: ids %v, want %v", filepath.Base(src), c.Text, got, c.IDs)
			}
			if got := tk.Encode(c.Text, "", want.MaxLen); !reflect.DeepEqual(got, c.Trunc) {
				t.Errorf("%s %q: ids (max %d) %v, want %v", filepath.Base(src), c.Text, want.MaxLen, got, c.Trunc)
			}
		}
	}
	// Shared mode's prefixes resolve to the vocabulary's [unused0]/[unused1].
	tk, _, _ := LoadBERT(miniLMDir)
	q, _ := tk.ID(QueryToken)
	p, _ := tk.ID(PassageToken)
	if q != 1 || p != 2 {
		t.Errorf("[Q]/[P] = %d/%d, want [unused0]/[unused1] = 1/2", q, p)
	}
}

// TestBasicByHand: BERT's text processing on hand-made strings.
func TestBasicByHand(t *testing.T) {
	cases := []struct {
		b       Basic
		in, out string
	}{
		{Basic{Lower: true, StripAccents: true, ChineseChars: true}, "Héllo\tWÖRLD\u200b!\x00中文", "hello world! 中  文 "},
		{Basic{Lower: true}, "Héllo", "héllo"},
		{Basic{StripAccents: true}, "Việt Nam", "Viet Nam"},
		{Basic{}, "a\u00a0b\u2003c\x07d", "a b cd"},
		{Basic{Lower: true, StripAccents: true}, "العَرَبِيَّة أ", "العربية ا"},
	}
	for _, c := range cases {
		if got := c.b.Apply(c.in); got != c.out {
			t.Errorf("%+v %q = %q, want %q", c.b, c.in, got, c.out)
		}
	}
}

// TestBasicSaveLoad: a tokenizer with casing settings writes tokenizer_config.json and
// LoadBERT reads the same settings back; Load ignores them.
func TestBasicSaveLoad(t *testing.T) {
	tk, err := newTokenizer([]string{PadToken, UnkToken, CLSToken, SEPToken, "cafe", "café"}, 0, "test")
	if err != nil {
		t.Fatal(err)
	}
	cased := tk.WithBasic(&Basic{Lower: false, StripAccents: false, ChineseChars: true})
	dir := t.TempDir()
	if err := cased.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, from, err := LoadBERT(dir)
	if err != nil || from != filepath.Join(dir, ConfigFile) {
		t.Fatalf("LoadBERT: %v (from %q)", err, from)
	}
	if b := back.Basic(); b == nil || *b != *cased.Basic() {
		t.Errorf("casing %+v, want %+v", b, cased.Basic())
	}
	if got := back.Encode("Café café", "", 0); !reflect.DeepEqual(got, []int{2, 1, 5, 3}) {
		t.Errorf("cased: %v", got)
	}
	plain, _ := Load(dir)
	if plain.Basic() != nil {
		t.Error("Load applied casing settings")
	}
	uncased := tk.WithBasic(&Basic{Lower: true, StripAccents: true})
	if got := uncased.Encode("Café café", "", 0); !reflect.DeepEqual(got, []int{2, 4, 4, 3}) {
		t.Errorf("uncased: %v", got)
	}
}
