package cross

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/sparse"
	"github.com/arslab/arslab/engine/tok"
	"github.com/arslab/arslab/engine/train"
)

// AdamW constants (torch defaults, as engine/train).
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// group is one training item: a query and its candidates with their grades.
type group struct {
	q      int // index into trainer.queries
	cands  []int
	grades []int
}

type trainer struct {
	ctx     context.Context
	cfg     Config
	loss    head.CrossLoss
	ds      *datasets.Dataset
	dir     string
	events  chan<- train.Event
	m       *Model
	queries []string
	groups  []group
	top     int // highest grade (BCE labels are grade/top)
	pairs   map[[2]int]Pair
	ps      []*nn.Param
	opt     *nn.AdamW
	st      ckpt.State
	lines   [][]byte
	start   time.Time
}

// Run trains a cross-encoder on ds's cfg.Split and writes the run folder outDir
// (config.json, vocab.txt, model.safetensors, optimizer.safetensors, state.json,
// metrics.jsonl; checkpoints at each epoch end and on cancel). Events are the dual-encoder
// trainer's (train.Event), so a lab.Job and the Training pane can follow either: StepEvent
// with Terms {"bce"|"listwise"}, PosScore/NegScore the mean σ of relevant and non-relevant
// candidates in the step; EpochEvent with Dev per-group metrics when cfg.DevSplit is set on
// a reranking set; DoneEvent last. An outDir already holding a model is refused.
//
// Groups: a reranking set (candidate groups) trains on each judged query's own candidates
// with their grades; a retrieval set on 1 positive + Negatives hard negatives per judged
// (query, positive): the dataset's hard negatives first, then BM25-mined ones (never a
// positive of the query), then seeded random passages.
func Run(ctx context.Context, cfg Config, ds *datasets.Dataset, outDir string, events chan<- train.Event) (err error) {
	t := &trainer{ctx: ctx, cfg: cfg, ds: ds, dir: outDir, events: events, pairs: map[[2]int]Pair{}, start: time.Now()}
	defer func() {
		t.emit(train.Event{Kind: train.DoneEvent, Err: err, Step: t.st.Step, TotalSteps: t.st.TotalSteps, Epoch: t.st.Epoch, Epochs: cfg.Epochs, Elapsed: time.Since(t.start), RunDir: outDir})
	}()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("train reranker: config: %w", err)
	}
	if ds == nil {
		return errors.New("train reranker: no dataset")
	}
	if ckpt.HasWeights(outDir) {
		return fmt.Errorf("train reranker: %s already holds a trained model; pick another folder", outDir)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("train reranker: run folder: %w", err)
	}
	t.loss, _ = head.ParseCrossLoss(cfg.Loss)
	if err := t.setup(); err != nil {
		return err
	}
	return t.loop()
}

func (t *trainer) emit(ev train.Event) {
	if t.events == nil {
		return
	}
	if ev.Kind == train.DoneEvent {
		select {
		case t.events <- ev:
		case <-time.After(time.Second):
		}
		return
	}
	select {
	case t.events <- ev:
	case <-t.ctx.Done():
	}
}

func (t *trainer) info(msg string) {
	t.emit(train.Event{Kind: train.InfoEvent, Message: msg, Step: t.st.Step, TotalSteps: t.st.TotalSteps, RunDir: t.dir})
}

