package ckpt

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/arslab/arslab/internal/atomicfile"

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
	// Files are extra files written into the checkpoint folder before state.json (e.g. a
	// mixture run's sampler state), keyed by file name.
	Files map[string][]byte
}

// HasWeights reports whether dir already holds a model checkpoint (in a checkpoint
// folder named by the latest pointer, or flat as older runs wrote it).
func HasWeights(dir string) bool {
	cur, err := Current(dir)
	if err != nil {
		return false
	}
	_, err = os.Stat(filepath.Join(cur, WeightsFile))
	return err == nil
}

// HasState reports whether dir holds a resumable checkpoint (a state.json).
func HasState(dir string) bool {
	cur, err := Current(dir)
	if err != nil {
		return false
	}
	_, err = os.Stat(filepath.Join(cur, StateFile))
	return err == nil
}

// ErrNoCheckpoint is returned by Current when a run folder holds no checkpoint yet.
var ErrNoCheckpoint = errors.New("no checkpoint yet")

// Current returns the folder that holds dir's checkpoint files: the checkpoint folder the
// latest pointer names or, for a run written before checkpoint folders existed (no pointer,
// model.safetensors beside config.json), dir itself.
func Current(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, LatestFile))
	switch {
	case err == nil:
		name := strings.TrimSpace(string(b))
		if !validCkptName(name) {
			return "", fmt.Errorf("%s names %q, not a checkpoint folder", filepath.Join(dir, LatestFile), name)
		}
		cur := filepath.Join(dir, name)
		if _, err := os.Stat(cur); err != nil {
			return "", fmt.Errorf("%s names %s: %w", filepath.Join(dir, LatestFile), name, err)
		}
		return cur, nil
	case errors.Is(err, fs.ErrNotExist):
		if _, err := os.Stat(filepath.Join(dir, WeightsFile)); err == nil {
			return dir, nil // legacy flat layout
		}
		if _, err := os.Stat(dir); err != nil {
			return "", err
		}
		return "", fmt.Errorf("%s: %w", dir, ErrNoCheckpoint)
	default:
		return "", err
	}
}

func validCkptName(name string) bool {
	return strings.HasPrefix(name, CkptPrefix) && !strings.ContainsAny(name, `/\`) && name != CkptPrefix
}

// Save writes one checkpoint atomically as a whole: every file (weights, optimiser,
// metrics, state.json) goes into a new folder ckpt-<step>/ (ckpt-<step>-<n>/ when that
// step was saved before), then the latest pointer is switched to it with one atomic
// WriteFile, and only then are older checkpoint folders (and, in a run written before
// checkpoint folders, the flat files) removed. A crash at any point leaves the pointer on
// a complete checkpoint: the previous one or the new one.
func Save(dir string, c Checkpoint) error {
	name := fmt.Sprintf("%s%06d", CkptPrefix, c.State.Step)
	for n := 2; ; n++ {
		if _, err := os.Lstat(filepath.Join(dir, name)); errors.Is(err, fs.ErrNotExist) {
			break
		}
		name = fmt.Sprintf("%s%06d-%d", CkptPrefix, c.State.Step, n)
	}
	folder := filepath.Join(dir, name)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return fmt.Errorf("checkpoint folder: %w", err)
	}
	if err := atomicfile.SyncDir(dir); err != nil {
		return err
	}
	meta := map[string]string{"step": fmt.Sprint(c.State.Step), "format": "arslab"}
	if err := SaveParams(filepath.Join(folder, WeightsFile), c.Weights, meta); err != nil {
		return err
	}
	if err := SaveParams(filepath.Join(folder, OptimizerFile), c.Optim, meta); err != nil {
		return err
	}
	var mb bytes.Buffer
	for _, l := range c.Metrics {
		mb.Write(l)
		mb.WriteByte('\n')
	}
	if err := WriteFile(filepath.Join(folder, MetricsFile), mb.Bytes()); err != nil {
		return err
	}
	for name, b := range c.Files {
		if name == "" || filepath.Base(name) != name {
			return fmt.Errorf("checkpoint file %q: want a plain file name", name)
		}
		if err := WriteFile(filepath.Join(folder, name), b); err != nil {
			return err
		}
	}
	if err := WriteJSON(filepath.Join(folder, StateFile), c.State); err != nil {
		return err
	}
	if err := WriteFile(filepath.Join(dir, LatestFile), []byte(name+"\n")); err != nil {
		return err
	}
	prune(dir, name)
	return nil
}

// prune removes every checkpoint folder but keep (finished or left by a crash) and the
// flat checkpoint files of the older layout. Failures are harmless: Current never reads them.
func prune(dir, keep string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.IsDir() && e.Name() != keep && validCkptName(e.Name()) {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
	for _, f := range []string{WeightsFile, OptimizerFile, StateFile, MetricsFile} {
		os.Remove(filepath.Join(dir, f))
	}
}

// Open finds dir's current checkpoint and verifies it: state.json, model.safetensors and
// optimizer.safetensors must all record the same step (and metrics.jsonl no later one).
// A mix — what a crash between file writes left in a run written before checkpoint
// folders — is refused with an error naming each file's step. It returns the folder
// holding the files and the state.
func Open(dir string) (string, State, error) {
	cur, err := Current(dir)
	if err != nil {
		return "", State{}, err
	}
	var st State
	if err := ReadJSON(filepath.Join(cur, StateFile), &st); err != nil {
		return "", State{}, err
	}
	var mixed []string
	for _, f := range []string{WeightsFile, OptimizerFile} {
		step, err := fileStep(filepath.Join(cur, f))
		if err != nil {
			return "", State{}, err
		}
		if step != st.Step {
			mixed = append(mixed, fmt.Sprintf("%s is from step %d", f, step))
		}
	}
	if last := lastMetricsStep(ReadMetrics(cur)); last > st.Step {
		mixed = append(mixed, fmt.Sprintf("%s runs to step %d", MetricsFile, last))
	}
	if len(mixed) > 0 {
		return "", State{}, fmt.Errorf("checkpoint in %s is inconsistent: %s is at step %d but %s "+
			"(a crash while it was being saved); refusing to resume from a mix — start a new run, or copy a "+
			"consistent set of files back", cur, StateFile, st.Step, strings.Join(mixed, ", "))
	}
	return cur, st, nil
}

// fileStep reads the step recorded in a safetensors file's metadata (-1 when it has none).
func fileStep(path string) (int, error) {
	meta, err := ReadMeta(path)
	if err != nil {
		return 0, err
	}
	s, ok := meta["step"]
	if !ok {
		return -1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s: step %q in its metadata is not a number", path, s)
	}
	return n, nil
}

func lastMetricsStep(lines [][]byte) int {
	last := -1
	for _, l := range lines {
		var v struct {
			Step *int `json:"step"`
		}
		if json.Unmarshal(l, &v) == nil && v.Step != nil && *v.Step > last {
			last = *v.Step
		}
	}
	return last
}

// ReadState reads the current checkpoint's state.json.
func ReadState(dir string) (State, error) {
	cur, err := Current(dir)
	if err != nil {
		return State{}, err
	}
	var st State
	err = ReadJSON(filepath.Join(cur, StateFile), &st)
	return st, err
}

// ReadMetrics returns the non-empty lines of metrics.jsonl in the checkpoint folder dir (from
// Open or Current; none when the file is missing).
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

// ReadOptim reads the optimiser moments of optimizer.safetensors in the checkpoint folder dir by name.
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
