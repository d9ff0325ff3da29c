package train

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/arslab/arslab/engine/ckpt"
)

// Saving and resuming a run (the file format is engine/ckpt's).

// checkpoint saves the run (see ckpt.Save for the order of the files).
func (t *trainer) checkpoint() error {
	t.st.ElapsedSec = t.elapsed().Seconds()
	files, err := t.mixFiles()
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	c := ckpt.Checkpoint{Weights: t.m.Params(), Optim: t.opt.State(t.ps), Metrics: t.lines, State: t.st, Files: files}
	if err := ckpt.Save(t.dir, c); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	t.lastCkpt, t.ckptStep = t.elapsed(), t.st.Step
	return nil
}

// restore loads weights, optimiser state, state.json and metrics.jsonl from the run
// folder's current checkpoint, after ckpt.Open has checked that every file is from one step.
func (t *trainer) restore() error {
	cur, st, err := ckpt.Open(t.dir)
	if err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	if st.Examples != t.st.Examples || st.StepsPerEpoch != t.st.StepsPerEpoch {
		return fmt.Errorf("train: resume: %s was written for %d examples in %d steps/epoch, the data now gives %d in %d",
			filepath.Join(cur, ckpt.StateFile), st.Examples, st.StepsPerEpoch, t.st.Examples, t.st.StepsPerEpoch)
	}
	if err := ckpt.LoadParams(filepath.Join(cur, ckpt.WeightsFile), t.m.Params()); err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	moments, err := ckpt.ReadOptim(cur)
	if err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	if err := t.opt.LoadState(t.ps, moments, st.OptSteps); err != nil {
		return fmt.Errorf("train: resume: %s: %w", ckpt.OptimizerFile, err)
	}
	t.lines = ckpt.ReadMetrics(cur)
	t.st = st
	t.prevEl = time.Duration(st.ElapsedSec * float64(time.Second))
	t.lastCkpt, t.ckptStep = t.prevEl, st.Step
	t.info(fmt.Sprintf("resuming at step %d/%d (epoch %d)", st.Step, st.TotalSteps, st.Epoch+1))
	return nil
}

// configDiff names the fields where a and b differ (for resume errors).
func configDiff(a, b Config) string {
	var ma, mb map[string]any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	var diff []string
	for k, va := range ma {
		x, _ := json.Marshal(va)
		y, _ := json.Marshal(mb[k])
		if string(x) != string(y) {
			diff = append(diff, fmt.Sprintf("%s (%s vs %s)", k, x, y))
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			diff = append(diff, k)
		}
	}
	return strings.Join(diff, ", ")
}
