package train

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/arslab/arslab/datasets"
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
