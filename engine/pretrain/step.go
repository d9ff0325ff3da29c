package pretrain

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/train"
)

// One optimiser step: each objective with a weight runs its forward and backward in turn
// (gradients add up), then the NaN checks, clipping and AdamW.

// stepStats collects what one step reports besides the losses.
type stepStats struct {
	pos, neg float64 // the σ-panel's pair: see step
	havePN   bool
	secs     map[string]float64
	mlmAcc   float64
}

func (t *trainer) step(batch []int) (train.Event, error) {
	begin := t.now()
	step := t.st.Step + 1
	rng := stepRNG(t.cfg.Seed, step)
	nn.ZeroGrad(t.ps)
	terms := map[string]float64{}
	stats := &stepStats{secs: map[string]float64{}}
	for _, obj := range []string{MLM, Crop, BM25} {
		w := t.cfg.weight(obj)
		if w <= 0 {
			continue
		}
		t0 := t.now()
		var (
			loss float64
			ok   bool
			err  error
		)
		switch obj {
		case MLM:
			loss, ok, err = t.mlmStep(batch, w, rng, stats)
		case Crop:
			loss, ok, err = t.cropStep(batch, w, step, rng, stats)
		case BM25:
			loss, ok, err = t.bm25Step(batch, w, rng, stats)
		}
		if err != nil {
			return train.Event{}, err
		}
		if ok {
			terms[obj] = loss
		}
		stats.secs[obj] = t.now().Sub(t0).Seconds()
	}
	if t.lossHook != nil {
		t.lossHook(step, terms)
	}
	total := 0.0
	for _, k := range []string{MLM, Crop, BM25} { // a fixed order: the same total to the last bit
		if v, ok := terms[k]; ok {
			total += t.cfg.weight(k) * v
		}
	}
	if math.IsNaN(total) || math.IsInf(total, 0) {
		return train.Event{}, t.divergence(step, fmt.Sprintf("loss is %v (terms %v)", total, terms))
	}
	norm := nn.ClipGradNorm(t.ps, t.cfg.Clip)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return train.Event{}, t.divergence(step, fmt.Sprintf("gradient norm is %v", norm))
	}
	lr := lrAt(t.cfg, step, t.st.TotalSteps)
	t.opt.Step(t.ps, lr)
	t.st.Step = step
	t.st.OptSteps = t.opt.Steps
	took := t.now().Sub(begin)
	t.meter.Add(len(batch), took)
	eta := t.meter.ETA(t.st.TotalSteps - step)
	if b := t.opts.Budget; b > 0 { // the budget ends the run first
		eta = min(eta, max(b-t.elapsed(), 0))
	}
	ev := train.Event{
		Kind: train.StepEvent, Step: step, TotalSteps: t.st.TotalSteps, Epoch: (step-1)/t.st.StepsPerEpoch + 1, Epochs: t.epochs(),
		Loss: total, Terms: terms, PosScore: stats.pos, NegScore: stats.neg, LR: lr,
		ExamplesPerSec: t.meter.Rate(), ETA: eta, StepTime: took, Elapsed: t.elapsed(), RunDir: t.dir,
	}
	rec := map[string]any{"kind": "step", "step": step, "epoch": ev.Epoch, "loss": total, "terms": terms,
		"pos": ev.PosScore, "neg": ev.NegScore, "lr": lr, "examples_per_sec": ev.ExamplesPerSec,
		"step_seconds": took.Seconds(), "objective_seconds": stats.secs, "grad_norm": norm}
	if t.masker != nil {
		rec["mlm_accuracy"] = stats.mlmAcc
	}
	t.record(rec)
	return ev, nil
}

