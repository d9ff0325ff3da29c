package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/arslab/arslab/engine/compare"
	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/lab"
)

func (e env) compare(ctx context.Context, args []string) error {
	fs := e.newFlags("compare")
	data := fs.String("data", "demo", "dataset path or \"demo\"")
	split := fs.String("split", "", "split to compare on (default: test, else the only judged split)")
	baseline := fs.String("baseline", "", "the model the others are tested against (default: the first)")
	relMin := fs.Int("rel-min", 0, "lowest grade that counts as relevant for the binary metrics (Top-k, recall, MRR, MAP); default 1, or the dataset's official setting")
	noRel := fs.String("no-relevant", "", "queries without a relevant passage: skip, or zero (kept with 0, the SemEval scorers' way); default: the dataset's official setting, else skip")
	kflag := fs.String("k", "1,5,20,100", "Top-k cut-offs")
	keys := fs.String("metrics", "", "metric columns, comma-separated (default: top-k for each k, mrr@10, ndcg@10, map)")
	perms := fs.Int("permutations", compare.DefaultPermutations, "samples of the randomisation test")
	seed := fs.Uint64("seed", 1, "seed of the randomisation test and the bootstrap")
	boot := fs.Int("bootstrap", 0, "resamples for a percentile bootstrap CI (0: t interval)")
	alpha := fs.Float64("alpha", compare.DefaultAlpha, "significance level after Holm–Bonferroni correction")
	format := fs.String("format", "markdown", "output: markdown, latex or json")
	lex := addLexFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return usageError{"compare: give at least two models or run files: arslab compare --data PATH bm25 tfidf runs/NAME 'fuse:rrf:bm25+tfidf' run:other.trec"}
	}
	switch *format {
	case "markdown", "md", "latex", "tex", "json":
	default:
		return usageError{fmt.Sprintf("compare: --format %q: want markdown, latex or json", *format)}
	}
	ks, err := parseKs(*kflag)
	if err != nil {
		return err
	}
	opts, err := lex.options()
	if err != nil {
		return err
	}
	if *split == "all" {
		return usageError{"compare: --split all: compare one split at a time"}
	}
	wss, splits, why, err := lab.OpenSplits(ctx, *data, opts, *split, progressLine(e.stderr, "indexing "+*data, 2*time.Second, time.Now))
	if err != nil {
		return err
	}
	if why != "" {
		fmt.Fprintln(e.stderr, why)
	}
	ws, sp := wss[0], splits[0]
	models := make([]lab.Model, 0, len(pos))
	for _, spec := range pos {
		var m lab.Model
		var err error
		if file, ok := strings.CutPrefix(spec, "run:"); ok {
			m, err = ws.RunModel(file, sp)
		} else {
			m, err = ws.Retriever(ctx, spec, progressLine(e.stderr, "encoding with "+spec, 2*time.Second, time.Now))
		}
		if err != nil {
			return usageError{"compare: " + err.Error()}
		}
		for _, prev := range models { // two rows must not share a name: say where this one came from
			if prev.Name == m.Name {
				m.Name += " [" + spec + "]"
				break
			}
		}
		models = append(models, m)
	}
	var cols []string
	if *keys != "" {
		for _, k := range strings.Split(*keys, ",") {
			cols = append(cols, strings.TrimSpace(k))
		}
	} else if !ws.Data.IsRerank() {
		for _, k := range ks {
			cols = append(cols, metrics.TopKey(k))
		}
		cols = append(cols, metrics.MRR10, metrics.NDCG10, metrics.MAP)
	}
	start := time.Now()
	var timing lab.CompareTiming
	tab, err := ws.Compare(ctx, models, lab.CompareOptions{
		Timing: &timing,
		Split:  sp, Baseline: *baseline, Keys: cols,
		Eval:  lab.EvalOptions{Ks: ks, RelMin: *relMin, NoRelevant: *noRel},
		Stats: compare.Options{Permutations: *perms, Seed: *seed, Bootstrap: *boot, Alpha: *alpha},
		Progress: func(model string, done, total int) {
			if done == total {
				fmt.Fprintf(e.stderr, "ranked %d queries with %s\n", total, model)
			}
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "compared %d models on %s/%s (%d queries) in %s: ranking %s, tests (%d permutations) %s\n", len(models), ws.Data.Name, sp, tab.Queries,
		time.Since(start).Round(time.Millisecond), timing.Rank.Round(time.Millisecond), tab.Permutations, timing.Tests.Round(time.Millisecond))
	switch *format {
	case "latex", "tex":
		return tab.LaTeX(e.stdout)
	case "json":
		return tab.JSON(e.stdout)
	}
	return tab.Markdown(e.stdout)
}
