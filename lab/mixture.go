package lab

import (
	"context"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/train"
)

// TrainMixture starts a multi-dataset training (train.RunMixture): batches drawn from the
// sources by mix's sampler, target evaluated after each epoch.
func TrainMixture(ctx context.Context, cfg train.Config, mix train.Mixture, sources []*datasets.Dataset,
	target *datasets.Dataset, out string, opts train.Options) *Job {
	return StartJob(ctx, func(ctx context.Context, events chan<- train.Event) error {
		return train.RunMixture(ctx, cfg, mix, sources, target, out, opts, events)
	})
}
