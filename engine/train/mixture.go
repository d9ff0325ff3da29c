package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/nn"
)

// Multi-dataset ("mixture") training: every step draws one training set i with probability
// P(i) = softmax(ψ)ᵢ (sampler.go, infdds.go) and trains on the next batch of that set, whose
// hard negatives were mined in its own corpus. A target dev set is evaluated at epoch ends
// and, for infdds, gives the influence rewards.

// Files of a mixture run folder.
const (
	MixtureFile     = "mixture.json"       // the Mixture, beside config.json
	HistoryFile     = "mixture.jsonl"      // sampling weights, rewards and target-dev metrics over time
	mixtureStateCkp = "mixture-state.json" // in each checkpoint folder: ψ, RNG, cursors, counts
)

// Mixture is what a mixture run adds to Config; it is saved as mixture.json and a resumed
// run must give the same.
type Mixture struct {
	Sources     []string `json:"sources"`     // names of the training sets, in order
	Target      string   `json:"target"`      // name of the target dev set
	Sampler     string   `json:"sampler"`     // uniform | proportional | fixed:w1,…,wM | infdds
	Temperature float64  `json:"temperature"` // proportional: P(i) ∝ nᵢ^(1/T) (default 1)
	// Steps is the number of model steps (0: Epochs × ⌈Σ training pairs / Batch⌉). The run is
	// cut into Config.Epochs equal parts; the target dev set is evaluated and a checkpoint
	// written after each.
	Steps  int    `json:"steps"`
	InfDDS InfDDS `json:"infdds"` // the policy settings (Interval also spaces the history lines of static samplers)
}

// DefaultMixture samples uniformly with the default infdds settings.
func DefaultMixture() Mixture {
	return Mixture{Sampler: SamplerUniform, Temperature: 1, InfDDS: DefaultInfDDS()}
}

// Validate checks the settings for m sources.
func (x Mixture) Validate(m int) error {
	if len(x.Sources) != m {
		return fmt.Errorf("mixture: %d source names for %d datasets", len(x.Sources), m)
	}
	if m < 1 {
		return errors.New("mixture: no training datasets")
	}
	if x.Steps < 0 {
		return fmt.Errorf("mixture: steps %d: must be ≥ 0 (0 = from the epochs)", x.Steps)
	}
	if err := x.InfDDS.Validate(); err != nil {
		return fmt.Errorf("mixture: %w", err)
	}
	sizes := make([]int, m)
	for i := range sizes {
		sizes[i] = 1
	}
	if x.Sampler == SamplerInfDDS {
		if _, err := InitialPsi(x.InfDDS.Init, sizes, x.Temperature); err != nil {
			return fmt.Errorf("mixture: infdds init: %w", err)
		}
		return nil
	}
	if _, err := InitialPsi(x.Sampler, sizes, x.Temperature); err != nil {
		return fmt.Errorf("mixture: %w", err)
	}
	return nil
}

// MixtureInfo is the mixture part of an Event.
type MixtureInfo struct {
	Names   []string
	Weights []float64 // P(i) now
	Rewards []float64 // PolicyEvent of infdds: the round's influence rewards Rᵢ (nil otherwise)
	DevLoss float64   // PolicyEvent of infdds: J(θ, D^dev) before the proxy steps
	Counts  []int     // batches drawn from each dataset so far
	Source  int       // StepEvent: the dataset the step trained on
}

// RunMixture trains on several datasets at once (see Mixture) into outDir; target is the
// target dev set (its dev split, else test, else train: see DevSplit), which must not
// share questions with the training splits. opts.Dev is replaced by target. Resume restores
// ψ, the sampler's RNG, every dataset's position and the weight history.
func RunMixture(ctx context.Context, cfg Config, mix Mixture, sources []*datasets.Dataset, target *datasets.Dataset,
	outDir string, opts Options, events chan<- Event) error {
	var first *datasets.Dataset
	if len(sources) > 0 {
		first = sources[0]
	}
	t := newTrainer(ctx, cfg, first, outDir, events)
	t.opts = opts
	t.opts.Dev = target
	if opts.CheckpointSteps == 0 && opts.CheckpointEvery == 0 {
		t.opts.CheckpointEvery = DefaultCheckpointEvery
	}
	if opts.Now != nil {
		t.now = opts.Now
	}
	t.mix = &mixRun{cfg: mix, data: sources, target: target}
	return t.runMixture(opts.Resume)
}

