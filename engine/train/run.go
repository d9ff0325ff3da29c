package train

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/sparse"
	"github.com/arslab/arslab/engine/tok"
)

// AdamW constants (as torch defaults).
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// doneSendTimeout bounds how long the final DoneEvent waits on a full channel once
// the context is cancelled.
const doneSendTimeout = time.Second

// state is state.json: where a run stands, enough to resume it exactly. The shuffle
// of epoch e is rand.NewSource(seed + e).Perm(examples), so (epoch, step_in_epoch)
// is the whole RNG state.
type state struct {
	Step          int     `json:"step"`          // optimiser steps done
	Epoch         int     `json:"epoch"`         // epochs fully done
	StepInEpoch   int     `json:"step_in_epoch"` // batches of epoch `epoch` done
	StepsPerEpoch int     `json:"steps_per_epoch"`
	TotalSteps    int     `json:"total_steps"`
	Examples      int     `json:"examples"`
	Seed          int64   `json:"seed"`
	OptSteps      int     `json:"optimizer_steps"`
	Finished      bool    `json:"finished"`
	ElapsedSec    float64 `json:"elapsed_sec"`
}

// example is one training item: a query, one relevant passage and its hard negatives.
type example struct {
	q    int   // index into trainer.queries
	pos  int   // passage index
	negs []int // ≤ K passage indices, never a positive of q
}

type trainer struct {
	ctx    context.Context
	cfg    Config
	ds     *datasets.Dataset
	dir    string
	events chan<- Event

	m        *model
	neg      NegativeSpec
	k        int // hard negatives per example in the graph
	queries  []string
	posSets  []map[int]bool
	examples []example
	qIDs     [][]int
	pIDs     [][]int // lazily tokenised passages
	graphs   map[int]*head.Graph
	ps       []*nn.Param
	opt      *nn.AdamW
	st       state
	lines    [][]byte
	start    time.Time
	prevEl   time.Duration

	// lossHook, when set (tests), may replace a step's total loss.
	lossHook func(step int, total float64) float64
}

func run(ctx context.Context, cfg Config, ds *datasets.Dataset, outDir string, resume bool, events chan<- Event) error {
	return newTrainer(ctx, cfg, ds, outDir, events).run(resume)
}

func newTrainer(ctx context.Context, cfg Config, ds *datasets.Dataset, outDir string, events chan<- Event) *trainer {
	return &trainer{ctx: ctx, cfg: cfg, ds: ds, dir: outDir, events: events, graphs: map[int]*head.Graph{}}
}

func (t *trainer) run(resume bool) (err error) {
	t.start = time.Now()
	defer func() {
		for _, g := range t.graphs {
			g.Close()
		}
		t.done(err)
	}()
	if err := t.cfg.Validate(); err != nil {
		return fmt.Errorf("train: config: %w", err)
	}
	if t.ds == nil {
		return errors.New("train: no dataset")
	}
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return fmt.Errorf("train: run folder: %w", err)
	}
	resuming := false
	if resume {
		if _, err := os.Stat(filepath.Join(t.dir, StateFile)); err == nil {
			resuming = true
		} else {
			t.info("no checkpoint to resume in " + t.dir + ": starting from scratch")
		}
	} else if isRunDir(t.dir) {
		return fmt.Errorf("train: %s already holds a trained model; resume it or pick another folder", t.dir)
	}
	if err := t.setup(resuming); err != nil {
		return err
	}
	if t.st.Finished {
		t.info("run already finished")
		return nil
	}
	return t.loop()
}

