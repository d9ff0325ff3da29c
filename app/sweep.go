package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/arslab/arslab/engine/compare"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
)

func (e env) sweep(ctx context.Context, args []string) error {
	fs := e.newFlags("sweep")
	data := fs.String("data", "demo", "training data (its train split)")
	evalData := fs.String("eval-data", "", "data to evaluate on (default: --data)")
	split := fs.String("split", "", "split to evaluate (default: test, else the only judged split)")
	out := fs.String("out", "", "sweep folder: one run folder per cell and sweep.json (required)")
	grid := fs.String("grid", "", "settings to sweep, e.g. 'head=ars,dot;negatives=hard:7,hard:29;tau=0.05,0.1' (required)")
	seeds := fs.String("seeds", "", "seeds, each cell trained once per seed, e.g. 1,2 (a seed axis)")
	base := fs.String("set", "", "settings every cell shares, e.g. epochs=1,max-len=64,batch=16 (keys: "+strings.Join(lab.SweepSettings, ", ")+")")
	baseline := fs.String("baseline", "", "the cell the others are tested against (default: the first)")
	perms := fs.Int("permutations", compare.DefaultPermutations, "samples of the randomisation test")
	format := fs.String("format", "markdown", "output: markdown, latex or json")
	dflags := addDataFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usageError{fmt.Sprintf("sweep: unexpected argument %q", pos[0])}
	case *out == "" || *grid == "":
		return usageError{"sweep: --out and --grid are required: arslab sweep --data D --out runs/sweep1 --grid 'head=ars,dot;negatives=hard:7,hard:29' --seeds 1,2"}
	}
	spec := *grid
	if *seeds != "" {
		if strings.Contains(spec, "seed=") {
			return usageError{"sweep: give seeds in --grid or --seeds, not both"}
		}
		spec += ";seed=" + *seeds
	}
	axes, err := lab.ParseGrid(spec)
	if err != nil {
		return usageError{"sweep: --grid: " + err.Error()}
	}
	cfg := train.DefaultConfig()
	for _, kv := range strings.Split(*base, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return usageError{fmt.Sprintf("sweep: --set %q: want key=value", kv)}
		}
		if err := lab.SetSetting(&cfg, strings.TrimSpace(k), strings.TrimSpace(v)); err != nil {
			return usageError{"sweep: --set: " + err.Error()}
		}
	}
	load, err := dflags.options()
	if err != nil {
		return err
	}
	d, err := lab.LoadDataset(*data, load)
	if err != nil {
		return err
	}
	cells := lab.Cells(axes)
	fmt.Fprintf(e.stderr, "sweep: %d cells × 1 training each into %s\n", len(cells), *out)
	start := time.Now()
	dirs, err := lab.Sweep(ctx, d, lab.SweepOptions{Base: cfg, Dir: *out, Cells: cells,
		OnCell: func(i int, c lab.SweepCell, skipped bool, job *lab.Job) {
			if skipped {
				fmt.Fprintf(e.stderr, "cell %d/%d %s: finished earlier, skipped\n", i+1, len(cells), c.Name)
				return
			}
			fmt.Fprintf(e.stderr, "cell %d/%d %s (%s elapsed)\n", i+1, len(cells), c.Name, time.Since(start).Round(time.Second))
			last := time.Time{}
			for ev := range job.Events() {
				if ev.Kind == train.StepEvent && (time.Since(last) > 10*time.Second || ev.Step == ev.TotalSteps) {
					last = time.Now()
					fmt.Fprintf(e.stderr, "  step %d/%d loss %.4f %.1f ex/s\n", ev.Step, ev.TotalSteps, ev.Loss, ev.ExamplesPerSec)
				}
			}
		}})
	if err != nil {
		return err
	}
	ed := *evalData
	if ed == "" {
		ed = *data
	}
	wss, splits, why, err := lab.OpenSplits(ctx, ed, lab.Options{Load: load}, *split, nil)
	if err != nil {
		return err
	}
	if why != "" {
		fmt.Fprintln(e.stderr, why)
	}
	ws := wss[0]
	models := make([]lab.Model, len(dirs))
	for i, dir := range dirs {
		m, err := ws.OpenModel(ctx, dir, nil)
		if err != nil {
			return err
		}
		m.Name = cells[i].Name
		models[i] = m
	}
	tab, err := ws.Compare(ctx, models, lab.CompareOptions{Split: splits[0], Baseline: *baseline,
		Keys: []string{"top1", "top5", "top20", "top100", "mrr@10", "ndcg@10"}, Eval: lab.EvalOptions{Ks: []int{1, 5, 20, 100}},
		Stats: compare.Options{Permutations: *perms, Seed: 1}})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "sweep: %d cells in %s\n", len(cells), time.Since(start).Round(time.Second))
	switch *format {
	case "latex", "tex":
		return tab.LaTeX(e.stdout)
	case "json":
		return tab.JSON(e.stdout)
	}
	return tab.Markdown(e.stdout)
}
