package pretrain

import (
	"math"
	"math/rand"
	"strings"
	"testing"
)

// TestMaskProportions counts over 4000 sequences of 40 maskable pieces (plus [CLS],
// [P], [SEP]): exactly round(0.15·40) = 6 chosen per sequence, specials never; of the
// 24000 chosen, [MASK] 80 %, random 10 %, kept 10 % within 4σ of the binomial.
func TestMaskProportions(t *testing.T) {
	const cls, sep, pfx, mask, vocab = 2, 3, 6, 4, 5000
	m := NewMasker(0.15, mask, vocab, []int{0, 1, cls, sep, mask, 5, pfx})
	rng := rand.New(rand.NewSource(1))
	var nMask, nRand, nKeep, chosen int
	for s := 0; s < 4000; s++ {
		ids := []int{cls, pfx}
		for i := 0; i < 40; i++ {
			ids = append(ids, 7+rng.Intn(vocab-7))
		}
		ids = append(ids, sep)
		orig := append([]int(nil), ids...)
		mk := m.Mask(ids, rng)
		if len(mk.Pos) != 6 {
			t.Fatalf("sequence %d: %d positions chosen, want 6", s, len(mk.Pos))
		}
		for i := range ids {
			if ids[i] != orig[i] {
				t.Fatal("Mask modified its input")
			}
		}
		for k, p := range mk.Pos {
			if p < 2 || p == len(ids)-1 {
				t.Fatalf("special position %d chosen", p)
			}
			if k > 0 && p <= mk.Pos[k-1] {
				t.Fatalf("positions not ascending: %v", mk.Pos)
			}
			if mk.Target[k] != ids[p] {
				t.Fatalf("target %d at %d, input had %d", mk.Target[k], p, ids[p])
			}
			switch in := mk.Input[p]; {
			case in == mask:
				nMask++
			case in == ids[p]:
				nKeep++
			default:
				if in < 7 {
					t.Fatalf("random replacement %d is a special token", in)
				}
				nRand++
			}
			chosen++
		}
		for i := range ids { // unchosen positions untouched
			if !contains(mk.Pos, i) && mk.Input[i] != ids[i] {
				t.Fatalf("position %d changed without being chosen", i)
			}
		}
	}
	n := float64(chosen)
	for _, c := range []struct {
		name string
		got  int
		p    float64
	}{{"[MASK]", nMask, 0.8}, {"random", nRand, 0.1}, {"kept", nKeep, 0.1}} {
		sd := math.Sqrt(n * c.p * (1 - c.p))
		if math.Abs(float64(c.got)-n*c.p) > 4*sd {
			t.Errorf("%s: %d of %d, want %.0f ± %.0f", c.name, c.got, chosen, n*c.p, 4*sd)
		}
	}
	t.Logf("of %d chosen: [MASK] %d, random %d, kept %d", chosen, nMask, nRand, nKeep)
	// at least one position, even when 15 % rounds to 0; none in an all-special sequence
	if mk := m.Mask([]int{cls, 9, sep}, rng); len(mk.Pos) != 1 || mk.Pos[0] != 1 {
		t.Errorf("one maskable piece: positions %v, want [1]", mk.Pos)
	}
	if mk := m.Mask([]int{cls, sep}, rng); len(mk.Pos) != 0 {
		t.Errorf("no maskable piece: positions %v", mk.Pos)
	}
}

func contains(a []int, x int) bool {
	for _, v := range a {
		if v == x {
			return true
		}
	}
	return false
}

