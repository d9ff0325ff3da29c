package train

import (
	"fmt"
	"math"
	"time"

	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/nn"
)

// One optimiser step: the head graph of a batch, its candidate layout, the forward and
// backward passes through encoders and head, clipping and AdamW.

// lrAt is the run's learning rate at 1-based step (LinearSchedule).
func lrAt(cfg Config, step, total int) float64 {
	return LinearSchedule(cfg.LR, cfg.Warmup, step, total)
}

func (t *trainer) passage(i int) []int {
	if t.pIDs[i] == nil {
		p := t.ds.Passages[i]
		t.pIDs[i] = t.m.PassageIDs(p.Title, p.Text)
	}
	return t.pIDs[i]
}

// graph returns the compiled head graph for a batch of b queries.
func (t *trainer) graph(b int) (*head.Graph, error) {
	if g, ok := t.graphs[graphKey{b, t.k}]; ok {
		return g, nil
	}
	var st head.Structure
	switch {
	case t.neg.InBatch && t.neg.Hard > 0:
		st = head.BothStructure(b, t.k)
	case t.neg.InBatch:
		st = head.InBatchStructure(b)
	default:
		st = head.HardStructure(b, t.k)
	}
	g, err := t.m.Head.NewGraph(st, t.losses, t.cfg.LearnTau)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	t.graphs[graphKey{b, t.k}] = g
	return g, nil
}

// layout lists, for a batch, the passage of each P row and whether the row is padding.
func (t *trainer) layout(batch []example, st head.Structure) (rows []int, pad []bool) {
	rows, pad = make([]int, st.M), make([]bool, st.M)
	b := len(batch)
	switch st.Kind {
	case "hard":
		for i, ex := range batch {
			base := i * (1 + t.k)
			rows[base] = ex.pos
			for j := range t.k {
				r := base + 1 + j
				if j < len(ex.negs) {
					rows[r] = ex.negs[j]
				} else {
					rows[r], pad[r] = ex.pos, true
				}
			}
		}
	default: // inbatch, both: positives first, then each query's k hard negatives
		for i, ex := range batch {
			rows[i] = ex.pos
			for j := 0; j < t.k && st.Kind == "both"; j++ {
				r := b + i*t.k + j
				if j < len(ex.negs) {
					rows[r] = ex.negs[j]
				} else {
					rows[r], pad[r] = ex.pos, true
				}
			}
		}
	}
	return rows, pad
}

// prior is the batch's B×C logit prior for Config.Residual (nil when off). Residual
// needs the "hard" layout (Config.Validate): candidate 0 is the positive, 1+j negative j.
func (t *trainer) prior(batch []example, st head.Structure) []float64 {
	if t.cfg.Residual == 0 || st.Kind != "hard" {
		return nil
	}
	out := make([]float64, st.B*st.C)
	for i, ex := range batch {
		copy(out[i*st.C:(i+1)*st.C], ex.prior) // padding candidates stay 0 (they are masked)
	}
	return out
}

// forwardPass is a batch's encoder caches and head result (loss, gradients w.r.t. the embeddings).
type forwardPass struct {
	res    *head.Result
	cq, cp *nn.Cache // cp is nil when one encoder encodes both sides
}

