package lab

import (
	"context"
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
	return Pretrain(ctx, cfg, []*datasets.Dataset{w.Data}, out, pretrain.Options{Resume: resume})
}

// IsPretrainRun reports whether the run folder's config.json is a pre-training's.
func IsPretrainRun(dir string) bool {
	var c struct {
		Kind string `json:"kind"`
	}
	return readJSON(dir+"/"+runConfigFile, &c) == nil && c.Kind == pretrain.Kind
}
