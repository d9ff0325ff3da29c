package pretrain

import (
	"math"
	"math/rand"
	"testing"

	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/nn"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

// TestMLMLossByHand: H = 2, so LayerNorm maps any u₀ < u₁ to (−1, 1) (gain 1, shift 0).
// x = (1, 2), W = I, b = 0: u = (1, 2), GELU keeps the order, y = (−1, 1). With
// E = [(1,0), (0,1), (1,1)] and o = (0, 0.5, 0) the logits are (−1, 1.5, 0); for target 1
// the loss is ln(e⁻¹ + e^1.5 + 1) − 1.5 = 0.2663679, p = (0.0628900, 0.7661572, 0.1709528),
// ∂o = p − e₁ and ∂E_v = ∂o_v · y.
func TestMLMLossByHand(t *testing.T) {
	w := mlmWeights[float64]{w: []float64{1, 0, 0, 1}, b: []float64{0, 0}, lnG: []float64{1, 1}, lnB: []float64{0, 0}, bias: []float64{0, 0.5, 0}}
	emb := []float64{1, 0, 0, 1, 1, 1}
	g := mlmWeights[float64]{w: make([]float64, 4), b: make([]float64, 2), lnG: make([]float64, 2), lnB: make([]float64, 2), bias: make([]float64, 3)}
	dEmb, dx := make([]float64, 6), make([]float64, 2)
	res := mlmLoss(w, emb, []float64{1, 2}, []int{1}, 2, nn.ActGELUErf, 1e-12, &g, dEmb, dx, 1)
	if !near(res.loss, 0.2663678998, 1e-9) || res.correct != 1 {
		t.Fatalf("loss %.10f correct %d, want 0.2663678998 and 1", res.loss, res.correct)
	}
	p := []float64{0.0628900132, 0.7661572066, 0.1709527802}
	wantO := []float64{p[0], p[1] - 1, p[2]}
	for v := range 3 {
		if !near(g.bias[v], wantO[v], 1e-8) {
			t.Errorf("∂o[%d] = %.10f, want %.10f", v, g.bias[v], wantO[v])
		}
		if !near(dEmb[2*v], -wantO[v], 1e-8) || !near(dEmb[2*v+1], wantO[v], 1e-8) {
			t.Errorf("∂E[%d] = (%.10f, %.10f), want (%.10f, %.10f)", v, dEmb[2*v], dEmb[2*v+1], -wantO[v], wantO[v])
		}
	}
	// the LayerNorm shift's gradient is ∂y = ∂logits·E = Σ_v ∂o_v E_v
	wantLNB := []float64{wantO[0] + wantO[2], wantO[1] + wantO[2]}
	for j := range 2 {
		if !near(g.lnB[j], wantLNB[j], 1e-8) {
			t.Errorf("∂ln.b[%d] = %.10f, want %.10f", j, g.lnB[j], wantLNB[j])
		}
	}
}

func randSlice(rng *rand.Rand, n int, scale float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = scale * rng.NormFloat64()
	}
	return out
}

// TestMLMGradFiniteDifferences checks every input of the MLM head (its five tensors, the
// tied embedding E and the hidden states) against central differences, in float64.
func TestMLMGradFiniteDifferences(t *testing.T) {
	for _, act := range []string{nn.ActGELUTanh, nn.ActGELUErf} {
		rng := rand.New(rand.NewSource(7))
		const H, V, M = 4, 7, 3
		w := mlmWeights[float64]{w: randSlice(rng, H*H, 0.7), b: randSlice(rng, H, 0.3), lnG: randSlice(rng, H, 1), lnB: randSlice(rng, H, 0.3), bias: randSlice(rng, V, 0.3)}
		emb, x := randSlice(rng, V*H, 0.8), randSlice(rng, M*H, 1)
		targets := []int{2, 5, 2}
		const scale = 0.7 // a weight scales every gradient (not the loss)
		loss := func() float64 { return mlmLoss(w, emb, x, targets, H, act, 1e-12, nil, nil, nil, scale).loss }
		g := mlmWeights[float64]{w: make([]float64, H*H), b: make([]float64, H), lnG: make([]float64, H), lnB: make([]float64, H), bias: make([]float64, V)}
		dEmb, dx := make([]float64, V*H), make([]float64, M*H)
		mlmLoss(w, emb, x, targets, H, act, 1e-12, &g, dEmb, dx, scale)
		check := func(name string, vals, grads []float64) {
			for i := range vals {
				old := vals[i]
				const h = 1e-6
				vals[i] = old + h
				up := loss()
				vals[i] = old - h
				down := loss()
				vals[i] = old
				fd := scale * (up - down) / (2 * h)
				if math.Abs(fd-grads[i]) > 1e-6*(1+math.Abs(fd)) {
					t.Errorf("%s: ∂%s[%d] = %.9f, finite differences %.9f", act, name, i, grads[i], fd)
				}
			}
		}
		check("W", w.w, g.w)
		check("b", w.b, g.b)
		check("ln.g", w.lnG, g.lnG)
		check("ln.b", w.lnB, g.lnB)
		check("bias", w.bias, g.bias)
		check("E", emb, dEmb)
		check("x", x, dx)
	}
}

