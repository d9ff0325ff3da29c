package cross

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/tok"
)

// BenchmarkScore256 scores (query, passage) pairs of 256 tokens (32 query + 224 passage)
// with the tiny and mini presets, in batches of ScoreBatch: pairs/s is the reranking throughput.
func BenchmarkScore256(b *testing.B) {
	var words []string
	for i := 0; i < 3000; i++ {
		words = append(words, fmt.Sprintf("w%d", i))
	}
	tk, err := tok.Train([]string{strings.Join(words, " ")}, 2000)
	if err != nil {
		b.Fatal(err)
	}
	for _, preset := range []string{"tiny", "mini"} {
		b.Run(preset, func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Preset = preset
			m, err := New(cfg, tk)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewSource(1))
			pairs := make([]Pair, ScoreBatch)
			for i := range pairs {
				ids, types := make([]int, 256), make([]int, 256)
				for j := range ids {
					ids[j] = rng.Intn(tk.VocabSize())
					if j >= 32 {
						types[j] = 1
					}
				}
				pairs[i] = Pair{ids, types}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := m.Logits(pairs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(pairs))/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}
