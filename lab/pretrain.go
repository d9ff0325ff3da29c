package lab

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/pretrain"
	"github.com/arslab/arslab/engine/train"
)

// Pretrain starts pre-training cfg on the passages of ds (never their questions) into the
// run folder out, as a Job with the same events, pause and cancel as a training: the
// command line prints them, the Training pane draws one curve per objective (mlm, crop,
// bm25 as loss terms).
func Pretrain(ctx context.Context, cfg pretrain.Config, ds []*datasets.Dataset, out string, opts pretrain.Options) *Job {
	return StartJob(ctx, func(ctx context.Context, events chan<- train.Event) error {
		names, sources := make([]string, len(ds)), make([]string, len(ds))
		for i, d := range ds {
			names[i], sources[i] = d.Name, d.Source
		}
		writeRunData(out, &datasets.Dataset{Name: strings.Join(names, "+"), Source: strings.Join(sources, " ")})
		return pretrain.Run(ctx, cfg, pretrain.Passages(ds...), out, opts, events)
	})
}

// Pretrain starts pre-training cfg on the workspace's passages into out.
func (w *Workspace) Pretrain(ctx context.Context, cfg pretrain.Config, out string, resume bool) *Job {
	if len(cfg.Data) == 0 && w.Data != nil {
		src := w.Data.Source
		if strings.HasPrefix(src, "embedded:") { // the demo set: what --data accepts for it
			src = w.Data.Name
		}
		cfg.Data = []string{src}
	}
	return Pretrain(ctx, cfg, []*datasets.Dataset{w.Data}, out, pretrain.Options{Resume: resume})
}

// IsPretrainRun reports whether the run folder's config.json is a pre-training's.
func IsPretrainRun(dir string) bool {
	var c struct {
		Kind string `json:"kind"`
	}
	return readJSON(filepath.Join(dir, runConfigFile), &c) == nil && c.Kind == pretrain.Kind
}

// Pretrain starts pre-training cfg on the passages of w's dataset into out.
func (s Service) Pretrain(ctx context.Context, w *Workspace, cfg pretrain.Config, out string) *Job {
	return w.Pretrain(ctx, cfg, out, false)
}

// resumePretrain continues the pre-training run in dir on the workspace's passages (the
// Runs pane's resume; ResumeRun sends pre-training runs here).
func (w *Workspace) resumePretrain(ctx context.Context, dir string) (*Job, error) {
	var cfg pretrain.Config
	if err := readJSON(filepath.Join(dir, runConfigFile), &cfg); err != nil {
		return nil, fmt.Errorf("resume %s: %w", dir, err)
	}
	r := ReadRun(dir)
	switch {
	case r.Finished:
		return nil, fmt.Errorf("resume %s: the run is finished", dir)
	case !r.HasModel:
		return nil, fmt.Errorf("resume %s: no checkpoint yet", dir)
	case r.Data != "" && w.Data != nil && r.Data != w.Data.Name:
		return nil, fmt.Errorf("resume %s: it was pre-trained on %s, the open dataset is %s (resume it with arslab pretrain --resume)", dir, r.Data, w.Data.Name)
	}
	return w.Pretrain(ctx, cfg, dir, true), nil
}