// mixRun is the state of a mixture run besides the model.
type mixRun struct {
	cfg        Mixture
	data       []*datasets.Dataset
	target     *datasets.Dataset
	sources    []*corpus
	sizes      []int // labelled pairs per source
	dev        *corpus
	devBatches [][]example
	rng        *samplerRNG
	pol        policyState
	cursors    []cursor
	counts     []int
	perms      [][]int // cached shuffle of each source's current pass
	permOf     []int   // which pass perms[i] is (−1: none)
	inf        *trainerInfluence
	batchSize  int
	roundTook  time.Duration // the last policy round's duration (for the ETA)
}

// cursor is where a source's stream of batches stands: pass Epoch over a seeded shuffle of
// its examples, Pos examples into it.
type cursor struct {
	Epoch int `json:"epoch"`
	Pos   int `json:"pos"`
}

// mixState is the sampler part of a checkpoint (mixture-state.json).
type mixState struct {
	Step    int         `json:"step"`
	Policy  policyState `json:"policy"`
	RNG     string      `json:"rng"`
	Cursors []cursor    `json:"cursors"`
	Counts  []int       `json:"counts"`
}

func (t *trainer) runMixture(resume bool) (err error) {
	t.start = t.now()
	defer func() {
		for _, g := range t.graphs {
			g.Close()
		}
		t.done(err)
	}()
	mx := t.mix
	if err := mx.cfg.Validate(len(mx.data)); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if mx.target == nil {
		return errors.New("train: mixture: no target dev set")
	}
	if len(mx.target.Qrels[DevSplit(mx.target)]) == 0 {
		return fmt.Errorf("train: mixture: target dev set %s has no judged questions", mx.target.Name)
	}
	for i, d := range mx.data {
		if d == nil {
			return fmt.Errorf("train: mixture: dataset %d is missing", i+1)
		}
	}
	resuming, err := t.prepare(resume)
	if err != nil {
		return err
	}
	if err := t.mixSetup(resuming); err != nil {
		return err
	}
	if t.st.Finished {
		t.info("run already finished")
		return nil
	}
	return t.mixLoop()
}

// checkMixtureFolder refuses to resume a mixture run as a plain one and the reverse.
func (t *trainer) checkMixtureFolder(resuming bool) error {
	if !resuming {
		return nil
	}
	_, err := os.Stat(filepath.Join(t.dir, MixtureFile))
	has := err == nil
	switch {
	case has && t.mix == nil:
		return fmt.Errorf("train: resume: %s is a multi-dataset run (%s): resume it with its --data sets and --target-dev", t.dir, MixtureFile)
	case !has && t.mix != nil:
		return fmt.Errorf("train: resume: %s is a single-dataset run (no %s): resume it without --target-dev", t.dir, MixtureFile)
	}
	return nil
}

// tokenizerData is the training sets' passages and training questions, for the vocabulary.
func tokenizerData(srcs []*datasets.Dataset) *datasets.Dataset {
	u := &datasets.Dataset{Name: "mixture"}
	for _, d := range srcs {
		u.Passages = append(u.Passages, d.Passages...)
		judged := d.Qrels[datasets.Train]
		for _, q := range d.Queries {
			if _, ok := judged[q.ID]; ok {
				u.Queries = append(u.Queries, q)
			}
		}
	}
	return u
}

// labelledPairs counts d's (train question, relevant passage in the corpus) pairs.
func labelledPairs(d *datasets.Dataset) int {
	in := make(map[string]bool, len(d.Passages))
	for _, p := range d.Passages {
		in[p.ID] = true
	}
	n := 0
	for _, rel := range d.Qrels[datasets.Train] {
		for pid, g := range rel {
			if g > 0 && in[pid] {
				n++
			}
		}
	}
	return n
}

