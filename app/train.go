package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
)

func (e env) train(ctx context.Context, args []string) error {
	cfg := train.DefaultConfig()
	fs := e.newFlags("train")
	var dataList stringList
	fs.Var(&dataList, "data", "dataset path or \"demo\" (trains on its train split, reports dev metrics per epoch; default demo); "+
		"repeat it, with --target-dev, to train on several datasets at once")
	out := fs.String("out", "", "run folder to write (runs/NAME); required")
	resume := fs.Bool("resume", false, "continue the run in --out from its last checkpoint, with its saved config (flags given must agree)")
	losses := fs.String("loss", "", "loss terms and weights, e.g. infonce=1,dyn=0.5,reg=1e-4 or modinfonce=1,dyn=0.5 (default "+lab.FormatLosses(cfg.Losses)+
		"; terms are separated by , or + (a sweep grid needs +); a term without =W weighs 1, and the L2 term reg is ~250 on a fresh model, so give it ~1e-4)")
	trainSplit := fs.String("train-split", "train", "the split to train on (e.g. dev, for a SQuAD dev file); it is then not also the dev split")
	dev := fs.String("dev", "", "a separate dev dataset evaluated after each epoch (its dev split, else test, else all its questions)")
	ckptSteps := fs.Int("checkpoint-steps", 0, "also checkpoint every N optimiser steps (0 = off)")
	ckptEvery := fs.Duration("checkpoint-every", train.DefaultCheckpointEvery, "also checkpoint after this much training time (0 = off); with both off, at epoch ends only")
	fs.StringVar(&cfg.Preset, "preset", cfg.Preset, "encoder size: tiny or mini")
	fs.StringVar(&cfg.Mode, "mode", cfg.Mode, "dual (two encoders) or shared (one encoder with [Q]/[P] prefixes)")
	fs.StringVar(&cfg.Pooling, "pooling", cfg.Pooling, "cls or mean")
	fs.StringVar(&cfg.Head, "head", cfg.Head, "scoring head: ars, dot or cos")
	fs.IntVar(&cfg.H, "h", cfg.H, "ARS interaction size (0 = encoder hidden size)")
	fs.Float64Var(&cfg.Tau, "tau", cfg.Tau, "InfoNCE temperature")
	fs.BoolVar(&cfg.LearnTau, "learn-tau", cfg.LearnTau, "learn the temperature")
	fs.StringVar(&cfg.HeadInit, "head-init", cfg.HeadInit, "ARS head initialisation: sym (default; W_p = W_q, v = 1/√h) or linear (small W, large v: the untrained ARS score equals the dot product)")
	fs.StringVar(&cfg.Negatives, "negatives", cfg.Negatives, "hard:K (1 positive + K hard negatives), inbatch or both")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "epochs")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "queries per step")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "peak learning rate (AdamW)")
	fs.Float64Var(&cfg.WeightDecay, "wd", cfg.WeightDecay, "AdamW weight decay")
	fs.Float64Var(&cfg.Warmup, "warmup", cfg.Warmup, "fraction of steps for linear warm-up")
	fs.Float64Var(&cfg.Clip, "clip", cfg.Clip, "max gradient norm (0 = off)")
	fs.IntVar(&cfg.MaxLen, "max-len", cfg.MaxLen, "max tokens per text")
	fs.IntVar(&cfg.Vocab, "vocab", cfg.Vocab, "WordPiece vocabulary size when trained in-process")
	fs.StringVar(&cfg.TokenizerDir, "tokenizer", cfg.TokenizerDir, "folder with vocab.txt or tokenizer.json (instead of training one)")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "random seed")
	fs.StringVar(&cfg.Init, "init", cfg.Init, "start the encoders from a pre-trained checkpoint: a Hugging Face BERT folder (config.json + model.safetensors + vocab.txt/tokenizer.json, "+
		"sentence-transformers folders too), a folder written by arslab export, or a lab run folder; its tokenizer, sizes and (sentence-transformers) pooling are used, the head starts fresh")
	fs.IntVar(&cfg.Pseudo, "pseudo", cfg.Pseudo, "self-supervised pseudo-queries per passage (cropped spans; helps encoders trained from scratch)")
	fs.Float64Var(&cfg.Residual, "residual", cfg.Residual, "train on BM25's residual (CLEAR): add λ·BM25(q,p)/BM25(q,best) to each softmax logit, so the model learns what BM25 misses; "+
		"use it fused with BM25 (fuse:wsum:bm25+runs/X); needs --negatives hard:K (0 = off)")
	fs.StringVar(&cfg.Analyzer, "analyzer", cfg.Analyzer, "BM25 analyzer of the hard-negative mining and of --residual, e.g. stem=ar (default: the default analyzer)")
	dflags := addDataFlags(fs)
	mflags := addMixtureFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("train: unexpected argument %q", pos[0])}
	}
	if *out == "" {
		return usageError{"train: --out is required (e.g. --out runs/ars-demo)"}
	}
	if *resume {
		// Start from the saved config; the flags given on this command line are applied
		// again on top, and train.Run refuses the ones that differ from the saved run.
		var saved train.Config
		if err := ckpt.ReadJSON(filepath.Join(*out, ckpt.ConfigFile), &saved); err == nil {
			cfg = saved
			dataList = nil
			if _, err := parse(fs, args); err != nil {
				return err
			}
		} else if !errors.Is(err, iofs.ErrNotExist) {
			return fmt.Errorf("train: --resume: %w", err)
		}
	}
	if *losses != "" {
		if cfg.Losses, err = train.ParseLosses(*losses); err != nil {
			return usageError{"train: --loss: " + err.Error()}
		}
	}
	if cfg.Init != "" && cfg.Encoder == nil {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if set["preset"] {
			fmt.Fprintln(e.stderr, "init: --preset is ignored: the encoder has the checkpoint's sizes")
		}
		var notes []string
		if cfg, notes, err = train.ApplyInit(cfg, train.InitOptions{KeepPooling: set["pooling"], KeepMaxLen: set["max-len"]}); err != nil {
			return fmt.Errorf("train: %w", err)
		}
		for _, n := range notes {
			fmt.Fprintln(e.stderr, "init: "+n)
		}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{"train: " + err.Error()}
	}
	load, err := dflags.options()
	if err != nil {
		return err
	}
	opts := train.Options{Resume: *resume, CheckpointSteps: *ckptSteps, CheckpointEvery: *ckptEvery}
	if opts.CheckpointSteps == 0 && opts.CheckpointEvery == 0 {
		opts.CheckpointSteps = -1 // by steps only, and no step count: epoch ends only
	}
	if mflags.active(fs, len(dataList)) {
		if *trainSplit != string(datasets.Train) || *dev != "" {
			return usageError{"train: --train-split and --dev are for one dataset; with several --data give --target-dev"}
		}
		return e.trainMixture(ctx, fs, cfg, dataList, mflags, load, *out, opts)
	}
	data := "demo"
	if len(dataList) == 1 {
		data = dataList[0]
	}
	d, err := lab.LoadDataset(data, load)
	if err != nil {
		return err
	}
	if *trainSplit != string(datasets.Train) {
		if d, err = trainOn(d, datasets.Split(*trainSplit)); err != nil {
			return usageError{"train: --train-split: " + err.Error()}
		}
	}
	if *dev != "" {
		if opts.Dev, err = lab.LoadDataset(*dev, datasets.LoadOptions{}); err != nil {
			return fmt.Errorf("train: --dev: %w", err)
		}
		fmt.Fprintf(e.stderr, "dev: %s (%s split, %d questions, %d passages)\n", *dev, train.DevSplit(opts.Dev),
			len(opts.Dev.Qrels[train.DevSplit(opts.Dev)]), len(opts.Dev.Passages))
	}
	return e.follow(lab.TrainWith(ctx, cfg, d, *out, opts), cfg, *out)
}

