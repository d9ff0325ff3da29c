package app

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/pretrain"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
)

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func (e env) pretrain(ctx context.Context, args []string) error {
	cfg := pretrain.DefaultConfig()
	fs := e.newFlags("pretrain")
	var data multiFlag
	fs.Var(&data, "data", "dataset whose passages are pre-trained on (repeat for several; questions and qrels are never read)")
	out := fs.String("out", "", "run folder to write (runs/NAME); required")
	resume := fs.Bool("resume", false, "continue the run in --out from its last checkpoint (flags given must agree with its config)")
	objectives := fs.String("objectives", "", "objectives and weights (default "+pretrain.FormatObjectives(cfg.Objectives)+"): mlm, crop, bm25")
	minutes := fs.Float64("minutes", 0, "stop (checkpointed, resumable) after this many minutes of training (0 = no limit)")
	ckptSteps := fs.Int("checkpoint-steps", 0, "also checkpoint every N steps (0 = off)")
	ckptEvery := fs.Duration("checkpoint-every", train.DefaultCheckpointEvery, "also checkpoint after this much training time (0 = off)")
	fs.StringVar(&cfg.Preset, "preset", cfg.Preset, "encoder size: tiny or mini")
	fs.StringVar(&cfg.Mode, "mode", cfg.Mode, "shared (one encoder, [Q]/[P] prefixes) or dual")
	fs.StringVar(&cfg.Pooling, "pooling", cfg.Pooling, "mean or cls")
	fs.StringVar(&cfg.Head, "head", cfg.Head, "scoring head of crop and bm25: dot, cos or ars")
	fs.IntVar(&cfg.H, "h", cfg.H, "ARS interaction size (0 = hidden size)")
	fs.Float64Var(&cfg.Tau, "tau", cfg.Tau, "student temperature of crop and bm25 (0 = 1 for dot, 0.05 for cos and ars)")
	fs.Float64Var(&cfg.MaskProb, "mask-prob", cfg.MaskProb, "share of word pieces mlm predicts")
	fs.StringVar(&cfg.View, "view", cfg.View, "crop views: crop (independent crops), ict (sentence vs rest) or both")
	fs.IntVar(&cfg.BM25K, "bm25-k", cfg.BM25K, "BM25 teacher list length")
	fs.Float64Var(&cfg.BM25T, "bm25-t", cfg.BM25T, "BM25 teacher temperature")
	fs.IntVar(&cfg.BM25Q, "bm25-queries", cfg.BM25Q, "pseudo-queries per step for bm25")
	fs.Float64Var(&cfg.BM25Salient, "bm25-salient", cfg.BM25Salient, "share of pseudo-queries made of salient words (the rest are spans)")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "passes over the passages")
	fs.IntVar(&cfg.Steps, "steps", cfg.Steps, "optimiser steps (overrides --epochs when > 0)")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "passages per step")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "peak learning rate (AdamW)")
	fs.Float64Var(&cfg.WeightDecay, "wd", cfg.WeightDecay, "AdamW weight decay")
	fs.Float64Var(&cfg.Warmup, "warmup", cfg.Warmup, "fraction of steps for linear warm-up")
	fs.Float64Var(&cfg.Clip, "clip", cfg.Clip, "max gradient norm (0 = off)")
	fs.IntVar(&cfg.MaxLen, "max-len", cfg.MaxLen, "max tokens per text")
	fs.IntVar(&cfg.Vocab, "vocab", cfg.Vocab, "WordPiece vocabulary size (trained on the passages)")
	fs.StringVar(&cfg.TokenizerDir, "tokenizer", cfg.TokenizerDir, "folder with vocab.txt or tokenizer.json (instead of training one)")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "random seed")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("pretrain: unexpected argument %q", pos[0])}
	}
	if *out == "" {
		return usageError{"pretrain: --out is required (e.g. --out runs/pre-ar)"}
	}
	if *minutes < 0 || math.IsNaN(*minutes) {
		return usageError{fmt.Sprintf("pretrain: --minutes %g: must be ≥ 0 (0 = no limit)", *minutes)}
	}
	if *resume {
		// Start from the saved config (its --data included); the flags given are applied again
		// on top, and pretrain.Run refuses the ones that differ from the saved run.
		var saved pretrain.Config
		if err := ckpt.ReadJSON(filepath.Join(*out, ckpt.ConfigFile), &saved); err == nil {
			cfg = saved
			data = nil
			if _, err := parse(fs, args); err != nil {
				return err
			}
			if len(data) == 0 {
				data = saved.Data
			}
		} else if !errors.Is(err, iofs.ErrNotExist) {
			return fmt.Errorf("pretrain: --resume: %w", err)
		}
	}
	if len(data) == 0 {
		data = multiFlag{"demo"}
	}
	cfg.Data = data
	if *objectives != "" {
		if cfg.Objectives, err = pretrain.ParseObjectives(*objectives); err != nil {
			return usageError{"pretrain: --objectives: " + err.Error()}
		}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{"pretrain: " + err.Error()}
	}
	var ds []*datasets.Dataset
	for _, p := range data {
		d, err := lab.LoadDataset(p, datasets.LoadOptions{})
		if err != nil {
			return err
		}
		ds = append(ds, d)
	}
	passages := pretrain.Passages(ds...)
	fmt.Fprintf(e.stderr, "pre-training on %d passages of %d dataset(s) (questions and judgements not used); objectives %s\n",
		len(passages), len(ds), pretrain.FormatObjectives(cfg.Objectives))
	opts := pretrain.Options{Resume: *resume, CheckpointSteps: *ckptSteps, CheckpointEvery: *ckptEvery,
		Budget: time.Duration(*minutes * float64(time.Minute))}
	if opts.CheckpointSteps == 0 && opts.CheckpointEvery == 0 {
		opts.CheckpointSteps = -1
	}
	start := time.Now()
	job := lab.Pretrain(ctx, cfg, ds, *out, opts)
	var avg float64
	lastPrint := time.Time{}
	for ev := range job.Events() {
		switch ev.Kind {
		case train.StepEvent:
			if time.Since(lastPrint) < 2*time.Second && ev.Step != ev.TotalSteps {
				continue
			}
			lastPrint = time.Now()
			fmt.Fprintln(e.stderr, formatPretrainStep(ev))
		case train.EpochEvent:
			fmt.Fprintf(e.stderr, "pass %d/%d over the passages done in %s\n", ev.Epoch, ev.Epochs, lab.FormatClock(ev.Elapsed))
		case train.InfoEvent:
			fmt.Fprintln(e.stderr, ev.Message)
		case train.DoneEvent:
			avg = ev.ExamplesPerSec
		}
	}
	err = job.Wait()
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(e.stderr, "stopped; the last checkpoint is in %s (continue with --resume)\n", *out)
		return err
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "pre-trained %s/%s in %s (average %.1f passages/s over the steps) → %s\n",
		cfg.Preset, cfg.Head, time.Since(start).Round(time.Second), avg, *out)
	return nil
}

func formatPretrainStep(ev train.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "step %d/%d pass %d/%d loss %.4f", ev.Step, ev.TotalSteps, ev.Epoch, ev.Epochs, ev.Loss)
	for _, k := range []string{pretrain.MLM, pretrain.Crop, pretrain.BM25} {
		if v, ok := ev.Terms[k]; ok {
			fmt.Fprintf(&b, " %s %.4f", k, v)
		}
	}
	fmt.Fprintf(&b, " lr %.2e %.1f passages/s", ev.LR, ev.ExamplesPerSec)
	if ev.ETA > 0 {
		fmt.Fprintf(&b, " ETA %s", ev.ETA.Round(time.Second))
	}
	return b.String()
}
