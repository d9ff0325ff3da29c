//go:build !amd64

package nn

const mr512 = 12

func detectPath() kernelPath { return pathGo }

func pathSupported(p kernelPath) bool { return p == pathGo }

func runKernel(p kernelPath, rowA bool, kc int, ap, bp, c []float32, ldc int, store bool) {
	kernelGo(rowA, kc, ap, bp, c, ldc, store)
}

func directA(p kernelPath, lda int) bool { return false }

func runKernelDirect(kc int, a []float32, lda int, bp, c []float32, ldc int, store bool) {
	panic("nn: direct-A kernel called without AVX-512") // unreachable: directA is false
}

func packStrided(p kernelPath, kc, w int, src []float32, lds int, dst []float32) bool {
	return false
}

func packTransposed(p kernelPath, kc int, src []float32, lds int, dst []float32) bool {
	return false
}

func runKernelDirectT(kc int, a []float32, lda int, bp, c []float32, ldc int, store bool) {
	panic("nn: direct-A kernel called without AVX-512") // unreachable: directA is false
}
