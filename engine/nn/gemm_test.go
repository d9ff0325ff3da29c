package nn

import (
	"math"
	"math/rand"
	"testing"
)

// naiveGemm is the float64 reference: C = alpha·op(A)·op(B) + beta·C.
func naiveGemm(tA, tB bool, m, n, k int, alpha float64, a []float32, lda int, b []float32, ldb int,
	beta float64, c []float32, ldc int) []float64 {
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				av := a[i*lda+p]
				if tA {
					av = a[p*lda+i]
				}
				bv := b[p*ldb+j]
				if tB {
					bv = b[j*ldb+p]
				}
				s += float64(av) * float64(bv)
			}
			out[i*n+j] = alpha*s + beta*float64(c[i*ldc+j])
		}
	}
	return out
}

func TestSgemmMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	sizes := [][3]int{{1, 1, 1}, {5, 7, 3}, {6, 16, 1}, {13, 33, 300}, {70, 40, 520}, {130, 90, 64}}
	for _, sz := range sizes {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, par := range []bool{false, true} {
				tA, tB := tr[0], tr[1]
				lda, ldb, ldc := k+2, n+1, n+3
				if tA {
					lda = m + 1
				}
				if tB {
					ldb = k + 3
				}
				a := randSlice(rng, lda*max(m, k))
				b := randSlice(rng, ldb*max(n, k))
				c := randSlice(rng, ldc*m)
				beta := 0.25
				if par { // beta = 0 must ignore C entirely, even NaNs
					beta = 0
					for i := range c {
						c[i] = float32(math.NaN())
					}
				}
				want := naiveGemm(tA, tB, m, n, k, 0.5, a, lda, b, ldb, beta, c, ldc)
				if beta == 0 {
					want = naiveGemm(tA, tB, m, n, k, 0.5, a, lda, b, ldb, 0, make([]float32, len(c)), ldc)
				}
				sgemm(tA, tB, m, n, k, 0.5, a, lda, b, ldb, float32(beta), c, ldc, par, nil)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						got := float64(c[i*ldc+j])
						if d := math.Abs(got - want[i*n+j]); d > 1e-4*math.Sqrt(float64(k))+1e-5 {
							t.Fatalf("m%d n%d k%d tA=%v tB=%v par=%v: C[%d,%d]=%g want %g", m, n, k, tA, tB, par, i, j, got, want[i*n+j])
						}
					}
				}
			}
		}
	}
}

// The assembly micro-kernel and the Go one compute the same sums (up to FMA rounding).
func TestKernelMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, kc := range []int{1, 2, 7, 256} {
		ap, bp := randSlice(rng, kc*mr), randSlice(rng, kc*nr)
		var t1, t2 [mr * nr]float32
		kernel(kc, ap, bp, &t1)
		kernelGo(kc, ap, bp, &t2)
		for i := range t1 {
			if math.Abs(float64(t1[i]-t2[i])) > 1e-5*float64(kc) {
				t.Fatalf("kc=%d: tile[%d]=%g, Go kernel %g", kc, i, t1[i], t2[i])
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}
