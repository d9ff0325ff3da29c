package lab

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/arslab/arslab/engine/ckpt"

	"github.com/arslab/arslab/internal/atomicfile"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/train"
)

// The files of a run folder read here. They are the training engine's (engine/train), read
// through this small reader so that the Runs pane depends on the folder's format, not on
// the engine's internals; RunDataFile is written by this package when a training starts.
const (
	runConfigFile  = "config.json"
	runStateFile   = "state.json"
	runMetricsFile = "metrics.jsonl"
	runWeightsFile = "model.safetensors"
	// RunDataFile names the dataset a run was trained on ({"name", "source"}).
	RunDataFile = "lab.json"
	// TrashDir is the folder, inside a runs folder, that deleted runs are moved to.
	TrashDir = ".trash"
)

// RunInfo is what a run folder says about its training.
type RunInfo struct {
	Dir      string       // the run folder
	Name     string       // its base name
	Date     time.Time    // last checkpoint (state.json, else config.json, modification time)
	Config   train.Config // config.json
	Data     string       // dataset name (lab.json), "" when unknown
	Source   string       // dataset path (lab.json), "" when unknown
	Step     int          // optimiser steps done (state.json)
	Total    int          // steps planned
	Epoch    int          // epochs fully done
	Finished bool         // the run completed every epoch
	Elapsed  time.Duration
	Losses   []float64 // the loss of every recorded step, in order (metrics.jsonl)
	// Best is the best dev value of BestKey over the epochs (metrics.jsonl); BestEpoch 0: none.
	Best      float64
	BestKey   string
	BestEpoch int
	HasModel  bool   // model.safetensors is present: the run can be opened
	Err       string // why the folder could not be read in full ("" = read)
}

// Resumable reports whether r stopped before its last step and can be continued.
func (r RunInfo) Resumable() bool { return r.Err == "" && r.HasModel && !r.Finished && r.Step > 0 }

// State is a one-word summary: finished, stopped (resumable), started or broken.
func (r RunInfo) State() string {
	switch {
	case r.Err != "":
		return "unreadable"
	case r.Finished:
		return "finished"
	case r.Resumable():
		return "stopped"
	case !r.HasModel:
		return "no checkpoint"
	}
	return "started"
}

// runState is the part of state.json read here.
type runState struct {
	Step       int     `json:"step"`
	Epoch      int     `json:"epoch"`
	TotalSteps int     `json:"total_steps"`
	Finished   bool    `json:"finished"`
	ElapsedSec float64 `json:"elapsed_sec"`
}

// runLine is one line of metrics.jsonl.
type runLine struct {
	Kind  string             `json:"kind"`
	Step  int                `json:"step"`
	Epoch int                `json:"epoch"`
	Loss  *float64           `json:"loss"`
	Dev   map[string]float64 `json:"dev"`
}

// bestKey is the dev metric a run is ranked by; RunBestLabel is how it is written.
const (
	bestKey      = "mrr@10"
	RunBestLabel = "MRR@10"
)

// IsRunDir reports whether dir holds a run's config.json.
func IsRunDir(dir string) bool {
	info, err := os.Stat(filepath.Join(dir, runConfigFile))
	return err == nil && !info.IsDir()
}

