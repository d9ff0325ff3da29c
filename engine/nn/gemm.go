package nn

import (
	"runtime"
	"sync"
)

// Blocked, packed float32 GEMM. C is split into MR×NR tiles; each tile is computed
// by a micro-kernel (AVX2+FMA assembly on amd64 when available, plain Go otherwise)
// over k-blocks of kcBlock in a fixed order, so every element of C is summed in the
// same order no matter how many goroutines run: results are bit-identical across
// runs and across GOMAXPROCS values.
const (
	mr      = 6   // micro-tile rows
	nr      = 16  // micro-tile columns
	kcBlock = 256 // k-block (packed panels stay in L1/L2)
	// parallelFlops is the work (m·n·k) above which a GEMM is split over goroutines.
	parallelFlops = 1 << 19
)

// gemmWS holds packing buffers so repeated GEMMs do not allocate. A nil *gemmWS
// allocates per call. One gemmWS must not be used by two GEMMs at once.
type gemmWS struct {
	bp []float32
	ap [][]float32
}

func (ws *gemmWS) buffers(nb, na, workers int) (bp []float32, ap [][]float32) {
	if ws == nil {
		ws = &gemmWS{}
	}
	if len(ws.bp) < nb {
		ws.bp = make([]float32, nb)
	}
	for len(ws.ap) < workers {
		ws.ap = append(ws.ap, nil)
	}
	for w := 0; w < workers; w++ {
		if len(ws.ap[w]) < na {
			ws.ap[w] = make([]float32, na)
		}
	}
	return ws.bp[:nb], ws.ap[:workers]
}

// sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(A) is m×k (A is k×m when tA) and op(B) is k×n (B is n×k when tB).
// par allows splitting the work over runtime.GOMAXPROCS goroutines.
func sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int, par bool, ws *gemmWS) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 || beta != 0 {
		scaleRows(m, n, beta, c, ldc)
	}
	if k == 0 || alpha == 0 {
		return
	}
	// With beta = 0 the first k-block stores into C instead of adding (no clearing pass).
	store := beta == 0
	workers := 1
	if par && m*n*k >= parallelFlops {
		workers = runtime.GOMAXPROCS(0)
	}
	// Row-panels of C (in units of mr rows) are dealt to workers; with few rows
	// (weight gradients, m = hidden) this still gives every worker work.
	panels := (m + mr - 1) / mr
	if workers > panels {
		workers = panels
	}
	npan := (n + nr - 1) / nr
	bp, apBufs := ws.buffers(npan*nr*min(k, kcBlock), mr*min(k, kcBlock), workers)
	for pc := 0; pc < k; pc += kcBlock {
		kc := min(kcBlock, k-pc)
		packB(tB, kc, n, pc, b, ldb, bp)
		if workers == 1 {
			gemmRows(tA, 0, panels, m, n, kc, pc, alpha, a, lda, bp, c, ldc, apBufs[0], store && pc == 0)
			continue
		}
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			p0, p1 := panels*w/workers, panels*(w+1)/workers
			wg.Add(1)
			go func(w, p0, p1 int) {
				defer wg.Done()
				gemmRows(tA, p0, p1, m, n, kc, pc, alpha, a, lda, bp, c, ldc, apBufs[w], store && pc == 0)
			}(w, p0, p1)
		}
		wg.Wait()
	}
}

func scaleRows(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// packB copies rows pc..pc+kc of op(B) into nr-wide column panels:
// bp[jp*kc*nr + p*nr + jj] = op(B)[pc+p][jp*nr+jj] (zero beyond n).
func packB(tB bool, kc, n, pc int, b []float32, ldb int, bp []float32) {
	npan := (n + nr - 1) / nr
	for jp := 0; jp < npan; jp++ {
		dst := bp[jp*kc*nr : (jp+1)*kc*nr]
		j0 := jp * nr
		w := min(nr, n-j0)
		if !tB {
			for p := 0; p < kc; p++ {
				row := b[(pc+p)*ldb+j0 : (pc+p)*ldb+j0+w]
				d := dst[p*nr : p*nr+nr]
				copy(d, row)
				clear(d[w:])
			}
			continue
		}
		if w < nr {
			clear(dst)
		}
		for jj := 0; jj < w; jj++ {
			col := b[(j0+jj)*ldb+pc : (j0+jj)*ldb+pc+kc]
			for p, v := range col {
				dst[p*nr+jj] = v
			}
		}
	}
}

// packA copies alpha·op(A)[i0:i0+mr][pc:pc+kc] as ap[p*mr + ii] (zero beyond m).
func packA(tA bool, kc, m, i0, pc int, alpha float32, a []float32, lda int, ap []float32) {
	h := min(mr, m-i0)
	if h < mr {
		clear(ap[:kc*mr])
	}
	if tA {
		for p := 0; p < kc; p++ {
			row := a[(pc+p)*lda+i0 : (pc+p)*lda+i0+h]
			d := ap[p*mr : p*mr+h]
			for ii, v := range row {
				d[ii] = alpha * v
			}
		}
		return
	}
	for ii := 0; ii < h; ii++ {
		row := a[(i0+ii)*lda+pc : (i0+ii)*lda+pc+kc]
		for p, v := range row {
			ap[p*mr+ii] = alpha * v
		}
	}
}

// gemmRows runs the micro-kernels for row panels p0..p1 and one k-block, adding the
// tiles into C (storing them when store is set).
func gemmRows(tA bool, p0, p1, m, n, kc, pc int, alpha float32, a []float32, lda int,
	bp []float32, c []float32, ldc int, ap []float32, store bool) {
	var tile [mr * nr]float32
	npan := (n + nr - 1) / nr
	for ip := p0; ip < p1; ip++ {
		i0 := ip * mr
		packA(tA, kc, m, i0, pc, alpha, a, lda, ap)
		h := min(mr, m-i0)
		for jp := 0; jp < npan; jp++ {
			j0 := jp * nr
			w := min(nr, n-j0)
			kernel(kc, ap[:kc*mr], bp[jp*kc*nr:(jp+1)*kc*nr], &tile)
			for ii := 0; ii < h; ii++ {
				crow := c[(i0+ii)*ldc+j0 : (i0+ii)*ldc+j0+w]
				trow := tile[ii*nr : ii*nr+w]
				if store {
					copy(crow, trow)
					continue
				}
				for jj, v := range trow {
					crow[jj] += v
				}
			}
		}
	}
}

// kernelGo is the portable micro-kernel: tile = Σ_p ap[p,:]ᵀ·bp[p,:] (overwrites tile).
func kernelGo(kc int, ap, bp []float32, tile *[mr * nr]float32) {
	*tile = [mr * nr]float32{}
	for p := 0; p < kc; p++ {
		b := bp[p*nr : p*nr+nr : p*nr+nr]
		a := ap[p*mr : p*mr+mr : p*mr+mr]
		for ii := 0; ii < mr; ii++ {
			av := a[ii]
			t := tile[ii*nr : ii*nr+nr : ii*nr+nr]
			for jj := range t {
				t[jj] += av * b[jj]
			}
		}
	}
}
