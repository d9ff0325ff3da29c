package train

import (
	"context"
	"fmt"
	"math/rand"
	"runtime"
	"strings"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/head"
)

// synthDataset: nq queries, each with one positive, and nPass passages of ~120
// random words from a 2,000-word vocabulary (seeded), so texts fill max_len 128.
func synthDataset(nq, nPass int) *datasets.Dataset {
	rng := rand.New(rand.NewSource(1))
	words := make([]string, 2000)
	for i := range words {
		words[i] = fmt.Sprintf("w%dx%c", i, 'a'+rune(i%26))
	}
	text := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = words[rng.Intn(len(words))]
		}
		return strings.Join(ws, " ")
	}
	ds := &datasets.Dataset{Name: "synth", Qrels: map[datasets.Split]datasets.Qrels{}}
	for i := range nPass {
		ds.Passages = append(ds.Passages, datasets.Passage{ID: fmt.Sprint("p", i), Text: text(120)})
	}
	train := datasets.Qrels{}
	for i := range nq {
		ds.Queries = append(ds.Queries, datasets.Query{ID: fmt.Sprint("q", i), Text: text(12)})
		train[fmt.Sprint("q", i)] = map[string]int{fmt.Sprint("p", i): 1}
	}
	ds.Qrels[datasets.Train] = train
	return ds
}

// BenchmarkTrainStep: one optimiser step on 2 queries (the graph's minimum batch), each
// with 1 positive + 29 hard negatives, max_len 128; reports examples/s.
func BenchmarkTrainStep(b *testing.B) {
	for _, preset := range []string{"tiny", "mini"} {
		b.Run(preset, func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Preset, cfg.Batch, cfg.Vocab = preset, 2, 1000
			tr := newTrainer(context.Background(), cfg, synthDataset(2, 64), b.TempDir(), nil)
			if err := tr.setup(false); err != nil {
				b.Fatal(err)
			}
			batch := tr.examples[:2]
			if _, err := tr.step(batch); err != nil { // warm-up: builds the graph
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := tr.step(batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "examples/s")
		})
	}
}

// BenchmarkARSSearch100k: scoring + top-10 over 100k cached random passages, h = 128.
func BenchmarkARSSearch100k(b *testing.B) {
	const n, h = 100_000, 128
	hd, err := head.New(head.ARS, h, h, 0.05, 1)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewSource(2))
	ix := &Index{name: "bench", m: &model{head: hd}, k: h, ids: make([]string, n), vecs: make([]float32, n*h),
		workers: runtime.GOMAXPROCS(0), scorePar: 4096}
	for i := range ix.vecs {
		ix.vecs[i] = float32(rng.NormFloat64())
	}
	qp := make([]float32, h)
	for i := range qp {
		qp[i] = float32(rng.NormFloat64())
	}
	b.ResetTimer()
	for range b.N {
		if hits := ix.searchProjected(qp, 10); len(hits) != 10 {
			b.Fatal("want 10 hits")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/query")
}
