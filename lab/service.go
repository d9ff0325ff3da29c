package lab

import (
	"context"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/train"
)

// Service opens workspaces and runs their jobs with fixed options. It is what the app hands
// to the panes (views.Engine); tests hand them a fake instead.
type Service struct {
	Options Options // for Open; Models are not reopened by a pane's load
}

// Open loads the dataset at path with its baselines evaluated.
func (s Service) Open(ctx context.Context, path string, progress engine.Progress) (*Workspace, error) {
	o := s.Options
	o.Models, o.Baselines = nil, true
	return Open(ctx, path, o, progress)
}

// OpenModel opens a run folder on w.
func (s Service) OpenModel(ctx context.Context, w *Workspace, dir string, progress engine.Progress) (Model, error) {
	return w.OpenModel(ctx, dir, progress)
}

// Evaluate computes r's metrics on one split of w.
func (s Service) Evaluate(ctx context.Context, w *Workspace, r engine.Retriever, split datasets.Split) (map[string]float64, error) {
	rep, err := w.Evaluate(ctx, r, split, nil, nil)
	return rep.Metrics, err
}

// Train starts training cfg on w into the run folder out. Head "cross" trains a
// cross-encoder reranker instead (CrossConfig), with the same events.
func (s Service) Train(ctx context.Context, w *Workspace, cfg train.Config, out string) *Job {
	if cfg.Head == CrossHead {
		return w.TrainReranker(ctx, CrossConfig(cfg), out)
	}
	return w.Train(ctx, cfg, out, false)
}

// Resume continues the unfinished run in dir on w.
func (s Service) Resume(ctx context.Context, w *Workspace, dir string) (*Job, error) {
	return w.ResumeRun(ctx, dir)
}
