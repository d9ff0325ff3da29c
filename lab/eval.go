package lab

import (
	"context"
	"fmt"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
)

// Report is one evaluation: the object `arslab eval --json` prints.
type Report struct {
	Dataset  string             `json:"dataset"`
	Split    string             `json:"split"`
	Model    string             `json:"model"`
	Queries  int                `json:"queries"`
	Passages int                `json:"passages"`
	Metrics  map[string]float64 `json:"metrics"`
	Seconds  float64            `json:"seconds"`
	Rerank   bool               `json:"rerank,omitempty"` // metrics computed per candidate group
}

// Row is the report as a metrics-table row.
func (r Report) Row() Row { return Row{Name: r.Model, Split: r.Split, Metrics: r.Metrics} }

// Evaluate ranks every judged query of split with r and computes the IR metrics at the
// cut-offs ks (nil: metrics.DefaultKs). split "" is the DefaultSplit.
func (w *Workspace) Evaluate(ctx context.Context, r engine.Retriever, split datasets.Split, ks []int, progress engine.Progress) (Report, error) {
	if split == "" {
		split, _ = w.DefaultSplit()
	}
	start := time.Now()
	res, err := engine.Evaluate(ctx, r, w.Data, split, ks, progress)
	if err != nil {
		return Report{}, fmt.Errorf("evaluating %s: %w", r.Name(), err)
	}
	return Report{
		Dataset:  w.Data.Name,
		Split:    string(split),
		Model:    r.Name(),
		Queries:  res.Queries,
		Passages: len(w.Data.Passages),
		Metrics:  res.Metrics,
		Seconds:  time.Since(start).Seconds(),
		Rerank:   res.Rerank,
	}, nil
}
