package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"path/filepath"
	"strings"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
)

// Multi-dataset training from the command line: several --data, a --target-dev, a sampler.

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// mixFlags are train's multi-dataset flags; their defaults are train.DefaultMixture's.
type mixFlags struct {
	target      *string
	holdout     *float64
	holdoutSeed *int64
	mix         train.Mixture
}

func addMixtureFlags(fs *flag.FlagSet) *mixFlags {
	m := &mixFlags{mix: train.DefaultMixture()}
	d := &m.mix
	m.target = fs.String("target-dev", "", "multi-dataset training: the target dev set, evaluated after each epoch and, for infdds, the source of the rewards "+
		"(its dev split, else test, else all its questions); with --target-dev-holdout, one of the --data sets")
	m.holdout = fs.Float64("target-dev-holdout", 0, "hold out this fraction of the --target-dev set's questions (seeded, by question) as the target dev set "+
		"and train on the rest (the --target-dev path must be one of the --data sets)")
	m.holdoutSeed = fs.Int64("target-dev-seed", 42, "seed of the --target-dev-holdout permutation")
	fs.StringVar(&d.Sampler, "sampler", d.Sampler, "how each batch's dataset is drawn: uniform, proportional (P ∝ pairs^(1/T)), fixed:w1,w2,… (one weight per --data) or infdds (learned)")
	fs.Float64Var(&d.Temperature, "temperature", d.Temperature, "proportional sampler: P(i) ∝ nᵢ^(1/T); 1 = size-proportional, larger flattens towards uniform")
	fs.IntVar(&d.Steps, "steps", d.Steps, "multi-dataset training: model steps in all (0 = epochs × ⌈training pairs / batch⌉); cut into --epochs parts, each ending with a target dev evaluation")
	fs.IntVar(&d.InfDDS.Interval, "infdds-interval", d.InfDDS.Interval, "infdds: model steps between policy updates (also spaces the weight-history lines of the other samplers)")
	fs.IntVar(&d.InfDDS.ProxySteps, "infdds-proxy-steps", d.InfDDS.ProxySteps, "infdds: proxy training steps per dataset when measuring its influence")
	fs.Float64Var(&d.InfDDS.ProxyLR, "infdds-proxy-lr", d.InfDDS.ProxyLR, "infdds: proxy steps' learning rate, as a multiple of the scheduled one")
	fs.Float64Var(&d.InfDDS.PolicyLR, "infdds-policy-lr", d.InfDDS.PolicyLR, "infdds: learning rate η_ψ of the REINFORCE update of the sampling logits ψ")
	fs.StringVar(&d.InfDDS.Baseline, "infdds-baseline", d.InfDDS.Baseline, "infdds: REINFORCE baseline: mean (of the round's rewards), ema (moving average) or none")
	fs.Float64Var(&d.InfDDS.BaselineDecay, "infdds-baseline-decay", d.InfDDS.BaselineDecay, "infdds: decay β of the ema baseline")
	fs.BoolVar(&d.InfDDS.Normalize, "infdds-normalize", d.InfDDS.Normalize, "infdds: divide the advantages by the std of the round's rewards")
	fs.IntVar(&d.InfDDS.DevBatches, "infdds-dev-batches", d.InfDDS.DevBatches, "infdds: target-dev batches (of --batch questions) in the dev loss")
	fs.StringVar(&d.InfDDS.Init, "infdds-init", d.InfDDS.Init, "infdds: starting weights: uniform, proportional or fixed:w1,w2,…")
	return m
}

// active reports whether train runs the multi-dataset path: several --data, a --target-dev
// or a multi-dataset flag given.
func (m *mixFlags) active(fs *flag.FlagSet, n int) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || isMixtureFlag(f.Name) })
	return n > 1 || *m.target != "" || set
}

func isMixtureFlag(name string) bool {
	switch name {
	case "sampler", "temperature", "steps", "target-dev-holdout", "target-dev-seed":
		return true
	}
	return strings.HasPrefix(name, "infdds-")
}

