package pretrain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/sparse"
	"github.com/arslab/arslab/engine/tok"
	"github.com/arslab/arslab/engine/train"
)

// Options are the settings of one Run that do not define the model (not saved).
type Options struct {
	Resume bool // continue the checkpoint in the run folder
	// A checkpoint is written at every epoch end, on cancel, at the end, when the time
	// budget is spent and, between, after every CheckpointSteps steps and whenever
	// CheckpointEvery of training time has passed (0 and 0: every
	// train.DefaultCheckpointEvery; negative: off).
	CheckpointSteps int
	CheckpointEvery time.Duration
	// Budget > 0 stops the run (checkpointed, resumable) once this much training time has
	// passed in total; the learning-rate schedule still spans Config's steps or epochs.
	Budget time.Duration
	Now    func() time.Time // clock for rates, ETA and the budget (tests); nil: time.Now
}

// AdamW constants (torch defaults, as engine/train).
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// Passages gathers the passages of datasets in order, dropping repeats (same title and
// text) and passages without a word. Questions and judgements are never read.
func Passages(ds ...*datasets.Dataset) []datasets.Passage {
	seen := map[string]bool{}
	var out []datasets.Passage
	for _, d := range ds {
		for _, p := range d.Passages {
			key := p.Title + "\x00" + p.Text
			if seen[key] || len(dense.Normalize(p.Title+" "+p.Text)) == 0 {
				continue
			}
			seen[key] = true
			out = append(out, p)
		}
	}
	return out
}

type trainer struct {
	ctx      context.Context
	cfg      Config
	passages []datasets.Passage
	texts    []string // normalised title + text
	dir      string
	events   chan<- train.Event
	opts     Options
	now      func() time.Time

	m      *dense.Model
	encs   []*nn.Encoder // distinct encoders (one when shared)
	mlm    []*mlmHead    // one per encoder
	masker *Masker
	bm     *sparse.BM25
	idf    idfTable
	pIDs   [][]int
	ps     []*nn.Param // what AdamW updates
	opt    *nn.AdamW
	st     ckpt.State
	lines  [][]byte
	meter  *train.Meter

	start    time.Time
	prevEl   time.Duration
	lastCkpt time.Duration
	ckptStep int
	permFor  int
	perm     []int

	// lossHook, when set (tests), may replace a step's terms before the NaN check.
	lossHook func(step int, terms map[string]float64)
}

// Run pre-trains on passages into outDir (a lab run folder; see the package doc) and
// sends train.Event values on events (may be nil): a StepEvent per step with the
// objectives' unweighted losses in Terms (mlm, crop, bm25) and passages/s in
// ExamplesPerSec, an EpochEvent per pass over the passages, InfoEvents and one
// DoneEvent. Cancelling ctx stops after the current step with a checkpoint and returns
// ctx.Err(). A NaN/Inf loss or gradient stops the run before the weights change.
func Run(ctx context.Context, cfg Config, passages []datasets.Passage, outDir string, opts Options, events chan<- train.Event) (err error) {
	t := newTrainer(ctx, cfg, passages, outDir, opts, events)
	t.start = t.now()
	defer func() { t.done(err) }()
	return t.run()
}

func newTrainer(ctx context.Context, cfg Config, passages []datasets.Passage, outDir string, opts Options, events chan<- train.Event) *trainer {
	if cfg.Tau == 0 {
		cfg.Tau = DefaultTau(cfg.Head)
	}
	t := &trainer{ctx: ctx, cfg: cfg, passages: passages, dir: outDir, events: events, opts: opts, now: time.Now,
		meter: train.NewMeter(train.DefaultRateWindow, train.DefaultRateSpan), permFor: -1}
	if opts.Now != nil {
		t.now = opts.Now
	}
	if opts.CheckpointSteps == 0 && opts.CheckpointEvery == 0 {
		t.opts.CheckpointEvery = train.DefaultCheckpointEvery
	}
	return t
}

