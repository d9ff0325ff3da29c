package pretrain

import (
	"math"
	"math/rand"

	"github.com/arslab/arslab/engine/nn"
)

// The MLM head (BERT's "cls.predictions"): for a hidden state x (H),
//
//	u = x·W + b   (W is H×H, in×out as the encoder's)
//	y = LayerNorm(GELU(u))
//	logits = y·Eᵀ + o   (E is the encoder's token embedding V×H, tied; o the output bias V)
//
// and the loss is the mean cross-entropy of the original pieces over every predicted
// position of the batch. The head's own tensors are "mlm.dense.w", "mlm.dense.b",
// "mlm.ln.g", "mlm.ln.b" and "mlm.bias" (prefixed per tower in dual mode); E's gradient
// is added to the embedding's own, so the decoder trains the input embeddings too.

// mlmWeights views the head's tensors (weights or gradients).
type mlmWeights[T nn.Float] struct {
	w, b, lnG, lnB, bias []T
}

// mlmHead is a float32 MLM head with its Params.
type mlmHead struct {
	params []*nn.Param
	w, g   mlmWeights[float32]
	act    string
	eps    float64
}

// newMLMHead makes a head for an encoder of cfg: W ~ N(0, 0.02²) truncated at ±2σ (as
// the encoder's), zero biases, LayerNorm gain 1.
func newMLMHead(prefix string, cfg nn.Config, seed int64) *mlmHead {
	H, V := cfg.Hidden, cfg.Vocab
	rng := rand.New(rand.NewSource(seed))
	mk := func(name string, noDecay bool, shape ...int) *nn.Param {
		n := 1
		for _, s := range shape {
			n *= s
		}
		return &nn.Param{Name: prefix + name, Shape: shape, W: make([]float32, n), G: make([]float32, n), NoDecay: noDecay}
	}
	w, b, g, lb, ob := mk("dense.w", false, H, H), mk("dense.b", true, H), mk("ln.g", true, H), mk("ln.b", true, H), mk("bias", true, V)
	for i := range w.W {
		v := rng.NormFloat64()
		for v < -2 || v > 2 {
			v = rng.NormFloat64()
		}
		w.W[i] = float32(0.02 * v)
	}
	for i := range g.W {
		g.W[i] = 1
	}
	eps := cfg.LNEps
	if eps == 0 {
		eps = 1e-12
	}
	return &mlmHead{
		params: []*nn.Param{w, b, g, lb, ob},
		w:      mlmWeights[float32]{w.W, b.W, g.W, lb.W, ob.W},
		g:      mlmWeights[float32]{w.G, b.G, g.G, lb.G, ob.G},
		act:    cfg.Act, eps: eps,
	}
}

// mlmResult is one evaluation of the head.
type mlmResult struct {
	loss    float64 // mean cross-entropy
	correct int     // arg-max predictions equal to the target
}

// mlmLoss evaluates the head on x (M×H hidden states at the predicted positions) with
// targets (M ids). With g != nil it ADDS the head's gradients to g, E's to dEmb (V×H),
// and writes dLoss/dx into dx (M×H), every gradient multiplied by scale (the objective's weight).
func mlmLoss[T nn.Float](w mlmWeights[T], emb []T, x []T, targets []int, H int, act string, eps float64,
	g *mlmWeights[T], dEmb, dx []T, scale float64) mlmResult {
	M, V := len(targets), len(w.bias)
	if M == 0 {
		return mlmResult{}
	}
	u := make([]T, M*H)
	nn.MatMul(false, false, M, H, H, 1, x, H, w.w, H, 0, u, H)
	for r := range M {
		for j := range H {
			u[r*H+j] += w.b[j]
		}
	}
	ga, dga := make([]T, M*H), make([]T, M*H)
	nn.GELU(act, u, ga, dga)
	y, xhat, rstd := make([]T, M*H), make([]T, M*H), make([]T, M)
	nn.LayerNorm(ga, w.lnG, w.lnB, y, xhat, rstd, H, eps)
	logits := make([]T, M*V)
	nn.MatMul(false, true, M, V, H, 1, y, H, emb, H, 0, logits, V)
	var res mlmResult
	inv := 1 / float64(M)
	for r := range M {
		row := logits[r*V : (r+1)*V]
		m := math.Inf(-1)
		best := 0
		for j := range row {
			row[j] += w.bias[j]
			if float64(row[j]) > m {
				m, best = float64(row[j]), j
			}
		}
		if best == targets[r] {
			res.correct++
		}
		sum := 0.0
		for _, v := range row {
			sum += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(sum)
		res.loss += (lse - float64(row[targets[r]])) * inv
		if g == nil {
			continue
		}
		for j, v := range row { // row becomes dLoss/dlogits
			row[j] = T(math.Exp(float64(v)-lse) * inv * scale)
		}
		row[targets[r]] -= T(inv * scale)
	}
	if g == nil {
		return res
	}
	for r := range M {
		for j, v := range logits[r*V : (r+1)*V] {
			g.bias[j] += v
		}
	}
	nn.MatMul(true, false, V, H, M, 1, logits, V, y, H, 1, dEmb, H) // dE += dlogitsᵀ·y
	dy := make([]T, M*H)
	nn.MatMul(false, false, M, H, V, 1, logits, V, emb, H, 0, dy, H) // dy = dlogits·E
	du := make([]T, M*H)
	nn.LayerNormBack(dy, xhat, rstd, w.lnG, du, g.lnG, g.lnB, H)
	for i := range du {
		du[i] *= dga[i]
	}
	nn.MatMul(true, false, H, H, M, 1, x, H, du, H, 1, g.w, H) // dW += xᵀ·du
	for r := range M {
		for j := range H {
			g.b[j] += du[r*H+j]
		}
	}
	nn.MatMul(false, true, M, H, H, 1, du, H, w.w, H, 0, dx, H) // dx = du·Wᵀ
	return res
}
