package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/lab"
)

func (e env) eval(ctx context.Context, args []string) error {
	fs := e.newFlags("eval")
	data := fs.String("data", "demo", "dataset path or \"demo\"")
	model := fs.String("model", "", lab.ModelSpecs)
	split := fs.String("split", "", "split to evaluate: train, dev or test (default: test, else the only judged split)")
	kflag := fs.String("k", "1,5,10,20,50,100", "Top-k cut-offs")
	asJSON := fs.Bool("json", false, "print one JSON object")
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
	if *model == "" {
		return usageError{"eval: --model is required: " + lab.ModelSpecs}
	}
	rep, err := e.evaluate(ctx, *data, *model, datasets.Split(*split), ks)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(rep)
	}
	writeTable(e.stdout, []lab.Report{rep}, ks)
	return nil
}

// evaluate opens the workspace and the model and scores one split; the report keeps the
// headline metrics.
func (e env) evaluate(ctx context.Context, data, model string, split datasets.Split, ks []int) (lab.Report, error) {
	start := time.Now()
	ws, err := lab.Open(ctx, data, lab.Options{}, progressLine(e.stderr, "indexing "+data, 2*time.Second, time.Now))
	if err != nil {
		return lab.Report{}, err
	}
	if split == "" {
		var why string
		split, why = ws.DefaultSplit()
		fmt.Fprintln(e.stderr, why)
	}
	m, err := ws.Retriever(ctx, model, progressLine(e.stderr, "encoding "+ws.Data.Name, 2*time.Second, time.Now))
	if err != nil {
		return lab.Report{}, usageError{"--model: " + err.Error()}
	}
	rep, err := ws.Evaluate(ctx, m.Retriever, split, ks, progressLine(e.stderr, "evaluating "+m.Name, 2*time.Second, time.Now))
	if err != nil {
		return lab.Report{}, err
	}
	rep.Metrics = headline(rep, ks)
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
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
