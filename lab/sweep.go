package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/train"
)

// GridAxis is one swept setting and its values, in the order given.
type GridAxis struct {
	Key    string
	Values []string
}

// SweepCell is one point of the grid: a value per axis.
type SweepCell struct {
	Name   string            // "head=ars,negatives=hard:7,seed=1": also its run folder's name
	Values map[string]string // axis key → value
}

// ParseGrid reads `head=ars,dot;negatives=hard:7,hard:29;tau=0.05,0.1` (axes separated by ";",
// values by ","). Keys are the training settings SetSetting knows. Every value is checked
// against a default configuration, so a typo fails before any training starts.
func ParseGrid(s string) ([]GridAxis, error) {
	var axes []GridAxis
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, vals, ok := strings.Cut(part, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fmt.Errorf("grid %q: %q is not key=v1,v2", s, part)
		}
		if seen[key] {
			return nil, fmt.Errorf("grid %q: %s given twice", s, key)
		}
		seen[key] = true
		ax := GridAxis{Key: key}
		// negatives values contain ":" but never ","; split on ",".
		for _, v := range strings.Split(vals, ",") {
			v = strings.TrimSpace(v)
			if v == "" {
				return nil, fmt.Errorf("grid %q: %s has an empty value", s, key)
			}
			cfg := train.DefaultConfig()
			if err := SetSetting(&cfg, key, v); err != nil {
				return nil, fmt.Errorf("grid %q: %w", s, err)
			}
			ax.Values = append(ax.Values, v)
		}
		axes = append(axes, ax)
	}
	if len(axes) == 0 {
		return nil, fmt.Errorf("grid %q: no axes (want e.g. head=ars,dot;negatives=hard:7,hard:29)", s)
	}
	return axes, nil
}

// Cells lists the grid's points, the first axis varying slowest.
func Cells(axes []GridAxis) []SweepCell {
	cells := []SweepCell{{Values: map[string]string{}}}
	for _, ax := range axes {
		var next []SweepCell
		for _, c := range cells {
			for _, v := range ax.Values {
				vals := make(map[string]string, len(c.Values)+1)
				for k, x := range c.Values {
					vals[k] = x
				}
				vals[ax.Key] = v
				next = append(next, SweepCell{Values: vals})
			}
		}
		cells = next
	}
	for i := range cells {
		parts := make([]string, len(axes))
		for j, ax := range axes {
			parts[j] = ax.Key + "=" + cells[i].Values[ax.Key]
		}
		cells[i].Name = strings.Join(parts, ",")
	}
	return cells
}

// SweepSettings are the keys a grid (or the sweep's base flags) may set.
var SweepSettings = []string{"preset", "mode", "pooling", "head", "head-init", "init", "h", "loss", "tau", "negatives", "epochs",
	"batch", "lr", "warmup", "max-len", "pseudo", "seed"}

// SetSetting sets one training setting from its text, as the train flags read it.
func SetSetting(c *train.Config, key, val string) error {
	atoi := func() (int, error) {
		n, err := strconv.Atoi(val)
		if err != nil {
			return 0, fmt.Errorf("%s=%s: not an integer", key, val)
		}
		return n, nil
	}
	atof := func() (float64, error) {
		x, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return 0, fmt.Errorf("%s=%s: not a number", key, val)
		}
		return x, nil
	}
	var err error
	switch key {
	case "preset":
		c.Preset = val
	case "mode":
		c.Mode = val
	case "pooling":
		c.Pooling = val
	case "head":
		c.Head = val
	case "head-init":
		c.HeadInit = val
	case "init":
		c.Init = val // the trainer reads the checkpoint (train.ApplyInit) when the cell starts
	case "negatives":
		c.Negatives = val
	case "loss":
		c.Losses, err = train.ParseLosses(val)
	case "h":
		c.H, err = atoi()
	case "epochs":
		c.Epochs, err = atoi()
	case "batch":
		c.Batch, err = atoi()
	case "max-len":
		c.MaxLen, err = atoi()
	case "pseudo":
		c.Pseudo, err = atoi()
	case "seed":
		var n int
		n, err = atoi()
		c.Seed = int64(n)
	case "tau":
		c.Tau, err = atof()
	case "lr":
		c.LR, err = atof()
	case "warmup":
		c.Warmup, err = atof()
	default:
		return fmt.Errorf("unknown setting %q (want one of %s)", key, strings.Join(SweepSettings, ", "))
	}
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%s=%s: %w", key, val, err)
	}
	return nil
}

