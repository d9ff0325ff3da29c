package train

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/tok"
)

// Run trains on ds's train split, writing config.json and vocab.txt to outDir and
// checkpoints (model.safetensors, optimizer.safetensors, metrics.jsonl, state.json) into a
// new outDir/ckpt-<step>/ folder each, made current by switching the outDir/latest pointer
// atomically (ckpt.Save): every DefaultCheckpointEvery of training, at every epoch end, on
// cancel and at the end (RunWith's Options set the interval). events may be nil; Run
// never closes it and blocks on a full channel only while ctx is live (after a cancel,
// pending events are dropped and the DoneEvent waits at most a second). Cancelling ctx
// stops after the current step, checkpoints and returns ctx.Err(). A NaN/Inf loss or
// gradient stops the run with an error before the weights change, so the last
// checkpoint stays good. resume continues the checkpoint in outDir (same Config
// required); without resume an outDir holding a model is refused.
//
// Negatives: "hard:K" scores each query against its positive and K hard negatives
// (ds.HardNegatives first, then BM25-mined ones excluding all the query's positives,
// then seeded random passages; K is capped at corpus size − 1, missing ones masked).
// "inbatch" uses the other queries' positives; "both" scores every query against all
// B positives and all B·K hard negatives of the batch. Candidates that are positives
// of the query are masked out.
func Run(ctx context.Context, cfg Config, ds *datasets.Dataset, outDir string, resume bool, events chan<- Event) error {
	return RunWith(ctx, cfg, ds, outDir, Options{Resume: resume}, events)
}

// DefaultCheckpointEvery is how much training time may pass between two checkpoints when
// Options sets neither interval.
const DefaultCheckpointEvery = 5 * time.Minute

// Options are the settings of one Run that do not define the model: they are not saved in
// config.json and may change when a run is resumed.
type Options struct {
	Resume bool // continue the checkpoint in the run folder
	// A checkpoint is written at every epoch end, on cancel, at the end and, within an
	// epoch, after every CheckpointSteps steps and whenever CheckpointEvery of training time
	// has passed since the last one (0 and 0: every DefaultCheckpointEvery; negative: off).
	CheckpointSteps int
	CheckpointEvery time.Duration
	// Dev, when set, is evaluated after each epoch instead of the training set's dev split
	// (its dev split, else its test split, else all its judged queries, on its own passages).
	Dev *datasets.Dataset
	// Now is the clock for rates and ETA (tests); nil means time.Now.
	Now func() time.Time
}

// RunWith is Run with the settings of Options.
func RunWith(ctx context.Context, cfg Config, ds *datasets.Dataset, outDir string, opts Options, events chan<- Event) error {
	t := newTrainer(ctx, cfg, ds, outDir, events)
	t.opts = opts
	if opts.CheckpointSteps == 0 && opts.CheckpointEvery == 0 {
		t.opts.CheckpointEvery = DefaultCheckpointEvery
	}
	if opts.Now != nil {
		t.now = opts.Now
	}
	return t.run(opts.Resume)
}

// AdamW constants (as torch defaults).
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

type trainer struct {
	ctx    context.Context
	cfg    Config
	dir    string
	events chan<- Event

	m        *dense.Model
	losses   head.Weights
	neg      NegativeSpec
	*corpus  // the training data of the dataset being stepped on (mixture.go switches it)
	graphs   map[graphKey]*head.Graph
	ps       []*nn.Param
	opt      *nn.AdamW
	st       ckpt.State
	lines    [][]byte
	start    time.Time
	prevEl   time.Duration
	opts     Options
	now      func() time.Time
	meter    *Meter
	lastCkpt time.Duration // elapsed training time at the last checkpoint
	ckptStep int           // step of the last checkpoint
	devTook  time.Duration // how long the last epoch-end dev evaluation took

	mix *mixRun // a mixture run's sources and sampler (mixture.go); nil for one dataset

	// lossHook, when set (tests), may replace a step's total loss.
	lossHook func(step int, total float64) float64
}

