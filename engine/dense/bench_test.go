package dense

import (
	"math/rand"
	"runtime"
	"testing"

	"github.com/arslab/arslab/engine/head"
)

// BenchmarkARSSearch100k: scoring + top-10 over 100k cached random passages, h = 128.
func BenchmarkARSSearch100k(b *testing.B) {
	const n, h = 100_000, 128
	hd, err := head.New(head.ARS, h, h, 0.05, 1)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewSource(2))
	ix := &Index{name: "bench", m: &Model{Head: hd}, k: h, ids: make([]string, n), vecs: make([]float32, n*h),
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