// SweepRecord is what sweep.json keeps of each finished cell, so a restarted sweep skips it.
type SweepRecord struct {
	Name     string            `json:"name"`
	Dir      string            `json:"dir"`
	Values   map[string]string `json:"values"`
	Seconds  float64           `json:"seconds"`
	Finished time.Time         `json:"finished"`
}

// sweepFile is the record of a sweep folder.
const sweepFile = "sweep.json"

// ReadSweep reads the finished cells recorded in dir (none when dir has no record).
func ReadSweep(dir string) (map[string]SweepRecord, error) {
	b, err := os.ReadFile(filepath.Join(dir, sweepFile))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]SweepRecord{}, nil
	}
	if err != nil {
		return nil, err
	}
	var recs []SweepRecord
	if err := json.Unmarshal(b, &recs); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, sweepFile), err)
	}
	out := make(map[string]SweepRecord, len(recs))
	for _, r := range recs {
		out[r.Name] = r
	}
	return out, nil
}

// writeSweep records the finished cells atomically.
func writeSweep(dir string, done map[string]SweepRecord) error {
	recs := make([]SweepRecord, 0, len(done))
	for _, r := range done {
		recs = append(recs, r)
	}
	slices.SortFunc(recs, func(a, b SweepRecord) int { return strings.Compare(a.Name, b.Name) })
	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return err
	}
	return ckpt.WriteFile(filepath.Join(dir, sweepFile), append(b, '\n'))
}

// SweepOptions configure Sweep.
type SweepOptions struct {
	Base  train.Config // the settings the grid does not set
	Dir   string       // the sweep folder: one run folder per cell, and sweep.json
	Cells []SweepCell
	// OnCell is told when a cell starts (skipped: finished earlier; job is nil then) and may
	// read its job's events (Sweep drains what it leaves); it may be nil.
	OnCell func(i int, c SweepCell, skipped bool, job *Job)
}

// Sweep trains every cell of the grid on d, one at a time, into Dir/<cell name>. A cell
// recorded in Dir/sweep.json is skipped; a cell whose run folder exists but is not recorded
// resumes from its last checkpoint. It returns the run folders in cell order; on
// cancellation the cells finished so far stay recorded.
func Sweep(ctx context.Context, d *datasets.Dataset, o SweepOptions) ([]string, error) {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	done, err := ReadSweep(o.Dir)
	if err != nil {
		return nil, err
	}
	dirs := make([]string, len(o.Cells))
	for i, c := range o.Cells {
		dir := filepath.Join(o.Dir, c.Name)
		dirs[i] = dir
		if _, ok := done[c.Name]; ok {
			if o.OnCell != nil {
				o.OnCell(i, c, true, nil)
			}
			continue
		}
		cfg := o.Base
		cfg.Losses = maps(o.Base.Losses)
		for k, v := range c.Values {
			if err := SetSetting(&cfg, k, v); err != nil {
				return dirs, fmt.Errorf("cell %s: %w", c.Name, err)
			}
		}
		_, statErr := os.Stat(filepath.Join(dir, ckpt.ConfigFile))
		resume := statErr == nil
		start := time.Now()
		job := Train(ctx, cfg, d, dir, resume)
		if o.OnCell != nil {
			o.OnCell(i, c, false, job)
		}
		for range job.Events() {
		}
		if err := job.Wait(); err != nil {
			return dirs, fmt.Errorf("cell %s: %w", c.Name, err)
		}
		done[c.Name] = SweepRecord{Name: c.Name, Dir: dir, Values: c.Values, Seconds: time.Since(start).Seconds(), Finished: time.Now().UTC()}
		if err := writeSweep(o.Dir, done); err != nil {
			return dirs, err
		}
	}
	return dirs, nil
}

func maps(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
