package pretrain

import (
	"math/rand"
	"strings"
	"unicode"
)

// Views of a passage for the crop objective, on its words (whitespace-separated,
// normalised text).

// Crop lengths: each view keeps a share of the passage's words drawn uniformly from
// [cropMin, cropMax] (Contriever's 0.1–0.5), at least minCropWords words.
const (
	cropMin      = 0.1
	cropMax      = 0.5
	minCropWords = 4
)

// randomCrop returns a span of words (at least min(minCropWords, len) long).
func randomCrop(words []string, rng *rand.Rand) string {
	n := len(words)
	if n == 0 {
		return ""
	}
	ratio := cropMin + (cropMax-cropMin)*rng.Float64()
	l := min(max(int(ratio*float64(n)+0.5), minCropWords), n)
	s := rng.Intn(n - l + 1)
	return strings.Join(words[s:s+l], " ")
}

// CropPair returns two independent random crops of a passage (Contriever).
func CropPair(text string, rng *rand.Rand) (query, passage string) {
	w := strings.Fields(text)
	return randomCrop(w, rng), randomCrop(w, rng)
}

// Sentences splits text after . ! ? ؟ ۔ … and line breaks; empty pieces are dropped.
func Sentences(text string) []string {
	var out []string
	start := 0
	flush := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i, r := range text {
		switch r {
		case '.', '!', '?', '؟', '۔', '…', '\n':
			end := i + len(string(r))
			// a dot inside a number or an abbreviation-like token (no space after) does not end a sentence
			if r == '.' && end < len(text) && !unicode.IsSpace(rune(text[end])) {
				continue
			}
			flush(end)
		}
	}
	flush(len(text))
	return out
}

// ICTPair returns one sentence of the passage as the query and the passage without it as
// the context (inverse cloze task); ok is false for passages of fewer than two sentences.
func ICTPair(text string, rng *rand.Rand) (query, context string, ok bool) {
	ss := Sentences(text)
	if len(ss) < 2 {
		return "", "", false
	}
	k := rng.Intn(len(ss))
	rest := make([]string, 0, len(ss)-1)
	rest = append(append(rest, ss[:k]...), ss[k+1:]...)
	return ss[k], strings.Join(rest, " "), true
}

// viewPair builds the crop objective's pair for one passage: ICT when view is "ict" (or
// "both" with useICT) and the passage has two sentences, independent crops otherwise.
func viewPair(view, text string, useICT bool, rng *rand.Rand) (query, passage string) {
	if view == ViewICT || (view == ViewBoth && useICT) {
		if q, p, ok := ICTPair(text, rng); ok {
			return q, p
		}
	}
	return CropPair(text, rng)
}
