package compare

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/arslab/arslab/engine/metrics"
)

// Run is one run's per-query scores under a name (a model or run file).
type Run struct {
	Name   string
	Scores metrics.PerQuery
}

// Table is the comparison of several runs with a baseline: one row per run, one cell per
// metric. It marshals to JSON as is (field names in snake_case).
type Table struct {
	Metrics      []string `json:"metrics"`
	Baseline     string   `json:"baseline"`
	Queries      int      `json:"queries"`    // paired queries per test
	RelMin       int      `json:"rel_min"`    // lowest grade counted relevant by the binary metrics
	Test         Test     `json:"test"`       // the p-value behind Significant
	Correction   string   `json:"correction"` // "holm": per metric, over the runs compared with the baseline
	Alpha        float64  `json:"alpha"`
	Permutations int      `json:"permutations"`
	Seed         uint64   `json:"seed"`
	CI           string   `json:"ci"` // "t" or "bootstrap"
	Confidence   float64  `json:"confidence"`
	Bootstrap    int      `json:"bootstrap,omitempty"`
	Tolerance    float64  `json:"tolerance"` // |difference| ≤ Tolerance is a tie
	Rows         []Row    `json:"rows"`
}

// Row is one run of a Table.
type Row struct {
	Name     string `json:"name"`
	Baseline bool   `json:"baseline,omitempty"`
	Missing  int    `json:"missing,omitempty"` // counted queries the run had no ranking for (scored 0)
	Cells    []Cell `json:"cells"`             // in the order of Table.Metrics
}

// Cell is one run's mean on one metric and, off the baseline row, its test against the baseline.
type Cell struct {
	Metric      string  `json:"metric"`
	Value       float64 `json:"value"`
	Best        bool    `json:"best,omitempty"`        // highest mean of the column (ties all best)
	Significant bool    `json:"significant,omitempty"` // corrected p of Table.Test below Alpha
	VsBaseline  *Stats  `json:"vs_baseline,omitempty"` // nil on the baseline row
}

// Build compares every run with the baseline (named; "" means the first run) on the given
// metric keys (nil means the keys of the first run, in display order). All runs must have
// been evaluated on the same queries with the same RelMin. Each test gets its own random
// stream, seeded from opt.Seed, the run's name and the metric, so results do not depend
// on run order or on opt.Workers. Holm–Bonferroni corrects, for each metric separately,
// the p-values of the runs compared with the baseline (a family of len(runs)−1 tests);
// a cell is Significant when the corrected p-value of opt.Test is below opt.Alpha.
func Build(runs []Run, baseline string, keys []string, opt Options) (*Table, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("%w: no runs", ErrInput)
	}
	bi := 0
	if baseline != "" {
		bi = slices.IndexFunc(runs, func(r Run) bool { return r.Name == baseline })
		if bi < 0 {
			return nil, fmt.Errorf("%w: baseline %q is not among the runs", ErrInput, baseline)
		}
	}
	if keys == nil {
		keys = runs[0].Scores.Keys()
	}
	ref := runs[0].Scores
	seen := map[string]bool{}
	for _, r := range runs {
		if seen[r.Name] {
			return nil, fmt.Errorf("%w: run %q given twice", ErrInput, r.Name)
		}
		seen[r.Name] = true
		if r.Scores.Rerank != ref.Rerank {
			return nil, fmt.Errorf("%w: run %q and run %q mix reranking and retrieval metrics", ErrInput, r.Name, runs[0].Name)
		}
		if r.Scores.RelMin != ref.RelMin {
			return nil, fmt.Errorf("%w: run %q counts grade ≥ %d relevant, run %q grade ≥ %d", ErrInput, r.Name, r.Scores.RelMin, runs[0].Name, ref.RelMin)
		}
		if !slices.Equal(r.Scores.Queries, ref.Queries) {
			return nil, fmt.Errorf("%w: run %q was evaluated on other queries than run %q (%d vs %d)", ErrInput, r.Name, runs[0].Name, len(r.Scores.Queries), len(ref.Queries))
		}
		for _, k := range keys {
			if v, ok := r.Scores.Values[k]; !ok || len(v) != len(ref.Queries) {
				return nil, fmt.Errorf("%w: run %q has no per-query values for metric %q", ErrInput, r.Name, k)
			}
		}
	}
	if len(runs) > 1 && len(ref.Queries) < 2 {
		return nil, fmt.Errorf("%w: %d queries, need at least 2 to compare", ErrInput, len(ref.Queries))
	}

	t := &Table{
		Metrics: slices.Clone(keys), Baseline: runs[bi].Name, Queries: len(ref.Queries), RelMin: ref.RelMin,
		Test: opt.Test, Correction: "holm", Alpha: opt.Alpha, Permutations: opt.Permutations, Seed: opt.Seed,
		CI: "t", Confidence: opt.Confidence, Bootstrap: opt.Bootstrap, Tolerance: opt.Tolerance,
	}
	if opt.Bootstrap > 0 {
		t.CI = "bootstrap"
	}
	t.Rows = make([]Row, len(runs))
	for i, r := range runs {
		row := Row{Name: r.Name, Baseline: i == bi, Missing: len(r.Scores.Missing), Cells: make([]Cell, len(keys))}
		for j, k := range keys {
			row.Cells[j] = Cell{Metric: k, Value: mean(r.Scores.Values[k])}
		}
		t.Rows[i] = row
	}
	if err := t.test(runs, bi, keys, opt); err != nil {
		return nil, err
	}
	t.mark(opt)
	return t, nil
}

