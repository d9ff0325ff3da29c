package lab

import (
	"context"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/train"
)

// TrainFunc is a training body: it sends events until it returns and must not send after.
// train.Run bound to its arguments is one; tests pass fakes.
type TrainFunc func(ctx context.Context, events chan<- train.Event) error

// Job is a training running in its own goroutine. The command line prints its events and the
// Training pane draws them; both stop, pause and wait through the same methods.
type Job struct {
	events chan train.Event
	done   chan struct{}
	cancel context.CancelFunc
	ctl    *train.Control
	err    error // set before done is closed
}

// eventBuffer is how many events a job queues for a slow reader before the trainer blocks.
const eventBuffer = 256

// StartJob runs fn in a new goroutine under a context derived from parent that carries the
// job's pause control. Events() is closed once fn has returned.
func StartJob(parent context.Context, fn TrainFunc) *Job {
	ctx, cancel := context.WithCancel(parent)
	j := &Job{
		events: make(chan train.Event, eventBuffer),
		done:   make(chan struct{}),
		cancel: cancel,
		ctl:    &train.Control{},
	}
	ctx = train.WithControl(ctx, j.ctl)
	go func() {
		defer cancel()
		j.err = fn(ctx, j.events)
		close(j.done)
		close(j.events)
	}()
	return j
}

// Train starts training cfg on d into the run folder out (resume: continue the run found
// there). The command line trains this way; the panes go through Workspace.Train.
func Train(ctx context.Context, cfg train.Config, d *datasets.Dataset, out string, resume bool) *Job {
	return StartJob(ctx, func(ctx context.Context, events chan<- train.Event) error {
		writeRunData(out, d)
		return train.Run(ctx, cfg, d, out, resume, events)
	})
}

// TrainWith is Train with train.Options (resume, checkpoint intervals, a separate dev set).
func TrainWith(ctx context.Context, cfg train.Config, d *datasets.Dataset, out string, opts train.Options) *Job {
	return StartJob(ctx, func(ctx context.Context, events chan<- train.Event) error {
		return train.RunWith(ctx, cfg, d, out, opts, events)
	})
}

// Train starts training cfg on the workspace's dataset into the run folder out.
func (w *Workspace) Train(ctx context.Context, cfg train.Config, out string, resume bool) *Job {
	return Train(ctx, cfg, w.Data, out, resume)
}

// Events delivers the training's events; it is closed when the training has returned.
func (j *Job) Events() <-chan train.Event { return j.events }

// Done is closed when the training has returned (Err is then set).
func (j *Job) Done() <-chan struct{} { return j.done }

// Err is the training's result once Done is closed (nil before).
func (j *Job) Err() error {
	select {
	case <-j.done:
		return j.err
	default:
		return nil
	}
}

// Wait blocks until the training has returned and gives its result. Events not read by then
// stay readable from Events.
func (j *Job) Wait() error {
	<-j.done
	return j.err
}

// Cancel asks the training to stop; it writes its checkpoint and returns context.Canceled.
func (j *Job) Cancel() { j.cancel() }

// Pause makes the training wait before its next optimiser step.
func (j *Job) Pause() { j.ctl.Pause() }

// Resume lets a paused training continue.
func (j *Job) Resume() { j.ctl.Resume() }

// Paused reports whether a pause is in effect.
func (j *Job) Paused() bool { return j.ctl.Paused() }