func (t *trainer) run() error {
	if err := t.cfg.Validate(); err != nil {
		return fmt.Errorf("pretrain: config: %w", err)
	}
	if len(t.passages) < t.cfg.Batch {
		return fmt.Errorf("pretrain: %d passages, fewer than one batch of %d", len(t.passages), t.cfg.Batch)
	}
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return fmt.Errorf("pretrain: run folder: %w", err)
	}
	resuming := false
	if t.opts.Resume {
		_, _, err := ckpt.Open(t.dir)
		switch {
		case err == nil:
			resuming = true
		case errors.Is(err, ckpt.ErrNoCheckpoint) || errors.Is(err, fs.ErrNotExist):
			t.info("no checkpoint to resume in " + t.dir + ": starting from scratch")
		default:
			return fmt.Errorf("pretrain: resume: %w", err)
		}
	} else if ckpt.HasWeights(t.dir) {
		return fmt.Errorf("pretrain: %s already holds a model; resume it (--resume) or pick another folder", t.dir)
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

// setup builds the tokenizer, model, MLM heads, BM25 teacher and optimiser.
func (t *trainer) setup(resuming bool) error {
	cfg := t.cfg
	var tk *tok.Tokenizer
	var err error
	switch {
	case resuming:
		var saved Config
		if err := ckpt.ReadJSON(filepath.Join(t.dir, ckpt.ConfigFile), &saved); err != nil {
			return fmt.Errorf("pretrain: resume: %w", err)
		}
		// Data only names where the passages came from (restore checks their count): a
		// moved dataset resumes.
		saved.Data, cfg.Data = nil, nil
		a, _ := json.Marshal(saved)
		b, _ := json.Marshal(cfg)
		if string(a) != string(b) {
			return fmt.Errorf("pretrain: resume: the config differs from the saved run's (%s):\nsaved %s\nnow   %s",
				filepath.Join(t.dir, ckpt.ConfigFile), a, b)
		}
		if tk, err = tok.Load(t.dir); err != nil {
			return fmt.Errorf("pretrain: resume: tokenizer: %w", err)
		}
	case cfg.TokenizerDir != "":
		if tk, err = tok.Load(cfg.TokenizerDir); err != nil {
			return fmt.Errorf("pretrain: tokenizer: %w", err)
		}
	default:
		t.info(fmt.Sprintf("training a %d-piece WordPiece vocabulary on %d passages", cfg.Vocab, len(t.passages)))
		if tk, err = dense.TrainTokenizer(&datasets.Dataset{Passages: t.passages}, cfg.Vocab); err != nil {
			return fmt.Errorf("pretrain: tokenizer: %w", err)
		}
	}
	if t.m, err = dense.New(cfg.Arch(), tk); err != nil {
		return fmt.Errorf("pretrain: model: %w", err)
	}
	t.m.Dir = t.dir
	if msg := train.LengthReport(t.m, t.passages); msg != "" {
		t.info(msg)
	}
	t.texts = make([]string, len(t.passages))
	t.pIDs = make([][]int, len(t.passages))
	for i, p := range t.passages {
		t.texts[i] = dense.Normalize(p.Title + " " + p.Text)
	}
	t.encs = []*nn.Encoder{t.m.EncQ}
	prefixes := []string{"mlm."}
	if !t.m.Shared() {
		t.encs = append(t.encs, t.m.EncP)
		prefixes = []string{"mlm.query.", "mlm.passage."}
	}
	if cfg.weight(MLM) > 0 {
		mask, ok := tk.ID(tok.MaskToken)
		if !ok {
			return fmt.Errorf("pretrain: mlm: the vocabulary has no %s token", tok.MaskToken)
		}
		var specials []int
		for _, s := range []string{tok.PadToken, tok.UnkToken, tok.CLSToken, tok.SEPToken, tok.MaskToken, tok.QueryToken, tok.PassageToken} {
			if id, ok := tk.ID(s); ok {
				specials = append(specials, id)
			}
		}
		t.masker = NewMasker(cfg.MaskProb, mask, tk.VocabSize(), specials)
		for i, e := range t.encs {
			t.mlm = append(t.mlm, newMLMHead(prefixes[i], e.Config(), cfg.Seed+3+int64(i)))
		}
	}
	if cfg.weight(BM25) > 0 {
		t.info(fmt.Sprintf("indexing %d passages with BM25 (the bm25 objective's teacher)", len(t.passages)))
		if t.bm, err = sparse.NewBM25(t.ctx, t.passages, sparse.DefaultBM25(), nil); err != nil {
			return fmt.Errorf("pretrain: bm25: %w", err)
		}
		t.idf = newIDF(t.texts)
	}
	for _, p := range t.m.Params() {
		if p.Name != "head.log_tau" {
			t.ps = append(t.ps, p)
		}
	}
	for _, h := range t.mlm {
		t.ps = append(t.ps, h.params...)
	}
	t.opt = nn.NewAdamW(t.ps, adamBeta1, adamBeta2, adamEps, cfg.WeightDecay)
	spe := len(t.passages) / cfg.Batch
	total := spe * cfg.Epochs
	if cfg.Steps > 0 {
		total = cfg.Steps
	}
	t.st = ckpt.State{StepsPerEpoch: spe, TotalSteps: total, Examples: len(t.passages), Seed: cfg.Seed}
	if resuming {
		return t.restore()
	}
	if err := ckpt.WriteJSON(filepath.Join(t.dir, ckpt.ConfigFile), cfg); err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	if err := tk.Save(t.dir); err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	return nil
}

// epochs is how many passes over the passages the run makes (the last may be partial).
func (t *trainer) epochs() int {
	return (t.st.TotalSteps + t.st.StepsPerEpoch - 1) / t.st.StepsPerEpoch
}

// lrAt is the run's learning rate at 1-based step: the fine-tuning trainer's schedule.
func lrAt(cfg Config, step, total int) float64 {
	return train.LinearSchedule(cfg.LR, cfg.Warmup, step, total)
}

// stepRNG is the randomness of one step: a fixed function of the seed and the step, so a
// resumed run draws what an uninterrupted one does.
func stepRNG(seed int64, step int) *rand.Rand {
	return rand.New(rand.NewSource(seed*1_000_003 + int64(step)*7_919 + 1))
}

// batch returns the passages of the step after t.st.Step: the epoch's seeded shuffle
// (seed + epoch, as engine/train), cut into full batches.
func (t *trainer) batch() []int {
	spe, b := t.st.StepsPerEpoch, t.cfg.Batch
	epoch, bi := t.st.Step/spe, t.st.Step%spe
	if t.permFor != epoch {
		t.perm = rand.New(rand.NewSource(t.cfg.Seed + int64(epoch))).Perm(len(t.passages))
		t.permFor = epoch
	}
	return t.perm[bi*b : (bi+1)*b]
}

func (t *trainer) passage(i int) []int {
	if t.pIDs[i] == nil {
		p := t.passages[i]
		t.pIDs[i] = t.m.PassageIDs(p.Title, p.Text)
	}
	return t.pIDs[i]
}

func (t *trainer) elapsed() time.Duration { return t.prevEl + t.now().Sub(t.start) }

// loop runs the remaining steps.
func (t *trainer) loop() error {
	spe := t.st.StepsPerEpoch
	for t.st.Step < t.st.TotalSteps {
		if ctl := train.ControlFrom(t.ctx); ctl != nil {
			if ctl.Paused() {
				t.info("paused")
			}
			waited, err := ctl.Wait(t.ctx)
			t.start = t.start.Add(waited)
			if waited > 0 {
				t.meter.Skip()
				if err == nil {
					t.info("resumed")
				}
			}
		}
		if err := t.ctx.Err(); err != nil {
			return t.stop(err)
		}
		if b := t.opts.Budget; b > 0 && t.elapsed() >= b {
			t.info(fmt.Sprintf("time budget of %s spent at step %d/%d: checkpointed (continue with --resume)",
				b, t.st.Step, t.st.TotalSteps))
			return t.checkpoint()
		}
		ev, err := t.step(t.batch())
		if err != nil {
			return err
		}
		t.st.Epoch, t.st.StepInEpoch = t.st.Step/spe, t.st.Step%spe
		t.emit(ev)
		last := t.st.Step == t.st.TotalSteps
		if t.st.StepInEpoch == 0 {
			t.emit(train.Event{Kind: train.EpochEvent, Step: t.st.Step, TotalSteps: t.st.TotalSteps, Epoch: t.st.Epoch,
				Epochs: t.epochs(), Elapsed: t.elapsed(), RunDir: t.dir})
			t.record(map[string]any{"kind": "epoch", "epoch": t.st.Epoch, "step": t.st.Step})
		}
		if !last && (t.st.StepInEpoch == 0 || t.checkpointDue()) {
			if err := t.checkpoint(); err != nil {
				return err
			}
		}
	}
	t.st.Finished = true
	return t.checkpoint()
}

func (t *trainer) checkpointDue() bool {
	if n := t.opts.CheckpointSteps; n > 0 && t.st.Step-t.ckptStep >= n {
		return true
	}
	if d := t.opts.CheckpointEvery; d > 0 && t.elapsed()-t.lastCkpt >= d {
		return true
	}
	return false
}

// stop checkpoints after a cancellation and returns its cause.
func (t *trainer) stop(cause error) error {
	if t.st.Step > 0 {
		if err := t.checkpoint(); err != nil {
			return fmt.Errorf("%w (and the checkpoint failed: %v)", cause, err)
		}
	}
	return cause
}

func (t *trainer) record(v map[string]any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"kind": v["kind"], "step": v["step"], "error": err.Error()})
	}
	t.lines = append(t.lines, b)
}
