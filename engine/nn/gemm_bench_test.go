package nn

import (
	"fmt"
	"math/rand"
	"testing"
)

// sgemmBenchShapes are the encoder's GEMM shapes (m, n, k, tA): the mini preset's
// token×hidden×hidden product, the FFN down-projection (k = FFN) and the weight
// gradient Xᵀ·dY (transposed A, k = tokens).
var sgemmBenchShapes = [][4]int{{4096, 256, 256, 0}, {3968, 256, 1024, 0}, {256, 256, 3968, 1}}

// BenchmarkSgemm reports GFLOP/s (wall) and GFLOP/cpu-s of sgemm per kernel family on
// the encoder's shapes. Threads = GOMAXPROCS: run with -cpu 1,2 for the scaling figure.
// Names: BenchmarkSgemm/<m>x<n>x<k>[T]/<avx512|avx2|go>-<threads>.
func BenchmarkSgemm(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	for _, s := range sgemmBenchShapes {
		m, n, k, tA := s[0], s[1], s[2], s[3] == 1
		x, y, c := randSlice(rng, m*k), randSlice(rng, k*n), make([]float32, m*n)
		lda := k
		name := fmt.Sprintf("%dx%dx%d", m, n, k)
		if tA {
			lda = m
			name += "T"
		}
		flops := 2 * float64(m*n*k)
		for _, p := range []kernelPath{pathAVX512, pathAVX2} {
			b.Run(name+"/"+p.String(), func(b *testing.B) {
				if !pathSupported(p) {
					b.Skipf("CPU lacks %s", p)
				}
				old := activePath
				activePath = p
				defer func() { activePath = old }()
				ws := &gemmWS{}
				sgemm(tA, false, m, n, k, 1, x, lda, y, n, 0, c, n, true, ws)
				b.ResetTimer()
				cpu0 := cpuTime()
				for i := 0; i < b.N; i++ {
					sgemm(tA, false, m, n, k, 1, x, lda, y, n, 0, c, n, true, ws)
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(flops*float64(b.N)/(cpuTime()-cpu0).Seconds()/1e9, "GFLOP/cpu-s")
			})
		}
	}
}
