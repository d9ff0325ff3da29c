package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
)

func (e env) train(ctx context.Context, args []string) error {
	cfg := train.DefaultConfig()
	fs := e.newFlags("train")
	data := fs.String("data", "demo", "dataset path or \"demo\" (trains on its train split, reports dev metrics per epoch)")
	out := fs.String("out", "", "run folder to write (runs/NAME); required")
	resume := fs.Bool("resume", false, "continue the run in --out from its last checkpoint")
	losses := fs.String("loss", "", "loss terms and weights, e.g. infonce,dyn,reg or modinfonce=1,dyn=0.5 (default "+lab.FormatLosses(cfg.Losses)+")")
	fs.StringVar(&cfg.Preset, "preset", cfg.Preset, "encoder size: tiny or mini")
	fs.StringVar(&cfg.Mode, "mode", cfg.Mode, "dual (two encoders) or shared (one encoder with [Q]/[P] prefixes)")
	fs.StringVar(&cfg.Pooling, "pooling", cfg.Pooling, "cls or mean")
	fs.StringVar(&cfg.Head, "head", cfg.Head, "scoring head: ars, dot or cos")
	fs.IntVar(&cfg.H, "h", cfg.H, "ARS interaction size (0 = encoder hidden size)")
	fs.Float64Var(&cfg.Tau, "tau", cfg.Tau, "InfoNCE temperature")
	fs.BoolVar(&cfg.LearnTau, "learn-tau", cfg.LearnTau, "learn the temperature")
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
	fs.IntVar(&cfg.Pseudo, "pseudo", cfg.Pseudo, "self-supervised pseudo-queries per passage (cropped spans; helps encoders trained from scratch)")
	dflags := addDataFlags(fs)
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
	if *losses != "" {
		if cfg.Losses, err = train.ParseLosses(*losses); err != nil {
			return usageError{"train: --loss: " + err.Error()}
		}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{"train: " + err.Error()}
	}
	load, err := dflags.options()
	if err != nil {
		return err
	}
	d, err := lab.LoadDataset(*data, load)
	if err != nil {
		return err
	}
	start := time.Now()
	job := lab.Train(ctx, cfg, d, *out, *resume)
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
			fmt.Fprintf(e.stderr, "epoch %d/%d done: dev %s\n", ev.Epoch, ev.Epochs, lab.FormatMetrics(ev.Dev))
		case train.InfoEvent:
			fmt.Fprintln(e.stderr, ev.Message)
		case train.DoneEvent:
			if ev.Message != "" {
				fmt.Fprintln(e.stderr, ev.Message)
			}
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
	fmt.Fprintf(e.stdout, "trained %s in %s → %s\n", cfg.Head, time.Since(start).Round(time.Second), *out)
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
	if ev.ExamplesPerSec > 0 && ev.TotalSteps > ev.Step && ev.Step > 0 {
		perStep := ev.Elapsed / time.Duration(ev.Step)
		fmt.Fprintf(&b, " ETA %s", (perStep * time.Duration(ev.TotalSteps-ev.Step)).Round(time.Second))
	}
	return b.String()
}
