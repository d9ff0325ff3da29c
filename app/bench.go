package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/arslab/arslab/lab"
)

func (e env) bench(ctx context.Context, args []string) error {
	fs := e.newFlags("bench")
	var datas, models listFlag
	fs.Var(&datas, "data", "a dataset, or a folder of datasets (each sub-folder or file that loads); repeatable")
	fs.Var(&models, "model", "bm25, tfidf or a run folder; repeatable (default bm25 and tfidf)")
	var lists listFlag
	fs.Var(&lists, "list", "a file listing datasets, one a line: NAME PATH [--columns C] [--corpus F --queries F --qrels F]; repeatable")
	split := fs.String("split", "", "split to evaluate: train, dev, test or all (default: each dataset's default split)")
	kflag := fs.String("k", "1,5,10,20,100", "Top-k cut-offs")
	format := fs.String("format", "table", "output: table, markdown, csv or json")
	relMin := fs.Int("rel-min", 0, "lowest grade that counts as relevant for Top-k, recall, MRR and MAP (default 1, or the dataset's official setting)")
	lex := addLexFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	datas = append(datas, pos...)
	if len(datas) == 0 && len(lists) == 0 {
		return usageError{"bench: give --data FOLDER (e.g. ../shared/datasets), dataset paths or --list FILE"}
	}
	ks, err := parseKs(*kflag)
	if err != nil {
		return err
	}
	switch *format {
	case "table", "markdown", "md", "csv", "json":
	default:
		return usageError{fmt.Sprintf("bench: --format %q: want table, markdown, csv or json", *format)}
	}
	opts, err := lex.options()
	if err != nil {
		return err
	}
	var targets []lab.BenchTarget
	for _, d := range datas {
		ts, skipped, err := lab.DiscoverBench(d)
		if err != nil {
			return err
		}
		for _, s := range skipped {
			fmt.Fprintf(e.stderr, "bench: skipped %s (no dataset format recognised)\n", s)
		}
		targets = append(targets, ts...)
	}
	for _, l := range lists {
		ts, err := lab.ReadBenchList(l)
		if err != nil {
			return usageError{err.Error()}
		}
		targets = append(targets, ts...)
	}
	if len(targets) == 0 {
		return fmt.Errorf("bench: no dataset found in %s", strings.Join(append(datas, lists...), ", "))
	}
	start := time.Now()
	prog := progressLine(e.stderr, "bench", 2*time.Second, time.Now)
	rows, err := lab.Bench(ctx, targets, lab.BenchOptions{Options: opts, Models: models, Split: *split, Ks: ks, RelMin: *relMin,
		Progress: func(done, total int, r lab.BenchRow) {
			if r.Err != "" {
				fmt.Fprintf(e.stderr, "bench: %s %s: %s\n", r.Dataset, r.Model, r.Err)
			}
			prog(done, total)
		}})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "bench: %d datasets, %d rows in %s\n", len(targets), len(rows), time.Since(start).Round(time.Millisecond))
	return writeBench(e.stdout, rows, ks, *format)
}

// benchColumns are the metric columns of the bench table for the cut-offs ks.
func benchColumns(ks []int) []string {
	cols := make([]string, 0, len(ks)+3)
	for _, k := range ks {
		cols = append(cols, "top"+strconv.Itoa(k))
	}
	return append(cols, "mrr@10", "ndcg@10", "map")
}

// cell is a metric value of a row, reading a reranking row's "mrr" as its MRR@10 column
// (a candidate group is ranked whole) and "—" when absent.
func cell(r lab.BenchRow, key string) string {
	v, ok := r.Metrics[key]
	if !ok && r.Rerank && key == "mrr@10" {
		v, ok = r.Metrics["mrr"]
	}
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.4f", v)
}

func writeBench(w io.Writer, rows []lab.BenchRow, ks []int, format string) error {
	cols := benchColumns(ks)
	head := append([]string{"dataset", "split", "model", "queries", "passages"}, cols...)
	head = append(head, "seconds", "settings")
	record := func(r lab.BenchRow) []string {
		out := []string{r.Dataset, r.Split, r.Model, strconv.Itoa(r.Queries), strconv.Itoa(r.Passages)}
		for _, c := range cols {
			if r.Err != "" {
				out = append(out, "—")
				continue
			}
			out = append(out, cell(r, c))
		}
		settings := r.Settings
		if r.RelMin > 1 {
			settings += fmt.Sprintf("; relevant = grade ≥ %d", r.RelMin)
		}
		if r.KeepNoRelevant {
			settings += "; queries without a relevant passage count 0"
		}
		if r.Rerank {
			settings += "; reranking groups"
		}
		if r.Err != "" {
			settings = "error: " + r.Err
		}
		return append(out, fmt.Sprintf("%.2f", r.Seconds), settings)
	}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(head); err != nil {
			return err
		}
		for _, r := range rows {
			if err := cw.Write(record(r)); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case "markdown", "md":
		fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
		fmt.Fprintln(w, "|"+strings.Repeat("---|", len(head)))
		for _, r := range rows {
			fmt.Fprintln(w, "| "+strings.Join(record(r), " | ")+" |")
		}
		return nil
	}
	widths := make([]int, len(head))
	recs := [][]string{head}
	for _, r := range rows {
		recs = append(recs, record(r))
	}
	for _, rec := range recs {
		for i, c := range rec[:len(rec)-1] {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, rec := range recs {
		var b strings.Builder
		for i, c := range rec {
			if i == len(rec)-1 {
				b.WriteString(c)
				break
			}
			pad := widths[i] - len([]rune(c))
			if i >= 3 { // numbers right-aligned
				b.WriteString(strings.Repeat(" ", pad) + c + "  ")
			} else {
				b.WriteString(c + strings.Repeat(" ", pad) + "  ")
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	return nil
}