func (t *trainer) mixSetup(resuming bool) error {
	mx := t.mix
	tk, err := t.setupModel(resuming, tokenizerData(mx.data))
	if err != nil {
		return err
	}
	cfg := t.cfg // setupModel may fill in what --init implies
	total := 0
	for i, d := range mx.data {
		t.corpus = &corpus{ds: d}
		if err := t.buildExamples(); err != nil {
			return fmt.Errorf("%w (dataset %s)", err, mx.cfg.Sources[i])
		}
		mx.sources = append(mx.sources, t.corpus)
		mx.sizes = append(mx.sizes, labelledPairs(d))
		total += len(t.examples)
		t.info(fmt.Sprintf("dataset %s: %d labelled pairs, %d examples, %d passages", mx.cfg.Sources[i], mx.sizes[i], len(t.examples), len(d.Passages)))
	}
	t.corpus = mx.sources[0]
	if mx.cfg.Sampler == SamplerInfDDS {
		if err := t.buildDev(); err != nil {
			return err
		}
	}
	spec := mx.cfg.Sampler
	if spec == SamplerInfDDS {
		spec = mx.cfg.InfDDS.Init
	}
	if mx.pol.Psi, err = InitialPsi(spec, mx.sizes, mx.cfg.Temperature); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	steps := mx.cfg.Steps
	if steps == 0 {
		steps = cfg.Epochs * ((total + cfg.Batch - 1) / cfg.Batch)
	}
	if steps < cfg.Epochs {
		return fmt.Errorf("train: mixture: %d steps for %d epochs: need at least one step per epoch", steps, cfg.Epochs)
	}
	t.ps = t.trainable()
	t.opt = nn.NewAdamW(t.ps, adamBeta1, adamBeta2, adamEps, cfg.WeightDecay)
	t.st = ckpt.State{StepsPerEpoch: (steps + cfg.Epochs - 1) / cfg.Epochs, TotalSteps: steps, Examples: total, Seed: cfg.Seed}
	m := len(mx.data)
	mx.rng = newSamplerRNG(cfg.Seed)
	mx.cursors, mx.counts = make([]cursor, m), make([]int, m)
	mx.perms, mx.permOf = make([][]int, m), make([]int, m)
	for i := range mx.permOf {
		mx.permOf[i] = -1
	}
	mx.inf = &trainerInfluence{t: t, mx: mx}
	mx.batchSize = cfg.Batch
	path := filepath.Join(t.dir, MixtureFile)
	if resuming {
		var saved Mixture
		if err := ckpt.ReadJSON(path, &saved); err != nil {
			return fmt.Errorf("train: resume: %w", err)
		}
		if d := jsonDiff(saved, mx.cfg); d != "" {
			return fmt.Errorf("train: resume: %s differs from this run in %s", path, d)
		}
		if err := t.restore(); err != nil {
			return err
		}
		return t.mixRestore()
	}
	if err := t.writeRunFiles(tk); err != nil {
		return err
	}
	if err := ckpt.WriteJSON(path, mx.cfg); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return truncateHistory(filepath.Join(t.dir, HistoryFile), func(historyLine) bool { return false })
}

// buildDev builds the target-dev examples (no pseudo-queries) and the fixed batches of
// J(·, D^dev): a seeded shuffle, DevBatches batches of Batch examples.
func (t *trainer) buildDev() error {
	mx := t.mix
	tg := *mx.target
	tg.Qrels = map[datasets.Split]datasets.Qrels{datasets.Train: mx.target.Qrels[DevSplit(mx.target)]}
	tg.SplitPassages = nil
	cur, pseudo := t.corpus, t.cfg.Pseudo
	t.cfg.Pseudo = 0
	t.corpus = &corpus{ds: &tg}
	err := t.buildExamples()
	mx.dev, t.corpus, t.cfg.Pseudo = t.corpus, cur, pseudo
	if err != nil {
		return fmt.Errorf("%w (target dev set %s)", err, mx.cfg.Target)
	}
	ex := mx.dev.examples
	perm := rand.New(rand.NewSource(t.cfg.Seed + 7)).Perm(len(ex))
	b := t.cfg.Batch
	for lo := 0; lo < len(perm) && len(mx.devBatches) < mx.cfg.InfDDS.DevBatches; lo += b {
		hi := min(lo+b, len(perm))
		if hi-lo < 2 {
			break
		}
		batch := make([]example, 0, hi-lo)
		for _, e := range perm[lo:hi] {
			batch = append(batch, ex[e])
		}
		mx.devBatches = append(mx.devBatches, batch)
	}
	return nil
}

