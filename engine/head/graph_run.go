package head

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Result is what one Graph.Run computes.
type Result struct {
	Total   float64            // Σ weight·term
	Terms   map[string]float64 // each term unweighted
	Scores  []float64          // raw scores, B×C
	DQ, DP  []float32          // ∂Total/∂Q (B×D) and ∂Total/∂P (M×D)
	PosProb float64            // mean Prob of the positives
	NegProb float64            // mean Prob of the valid negatives
}

// Structure is the candidate layout the graph was built for.
func (gr *Graph) Structure() Structure { return gr.st }

// Close releases the tape machine.
func (gr *Graph) Close() error { return gr.vm.Close() }

// Run computes the losses for query vectors q (B×D) and passage vectors p (M×D).
// valid (B×C, nil = all) marks usable candidates; column 0 must be valid. Masked
// candidates drop out of the softmax and of dyn. The head's gradients are ADDED to
// its Params' G; ∂Total/∂Q and ∂Total/∂P are returned in Result.
func (gr *Graph) Run(q, p []float32, valid []bool) (*Result, error) {
	return gr.RunPrior(q, p, valid, nil)
}

// RunPrior is Run with a fixed additive prior on the softmax logits of InfoNCE and
// ModInfoNCE: ℓ_ij = S_ij/τ + prior_ij (+ the mask). prior (B×C, nil = none) is not
// learned and gets no gradient; the other terms (dyn, reg, std) and the scores returned
// do not see it. It is how a dense model learns the residual of a lexical retriever
// (CLEAR, Gao et al. 2021): with prior = λ·BM25, the softmax is over the hybrid score,
// so the encoders only learn what BM25 gets wrong.
func (gr *Graph) RunPrior(q, p []float32, valid []bool, prior []float64) (*Result, error) {
	hd, st := gr.hd, gr.st
	b, c := st.B, st.C
	if len(q) != len(gr.qBuf) || len(p) != len(gr.pBuf) {
		return nil, fmt.Errorf("head: got Q with %d and P with %d values, want %d and %d", len(q), len(p), len(gr.qBuf), len(gr.pBuf))
	}
	if valid != nil && len(valid) != b*c {
		return nil, fmt.Errorf("head: validity mask has %d entries, want %d", len(valid), b*c)
	}
	f64(gr.qBuf, q)
	f64(gr.pBuf, p)
	nNeg := 0
	for i := range b {
		if valid != nil && !valid[i*c] {
			return nil, fmt.Errorf("head: query %d's positive is masked out", i)
		}
		for j := 1; j < c; j++ {
			if valid == nil || valid[i*c+j] {
				nNeg++
			}
		}
	}
	if prior != nil && len(prior) != b*c {
		return nil, fmt.Errorf("head: prior has %d entries, want %d", len(prior), b*c)
	}
	for i, v := range prior {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("head: prior entry %d (query %d, candidate %d) is %v", i, i/c, i%c, v)
		}
	}
	softmaxMask(valid, gr.mBuf) // InfoNCE, ModInfoNCE (infonce.go)
	for i, v := range prior {
		gr.mBuf[i] += v
	}
	dynNegWeights(valid, c, gr.nBuf)            // Dyn (dyn.go)
	stdNegWeights(valid, c, gr.saBuf, gr.suBuf) // Std (regstd.go)
	lets := []struct {
		n   *G.Node
		val *tensor.Dense
	}{
		{gr.q, dense(gr.qBuf, b, hd.D)},
		{gr.p, dense(gr.pBuf, st.M, hd.D)},
		{gr.mask, dense(gr.mBuf, b, c)},
	}
	if gr.negW != nil {
		lets = append(lets, struct {
			n   *G.Node
			val *tensor.Dense
		}{gr.negW, dense(gr.nBuf, b, c)})
	}
	if gr.stdNegA != nil {
		lets = append(lets, struct {
			n   *G.Node
			val *tensor.Dense
		}{gr.stdNegA, dense(gr.saBuf, b, c)}, struct {
			n   *G.Node
			val *tensor.Dense
		}{gr.stdNegU, dense(gr.suBuf, b, c)})
	}
	for _, t := range gr.ties {
		t.fill()
		lets = append(lets, struct {
			n   *G.Node
			val *tensor.Dense
		}{t.node, dense(t.buf, t.shape...)})
	}
	for _, l := range lets {
		if err := G.Let(l.n, l.val); err != nil {
			return nil, fmt.Errorf("head: binding %s: %w", l.n.Name(), err)
		}
	}
	defer gr.vm.Reset()
	if err := gr.vm.RunAll(); err != nil {
		return nil, fmt.Errorf("head: running graph: %w", err)
	}

	res := &Result{Terms: map[string]float64{}}
	var err error
	if res.Total, err = gr.scalar(gr.total); err != nil {
		return nil, err
	}
	for _, name := range gr.weights.Names() {
		res.Terms[string(name)] = 0 // reg on dot/cos is not in the graph
		if t := gr.terms[name]; t != nil {
			if res.Terms[string(name)], err = gr.scalar(t); err != nil {
				return nil, err
			}
		}
	}
	if res.Scores, err = gr.values(gr.scores); err != nil {
		return nil, err
	}
	var posSum, negSum float64
	for i := range b {
		posSum += hd.Prob(res.Scores[i*c])
		for j := 1; j < c; j++ {
			if valid == nil || valid[i*c+j] {
				negSum += hd.Prob(res.Scores[i*c+j])
			}
		}
	}
	res.PosProb = posSum / float64(b)
	if nNeg > 0 {
		res.NegProb = negSum / float64(nNeg)
	}

	for k, node := range gr.wrt {
		gv, err := gr.values(gr.grads[k])
		if err != nil {
			return nil, fmt.Errorf("head: gradient of %s: %w", node.Name(), err)
		}
		switch node {
		case gr.q:
			res.DQ = f32(gv)
		case gr.p:
			res.DP = f32(gv)
		default:
			for _, t := range gr.ties {
				if t.node == node {
					t.reduce(gv)
				}
			}
		}
	}
	return res, nil
}

func dense(x []float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(x))
}

// f64 converts src into dst (allocated when nil) and returns it.
func f64(dst []float64, src []float32) []float64 {
	if dst == nil {
		dst = make([]float64, len(src))
	}
	for i, v := range src {
		dst[i] = float64(v)
	}
	return dst
}

func f32(src []float64) []float32 {
	out := make([]float32, len(src))
	for i, v := range src {
		out[i] = float32(v)
	}
	return out
}

func addTo(dst []float32, src []float64) {
	for i, v := range src {
		dst[i] += float32(v)
	}
}

func (gr *Graph) scalar(n *G.Node) (float64, error) {
	vs, err := gr.values(n)
	if err != nil {
		return 0, err
	}
	if len(vs) != 1 {
		return 0, fmt.Errorf("head: node %s holds %d values, want 1", n.Name(), len(vs))
	}
	return vs[0], nil
}

// values returns the copy a Read node took of n during the last run.
func (gr *Graph) values(n *G.Node) ([]float64, error) {
	r, ok := gr.reads[n]
	if !ok || *r == nil {
		return nil, fmt.Errorf("head: node %s was not read", n.Name())
	}
	return valueData(*r, n.Name())
}

func valueData(v G.Value, name string) ([]float64, error) {
	switch d := v.Data().(type) {
	case float64:
		return []float64{d}, nil
	case []float64:
		return append([]float64(nil), d...), nil
	}
	return nil, fmt.Errorf("head: node %s holds %T, want float64 data", name, v.Data())
}
