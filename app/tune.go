package app

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/arslab/arslab/engine/fusion"
	"github.com/arslab/arslab/lab"
)

// tuneFlags are eval's flags for choosing a fusion's weights on the evaluated split.
type tuneFlags struct {
	step             *float64
	metric, tieBreak *string
}

func addTuneFlags(fs *flag.FlagSet) tuneFlags {
	return tuneFlags{
		step: fs.Float64("tune", 0, "with a fusion --model: evaluate every weight vector of this grid step (e.g. 0.05; weights sum to 1, the spec's own are replaced) "+
			"on the split and name the best; use a dev split or --holdout, never the test questions"),
		metric:   fs.String("tune-metric", "top1", "with --tune: the metric that picks the weights"),
		tieBreak: fs.String("tune-tiebreak", "mrr@10", "with --tune: the metric that breaks ties (then the earlier vector)"),
	}
}

func (t tuneFlags) on() bool { return *t.step != 0 }

// tune is `eval --tune`: one table row per weight vector, then the best spec.
func (e env) tune(ctx context.Context, ws *lab.Workspace, model string, o lab.TuneOptions, asJSON bool, ks []int) error {
	if !fusion.IsFusion(model) {
		return usageError{"eval: --tune needs a fusion --model (e.g. 'fuse:wsum(w=1,1):bm25+runs/X')"}
	}
	last := time.Time{}
	o.Progress = func(member string, done, total int) {
		if now := time.Now(); now.Sub(last) > 2*time.Second || done == total {
			last = now
			fmt.Fprintf(e.stderr, "ranking with %s: %d/%d queries\n", member, done, total)
		}
	}
	t, err := ws.TuneFusion(ctx, model, o)
	if err != nil {
		return usageError{"eval: --tune: " + err.Error()}
	}
	best := t.Evaluations[t.Best]
	if asJSON {
		reps := make([]lab.Report, len(t.Evaluations))
		for i, ev := range t.Evaluations {
			reps[i] = ev.Report
		}
		return json.NewEncoder(e.stdout).Encode(map[string]any{"grid": reps, "best": best.Model, "metric": o.Metric, "tiebreak": o.TieBreak})
	}
	reps := make([]lab.Report, len(t.Evaluations))
	for i, ev := range t.Evaluations {
		ev.Metrics = headline(ev.Report, ks)
		reps[i] = ev.Report
	}
	writeTable(e.stdout, reps, ks)
	fmt.Fprintf(e.stdout, "best by %s (ties: %s) on %s/%s: %s  (%s %.4f)\n", o.Metric, o.TieBreak, best.Dataset, best.Split, best.Model, o.Metric, best.Metrics[o.Metric])
	return nil
}
