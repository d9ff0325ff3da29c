package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
)

// evalReport is the JSON object printed by `arslab eval --json`.
type evalReport struct {
	Dataset      string             `json:"dataset"`
	Split        string             `json:"split"`
	Model        string             `json:"model"`
	Queries      int                `json:"queries"`
	Passages     int                `json:"passages"`
	Metrics      map[string]float64 `json:"metrics"`
	Seconds      float64            `json:"seconds"`
	IndexSeconds float64            `json:"index_seconds"`
}

func (e env) eval(ctx context.Context, args []string) error {
	fs := e.newFlags("eval")
	data := fs.String("data", "demo", "dataset path or \"demo\"")
	model := fs.String("model", "", "bm25, tfidf or a run folder (runs/NAME)")
	split := fs.String("split", "test", "split to evaluate: train, dev or test")
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
	rep, err := e.evaluate(ctx, *data, *model, datasets.Split(*split), ks)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		return enc.Encode(rep)
	}
	writeTable(e.stdout, []evalReport{rep}, ks)
	return nil
}

// evaluate loads data, builds the model and scores one split.
func (e env) evaluate(ctx context.Context, data, model string, split datasets.Split, ks []int) (evalReport, error) {
	start := time.Now()
	d, err := loadData(data)
	if err != nil {
		return evalReport{}, err
	}
	r, err := e.openRetriever(ctx, model, d)
	if err != nil {
		return evalReport{}, err
	}
	indexed := time.Now()
	prog := progressLine(e.stderr, "evaluating "+r.Name(), 2*time.Second, time.Now)
	res, err := engine.Evaluate(ctx, r, d, split, ks, prog)
	if err != nil {
		return evalReport{}, err
	}
	return evalReport{
		Dataset:      d.Name,
		Split:        string(split),
		Model:        r.Name(),
		Queries:      res.Queries,
		Passages:     len(d.Passages),
		Metrics:      reportMetrics(res, ks),
		Seconds:      time.Since(start).Seconds(),
		IndexSeconds: indexed.Sub(start).Seconds(),
	}, nil
}

// reportMetrics keeps the headline metrics: Top-k for each k, recall at the largest k, MRR@10, MAP, nDCG@10.
func reportMetrics(res engine.EvalResult, ks []int) map[string]float64 {
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
func writeTable(w io.Writer, reps []evalReport, ks []int) {
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
