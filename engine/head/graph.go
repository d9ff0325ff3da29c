package head

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// This file builds the training graph: inputs, head parameters tied into gorgonia's
// layout, the scores S (B×C) and, through addLosses (loss.go), the weighted loss and its
// gradients. graph_run.go binds values and runs it.

// Graph is a compiled scoring + loss graph for one Structure. It is built once and
// run many times; each Run rebinds Q, P, the mask and the head's current weights with
// gorgonia.Let and resets the tape machine. Gradients are read from the symbolic
// gradient nodes (fresh every run, nothing accumulates inside gorgonia) and added to
// the head's Param.G. A Graph is not safe for concurrent use.
//
// gorgonia notes (v0.9.18). The graph works around gorgonia bugs; each note names the
// test that checks the workaround, and says whether swapping the plain op back in makes
// that test fail (re-checked when this package was split, one swap at a time):
//   - InverseSqrt's gradient is wrong: cos uses exp(−½·log x). Proved: with
//     InverseSqrt, TestGradientsFiniteDifferences/cos/* fails (analytic ∂Q off by 4×).
//   - Layouts ("ties"): the graph uses only matrix×matrix products and same-shape
//     element-wise ops — a bias or v enters as a matrix of repeated rows, c and log τ as
//     filled tensors, W as Wᵀ (d×h) — and reduces each tied input's gradient back
//     (column sums, total sum, transpose). They were written against wrong gradients of
//     scalar⊗tensor broadcasts, matrix×vector products and transposes.
//     TestGradientsFiniteDifferences checks every head parameter for every head, layout
//     and loss. Not reproduced: BroadcastAdd for b_q, Mul(matrix, vector) for v,
//     Transpose for W_q and a scalar c, each swapped in alone, pass that test.
//   - 1×n matrices are treated as vectors, so NewGraph refuses B, D or H < 2
//     (TestGraphErrors checks the refusal). Not reproduced: a B = 1 graph runs.
//   - Values are read through Read nodes because the tape machine reuses intermediate
//     registers. TestGraphReuse and TestTermsMatchSingleTermGraphs check the values read.
//     Not reproduced: reading Node.Value() directly passes both.
//   - The softmax losses use LogSoftMax: a hand-built max-shifted log-sum-exp hit
//     gradient bugs in Max. TestLossGradientsByHand checks LogSoftMax's gradient against
//     hand-worked values (the Max version was not re-tried). LogSoftMax itself overflows
//     when a row's first entry is far above the rest (its row max starts at the matrix's
//     first element): logPPos shifts each row by its column 0 first. Reproduced:
//     TestInfoNCELargeLogits gives NaN without the shift.
type Graph struct {
	hd       *Head
	st       Structure
	weights  Weights
	learnTau bool

	g                *G.ExprGraph
	q, p, mask, negW *G.Node
	ties             []*tie
	scores           *G.Node
	terms            map[LossName]*G.Node
	regW             []*G.Node // reg's weights (ARS only)
	scaledNode       *G.Node   // S/τ, see scaled
	total            *G.Node
	wrt              []*G.Node
	grads            []*G.Node
	vm               G.VM
	reads            map[*G.Node]*G.Value
	qBuf, pBuf       []float64
	mBuf, nBuf       []float64
	stdNegA, stdNegU *G.Node // std's negative weights (regstd.go), nil without std
	saBuf, suBuf     []float64
}

// tie binds one head parameter to a graph input of another layout.
type tie struct {
	node   *G.Node
	w, g   []float32 // the head's weights and gradient
	shape  []int
	buf    []float64
	layout int
	rows   int // layoutRows / layoutFill: copies
	learn  bool
}

const (
	layoutPlain     = iota // same layout
	layoutTranspose        // w is h×d, node is d×h
	layoutRows             // w is a vector, node repeats it as rows×len(w)
	layoutFill             // w is one value, node is filled with it
)

func (t *tie) fill() {
	switch t.layout {
	case layoutPlain:
		f64(t.buf, t.w)
	case layoutTranspose:
		h, d := t.shape[1], t.shape[0]
		for i := range h {
			for j := range d {
				t.buf[j*h+i] = float64(t.w[i*d+j])
			}
		}
	case layoutRows:
		n := len(t.w)
		for r := range t.rows {
			f64(t.buf[r*n:(r+1)*n], t.w)
		}
	case layoutFill:
		for i := range t.buf {
			t.buf[i] = float64(t.w[0])
		}
	}
}

