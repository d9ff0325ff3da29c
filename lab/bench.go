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

// BenchTarget is one dataset of a benchmark: a path that datasets.LoadWith reads with Load.
type BenchTarget struct {
	Name string // shown in the table
	Path string
	Load datasets.LoadOptions
}

// ReadBenchList reads a benchmark list: one dataset a line, `NAME PATH [--columns C]
// [--corpus F --queries F --qrels F]` (PATH may be "-" when the three files are given),
// blank lines and lines starting with # skipped. Relative paths are taken from the list's
// folder; "archive.zip:inner" keeps its inner path. Errors name the file and line.
func ReadBenchList(path string) ([]BenchTarget, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bench list: %w", err)
	}
	base := filepath.Dir(path)
	resolve := func(p string) string {
		if p == "" || p == "-" {
			return ""
		}
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	var out []BenchTarget
	for i, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", path, i+1)
		if len(f) < 2 {
			return nil, fmt.Errorf("%s: want NAME PATH [flags], got %q", where, line)
		}
		t := BenchTarget{Name: f[0], Path: resolve(f[1])}
		rest := f[2:]
		for len(rest) > 0 {
			if len(rest) < 2 {
				return nil, fmt.Errorf("%s: flag %s has no value", where, rest[0])
			}
			flag, val := rest[0], rest[1]
			rest = rest[2:]
			switch flag {
			case "--columns":
				cols, err := datasets.ParseColumns(val)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
				t.Load.Columns = cols
			case "--corpus":
				t.Load.Corpus = resolve(val)
			case "--queries":
				t.Load.Queries = resolve(val)
			case "--qrels":
				t.Load.Qrels = resolve(val)
			default:
				return nil, fmt.Errorf("%s: unknown flag %s (want --columns, --corpus, --queries, --qrels)", where, flag)
			}
		}
		if (t.Load.Corpus != "") != (t.Load.Queries != "") || (t.Load.Corpus != "") != (t.Load.Qrels != "") {
			return nil, fmt.Errorf("%s: --corpus, --queries and --qrels go together", where)
		}
		if t.Path == "" && t.Load.Corpus == "" {
			return nil, fmt.Errorf("%s: PATH is - but no --corpus/--queries/--qrels", where)
		}
		out = append(out, t)
	}
	return out, nil
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
	Dataset        string             `json:"dataset"`
	Path           string             `json:"path"`
	Split          string             `json:"split"`
	Model          string             `json:"model"`
	Queries        int                `json:"queries"`
	Passages       int                `json:"passages"`
	Rerank         bool               `json:"rerank,omitempty"`
	RelMin         int                `json:"rel_min,omitempty"`
	KeepNoRelevant bool               `json:"keep_no_relevant,omitempty"`
	Metrics        map[string]float64 `json:"metrics,omitempty"`
	Settings       string             `json:"settings"`
	Seconds        float64            `json:"seconds"`
	Err            string             `json:"error,omitempty"`
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
		o2 := wsOpts
		o2.Load = t.Load
		wss, splits, _, err := OpenSplits(ctx, t.Path, o2, o.Split, nil)
		if err != nil {
			report(BenchRow{Dataset: t.Name, Path: t.Path, Settings: wsOpts.Settings(), Err: err.Error()}, len(models))
			continue
		}
		for _, spec := range models {
			for i, sp := range splits {
				ws := wss[i]
				cells := 0
				if i == len(splits)-1 {
					cells = 1
				}
				m, err := ws.Retriever(ctx, spec, nil)
				if err != nil {
					if errors.Is(err, context.Canceled) {
						return rows, err
					}
					report(BenchRow{Dataset: t.Name, Path: t.Path, Split: string(sp), Model: spec, Settings: wsOpts.Settings(), Err: err.Error()}, cells)
					continue
				}
				start := time.Now()
				ev, err := ws.EvaluateWith(ctx, m.Retriever, sp, EvalOptions{Ks: o.Ks, RelMin: o.RelMin}, nil)
				rep := ev.Report
				row := BenchRow{Dataset: t.Name, Path: t.Path, Split: string(sp), Model: m.Name,
					Queries: rep.Queries, Passages: len(ws.Data.Passages), Rerank: rep.Rerank, RelMin: rep.RelMin, KeepNoRelevant: rep.KeepNoRelevant,
					Metrics: rep.Metrics, Settings: wsOpts.Settings(), Seconds: time.Since(start).Seconds()}
				if err != nil {
					if errors.Is(err, context.Canceled) {
						return rows, err
					}
					row.Err = err.Error()
				}
				report(row, cells)
			}
		}
	}
	return rows, nil
}