// ListRuns reads every run folder directly under each of dirs (folders without config.json
// and dot folders such as the trash are skipped), newest first. A missing dir is no error;
// a run whose files cannot be parsed is listed with Err set.
func ListRuns(dirs ...string) ([]RunInfo, error) {
	var out []RunInfo
	seen := map[string]bool{}
	for _, dir := range dirs {
		ents, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("runs %s: %w", dir, err)
		}
		for _, e := range ents {
			if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			p := filepath.Join(dir, e.Name())
			abs, _ := filepath.Abs(p)
			if seen[abs] || !IsRunDir(p) {
				continue
			}
			seen[abs] = true
			out = append(out, ReadRun(p))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Date.Equal(out[j].Date) {
			return out[i].Date.After(out[j].Date)
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// ReadRun reads one run folder. It never fails: what cannot be read is said in Err.
func ReadRun(dir string) RunInfo {
	r := RunInfo{Dir: dir, Name: filepath.Base(dir), BestKey: bestKey}
	var errs []string
	note := func(err error) { errs = append(errs, err.Error()) }
	if info, err := os.Stat(filepath.Join(dir, runConfigFile)); err == nil {
		r.Date = info.ModTime()
	}
	if err := readJSON(filepath.Join(dir, runConfigFile), &r.Config); err != nil {
		note(err)
	}
	// The current checkpoint: the folder the run's "latest" pointer names, or the run folder
	// itself in the old flat layout (engine/ckpt).
	cur := dir
	if c, err := ckpt.Current(dir); err == nil {
		cur = c
	}
	var st runState
	switch err := readJSON(filepath.Join(cur, runStateFile), &st); {
	case errors.Is(err, fs.ErrNotExist): // not checkpointed yet
	case err != nil:
		note(err)
	default:
		if info, err := os.Stat(filepath.Join(cur, runStateFile)); err == nil {
			r.Date = info.ModTime()
		}
		r.Step, r.Total, r.Epoch, r.Finished = st.Step, st.TotalSteps, st.Epoch, st.Finished
		r.Elapsed = time.Duration(st.ElapsedSec * float64(time.Second))
	}
	var data struct{ Name, Source string }
	if err := readJSON(filepath.Join(dir, RunDataFile), &data); err == nil {
		r.Data, r.Source = data.Name, data.Source
	}
	if _, err := os.Stat(filepath.Join(cur, runWeightsFile)); err == nil {
		r.HasModel = true
	}
	metrics := filepath.Join(cur, runMetricsFile)
	if _, err := os.Stat(metrics); err != nil {
		metrics = filepath.Join(dir, runMetricsFile)
	}
	if err := r.readMetrics(metrics); err != nil && !errors.Is(err, fs.ErrNotExist) {
		note(err)
	}
	r.Err = strings.Join(errs, "; ")
	return r
}

func (r *RunInfo) readMetrics(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var l runLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return fmt.Errorf("%s line %d: %w", path, n, err)
		}
		switch l.Kind {
		case "step":
			if l.Loss != nil {
				r.Losses = append(r.Losses, *l.Loss)
			}
		case "epoch":
			if v, ok := l.Dev[bestKey]; ok && (r.BestEpoch == 0 || v > r.Best) {
				r.Best, r.BestEpoch = v, l.Epoch
			}
		}
	}
	return sc.Err()
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeRunData records in the run folder which dataset it is trained on (best effort: a
// run without it only shows no dataset in the Runs pane).
func writeRunData(dir string, d *datasets.Dataset) {
	if d == nil {
		return
	}
	if _, err := os.Stat(filepath.Join(dir, RunDataFile)); err == nil {
		return // resuming: keep the first record
	}
	b, err := json.Marshal(struct {
		Name   string `json:"name"`
		Source string `json:"source"`
	}{d.Name, d.Source})
	if err != nil || os.MkdirAll(dir, 0o755) != nil {
		return
	}
	_ = atomicfile.WriteFile(filepath.Join(dir, RunDataFile), append(b, '\n')) // best effort: the record only names the data
}

// TrashRun moves the run folder dir into the trash folder next to it (runs/.trash/NAME,
// with a time suffix when that name is taken) and returns the new path. Nothing is removed.
func TrashRun(dir string, now time.Time) (string, error) {
	if !IsRunDir(dir) {
		return "", fmt.Errorf("%s is not a run folder (no config.json)", dir)
	}
	trash := filepath.Join(filepath.Dir(dir), TrashDir)
	if err := os.MkdirAll(trash, 0o755); err != nil {
		return "", fmt.Errorf("trash %s: %w", dir, err)
	}
	dst := filepath.Join(trash, filepath.Base(dir))
	if _, err := os.Stat(dst); err == nil {
		dst += "-" + now.Format("20060102-150405.000")
	}
	if err := os.Rename(dir, dst); err != nil {
		return "", fmt.Errorf("trash %s: %w", dir, err)
	}
	return dst, nil
}

// ResumeRun continues the unfinished run in dir on the workspace's dataset with the
// configuration saved in the run.
func (w *Workspace) ResumeRun(ctx context.Context, dir string) (*Job, error) {
	if IsPretrainRun(dir) {
		return w.resumePretrain(ctx, dir)
	}
	r := ReadRun(dir)
	switch {
	case r.Err != "":
		return nil, fmt.Errorf("resume %s: %s", dir, r.Err)
	case r.Finished:
		return nil, fmt.Errorf("resume %s: the run is finished", dir)
	case !r.HasModel:
		return nil, fmt.Errorf("resume %s: no checkpoint yet", dir)
	case r.Data != "" && w.Data != nil && r.Data != w.Data.Name:
		return nil, fmt.Errorf("resume %s: it was trained on %s, the open dataset is %s", dir, r.Data, w.Data.Name)
	}
	return w.Train(ctx, r.Config, dir, true), nil
}
