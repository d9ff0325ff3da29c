package app

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/figures"
	"github.com/arslab/arslab/lab"
)

// DefaultRunFigure is the file `arslab plot runs/NAME` writes inside the run folder.
const DefaultRunFigure = "training.svg"

// DefaultCompareFigure is the file `arslab plot --compare` writes in the working directory.
const DefaultCompareFigure = "topk.svg"

func (e env) plot(ctx context.Context, args []string) error {
	fs := e.newFlags("plot")
	out := fs.String("out", "", "figure file, .svg or .png (default: RUN/"+DefaultRunFigure+", or "+DefaultCompareFigure+" with --compare)")
	compare := fs.Bool("compare", false, "draw the Top-k curves of several models on one dataset (models as arguments or --model)")
	data := fs.String("data", "demo", "--compare: dataset path or \"demo\"")
	split := fs.String("split", "", "--compare: split to evaluate (default: test, else the only judged split)")
	var models listFlag
	fs.Var(&models, "model", "--compare: "+lab.ModelSpecs+" (repeatable)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage:\n  arslab plot runs/NAME [--out FILE.svg|.png]\n"+
			"  arslab plot --compare --data PATH [--split test] [--out FILE.svg|.png] bm25 tfidf runs/NAME ...\n\n")
		fs.PrintDefaults()
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out != "" {
		if ext := strings.ToLower(filepath.Ext(*out)); !slices.Contains(figures.Formats, ext) {
			return usageError{fmt.Sprintf("plot: --out %s: want a .svg or .png file", *out)}
		}
	}
	if *compare {
		return e.plotCompare(ctx, *data, datasets.Split(*split), append(models, pos...), *out)
	}
	if len(models) > 0 {
		return usageError{"plot: --model is for --compare; to plot a run: arslab plot runs/NAME"}
	}
	if len(pos) != 1 {
		return usageError{"plot: want one run folder (arslab plot runs/NAME), or --compare with models"}
	}
	run, err := figures.ReadRun(pos[0])
	if err != nil {
		return err
	}
	fig, err := figures.Training(run)
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = filepath.Join(pos[0], DefaultRunFigure)
	}
	if err := fig.Write(path); err != nil {
		return err
	}
	epochs := fmt.Sprintf("%d epochs", len(run.Epochs))
	if len(run.Epochs) == 1 {
		epochs = "1 epoch"
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d steps, %s)\n", path, len(run.Steps), epochs)
	return nil
}

// plotCompare evaluates each model on one split of the dataset through the lab and draws
// their Top-k curves.
func (e env) plotCompare(ctx context.Context, data string, split datasets.Split, models []string, out string) error {
	if len(models) == 0 {
		return usageError{"plot --compare: name the models to compare: " + lab.ModelSpecs}
	}
	wss, splits, why, err := lab.OpenSplits(ctx, data, lab.Options{}, string(split), progressLine(e.stderr, "indexing "+data, 2*time.Second, time.Now))
	if err != nil {
		return err
	}
	if why != "" {
		fmt.Fprintln(e.stderr, why)
	}
	ws := wss[0]
	split = splits[0]
	var curves []figures.Curve
	var rep lab.Report
	for _, spec := range models {
		m, err := ws.Retriever(ctx, spec, progressLine(e.stderr, "encoding "+ws.Data.Name, 2*time.Second, time.Now))
		if err != nil {
			return usageError{"plot --compare: " + err.Error()}
		}
		rep, err = ws.Evaluate(ctx, m.Retriever, split, figures.TopKs, progressLine(e.stderr, "evaluating "+m.Name, 2*time.Second, time.Now))
		if err != nil {
			return err
		}
		if rep.Rerank {
			return fmt.Errorf("plot --compare: %s is a reranking set (candidates per query): Top-k over the corpus does not apply", ws.Data.Name)
		}
		fmt.Fprintf(e.stderr, "%-14s top1 %.4f top10 %.4f top100 %.4f\n", m.Name, rep.Metrics["top1"], rep.Metrics["top10"], rep.Metrics["top100"])
		curves = append(curves, figures.Curve{Name: m.Name, Metrics: rep.Metrics})
	}
	fig, err := figures.TopK(fmt.Sprintf("Top-k accuracy on %s (%s)", ws.Data.Name, split),
		fmt.Sprintf("%d queries · %d passages", rep.Queries, rep.Passages), curves)
	if err != nil {
		return err
	}
	if out == "" {
		out = DefaultCompareFigure
	}
	if err := fig.Write(out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d models)\n", out, len(curves))
	return nil
}