func (t *trainer) divergence(step int, what string) error {
	kept := "no checkpoint was written yet"
	if t.st.Step > 0 && ckpt.HasWeights(t.dir) {
		kept = fmt.Sprintf("the last good checkpoint in %s is kept", t.dir)
	}
	return fmt.Errorf("pretrain: step %d diverged: %s; stopped before updating the weights (%s) — try a lower lr or enable clip", step, what, kept)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// mlmStep runs masked-language modelling on the batch's passages, through every
// encoder (each with its own MLM head); the term is the mean over encoders.
func (t *trainer) mlmStep(batch []int, w float64, rng *rand.Rand, st *stepStats) (float64, bool, error) {
	sum, n, correct, total := 0.0, 0, 0, 0
	for ei, enc := range t.encs {
		hd := t.mlm[ei]
		inputs := make([][]int, len(batch))
		masked := make([]Masked, len(batch))
		for i, p := range batch {
			masked[i] = t.masker.Mask(t.passage(p), rng)
			inputs[i] = masked[i].Input
		}
		_, cache, err := enc.Forward(inputs)
		if err != nil {
			return 0, false, fmt.Errorf("pretrain: mlm: %w", err)
		}
		h, start := cache.Hidden()
		H := enc.Config().Hidden
		var rows, targets []int
		for s, mk := range masked {
			for k, pos := range mk.Pos {
				rows = append(rows, start[s]+pos)
				targets = append(targets, mk.Target[k])
			}
		}
		x := make([]float32, len(rows)*H)
		for i, r := range rows {
			copy(x[i*H:(i+1)*H], h[r*H:(r+1)*H])
		}
		emb := enc.Params()[0] // emb.tok: the tied decoder
		dx := make([]float32, len(x))
		scale := w / float64(len(t.encs))
		res := mlmLoss(hd.w, emb.W, x, targets, H, hd.act, hd.eps, &hd.g, emb.G, dx, scale)
		if !finite(res.loss) {
			return res.loss, true, nil // the step's NaN check stops the run
		}
		dh := make([]float32, len(h))
		for i, r := range rows {
			copy(dh[r*H:(r+1)*H], dx[i*H:(i+1)*H])
		}
		if err := enc.BackwardHidden(cache, nil, dh); err != nil {
			return 0, false, fmt.Errorf("pretrain: mlm: %w", err)
		}
		sum += res.loss
		n++
		correct += res.correct
		total += len(targets)
	}
	if total > 0 {
		st.mlmAcc = float64(correct) / float64(total)
	}
	if !st.havePN {
		st.pos, st.neg = st.mlmAcc, 0
	}
	return sum / float64(n), n > 0, nil
}

// encode runs queries and passages through the model's encoders (one pass when shared).
func (t *trainer) encode(qids, pids [][]int) (qv, pv []float32, back func(dq, dp []float32) error, err error) {
	d := t.m.EncQ.Config().Hidden
	if t.m.Shared() {
		out, c, err := t.m.EncQ.Forward(append(append([][]int{}, qids...), pids...))
		if err != nil {
			return nil, nil, nil, err
		}
		return out[:len(qids)*d], out[len(qids)*d:], func(dq, dp []float32) error {
			return t.m.EncQ.Backward(c, append(append([]float32{}, dq...), dp...))
		}, nil
	}
	qv, cq, err := t.m.EncQ.Forward(qids)
	if err != nil {
		return nil, nil, nil, err
	}
	pv, cp, err := t.m.EncP.Forward(pids)
	if err != nil {
		return nil, nil, nil, err
	}
	return qv, pv, func(dq, dp []float32) error {
		if err := t.m.EncQ.Backward(cq, dq); err != nil {
			return err
		}
		return t.m.EncP.Backward(cp, dp)
	}, nil
}

// tau is the student temperature.
func (t *trainer) tau() float64 { return t.m.Arch.Tau }

// CropBatch builds the crop objective's pairs for passages texts: query view i and
// passage view i are a positive pair (see viewPair; ICT on even steps in "both").
func CropBatch(view string, texts []string, step int, rng *rand.Rand) (queries, passages []string) {
	for _, s := range texts {
		q, p := viewPair(view, s, step%2 == 0, rng)
		queries, passages = append(queries, q), append(passages, p)
	}
	return queries, passages
}

// inBatchPairs lists, for b queries, each one's own passage first, then the others.
func inBatchPairs(b int) ([]Pair, []int) {
	pairs := make([]Pair, 0, b*b)
	sizes := make([]int, b)
	for i := range b {
		pairs = append(pairs, Pair{i, i})
		for j := range b {
			if j != i {
				pairs = append(pairs, Pair{i, j})
			}
		}
		sizes[i] = b
	}
	return pairs, sizes
}

func (t *trainer) cropStep(batch []int, w float64, step int, rng *rand.Rand, st *stepStats) (float64, bool, error) {
	texts := make([]string, len(batch))
	for i, p := range batch {
		texts[i] = t.texts[p]
	}
	qs, ps := CropBatch(t.cfg.View, texts, step, rng)
	qids, pids := make([][]int, len(qs)), make([][]int, len(ps))
	for i := range qs {
		qids[i] = t.m.QueryIDs(qs[i])
		pids[i] = t.m.PassageIDs("", ps[i])
	}
	qv, pv, back, err := t.encode(qids, pids)
	if err != nil {
		return 0, false, fmt.Errorf("pretrain: crop: %w", err)
	}
	sc, err := newScorer(t.m.Head, qv, pv)
	if err != nil {
		return 0, false, err
	}
	pairs, sizes := inBatchPairs(len(batch))
	loss, dS, pPos, pNeg := infoNCE(sc.scores(pairs), sizes, t.tau())
	if !finite(loss) {
		return loss, true, nil
	}
	st.pos, st.neg, st.havePN = pPos, pNeg, true
	for i := range dS {
		dS[i] *= w
	}
	dq, dp := sc.back(dS)
	if err := back(dq, dp); err != nil {
		return 0, false, fmt.Errorf("pretrain: crop: %w", err)
	}
	return loss, true, nil
}

func (t *trainer) bm25Step(batch []int, w float64, rng *rand.Rand, st *stepStats) (float64, bool, error) {
	var lists []*teacherList
	for _, p := range batch[:min(t.cfg.BM25Q, len(batch))] {
		var q string
		if rng.Float64() < t.cfg.BM25Salient {
			q = salientQuery(t.texts[p], t.idf, rng)
		} else {
			q = SpanQuery(t.texts[p], rng)
		}
		if tl := teach(t.bm, q, t.cfg.BM25K); tl != nil {
			lists = append(lists, tl)
		}
	}
	if len(lists) == 0 {
		return 0, false, nil
	}
	row := map[int]int{}
	var qids, pids [][]int
	var pairs []Pair
	var sizes []int
	var teacher []float64
	for qi, tl := range lists {
		qids = append(qids, t.m.QueryIDs(tl.query))
		for k, idx := range tl.idx {
			r, ok := row[idx]
			if !ok {
				r = len(pids)
				row[idx] = r
				pids = append(pids, t.passage(idx))
			}
			pairs = append(pairs, Pair{qi, r})
			teacher = append(teacher, tl.scores[k])
		}
		sizes = append(sizes, len(tl.idx))
	}
	qv, pv, back, err := t.encode(qids, pids)
	if err != nil {
		return 0, false, fmt.Errorf("pretrain: bm25: %w", err)
	}
	sc, err := newScorer(t.m.Head, qv, pv)
	if err != nil {
		return 0, false, err
	}
	loss, dS, top1 := klDistill(teacher, sc.scores(pairs), sizes, t.cfg.BM25T, t.tau())
	if !finite(loss) {
		return loss, true, nil
	}
	if !st.havePN {
		st.pos, st.neg, st.havePN = top1, 1/float64(t.cfg.BM25K), true
	}
	for i := range dS {
		dS[i] *= w
	}
	dq, dp := sc.back(dS)
	if err := back(dq, dp); err != nil {
		return 0, false, fmt.Errorf("pretrain: bm25: %w", err)
	}
	return loss, true, nil
}
