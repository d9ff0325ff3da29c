package tok

import (
	"container/heap"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// The vocabulary trainer is our own: sugarme's WordPieceTrainer wraps its BPE
// trainer, which in v0.3.0 (a) builds the vocabulary without the special
// tokens (computeAlphabet replaces the map addSpecialTokens filled), (b) writes
// the "##" prefix as fmt.Sprintf("%v%v", &prefix, c) — a pointer address — and
// on the first character instead of the continuation ones, (c) breaks ties by
// time.Now() and map order, so it is not deterministic, and (d) prints to
// stdout. It also cannot be imported without a module missing from go.mod.
//
// Algorithm (as HuggingFace's WordPiece trainer, i.e. BPE over "##" pieces):
// words are split into characters, the first as "c" and the rest as "##c";
// the alphabet goes in after the specials; then the most frequent adjacent
// pair (ties: lowest ids) is merged repeatedly — "ab" + "##cd" → "abcd",
// "##ab" + "##cd" → "##abcd" — until the vocabulary reaches vocabSize or no
// pair occurs at least minPairFreq times.

// minPairFreq is the least corpus frequency a pair needs to be merged.
const minPairFreq = 2

// Train learns a WordPiece vocabulary of at most vocabSize tokens from texts
// (already normalised). The specials take ids 0..6. The result may be smaller
// than vocabSize when the corpus runs out of pairs seen twice. Deterministic.
func Train(texts []string, vocabSize int) (*Tokenizer, error) {
	if vocabSize <= len(specials) {
		return nil, fmt.Errorf("tok: train: vocabSize %d must exceed the %d special tokens", vocabSize, len(specials))
	}
	counts := make(map[string]int)
	for _, text := range texts {
		splitWords(text, func(w string) bool {
			counts[w]++
			return true
		})
	}
	if len(counts) == 0 {
		return nil, errors.New("tok: train: corpus has no words")
	}
	tr := newTrainer(counts, vocabSize)
	tr.mergeAll(vocabSize)
	t, err := newTokenizer(tr.vocab, defaultMaxChars, "training")
	if err != nil {
		return nil, fmt.Errorf("tok: train: %w", err)
	}
	return t, nil
}

// pairKey packs two symbol ids.
type pairKey uint64

func mkPair(a, b int32) pairKey       { return pairKey(uint64(uint32(a))<<32 | uint64(uint32(b))) }
func (p pairKey) parts() (a, b int32) { return int32(uint32(p >> 32)), int32(uint32(p)) }

type trainer struct {
	vocab  []string
	ids    map[string]int32
	words  [][]int32 // each distinct word as symbol ids
	counts []int     // corpus frequency of words[i]
	pairs  map[pairKey]int
	where  map[pairKey][]int32 // word indices that (may) contain the pair
	queue  pairHeap
}

func newTrainer(counts map[string]int, vocabSize int) *trainer {
	tr := &trainer{ids: make(map[string]int32), pairs: make(map[pairKey]int), where: make(map[pairKey][]int32)}
	for _, s := range specials {
		tr.add(s)
	}
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Strings(words)

	// Alphabet: keep the most frequent symbols that fit, then give ids in string order.
	symFreq := make(map[string]int)
	for _, w := range words {
		if utf8.RuneCountInString(w) > defaultMaxChars {
			continue // encodes as [UNK] anyway
		}
		for i, r := range []rune(w) {
			symFreq[symbol(i, r)] += counts[w]
		}
	}
	alphabet := make([]string, 0, len(symFreq))
	for s := range symFreq {
		alphabet = append(alphabet, s)
	}
	sort.Slice(alphabet, func(i, j int) bool {
		fi, fj := symFreq[alphabet[i]], symFreq[alphabet[j]]
		if fi != fj {
			return fi > fj
		}
		return alphabet[i] < alphabet[j]
	})
	if room := vocabSize - len(tr.vocab); len(alphabet) > room {
		alphabet = alphabet[:room]
	}
	sort.Strings(alphabet)
	for _, s := range alphabet {
		tr.add(s)
	}

	// Words as symbol ids; words with a symbol cut from the alphabet take no part.
	for _, w := range words {
		if utf8.RuneCountInString(w) > defaultMaxChars {
			continue
		}
		syms := make([]int32, 0, len(w))
		for i, r := range []rune(w) {
			id, ok := tr.ids[symbol(i, r)]
			if !ok {
				syms = nil
				break
			}
			syms = append(syms, id)
		}
		if len(syms) < 2 {
			continue // no pairs to learn from
		}
		wi := int32(len(tr.words))
		tr.words = append(tr.words, syms)
		tr.counts = append(tr.counts, counts[w])
		for j := 0; j+1 < len(syms); j++ {
			k := mkPair(syms[j], syms[j+1])
			tr.pairs[k] += counts[w]
			tr.addWhere(k, wi)
		}
	}
	for k, c := range tr.pairs {
		tr.queue = append(tr.queue, pairCount{k, c})
	}
	heap.Init(&tr.queue)
	return tr
}

// symbol is the initial piece for rune r at position i of a word.
func symbol(i int, r rune) string {
	if i == 0 {
		return string(r)
	}
	return contPrefix + string(r)
}

func (tr *trainer) add(tok string) int32 {
	if id, ok := tr.ids[tok]; ok {
		return id
	}
	id := int32(len(tr.vocab))
	tr.vocab = append(tr.vocab, tok)
	tr.ids[tok] = id
	return id
}

func (tr *trainer) addWhere(k pairKey, wi int32) {
	ws := tr.where[k]
	if n := len(ws); n > 0 && ws[n-1] == wi {
		return
	}
	tr.where[k] = append(ws, wi)
}

// mergeAll merges best pairs until the vocabulary is full or pairs run out.
func (tr *trainer) mergeAll(vocabSize int) {
	delta := make(map[pairKey]int)
	for len(tr.vocab) < vocabSize && tr.queue.Len() > 0 {
		top := heap.Pop(&tr.queue).(pairCount)
		if cur := tr.pairs[top.key]; cur != top.count {
			continue // stale entry; the current count was pushed when it changed
		}
		if top.count < minPairFreq {
			break
		}
		a, b := top.key.parts()
		merged := tr.add(tr.vocab[a] + strings.TrimPrefix(tr.vocab[b], contPrefix))
		clear(delta)
		for _, wi := range tr.where[top.key] {
			tr.mergeWord(wi, a, b, merged, delta)
		}
		delete(tr.where, top.key)
		for k, d := range delta {
			if d == 0 {
				continue
			}
			c := tr.pairs[k] + d
			if c <= 0 {
				delete(tr.pairs, k)
				continue
			}
			tr.pairs[k] = c
			heap.Push(&tr.queue, pairCount{k, c})
		}
	}
}

// mergeWord replaces every (a, b) in word wi by merged, recording pair-count
// changes in delta.
func (tr *trainer) mergeWord(wi, a, b, merged int32, delta map[pairKey]int) {
	s := tr.words[wi]
	found := false
	for j := 0; j+1 < len(s); j++ {
		if s[j] == a && s[j+1] == b {
			found = true
			break
		}
	}
	if !found {
		return // stale where-entry
	}
	c := tr.counts[wi]
	for j := 0; j+1 < len(s); j++ {
		delta[mkPair(s[j], s[j+1])] -= c
	}
	out := s[:0]
	for j := 0; j < len(s); {
		if j+1 < len(s) && s[j] == a && s[j+1] == b {
			out = append(out, merged)
			j += 2
			continue
		}
		out = append(out, s[j])
		j++
	}
	tr.words[wi] = out
	for j := 0; j+1 < len(out); j++ {
		k := mkPair(out[j], out[j+1])
		delta[k] += c
		if out[j] == merged || out[j+1] == merged {
			tr.addWhere(k, wi)
		}
	}
}

type pairCount struct {
	key   pairKey
	count int
}

// pairHeap pops the highest count first; ties go to the lowest (a, b) ids.
type pairHeap []pairCount

func (h pairHeap) Len() int { return len(h) }
func (h pairHeap) Less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count > h[j].count
	}
	return h[i].key < h[j].key
}
func (h pairHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pairHeap) Push(x any)   { *h = append(*h, x.(pairCount)) }
func (h *pairHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