// TestMLMThroughEncoderTiedEmbedding: the MLM loss of a masked sequence through a real
// (float32) encoder; the token embedding gets gradient both as the decoder (mlmLoss) and
// as the input (BackwardHidden). Their sum must match central differences of the loss.
func TestMLMThroughEncoderTiedEmbedding(t *testing.T) {
	cfg := nn.Config{Vocab: 12, Hidden: 8, Layers: 1, Heads: 2, FFN: 16, MaxLen: 10, Pooling: "mean"}
	enc, err := nn.NewEncoder(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	emb := enc.Params()[0]
	rng := rand.New(rand.NewSource(5))
	for i := range emb.W { // larger embeddings: gradients well above float32 noise
		emb.W[i] = float32(0.5 * rng.NormFloat64())
	}
	hd := newMLMHead("mlm.", cfg, 9)
	for i := range hd.w.w {
		hd.w.w[i] = float32(0.4 * rng.NormFloat64())
	}
	inputs := [][]int{{2, 4, 7, 9, 3}, {2, 8, 4, 3}}
	rows := []int{1, 3, 6}    // packed rows predicted: seq 0 pos 1 and 3, seq 1 pos 1
	targets := []int{5, 9, 8} // 5 and 9 are not inputs there: the decoder alone reaches row 5
	H := cfg.Hidden
	lossAt := func(grad bool) float64 {
		_, c, err := enc.Forward(inputs)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := c.Hidden()
		x := make([]float32, len(rows)*H)
		for i, r := range rows {
			copy(x[i*H:(i+1)*H], h[r*H:(r+1)*H])
		}
		if !grad {
			return mlmLoss(hd.w, emb.W, x, targets, H, hd.act, hd.eps, nil, nil, nil, 1).loss
		}
		dx := make([]float32, len(x))
		res := mlmLoss(hd.w, emb.W, x, targets, H, hd.act, hd.eps, &hd.g, emb.G, dx, 1)
		dh := make([]float32, len(h))
		for i, r := range rows {
			copy(dh[r*H:(r+1)*H], dx[i*H:(i+1)*H])
		}
		if err := enc.BackwardHidden(c, nil, dh); err != nil {
			t.Fatal(err)
		}
		return res.loss
	}
	nn.ZeroGrad(enc.Params())
	lossAt(true)
	checked := 0
	for _, tokRow := range []int{4, 5, 9, 2} { // input only (4), decoder only (5), both (9), [CLS] (2)
		for j := range H {
			i := tokRow*H + j
			old := emb.W[i]
			const h = 1e-2
			emb.W[i] = old + h
			up := lossAt(false)
			emb.W[i] = old - h
			down := lossAt(false)
			emb.W[i] = old
			fd := (up - down) / (2 * h)
			if math.Abs(fd-float64(emb.G[i])) > 3e-3+0.03*math.Abs(fd) {
				t.Errorf("∂E[%d][%d] = %.6f, finite differences %.6f", tokRow, j, emb.G[i], fd)
			}
			checked++
		}
	}
	if checked != 32 {
		t.Fatalf("checked %d entries", checked)
	}
}

// TestListLossesByHand: InfoNCE of scores (1, 0) at τ = 1 is ln(1 + e⁻¹) = 0.3132617 with
// gradient (σ(−1)·(−1), σ(−1)) = (−0.2689414, 0.2689414); KL(softmax(2,1,0) ‖ uniform) =
// Σ tᵢ ln tᵢ + ln 3 = 0.2662167, gradient q − t = (−0.3319076, 0.0886049, 0.2433028).
func TestListLossesByHand(t *testing.T) {
	loss, dS, pPos, pNeg := infoNCE([]float64{1, 0}, []int{2}, 1)
	if !near(loss, 0.3132616875, 1e-9) || !near(dS[0], -0.2689414214, 1e-9) || !near(dS[1], 0.2689414214, 1e-9) ||
		!near(pPos, 0.7310585786, 1e-9) || !near(pNeg, 0.2689414214, 1e-9) {
		t.Errorf("infoNCE: loss %.10f dS %v p %v %v", loss, dS, pPos, pNeg)
	}
	kl, dK, top1 := klDistill([]float64{2, 1, 0}, []float64{0, 0, 0}, []int{3}, 1, 1)
	want := []float64{-0.3319076224, 0.0886048623, 0.2433027602}
	if !near(kl, 0.2662167068, 1e-9) || !near(top1, 1.0/3, 1e-12) {
		t.Errorf("KL %.10f top1 %v, want 0.2662167068 and 1/3", kl, top1)
	}
	for i := range want {
		if !near(dK[i], want[i], 1e-9) {
			t.Errorf("∂KL[%d] = %.10f, want %.10f", i, dK[i], want[i])
		}
	}
	// identical distributions: zero loss, zero gradient (teacher at T = 2, student at τ = 0.5)
	kl, dK, _ = klDistill([]float64{4, 2, 0}, []float64{1, 0.5, 0}, []int{3}, 2, 0.5)
	if math.Abs(kl) > 1e-12 || math.Abs(dK[0])+math.Abs(dK[1])+math.Abs(dK[2]) > 1e-12 {
		t.Errorf("KL of equal distributions %g, gradient %v", kl, dK)
	}
}

// TestListLossGradFiniteDifferences: two groups of different sizes, temperatures ≠ 1.
func TestListLossGradFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	s := randSlice(rng, 7, 1.5)
	teacher := randSlice(rng, 7, 4)
	sizes := []int{3, 4}
	_, dN, _, _ := infoNCE(s, sizes, 0.3)
	_, dK, _ := klDistill(teacher, s, sizes, 2, 0.3)
	for i := range s {
		old := s[i]
		const h = 1e-6
		s[i] = old + h
		n1, _, _, _ := infoNCE(s, sizes, 0.3)
		k1, _, _ := klDistill(teacher, s, sizes, 2, 0.3)
		s[i] = old - h
		n0, _, _, _ := infoNCE(s, sizes, 0.3)
		k0, _, _ := klDistill(teacher, s, sizes, 2, 0.3)
		s[i] = old
		if fd := (n1 - n0) / (2 * h); !near(dN[i], fd, 1e-6) {
			t.Errorf("∂infoNCE[%d] = %.9f, finite differences %.9f", i, dN[i], fd)
		}
		if fd := (k1 - k0) / (2 * h); !near(dK[i], fd, 1e-6) {
			t.Errorf("∂KL[%d] = %.9f, finite differences %.9f", i, dK[i], fd)
		}
	}
}

