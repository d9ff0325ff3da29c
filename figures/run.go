// Package figures draws ARS Lab's curves as image files (SVG or PNG) for papers and slides:
// a training run's loss terms, positive/negative score separation, learning rate and dev
// metrics (Training), and the Top-k accuracy curves of several retrievers on one dataset
// (TopK). It reads run folders as files (metrics.jsonl, config.json) and imports no UI.
package figures

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/arslab/arslab/engine/ckpt"
)

// Files of a run folder read here (written by the training loop).
const (
	MetricsFile = "metrics.jsonl"
	ConfigFile  = "config.json"
)

// Step is one optimiser step as recorded in metrics.jsonl.
type Step struct {
	Step  int
	Epoch int
	Loss  float64            // weighted total
	Terms map[string]float64 // each loss term, unweighted
	Pos   float64            // mean sigmoid score of the positives
	Neg   float64            // mean sigmoid score of the negatives
	LR    float64
}

// Epoch is one epoch end with its dev metrics (nil when the dataset has no dev split).
type Epoch struct {
	Epoch int
	Step  int
	Dev   map[string]float64
}

// Run is what a run folder recorded.
type Run struct {
	Name    string             // the folder's base name
	Weights map[string]float64 // loss term → weight, from config.json (nil when absent)
	Summary string             // a one-line description of the config ("tiny ars · hard:3 · …")
	Steps   []Step
	Epochs  []Epoch
}

// metricsLine is one line of metrics.jsonl: {"kind":"step",…} or {"kind":"epoch",…}.
type metricsLine struct {
	Kind  string             `json:"kind"`
	Step  int                `json:"step"`
	Epoch int                `json:"epoch"`
	Loss  *float64           `json:"loss"`
	Terms map[string]float64 `json:"terms"`
	Pos   float64            `json:"pos"`
	Neg   float64            `json:"neg"`
	LR    float64            `json:"lr"`
	Dev   map[string]float64 `json:"dev"`
	Error string             `json:"error"`
}

// runConfig is the part of config.json the figure uses.
type runConfig struct {
	Preset    string             `json:"preset"`
	Head      string             `json:"head"`
	Mode      string             `json:"mode"`
	Losses    map[string]float64 `json:"losses"`
	Negatives string             `json:"negatives"`
	Epochs    int                `json:"epochs"`
	Batch     int                `json:"batch"`
	LR        float64            `json:"lr"`
}

// ReadRun reads dir/metrics.jsonl (and config.json when present). Lines that recorded an
// error instead of values (a NaN metric) are skipped; a malformed line is an error naming
// the file and line. A resumed run's repeated steps keep their last record.
func ReadRun(dir string) (*Run, error) {
	path := filepath.Join(dir, MetricsFile)
	if cur, err := ckpt.Current(dir); err == nil {
		path = filepath.Join(cur, MetricsFile) // the current checkpoint's (or, in an older run, dir's own)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(dir); serr != nil {
			return nil, fmt.Errorf("run %s: %w", dir, serr)
		}
		return nil, fmt.Errorf("run %s has no %s: not a training run folder, or no step finished yet", dir, MetricsFile)
	}
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", dir, err)
	}
	defer f.Close()

	abs, _ := filepath.Abs(dir)
	r := &Run{Name: filepath.Base(abs)}
	steps := map[int]Step{}
	epochs := map[int]Epoch{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var l metricsLine
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if l.Error != "" {
			continue
		}
		switch l.Kind {
		case "step":
			if l.Loss == nil {
				return nil, fmt.Errorf("%s:%d: step line without \"loss\"", path, n)
			}
			steps[l.Step] = Step{Step: l.Step, Epoch: l.Epoch, Loss: *l.Loss, Terms: l.Terms, Pos: l.Pos, Neg: l.Neg, LR: l.LR}
		case "epoch":
			epochs[l.Epoch] = Epoch{Epoch: l.Epoch, Step: l.Step, Dev: l.Dev}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, s := range steps {
		r.Steps = append(r.Steps, s)
	}
	sort.Slice(r.Steps, func(i, j int) bool { return r.Steps[i].Step < r.Steps[j].Step })
	for _, e := range epochs {
		r.Epochs = append(r.Epochs, e)
	}
	sort.Slice(r.Epochs, func(i, j int) bool { return r.Epochs[i].Epoch < r.Epochs[j].Epoch })
	if len(r.Steps) == 0 && len(r.Epochs) == 0 {
		return nil, fmt.Errorf("%s: no step recorded yet", path)
	}

	if b, err := os.ReadFile(filepath.Join(dir, ConfigFile)); err == nil {
		var c runConfig
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ConfigFile), err)
		}
		r.Weights = c.Losses
		epochs := fmt.Sprintf("%d epochs", c.Epochs)
		if c.Epochs == 1 {
			epochs = "1 epoch"
		}
		r.Summary = fmt.Sprintf("%s %s · %s · negatives %s · batch %d · lr %g · %s",
			c.Preset, c.Head, c.Mode, c.Negatives, c.Batch, c.LR, epochs)
	}
	return r, nil
}
