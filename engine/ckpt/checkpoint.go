package ckpt

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/arslab/arslab/engine/nn"
)

// State is state.json: where a run stands, enough to resume it exactly. The shuffle
// of epoch e is rand.NewSource(seed + e).Perm(examples), so (epoch, step_in_epoch)
// is the whole RNG state.
type State struct {
	Step          int     `json:"step"`          // optimiser steps done
	Epoch         int     `json:"epoch"`         // epochs fully done
	StepInEpoch   int     `json:"step_in_epoch"` // batches of epoch `epoch` done
	StepsPerEpoch int     `json:"steps_per_epoch"`
	TotalSteps    int     `json:"total_steps"`
	Examples      int     `json:"examples"`
	Seed          int64   `json:"seed"`
	OptSteps      int     `json:"optimizer_steps"`
	Finished      bool    `json:"finished"`
	ElapsedSec    float64 `json:"elapsed_sec"`
}

// Checkpoint is what one save writes besides config.json and the vocabulary.
type Checkpoint struct {
	Weights []*nn.Param // every model tensor, under its checkpoint name
	Optim   []*nn.Param // the optimiser's moments (nn.AdamW.State)
	Metrics [][]byte    // metrics.jsonl lines, without newlines
	State   State
}

// HasWeights reports whether dir already holds a model checkpoint.
func HasWeights(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, WeightsFile))
	return err == nil
}

// HasState reports whether dir holds a resumable state.json.
func HasState(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, StateFile))
	return err == nil
}

// Save writes weights, optimiser, metrics and then state.json into dir (each atomically;
// state.json last, so it never points at files from another step).
func Save(dir string, c Checkpoint) error {
	meta := map[string]string{"step": fmt.Sprint(c.State.Step), "format": "arslab"}
	if err := SaveParams(filepath.Join(dir, WeightsFile), c.Weights, meta); err != nil {
		return err
	}
	if err := SaveParams(filepath.Join(dir, OptimizerFile), c.Optim, meta); err != nil {
		return err
	}
	var mb bytes.Buffer
	for _, l := range c.Metrics {
		mb.Write(l)
		mb.WriteByte('\n')
	}
	if err := WriteFile(filepath.Join(dir, MetricsFile), mb.Bytes()); err != nil {
		return err
	}
	return WriteJSON(filepath.Join(dir, StateFile), c.State)
}

// ReadState reads dir/state.json.
func ReadState(dir string) (State, error) {
	var st State
	err := ReadJSON(filepath.Join(dir, StateFile), &st)
	return st, err
}

// ReadMetrics returns the non-empty lines of dir/metrics.jsonl (none when the file is missing).
func ReadMetrics(dir string) [][]byte {
	f, err := os.Open(filepath.Join(dir, MetricsFile))
	if err != nil {
		return nil
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
			lines = append(lines, append([]byte(nil), l...))
		}
	}
	return lines
}

// ReadOptim reads the optimiser moments of dir/optimizer.safetensors by name.
func ReadOptim(dir string) (map[string][]float32, error) {
	ts, err := ReadTensors(filepath.Join(dir, OptimizerFile))
	if err != nil {
		return nil, err
	}
	moments := make(map[string][]float32, len(ts))
	for _, x := range ts {
		moments[x.Name] = x.Data
	}
	return moments, nil
}

// SaveParams writes ps (their weights W) as one safetensors file.
func SaveParams(path string, ps []*nn.Param, meta map[string]string) error {
	ts := make([]Tensor, len(ps))
	for i, p := range ps {
		ts[i] = Tensor{Name: p.Name, Shape: p.Shape, Data: p.W}
	}
	b, err := EncodeSafetensors(ts, meta)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return WriteFile(path, b)
}

// ReadTensors reads and decodes one safetensors file; errors name it.
func ReadTensors(path string) ([]Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ts, _, err := DecodeSafetensors(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ts, nil
}

// LoadParams copies the tensors of the safetensors file at path into ps by name; every
// param must be present with its size.
func LoadParams(path string, ps []*nn.Param) error {
	ts, err := ReadTensors(path)
	if err != nil {
		return err
	}
	byName := make(map[string]Tensor, len(ts))
	for _, t := range ts {
		byName[t.Name] = t
	}
	for _, p := range ps {
		t, ok := byName[p.Name]
		if !ok {
			return fmt.Errorf("%s: tensor %s is missing", path, p.Name)
		}
		if len(t.Data) != len(p.W) {
			return fmt.Errorf("%s: tensor %s has %d values, the model wants %d (shape %v)", path, p.Name, len(t.Data), len(p.W), p.Shape)
		}
		copy(p.W, t.Data)
	}
	return nil
}