// test runs the paired tests of every (run, metric) off the baseline, in parallel.
func (t *Table) test(runs []Run, bi int, keys []string, opt Options) error {
	type task struct{ run, metric int }
	var tasks []task
	for i := range runs {
		if i == bi {
			continue
		}
		for j := range keys {
			tasks = append(tasks, task{i, j})
		}
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(tasks))
	next := make(chan task)
	errs := make([]error, len(runs)*len(keys))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rt := newRandTest(nil)
			for tk := range next {
				key := keys[tk.metric]
				base, other := runs[bi].Scores.Values[key], runs[tk.run].Scores.Values[key]
				d, err := diffs(base, other)
				if err != nil {
					errs[tk.run*len(keys)+tk.metric] = fmt.Errorf("run %q, %s: %w", runs[tk.run].Name, key, err)
					continue
				}
				rng := rand.New(rand.NewPCG(opt.Seed, streamID(runs[tk.run].Name, key)))
				s := paired(base, other, d, opt, rng, rt)
				t.Rows[tk.run].Cells[tk.metric].VsBaseline = &s
			}
		}()
	}
	for _, tk := range tasks {
		next <- tk
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// streamID names the random stream of one test: FNV-1a of the run name and metric.
func streamID(run, metric string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(run))
	h.Write([]byte{0})
	h.Write([]byte(metric))
	return h.Sum64()
}

// mark applies the Holm correction per metric and sets Significant and Best.
func (t *Table) mark(opt Options) {
	for j := range t.Metrics {
		var cells []*Cell
		best := 0.0
		for i := range t.Rows {
			c := &t.Rows[i].Cells[j]
			if i == 0 || c.Value > best {
				best = c.Value
			}
			if c.VsBaseline != nil {
				cells = append(cells, c)
			}
		}
		for i := range t.Rows {
			c := &t.Rows[i].Cells[j]
			c.Best = c.Value == best
		}
		pt, pr := make([]float64, len(cells)), make([]float64, len(cells))
		for i, c := range cells {
			pt[i], pr[i] = c.VsBaseline.PT, c.VsBaseline.PRand
		}
		pt, pr = Holm(pt), Holm(pr)
		for i, c := range cells {
			c.VsBaseline.PTHolm, c.VsBaseline.PRandHolm = pt[i], pr[i]
			p := pr[i]
			if opt.Test == TTest {
				p = pt[i]
			}
			c.Significant = p < opt.Alpha
		}
	}
}