// TestCropPairs: independent crops are contiguous word spans of the passage, each
// between max(4, ⌊0.1·n⌉) and ⌊0.5·n⌉ words long; ICT takes one sentence as the query and
// the other sentences, in order, as the context.
func TestCropPairs(t *testing.T) {
	var words []string
	for i := 0; i < 60; i++ {
		words = append(words, "w"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	text := strings.Join(words, " ")
	rng := rand.New(rand.NewSource(2))
	lens := map[int]bool{}
	for i := 0; i < 500; i++ {
		q, p := CropPair(text, rng)
		for _, v := range []string{q, p} {
			n := len(strings.Fields(v))
			if n < 6 || n > 30 || !strings.Contains(" "+text+" ", " "+v+" ") {
				t.Fatalf("crop %q (%d words) is not a 6–30 word span of the passage", v, n)
			}
			lens[n] = true
		}
	}
	if len(lens) < 20 {
		t.Errorf("crop lengths take only %d values over 500 pairs", len(lens))
	}
	if q, p := CropPair("one two three", rng); q != "one two three" || p != q {
		t.Errorf("a 3-word passage crops to %q / %q, want all of it", q, p)
	}

	ar := "القاهرة عاصمة مصر. يمر بها نهر النيل؟ وهي أكبر مدن أفريقيا! عدد سكانها 3.5 مليون"
	ss := Sentences(ar)
	want := []string{"القاهرة عاصمة مصر.", "يمر بها نهر النيل؟", "وهي أكبر مدن أفريقيا!", "عدد سكانها 3.5 مليون"}
	if strings.Join(ss, "|") != strings.Join(want, "|") {
		t.Fatalf("Sentences = %q, want %q", ss, want)
	}
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		q, c, ok := ICTPair(ar, rng)
		if !ok {
			t.Fatal("ICT refused a 4-sentence passage")
		}
		k := -1
		for j, s := range want {
			if s == q {
				k = j
			}
		}
		if k < 0 {
			t.Fatalf("ICT query %q is not a sentence", q)
		}
		rest := append(append([]string{}, want[:k]...), want[k+1:]...)
		if c != strings.Join(rest, " ") {
			t.Fatalf("ICT context %q, want %q", c, strings.Join(rest, " "))
		}
		seen[q] = true
	}
	if len(seen) != 4 {
		t.Errorf("ICT drew %d distinct sentences of 4 in 200 tries", len(seen))
	}
	if _, _, ok := ICTPair("a single sentence without end", rng); ok {
		t.Error("ICT accepted a one-sentence passage")
	}
	// CropBatch: "both" uses ICT on even steps, crops on odd ones
	qs, ps := CropBatch(ViewBoth, []string{ar}, 2, rng)
	if !contains1(want, qs[0]) || strings.Contains(ps[0], qs[0]) {
		t.Errorf("even step: %q / %q is not an ICT pair", qs[0], ps[0])
	}
	qs, _ = CropBatch(ViewBoth, []string{text}, 3, rng)
	if !strings.Contains(text, qs[0]) {
		t.Errorf("odd step: %q is not a crop", qs[0])
	}
	pairs, sizes := inBatchPairs(3)
	wantPairs := []Pair{{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 0}, {1, 2}, {2, 2}, {2, 0}, {2, 1}}
	if len(pairs) != 9 || len(sizes) != 3 || sizes[0] != 3 {
		t.Fatalf("inBatchPairs(3) = %v %v", pairs, sizes)
	}
	for i := range wantPairs {
		if pairs[i] != wantPairs[i] {
			t.Fatalf("inBatchPairs(3) = %v, want %v", pairs, wantPairs)
		}
	}
}

func contains1(a []string, x string) bool {
	for _, v := range a {
		if v == x {
			return true
		}
	}
	return false
}

// TestPseudoQueries: spans are 4–12 consecutive words; salient queries are 2–5 distinct
// words from the passage's ten highest-idf words, in passage order.
func TestPseudoQueries(t *testing.T) {
	corpus := []string{
		"the cat sat on the mat with the hat and the bat near the rat",
		"the dog ran to the park",
		"the cat and the dog",
	}
	idf := newIDF(corpus)
	if !(idf["mat"] > idf["cat"] && idf["cat"] > idf["the"]) {
		t.Fatalf("idf order wrong: mat %g cat %g the %g", idf["mat"], idf["cat"], idf["the"])
	}
	rng := rand.New(rand.NewSource(4))
	for i := 0; i < 200; i++ {
		s := SpanQuery(corpus[0], rng)
		if n := len(strings.Fields(s)); n < 4 || n > 12 || !strings.Contains(corpus[0], s) {
			t.Fatalf("span %q", s)
		}
		q := salientQuery(corpus[0], idf, rng)
		f := strings.Fields(q)
		if len(f) < 2 || len(f) > 5 {
			t.Fatalf("salient query %q has %d words", q, len(f))
		}
		for _, w := range f {
			if w == "the" { // the lowest idf word is never among the passage's 10 best of 11
				t.Fatalf("salient query %q holds %q", q, w)
			}
		}
	}
}
