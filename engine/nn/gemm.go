package nn

import (
	"runtime"
	"sync"
)

// Blocked, packed float32 GEMM. C is split into mr×nr tiles; each tile is computed by a
// micro-kernel (AVX-512 or AVX2+FMA assembly on amd64, chosen at run time from the CPU's
// features, plain Go otherwise) over k-blocks of kcBlock in a fixed order, and full
// tiles are written straight into C. Every element of C is summed in the same order no
// matter how many goroutines run: results are bit-identical across runs and GOMAXPROCS
// values (and between the AVX2 and AVX-512 kernels, which both run one FMA per k-step).
const (
	kcBlock = 256 // k-block (packed panels stay in L1/L2); kernel_gen.py's KC
	// parallelFlops is the work (m·n·k) above which a GEMM is split over goroutines.
	parallelFlops = 1 << 19
	maxMR, maxNR  = 16, 32 // bounds of every path's tile
)

// kernelPath names a micro-kernel family.
type kernelPath uint8

const (
	pathGo     kernelPath = iota // portable Go, 6×16 tiles
	pathAVX2                     // AVX2+FMA assembly, 6×16 tiles
	pathAVX512                   // AVX-512 assembly, mr512×32 tiles
)

func (p kernelPath) String() string {
	switch p {
	case pathAVX2:
		return "avx2"
	case pathAVX512:
		return "avx512"
	}
	return "go"
}

// activePath is the kernel family sgemm uses: detected once at package init from the
// CPU's features and read-only afterwards, except that tests force each path in turn
// (forcePath in gemm_test.go) to check them against each other.
var activePath = detectPath()

type geom struct{ mr, nr int }

func tileGeom(p kernelPath) geom {
	if p == pathAVX512 {
		return geom{mr512, 32}
	}
	return geom{6, 16}
}

// apLen is the packed-A length a kernel reads: row-major panels keep the fixed row
// stride kcBlock, p-major ones are dense.
func (g geom) apLen(rowA bool, kc int) int {
	if rowA {
		return (g.mr-1)*kcBlock + kc
	}
	return kc * g.mr
}

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
	workers := 1
	if par && m*n*k >= parallelFlops {
		workers = runtime.GOMAXPROCS(0)
	}
	sgemmPath(activePath, workers, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ws)
}

// gemmJob is one GEMM's operands and blocking, shared read-only by its workers.
type gemmJob struct {
	path      kernelPath
	g         geom
	tA, tB    bool
	m, n      int
	alpha     float32
	a, b, c   []float32
	lda, ldb  int
	ldc       int
	npan      int // nr-wide column panels
	panels    int // mr-high row panels
	bp        []float32
	bstride   int // floats between packed B panels: min(k, kcBlock)·nr
	kc, pc    int
	storeTile bool // first k-block with beta = 0: store tiles instead of adding
}

// sgemmPath is sgemm on a given kernel family and number of workers.
func sgemmPath(path kernelPath, workers int, tA, tB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int, ws *gemmWS) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 || beta != 0 {
		scaleRows(m, n, beta, c, ldc)
	}
	if k == 0 || alpha == 0 {
		return
	}
	g := tileGeom(path)
	j := &gemmJob{path: path, g: g, tA: tA, tB: tB, m: m, n: n, alpha: alpha, a: a, b: b, c: c,
		lda: lda, ldb: ldb, ldc: ldc, npan: (n + g.nr - 1) / g.nr, panels: (m + g.mr - 1) / g.mr}
	workers = max(1, workers)
	j.bstride = min(k, kcBlock) * g.nr
	bp, apBufs := ws.buffers(j.npan*j.bstride, g.mr*kcBlock, workers)
	j.bp = bp
	if workers > 1 && tA && j.npan >= workers {
		// Weight gradients (tA: k = tokens, many k-blocks, few rows): each worker owns a
		// range of column panels for all k-blocks, packing its own B panels, so the
		// workers never wait for each other.
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				jw := *j
				jw.kBlocks(k, beta, 0, j.panels, j.npan*w/workers, j.npan*(w+1)/workers, apBufs[w])
			}(w)
		}
		wg.Wait()
		return
	}
	// Otherwise row panels of C are dealt to workers in contiguous ranges, with B's
	// panels packed by all workers before each k-block.
	workers = min(workers, j.panels)
	if workers == 1 {
		j.kBlocks(k, beta, 0, j.panels, 0, j.npan, apBufs[0])
		return
	}
	for pc := 0; pc < k; pc += kcBlock {
		j.setBlock(pc, k, beta)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				j.packB(j.npan*w/workers, j.npan*(w+1)/workers)
			}(w)
		}
		wg.Wait()
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				j.rows(j.panels*w/workers, j.panels*(w+1)/workers, 0, j.npan, apBufs[w])
			}(w)
		}
		wg.Wait()
	}
}

