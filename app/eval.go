package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/runs"
	"github.com/arslab/arslab/lab"
)

func (e env) eval(ctx context.Context, args []string) error {
	fs := e.newFlags("eval")
	data := fs.String("data", "demo", "dataset path or \"demo\"")
	model := fs.String("model", "", lab.ModelSpecs)
	split := fs.String("split", "", "split to evaluate: train, dev, test or all (default: test, else the only judged split)")
	kflag := fs.String("k", "1,5,10,20,50,100", "Top-k cut-offs")
	relMin := fs.Int("rel-min", 0, "lowest grade that counts as relevant for Top-k, recall, MRR and MAP; nDCG keeps every grade (default 1, or the dataset's official setting, e.g. 2 = only Good for SemEval)")
	runOut := fs.String("run", "", "write the ranked lists to FILE in TREC run format (qid Q0 docid rank score tag)")
	perQuery := fs.String("per-query", "", "write each query's metrics to FILE as JSON lines")
	runIn := fs.String("run-in", "", "evaluate the TREC run FILE (made by any tool) instead of a model")
	noRel := fs.String("no-relevant", "", "judged queries without a relevant passage: skip, or zero (kept with 0 on every metric, as the SemEval scorers do); default: the dataset's official setting, else skip")
	asJSON := fs.Bool("json", false, "print one JSON object per split")
	rr := addRerankFlags(fs)
	lex := addLexFlags(fs)
	tf := addTuneFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("eval: unexpected argument %q", pos[0])}
	}
	ks, err := parseKs(*kflag)
	if err != nil {
		return err
	}
	switch {
	case *model == "" && *runIn == "":
		return usageError{"eval: --model is required (" + lab.ModelSpecs + "), or --run-in FILE"}
	case *model != "" && *runIn != "":
		return usageError{"eval: give --model or --run-in, not both"}
	case *relMin < 0:
		return usageError{fmt.Sprintf("eval: --rel-min %d: want a grade ≥ 1", *relMin)}
	case tf.on() && (*runIn != "" || *rr.run != "" || *runOut != "" || *perQuery != ""):
		return usageError{"eval: --tune evaluates a fusion's weight grid: not with --run-in, --rerank, --run or --per-query"}
	}
	opts, err := lex.options()
	if err != nil {
		return err
	}
	start := time.Now()
	wss, splits, why, err := rr.openSplits(ctx, *data, opts, *split, progressLine(e.stderr, "indexing "+*data, 2*time.Second, time.Now))
	if err != nil {
		return err
	}
	*model = rr.spec(*model)
	if why != "" {
		fmt.Fprintln(e.stderr, why)
	}
	eo := lab.EvalOptions{Ks: ks, RelMin: *relMin, NoRelevant: *noRel}
	if tf.on() {
		if len(wss) != 1 {
			return usageError{"eval: --tune works on one split (give --split dev, or --holdout)"}
		}
		return e.tune(ctx, wss[0], *model, lab.TuneOptions{Split: splits[0], Eval: eo, Step: *tf.step, Metric: *tf.metric, TieBreak: *tf.tieBreak}, *asJSON, ks)
	}
	var evs []lab.Evaluation
	for i, ws := range wss {
		sp := splits[i]
		if *relMin == 0 && ws.Data.RelMinDefault > 0 {
			fmt.Fprintf(e.stderr, "relevant means grade ≥ %d for %s (the dataset's official setting; --rel-min changes it)\n", ws.Data.RelMinDefault, ws.Data.Name)
		}
		if *noRel == "" && ws.Data.KeepNoRelevant {
			fmt.Fprintf(e.stderr, "queries of %s without a relevant passage count as 0, as its official scorer does (--no-relevant skip leaves them out)\n", ws.Data.Name)
		}
		var ev lab.Evaluation
		if *runIn != "" {
			run, err := runs.ReadFile(*runIn)
			if err != nil {
				return err
			}
			ranked, err := ws.RankedFromRun(run, runName(*runIn, run.Tag), sp)
			if err != nil {
				return err
			}
			if ev, err = ws.EvaluateRanked(ranked, eo); err != nil {
				return err
			}
		} else {
			m, err := ws.Retriever(ctx, *model, progressLine(e.stderr, "encoding "+ws.Data.Name, 2*time.Second, time.Now))
			if err != nil {
				return usageError{"--model: " + err.Error()}
			}
			if m.Notice != "" && i == 0 {
				fmt.Fprintln(e.stderr, m.Notice)
			}
			if ev, err = ws.EvaluateWith(ctx, m.Retriever, sp, eo, progressLine(e.stderr, "evaluating "+m.Name, 2*time.Second, time.Now)); err != nil {
				return err
			}
		}
		ev.Settings = opts.Settings()
		ev.Metrics = headline(ev.Report, ks)
		ev.Seconds = time.Since(start).Seconds()
		evs = append(evs, ev)
	}
	if err := writeEvalFiles(evs, *runOut, *perQuery); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		for _, ev := range evs {
			if err := enc.Encode(ev.Report); err != nil {
				return err
			}
		}
		return nil
	}
	for _, ev := range evs {
		writeTable(e.stdout, []lab.Report{ev.Report}, ks)
		if ev.Latency != nil {
			fmt.Fprintln(e.stdout, ev.Latency)
		}
	}
	return nil
}