// TestScorerGradFiniteDifferences: L = Σ cₙ·s(pairₙ) through dot, cos and ARS heads;
// ∂L/∂q, ∂L/∂p and (ARS) every head tensor against central differences.
func TestScorerGradFiniteDifferences(t *testing.T) {
	const D = 4
	for _, kind := range []string{head.Dot, head.Cos, head.ARS} {
		hd, err := head.New(kind, D, 3, 0.05, 11)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewSource(13))
		if kind == head.ARS { // break the symmetric start so every tensor matters
			for _, p := range hd.Params() {
				for i := range p.W {
					if p.Name != "head.log_tau" {
						p.W[i] = float32(0.8 * rng.NormFloat64())
					}
				}
			}
		}
		q32 := func(n int) []float32 {
			out := make([]float32, n)
			for i := range out {
				out[i] = float32(rng.NormFloat64())
			}
			return out
		}
		q, p := q32(2*D), q32(3*D)
		pairs := []Pair{{0, 0}, {0, 2}, {1, 1}, {1, 0}, {1, 2}}
		c := []float64{0.5, -1.2, 0.8, 0.3, -0.4}
		L := func() float64 {
			sc, err := newScorer(hd, q, p)
			if err != nil {
				t.Fatal(err)
			}
			s := sc.scores(pairs)
			sum := 0.0
			for i := range s {
				sum += c[i] * s[i]
			}
			return sum
		}
		hd.ZeroGrad()
		sc, _ := newScorer(hd, q, p)
		sc.scores(pairs)
		dq, dp := sc.back(c)
		check := func(name string, vals []float32, grad []float32) {
			for i := range vals {
				old := vals[i]
				const h = 1e-3
				vals[i] = old + h
				up := L()
				vals[i] = old - h
				down := L()
				vals[i] = old
				fd := (up - down) / (2 * h)
				if math.Abs(fd-float64(grad[i])) > 2e-3*(1+math.Abs(fd)) {
					t.Errorf("%s: ∂%s[%d] = %.6f, finite differences %.6f", kind, name, i, grad[i], fd)
				}
			}
		}
		check("q", q, dq)
		check("p", p, dp)
		for _, prm := range hd.Params() {
			if prm.Name != "head.log_tau" {
				check(prm.Name, prm.W, prm.G)
			}
		}
	}
}

// TestScorerMatchesKernel: the scorer's scores equal the query-time kernel's (head.Score
// on projected vectors) within float32 rounding and FastTanh's error.
func TestScorerMatchesKernel(t *testing.T) {
	const D = 8
	rng := rand.New(rand.NewSource(17))
	for _, kind := range []string{head.Dot, head.Cos, head.ARS} {
		hd, _ := head.New(kind, D, 0, 0.05, 2)
		q, p := make([]float32, D), make([]float32, D)
		for i := range q {
			q[i], p[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		sc, _ := newScorer(hd, q, p)
		got := sc.scores([]Pair{{0, 0}})[0]
		qp, pp := make([]float32, hd.ProjDim()), make([]float32, hd.ProjDim())
		_ = hd.ProjectQueries(q, qp)
		_ = hd.ProjectPassages(p, pp)
		if want := float64(hd.Score(qp, pp)); math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
			t.Errorf("%s: scorer %.6f, kernel %.6f", kind, got, want)
		}
	}
}