// forward encodes a batch and runs the head graph on it, leaving the encoder gradients untouched.
func (t *trainer) forward(batch []example) (forwardPass, error) {
	g, err := t.graph(len(batch))
	if err != nil {
		return forwardPass{}, err
	}
	st := g.Structure()
	rows, pad := t.layout(batch, st)
	valid := make([]bool, st.B*st.C)
	for i, ex := range batch {
		for c := range st.C {
			r := st.Cand[i*st.C+c]
			valid[i*st.C+c] = c == 0 || (!pad[r] && !t.posSets[ex.q][rows[r]])
		}
	}
	qids := make([][]int, len(batch))
	for i, ex := range batch {
		qids[i] = t.qIDs[ex.q]
	}
	pids := make([][]int, len(rows))
	for r, p := range rows {
		pids[r] = t.passage(p)
	}
	d := t.m.Head.D
	var qv, pv []float32
	var f forwardPass
	if t.m.EncQ == t.m.EncP {
		out, c, err := t.m.EncQ.Forward(append(append([][]int{}, qids...), pids...))
		if err != nil {
			return forwardPass{}, fmt.Errorf("train: encoder: %w", err)
		}
		qv, pv, f.cq = out[:len(qids)*d], out[len(qids)*d:], c
	} else {
		if qv, f.cq, err = t.m.EncQ.Forward(qids); err != nil {
			return forwardPass{}, fmt.Errorf("train: query encoder: %w", err)
		}
		if pv, f.cp, err = t.m.EncP.Forward(pids); err != nil {
			return forwardPass{}, fmt.Errorf("train: passage encoder: %w", err)
		}
	}
	if f.res, err = g.RunPrior(qv, pv, valid, t.prior(batch, st)); err != nil {
		return forwardPass{}, fmt.Errorf("train: head: %w", err)
	}
	return f, nil
}

// step runs one optimiser step on a batch and returns its StepEvent.
func (t *trainer) step(batch []example) (Event, error) {
	stepStart := t.now()
	nn.ZeroGrad(t.ps)
	f, err := t.forward(batch)
	if err != nil {
		return Event{}, err
	}
	res := f.res
	step := t.st.Step + 1
	total := res.Total
	if t.lossHook != nil {
		total = t.lossHook(step, total)
	}
	if math.IsNaN(total) || math.IsInf(total, 0) {
		return Event{}, t.divergence(step, fmt.Sprintf("loss is %v (terms %v)", total, res.Terms))
	}
	if f.cp == nil {
		if err := t.m.EncQ.Backward(f.cq, append(res.DQ, res.DP...)); err != nil {
			return Event{}, fmt.Errorf("train: backward: %w", err)
		}
	} else {
		if err := t.m.EncQ.Backward(f.cq, res.DQ); err != nil {
			return Event{}, fmt.Errorf("train: query backward: %w", err)
		}
		if err := t.m.EncP.Backward(f.cp, res.DP); err != nil {
			return Event{}, fmt.Errorf("train: passage backward: %w", err)
		}
	}
	norm := nn.ClipGradNorm(t.ps, t.cfg.Clip)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return Event{}, t.divergence(step, fmt.Sprintf("gradient norm is %v", norm))
	}
	lr := lrAt(t.cfg, step, t.st.TotalSteps)
	t.opt.Step(t.ps, lr)
	t.m.Head.ClampTau()
	t.st.Step = step
	t.st.OptSteps = t.opt.Steps
	took := t.now().Sub(stepStart)
	t.meter.Add(len(batch), took)
	return Event{
		Kind: StepEvent, Step: step, TotalSteps: t.st.TotalSteps, Epoch: t.st.Epoch + 1, Epochs: t.cfg.Epochs,
		Loss: total, Terms: res.Terms, PosScore: res.PosProb, NegScore: res.NegProb, LR: lr,
		ExamplesPerSec: t.meter.Rate(), ETA: t.eta(step), StepTime: took, Elapsed: t.elapsed(), RunDir: t.dir,
	}, nil
}

func (t *trainer) divergence(step int, what string) error {
	kept := "no checkpoint was written yet"
	if t.st.Step > 0 && ckpt.HasWeights(t.dir) {
		kept = fmt.Sprintf("the last good checkpoint in %s is kept", t.dir)
	}
	return fmt.Errorf("train: step %d diverged: %s; stopped without saving (%s) — try a lower lr or enable clip", step, what, kept)
}

// eta is the time left after step: the remaining steps at the smoothed step time, plus the
// remaining epoch-end dev evaluations at the last one's duration (none known before the first).
func (t *trainer) eta(step int) time.Duration {
	left := t.meter.ETA(t.st.TotalSteps - step)
	if step < t.st.TotalSteps {
		left += t.devTook * time.Duration(t.cfg.Epochs-t.st.Epoch)
	}
	return left
}
