package nn

import (
	"math"
	"runtime"
	"sync"
)

// Float is the element type of the generic encoder core: float32 for training and
// inference, float64 for the finite-difference gradient checks in the tests.
type Float interface{ ~float32 | ~float64 }

// lnEps is LayerNorm's default variance epsilon (BERT uses 1e-12; Config.LNEps overrides it).
const lnEps = 1e-12

// gemm dispatches C = alpha·op(A)·op(B) + beta·C to the packed float32 kernel or,
// for float64 (tests only), to a plain triple loop.
func gemm[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, par bool, ws *gemmWS) {
	if a32, ok := any(a).([]float32); ok {
		sgemm(tA, tB, m, n, k, float32(alpha), a32, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc, par, ws)
		return
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s T
			for p := 0; p < k; p++ {
				ia, ib := i*lda+p, p*ldb+j
				if tA {
					ia = p*lda + i
				}
				if tB {
					ib = j*ldb + p
				}
				s += a[ia] * b[ib]
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

// parallelChunks calls f(lo, hi) for the chunks [c·chunk, min(n, (c+1)·chunk)) of
// [0, n) over parallelWorkers goroutines, or serially below two chunks. The chunking
// does not depend on the number of workers, so callers that reduce within a chunk get
// the same result for every GOMAXPROCS.
func parallelChunks(n, chunk int, f func(lo, hi int)) {
	if n <= chunk {
		if n > 0 {
			f(0, n)
		}
		return
	}
	parallelFor((n+chunk-1)/chunk, parallelWorkers(), func(_, c int) {
		f(c*chunk, min(n, (c+1)*chunk))
	})
}

// elemChunk is the element count per goroutine work item of the element-wise ops.
const elemChunk = 1 << 14

// addBias adds b (length n) to every row of x (rows×n).
func addBias[T Float](x, b []T, n int) {
	rows := len(x) / n
	parallelChunks(rows, max(1, elemChunk/n), func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			addInto(x[r*n:r*n+n], b[:n])
		}
	})
}

// colSumAcc adds the column sums of dy (rows×n) to db, in row order (deterministic);
// large inputs are split over one column range per worker, which keeps every column's
// order (so the split may depend on GOMAXPROCS).
func colSumAcc[T Float](dy, db []T, n int) {
	rows := len(dy) / n
	chunk := n
	if w := parallelWorkers(); w > 1 && rows*n >= 2*elemChunk {
		chunk = max(16, (n/w+15)&^15)
	}
	parallelChunks(n, chunk, func(j0, j1 int) {
		acc := db[j0:j1]
		for r := 0; r < rows; r++ {
			addInto(acc, dy[r*n+j0:r*n+j1])
		}
	})
}

// addInto adds src to dst element-wise (AVX-512 for float32 where available).
func addInto[T Float](dst, src []T) {
	src = src[:len(dst)]
	i0 := 0
	if d32, ok := any(dst).([]float32); ok {
		i0 = addVec(d32, any(src).([]float32))
	}
	for i := i0; i < len(dst); i++ {
		dst[i] += src[i]
	}
}

// lnRowBlock is the number of rows per LayerNorm work item; the backward pass sums
// its per-block partial dg, db in block order.
const lnRowBlock = 32

// layerNorm normalises each row of x (rows×n): xhat = (x−mean)·rstd, y = xhat·g + b.
// xhat and rstd are kept for the backward pass. Statistics are accumulated in float64
// (four interleaved partial sums, combined in a fixed order). Rows are independent and
// split over goroutines.
func layerNorm[T Float](x, g, b, y, xhat, rstd []T, n int, eps float64) {
	rows := len(x) / n
	parallelChunks(rows, lnRowBlock, func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			layerNormRow(x[r*n:(r+1)*n], g[:n], b[:n], y[r*n:(r+1)*n], xhat[r*n:(r+1)*n], &rstd[r], eps)
		}
	})
}