func (t *tie) reduce(grad []float64) {
	switch t.layout {
	case layoutPlain:
		addTo(t.g, grad)
	case layoutTranspose:
		h, d := t.shape[1], t.shape[0]
		for i := range h {
			for j := range d {
				t.g[i*d+j] += float32(grad[j*h+i])
			}
		}
	case layoutRows:
		n := len(t.w)
		for r := range t.rows {
			addTo(t.g, grad[r*n:(r+1)*n])
		}
	case layoutFill:
		var s float64
		for _, v := range grad {
			s += v
		}
		t.g[0] += float32(s)
	}
}

// NewGraph builds the graph for st with the given loss weights. With learnTau, log τ
// gets a gradient (when a term uses τ). B, D and (for ARS) H must be at least 2:
// gorgonia treats 1×n matrices as vectors.
func (hd *Head) NewGraph(st Structure, losses Weights, learnTau bool) (*Graph, error) {
	if err := st.validate(); err != nil {
		return nil, err
	}
	if st.B < 2 || hd.D < 2 || (hd.Kind == ARS && hd.H < 2) {
		return nil, fmt.Errorf("head: graph needs B, D and H ≥ 2 (got B=%d D=%d H=%d)", st.B, hd.D, hd.H)
	}
	if losses.w == nil {
		return nil, errors.New("head: no loss weights (build them with NewWeights or ParseWeights)")
	}
	gr := &Graph{hd: hd, st: st, weights: losses, learnTau: learnTau, terms: map[LossName]*G.Node{}}
	if err := gr.build(); err != nil {
		return nil, fmt.Errorf("head: building %s graph: %w", st.Kind, err)
	}
	return gr, nil
}

func (gr *Graph) newTie(name string, w, g []float32, layout, rows int, learn bool, shape ...int) *G.Node {
	var n *G.Node
	if len(shape) == 1 {
		n = G.NewVector(gr.g, G.Float64, G.WithShape(shape...), G.WithName(name))
	} else {
		n = G.NewMatrix(gr.g, G.Float64, G.WithShape(shape...), G.WithName(name))
	}
	size := 1
	for _, s := range shape {
		size *= s
	}
	gr.ties = append(gr.ties, &tie{node: n, w: w, g: g, shape: shape, buf: make([]float64, size), layout: layout, rows: rows, learn: learn})
	return n
}

