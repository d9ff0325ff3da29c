package tok

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/normalizer"
	"github.com/sugarme/tokenizer/pretokenizer"
)

// corpus is a small multilingual corpus, already "normalised" (lower-case,
// NFC Vietnamese with tone marks). Repetition makes whole words frequent enough
// to be merged.
var corpus = func() []string {
	base := []string{
		"hà nội là thủ đô của việt nam.",
		"thủ đô hà nội có nhiều hồ đẹp.",
		"sông hồng chảy qua hà nội.",
		"thành phố hồ chí minh là thành phố lớn nhất việt nam.",
		"người việt nam ăn phở vào buổi sáng.",
		"القاهرة عاصمة مصر.",
		"نهر النيل أطول نهر في العالم، ويمر بمصر.",
		"مرحبا، كيف حالك؟",
		"الطلاب يدرسون في الجامعة.",
		"مصر دولة عربية كبيرة.",
		"the nile is the longest river in the world.",
		"cairo is the capital of egypt.",
		"hanoi is the capital of vietnam (since 1976).",
		"students study retrieval models at the university.",
		"the river flows through the city and the delta.",
	}
	var out []string
	for i := 0; i < 6; i++ {
		out = append(out, base...)
	}
	return out
}()

func trainCorpus(t testing.TB, size int) *Tokenizer {
	t.Helper()
	tk, err := Train(corpus, size)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	return tk
}

func TestSpecialIDs(t *testing.T) {
	tk := trainCorpus(t, 400)
	for want, tok := range []string{PadToken, UnkToken, CLSToken, SEPToken, MaskToken, QueryToken, PassageToken} {
		if id, ok := tk.ID(tok); !ok || id != want {
			t.Errorf("ID(%s) = %d, %v; want %d", tok, id, ok, want)
		}
	}
	if tk.VocabSize() > 400 || tk.VocabSize() <= len(specials) {
		t.Errorf("VocabSize = %d, want in (7, 400]", tk.VocabSize())
	}
}

// TestTrainByHand checks the merges on corpora small enough to follow by hand.
func TestTrainByHand(t *testing.T) {
	sp := specials[:]
	tests := []struct {
		name  string
		texts []string
		size  int
		want  []string // vocabulary after the 7 specials
	}{{
		// words: ab×3, abc×1. alphabet by string: ##b(7) ##c(8) a(9).
		// pairs: (a,##b)=4, (##b,##c)=1 → merge "ab"(10); then (ab,##c)=1 < 2: stop.
		name: "stop at min frequency", texts: []string{"ab ab", "ab abc"}, size: 100,
		want: []string{"##b", "##c", "a", "ab"},
	}, {
		// ab×2, cd×2. alphabet ##b(7) ##d(8) a(9) c(10). pairs (9,7)=2 and (10,8)=2 tie;
		// the lower ids (9,7) win → "ab"(11), and size 12 leaves no room for "cd".
		name: "tie break and size cap", texts: []string{"ab cd", "cd ab"}, size: 12,
		want: []string{"##b", "##d", "a", "c", "ab"},
	}, {
		// abcd×2. alphabet ##b(7) ##c(8) ##d(9) a(10); pairs (10,7) (7,8) (8,9) all 2:
		// (7,8) lowest → "##bc"(11); then (10,11)=2,(11,9)=2 → "abc"(12); then "abcd"(13).
		name: "continuation merges", texts: []string{"abcd abcd"}, size: 100,
		want: []string{"##b", "##c", "##d", "a", "##bc", "abc", "abcd"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tk, err := Train(tc.texts, tc.size)
			if err != nil {
				t.Fatal(err)
			}
			want := append(append([]string{}, sp...), tc.want...)
			if !reflect.DeepEqual(tk.vocab, want) {
				t.Errorf("vocab = %q\nwant    %q", tk.vocab, want)
			}
		})
	}
	// Encoding with the first vocabulary: "abc" → ab ##c = ids 10, 8.
	tk, _ := Train(tests[0].texts, 100)
	if got, want := tk.Encode("abc ab", "", 0), []int{2, 10, 8, 10, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("Encode = %v, want %v", got, want)
	}
}

func TestTrainErrors(t *testing.T) {
	if _, err := Train(corpus, 7); err == nil {
		t.Error("vocabSize 7 (only specials) should fail")
	}
	if _, err := Train([]string{" ", ""}, 100); err == nil {
		t.Error("empty corpus should fail")
	}
}