func (t *trainer) setup() error {
	cfg := t.cfg
	var tk *tok.Tokenizer
	var err error
	switch {
	case cfg.Init != "":
		if tk, err = tok.Load(cfg.Init); err != nil {
			return fmt.Errorf("train reranker: init %s: tokenizer: %w", cfg.Init, err)
		}
	case cfg.TokenizerDir != "":
		if tk, err = tok.Load(cfg.TokenizerDir); err != nil {
			return fmt.Errorf("train reranker: tokenizer: %w", err)
		}
	default:
		t.info(fmt.Sprintf("training a %d-piece WordPiece vocabulary", cfg.Vocab))
		if tk, err = dense.TrainTokenizer(t.ds, cfg.Vocab); err != nil {
			return fmt.Errorf("train reranker: tokenizer: %w", err)
		}
	}
	if t.m, err = New(cfg, tk); err != nil {
		return fmt.Errorf("train reranker: model: %w", err)
	}
	t.m.Dir = t.dir
	if cfg.Init != "" {
		n, err := t.m.initFrom(cfg.Init)
		if err != nil {
			return fmt.Errorf("train reranker: %w", err)
		}
		t.info(fmt.Sprintf("encoder initialised from %s (%d tensors)", cfg.Init, n))
	}
	if err := t.buildGroups(); err != nil {
		return err
	}
	spe := (len(t.groups) + cfg.Batch - 1) / cfg.Batch
	t.ps = t.m.Params()
	t.opt = nn.NewAdamW(t.ps, adamBeta1, adamBeta2, adamEps, cfg.WeightDecay)
	t.st = ckpt.State{StepsPerEpoch: spe, TotalSteps: spe * cfg.Epochs, Examples: len(t.groups), Seed: cfg.Seed}
	if err := ckpt.WriteJSON(filepath.Join(t.dir, ckpt.ConfigFile), cfg); err != nil {
		return fmt.Errorf("train reranker: %w", err)
	}
	return tk.Save(t.dir)
}

