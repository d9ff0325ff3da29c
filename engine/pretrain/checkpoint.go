package pretrain

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/train"
)

// Checkpoints: the model's tensors go to model.safetensors exactly as engine/train writes
// them (dense.Load reads it); the MLM heads' tensors, which dense.Load does not want, go
// to optimizer.safetensors beside the AdamW moments.

func (t *trainer) mlmParams() []*nn.Param {
	var ps []*nn.Param
	for _, h := range t.mlm {
		ps = append(ps, h.params...)
	}
	return ps
}

func (t *trainer) checkpoint() error {
	t.st.ElapsedSec = t.elapsed().Seconds()
	optim := append(t.opt.State(t.ps), t.mlmParams()...)
	c := ckpt.Checkpoint{Weights: t.m.Params(), Optim: optim, Metrics: t.lines, State: t.st}
	if err := ckpt.Save(t.dir, c); err != nil {
		return fmt.Errorf("pretrain: checkpoint: %w", err)
	}
	t.lastCkpt, t.ckptStep = t.elapsed(), t.st.Step
	return nil
}

// restore loads the current checkpoint (after ckpt.Open checked its files agree).
func (t *trainer) restore() error {
	cur, st, err := ckpt.Open(t.dir)
	if err != nil {
		return fmt.Errorf("pretrain: resume: %w", err)
	}
	if st.Examples != t.st.Examples || st.StepsPerEpoch != t.st.StepsPerEpoch || st.TotalSteps != t.st.TotalSteps {
		return fmt.Errorf("pretrain: resume: %s was written for %d passages in %d steps/epoch (%d steps), the data now gives %d in %d (%d)",
			filepath.Join(cur, ckpt.StateFile), st.Examples, st.StepsPerEpoch, st.TotalSteps, t.st.Examples, t.st.StepsPerEpoch, t.st.TotalSteps)
	}
	if err := ckpt.LoadParams(filepath.Join(cur, ckpt.WeightsFile), t.m.Params()); err != nil {
		return fmt.Errorf("pretrain: resume: %w", err)
	}
	saved, err := ckpt.ReadOptim(cur)
	if err != nil {
		return fmt.Errorf("pretrain: resume: %w", err)
	}
	if err := t.opt.LoadState(t.ps, saved, st.OptSteps); err != nil {
		return fmt.Errorf("pretrain: resume: %s: %w", ckpt.OptimizerFile, err)
	}
	for _, p := range t.mlmParams() {
		w, ok := saved[p.Name]
		if !ok || len(w) != len(p.W) {
			return fmt.Errorf("pretrain: resume: %s: tensor %s is missing or mis-sized", filepath.Join(cur, ckpt.OptimizerFile), p.Name)
		}
		copy(p.W, w)
	}
	t.lines = ckpt.ReadMetrics(cur)
	t.st = st
	t.prevEl = time.Duration(st.ElapsedSec * float64(time.Second))
	t.lastCkpt, t.ckptStep = t.prevEl, st.Step
	t.info(fmt.Sprintf("resuming at step %d/%d", st.Step, st.TotalSteps))
	return nil
}

// emit sends ev unless the context is cancelled while the channel is full.
func (t *trainer) emit(ev train.Event) {
	if t.events == nil {
		return
	}
	select {
	case t.events <- ev:
		return
	default:
	}
	select {
	case t.events <- ev:
	case <-t.ctx.Done():
	}
}

func (t *trainer) info(msg string) {
	t.emit(train.Event{Kind: train.InfoEvent, Message: msg, Step: t.st.Step, TotalSteps: t.st.TotalSteps, RunDir: t.dir})
}

// done sends the DoneEvent; after a cancellation it waits at most a second.
func (t *trainer) done(err error) {
	if t.events == nil {
		return
	}
	ev := train.Event{Kind: train.DoneEvent, Err: err, Step: t.st.Step, TotalSteps: t.st.TotalSteps, Epoch: t.st.Epoch,
		Elapsed: t.elapsed(), RunDir: t.dir, ExamplesPerSec: t.meter.Average()}
	if t.st.StepsPerEpoch > 0 {
		ev.Epochs = t.epochs()
	}
	if t.ctx.Err() == nil {
		t.events <- ev
		return
	}
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	select {
	case t.events <- ev:
	case <-timer.C:
	}
}
