package pretrain

import (
	"fmt"
	"math"

	"github.com/arslab/arslab/engine/head"
)

// The dense student's scores for the contrastive objectives: the head's formula
// (engine/head/kernel.go) on listed (query, passage) pairs, differentiated by hand so a
// loss of any shape (in-batch InfoNCE, KL over a teacher's list) can train it:
//
//	dot: s = q·p     cos: s = q̂·p̂, x̂ = x/√(‖x‖²+1e-12)
//	ars: s = c + Σᵢ vᵢ·tanh(aᵢbᵢ),  a = W_q q + b_q,  b = W_p p + b_p
//
// Sums are in float64 (exact tanh, not the kernel's FastTanh): training precision, the
// kernel's ranking follows within float32 rounding.

// cosEps is the kernel's: a zero vector keeps a finite norm.
const cosEps = 1e-12

// Pair is one scored (query row, passage row).
type Pair struct{ Q, P int }

// scorer holds one batch's projected vectors for the backward pass.
type scorer struct {
	hd     *head.Head
	d      int
	q, p   []float32 // encoder vectors (nq×D, np×D)
	a, b   []float64 // projections: ARS a/b (×H), cos unit vectors (×D), dot: the vectors (×D)
	nq, np int
	norms  []float64 // cos: ‖q‖ then ‖p‖ (with eps)
	pairs  []Pair
	tanhs  []float64 // ARS: tanh(aᵢbᵢ) per pair (×H)
}

// newScorer projects q (nq×D) and p (np×D) through hd.
func newScorer(hd *head.Head, q, p []float32) (*scorer, error) {
	d := hd.D
	if len(q)%d != 0 || len(p)%d != 0 || len(q) == 0 || len(p) == 0 {
		return nil, fmt.Errorf("pretrain: score: %d and %d values are not rows of %d", len(q), len(p), d)
	}
	s := &scorer{hd: hd, d: d, q: q, p: p, nq: len(q) / d, np: len(p) / d}
	switch hd.Kind {
	case head.ARS:
		s.a = project(q, hd.Wq, hd.Bq, d, hd.H)
		s.b = project(p, hd.Wp, hd.Bp, d, hd.H)
	case head.Dot:
		s.a, s.b = widen(q), widen(p)
	case head.Cos:
		s.a, s.b = widen(q), widen(p)
		s.norms = append(normalise(s.a, d), normalise(s.b, d)...)
	default:
		return nil, fmt.Errorf("pretrain: score: head %q", hd.Kind)
	}
	return s, nil
}

