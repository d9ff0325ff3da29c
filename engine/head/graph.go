package head

import (
	"errors"
	"fmt"
	"math"
	"sort"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Structure fixes which passage rows each query is scored against. P has M rows;
// query i is scored against rows Cand[i*C : (i+1)*C], the first being its positive.
type Structure struct {
	Kind    string // "hard", "inbatch" or "both"
	B, C, M int
	Cand    []int
}

// HardStructure: query i owns P rows i(1+k) … i(1+k)+k, positive first; S is B×(1+k).
func HardStructure(b, k int) Structure {
	c := 1 + k
	st := Structure{Kind: "hard", B: b, C: c, M: b * c, Cand: make([]int, b*c)}
	for r := range st.Cand {
		st.Cand[r] = r
	}
	return st
}

// InBatchStructure: P holds the B positives; query i's candidates are row i then the
// other queries' positives in order; S is B×B.
func InBatchStructure(b int) Structure {
	st := Structure{Kind: "inbatch", B: b, C: b, M: b, Cand: make([]int, 0, b*b)}
	for i := range b {
		st.Cand = append(st.Cand, i)
		for j := range b {
			if j != i {
				st.Cand = append(st.Cand, j)
			}
		}
	}
	return st
}

// BothStructure: P holds the B positives (rows 0…B−1) then every query's k hard
// negatives (query i's at B+i·k … B+i·k+k−1). Every query is scored against all
// M = B + B·k rows, DPR style: its own positive first, the other positives, then all
// B·k hard negatives of the batch (its own and the other queries'); S is B×(B+B·k).
func BothStructure(b, k int) Structure {
	m := b + b*k
	st := Structure{Kind: "both", B: b, C: m, M: m, Cand: make([]int, 0, b*m)}
	for i := range b {
		st.Cand = append(st.Cand, i)
		for j := range m {
			if j != i {
				st.Cand = append(st.Cand, j)
			}
		}
	}
	return st
}

func (st Structure) validate() error {
	if st.B < 1 || st.C < 2 || st.M < 1 {
		return fmt.Errorf("head: structure needs B ≥ 1, C ≥ 2, M ≥ 1 (got B=%d C=%d M=%d)", st.B, st.C, st.M)
	}
	if len(st.Cand) != st.B*st.C {
		return fmt.Errorf("head: structure lists %d candidates, want B·C = %d", len(st.Cand), st.B*st.C)
	}
	for _, r := range st.Cand {
		if r < 0 || r >= st.M {
			return fmt.Errorf("head: candidate row %d outside P's %d rows", r, st.M)
		}
	}
	return nil
}

func (st Structure) identity() bool {
	if st.M != len(st.Cand) {
		return false
	}
	for i, r := range st.Cand {
		if r != i {
			return false
		}
	}
	return true
}

// maskedLogit is added to the logit of a masked-out candidate.
const maskedLogit = -1e9

// Result is what one Graph.Run computes.
type Result struct {
	Total   float64            // Σ weight·term
	Terms   map[string]float64 // each term unweighted
	Scores  []float64          // raw scores, B×C
	DQ, DP  []float32          // ∂Total/∂Q (B×D) and ∂Total/∂P (M×D)
	PosProb float64            // mean Prob of the positives
	NegProb float64            // mean Prob of the valid negatives
}

// Graph is a compiled scoring + loss graph for one Structure. It is built once and
// run many times; each Run rebinds Q, P, the mask and the head's current weights with
// gorgonia.Let and resets the tape machine. Gradients are read from the symbolic
// gradient nodes (fresh every run, nothing accumulates inside gorgonia) and added to
// the head's Param.G. A Graph is not safe for concurrent use.
//
// gorgonia v0.9.18 differentiates scalar⊗tensor broadcasts, matrix×vector products and
// transposes wrongly (the finite-difference tests catch it), so the graph only uses
// matrix×matrix products and same-shape element-wise ops: a bias or v enters as a
// matrix of repeated rows, c and log τ as filled tensors, W as Wᵀ (d×h). Each such
// "tied" input's gradient is reduced back (column sums, total sum, transpose).
type Graph struct {
	hd       *Head
	st       Structure
	weights  map[string]float64
	learnTau bool

	g                *G.ExprGraph
	q, p, mask, negW *G.Node
	ties             []*tie
	scores           *G.Node
	terms            map[string]*G.Node
	total            *G.Node
	wrt              []*G.Node
	grads            []*G.Node
	vm               G.VM
	reads            map[*G.Node]*G.Value
	qBuf, pBuf       []float64
	mBuf, nBuf       []float64
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

// NewGraph builds the graph for st with the given loss weights ("infonce",
// "modinfonce", "dyn", "reg"). With learnTau, log τ gets a gradient (when a term uses τ).
// B, D and (for ARS) H must be at least 2: gorgonia treats 1×n matrices as vectors.
func (hd *Head) NewGraph(st Structure, losses map[string]float64, learnTau bool) (*Graph, error) {
	if err := st.validate(); err != nil {
		return nil, err
	}
	if st.B < 2 || hd.D < 2 || (hd.Kind == ARS && hd.H < 2) {
		return nil, fmt.Errorf("head: graph needs B, D and H ≥ 2 (got B=%d D=%d H=%d)", st.B, hd.D, hd.H)
	}
	scoring := 0
	for name, w := range losses {
		switch name {
		case "infonce", "modinfonce", "dyn":
			if w != 0 {
				scoring++
			}
		case "reg":
		default:
			return nil, fmt.Errorf("head: unknown loss %q", name)
		}
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("head: loss %q has bad weight %g", name, w)
		}
	}
	if scoring == 0 {
		return nil, errors.New("head: need a non-zero infonce, modinfonce or dyn weight")
	}
	gr := &Graph{hd: hd, st: st, weights: losses, learnTau: learnTau, terms: map[string]*G.Node{}}
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
	var regW []*G.Node
	switch hd.Kind {
	case ARS:
		h := hd.H
		wqT := gr.newTie("WqT", hd.Wq, hd.gWq, layoutTranspose, 0, true, d, h)
		wpT := gr.newTie("WpT", hd.Wp, hd.gWp, layoutTranspose, 0, true, d, h)
		bq := gr.newTie("Bq", hd.Bq, hd.gBq, layoutRows, b, true, b, h)
		bp := gr.newTie("Bp", hd.Bp, hd.gBp, layoutRows, m, true, m, h)
		vr := gr.newTie("V", hd.V, hd.gV, layoutRows, n, true, n, h)
		cr := gr.newTie("c", hd.C, hd.gC, layoutFill, n, true, n)
		if _, ok := gr.weights["reg"]; ok {
			regW = []*G.Node{wqT, wpT, gr.newTie("v", hd.V, hd.gV, layoutPlain, 0, true, h)}
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
			// x^(−1/2) as exp(−½·log x): gorgonia's InverseSqrt gradient is off.
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

	var scaledNode *G.Node
	scaled := func() (*G.Node, error) {
		if scaledNode != nil {
			return scaledNode, nil
		}
		lt := gr.newTie("logTau", hd.LogTau, hd.gLogTau, layoutFill, n, gr.learnTau, b, c)
		nlt, err := G.Neg(lt)
		if err != nil {
			return nil, err
		}
		invTau, err := G.Exp(nlt)
		if err != nil {
			return nil, err
		}
		scaledNode, err = G.HadamardProd(gr.scores, invTau)
		return scaledNode, err
	}
	var total *G.Node
	addTerm := func(name string, t *G.Node) error {
		gr.terms[name] = t
		w := G.NewConstant(gr.weights[name], G.WithName("w_"+name))
		wt, err := G.HadamardProd(w, t)
		if err != nil {
			return err
		}
		if total == nil {
			total = wt
			return nil
		}
		total, err = G.Add(total, wt)
		return err
	}
	names := make([]string, 0, len(gr.weights))
	for name := range gr.weights {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		var t *G.Node
		switch name {
		case "infonce", "modinfonce":
			sc, err := scaled()
			if err != nil {
				return err
			}
			logits, err := G.Add(sc, gr.mask)
			if err != nil {
				return err
			}
			if name == "infonce" {
				t, err = InfoNCE(logits)
			} else {
				t, err = ModInfoNCE(logits)
			}
			if err != nil {
				return err
			}
		case "dyn":
			gr.negW = G.NewMatrix(g, G.Float64, G.WithShape(b, c), G.WithName("negW"))
			sc := gr.scores
			if hd.Kind == Cos {
				if sc, err = scaled(); err != nil {
					return err
				}
			}
			if t, err = Dyn(sc, gr.negW); err != nil {
				return err
			}
		case "reg":
			if regW == nil {
				continue // dot and cos have no head weights: the term is 0
			}
			if t, err = Reg(regW...); err != nil {
				return err
			}
		}
		if err := addTerm(name, t); err != nil {
			return fmt.Errorf("loss %s: %w", name, err)
		}
	}
	gr.total = total
	gr.wrt = []*G.Node{gr.q, gr.p}
	for _, t := range gr.ties {
		if t.learn {
			gr.wrt = append(gr.wrt, t.node)
		}
	}
	if gr.grads, err = G.Grad(total, gr.wrt...); err != nil {
		return fmt.Errorf("gradients: %w", err)
	}
	// Intermediate registers are reused by the tape machine, so every value read after
	// a run goes through a Read node (copied when the instruction executes).
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

// Structure is the candidate layout the graph was built for.
func (gr *Graph) Structure() Structure { return gr.st }

// Close releases the tape machine.
func (gr *Graph) Close() error { return gr.vm.Close() }

// Run computes the losses for query vectors q (B×D) and passage vectors p (M×D).
// valid (B×C, nil = all) marks usable candidates; column 0 must be valid. Masked
// candidates drop out of the softmax and of dyn. The head's gradients are ADDED to
// its Params' G; ∂Total/∂Q and ∂Total/∂P are returned in Result.
func (gr *Graph) Run(q, p []float32, valid []bool) (*Result, error) {
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
		for j := range c {
			ok := valid == nil || valid[i*c+j]
			gr.mBuf[i*c+j] = 0
			if !ok {
				gr.mBuf[i*c+j] = maskedLogit
			}
			if j > 0 && ok {
				nNeg++
			}
		}
	}
	for r := range gr.nBuf {
		gr.nBuf[r] = 0
		if r%c != 0 && gr.mBuf[r] == 0 && nNeg > 0 {
			gr.nBuf[r] = 1 / float64(nNeg)
		}
	}
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
	for name, t := range gr.terms {
		if res.Terms[name], err = gr.scalar(t); err != nil {
			return nil, err
		}
	}
	if _, ok := gr.weights["reg"]; ok && res.Terms["reg"] == 0 && gr.terms["reg"] == nil {
		res.Terms["reg"] = 0
	}
	if res.Scores, err = gr.values(gr.scores); err != nil {
		return nil, err
	}
	var posSum, negSum float64
	for i := range b {
		posSum += hd.Prob(res.Scores[i*c])
		for j := 1; j < c; j++ {
			if gr.mBuf[i*c+j] == 0 {
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

func scalar(n *G.Node) (float64, error) {
	vs, err := values(n)
	if err != nil {
		return 0, err
	}
	if len(vs) != 1 {
		return 0, fmt.Errorf("head: node %s holds %d values, want 1", n.Name(), len(vs))
	}
	return vs[0], nil
}

// values copies a node's value out (the machine may reuse its memory next run); only
// safe for nodes that are live at the end of the run (e.g. a graph's final output).
func values(n *G.Node) ([]float64, error) {
	v := n.Value()
	if v == nil {
		return nil, fmt.Errorf("head: node %s has no value", n.Name())
	}
	return valueData(v, n.Name())
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
