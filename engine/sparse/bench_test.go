package sparse

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/text"
)

// synthetic builds a seeded corpus of n passages of 40–120 words drawn from a Zipf
// distribution (s = 1.1) over a vocabulary of vocab words "w0" … .
func synthetic(n, vocab int, seed uint64) []datasets.Passage {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(vocab-1))
	words := make([]string, vocab)
	for i := range words {
		words[i] = "w" + strconv.Itoa(i)
	}
	ps := make([]datasets.Passage, n)
	var b strings.Builder
	for i := range ps {
		b.Reset()
		m := 40 + rng.IntN(81)
		for j := 0; j < m; j++ {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[zipf.Uint64()])
		}
		ps[i] = datasets.Passage{ID: "p" + strconv.Itoa(i), Text: b.String()}
	}
	return ps
}

// syntheticQueries draws 3–6 word queries from the same distribution.
func syntheticQueries(n, vocab int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 0x9e7))
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(vocab-1))
	qs := make([]string, n)
	for i := range qs {
		m := 3 + rng.IntN(4)
		parts := make([]string, m)
		for j := range parts {
			parts[j] = "w" + strconv.Itoa(int(zipf.Uint64()))
		}
		qs[i] = strings.Join(parts, " ")
	}
	return qs
}

const (
	benchDocs  = 100_000
	benchVocab = 50_000
)

var benchCorpus []datasets.Passage

func corpus100k() []datasets.Passage {
	if benchCorpus == nil {
		benchCorpus = synthetic(benchDocs, benchVocab, 42)
	}
	return benchCorpus
}

// realCorpus loads the largest dataset under ../shared/datasets (beside the repo) when present;
// absent data skips.
func realCorpus(b *testing.B) []datasets.Passage {
	b.Helper()
	root := filepath.Join("..", "..", "..", "shared", "datasets")
	if _, err := os.Stat(root); err != nil {
		b.Skipf("no real datasets at %s", root)
	}
	ps := loadLargest(b, root)
	if len(ps) == 0 {
		b.Skip("no loadable dataset under " + root)
	}
	return ps
}

func BenchmarkBuildBM25Synthetic100k(b *testing.B) {
	ps := corpus100k()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := NewBM25(context.Background(), ps, DefaultBM25(), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(ps))*float64(b.N)/b.Elapsed().Seconds(), "passages/s")
}

func BenchmarkSearchBM25Synthetic100k(b *testing.B) {
	benchSearch(b, corpus100k(), false, syntheticQueries(256, benchVocab, 1))
}

func BenchmarkSearchTFIDFSynthetic100k(b *testing.B) {
	benchSearch(b, corpus100k(), true, syntheticQueries(256, benchVocab, 1))
}

func BenchmarkBuildBM25Real(b *testing.B) {
	ps := realCorpus(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := NewBM25(context.Background(), ps, DefaultBM25(), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(ps))*float64(b.N)/b.Elapsed().Seconds(), "passages/s")
}

// BenchmarkBuildBM25RealStemStop is BenchmarkBuildBM25Real with Arabic stemming and every
// stopword list on: the cost of those options over the default analyzer.
func BenchmarkBuildBM25RealStemStop(b *testing.B) {
	ps := realCorpus(b)
	an, err := text.ParseAnalyzer("stem=ar,stop=on")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := NewBM25With(context.Background(), ps, DefaultBM25(), an, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(ps))*float64(b.N)/b.Elapsed().Seconds(), "passages/s")
}

func BenchmarkSearchBM25Real(b *testing.B) {
	ps := realCorpus(b)
	// Queries are passage prefixes (first 8 words) spread over the corpus.
	qs := make([]string, 256)
	for i := range qs {
		f := strings.Fields(ps[(i*7919)%len(ps)].Text)
		qs[i] = strings.Join(f[:min(8, len(f))], " ")
	}
	benchSearch(b, ps, false, qs)
}

// benchSearch times top-100 queries, cycling through qs.
func benchSearch(b *testing.B, ps []datasets.Passage, tfidf bool, qs []string) {
	var search func(string, int) int
	if tfidf {
		m, err := NewTFIDF(context.Background(), ps, nil)
		if err != nil {
			b.Fatal(err)
		}
		search = func(q string, k int) int { return len(m.Search(q, k)) }
	} else {
		m, err := NewBM25(context.Background(), ps, DefaultBM25(), nil)
		if err != nil {
			b.Fatal(err)
		}
		search = func(q string, k int) int { return len(m.Search(q, k)) }
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		search(qs[i%len(qs)], 100)
		i++
	}
}

// loadLargest loads every dataset directly under root with datasets.Load and returns the
// passages of the largest one; entries that fail to load are skipped.
func loadLargest(b *testing.B, root string) []datasets.Passage {
	b.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		b.Skipf("reading %s: %v", root, err)
	}
	var best *datasets.Dataset
	for _, e := range entries {
		d, err := datasets.Load(filepath.Join(root, e.Name()))
		if err != nil {
			b.Logf("skipping %s: %v", e.Name(), err)
			continue
		}
		if best == nil || len(d.Passages) > len(best.Passages) {
			best = d
		}
	}
	if best == nil {
		return nil
	}
	b.Logf("real corpus: %s (%d passages)", best.Name, len(best.Passages))
	return best.Passages
}