func layerNormRow[T Float](xr, g, b, yr, xh []T, rstd *T, eps float64) {
	if x32, ok := any(xr).([]float32); ok && layerNormRowVec(x32, any(g).([]float32), any(b).([]float32),
		any(yr).([]float32), any(xh).([]float32), any(rstd).(*float32), eps) {
		return
	}
	n := len(xr)
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+4 <= n; j += 4 {
		s0 += float64(xr[j])
		s1 += float64(xr[j+1])
		s2 += float64(xr[j+2])
		s3 += float64(xr[j+3])
	}
	for ; j < n; j++ {
		s0 += float64(xr[j])
	}
	mean := ((s0 + s1) + (s2 + s3)) / float64(n)
	s0, s1, s2, s3 = 0, 0, 0, 0
	j = 0
	for ; j+4 <= n; j += 4 {
		d0, d1, d2, d3 := float64(xr[j])-mean, float64(xr[j+1])-mean, float64(xr[j+2])-mean, float64(xr[j+3])-mean
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; j < n; j++ {
		d := float64(xr[j]) - mean
		s0 += d * d
	}
	vr := (s0 + s1) + (s2 + s3)
	rs := 1 / math.Sqrt(vr/float64(n)+eps)
	*rstd = T(rs)
	xh, yr, g, b = xh[:n], yr[:n], g[:n], b[:n]
	for j, v := range xr {
		h := T((float64(v) - mean) * rs)
		xh[j] = h
		yr[j] = h*g[j] + b[j]
	}
}

// layerNormBack writes dx from dy and accumulates dg, db:
// dx = rstd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat)), dxhat = dy·g.
// Rows are split in blocks of lnRowBlock over goroutines; each block sums its rows'
// dg, db contributions in row order and the blocks are added in block order, so the
// result does not depend on GOMAXPROCS.
func layerNormBack[T Float](dy, xhat, rstd, g, dx, dg, db []T, n int) {
	rows := len(dy) / n
	nb := (rows + lnRowBlock - 1) / lnRowBlock
	part := make([]T, 2*n*nb)
	parallelChunks(rows, lnRowBlock, func(r0, r1 int) {
		blk := r0 / lnRowBlock
		pg, pb := part[2*n*blk:2*n*blk+n], part[2*n*blk+n:2*n*(blk+1)]
		for r := r0; r < r1; r++ {
			layerNormBackRow(dy[r*n:(r+1)*n], xhat[r*n:(r+1)*n], g[:n], dx[r*n:(r+1)*n], pg, pb, float64(rstd[r]))
		}
	})
	dg, db = dg[:n], db[:n]
	for blk := 0; blk < nb; blk++ {
		pg, pb := part[2*n*blk:2*n*blk+n], part[2*n*blk+n:2*n*(blk+1)]
		for j := range dg {
			dg[j] += pg[j]
			db[j] += pb[j]
		}
	}
}

func layerNormBackRow[T Float](dyr, xh, g, dxr, dg, db []T, rs float64) {
	if d32, ok := any(dyr).([]float32); ok && layerNormBackRowVec(d32, any(xh).([]float32), any(g).([]float32),
		any(dxr).([]float32), any(dg).([]float32), any(db).([]float32), rs) {
		return
	}
	n := len(dyr)
	xh, g, dxr, dg, db = xh[:n], g[:n], dxr[:n], dg[:n], db[:n]
	var s1, s2 float64
	for j, d := range dyr {
		dg[j] += d * xh[j]
		db[j] += d
		dh := float64(d * g[j])
		s1 += dh
		s2 += dh * float64(xh[j])
	}
	s1 /= float64(n)
	s2 /= float64(n)
	for j, d := range dyr {
		dh := float64(d * g[j])
		dxr[j] = T(rs * (dh - s1 - float64(xh[j])*s2))
	}
}

// gelu applies GELU with the tanh approximation (Hendrycks & Gimpel; GPT-2, "gelu_new"):
//
//	gelu(x) = ½x(1 + tanh(y)),  y = √(2/π)(x + 0.044715x³)
//
// and writes its derivative into d (when d != nil), so the backward pass needs no
// transcendental function:
//
//	gelu'(x) = ½(1 + tanh y) + ½x(1 − tanh² y)·√(2/π)(1 + 3·0.044715x²)
//
// It differs from the exact x·Φ(x) by less than 5e-4. tanh y = 1 − 2/(e^{2y} + 1) needs
// one exp and saturates cleanly (exp overflow → +Inf → tanh = 1).
func gelu[T Float](u, out, d []T) {
	if u32, ok := any(u).([]float32); ok {
		gelu32(u32, any(out).([]float32), any(d).([]float32))
		return
	}
	const c, k = 0.7978845608028654, 0.044715 // √(2/π)
	for i, v := range u {
		x := float64(v)
		y := c * (x + k*x*x*x)
		t := 1 - 2/(math.Exp(2*y)+1)
		out[i] = T(0.5 * x * (1 + t))
		if d != nil {
			d[i] = T(0.5*(1+t) + 0.5*x*(1-t*t)*c*(1+3*k*x*x))
		}
	}
}

// geluC = √(2/π) and geluKappa are the tanh approximation's constants.
const geluC, geluKappa = 0.7978845608028654, 0.044715

// gelu32 is gelu in float32 with a rational tanh (tanh32) instead of exp. Large inputs
// are split into fixed chunks over parallelWorkers goroutines (element-wise: the result
// does not depend on the split).
func gelu32(u, out, d []float32) {
	const chunk = elemChunk
	if len(u) < 2*chunk {
		gelu32Serial(u, out, d)
		return
	}
	parallelFor((len(u)+chunk-1)/chunk, parallelWorkers(), func(_, c int) {
		lo, hi := c*chunk, min(len(u), (c+1)*chunk)
		var dc []float32
		if d != nil {
			dc = d[lo:hi]
		}
		gelu32Serial(u[lo:hi], out[lo:hi], dc)
	})
}

// gelu32Serial is gelu32 on one goroutine: the AVX-512 kernel on the path that has it
// (|Δtanh| < 5e-7 there too, TestGELU32Paths), then the scalar loop.
func gelu32Serial(u, out, d []float32) {
	const c, k = geluC, geluKappa
	out = out[:len(u)]
	i0 := gelu32Vec(u, out, d)
	for i := i0; i < len(u); i++ {
		x := u[i]
		t := tanh32(c * (x + k*x*x*x))
		out[i] = 0.5 * x * (1 + t)
		if d != nil {
			d[i] = 0.5*(1+t) + 0.5*x*(1-t*t)*c*(1+3*k*x*x)
		}
	}
}

// tanh32 is Eigen's float32 tanh: a [13/6] odd/even rational fit on [−7.9, 7.9], clamped
// outside; |tanh32(y) − tanh(y)| < 3e-7 (checked in the tests).
func tanh32(y float32) float32 {
	const lim = 7.90531110763549805
	y = min(max(y, -lim), lim)
	y2 := y * y
	p := float32(-2.76076847742355e-16)
	p = p*y2 + 2.00018790482477e-13
	p = p*y2 - 8.60467152213735e-11
	p = p*y2 + 5.12229709037114e-08
	p = p*y2 + 1.48572235717979e-05
	p = p*y2 + 6.37261928875436e-04
	p = p*y2 + 4.89352455891786e-03
	q := float32(1.19825839466702e-06)
	q = q*y2 + 1.18534705686654e-04
	q = q*y2 + 2.26843463243900e-03
	q = q*y2 + 4.89352518554385e-03
	return y * p / q
}

// geluErf applies the exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)) (BERT's and Hugging Face's
// "gelu"), and writes its derivative Φ(x) + x·φ(x) into d (when d != nil).
// float64 inputs (tests) are computed in float64 per element, exact to rounding;
// float32 ones by geluErf32.
func geluErf[T Float](u, out, d []T) {
	if u32, ok := any(u).([]float32); ok {
		geluErf32(u32, any(out).([]float32), any(d).([]float32))
		return
	}
	const invSqrt2, invSqrt2Pi = 0.7071067811865476, 0.3989422804014327
	for i, v := range u {
		x := float64(v)
		cdf := 0.5 * (1 + math.Erf(x*invSqrt2))
		out[i] = T(x * cdf)
		if d != nil {
			d[i] = T(cdf + x*invSqrt2Pi*math.Exp(-0.5*x*x))
		}
	}
}

// mulInto multiplies dst element-wise by d.
func mulInto[T Float](dst, d []T) {
	d = d[:len(dst)]
	parallelChunks(len(dst), elemChunk, func(lo, hi int) {
		x, y := dst[lo:hi], d[lo:hi]
		i0 := 0
		if x32, ok := any(x).([]float32); ok {
			i0 = mulVec(x32, any(y).([]float32))
		}
		for i := i0; i < len(x); i++ {
			x[i] *= y[i]
		}
	})
}

// softmaxRows applies a numerically stable softmax to each row (length n) of s in place.
func softmaxRows[T Float](s []T, n int) {
	if s32, ok := any(s).([]float32); ok {
		softmaxRows32(s32, n)
		return
	}
	for r := 0; r+n <= len(s); r += n {
		row := s[r : r+n]
		mx := row[0]
		for _, v := range row {
			if v > mx {
				mx = v
			}
		}
		var sum float64
		for j, v := range row {
			e := math.Exp(float64(v - mx))
			row[j] = T(e)
			sum += e
		}
		inv := 1 / sum
		for j := range row {
			row[j] = T(float64(row[j]) * inv)
		}
	}
}

// softmaxRows32 is softmaxRows in float32 with exp32 (the row sum stays float64).
func softmaxRows32(s []float32, n int) {
	for r := 0; r+n <= len(s); r += n {
		row := s[r : r+n]
		if softmaxRowVec(row) {
			continue
		}
		mx := row[0]
		for _, v := range row {
			if v > mx {
				mx = v
			}
		}
		var sum float64
		for j, v := range row {
			e := exp32(v - mx)
			row[j] = e
			sum += float64(e)
		}
		inv := float32(1 / sum)
		for j := range row {
			row[j] *= inv
		}
	}
}

// exp32 is eˣ for x ≤ 0 in float32 (softmax arguments): x = k·ln2 + r with |r| ≤ ln2/2,
// eʳ by its degree-6 Taylor polynomial (truncation < 1.2e-7 relative), times 2ᵏ.
// Relative error < 4e-7 (checked in the tests); 0 below −87.
func exp32(x float32) float32 {
	if x < -87 {
		return 0
	}
	k := float32(math.Round(float64(x * 1.4426950408889634)))
	r := x - k*0.693145751953125 - k*1.428606765330187e-06 // Cody–Waite split of ln 2
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	return p * math.Float32frombits(uint32(int32(k)+127)<<23)
}

// softmaxBack turns dP into dS in place for probabilities p: dS = p⊙(dP − Σ_j dP·p).
func softmaxBack[T Float](p, dp []T, n int) {
	for r := 0; r+n <= len(p); r += n {
		pr, dr := p[r:r+n], dp[r:r+n]
		if p32, ok := any(pr).([]float32); ok && softmaxBackRowVec(p32, any(dr).([]float32)) {
			continue
		}
		var dot float64
		for j, v := range pr {
			dot += float64(v * dr[j])
		}
		for j, v := range pr {
			dr[j] = T(float64(v) * (float64(dr[j]) - dot))
		}
	}
}

// parallelFor runs f(worker, i) for i in [0,n) on up to workers goroutines
// (0 ≤ worker < workers). Work items must write disjoint memory, so the result does
// not depend on scheduling.
func parallelFor(n, workers int, f func(worker, i int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			f(0, i)
		}
		return
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				f(w, i)
			}
		}(w)
	}
	wg.Wait()
}

func parallelWorkers() int { return max(1, runtime.GOMAXPROCS(0)) }
