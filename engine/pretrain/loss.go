package pretrain

import "math"

// The list losses of crop and bm25. Scores come in groups: group g is sizes[g]
// consecutive entries (one query's candidates). Both return the mean over groups and
// dLoss/dscore for every entry.

// logSoftmax writes log softmax(x/scale) into out (max-shifted, float64).
func logSoftmax(x []float64, scale float64, out []float64) {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, v/scale)
	}
	sum := 0.0
	for _, v := range x {
		sum += math.Exp(v/scale - m)
	}
	lse := m + math.Log(sum)
	for i, v := range x {
		out[i] = v/scale - lse
	}
}

// infoNCE is −log softmax(s/τ)[0] per group (the first entry is the positive), averaged
// over groups; pPos is the mean probability of the positive, pNeg the mean probability of
// a negative.
func infoNCE(scores []float64, sizes []int, tau float64) (loss float64, dS []float64, pPos, pNeg float64) {
	dS = make([]float64, len(scores))
	off, nNeg := 0, 0
	g := float64(len(sizes))
	for _, n := range sizes {
		s, d := scores[off:off+n], dS[off:off+n]
		ls := make([]float64, n)
		logSoftmax(s, tau, ls)
		loss -= ls[0]
		for i := range n {
			p := math.Exp(ls[i])
			d[i] = p / tau / g
			if i == 0 {
				pPos += p
			} else {
				pNeg += p
				nNeg++
			}
		}
		d[0] -= 1 / tau / g
		off += n
	}
	if nNeg > 0 {
		pNeg /= float64(nNeg)
	}
	return loss / g, dS, pPos / g, pNeg
}

// klDistill is KL(t ‖ q) per group, t = softmax(teacher/T), q = softmax(s/τ), averaged
// over groups: Σᵢ tᵢ(log tᵢ − log qᵢ). Its gradient is (qᵢ − tᵢ)/τ per group, over the
// number of groups. top1 is the mean student probability of the teacher's best entry.
func klDistill(teacher, scores []float64, sizes []int, T, tau float64) (loss float64, dS []float64, top1 float64) {
	dS = make([]float64, len(scores))
	off := 0
	g := float64(len(sizes))
	for _, n := range sizes {
		lt, lq := make([]float64, n), make([]float64, n)
		logSoftmax(teacher[off:off+n], T, lt)
		logSoftmax(scores[off:off+n], tau, lq)
		best := 0
		for i := range n {
			t := math.Exp(lt[i])
			if t > 0 {
				loss += t * (lt[i] - lq[i])
			}
			dS[off+i] = (math.Exp(lq[i]) - t) / tau / g
			if teacher[off+i] > teacher[off+best] {
				best = i
			}
		}
		top1 += math.Exp(lq[best])
		off += n
	}
	return loss / g, dS, top1 / g
}
