package sparse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
)

// The hand-worked corpus. Analysed terms (lower-cased, title prepended):
//
//	d0 "the cat sat"                       the cat sat                 dl 3
//	d1 "the dog sat on the mat"            the dog sat on the mat      dl 6
//	d2 title "Cat", "cat cat dog"          cat cat cat dog             dl 4
//	d3 "Birds fly!"                        birds fly                   dl 2
//
// N = 4, avgdl = 15/4 = 3.75. df: the 2, cat 2, sat 2, dog 2, on 1, mat 1, birds 1, fly 1.
func tiny() []datasets.Passage {
	return []datasets.Passage{
		{ID: "d0", Text: "the cat sat"},
		{ID: "d1", Text: "the dog sat on the mat"},
		{ID: "d2", Title: "Cat", Text: "cat cat dog"},
		{ID: "d3", Text: "Birds fly!"},
	}
}

const tol = 1e-12

func checkHits(t *testing.T, what string, got []engine.Hit, ids []string, scores []float64) {
	t.Helper()
	if len(got) != len(ids) {
		t.Fatalf("%s: %d hits %v, want %d %v", what, len(got), got, len(ids), ids)
	}
	for i, h := range got {
		if h.ID != ids[i] || math.Abs(h.Score-scores[i]) > tol || !math.IsNaN(h.Prob) {
			t.Errorf("%s hit %d = {%s %v prob %v}, want {%s %v NaN}", what, i, h.ID, h.Score, h.Prob, ids[i], scores[i])
		}
		if want := int(h.ID[1] - '0'); h.Index != want {
			t.Errorf("%s hit %d index = %d, want %d", what, i, h.Index, want)
		}
	}
}

