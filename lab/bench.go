package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
)

// BenchTarget is one dataset of a benchmark: a path that datasets.Load reads.
type BenchTarget struct {
	Name string // shown in the table
	Path string
}

// DiscoverBench lists the datasets under root: each sub-folder that loads as one dataset
// (a BEIR folder, a folder of one set's split files), else each file in it that loads on its
// own (a folder holding several sets, such as ViRE's CSVs). A path that is itself a dataset
// is returned alone. Folders and files that hold no dataset are reported in skipped.
func DiscoverBench(root string) (targets []BenchTarget, skipped []string, err error) {
	if _, err := datasets.Load(root); err == nil {
		return []BenchTarget{{Name: filepath.Base(filepath.Clean(root)), Path: root}}, nil, nil
	}
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: %w", err)
	}
	for _, e := range ents {
		p := filepath.Join(root, e.Name())
		if strings.HasPrefix(e.Name(), ".") || strings.EqualFold(e.Name(), "README.md") {
			continue
		}
		if _, err := datasets.Load(p); err == nil {
			targets = append(targets, BenchTarget{Name: e.Name(), Path: p})
			continue
		}
		if !e.IsDir() {
			skipped = append(skipped, p)
			continue
		}
		inner, err := os.ReadDir(p)
		if err != nil {
			return nil, nil, fmt.Errorf("bench: %w", err)
		}
		found := false
		for _, f := range inner {
			fp := filepath.Join(p, f.Name())
			if f.IsDir() || strings.HasPrefix(f.Name(), ".") {
				continue
			}
			if _, err := datasets.Load(fp); err == nil {
				targets = append(targets, BenchTarget{Name: e.Name() + "/" + f.Name(), Path: fp})
				found = true
			}
		}
		if !found {
			skipped = append(skipped, p)
		}
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].Name < targets[j].Name })
	return targets, skipped, nil
}

// BenchRow is one (dataset, split, model) evaluation of a benchmark, stamped with the
// settings that produced it. Err is set when that cell could not be computed.
type BenchRow struct {
	Dataset  string             `json:"dataset"`
	Path     string             `json:"path"`
	Split    string             `json:"split"`
	Model    string             `json:"model"`
	Queries  int                `json:"queries"`
	Passages int                `json:"passages"`
	Rerank   bool               `json:"rerank,omitempty"`
	Metrics  map[string]float64 `json:"metrics,omitempty"`
	Settings string             `json:"settings"`
	Seconds  float64            `json:"seconds"`
	Err      string             `json:"error,omitempty"`
}

// BenchOptions configure Bench.
type BenchOptions struct {
	Options          // workspace options (BM25 settings); Models and Baselines are ignored
	Models  []string // model specs (bm25, tfidf, runs/NAME); default bm25 and tfidf
	Split   string   // "" = each dataset's default split, "all" = every judged split, else that split
	Ks      []int
	RelMin  int // lowest relevant grade for the binary metrics; 0 = 1
	// Progress, when set, is told after each cell: done of total cells, and the cell's row.
	Progress func(done, total int, row BenchRow)
}

// Bench evaluates every model on every target. A dataset that fails to load, or a model
// that fails on it, gives rows with Err set; the rest of the benchmark goes on.
func Bench(ctx context.Context, targets []BenchTarget, o BenchOptions) ([]BenchRow, error) {
	models := o.Models
	if len(models) == 0 {
		models = []string{"bm25", "tfidf"}
	}
	total := len(targets) * len(models)
	done := 0
	var rows []BenchRow
	report := func(r BenchRow, cells int) {
		done += cells
		rows = append(rows, r)
		if o.Progress != nil {
			o.Progress(done, total, r)
		}
	}
	wsOpts := o.Options
	wsOpts.Models, wsOpts.Baselines = nil, false
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return rows, err
		}
		ws, err := Open(ctx, t.Path, wsOpts, nil)
		if err != nil {
			report(BenchRow{Dataset: t.Name, Path: t.Path, Settings: wsOpts.Settings(), Err: err.Error()}, len(models))
			continue
		}
		splits, err := benchSplits(ws, o.Split)
		if err != nil {
			report(BenchRow{Dataset: t.Name, Path: t.Path, Settings: wsOpts.Settings(), Err: err.Error()}, len(models))
			continue
		}
		for _, spec := range models {
			m, err := ws.Retriever(ctx, spec, nil)
			if err != nil {
				if errors.Is(err, context.Canceled) {
					return rows, err
				}
				report(BenchRow{Dataset: t.Name, Path: t.Path, Model: spec, Settings: wsOpts.Settings(), Err: err.Error()}, 1)
				continue
			}
			for i, sp := range splits {
				start := time.Now()
				ev, err := ws.EvaluateWith(ctx, m.Retriever, sp, EvalOptions{Ks: o.Ks, RelMin: o.RelMin}, nil)
				rep := ev.Report
				row := BenchRow{Dataset: t.Name, Path: t.Path, Split: string(sp), Model: m.Name,
					Queries: rep.Queries, Passages: len(ws.Data.Passages), Rerank: rep.Rerank,
					Metrics: rep.Metrics, Settings: wsOpts.Settings(), Seconds: time.Since(start).Seconds()}
				if err != nil {
					if errors.Is(err, context.Canceled) {
						return rows, err
					}
					row.Err = err.Error()
				}
				cells := 0
				if i == len(splits)-1 {
					cells = 1
				}
				report(row, cells)
			}
		}
	}
	return rows, nil
}

// benchSplits resolves a split request on one workspace.
func benchSplits(ws *Workspace, split string) ([]datasets.Split, error) {
	switch split {
	case "":
		sp, _ := ws.DefaultSplit()
		if sp == "" {
			return nil, errors.New("no judged queries")
		}
		return []datasets.Split{sp}, nil
	case "all":
		var out []datasets.Split
		for _, sp := range splitOrder {
			if len(ws.Data.Qrels[sp]) > 0 {
				out = append(out, sp)
			}
		}
		if len(out) == 0 {
			return nil, errors.New("no judged queries")
		}
		return out, nil
	}
	sp := datasets.Split(split)
	if len(ws.Data.Qrels[sp]) == 0 {
		return nil, fmt.Errorf("no judged queries in split %s", sp)
	}
	return []datasets.Split{sp}, nil
}