// follow prints a training job's events and waits for it.
func (e env) follow(job *lab.Job, cfg train.Config, out string) error {
	start := time.Now()
	var avg float64
	lastPrint := time.Time{}
	for ev := range job.Events() {
		switch ev.Kind {
		case train.StepEvent:
			if time.Since(lastPrint) < 2*time.Second && ev.Step != ev.TotalSteps {
				continue
			}
			lastPrint = time.Now()
			fmt.Fprintln(e.stderr, formatStep(ev))
		case train.EpochEvent:
			switch {
			case ev.Message != "":
				fmt.Fprintf(e.stderr, "epoch %d/%d done: %s\n", ev.Epoch, ev.Epochs, ev.Message)
			case len(ev.Dev) == 0:
				fmt.Fprintf(e.stderr, "epoch %d/%d done in %s (no dev split to evaluate: give --dev PATH)\n", ev.Epoch, ev.Epochs, lab.FormatClock(ev.Elapsed))
			default:
				fmt.Fprintf(e.stderr, "epoch %d/%d done in %s: dev %s\n", ev.Epoch, ev.Epochs, lab.FormatClock(ev.Elapsed), lab.FormatMetrics(ev.Dev))
			}
		case train.InfoEvent:
			fmt.Fprintln(e.stderr, ev.Message)
		case train.PolicyEvent:
			fmt.Fprintln(e.stderr, formatPolicy(ev))
		case train.DoneEvent:
			avg = ev.ExamplesPerSec
			if ev.Message != "" {
				fmt.Fprintln(e.stderr, ev.Message)
			}
		}
	}
	err := job.Wait()
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(e.stderr, "stopped; the last checkpoint is in %s (continue with --resume)\n", out)
		return err
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "trained %s in %s (average %.1f ex/s over the steps) → %s\n", cfg.Head, time.Since(start).Round(time.Second), avg, out)
	return nil
}

func formatStep(ev train.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "step %d/%d epoch %d/%d loss %.4f", ev.Step, ev.TotalSteps, ev.Epoch, ev.Epochs, ev.Loss)
	names := make([]string, 0, len(ev.Terms))
	for k := range ev.Terms {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, " %s %.4f", k, ev.Terms[k])
	}
	fmt.Fprintf(&b, " pos %.3f neg %.3f lr %.2e %.1f ex/s", ev.PosScore, ev.NegScore, ev.LR, ev.ExamplesPerSec)
	if ev.ETA > 0 {
		fmt.Fprintf(&b, " ETA %s", ev.ETA.Round(time.Second))
	}
	return b.String()
}

// trainOn returns d with split sp (its passages only, when the dataset keeps per-split
// corpora) as the train split and no other split.
func trainOn(d *datasets.Dataset, sp datasets.Split) (*datasets.Dataset, error) {
	if len(d.Qrels[sp]) == 0 {
		return nil, fmt.Errorf("%s has no judged %q split", d.Name, sp)
	}
	sub, err := d.Subset(sp)
	if err != nil {
		return nil, err
	}
	out := *sub
	out.Qrels = map[datasets.Split]datasets.Qrels{datasets.Train: sub.Qrels[sp]}
	out.SplitPassages = nil
	return &out, nil
}