func (gr *Graph) build() error {
	hd, st := gr.hd, gr.st
	b, c, m, d := st.B, st.C, st.M, hd.D
	n := b * c
	g := G.NewGraph()
	gr.g = g
	gr.q = G.NewMatrix(g, G.Float64, G.WithShape(b, d), G.WithName("Q"))
	gr.p = G.NewMatrix(g, G.Float64, G.WithShape(m, d), G.WithName("P"))
	gr.mask = G.NewMatrix(g, G.Float64, G.WithShape(b, c), G.WithName("mask"))
	gr.qBuf, gr.pBuf = make([]float64, b*d), make([]float64, m*d)
	gr.mBuf, gr.nBuf = make([]float64, b*c), make([]float64, b*c)
	gr.saBuf, gr.suBuf = make([]float64, b*c), make([]float64, b*c)

	// Selection matrices: Qe = Eq·X (row r = query r/C), Pe = Ep·Y (row r = Cand[r]).
	eq := make([]float64, n*b)
	for r := range n {
		eq[r*b+r/c] = 1
	}
	eqN := G.NewConstant(tensor.New(tensor.WithShape(n, b), tensor.WithBacking(eq)), G.WithName("Eq"))
	var epN *G.Node
	if !st.identity() {
		ep := make([]float64, n*m)
		for r, row := range st.Cand {
			ep[r*m+row] = 1
		}
		epN = G.NewConstant(tensor.New(tensor.WithShape(n, m), tensor.WithBacking(ep)), G.WithName("Ep"))
	}
	gather := func(sel, x *G.Node) (*G.Node, error) {
		if sel == nil {
			return x, nil
		}
		return G.Mul(sel, x)
	}

	var s *G.Node // raw scores, length n
	var err error
	switch hd.Kind {
	case ARS:
		h := hd.H
		wqT := gr.newTie("WqT", hd.Wq, hd.gWq, layoutTranspose, 0, true, d, h)
		wpT := gr.newTie("WpT", hd.Wp, hd.gWp, layoutTranspose, 0, true, d, h)
		bq := gr.newTie("Bq", hd.Bq, hd.gBq, layoutRows, b, true, b, h)
		bp := gr.newTie("Bp", hd.Bp, hd.gBp, layoutRows, m, true, m, h)
		vr := gr.newTie("V", hd.V, hd.gV, layoutRows, n, true, n, h)
		cr := gr.newTie("c", hd.C, hd.gC, layoutFill, n, true, n)
		if gr.weights.Has(Reg) {
			gr.regW = []*G.Node{wqT, wpT, gr.newTie("v", hd.V, hd.gV, layoutPlain, 0, true, h)}
		}
		proj := func(x, wt, bias *G.Node) (*G.Node, error) {
			xw, err := G.Mul(x, wt)
			if err != nil {
				return nil, err
			}
			return G.Add(xw, bias)
		}
		qp, err := proj(gr.q, wqT, bq)
		if err != nil {
			return fmt.Errorf("query projection: %w", err)
		}
		pp, err := proj(gr.p, wpT, bp)
		if err != nil {
			return fmt.Errorf("passage projection: %w", err)
		}
		qe, err := gather(eqN, qp)
		if err != nil {
			return err
		}
		pe, err := gather(epN, pp)
		if err != nil {
			return err
		}
		prod, err := G.HadamardProd(qe, pe)
		if err != nil {
			return err
		}
		t, err := G.Tanh(prod)
		if err != nil {
			return err
		}
		tv, err := rowDot(t, vr)
		if err != nil {
			return err
		}
		if s, err = G.Add(tv, cr); err != nil {
			return err
		}
	case Dot, Cos:
		qe, err := gather(eqN, gr.q)
		if err != nil {
			return err
		}
		pe, err := gather(epN, gr.p)
		if err != nil {
			return err
		}
		if s, err = rowDot(qe, pe); err != nil {
			return err
		}
		if hd.Kind == Cos {
			// cos = q·p / sqrt((‖q‖² + ε)(‖p‖² + ε)).
			nq, err := rowSumSq(qe)
			if err != nil {
				return err
			}
			np, err := rowSumSq(pe)
			if err != nil {
				return err
			}
			den, err := G.HadamardProd(nq, np)
			if err != nil {
				return err
			}
			// x^(−1/2) as exp(−½·log x): gorgonia's InverseSqrt gradient is wrong
			// (with it, TestGradientsFiniteDifferences/cos/* fails).
			ld, err := G.Log(den)
			if err != nil {
				return err
			}
			half := G.NewConstant(tensor.New(tensor.WithShape(n), tensor.WithBacking(filled(n, -0.5))), G.WithName(fmt.Sprintf("minusHalf%d", n)))
			hl, err := G.HadamardProd(ld, half)
			if err != nil {
				return err
			}
			inv, err := G.Exp(hl)
			if err != nil {
				return err
			}
			if s, err = G.HadamardProd(s, inv); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unknown head kind %q", hd.Kind)
	}
	if gr.scores, err = G.Reshape(s, tensor.Shape{b, c}); err != nil {
		return fmt.Errorf("reshape scores: %w", err)
	}

	if err := gr.addLosses(); err != nil {
		return err
	}
	gr.wrt = []*G.Node{gr.q, gr.p}
	for _, t := range gr.ties {
		if t.learn {
			gr.wrt = append(gr.wrt, t.node)
		}
	}
	if gr.grads, err = G.Grad(gr.total, gr.wrt...); err != nil {
		return fmt.Errorf("gradients: %w", err)
	}
	// Every value read after a run goes through a Read node (copied when the instruction
	// executes): the tape machine reuses intermediate registers (gorgonia notes on Graph;
	// TestGraphReuse, TestTermsMatchSingleTermGraphs).
	gr.reads = map[*G.Node]*G.Value{}
	watch := append([]*G.Node{gr.scores, gr.total}, gr.grads...)
	for _, t := range gr.terms {
		watch = append(watch, t)
	}
	for _, n := range watch {
		if _, ok := gr.reads[n]; !ok {
			v := new(G.Value)
			gr.reads[n] = v
			G.Read(n, v)
		}
	}
	gr.vm = G.NewTapeMachine(g)
	return nil
}

func rowDot(a, b *G.Node) (*G.Node, error) {
	p, err := G.HadamardProd(a, b)
	if err != nil {
		return nil, err
	}
	return G.Sum(p, 1)
}

// rowSumSq is ‖a_r‖² + ε per row.
func rowSumSq(a *G.Node) (*G.Node, error) {
	sq, err := G.Square(a)
	if err != nil {
		return nil, err
	}
	ss, err := G.Sum(sq, 1)
	if err != nil {
		return nil, err
	}
	n := ss.Shape().TotalSize()
	eps := G.NewConstant(tensor.New(tensor.WithShape(n), tensor.WithBacking(filled(n, cosEps))), G.WithName(fmt.Sprintf("cosEps%d", n)))
	return G.Add(ss, eps)
}