// buildGroups collects the training groups of cfg.Split.
func (t *trainer) buildGroups() error {
	sp := datasets.Split(t.cfg.Split)
	qrels := t.ds.Qrels[sp]
	if len(qrels) == 0 {
		return fmt.Errorf("train reranker: dataset %q has no judged queries in split %q", t.ds.Name, sp)
	}
	pidx := t.ds.PassageIndex()
	qtext := map[string]string{}
	for _, q := range t.ds.Queries {
		qtext[q.ID] = q.Text
	}
	qids := make([]string, 0, len(qrels))
	for q := range qrels {
		qids = append(qids, q)
	}
	sort.Strings(qids)
	t.top = 1
	for _, q := range qids {
		for _, g := range qrels[q] {
			t.top = max(t.top, g)
		}
	}
	// The training corpus: the split's own passages when the dataset keeps splits apart
	// (negatives and pseudo-queries never come from another split's passages).
	corpus := make([]int, 0, len(t.ds.Passages))
	if ids, ok := t.ds.SplitPassages[sp]; ok {
		for _, id := range ids {
			if i, ok := pidx[id]; ok {
				corpus = append(corpus, i)
			}
		}
	} else {
		for i := range t.ds.Passages {
			corpus = append(corpus, i)
		}
	}
	var bm *sparse.BM25
	mine := func(qi int, text string, posSet map[int]bool, known []int) ([]int, error) {
		k := min(t.cfg.Negatives, len(corpus)-len(posSet))
		var negs []int
		exclude := map[int]bool{}
		for p := range posSet {
			exclude[p] = true
		}
		for _, i := range known {
			if !exclude[i] && len(negs) < k {
				negs = append(negs, i)
				exclude[i] = true
			}
		}
		if len(negs) >= k {
			return negs, nil
		}
		if bm == nil {
			t.info(fmt.Sprintf("mining hard negatives with BM25 over %d passages", len(corpus)))
			ps := make([]datasets.Passage, len(corpus))
			for j, i := range corpus {
				ps[j] = t.ds.Passages[i]
			}
			var err error
			if bm, err = sparse.NewBM25(t.ctx, ps, sparse.DefaultBM25(), nil); err != nil {
				return nil, fmt.Errorf("train reranker: BM25: %w", err)
			}
		}
		local := map[int]bool{}
		for j, i := range corpus {
			if exclude[i] {
				local[j] = true
			}
		}
		for _, j := range bm.MineHardNegatives(text, local, k-len(negs)) {
			negs = append(negs, corpus[j])
			exclude[corpus[j]] = true
		}
		rng := rand.New(rand.NewSource(t.cfg.Seed + int64(qi)))
		for _, j := range rng.Perm(len(corpus)) {
			if len(negs) >= k {
				break
			}
			if !exclude[corpus[j]] {
				negs = append(negs, corpus[j])
				exclude[corpus[j]] = true
			}
		}
		return negs, nil
	}
	for _, qid := range qids {
		text, ok := qtext[qid]
		if !ok {
			continue
		}
		judged := qrels[qid]
		qi := len(t.queries)
		t.queries = append(t.queries, text)
		if t.ds.IsRerank() {
			g := group{q: qi}
			for _, pid := range t.ds.Candidates[qid] {
				if i, ok := pidx[pid]; ok {
					g.cands, g.grades = append(g.cands, i), append(g.grades, max(0, judged[pid]))
				}
			}
			hasPos, hasNeg := false, false
			for _, gr := range g.grades {
				hasPos, hasNeg = hasPos || gr > 0, hasNeg || gr == 0
			}
			// listwise needs a relevant candidate; both need something to tell apart
			if len(g.cands) > 0 && (hasPos || t.loss == head.BCE) && (hasNeg || len(g.cands) > 1) {
				t.groups = append(t.groups, g)
			}
			continue
		}
		var pos []int
		posSet := map[int]bool{}
		for pid, gr := range judged {
			if i, ok := pidx[pid]; ok && gr > 0 {
				pos = append(pos, i)
				posSet[i] = true
			}
		}
		sort.Ints(pos)
		if len(pos) == 0 {
			continue
		}
		var known []int
		for _, pid := range t.ds.HardNegatives[qid] {
			if i, ok := pidx[pid]; ok {
				known = append(known, i)
			}
		}
		negs, err := mine(qi, text, posSet, known)
		if err != nil {
			return err
		}
		for _, p := range pos {
			g := group{q: qi, cands: append([]int{p}, negs...), grades: make([]int, 1+len(negs))}
			g.grades[0] = judged[t.ds.Passages[p].ID]
			t.groups = append(t.groups, g)
		}
	}
	if t.cfg.Pseudo > 0 && !t.ds.IsRerank() {
		for _, i := range corpus {
			words := strings.Fields(t.ds.Passages[i].Text)
			if len(words) == 0 {
				continue
			}
			rng := rand.New(rand.NewSource(t.cfg.Seed*7919 + int64(i)))
			for range t.cfg.Pseudo {
				q := cropSpan(words, rng)
				qi := len(t.queries)
				t.queries = append(t.queries, q)
				negs, err := mine(qi, q, map[int]bool{i: true}, nil)
				if err != nil {
					return err
				}
				g := group{q: qi, cands: append([]int{i}, negs...), grades: make([]int, 1+len(negs))}
				g.grades[0] = t.top
				t.groups = append(t.groups, g)
			}
		}
	}
	if len(t.groups) == 0 {
		return errNoGroups
	}
	return nil
}

func (t *trainer) pair(q, p int) Pair {
	k := [2]int{q, p}
	if pr, ok := t.pairs[k]; ok {
		return pr
	}
	ps := t.ds.Passages[p]
	ids, types := t.m.PairIDs(t.queries[q], ps.Title, ps.Text)
	t.pairs[k] = Pair{ids, types}
	return t.pairs[k]
}

// cropSpan returns a random contiguous span of 4–12 words (all of them when shorter), as
// engine/train's pseudo-queries.
func cropSpan(words []string, rng *rand.Rand) string {
	n := len(words)
	if n <= 4 {
		return strings.Join(words, " ")
	}
	l := 4 + rng.Intn(min(12, n)-4+1)
	start := rng.Intn(n - l + 1)
	return strings.Join(words[start:start+l], " ")
}

// lrAt is linear warm-up over ⌈warmup·T⌉ steps, then linear decay (as engine/train).
func lrAt(cfg Config, step, total int) float64 {
	warm := int(math.Ceil(cfg.Warmup * float64(total)))
	if step <= warm {
		return cfg.LR * float64(step) / float64(warm)
	}
	return cfg.LR * float64(total-step+1) / float64(total-warm)
}