// mixRestore reads the sampler state of the current checkpoint and trims the history to it.
func (t *trainer) mixRestore() error {
	mx := t.mix
	cur, err := ckpt.Current(t.dir)
	if err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	path := filepath.Join(cur, mixtureStateCkp)
	var s mixState
	if err := ckpt.ReadJSON(path, &s); err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	m := len(mx.sources)
	switch {
	case s.Step != t.st.Step:
		return fmt.Errorf("train: resume: %s is for step %d, the checkpoint for step %d", path, s.Step, t.st.Step)
	case len(s.Policy.Psi) != m || len(s.Cursors) != m || len(s.Counts) != m:
		return fmt.Errorf("train: resume: %s holds %d datasets, this run has %d", path, len(s.Policy.Psi), m)
	}
	for i, c := range s.Cursors {
		if c.Pos < 0 || c.Pos > len(mx.sources[i].examples) || c.Epoch < 0 {
			return fmt.Errorf("train: resume: %s: position %d of dataset %s is outside its %d examples", path, c.Pos, mx.cfg.Sources[i], len(mx.sources[i].examples))
		}
	}
	if err := mx.rng.restore(s.RNG); err != nil {
		return fmt.Errorf("train: resume: %s: %w", path, err)
	}
	mx.pol, mx.cursors, mx.counts = s.Policy, s.Cursors, s.Counts
	step := t.st.Step
	return truncateHistory(filepath.Join(t.dir, HistoryFile), func(l historyLine) bool {
		// A policy line of step s is written before model step s+1, after the checkpoint of s.
		return l.Step < step || (l.Kind == "dev" && l.Step == step)
	})
}

// mixFiles is the sampler state written into each checkpoint folder (nil for plain runs).
func (t *trainer) mixFiles() (map[string][]byte, error) {
	if t.mix == nil {
		return nil, nil
	}
	mx := t.mix
	b, err := json.Marshal(mixState{Step: t.st.Step, Policy: mx.pol, RNG: mx.rng.state(), Cursors: mx.cursors, Counts: mx.counts})
	if err != nil {
		return nil, fmt.Errorf("mixture state: %w", err)
	}
	return map[string][]byte{mixtureStateCkp: b}, nil
}

// next returns the next batch of source i's stream: Batch examples of a seeded shuffle of its
// examples (pass e of source i shuffles with seed + 1000003·(i+1) + e); a pass ends when
// fewer than Batch examples are left (a source smaller than Batch gives all of it).
func (mx *mixRun) next(i int, seed int64, batch int) []example {
	ex := mx.sources[i].examples
	b := min(batch, len(ex))
	c := &mx.cursors[i]
	if c.Pos+b > len(ex) {
		c.Epoch, c.Pos = c.Epoch+1, 0
	}
	if mx.permOf[i] != c.Epoch {
		mx.perms[i] = rand.New(rand.NewSource(seed + 1000003*int64(i+1) + int64(c.Epoch))).Perm(len(ex))
		mx.permOf[i] = c.Epoch
	}
	out := make([]example, 0, b)
	for _, e := range mx.perms[i][c.Pos : c.Pos+b] {
		out = append(out, ex[e])
	}
	c.Pos += b
	return out
}

// randomBatch draws min(Batch, n) distinct examples of source i with the sampler's RNG (proxy steps).
func (mx *mixRun) randomBatch(i int) []example {
	ex := mx.sources[i].examples
	b := min(mx.batchSize, len(ex))
	seen := make(map[int]bool, b)
	out := make([]example, 0, b)
	for len(out) < b {
		e := mx.rng.IntN(len(ex))
		if !seen[e] {
			seen[e] = true
			out = append(out, ex[e])
		}
	}
	return out
}

func (mx *mixRun) info(kind int) *MixtureInfo {
	return &MixtureInfo{Names: mx.cfg.Sources, Weights: Softmax(mx.pol.Psi), Counts: append([]int(nil), mx.counts...), Source: kind}
}

// roundsLeft counts the policy rounds still to run after model step `step` (rounds run before
// steps 1, interval+1, 2·interval+1, … ≤ total).
func roundsLeft(step, total, interval int) int {
	if step >= total {
		return 0
	}
	return (total-1)/interval - (step-1)/interval
}

// epochEnd is the step after which epoch e (0-based) of a mixture run ends.
func epochEnd(e, total, epochs int) int {
	return int(math.Ceil(float64((e+1)*total) / float64(epochs)))
}

