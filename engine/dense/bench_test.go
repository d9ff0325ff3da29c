package dense

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/arslab/arslab/engine/head"
)

// syntheticIndex is an ARS index of n passages with random N(0,1) cached vectors of h
// values (one window each, except every windowsEvery-th passage, which has three when
// windowsEvery > 0), scanned by the given number of workers.
func syntheticIndex(tb testing.TB, n, h, workers, windowsEvery int, seed int64) (*Index, []float32) {
	tb.Helper()
	hd, err := head.New(head.ARS, h, h, 0.05, 1)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewSource(seed))
	for i := range hd.V {
		hd.V[i] = float32(rng.NormFloat64() * 0.2)
	}
	ix := &Index{name: "synthetic", m: &Model{Head: hd}, k: h, ids: make([]string, n), start: make([]int32, n+1),
		workers: workers, scorePar: 4096}
	windows := 0
	for i := range n {
		ix.ids[i] = fmt.Sprintf("p%d", i)
		ix.start[i] = int32(windows)
		windows++
		if windowsEvery > 0 && i%windowsEvery == 0 {
			windows += 2
		}
	}
	ix.start[n] = int32(windows)
	ix.vecs = make([]float32, windows*h)
	for i := range ix.vecs {
		ix.vecs[i] = float32(rng.NormFloat64())
	}
	qp := make([]float32, h)
	for i := range qp {
		qp[i] = float32(rng.NormFloat64())
	}
	return ix, qp
}

// BenchmarkARSScan100k: the ARS scan (scores of 100k cached passages at h = 128 with
// the head's vectorised kernel, top 10, their explanations) on 1 and 2 worker goroutines.
func BenchmarkARSScan100k(b *testing.B) {
	const n, h = 100_000, 128
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			ix, qp := syntheticIndex(b, n, h, threads, 0, 2)
			b.SetBytes(int64(n * h * 4))
			b.ResetTimer()
			for range b.N {
				if hits := ix.searchProjected(qp, 10); len(hits) != 10 {
					b.Fatal("want 10 hits")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/query")
		})
	}
}