// trainSource loads one --data set and returns it with the split it trains on as Train: its
// train split, else its only judged split (a SQuAD dev file).
func trainSource(path string, load datasets.LoadOptions) (*datasets.Dataset, string, error) {
	d, err := lab.LoadDataset(path, load)
	if err != nil {
		return nil, "", err
	}
	if len(d.Qrels[datasets.Train]) > 0 {
		return d, "", nil
	}
	var judged []datasets.Split
	for _, sp := range []datasets.Split{datasets.Dev, datasets.Test} {
		if len(d.Qrels[sp]) > 0 {
			judged = append(judged, sp)
		}
	}
	if len(judged) != 1 {
		return nil, "", usageError{fmt.Sprintf("train: --data %s: no train split, and %d other judged splits: cannot tell which to train on", path, len(judged))}
	}
	t, err := trainOn(d, judged[0])
	if err != nil {
		return nil, "", err
	}
	return t, fmt.Sprintf("%s: training on its %s split (%d questions)", path, judged[0], len(t.Qrels[datasets.Train])), nil
}

func samePath(a, b string) bool { return filepath.Clean(a) == filepath.Clean(b) }

func (e env) trainMixture(ctx context.Context, fs *flag.FlagSet, cfg train.Config, paths []string, m *mixFlags,
	load datasets.LoadOptions, out string, opts train.Options) error {
	if len(paths) == 0 {
		return usageError{"train: multi-dataset training needs --data (one per training set)"}
	}
	if *m.target == "" {
		var given []string
		fs.Visit(func(f *flag.Flag) {
			if isMixtureFlag(f.Name) {
				given = append(given, "--"+f.Name)
			}
		})
		if len(paths) < 2 && len(given) > 0 {
			return usageError{fmt.Sprintf("train: %s: multi-dataset flags; give --target-dev (and --data once per training set)", strings.Join(given, ", "))}
		}
		return usageError{"train: --target-dev is required when training on several --data sets (add --target-dev-holdout 0.1 to hold out part of one of them)"}
	}
	h := *m.holdout
	if h != 0 && !(h > 0 && h < 1) {
		return usageError{fmt.Sprintf("train: --target-dev-holdout %g: want a fraction in (0, 1)", h)}
	}
	tj := -1
	for i, p := range paths {
		if samePath(p, *m.target) {
			tj = i
		}
		for _, q := range paths[:i] {
			if samePath(p, q) {
				return usageError{fmt.Sprintf("train: --data %s is given twice", p)}
			}
		}
	}
	switch {
	case h > 0 && tj < 0:
		return usageError{fmt.Sprintf("train: --target-dev-holdout: --target-dev %s must be one of the --data sets", *m.target)}
	case h == 0 && tj >= 0:
		return usageError{fmt.Sprintf("train: --target-dev %s is also a --data set: give --target-dev-holdout F to hold out part of its questions", *m.target)}
	}
	mix := m.mix
	if opts.Resume {
		// A resumed run keeps its saved settings; flags given again must agree (RunMixture checks).
		var saved train.Mixture
		err := ckpt.ReadJSON(filepath.Join(out, train.MixtureFile), &saved)
		switch {
		case err == nil:
			given := map[string]bool{}
			fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
			mix = mergeMixture(saved, m.mix, given)
		case !errors.Is(err, iofs.ErrNotExist):
			return fmt.Errorf("train: --resume: %w", err)
		}
	}
	var sources []*datasets.Dataset
	var names []string
	for _, p := range paths {
		d, note, err := trainSource(p, load)
		if err != nil {
			return err
		}
		if note != "" {
			fmt.Fprintln(e.stderr, note)
		}
		sources = append(sources, d)
		names = append(names, uniqueName(d.Name, names))
	}
	var target *datasets.Dataset
	if h > 0 {
		held, err := lab.HoldOut(sources[tj], h, *m.holdoutSeed)
		if err != nil {
			return usageError{"train: --target-dev-holdout: " + err.Error()}
		}
		rest := *held
		rest.Qrels = map[datasets.Split]datasets.Qrels{datasets.Train: held.Qrels[datasets.Train]}
		sources[tj] = &rest
		target = held
		target.Qrels = map[datasets.Split]datasets.Qrels{datasets.Test: held.Qrels[datasets.Test]}
		fmt.Fprintf(e.stderr, "target dev: %d of %s's questions held out (seed %d); training on the other %d\n",
			len(target.Qrels[datasets.Test]), names[tj], *m.holdoutSeed, len(rest.Qrels[datasets.Train]))
	} else {
		var err error
		if target, err = lab.LoadDataset(*m.target, datasets.LoadOptions{}); err != nil {
			return fmt.Errorf("train: --target-dev: %w", err)
		}
		fmt.Fprintf(e.stderr, "target dev: %s (%s split, %d questions, %d passages)\n", *m.target, train.DevSplit(target),
			len(target.Qrels[train.DevSplit(target)]), len(target.Passages))
	}
	mix.Sources = names
	mix.Target = target.Name
	if h > 0 {
		mix.Target = fmt.Sprintf("%s (held out %g, seed %d)", names[tj], h, *m.holdoutSeed)
	}
	if err := mix.Validate(len(sources)); err != nil {
		return usageError{"train: " + err.Error()}
	}
	return e.follow(lab.TrainMixture(ctx, cfg, mix, sources, target, out, opts), cfg, out)
}