// setup builds the tokenizer, model, examples and optimiser (restoring a checkpoint when resuming).
func (t *trainer) setup(resuming bool) error {
	cfg := t.cfg
	var tk *tok.Tokenizer
	var err error
	if t.neg, err = ParseNegatives(cfg.Negatives); err != nil {
		return fmt.Errorf("train: config: %w", err)
	}
	switch {
	case resuming:
		var saved Config
		b, err := os.ReadFile(filepath.Join(t.dir, ConfigFile))
		if err != nil {
			return fmt.Errorf("train: resume: %w", err)
		}
		if err := json.Unmarshal(b, &saved); err != nil {
			return fmt.Errorf("train: resume: %s: %w", ConfigFile, err)
		}
		if d := configDiff(saved, cfg); d != "" {
			return fmt.Errorf("train: resume: config differs from the saved run in %s", d)
		}
		if tk, err = tok.Load(t.dir); err != nil {
			return fmt.Errorf("train: resume: tokenizer: %w", err)
		}
	case cfg.TokenizerDir != "":
		if tk, err = tok.Load(cfg.TokenizerDir); err != nil {
			return fmt.Errorf("train: tokenizer: %w", err)
		}
	default:
		t.info(fmt.Sprintf("training a %d-piece WordPiece vocabulary", cfg.Vocab))
		texts := make([]string, 0, len(t.ds.Passages)+len(t.ds.Queries))
		for _, p := range t.ds.Passages {
			texts = append(texts, normalize(p.Title+" "+p.Text))
		}
		for _, q := range t.ds.Queries {
			texts = append(texts, normalize(q.Text))
		}
		if tk, err = tok.Train(texts, cfg.Vocab); err != nil {
			return fmt.Errorf("train: tokenizer: %w", err)
		}
	}
	if t.m, err = newModel(cfg, tk); err != nil {
		return fmt.Errorf("train: model: %w", err)
	}
	if err := t.buildExamples(); err != nil {
		return err
	}
	spe, err := stepsPerEpoch(len(t.examples), cfg.Batch)
	if err != nil {
		return err
	}
	t.ps = t.m.params(false)
	t.opt = nn.NewAdamW(t.ps, adamBeta1, adamBeta2, adamEps, cfg.WeightDecay)
	t.st = state{StepsPerEpoch: spe, TotalSteps: spe * cfg.Epochs, Examples: len(t.examples), Seed: cfg.Seed}
	if resuming {
		return t.restore()
	}
	if err := writeJSONAtomic(filepath.Join(t.dir, ConfigFile), cfg); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := tk.Save(t.dir); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// buildExamples collects (query, positive) pairs of the train split and their hard negatives.
func (t *trainer) buildExamples() error {
	qrels := t.ds.Qrels[datasets.Train]
	if len(qrels) == 0 {
		return fmt.Errorf("train: dataset %q has no train split", t.ds.Name)
	}
	pidx := make(map[string]int, len(t.ds.Passages))
	for i, p := range t.ds.Passages {
		pidx[p.ID] = i
	}
	qs := append([]datasets.Query(nil), t.ds.Queries...)
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].ID < qs[j].ID })
	for _, q := range qs {
		rel := qrels[q.ID]
		var pos []int
		for pid, g := range rel {
			if i, ok := pidx[pid]; ok && g > 0 {
				pos = append(pos, i)
			}
		}
		if len(pos) == 0 {
			continue
		}
		sort.Ints(pos)
		qi := len(t.queries)
		t.queries = append(t.queries, q.Text)
		set := make(map[int]bool, len(pos))
		for _, p := range pos {
			set[p] = true
		}
		t.posSets = append(t.posSets, set)
		t.qIDs = append(t.qIDs, t.m.queryIDs(q.Text))
		for _, p := range pos {
			t.examples = append(t.examples, example{q: qi, pos: p})
		}
		if t.neg.Hard > 0 {
			// Known hard negatives first, in file order.
			var negs []int
			seen := map[int]bool{}
			for _, pid := range t.ds.HardNegatives[q.ID] {
				if i, ok := pidx[pid]; ok && !set[i] && !seen[i] {
					negs = append(negs, i)
					seen[i] = true
				}
			}
			for e := len(t.examples) - len(pos); e < len(t.examples); e++ {
				t.examples[e].negs = negs
			}
		}
	}
	t.addPseudo()
	if len(t.examples) < 2 {
		return fmt.Errorf("train: need at least 2 training pairs with a relevant passage, found %d", len(t.examples))
	}
	t.pIDs = make([][]int, len(t.ds.Passages))
	if t.neg.Hard == 0 {
		return nil
	}
	t.k = min(t.neg.Hard, len(t.ds.Passages)-1)
	if t.k < 1 {
		return errors.New("train: hard negatives need a corpus of at least 2 passages")
	}
	// Top up with BM25 negatives (then random passages), once per query.
	need := false
	for _, ex := range t.examples {
		if len(ex.negs) < t.k {
			need = true
			break
		}
	}
	if !need {
		return nil
	}
	t.info(fmt.Sprintf("mining hard negatives with BM25 over %d passages", len(t.ds.Passages)))
	bm, err := sparse.NewBM25(t.ctx, t.ds.Passages, sparse.DefaultBM25(), nil)
	if err != nil {
		return fmt.Errorf("train: BM25 for hard negatives: %w", err)
	}
	mined := map[int][]int{}
	for e := range t.examples {
		ex := &t.examples[e]
		if len(ex.negs) >= t.k {
			ex.negs = ex.negs[:t.k]
			continue
		}
		if m, ok := mined[ex.q]; ok {
			ex.negs = m
			continue
		}
		if err := t.ctx.Err(); err != nil {
			return err
		}
		exclude := make(map[int]bool, len(t.posSets[ex.q])+len(ex.negs))
		for p := range t.posSets[ex.q] {
			exclude[p] = true
		}
		negs := append([]int(nil), ex.negs...)
		for _, n := range negs {
			exclude[n] = true
		}
		for _, n := range bm.MineHardNegatives(t.queries[ex.q], exclude, t.k-len(negs)) {
			negs = append(negs, n)
			exclude[n] = true
		}
		// BM25 only returns passages sharing a term: fill up with random ones.
		if free := len(t.ds.Passages) - len(exclude); len(negs) < t.k && free > 0 {
			rng := rand.New(rand.NewSource(t.cfg.Seed + int64(ex.q)))
			for _, n := range rng.Perm(len(t.ds.Passages)) {
				if len(negs) == t.k {
					break
				}
				if !exclude[n] {
					negs = append(negs, n)
					exclude[n] = true
				}
			}
		}
		mined[ex.q] = negs
		ex.negs = negs
	}
	return nil
}