// runName names a run read from a file: its tag, else the file name.
func runName(path, tag string) string {
	if tag != "" {
		return tag
	}
	return filepath.Base(path)
}

// writeEvalFiles writes the TREC run and the per-query JSON lines of the evaluations
// (several splits go to one file each: the queries of different splits do not overlap).
func writeEvalFiles(evs []lab.Evaluation, runOut, perQuery string) error {
	if runOut != "" {
		merged := runs.Run{Ranked: map[string][]runs.Scored{}}
		for _, ev := range evs {
			r := ev.Ranked.RunFile(tagOf(ev.Model))
			merged.Tag = r.Tag
			for q, l := range r.Ranked {
				merged.Ranked[q] = l
			}
		}
		if err := runs.WriteFile(runOut, merged); err != nil {
			return fmt.Errorf("--run: %w", err)
		}
	}
	if perQuery != "" {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		for _, ev := range evs {
			for _, row := range ev.PerQueryRows() {
				line := struct {
					Split string `json:"split"`
					Model string `json:"model"`
					lab.PerQueryRow
				}{ev.Split, ev.Model, row}
				if err := enc.Encode(line); err != nil {
					return err
				}
			}
		}
		if err := ckpt.WriteFile(perQuery, b.Bytes()); err != nil {
			return fmt.Errorf("--per-query: %w", err)
		}
	}
	return nil
}

// tagOf makes a model name a valid TREC run tag (no spaces).
func tagOf(name string) string {
	return strings.Join(strings.Fields(name), "_")
}

// headline keeps the headline metrics: Top-k for each k, recall at the largest k, MRR@10, MAP, nDCG@10.
func headline(res lab.Report, ks []int) map[string]float64 {
	if res.Rerank {
		return res.Metrics
	}
	out := map[string]float64{}
	kmax := 0
	for _, k := range ks {
		out[fmt.Sprintf("top%d", k)] = res.Metrics[fmt.Sprintf("top%d", k)]
		kmax = max(kmax, k)
	}
	out[fmt.Sprintf("recall@%d", kmax)] = res.Metrics[fmt.Sprintf("recall@%d", kmax)]
	for _, key := range []string{"mrr@10", "map", "ndcg@10"} {
		out[key] = res.Metrics[key]
	}
	return out
}

// tableKeys is the display order of metric columns.
func tableKeys(ks []int, m map[string]float64) []string {
	var keys []string
	for _, k := range ks {
		if _, ok := m[fmt.Sprintf("top%d", k)]; ok {
			keys = append(keys, fmt.Sprintf("top%d", k))
		}
	}
	for _, key := range []string{"recall@100", "mrr@10", "mrr", "map", "ndcg@10"} {
		if _, ok := m[key]; ok {
			keys = append(keys, key)
		}
	}
	return keys
}

// writeTable prints reports as an aligned text table.
func writeTable(w io.Writer, reps []lab.Report, ks []int) {
	if len(reps) == 0 {
		return
	}
	keys := tableKeys(ks, reps[0].Metrics)
	fmt.Fprintf(w, "dataset %s · split %s · %d queries · %d passages\n", reps[0].Dataset, reps[0].Split, reps[0].Queries, reps[0].Passages)
	fmt.Fprintf(w, "%-14s", "model")
	for _, k := range keys {
		fmt.Fprintf(w, " %9s", k)
	}
	fmt.Fprintf(w, " %8s\n", "seconds")
	fmt.Fprintln(w, strings.Repeat("─", 14+10*len(keys)+9))
	for _, r := range reps {
		fmt.Fprintf(w, "%-14s", r.Model)
		for _, k := range keys {
			fmt.Fprintf(w, " %9.4f", r.Metrics[k])
		}
		fmt.Fprintf(w, " %8.2f\n", r.Seconds)
	}
}