func newTrainer(ctx context.Context, cfg Config, ds *datasets.Dataset, outDir string, events chan<- Event) *trainer {
	return &trainer{ctx: ctx, cfg: cfg, corpus: &corpus{ds: ds}, dir: outDir, events: events, graphs: map[graphKey]*head.Graph{},
		now: time.Now, meter: NewMeter(DefaultRateWindow, DefaultRateSpan)}
}

func (t *trainer) run(resume bool) (err error) {
	t.start = t.now()
	defer memoryTarget()()
	defer func() {
		for _, g := range t.graphs {
			g.Close()
		}
		t.done(err)
	}()
	resuming, err := t.prepare(resume)
	if err != nil {
		return err
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

// prepare validates the config and the run folder and reports whether a checkpoint there
// is to be resumed.
func (t *trainer) prepare(resume bool) (bool, error) {
	if err := t.cfg.Validate(); err != nil {
		return false, fmt.Errorf("train: config: %w", err)
	}
	if t.ds == nil {
		return false, errors.New("train: no dataset")
	}
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return false, fmt.Errorf("train: run folder: %w", err)
	}
	resuming := false
	if resume {
		_, _, err := ckpt.Open(t.dir)
		switch {
		case err == nil:
			resuming = true
		case errors.Is(err, ckpt.ErrNoCheckpoint) || errors.Is(err, fs.ErrNotExist):
			t.info("no checkpoint to resume in " + t.dir + ": starting from scratch")
		default:
			return false, fmt.Errorf("train: resume: %w", err)
		}
		if err := t.checkMixtureFolder(resuming); err != nil {
			return false, err
		}
	} else if ckpt.HasWeights(t.dir) {
		return false, fmt.Errorf("train: %s already holds a trained model; resume it or pick another folder", t.dir)
	}
	return resuming, nil
}

// setup builds the tokenizer, model, examples and optimiser (restoring a checkpoint when resuming).
func (t *trainer) setup(resuming bool) error {
	cfg := t.cfg
	tk, err := t.setupModel(resuming, t.ds)
	if err != nil {
		return err
	}
	cfg = t.cfg // setupModel may fill in what --init implies
	if msg := LengthReport(t.m, t.ds.Passages); msg != "" {
		t.info(msg)
	}
	if err := t.buildExamples(); err != nil {
		return err
	}
	spe, err := stepsPerEpoch(len(t.examples), cfg.Batch)
	if err != nil {
		return err
	}
	t.ps = t.trainable()
	t.opt = nn.NewAdamW(t.ps, adamBeta1, adamBeta2, adamEps, cfg.WeightDecay)
	t.st = ckpt.State{StepsPerEpoch: spe, TotalSteps: spe * cfg.Epochs, Examples: len(t.examples), Seed: cfg.Seed}
	if resuming {
		return t.restore()
	}
	return t.writeRunFiles(tk)
}

// writeRunFiles writes config.json and the vocabulary of a new run.
func (t *trainer) writeRunFiles(tk *tok.Tokenizer) error {
	if err := ckpt.WriteJSON(filepath.Join(t.dir, ckpt.ConfigFile), t.cfg); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := tk.Save(t.dir); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// setupModel checks a resumed run's config, loads or trains the tokenizer (on tokData's
// texts) and builds the model.
func (t *trainer) setupModel(resuming bool, tokData *datasets.Dataset) (*tok.Tokenizer, error) {
	cfg := t.cfg
	var tk *tok.Tokenizer
	var src *initSource
	var err error
	if t.neg, err = ParseNegatives(cfg.Negatives); err != nil {
		return nil, fmt.Errorf("train: config: %w", err)
	}
	switch {
	case resuming:
		var saved Config
		if err := ckpt.ReadJSON(filepath.Join(t.dir, ckpt.ConfigFile), &saved); err != nil {
			return nil, fmt.Errorf("train: resume: %w", err)
		}
		if cfg.Init != "" && cfg.Encoder == nil { // not prepared by ApplyInit: as the first run did
			if cfg, _, err = ApplyInit(cfg, InitOptions{}); err != nil {
				return nil, fmt.Errorf("train: resume: %w", err)
			}
			t.cfg = cfg
		}
		if d := configDiff(saved, cfg); d != "" {
			return nil, fmt.Errorf("train: resume: config differs from the saved run in %s", d)
		}
		if tk, err = dense.LoadTokenizer(t.dir, cfg.Arch()); err != nil {
			return nil, fmt.Errorf("train: resume: tokenizer: %w", err)
		}
	case cfg.Init != "":
		if src, err = openInit(cfg.Init); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		if cfg.Encoder == nil { // not prepared by ApplyInit
			var notes []string
			if cfg, notes, err = applySource(cfg, src, InitOptions{}); err != nil {
				return nil, fmt.Errorf("train: %w", err)
			}
			if err := cfg.Validate(); err != nil {
				return nil, fmt.Errorf("train: config: %w", err)
			}
			t.cfg = cfg
			for _, n := range notes {
				t.info("init: " + n)
			}
		} else if *cfg.Encoder != src.size {
			return nil, fmt.Errorf("train: init %s: the checkpoint's encoder %+v differs from the config's %+v", cfg.Init, src.size, *cfg.Encoder)
		}
		tk = src.tok
	case cfg.TokenizerDir != "":
		if tk, err = tok.Load(cfg.TokenizerDir); err != nil {
			return nil, fmt.Errorf("train: tokenizer: %w", err)
		}
	default:
		t.info(fmt.Sprintf("training a %d-piece WordPiece vocabulary", cfg.Vocab))
		if tk, err = dense.TrainTokenizer(tokData, cfg.Vocab); err != nil {
			return nil, fmt.Errorf("train: tokenizer: %w", err)
		}
	}
	if t.losses, err = head.NewWeights(cfg.Losses); err != nil {
		return nil, fmt.Errorf("train: config: %w", err)
	}
	if t.m, err = dense.New(cfg.Arch(), tk); err != nil {
		return nil, fmt.Errorf("train: model: %w", err)
	}
	t.m.Dir = t.dir
	if src != nil {
		if err := initModel(t.m, src, cfg.Init); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		t.info(fmt.Sprintf("encoders initialised from %s (%d tensors each, %d parameters); the %s head starts fresh (seed %d)",
			cfg.Init, len(t.m.EncQ.Params()), t.m.EncQ.NumParams(), cfg.Head, cfg.Seed+2))
	}
	return tk, nil
}

// trainable lists the parameters the optimiser updates: every model tensor, head.log_tau
// only when τ is learned.
func (t *trainer) trainable() []*nn.Param {
	var ps []*nn.Param
	for _, p := range t.m.Params() {
		if p.Name == "head.log_tau" && !t.cfg.LearnTau {
			continue
		}
		ps = append(ps, p)
	}
	return ps
}

// LengthReport says how many passages are longer than the model's MaxLen tokens and by how
// much ("" when none is): training, and indexing without windows, see only their first
// MaxLen tokens.
func LengthReport(m *dense.Model, passages []datasets.Passage) string {
	var over []int
	for _, p := range passages {
		if n := m.PassageLen(p.Title, p.Text); n > m.Arch.MaxLen {
			over = append(over, n)
		}
	}
	if len(over) == 0 {
		return ""
	}
	slices.Sort(over)
	return fmt.Sprintf("%d of %d passages (%.0f%%) are longer than --max-len %d tokens (median of those %d, longest %d): "+
		"training sees only their first %d tokens; evaluate with --windows to index them whole (best window scores)",
		len(over), len(passages), 100*float64(len(over))/float64(len(passages)), m.Arch.MaxLen,
		over[len(over)/2], over[len(over)-1], m.Arch.MaxLen)
}