func (t *trainer) loop() error {
	n, B := len(t.groups), t.cfg.Batch
	t.info(fmt.Sprintf("training a cross-encoder on %d groups (%s loss), %d steps", n, t.loss, t.st.TotalSteps))
	for t.st.Epoch < t.cfg.Epochs {
		epoch := t.st.Epoch
		perm := rand.New(rand.NewSource(t.cfg.Seed + int64(epoch))).Perm(n)
		for b0 := 0; b0 < n; b0 += B {
			if err := t.ctx.Err(); err != nil {
				return t.stop(err)
			}
			var batch []group
			for _, i := range perm[b0:min(b0+B, n)] {
				batch = append(batch, t.groups[i])
			}
			ev, err := t.step(batch)
			if err != nil {
				return err
			}
			ev.Epoch, ev.Epochs = epoch+1, t.cfg.Epochs
			t.st.StepInEpoch++
			t.record(map[string]any{"kind": "step", "step": ev.Step, "epoch": ev.Epoch, "loss": ev.Loss, "terms": ev.Terms,
				"pos": ev.PosScore, "neg": ev.NegScore, "lr": ev.LR, "examples_per_sec": ev.ExamplesPerSec})
			t.emit(ev)
		}
		t.st.Epoch, t.st.StepInEpoch = epoch+1, 0
		ev := train.Event{Kind: train.EpochEvent, Step: t.st.Step, TotalSteps: t.st.TotalSteps, Epoch: epoch + 1,
			Epochs: t.cfg.Epochs, Elapsed: time.Since(t.start), RunDir: t.dir}
		if dev, err := t.devMetrics(); err != nil {
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

func (t *trainer) stop(cause error) error {
	if t.st.Step > 0 {
		if err := t.checkpoint(); err != nil {
			return fmt.Errorf("%w (and the checkpoint failed: %v)", cause, err)
		}
	}
	return cause
}

func (t *trainer) checkpoint() error {
	t.st.OptSteps = t.opt.Steps
	t.st.ElapsedSec = time.Since(t.start).Seconds()
	if err := ckpt.Save(t.dir, ckpt.Checkpoint{Weights: t.ps, Optim: t.opt.State(t.ps), Metrics: t.lines, State: t.st}); err != nil {
		return fmt.Errorf("train reranker: checkpoint: %w", err)
	}
	return nil
}

func (t *trainer) record(v map[string]any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"kind": v["kind"], "step": v["step"], "error": err.Error()})
	}
	t.lines = append(t.lines, b)
}

// step runs forward, loss, backward and AdamW on one batch of groups.
func (t *trainer) step(batch []group) (train.Event, error) {
	began := time.Now()
	loss, logits, err := t.lossGrad(batch)
	if err != nil {
		return train.Event{}, err
	}
	norm := nn.ClipGradNorm(t.ps, t.cfg.Clip)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		nn.ZeroGrad(t.ps)
		return train.Event{}, fmt.Errorf("train reranker: step %d: gradient norm %g; stopped before changing the weights", t.st.Step+1, norm)
	}
	t.st.Step++
	lr := lrAt(t.cfg, t.st.Step, t.st.TotalSteps)
	t.opt.Step(t.ps, lr)
	nn.ZeroGrad(t.ps)
	var pos, neg float64
	var np, nneg int
	i := 0
	for _, g := range batch {
		for _, gr := range g.grades {
			if gr > 0 {
				pos += head.Sigmoid(logits[i])
				np++
			} else {
				neg += head.Sigmoid(logits[i])
				nneg++
			}
			i++
		}
	}
	ev := train.Event{Kind: train.StepEvent, Step: t.st.Step, TotalSteps: t.st.TotalSteps, Loss: loss,
		Terms: map[string]float64{string(t.loss): loss}, LR: lr, Elapsed: time.Since(t.start), RunDir: t.dir,
		ExamplesPerSec: float64(len(batch)) / time.Since(began).Seconds()}
	if np > 0 {
		ev.PosScore = pos / float64(np)
	}
	if nneg > 0 {
		ev.NegScore = neg / float64(nneg)
	}
	return ev, nil
}