// mergeMixture is the saved mixture with the flags given on this command line applied again.
func mergeMixture(saved, flags train.Mixture, given map[string]bool) train.Mixture {
	out := saved
	set := func(name string, apply func()) {
		if given[name] {
			apply()
		}
	}
	set("sampler", func() { out.Sampler = flags.Sampler })
	set("temperature", func() { out.Temperature = flags.Temperature })
	set("steps", func() { out.Steps = flags.Steps })
	set("infdds-interval", func() { out.InfDDS.Interval = flags.InfDDS.Interval })
	set("infdds-proxy-steps", func() { out.InfDDS.ProxySteps = flags.InfDDS.ProxySteps })
	set("infdds-proxy-lr", func() { out.InfDDS.ProxyLR = flags.InfDDS.ProxyLR })
	set("infdds-policy-lr", func() { out.InfDDS.PolicyLR = flags.InfDDS.PolicyLR })
	set("infdds-baseline", func() { out.InfDDS.Baseline = flags.InfDDS.Baseline })
	set("infdds-baseline-decay", func() { out.InfDDS.BaselineDecay = flags.InfDDS.BaselineDecay })
	set("infdds-normalize", func() { out.InfDDS.Normalize = flags.InfDDS.Normalize })
	set("infdds-dev-batches", func() { out.InfDDS.DevBatches = flags.InfDDS.DevBatches })
	set("infdds-init", func() { out.InfDDS.Init = flags.InfDDS.Init })
	return out
}

// uniqueName is name, or name#2, name#3… when already taken.
func uniqueName(name string, taken []string) string {
	out := name
	for n := 2; ; n++ {
		clash := false
		for _, t := range taken {
			clash = clash || t == out
		}
		if !clash {
			return out
		}
		out = fmt.Sprintf("%s#%d", name, n)
	}
}

// formatPolicy is one line for a PolicyEvent: the weights (and an infdds round's rewards).
func formatPolicy(ev train.Event) string {
	mi := ev.Mixture
	if mi == nil {
		return fmt.Sprintf("step %d: sampling weights", ev.Step)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "step %d weights", ev.Step)
	for i, n := range mi.Names {
		fmt.Fprintf(&b, " %s %.3f", n, mi.Weights[i])
	}
	if mi.Rewards != nil {
		fmt.Fprintf(&b, " | dev loss %.4f rewards", mi.DevLoss)
		for _, r := range mi.Rewards {
			fmt.Fprintf(&b, " %+.4f", r)
		}
	}
	return b.String()
}
