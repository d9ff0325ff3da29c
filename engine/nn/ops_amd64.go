package nn

// Vectorised element-wise kernels (ops_amd64.s), used on the AVX-512 path; every
// caller falls back to the Go loop for the rest and on other paths.

//go:noescape
func gelu512(n int, u, out, d *float32, k *[18]float32)

//go:noescape
func softmax512(n int, row *float32, k *[10]float32)

// geluK and softmaxK are the kernels' constants (read-only tables).
var geluK = [18]float32{
	7.90531110763549805, -7.90531110763549805, geluC, geluC * geluKappa, 3 * geluC * geluKappa, 0.5, 1,
	-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08,
	1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03,
	1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03,
}

var softmaxK = [10]float32{1.4426950408889634, 0.693145751953125, 1.428606765330187e-06,
	1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, -88}

// gelu32Vec runs gelu32 on the longest prefix of u whose length is a multiple of 16
// and returns that length (0 when the AVX-512 path is off).
func gelu32Vec(u, out, d []float32) int {
	n := len(u) &^ 15
	if activePath != pathAVX512 || n == 0 {
		return 0
	}
	_ = out[n-1]
	var dp *float32
	if d != nil {
		_ = d[n-1]
		dp = &d[0]
	}
	gelu512(n, &u[0], &out[0], dp, &geluK)
	return n
}

// softmaxRowVec applies softmax to row in place when the AVX-512 path is on and the
// length is a multiple of 16; it reports whether it did.
func softmaxRowVec(row []float32) bool {
	if activePath != pathAVX512 || len(row) == 0 || len(row)%16 != 0 {
		return false
	}
	softmax512(len(row), &row[0], &softmaxK)
	return true
}

//go:noescape
func vadd512(n int, dst, src *float32)

//go:noescape
func vmul512(n int, dst, src *float32)

// addVec adds src to dst element-wise on the AVX-512 path for the longest prefix whose
// length is a multiple of 16 and returns that length (0 on other paths).
func addVec(dst, src []float32) int {
	n := min(len(dst), len(src)) &^ 15
	if activePath != pathAVX512 || n == 0 {
		return 0
	}
	vadd512(n, &dst[0], &src[0])
	return n
}

// mulVec is addVec for dst *= src.
func mulVec(dst, src []float32) int {
	n := min(len(dst), len(src)) &^ 15
	if activePath != pathAVX512 || n == 0 {
		return 0
	}
	vmul512(n, &dst[0], &src[0])
	return n
}

//go:noescape
func vscale512(n int, dst, src *float32, alpha float32)

// scaleVec sets dst = alpha·src on the AVX-512 path for the longest prefix whose length
// is a multiple of 16 and returns that length (0 on other paths).
func scaleVec(dst, src []float32, alpha float32) int {
	n := min(len(dst), len(src)) &^ 15
	if activePath != pathAVX512 || n == 0 {
		return 0
	}
	vscale512(n, &dst[0], &src[0], alpha)
	return n
}

//go:noescape
func lnFwd512(n int, x, gamma, b, y, xh *float32, eps float64) (rstd float32)

//go:noescape
func lnBwd512(n int, dy, xh, gamma, dx, dg, db *float32, rs float64)

// layerNormRowVec runs one LayerNorm row with AVX-512 (ops_ln_amd64.s) when the path
// has it and n is a multiple of 16; it reports whether it did.
func layerNormRowVec(xr, g, b, yr, xh []float32, rstd *float32, eps float64) bool {
	n := len(xr)
	if activePath != pathAVX512 || n == 0 || n%16 != 0 {
		return false
	}
	_, _, _, _ = g[n-1], b[n-1], yr[n-1], xh[n-1]
	*rstd = lnFwd512(n, &xr[0], &g[0], &b[0], &yr[0], &xh[0], eps)
	return true
}

// layerNormBackRowVec is layerNormBackRow with AVX-512, under the same conditions.
func layerNormBackRowVec(dyr, xh, g, dxr, dg, db []float32, rs float64) bool {
	n := len(dyr)
	if activePath != pathAVX512 || n == 0 || n%16 != 0 {
		return false
	}
	_, _, _, _, _ = xh[n-1], g[n-1], dxr[n-1], dg[n-1], db[n-1]
	lnBwd512(n, &dyr[0], &xh[0], &g[0], &dxr[0], &dg[0], &db[0], rs)
	return true
}

//go:noescape
func softmaxBack512(n int, p, dp *float32)

// softmaxBackRowVec runs softmaxBack on one row with AVX-512 when the path has it and the
// length is a multiple of 16; it reports whether it did.
func softmaxBackRowVec(p, dp []float32) bool {
	n := len(p)
	if activePath != pathAVX512 || n == 0 || n%16 != 0 {
		return false
	}
	_ = dp[n-1]
	softmaxBack512(n, &p[0], &dp[0])
	return true
}