// addPseudo appends cfg.Pseudo cropped pseudo-queries per passage (seeded per passage).
func (t *trainer) addPseudo() {
	if t.cfg.Pseudo <= 0 {
		return
	}
	for i, p := range t.ds.Passages {
		words := strings.Fields(p.Text)
		if len(words) == 0 {
			continue
		}
		rng := rand.New(rand.NewSource(t.cfg.Seed*7919 + int64(i)))
		for j := 0; j < t.cfg.Pseudo; j++ {
			q := cropSpan(words, rng)
			qi := len(t.queries)
			t.queries = append(t.queries, q)
			t.posSets = append(t.posSets, map[int]bool{i: true})
			t.qIDs = append(t.qIDs, t.m.queryIDs(q))
			t.examples = append(t.examples, example{q: qi, pos: i})
		}
	}
}

// cropSpan returns a random contiguous span of 4–12 words (all of them when shorter).
func cropSpan(words []string, rng *rand.Rand) string {
	n := len(words)
	if n <= 4 {
		return strings.Join(words, " ")
	}
	l := 4 + rng.Intn(min(12, n)-4+1)
	start := rng.Intn(n - l + 1)
	return strings.Join(words[start:start+l], " ")
}

// stepsPerEpoch: batches of `batch`; a last batch of 1 joins the one before it.
func stepsPerEpoch(n, batch int) (int, error) {
	if n < 2 {
		return 0, fmt.Errorf("train: need at least 2 training pairs, found %d", n)
	}
	full, r := n/batch, n%batch
	if r >= 2 || full == 0 {
		return full + 1, nil
	}
	return full, nil
}

// batchBounds returns the [lo, hi) ranges of an epoch's batches (see stepsPerEpoch).
func batchBounds(n, batch int) [][2]int {
	var out [][2]int
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		if hi-lo == 1 && len(out) > 0 {
			out[len(out)-1][1] = hi
			break
		}
		out = append(out, [2]int{lo, hi})
	}
	return out
}

