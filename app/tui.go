package app

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/sparse"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/views"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// runTUI opens the Bubble Tea app (the default command).
func runTUI(ctx context.Context, e env, args []string) error {
	fs := e.newFlags("")
	data := fs.String("data", "demo", "dataset path or \"demo\"")
	theme := fs.String("theme", "dark", "colour theme: dark, light or contrast")
	runs := fs.String("runs", "runs", "folder for training runs")
	var models listFlag
	fs.Var(&models, "model", "trained run folder to open (repeatable)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	fmt.Fprintf(e.stderr, "loading %s …\n", *data)
	shared, err := buildShared(ctx, *data, models, progressLine(e.stderr, "indexing", 2*time.Second, time.Now))
	if err != nil {
		return err
	}
	m := views.New(views.Options{Shared: shared, Theme: *theme, RunsDir: *runs, Engine: engineFuncs()})
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx), tea.WithOutput(e.stdout)}
	if f, ok := e.stdin.(*os.File); ok {
		opts = append(opts, tea.WithInput(f))
	}
	_, err = tea.NewProgram(m, opts...).Run()
	if err == tea.ErrProgramKilled && ctx.Err() != nil {
		return nil
	}
	return err
}

// buildShared loads the dataset, builds BM25, opens trained models and evaluates the baselines.
func buildShared(ctx context.Context, path string, modelDirs []string, progress engine.Progress) (*views.Shared, error) {
	d, err := loadData(path)
	if err != nil {
		return nil, err
	}
	bm, err := sparse.NewBM25(ctx, d.Passages, sparse.DefaultBM25(), progress)
	if err != nil {
		return nil, fmt.Errorf("BM25 index of %s: %w", d.Name, err)
	}
	s := &views.Shared{Data: d, BM25: bm}
	for _, dir := range modelDirs {
		nr, err := openModel(ctx, dir, d, progress)
		if err != nil {
			return nil, err
		}
		s.Models = append(s.Models, nr)
	}
	split := evalSplit(d)
	if split == "" {
		return s, nil
	}
	tf, err := sparse.NewTFIDF(ctx, d.Passages, nil)
	if err != nil {
		return nil, fmt.Errorf("TF-IDF index of %s: %w", d.Name, err)
	}
	rs := []engine.Retriever{bm, tf}
	for _, m := range s.Models {
		rs = append(rs, m.R)
	}
	for _, r := range rs {
		res, err := engine.Evaluate(ctx, r, d, split, nil, nil)
		if err != nil {
			return nil, err
		}
		s.Results = append(s.Results, views.MetricsRow{Name: r.Name(), Split: string(split), Metrics: res.Metrics})
	}
	return s, nil
}

// evalSplit picks the split the metrics table shows: test, else dev, else none.
func evalSplit(d *datasets.Dataset) datasets.Split {
	for _, sp := range []datasets.Split{datasets.Test, datasets.Dev} {
		if len(d.Qrels[sp]) > 0 {
			return sp
		}
	}
	return ""
}

// openModel loads a run folder and indexes d with it.
func openModel(ctx context.Context, dir string, d *datasets.Dataset, progress engine.Progress) (views.NamedRetriever, error) {
	m, err := train.Load(dir)
	if err != nil {
		return views.NamedRetriever{}, fmt.Errorf("model %s: %w", dir, err)
	}
	ix, err := m.Index(ctx, d.Passages, progress)
	if err != nil {
		return views.NamedRetriever{}, fmt.Errorf("model %s: indexing %s: %w", dir, d.Name, err)
	}
	return views.NamedRetriever{Name: m.Name(), R: ix, Explain: ix.Explain}, nil
}

// engineFuncs connects the views to the engine.
func engineFuncs() views.Engine {
	return views.Engine{
		LoadDataset: func(ctx context.Context, path string, progress engine.Progress) (*views.Shared, error) {
			return buildShared(ctx, path, nil, progress)
		},
		Train: func(ctx context.Context, cfg train.Config, d *datasets.Dataset, out string, events chan<- train.Event) error {
			return train.Run(ctx, cfg, d, out, false, events)
		},
		OpenModel: openModel,
		Evaluate: func(ctx context.Context, r engine.Retriever, d *datasets.Dataset, split datasets.Split) (map[string]float64, error) {
			res, err := engine.Evaluate(ctx, r, d, split, nil, nil)
			return res.Metrics, err
		},
	}
}
