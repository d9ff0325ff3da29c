package nn

import (
	"fmt"
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

// allPaths lists every kernel family; forcePath skips the ones this CPU lacks.
var allPaths = []kernelPath{pathGo, pathAVX2, pathAVX512}

// forcePath makes sgemm use kernel family p for the rest of test t (the test-only hook;
// tests in this package do not run in parallel).
func forcePath(t *testing.T, p kernelPath) {
	t.Helper()
	if !pathSupported(p) {
		t.Skipf("CPU lacks the %s kernels", p)
	}
	old := activePath
	activePath = p
	t.Cleanup(func() { activePath = old })
}

// Every path, transposition, worker count and edge shape matches the float64 reference;
// C's padding columns (between n and ldc) are never touched.
func TestSgemmMatchesNaive(t *testing.T) {
	for _, path := range allPaths {
		t.Run(path.String(), func(t *testing.T) {
			forcePath(t, path)
			testSgemmMatchesNaive(t)
		})
	}
}

func testSgemmMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	// {30, 40, 1022} has lda = 1024: the AVX-512 path packs A there instead of reading it
	// in place (alpha = 1 below); alpha = 0.5 always packs.
	sizes := [][3]int{{1, 1, 1}, {5, 7, 3}, {6, 16, 1}, {14, 32, 5}, {28, 64, 257}, {13, 33, 300}, {70, 40, 520}, {130, 90, 64}, {30, 40, 1022}}
	for _, sz := range sizes {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, workers := range []int{1, 3} {
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
				if workers > 1 { // beta = 0 must ignore C entirely, even NaNs
					beta = 0
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							c[i*ldc+j] = float32(math.NaN())
						}
					}
				}
				c0 := append([]float32(nil), c...)
				alpha := 1.0
				if (m+n+k)%2 == 1 {
					alpha = 0.5
				}
				want := naiveGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
				if beta == 0 {
					want = naiveGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, 0, make([]float32, len(c)), ldc)
				}
				sgemmPath(activePath, workers, tA, tB, m, n, k, float32(alpha), a, lda, b, ldb, float32(beta), c, ldc, nil)
				for i := 0; i < m; i++ {
					for j := 0; j < ldc; j++ {
						got := float64(c[i*ldc+j])
						if j >= n {
							if c[i*ldc+j] != c0[i*ldc+j] {
								t.Fatalf("m%d n%d k%d: padding C[%d,%d] overwritten", m, n, k, i, j)
							}
							continue
						}
						if d := math.Abs(got - want[i*n+j]); !(d <= 1e-4*math.Sqrt(float64(k))+1e-5) {
							t.Fatalf("m%d n%d k%d tA=%v tB=%v workers=%d: C[%d,%d]=%g want %g", m, n, k, tA, tB, workers, i, j, got, want[i*n+j])
						}
					}
				}
			}
		}
	}
}

// The paths agree with each other: AVX2 and AVX-512 run the same FMA sequence per
// element and are bit-identical; the Go kernel (separate multiply and add) is within
// float32 rounding. Each path is bit-identical for 1, 2 and 5 workers.
func TestKernelPathsAgree(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, sz := range [][3]int{{100, 96, 600}, {256, 256, 700}, {37, 50, 33}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tA := range []bool{false, true} {
			lda := k
			if tA {
				lda = m
			}
			a, b := randSlice(rng, m*k), randSlice(rng, k*n)
			run := func(p kernelPath, workers int) []float32 {
				c := make([]float32, m*n)
				sgemmPath(p, workers, tA, false, m, n, k, 1, a, lda, b, n, 0, c, n, nil)
				return c
			}
			ref := run(pathGo, 1)
			var fma []float32
			for _, p := range allPaths {
				if !pathSupported(p) {
					continue
				}
				one := run(p, 1)
				for _, w := range []int{2, 5} {
					assertSame(t, fmt.Sprintf("%s %v workers=%d", p, sz, w), run(p, w), one)
				}
				for i := range one {
					if d := math.Abs(float64(one[i] - ref[i])); d > 1e-5*math.Sqrt(float64(k)) {
						t.Fatalf("%s %v tA=%v: C[%d]=%g, Go kernel %g", p, sz, tA, i, one[i], ref[i])
					}
				}
				if p == pathGo {
					continue
				}
				if fma == nil {
					fma = one
					continue
				}
				assertSame(t, fmt.Sprintf("%s vs avx2 %v tA=%v", p, sz, tA), one, fma)
			}
		}
	}
}

// The micro-kernels themselves, on both packed-A layouts, for odd and even kc,
// adding into and storing over a C with row stride > nr.
func TestKernelMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, p := range allPaths {
		if !pathSupported(p) {
			continue
		}
		g := tileGeom(p)
		for _, kc := range []int{1, 2, 7, 256} {
			for _, rowA := range []bool{true, false} {
				for _, store := range []bool{true, false} {
					ap, bp := randSlice(rng, g.apLen(true, kc)), randSlice(rng, kc*g.nr)
					ldc := g.nr + 5
					c := randSlice(rng, g.mr*ldc)
					got := append([]float32(nil), c...)
					runKernel(p, rowA, kc, ap, bp, got, ldc, store)
					for i := 0; i < g.mr; i++ {
						for j := 0; j < ldc; j++ {
							want := float64(c[i*ldc+j])
							if j < g.nr {
								var s float64
								for q := 0; q < kc; q++ {
									av := ap[q*g.mr+i]
									if rowA {
										av = ap[i*kcBlock+q]
									}
									s += float64(av) * float64(bp[q*g.nr+j])
								}
								if store {
									want = s
								} else {
									want += s
								}
							}
							if d := math.Abs(float64(got[i*ldc+j]) - want); d > 1e-5*float64(kc)+1e-6 {
								t.Fatalf("%s kc=%d rowA=%v store=%v: C[%d,%d]=%g want %g", p, kc, rowA, store, i, j, got[i*ldc+j], want)
							}
						}
					}
				}
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