// BM25 with k1 = 1.2, b = 0.75:
//
//	idf(df=2) = ln(1 + 2.5/2.5) = ln 2 = 0.693147; idf(df=1) = ln(1 + 3.5/1.5) = ln(10/3) = 1.203973
//	k1·(1−b+b·dl/avgdl): d0 1.2·0.85 = 1.02, d1 1.2·1.45 = 1.74, d2 1.2·1.05 = 1.26, d3 1.2·0.65 = 0.78
//
// "cat":  d2 = ln2·3·2.2/(3+1.26) = ln2·6.6/4.26 = 1.0738899980506196
//
//	d0 = ln2·1·2.2/(1+1.02) = ln2·2.2/2.02 = 0.7549127709068711
//
// "dog on the mat":
//
//	d1 = dog ln2·2.2/2.74 (0.556542) + on ln(10/3)·2.2/2.74 (0.966693)
//	   + the ln2·2·2.2/(2+1.74) (0.815467) + mat 0.966693 = 3.3053957881323957
//	d0 = the 0.7549127709068711;  d2 = dog ln2·2.2/(1+1.26) = 0.6747450430229557
func TestBM25Scores(t *testing.T) {
	m, err := NewBM25(context.Background(), tiny(), BM25Params{K1: 1.2, B: 0.75}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := m.Stats(); st != (Stats{Docs: 4, Terms: 8, Postings: 12, AvgLen: 3.75}) {
		t.Errorf("stats = %+v", st)
	}
	checkHits(t, "cat", m.Search("cat", 10), []string{"d2", "d0"}, []float64{1.0738899980506196, 0.7549127709068711})
	// The query "Cat cat" repeats the term: qtf = 2 doubles every score.
	checkHits(t, "cat cat", m.Search("Cat cat", 10), []string{"d2", "d0"}, []float64{2 * 1.0738899980506196, 2 * 0.7549127709068711})
	checkHits(t, "dog on the mat", m.Search("Dog on the MAT?", 10), []string{"d1", "d0", "d2"},
		[]float64{3.3053957881323957, 0.7549127709068711, 0.6747450430229557})
	checkHits(t, "k=1", m.Search("dog on the mat", 1), []string{"d1"}, []float64{3.3053957881323957})

	// Rerank scores the given candidates, zero for d3 which shares no term, invalid indices skipped.
	checkHits(t, "rerank", m.Rerank("dog on the mat", []int{3, 2, -1, 0, 99, 1}), []string{"d1", "d0", "d2", "d3"},
		[]float64{3.3053957881323957, 0.7549127709068711, 0.6747450430229557, 0})

	// Hard negatives: best BM25 passages except the positive d1.
	if got := m.MineHardNegatives("dog on the mat", map[int]bool{1: true}, 5); !reflect.DeepEqual(got, []int{0, 2}) {
		t.Errorf("hard negatives = %v, want [0 2]", got)
	}
	if got := m.MineHardNegatives("dog on the mat", map[int]bool{1: true}, 1); !reflect.DeepEqual(got, []int{0}) {
		t.Errorf("hard negatives k=1 = %v, want [0]", got)
	}
}

// TF-IDF, idf = ln((1+N)/(1+df)) + 1: df 2 → ln(5/3)+1 = a = 1.510826; df 1 → ln(5/2)+1 = 1.916291.
//
//	‖d0‖ = a·√3;  ‖d2‖ = a·√((1+ln3)² + 1)  (cat tf 3 → 1+ln 3, dog tf 1)
//	‖d1‖ = √(((1+ln2)·a)² + a² + a² + 1.916291² + 1.916291²) = 4.295712864511815
//
// "cat" (query vector = unit cat): d2 = (1+ln3)/√((1+ln3)²+1) = 0.9027501480103624, d0 = 1/√3 = 0.5773502691896258
// "cat dog" (query = (1/√2, 1/√2)): d2 = (2+ln3)/(√2·√((1+ln3)²+1)) = 0.9425135396612122,
//
//	d0 = 1/(√2·√3) = 0.4082482904638631, d1 = a/(√2·4.295712864511815) = 0.24869330829371805
func TestTFIDFScores(t *testing.T) {
	m, err := NewTFIDF(context.Background(), tiny(), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkHits(t, "cat", m.Search("cat", 10), []string{"d2", "d0"}, []float64{0.9027501480103624, 0.5773502691896258})
	checkHits(t, "cat dog", m.Search("cat, dog", 10), []string{"d2", "d0", "d1"},
		[]float64{0.9425135396612122, 0.4082482904638631, 0.24869330829371805})
	checkHits(t, "rerank", m.Rerank("cat dog", []int{1, 3, 2}), []string{"d2", "d1", "d3"},
		[]float64{0.9425135396612122, 0.24869330829371805, 0})
	// A document equal to the query (as a bag of terms) has cosine 1.
	checkHits(t, "self", m.Search("the cat sat", 1), []string{"d0"}, []float64{1})
}

func TestTiesAndEdges(t *testing.T) {
	ps := []datasets.Passage{
		{ID: "d0", Text: "alpha beta"},
		{ID: "d1", Text: "gamma"},
		{ID: "d2", Text: "alpha beta"}, // same text as d0: equal scores
		{ID: "d3", Text: "beta alpha"},
		{ID: "d4", Text: ""}, // no terms at all
	}
	bm, err := NewBM25(context.Background(), ps, DefaultBM25(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := NewTFIDF(context.Background(), ps, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []interface {
		engine.Retriever
		engine.Reranker
	}{bm, tf} {
		hits := r.Search("alpha", 10)
		var ids []string
		for _, h := range hits {
			ids = append(ids, h.ID)
		}
		if !reflect.DeepEqual(ids, []string{"d0", "d2", "d3"}) {
			t.Errorf("%s ties: %v, want d0 d2 d3", r.Name(), ids)
		}
		if hits[0].Score != hits[1].Score || hits[1].Score != hits[2].Score {
			t.Errorf("%s: tied passages score differently: %v", r.Name(), hits)
		}
		for _, q := range []string{"", "   ", "?!", "unknownword"} {
			if h := r.Search(q, 10); len(h) != 0 {
				t.Errorf("%s: Search(%q) = %v, want none", r.Name(), q, h)
			}
		}
		if h := r.Search("alpha", 0); h != nil {
			t.Errorf("%s: k=0 gave %v", r.Name(), h)
		}
		if h := r.Search("alpha", -3); h != nil {
			t.Errorf("%s: k<0 gave %v", r.Name(), h)
		}
		if h := r.Rerank("alpha", nil); len(h) != 0 {
			t.Errorf("%s: empty rerank gave %v", r.Name(), h)
		}
		// Rerank keeps ties in index order too.
		h := r.Rerank("alpha", []int{4, 3, 2, 1, 0})
		if len(h) != 5 || h[0].Index != 0 || h[1].Index != 2 || h[2].Index != 3 || h[3].Index != 1 || h[4].Index != 4 {
			t.Errorf("%s: rerank order %v", r.Name(), h)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := NewBM25(ctx, nil, DefaultBM25(), nil); !errors.Is(err, ErrEmptyCorpus) {
		t.Errorf("empty corpus: err = %v", err)
	}
	if _, err := NewTFIDF(ctx, []datasets.Passage{}, nil); !errors.Is(err, ErrEmptyCorpus) {
		t.Errorf("empty corpus (tf-idf): err = %v", err)
	}
	for _, p := range []BM25Params{{K1: -1, B: 0.5}, {K1: 1, B: 1.5}, {K1: math.NaN(), B: 0.5}} {
		if _, err := NewBM25(ctx, tiny(), p, nil); err == nil {
			t.Errorf("params %+v accepted", p)
		}
	}
	// Cancellation: already cancelled, and cancelled from the progress callback mid-build.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := NewBM25(cctx, tiny(), DefaultBM25(), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	ps := synthetic(3000, 500, 7)
	cctx, cancel = context.WithCancel(ctx)
	defer cancel()
	var calls [][2]int
	_, err := NewTFIDF(cctx, ps, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil || len(calls) == 0 || calls[len(calls)-1] != [2]int{3000, 3000} {
		t.Fatalf("uncancelled build: err %v, progress calls %v", err, calls)
	}
	// Cancelled in the middle of the build: the context turns cancelled on its 3rd check.
	if _, err := NewBM25(&countdownCtx{Context: ctx, left: 3}, ps, DefaultBM25(), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("mid-build cancel: err = %v", err)
	}
}

// countdownCtx reports cancellation after its Err method has been asked left times.
type countdownCtx struct {
	context.Context
	left int
}

func (c *countdownCtx) Err() error {
	if c.left--; c.left < 0 {
		return context.Canceled
	}
	return nil
}

// Search (heap over the accumulator) must agree with Rerank of the whole corpus (a full sort
// of per-document scores computed by binary search), restricted to passages that match.
func TestSearchMatchesFullSort(t *testing.T) {
	ps := synthetic(1500, 400, 11)
	bm, err := NewBM25(context.Background(), ps, DefaultBM25(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := NewTFIDF(context.Background(), ps, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]int, len(ps))
	for i := range all {
		all[i] = i
	}
	for _, r := range []interface {
		engine.Retriever
		engine.Reranker
	}{bm, tf} {
		for qi, q := range []string{ps[3].Text[:30], ps[900].Text, "w0 w1 w2 w399", "w17 w17 w250"} {
			full := r.Rerank(q, all)
			var matched []engine.Hit
			for _, h := range full {
				if h.Score > 0 {
					matched = append(matched, h)
				}
			}
			for _, k := range []int{1, 7, 50, len(ps) + 5} {
				want := matched[:min(k, len(matched))]
				if got := r.Search(q, k); !sameHits(got, want) {
					t.Errorf("%s query %d k %d: heap and full sort disagree", r.Name(), qi, k)
				}
			}
		}
	}
}

func TestConcurrentSearch(t *testing.T) {
	ps := synthetic(2000, 300, 3)
	m, err := NewBM25(context.Background(), ps, DefaultBM25(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := NewTFIDF(context.Background(), ps, nil)
	if err != nil {
		t.Fatal(err)
	}
	queries := []string{ps[5].Text[:20], ps[77].Text, "w1 w2 w3", ps[1500].Text[:40]}
	want := make([][]engine.Hit, len(queries))
	wantTF := make([][]engine.Hit, len(queries))
	for i, q := range queries {
		want[i] = m.Search(q, 10)
		wantTF[i] = tf.Search(q, 10)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for it := 0; it < 20; it++ {
				i := (g + it) % len(queries)
				if got := m.Search(queries[i], 10); !sameHits(got, want[i]) {
					errs <- fmt.Sprintf("bm25 query %d differs", i)
				}
				if got := tf.Search(queries[i], 10); !sameHits(got, wantTF[i]) {
					errs <- fmt.Sprintf("tf-idf query %d differs", i)
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func sameHits(a, b []engine.Hit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Index != b[i].Index || a[i].Score != b[i].Score || a[i].ID != b[i].ID {
			return false
		}
	}
	return true
}