// setBlock selects the k-block starting at pc.
func (j *gemmJob) setBlock(pc, k int, beta float32) {
	j.pc, j.kc = pc, min(kcBlock, k-pc)
	j.storeTile = beta == 0 && pc == 0
}

// kBlocks runs every k-block, in order, for row panels p0..p1 and column panels
// jp0..jp1 on one goroutine (packing those B panels itself).
func (j *gemmJob) kBlocks(k int, beta float32, p0, p1, jp0, jp1 int, ap []float32) {
	for pc := 0; pc < k; pc += kcBlock {
		j.setBlock(pc, k, beta)
		j.packB(jp0, jp1)
		j.rows(p0, p1, jp0, jp1, ap)
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

// packB copies rows pc..pc+kc of op(B), column panels jp0..jp1, into nr-wide panels:
// bp[jp*bstride + p*nr + jj] = op(B)[pc+p][jp*nr+jj] (zero beyond n).
func (j *gemmJob) packB(jp0, jp1 int) {
	nr, kc, pc, b, ldb := j.g.nr, j.kc, j.pc, j.b, j.ldb
	for jp := jp0; jp < jp1; jp++ {
		dst := j.bp[jp*j.bstride : jp*j.bstride+kc*nr]
		j0 := jp * nr
		w := min(nr, j.n-j0)
		if !j.tB && w == nr && packStrided(j.path, kc, nr, b[pc*ldb+j0:], ldb, dst) {
			continue
		}
		if !j.tB && w == 16 && nr == 16 {
			for p := 0; p < kc; p++ {
				*(*[16]float32)(dst[p*16:]) = *(*[16]float32)(b[(pc+p)*ldb+j0:])
			}
			continue
		}
		if !j.tB {
			for p := 0; p < kc; p++ {
				row := b[(pc+p)*ldb+j0 : (pc+p)*ldb+j0+w]
				d := dst[p*nr : p*nr+nr]
				copy(d, row)
				clear(d[w:])
			}
			continue
		}
		if w == nr && packTransposed(j.path, kc, b[j0*ldb+pc:], ldb, dst) {
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

// packA copies alpha·op(A)[i0:i0+mr][pc:pc+kc] into ap (zero beyond m). Without tA
// the panel is row-major with row stride kcBlock (ap[ii*kcBlock+p]: plain row copies);
// with tA it is p-major (ap[p*mr+ii]: copies of A's rows).
func (j *gemmJob) packA(i0 int, ap []float32) {
	mr, kc, pc, a, lda, alpha := j.g.mr, j.kc, j.pc, j.a, j.lda, j.alpha
	h := min(mr, j.m-i0)
	if !j.tA {
		for ii := 0; ii < mr; ii++ {
			d := ap[ii*kcBlock : ii*kcBlock+kc]
			if ii >= h {
				clear(d)
				continue
			}
			row := a[(i0+ii)*lda+pc : (i0+ii)*lda+pc+kc]
			if alpha == 1 {
				copy(d, row)
				continue
			}
			for p := scaleVec(d, row, alpha); p < kc; p++ {
				d[p] = alpha * row[p]
			}
		}
		return
	}
	if alpha == 1 && h == mr && packStrided(j.path, kc, mr, a[pc*lda+i0:], lda, ap) {
		return // the hot case: one AVX-512 copy loop, no memmove call per k-step
	}
	if alpha == 1 && h == mr && mr == 6 {
		for p := 0; p < kc; p++ {
			*(*[6]float32)(ap[p*6:]) = *(*[6]float32)(a[(pc+p)*lda+i0:])
		}
		return
	}
	for p := 0; p < kc; p++ {
		row := a[(pc+p)*lda+i0 : (pc+p)*lda+i0+h]
		d := ap[p*mr : p*mr+mr]
		if alpha == 1 {
			copy(d, row)
		} else {
			for ii, v := range row {
				d[ii] = alpha * v
			}
		}
		clear(d[h:])
	}
}

// rows runs the micro-kernels for row panels p0..p1 and column panels jp0..jp1 of the
// current k-block. Full tiles are written straight into C; edge tiles go through a
// small buffer.
func (j *gemmJob) rows(p0, p1, jp0, jp1 int, ap []float32) {
	var tile [maxMR * maxNR]float32
	mr, nr, kc, ldc, c := j.g.mr, j.g.nr, j.kc, j.ldc, j.c
	rowA := !j.tA
	// Full panels of an unscaled A are read in place by the AVX-512 kernels (rows of A,
	// or contiguous segments of Aᵀ's rows when tA).
	direct := j.alpha == 1 && directA(j.path, j.lda)
	if j.tA {
		direct = j.alpha == 1 && directA(j.path, 1)
	}
	for ip := p0; ip < p1; ip++ {
		i0 := ip * mr
		h := min(mr, j.m-i0)
		inPlace := direct && h == mr
		if !inPlace {
			j.packA(i0, ap)
		}
		for jp := jp0; jp < jp1; jp++ {
			j0 := jp * nr
			w := min(nr, j.n-j0)
			bp := j.bp[jp*j.bstride : jp*j.bstride+kc*nr]
			if h == mr && w == nr {
				if inPlace && rowA {
					runKernelDirect(kc, j.a[i0*j.lda+j.pc:], j.lda, bp, c[i0*ldc+j0:], ldc, j.storeTile)
					continue
				}
				if inPlace {
					runKernelDirectT(kc, j.a[j.pc*j.lda+i0:], j.lda, bp, c[i0*ldc+j0:], ldc, j.storeTile)
					continue
				}
				runKernel(j.path, rowA, kc, ap, bp, c[i0*ldc+j0:], ldc, j.storeTile)
				continue
			}
			if inPlace { // edge column panel of a full row panel: pack once, then as usual
				j.packA(i0, ap)
				inPlace = false
			}
			runKernel(j.path, rowA, kc, ap, bp, tile[:], nr, true)
			for ii := 0; ii < h; ii++ {
				crow := c[(i0+ii)*ldc+j0 : (i0+ii)*ldc+j0+w]
				trow := tile[ii*nr : ii*nr+w]
				if j.storeTile {
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

// kernelGo is the portable 6×16 micro-kernel: C[i][j] (=|+=) Σ_p op(A)[i,p]·B[p,j] over
// one k-block, the sum starting from zero (stored when store, else added to C). Packed A
// is row-major with stride kcBlock when rowA, else p-major; packed B is bp[p*16+j].
func kernelGo(rowA bool, kc int, ap, bp, c []float32, ldc int, store bool) {
	const mr, nr = 6, 16
	var acc [mr * nr]float32
	for p := 0; p < kc; p++ {
		b := bp[p*nr : p*nr+nr : p*nr+nr]
		for ii := 0; ii < mr; ii++ {
			var av float32
			if rowA {
				av = ap[ii*kcBlock+p]
			} else {
				av = ap[p*mr+ii]
			}
			t := acc[ii*nr : ii*nr+nr : ii*nr+nr]
			for jj := range t {
				t[jj] += av * b[jj]
			}
		}
	}
	for ii := 0; ii < mr; ii++ {
		crow := c[ii*ldc : ii*ldc+nr]
		t := acc[ii*nr : ii*nr+nr]
		if store {
			copy(crow, t)
			continue
		}
		for jj, v := range t {
			crow[jj] += v
		}
	}
}
