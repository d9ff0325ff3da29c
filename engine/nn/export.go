package nn

// Exported building blocks for heads that sit on the encoder's hidden states (the
// masked-language-modelling head of engine/pretrain): the same GEMM, LayerNorm and GELU
// the encoder runs, so such a head is as fast and as deterministic as the encoder. Each
// is generic like the encoder core: float32 in training, float64 in gradient checks.

// MatMul computes C = alpha·op(A)·op(B) + beta·C for row-major matrices: op(A) is m×k
// (A is k×m when tA), op(B) is k×n (B is n×k when tB). Large products run on several
// goroutines; every element is summed in a fixed order (bit-identical results).
func MatMul[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, true, nil)
}

// LayerNorm normalises each row of x (rows×n) into y = xhat·g + b, keeping xhat and
// rstd (one per row) for LayerNormBack; eps is the variance epsilon.
func LayerNorm[T Float](x, g, b, y, xhat, rstd []T, n int, eps float64) {
	layerNorm(x, g, b, y, xhat, rstd, n, eps)
}

// LayerNormBack writes dx from dy and ADDS the gain and shift gradients to dg and db.
func LayerNormBack[T Float](dy, xhat, rstd, g, dx, dg, db []T, n int) {
	layerNormBack(dy, xhat, rstd, g, dx, dg, db, n)
}

// GELU writes act(u) into out and, when d is not nil, act'(u) into d, for the
// activations of Config.Act ("" or ActGELUTanh: the tanh approximation; ActGELUErf: exact).
func GELU[T Float](act string, u, out, d []T) {
	if act == ActGELUErf {
		geluErf(u, out, d)
		return
	}
	gelu(u, out, d)
}
