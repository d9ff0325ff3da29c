package train

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/metrics"
)

// The epoch loop: pause/cancel between steps, dev evaluation and checkpoints at epoch
// ends, metrics.jsonl records.

// loop runs the remaining epochs from t.st and checkpoints at the end of each.
func (t *trainer) loop() error {
	n, b := len(t.examples), t.cfg.Batch
	bounds := batchBounds(n, b)
	for t.st.Epoch < t.cfg.Epochs {
		epoch := t.st.Epoch
		perm := rand.New(rand.NewSource(t.cfg.Seed + int64(epoch))).Perm(n)
		for bi := t.st.StepInEpoch; bi < len(bounds); bi++ {
			if err := t.between(); err != nil {
				return t.stop(err)
			}
			batch := make([]example, 0, bounds[bi][1]-bounds[bi][0])
			for _, e := range perm[bounds[bi][0]:bounds[bi][1]] {
				batch = append(batch, t.examples[e])
			}
			ev, err := t.step(batch)
			if err != nil {
				return err
			}
			t.st.StepInEpoch = bi + 1
			t.record(map[string]any{"kind": "step", "step": ev.Step, "epoch": ev.Epoch, "loss": ev.Loss, "terms": ev.Terms,
				"pos": ev.PosScore, "neg": ev.NegScore, "lr": ev.LR, "examples_per_sec": ev.ExamplesPerSec,
				"step_seconds": ev.StepTime.Seconds()})
			t.emit(ev)
			if ev.Step == 1 {
				t.checkLossBalance(ev.Terms)
			}
			if bi+1 < len(bounds) && t.checkpointDue() {
				if err := t.checkpoint(); err != nil {
					return err
				}
			}
		}
		t.st.Epoch, t.st.StepInEpoch = epoch+1, 0
		ev := Event{Kind: EpochEvent, Step: t.st.Step, TotalSteps: t.st.TotalSteps, Epoch: epoch + 1, Epochs: t.cfg.Epochs,
			Elapsed: t.elapsed(), RunDir: t.dir}
		devStart := t.now()
		dev, err := t.devMetrics()
		if dev != nil {
			t.devTook = t.now().Sub(devStart)
		}
		if err != nil {
			if t.ctx.Err() != nil {
				return t.stop(t.ctx.Err())
			}
			ev.Message = "dev evaluation failed: " + err.Error()
		} else {
			ev.Dev = dev
		}
		t.record(map[string]any{"kind": "epoch", "epoch": epoch + 1, "step": t.st.Step, "dev": ev.Dev})
		if err := t.checkpoint(); err != nil {
			return err
		}
		t.emit(ev)
	}
	t.st.Finished = true
	return t.checkpoint()
}

// between waits while the run is paused (that time is not training time) and returns the
// context's error once it is cancelled.
func (t *trainer) between() error {
	if ctl := controlFrom(t.ctx); ctl != nil {
		if ctl.Paused() {
			t.info("paused")
		}
		waited, err := ctl.wait(t.ctx)
		t.start = t.start.Add(waited)
		if waited > 0 {
			t.meter.Skip()
		}
		if err == nil && waited > 0 {
			t.info("resumed")
		}
	}
	return t.ctx.Err()
}

func (t *trainer) elapsed() time.Duration { return t.prevEl + t.now().Sub(t.start) }

// checkpointDue reports whether an in-epoch checkpoint is due (Options' intervals).
func (t *trainer) checkpointDue() bool {
	if n := t.opts.CheckpointSteps; n > 0 && t.st.Step-t.ckptStep >= n {
		return true
	}
	if d := t.opts.CheckpointEvery; d > 0 && t.elapsed()-t.lastCkpt >= d {
		return true
	}
	return false
}

// stop writes a checkpoint after a cancellation and returns the context's error.
func (t *trainer) stop(cause error) error {
	if t.st.Step > 0 {
		if err := t.checkpoint(); err != nil {
			return fmt.Errorf("%w (and the checkpoint failed: %v)", cause, err)
		}
	}
	return cause
}

// devMetrics evaluates the current model on Options.Dev or else the dev split (nil when
// there is none).
func (t *trainer) devMetrics() (map[string]float64, error) {
	ds, split := t.ds, datasets.Dev
	if t.opts.Dev != nil {
		ds, split = t.opts.Dev, DevSplit(t.opts.Dev)
	}
	if len(ds.Qrels[split]) == 0 {
		return nil, nil
	}
	ix, err := t.m.Index(t.ctx, ds.Passages, nil)
	if err != nil {
		return nil, err
	}
	res, err := engine.Evaluate(t.ctx, ix, ds, split, metrics.DefaultKs, nil)
	if err != nil {
		return nil, err
	}
	return res.Metrics, nil
}

func (t *trainer) record(v map[string]any) {
	b, err := json.Marshal(v)
	if err != nil { // NaN in a metric: keep the line, without the values
		b, _ = json.Marshal(map[string]any{"kind": v["kind"], "step": v["step"], "error": err.Error()})
	}
	t.lines = append(t.lines, b)
}

// DevSplit is the split of a separate dev dataset that is evaluated after each epoch: its dev
// split, else its test split, else its train split (a SQuAD file loads as train only).
func DevSplit(d *datasets.Dataset) datasets.Split {
	for _, s := range []datasets.Split{datasets.Dev, datasets.Test, datasets.Train} {
		if len(d.Qrels[s]) > 0 {
			return s
		}
	}
	return datasets.Dev
}