func (t *trainer) mixLoop() error {
	mx := t.mix
	hist := filepath.Join(t.dir, HistoryFile)
	for t.st.Step < t.st.TotalSteps {
		if err := t.between(); err != nil {
			return t.stop(err)
		}
		if t.st.Step%mx.cfg.InfDDS.Interval == 0 {
			if err := t.policyRound(hist); err != nil {
				if t.ctx.Err() != nil {
					return t.stop(t.ctx.Err())
				}
				return fmt.Errorf("train: step %d: %w", t.st.Step, err)
			}
		}
		i := pick(Softmax(mx.pol.Psi), mx.rng.Float64())
		batch := mx.next(i, t.cfg.Seed, t.cfg.Batch)
		t.corpus = mx.sources[i]
		ev, err := t.step(batch)
		if err != nil {
			return err
		}
		mx.counts[i]++
		t.st.StepInEpoch++
		ev.Mixture = mx.info(i)
		if mx.cfg.Sampler == SamplerInfDDS && ev.ETA > 0 {
			ev.ETA += mx.roundTook * time.Duration(roundsLeft(t.st.Step, t.st.TotalSteps, mx.cfg.InfDDS.Interval))
		}
		t.record(map[string]any{"kind": "step", "step": ev.Step, "epoch": ev.Epoch, "loss": ev.Loss, "terms": ev.Terms,
			"pos": ev.PosScore, "neg": ev.NegScore, "lr": ev.LR, "examples_per_sec": ev.ExamplesPerSec,
			"step_seconds": ev.StepTime.Seconds(), "source": mx.cfg.Sources[i]})
		t.emit(ev)
		if ev.Step == 1 {
			t.checkLossBalance(ev.Terms)
		}
		if t.st.Step == epochEnd(t.st.Epoch, t.st.TotalSteps, t.cfg.Epochs) {
			if err := t.mixEpochEnd(hist); err != nil {
				return err
			}
		} else if t.checkpointDue() {
			if err := t.checkpoint(); err != nil {
				return err
			}
		}
	}
	t.st.Finished = true
	return t.checkpoint()
}

// policyRound runs an infdds round (or, for a static sampler, only notes the weights) and
// appends its history line.
func (t *trainer) policyRound(hist string) error {
	mx := t.mix
	line := historyLine{Kind: "weights", Step: t.st.Step, Sampler: mx.cfg.Sampler}
	info := mx.info(-1)
	if mx.cfg.Sampler == SamplerInfDDS {
		start := t.now()
		rewards, base, err := mx.cfg.InfDDS.round(&mx.pol, mx.inf)
		if err != nil {
			return err
		}
		mx.roundTook = t.now().Sub(start)
		line.Rewards, line.DevLoss, line.Seconds = rewards, &base, mx.roundTook.Seconds()
		info = mx.info(-1)
		info.Rewards, info.DevLoss = rewards, base
	}
	line.Weights, line.Psi, line.Counts = info.Weights, append([]float64(nil), mx.pol.Psi...), info.Counts
	if err := appendHistory(hist, line); err != nil {
		return err
	}
	t.emit(Event{Kind: PolicyEvent, Step: t.st.Step, TotalSteps: t.st.TotalSteps, Epoch: t.st.Epoch + 1, Epochs: t.cfg.Epochs,
		Elapsed: t.elapsed(), RunDir: t.dir, Mixture: info})
	return nil
}

func (t *trainer) mixEpochEnd(hist string) error {
	mx := t.mix
	epoch := t.st.Epoch
	t.st.Epoch, t.st.StepInEpoch = epoch+1, 0
	ev := Event{Kind: EpochEvent, Step: t.st.Step, TotalSteps: t.st.TotalSteps, Epoch: epoch + 1, Epochs: t.cfg.Epochs,
		Elapsed: t.elapsed(), RunDir: t.dir, Mixture: mx.info(-1)}
	devStart := t.now()
	dev, err := t.devMetrics()
	if dev != nil {
		t.devTook = t.now().Sub(devStart)
	}
	if err != nil {
		if t.ctx.Err() != nil {
			return t.stop(t.ctx.Err())
		}
		ev.Message = "target dev evaluation failed: " + err.Error()
	} else {
		ev.Dev = dev
	}
	t.record(map[string]any{"kind": "epoch", "epoch": epoch + 1, "step": t.st.Step, "dev": ev.Dev})
	if err := appendHistory(hist, historyLine{Kind: "dev", Step: t.st.Step, Dev: ev.Dev, Weights: ev.Mixture.Weights, Counts: ev.Mixture.Counts}); err != nil {
		return err
	}
	if err := t.checkpoint(); err != nil {
		return err
	}
	t.emit(ev)
	return nil
}

// jsonDiff names the top-level JSON fields where a and b differ.
func jsonDiff(a, b any) string {
	var ma, mb map[string]json.RawMessage
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	var keys []string
	for k := range ma {
		keys = append(keys, k)
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := ""
	for _, k := range keys {
		if string(ma[k]) != string(mb[k]) {
			if out != "" {
				out += ", "
			}
			out += fmt.Sprintf("%s (%s vs %s)", k, ma[k], mb[k])
		}
	}
	return out
}