func widen(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// project returns W x + b per row (W is h×d row-major).
func project(x, w, b []float32, d, h int) []float64 {
	n := len(x) / d
	out := make([]float64, n*h)
	for r := range n {
		xr := x[r*d : (r+1)*d]
		for i := range h {
			wi := w[i*d : (i+1)*d]
			s := float64(b[i])
			for j, v := range xr {
				s += float64(wi[j]) * float64(v)
			}
			out[r*h+i] = s
		}
	}
	return out
}

// normalise scales each row of x (×d) to unit length in place and returns the norms used.
func normalise(x []float64, d int) []float64 {
	n := len(x) / d
	norms := make([]float64, n)
	for r := range n {
		row := x[r*d : (r+1)*d]
		ss := 0.0
		for _, v := range row {
			ss += v * v
		}
		nr := math.Sqrt(ss + cosEps)
		norms[r] = nr
		for j := range row {
			row[j] /= nr
		}
	}
	return norms
}

// dim is the width of a projected row.
func (s *scorer) dim() int {
	if s.hd.Kind == head.ARS {
		return s.hd.H
	}
	return s.d
}

// scores returns s for every pair (and remembers the pairs for back).
func (s *scorer) scores(pairs []Pair) []float64 {
	s.pairs = pairs
	k := s.dim()
	out := make([]float64, len(pairs))
	if s.hd.Kind == head.ARS {
		s.tanhs = make([]float64, len(pairs)*k)
	}
	for n, pr := range pairs {
		a, b := s.a[pr.Q*k:(pr.Q+1)*k], s.b[pr.P*k:(pr.P+1)*k]
		sum := 0.0
		if s.hd.Kind == head.ARS {
			t := s.tanhs[n*k : (n+1)*k]
			for i := range k {
				t[i] = math.Tanh(a[i] * b[i])
				sum += float64(s.hd.V[i]) * t[i]
			}
			sum += float64(s.hd.C[0])
		} else {
			for i := range k {
				sum += a[i] * b[i]
			}
		}
		out[n] = sum
	}
	return out
}

// back takes dLoss/ds per pair (as scores' pairs), ADDS the head's parameter gradients
// to its Params' G and returns dLoss/dq (nq×D) and dLoss/dp (np×D).
func (s *scorer) back(ds []float64) (dq, dp []float32) {
	k, d := s.dim(), s.d
	da, db := make([]float64, s.nq*k), make([]float64, s.np*k)
	var gv []float64
	gc := 0.0
	if s.hd.Kind == head.ARS {
		gv = make([]float64, k)
	}
	for n, pr := range s.pairs {
		g := ds[n]
		if g == 0 {
			continue
		}
		a, b := s.a[pr.Q*k:(pr.Q+1)*k], s.b[pr.P*k:(pr.P+1)*k]
		dar, dbr := da[pr.Q*k:(pr.Q+1)*k], db[pr.P*k:(pr.P+1)*k]
		if s.hd.Kind == head.ARS {
			t := s.tanhs[n*k : (n+1)*k]
			gc += g
			for i := range k {
				gv[i] += g * t[i]
				dz := g * float64(s.hd.V[i]) * (1 - t[i]*t[i])
				dar[i] += dz * b[i]
				dbr[i] += dz * a[i]
			}
		} else {
			for i := range k {
				dar[i] += g * b[i]
				dbr[i] += g * a[i]
			}
		}
	}
	switch s.hd.Kind {
	case head.Dot:
		return narrow(da), narrow(db)
	case head.Cos:
		return narrow(unnormBack(s.a, da, s.norms[:s.nq], d)), narrow(unnormBack(s.b, db, s.norms[s.nq:], d))
	}
	// ARS: a = W_q q + b_q, b = W_p p + b_p; parameters' G by name
	ps := map[string][]float32{}
	for _, p := range s.hd.Params() {
		ps[p.Name] = p.G
	}
	addF(ps["head.v"], gv)
	ps["head.c"][0] += float32(gc)
	dq = projBack(s.q, da, s.hd.Wq, ps["head.w_q"], ps["head.b_q"], d, k)
	dp = projBack(s.p, db, s.hd.Wp, ps["head.w_p"], ps["head.b_p"], d, k)
	return dq, dp
}

// unnormBack maps dLoss/dx̂ to dLoss/dx for x̂ = x/‖x‖: (dx̂ − x̂(x̂·dx̂))/‖x‖.
func unnormBack(xhat, dxhat, norms []float64, d int) []float64 {
	out := make([]float64, len(dxhat))
	for r := range norms {
		xh, g, o := xhat[r*d:(r+1)*d], dxhat[r*d:(r+1)*d], out[r*d:(r+1)*d]
		dot := 0.0
		for j := range xh {
			dot += xh[j] * g[j]
		}
		for j := range xh {
			o[j] = (g[j] - xh[j]*dot) / norms[r]
		}
	}
	return out
}

// projBack adds dW += daᵀx, db += Σ da and returns dx = da·W for a = W x + b.
func projBack(x []float32, da []float64, w, gw, gb []float32, d, h int) []float32 {
	n := len(x) / d
	dx := make([]float32, n*d)
	gW := make([]float64, h*d)
	gB := make([]float64, h)
	for r := range n {
		xr, dar, dxr := x[r*d:(r+1)*d], da[r*h:(r+1)*h], dx[r*d:(r+1)*d]
		acc := make([]float64, d)
		for i, g := range dar {
			if g == 0 {
				continue
			}
			gB[i] += g
			wi, gwi := w[i*d:(i+1)*d], gW[i*d:(i+1)*d]
			for j := range d {
				gwi[j] += g * float64(xr[j])
				acc[j] += g * float64(wi[j])
			}
		}
		for j, v := range acc {
			dxr[j] = float32(v)
		}
	}
	addF(gw, gW)
	addF(gb, gB)
	return dx
}

func narrow(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

func addF(dst []float32, src []float64) {
	for i, v := range src {
		dst[i] += float32(v)
	}
}