// lossGrad computes the batch loss and accumulates its gradient into every Param.G.
func (t *trainer) lossGrad(batch []group) (float64, []float64, error) {
	var ids, types [][]int
	for _, g := range batch {
		for _, c := range g.cands {
			p := t.pair(g.q, c)
			ids, types = append(ids, p.IDs), append(types, p.Types)
		}
	}
	pooled, cache, err := t.m.Enc.ForwardTyped(ids, types)
	if err != nil {
		return 0, nil, fmt.Errorf("train reranker: %w", err)
	}
	logits := t.m.head(pooled, len(ids))
	var loss float64
	grad := make([]float64, len(logits))
	switch t.loss {
	case head.BCE:
		labels := make([]float64, 0, len(logits))
		for _, g := range batch {
			for _, gr := range g.grades {
				labels = append(labels, float64(gr)/float64(t.top))
			}
		}
		loss, grad, err = head.BCELoss(logits, labels)
	case head.Listwise:
		var groups, targets [][]float64
		i := 0
		for _, g := range batch {
			groups = append(groups, logits[i:i+len(g.cands)])
			targets = append(targets, head.GradedTarget(g.grades))
			i += len(g.cands)
		}
		var gs [][]float64
		loss, gs, err = head.ListwiseLoss(groups, targets)
		if err == nil {
			grad = slices.Concat(gs...)
		}
	}
	if err != nil {
		return 0, nil, fmt.Errorf("train reranker: %w", err)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return 0, nil, fmt.Errorf("train reranker: step %d: loss is %g; stopped before changing the weights", t.st.Step+1, loss)
	}
	H := len(t.m.W.W)
	dPooled := make([]float32, len(pooled))
	for i, gi := range grad {
		for j := 0; j < H; j++ {
			dPooled[i*H+j] = float32(gi) * t.m.W.W[j]
			t.m.W.G[j] += float32(gi) * pooled[i*H+j]
		}
		t.m.B.G[0] += float32(gi)
	}
	if err := t.m.Enc.Backward(cache, dPooled); err != nil {
		return 0, nil, err
	}
	return loss, logits, nil
}

// devMetrics scores the candidate groups of cfg.DevSplit (reranking sets only).
func (t *trainer) devMetrics() (map[string]float64, error) {
	sp := datasets.Split(t.cfg.DevSplit)
	if sp == "" || !t.ds.IsRerank() || len(t.ds.Qrels[sp]) == 0 {
		return nil, nil
	}
	run, err := RankGroups(t.ctx, t.m, t.ds, sp)
	if err != nil {
		return nil, err
	}
	pq, err := metrics.EvaluateRerankPerQuery(run, t.ds.Qrels[sp], metrics.Options{RelMin: t.ds.RelMinDefault})
	if err != nil {
		return nil, err
	}
	return pq.Means(), nil
}

// RankGroups reranks every candidate group of split with m (equal logits keep file order).
func RankGroups(ctx context.Context, m *Model, ds *datasets.Dataset, sp datasets.Split) (map[string][]string, error) {
	pidx := ds.PassageIndex()
	qtext := map[string]string{}
	for _, q := range ds.Queries {
		qtext[q.ID] = q.Text
	}
	run := map[string][]string{}
	for qid := range ds.Qrels[sp] {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var ps [][2]string
		var ids []string
		for _, pid := range ds.Candidates[qid] {
			if i, ok := pidx[pid]; ok {
				ps = append(ps, [2]string{ds.Passages[i].Title, ds.Passages[i].Text})
				ids = append(ids, pid)
			}
		}
		if len(ps) == 0 {
			continue
		}
		s, err := m.Score(qtext[qid], ps)
		if err != nil {
			return nil, err
		}
		order := make([]int, len(ids))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return s[order[a]] > s[order[b]] })
		out := make([]string, len(ids))
		for i, o := range order {
			out[i] = ids[o]
		}
		run[qid] = out
	}
	return run, nil
}
