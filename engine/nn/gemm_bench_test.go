package nn

import (
	"fmt"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// BenchmarkSgemm reports GFLOP/s of the packed GEMM against gonum's Sgemm on
// encoder-shaped products (tokens×hidden×hidden and the weight-gradient shape).
func BenchmarkSgemm(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	for _, s := range [][4]int{{3968, 256, 256, 0}, {256, 256, 3968, 1}, {128, 128, 64, 0}} {
		m, n, k, tA := s[0], s[1], s[2], s[3] == 1
		x, y, c := randSlice(rng, m*k), randSlice(rng, k*n), make([]float32, m*n)
		lda := k
		if tA {
			lda = m
		}
		flops := 2 * float64(m*n*k)
		b.Run(fmt.Sprintf("own/%dx%dx%d", m, n, k), func(b *testing.B) {
			ws := &gemmWS{}
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				sgemm(tA, false, m, n, k, 1, x, lda, y, n, 0, c, n, true, ws)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			b.ReportMetric(flops*float64(b.N)/(cpuTime()-cpu0).Seconds()/1e9, "GFLOP/cpu-s")
		})
		b.Run(fmt.Sprintf("gonum/%dx%dx%d", m, n, k), func(b *testing.B) {
			ta := blas.NoTrans
			if tA {
				ta = blas.Trans
			}
			for i := 0; i < b.N; i++ {
				blas32.Implementation().Sgemm(ta, blas.NoTrans, m, n, k, 1, x, lda, y, n, 0, c, n)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