// lrAt is linear warm-up to cfg.LR over the first ⌈warmup·T⌉ steps, then linear decay;
// step is 1-based, so no step runs at lr 0.
func lrAt(cfg Config, step, total int) float64 {
	warm := int(math.Ceil(cfg.Warmup * float64(total)))
	if step <= warm {
		return cfg.LR * float64(step) / float64(warm)
	}
	return cfg.LR * float64(total-step+1) / float64(total-warm)
}

func (t *trainer) passage(i int) []int {
	if t.pIDs[i] == nil {
		p := t.ds.Passages[i]
		t.pIDs[i] = t.m.passageIDs(p.Title, p.Text)
	}
	return t.pIDs[i]
}

// graph returns the compiled head graph for a batch of b queries.
func (t *trainer) graph(b int) (*head.Graph, error) {
	if g, ok := t.graphs[b]; ok {
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
	g, err := t.m.head.NewGraph(st, t.cfg.Losses, t.cfg.LearnTau)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	t.graphs[b] = g
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

// step runs one optimiser step on a batch and returns its StepEvent.
func (t *trainer) step(batch []example) (Event, error) {
	stepStart := time.Now()
	g, err := t.graph(len(batch))
	if err != nil {
		return Event{}, err
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

	nn.ZeroGrad(t.ps)
	d := t.m.head.D
	var qv, pv []float32
	var cq, cp *nn.Cache
	shared := t.m.encQ == t.m.encP
	if shared {
		out, c, err := t.m.encQ.Forward(append(append([][]int{}, qids...), pids...))
		if err != nil {
			return Event{}, fmt.Errorf("train: encoder: %w", err)
		}
		qv, pv, cq = out[:len(qids)*d], out[len(qids)*d:], c
	} else {
		if qv, cq, err = t.m.encQ.Forward(qids); err != nil {
			return Event{}, fmt.Errorf("train: query encoder: %w", err)
		}
		if pv, cp, err = t.m.encP.Forward(pids); err != nil {
			return Event{}, fmt.Errorf("train: passage encoder: %w", err)
		}
	}
	res, err := g.Run(qv, pv, valid)
	if err != nil {
		return Event{}, fmt.Errorf("train: head: %w", err)
	}
	step := t.st.Step + 1
	total := res.Total
	if t.lossHook != nil {
		total = t.lossHook(step, total)
	}
	if math.IsNaN(total) || math.IsInf(total, 0) {
		return Event{}, t.divergence(step, fmt.Sprintf("loss is %v (terms %v)", total, res.Terms))
	}
	if shared {
		if err := t.m.encQ.Backward(cq, append(res.DQ, res.DP...)); err != nil {
			return Event{}, fmt.Errorf("train: backward: %w", err)
		}
	} else {
		if err := t.m.encQ.Backward(cq, res.DQ); err != nil {
			return Event{}, fmt.Errorf("train: query backward: %w", err)
		}
		if err := t.m.encP.Backward(cp, res.DP); err != nil {
			return Event{}, fmt.Errorf("train: passage backward: %w", err)
		}
	}
	norm := nn.ClipGradNorm(t.ps, t.cfg.Clip)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return Event{}, t.divergence(step, fmt.Sprintf("gradient norm is %v", norm))
	}
	lr := lrAt(t.cfg, step, t.st.TotalSteps)
	t.opt.Step(t.ps, lr)
	t.m.head.ClampTau()
	t.st.Step = step
	t.st.OptSteps = t.opt.Steps
	dur := time.Since(stepStart).Seconds()
	return Event{
		Kind: StepEvent, Step: step, TotalSteps: t.st.TotalSteps, Epoch: t.st.Epoch + 1, Epochs: t.cfg.Epochs,
		Loss: total, Terms: res.Terms, PosScore: res.PosProb, NegScore: res.NegProb, LR: lr,
		ExamplesPerSec: float64(len(batch)) / max(dur, 1e-9), Elapsed: t.elapsed(), RunDir: t.dir,
	}, nil
}

func (t *trainer) divergence(step int, what string) error {
	kept := "no checkpoint was written yet"
	if t.st.Step > 0 && isRunDir(t.dir) {
		kept = fmt.Sprintf("the last good checkpoint in %s is kept", t.dir)
	}
	return fmt.Errorf("train: step %d diverged: %s; stopped without saving (%s) — try a lower lr or enable clip", step, what, kept)
}

func (t *trainer) elapsed() time.Duration { return t.prevEl + time.Since(t.start) }

func (t *trainer) loop() error {
	n, b := len(t.examples), t.cfg.Batch
	bounds := batchBounds(n, b)
	for t.st.Epoch < t.cfg.Epochs {
		epoch := t.st.Epoch
		perm := rand.New(rand.NewSource(t.cfg.Seed + int64(epoch))).Perm(n)
		for bi := t.st.StepInEpoch; bi < len(bounds); bi++ {
			if ctl := controlFrom(t.ctx); ctl != nil {
				if ctl.Paused() {
					t.info("paused")
				}
				waited, err := ctl.wait(t.ctx)
				t.start = t.start.Add(waited) // paused time is not training time
				if err == nil && waited > 0 {
					t.info("resumed")
				}
			}
			if err := t.ctx.Err(); err != nil {
				return t.stop(err)
			}
			batch := make([]example, 0, bounds[bi][1]-bounds[bi][0])
			for _, e := range perm[bounds[bi][0]:bounds[bi][1]] {
				batch = append(batch, t.examples[e])
			}
			ev, err := t.step(batch)
			if err != nil {
				return err
			}
			t.st.StepInEpoch = bi + 1
			t.record(map[string]any{"kind": "step", "step": ev.Step, "epoch": ev.Epoch, "loss": ev.Loss, "terms": ev.Terms,
				"pos": ev.PosScore, "neg": ev.NegScore, "lr": ev.LR, "examples_per_sec": ev.ExamplesPerSec})
			t.emit(ev)
		}
		t.st.Epoch, t.st.StepInEpoch = epoch+1, 0
		ev := Event{Kind: EpochEvent, Step: t.st.Step, TotalSteps: t.st.TotalSteps, Epoch: epoch + 1, Epochs: t.cfg.Epochs,
			Elapsed: t.elapsed(), RunDir: t.dir}
		if dev, err := t.devMetrics(); err != nil {
			if t.ctx.Err() != nil {
				return t.stop(t.ctx.Err())
			}
			ev.Message = "dev evaluation failed: " + err.Error()
		} else {
			ev.Dev = dev
		}
		t.record(map[string]any{"kind": "epoch", "epoch": epoch + 1, "step": t.st.Step, "dev": ev.Dev})
		if err := t.checkpoint(); err != nil {
			return err
		}
		t.emit(ev)
	}
	t.st.Finished = true
	return t.checkpoint()
}

// stop writes a checkpoint after a cancellation and returns the context's error.
func (t *trainer) stop(cause error) error {
	if t.st.Step > 0 {
		if err := t.checkpoint(); err != nil {
			return fmt.Errorf("%w (and the checkpoint failed: %v)", cause, err)
		}
	}
	return cause
}

// devMetrics evaluates the current model on the dev split (nil when there is none).
func (t *trainer) devMetrics() (map[string]float64, error) {
	if len(t.ds.Qrels[datasets.Dev]) == 0 {
		return nil, nil
	}
	ix, err := buildIndex(t.ctx, t.m, filepath.Base(t.dir), t.ds.Passages, nil)
	if err != nil {
		return nil, err
	}
	res, err := engine.Evaluate(t.ctx, ix, t.ds, datasets.Dev, metrics.DefaultKs, nil)
	if err != nil {
		return nil, err
	}
	return res.Metrics, nil
}

func (t *trainer) record(v map[string]any) {
	b, err := json.Marshal(v)
	if err != nil { // NaN in a metric: keep the line, without the values
		b, _ = json.Marshal(map[string]any{"kind": v["kind"], "step": v["step"], "error": err.Error()})
	}
	t.lines = append(t.lines, b)
}

// checkpoint writes weights, optimiser, metrics and then state.json (each atomically;
// state.json last, so it never points at files from another step).
func (t *trainer) checkpoint() error {
	meta := map[string]string{"step": fmt.Sprint(t.st.Step), "format": "arslab"}
	wb, err := EncodeSafetensors(toTensors(t.m.params(true)), meta)
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := writeAtomic(filepath.Join(t.dir, WeightsFile), wb); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	ob, err := EncodeSafetensors(toTensors(t.opt.State(t.ps)), meta)
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := writeAtomic(filepath.Join(t.dir, OptimizerFile), ob); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	var mb bytes.Buffer
	for _, l := range t.lines {
		mb.Write(l)
		mb.WriteByte('\n')
	}
	if err := writeAtomic(filepath.Join(t.dir, MetricsFile), mb.Bytes()); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	t.st.ElapsedSec = t.elapsed().Seconds()
	if err := writeJSONAtomic(filepath.Join(t.dir, StateFile), t.st); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	return nil
}

// restore loads weights, optimiser state, state.json and metrics.jsonl from the run folder.
func (t *trainer) restore() error {
	var st state
	sp := filepath.Join(t.dir, StateFile)
	b, err := os.ReadFile(sp)
	if err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("train: resume: %s: %w", sp, err)
	}
	if st.Examples != t.st.Examples || st.StepsPerEpoch != t.st.StepsPerEpoch {
		return fmt.Errorf("train: resume: %s was written for %d examples in %d steps/epoch, the data now gives %d in %d",
			sp, st.Examples, st.StepsPerEpoch, t.st.Examples, t.st.StepsPerEpoch)
	}
	wp := filepath.Join(t.dir, WeightsFile)
	wb, err := os.ReadFile(wp)
	if err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	ws, _, err := DecodeSafetensors(wb)
	if err != nil {
		return fmt.Errorf("train: resume: %s: %w", wp, err)
	}
	if err := setWeights(t.m.params(true), ws, wp); err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	op := filepath.Join(t.dir, OptimizerFile)
	ob, err := os.ReadFile(op)
	if err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	os_, _, err := DecodeSafetensors(ob)
	if err != nil {
		return fmt.Errorf("train: resume: %s: %w", op, err)
	}
	moments := make(map[string][]float32, len(os_))
	for _, x := range os_ {
		moments[x.Name] = x.Data
	}
	if err := t.opt.LoadState(t.ps, moments, st.OptSteps); err != nil {
		return fmt.Errorf("train: resume: %s: %w", op, err)
	}
	if f, err := os.Open(filepath.Join(t.dir, MetricsFile)); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
				t.lines = append(t.lines, append([]byte(nil), l...))
			}
		}
		f.Close()
	}
	t.st = st
	t.prevEl = time.Duration(st.ElapsedSec * float64(time.Second))
	t.info(fmt.Sprintf("resuming at step %d/%d (epoch %d)", st.Step, st.TotalSteps, st.Epoch+1))
	return nil
}

// emit sends ev unless the context is cancelled while the channel is full.
func (t *trainer) emit(ev Event) {
	if t.events == nil {
		return
	}
	select { // room in the channel: always deliver, even after a cancel
	case t.events <- ev:
		return
	default:
	}
	select {
	case t.events <- ev:
	case <-t.ctx.Done():
	}
}

func (t *trainer) info(msg string) {
	t.emit(Event{Kind: InfoEvent, Message: msg, Step: t.st.Step, TotalSteps: t.st.TotalSteps, RunDir: t.dir})
}

// done sends the DoneEvent; after a cancellation it waits at most doneSendTimeout.
func (t *trainer) done(err error) {
	if t.events == nil {
		return
	}
	ev := Event{Kind: DoneEvent, Err: err, Step: t.st.Step, TotalSteps: t.st.TotalSteps, Epoch: t.st.Epoch,
		Epochs: t.cfg.Epochs, Elapsed: t.elapsed(), RunDir: t.dir}
	if t.ctx.Err() == nil {
		t.events <- ev
		return
	}
	timer := time.NewTimer(doneSendTimeout)
	defer timer.Stop()
	select {
	case t.events <- ev:
	case <-timer.C:
	}
}