// TestToneMarksSurvive: no lower-casing/accent stripping of our own; frequent
// Vietnamese and Arabic words become whole pieces with their marks.
func TestToneMarksSurvive(t *testing.T) {
	tk := trainCorpus(t, 400)
	tests := []struct {
		in   string
		want []string
	}{
		{"thủ đô hà nội", []string{"thủ", "đô", "hà", "nội"}},
		{"việt nam", []string{"việt", "nam"}},
		{"القاهرة عاصمة مصر", []string{"القاهرة", "عاصمة", "مصر"}},
		{"مرحبا، كيف حالك؟", []string{"مرحبا", "،", "كيف", "حالك", "؟"}},
		{"Thủ", []string{"[UNK]"}}, // upper-case T never seen: no lower-casing here
	}
	for _, tc := range tests {
		if got := tk.Tokens(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A rarer word is split, but its pieces still carry the marks.
	got := strings.ReplaceAll(strings.Join(tk.Tokens("hồng"), ""), contPrefix, "")
	if got != "hồng" {
		t.Errorf("pieces of hồng join to %q", got)
	}
}

func TestUnknownCharacters(t *testing.T) {
	tk := trainCorpus(t, 400)
	unk, cls, sep := 1, 2, 3
	tests := []struct {
		in   string
		want []int
	}{
		{"☃", []int{cls, unk, sep}},
		{"日本 ☃☃", []int{cls, unk, unk, sep}},
		{"the☃", []int{cls, unk, sep}}, // one unmatched char makes the whole word [UNK]
		{strings.Repeat("a", 101), []int{cls, unk, sep}},
		{"", []int{cls, sep}},
	}
	for _, tc := range tests {
		if got := tk.Encode(tc.in, "", 0); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Encode(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestEncodeTruncation(t *testing.T) {
	tk := trainCorpus(t, 400)
	text := strings.Join(corpus[:5], " ")
	full := tk.Encode(text, QueryToken, 0)
	if len(full) < 20 {
		t.Fatalf("full encoding too short: %d", len(full))
	}
	q, _ := tk.ID(QueryToken)
	if full[0] != 2 || full[1] != q || full[len(full)-1] != 3 {
		t.Fatalf("frame wrong: %v", full)
	}
	for _, maxLen := range []int{3, 4, 10, 17} {
		got := tk.Encode(text, QueryToken, maxLen)
		want := append(append([]int{}, full[:maxLen-1]...), 3)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("maxLen %d: got %v, want %v", maxLen, got, want)
		}
	}
	// Tiny limits: the prefix goes first, then [SEP].
	if got := tk.Encode(text, QueryToken, 2); !reflect.DeepEqual(got, []int{2, 3}) {
		t.Errorf("maxLen 2: %v", got)
	}
	if got := tk.Encode(text, QueryToken, 1); !reflect.DeepEqual(got, []int{2}) {
		t.Errorf("maxLen 1: %v", got)
	}
	// A limit above the length changes nothing; an unknown prefix is [UNK].
	if got := tk.Encode(text, QueryToken, len(full)+5); !reflect.DeepEqual(got, full) {
		t.Errorf("loose limit changed the encoding")
	}
	if got := tk.Encode("", "[NOPE]", 0); !reflect.DeepEqual(got, []int{2, 1, 3}) {
		t.Errorf("unknown prefix: %v", got)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	tk := trainCorpus(t, 400)
	dir := filepath.Join(t.TempDir(), "nested", "tok")
	if err := tk.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Also through a HuggingFace tokenizer.json holding the same vocabulary.
	hfDir := t.TempDir()
	writeHF(t, hfDir, tk.vocab, "WordPiece")
	hf, err := Load(hfDir)
	if err != nil {
		t.Fatal(err)
	}
	texts := append([]string{"thủ đô hà nội ☃", "unseen wörds"}, corpus[:15]...)
	for _, text := range texts {
		for _, prefix := range []string{"", QueryToken, PassageToken} {
			want := tk.Encode(text, prefix, 32)
			if got := back.Encode(text, prefix, 32); !reflect.DeepEqual(got, want) {
				t.Errorf("vocab.txt round trip %q: %v != %v", text, got, want)
			}
			if got := hf.Encode(text, prefix, 32); !reflect.DeepEqual(got, want) {
				t.Errorf("tokenizer.json %q: %v != %v", text, got, want)
			}
		}
	}
	if back.VocabSize() != tk.VocabSize() {
		t.Errorf("VocabSize %d != %d", back.VocabSize(), tk.VocabSize())
	}
	// Save leaves only vocab.txt (the temp file was renamed).
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != VocabFile {
		t.Errorf("dir holds %v", entries)
	}
}

func writeHF(t *testing.T, dir string, vocab []string, typ string) string {
	t.Helper()
	v := make(map[string]int, len(vocab))
	for id, tok := range vocab {
		v[tok] = id
	}
	doc := map[string]any{
		"version":    "1.0",
		"normalizer": map[string]any{"type": "BertNormalizer", "lowercase": true},
		"model": map[string]any{
			"type": typ, "unk_token": "[UNK]", "continuing_subword_prefix": "##",
			"max_input_chars_per_word": 100, "vocab": v,
		},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, HFFile)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTrainDeterministic(t *testing.T) {
	a := trainCorpus(t, 300)
	// Same texts in another order: word counts are identical, so must the vocab be.
	shuffled := append([]string{}, corpus...)
	rand.New(rand.NewSource(7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	b, err := Train(shuffled, 300)
	if err != nil {
		t.Fatal(err)
	}
	da, db := t.TempDir(), t.TempDir()
	if err := a.Save(da); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(db); err != nil {
		t.Fatal(err)
	}
	ba, _ := os.ReadFile(filepath.Join(da, VocabFile))
	bb, _ := os.ReadFile(filepath.Join(db, VocabFile))
	if len(ba) == 0 || !bytes.Equal(ba, bb) {
		t.Errorf("vocab.txt differs between runs (%d vs %d bytes)", len(ba), len(bb))
	}
}

func TestLoadErrors(t *testing.T) {
	root := t.TempDir()
	good := "[PAD]\n[UNK]\n[CLS]\n[SEP]\n"
	tests := []struct {
		name    string
		file    string // file written into the case's dir ("" = none)
		content string
		mention string // besides the path, the error must say this
	}{
		{"empty dir", "", "", HFFile},
		{"no unk", VocabFile, "[PAD]\n[CLS]\n[SEP]\n", "[UNK]"},
		{"duplicate", VocabFile, good + "a\na\n", "duplicate"},
		{"empty line", VocabFile, good + "a\n\nb\n", "empty token"},
		{"empty file", VocabFile, "", "empty vocabulary"},
		{"json syntax", HFFile, `{"model": {`, "unexpected end"},
		{"json bpe", HFFile, `{"model":{"type":"BPE","vocab":{"[UNK]":0},"merges":[]}}`, "not WordPiece"},
		{"json sparse", HFFile, `{"model":{"type":"WordPiece","vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":5}}}`, "dense"},
		{"json prefix", HFFile, `{"model":{"type":"WordPiece","continuing_subword_prefix":"@@","vocab":{"[UNK]":0}}}`, "@@"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(root, strings.ReplaceAll(tc.name, " ", "_"))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			named := dir
			if tc.file != "" {
				named = filepath.Join(dir, tc.file)
				if err := os.WriteFile(named, []byte(tc.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Load(dir)
			if err == nil {
				t.Fatalf("Load(%s) succeeded", dir)
			}
			if !strings.Contains(err.Error(), named) || !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q should name %s and mention %q", err, named, tc.mention)
			}
		})
	}
	missing := filepath.Join(root, "missing")
	if _, err := Load(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Load(missing) error %v should name %s", err, missing)
	}
}

func TestLoadBERTAliases(t *testing.T) {
	dir := t.TempDir()
	vocab := "[PAD]\n[unused0]\n[unused1]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n##s\r\n"
	if err := os.WriteFile(filepath.Join(dir, VocabFile), []byte(vocab), 0o644); err != nil {
		t.Fatal(err)
	}
	tk, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// [Q] → [unused0]=1; "hellos" → hello(7) ##s(8), the CRLF stripped.
	if got, want := tk.Encode("hellos", QueryToken, 0), []int{4, 1, 7, 8, 5}; !reflect.DeepEqual(got, want) {
		t.Errorf("Encode = %v, want %v", got, want)
	}
	if id, ok := tk.ID(PassageToken); !ok || id != 2 {
		t.Errorf("ID([P]) = %d, %v; want 2", id, ok)
	}
}

// TestSplitMatchesSugarme: our pre-tokeniser splits like sugarme's
// BertPreTokenizer (whitespace removed, punctuation isolated) and, unlike a
// default BertNormalizer pipeline, changes no letters.
func TestSplitMatchesSugarme(t *testing.T) {
	inputs := append([]string{"a,b  c!?  (x) -- 1.5", "hà-nội: thủ đô; «ok»"}, corpus[:15]...)
	for _, in := range inputs {
		var ours []string
		splitWords(in, func(w string) bool { ours = append(ours, w); return true })
		pt, err := pretokenizer.NewBertPreTokenizer().PreTokenize(tokenizer.NewPreTokenizedString(in))
		if err != nil {
			t.Fatal(err)
		}
		var theirs []string
		for _, s := range pt.GetSplits(normalizer.OriginalTarget, tokenizer.Byte) {
			theirs = append(theirs, s.Value)
		}
		if !reflect.DeepEqual(ours, theirs) {
			t.Errorf("%q:\n ours   %q\n sugarme %q", in, ours, theirs)
		}
	}
}

func TestConcurrentEncode(t *testing.T) {
	tk := trainCorpus(t, 400)
	want := make([][]int, len(corpus))
	for i, s := range corpus {
		want[i] = tk.Encode(s, PassageToken, 16)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, s := range corpus {
				if got := tk.Encode(s, PassageToken, 16); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("goroutine got %v, want %v", got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// BenchmarkEncode reports Encode throughput in word pieces per second.
func BenchmarkEncode(b *testing.B) {
	tk := trainCorpus(b, 400)
	texts := corpus[:15]
	pieces := 0
	for _, s := range texts {
		pieces += len(tk.Encode(s, "", 0))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, s := range texts {
			tk.Encode(s, PassageToken, 128)
		}
	}
	b.ReportMetric(float64(pieces)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkTrain trains on a seeded synthetic corpus (20k words of 3–10
// letters) to a 4000-token vocabulary.
func BenchmarkTrain(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	letters := []rune("abcdeghiklmnoprstuvyàáảãạăâđêôơưủứừửữựộồốổỗệếềểễ")
	var texts []string
	for s := 0; s < 2000; s++ {
		var sb strings.Builder
		for w := 0; w < 10; w++ {
			n := 3 + rng.Intn(8)
			for k := 0; k < n; k++ {
				sb.WriteRune(letters[rng.Intn(len(letters))%(10+w*4)])
			}
			sb.WriteByte(' ')
		}
		texts = append(texts, sb.String())
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Train(texts, 4000); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWordPieceByHand: the WordPiece model (sugarme's) on a hand-made vocabulary:
// longest match first, "##" continuations, a word with an unmatched part or longer
// than maxChars runes is one [UNK].
func TestWordPieceByHand(t *testing.T) {
	vocab := append(specials[:], "un", "##aff", "##able", "aff", "##a", "##ff", "hồng", "##x")
	ids := map[string]int{}
	for i, v := range vocab {
		ids[v] = i
	}
	id := func(toks ...string) []int {
		out := []int{}
		for _, s := range toks {
			out = append(out, ids[s])
		}
		return out
	}
	tests := []struct {
		word     string
		maxChars int
		want     []string
	}{
		{"unaffable", 100, []string{"un", "##aff", "##able"}}, // ##aff, not ##a + ##ff
		{"affable", 100, []string{"aff", "##able"}},
		{"affa", 100, []string{"aff", "##a"}},
		{"hồng", 100, []string{"hồng"}},
		{"hồngx", 100, []string{"hồng", "##x"}},
		{"unz", 100, []string{UnkToken}},     // "##z" unmatched: the whole word
		{"able", 100, []string{UnkToken}},    // "able" only exists as a continuation
		{"unaffable", 8, []string{UnkToken}}, // 9 runes > maxChars
		{"hồng", 4, []string{"hồng"}},        // runes, not bytes
	}
	for _, tc := range tests {
		m := newPieceModel(vocab, ids, tc.maxChars)
		if got := m.appendTokens(nil, tc.word); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q (max %d): pieces %q, want %q", tc.word, tc.maxChars, got, tc.want)
		}
		if got := m.appendIDs([]int{-1}, tc.word); !reflect.DeepEqual(got, append([]int{-1}, id(tc.want...)...)) {
			t.Errorf("%q (max %d): ids %v, want %v after the existing -1", tc.word, tc.maxChars, got, id(tc.want...))
		}
	}
}
