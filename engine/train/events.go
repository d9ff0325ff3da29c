package train

import (
	"time"
)

// Progress reporting: the Event values Run sends and how they are delivered.

// EventKind says what an Event reports.
type EventKind int

// Event kinds.
const (
	StepEvent   EventKind = iota // one optimiser step finished
	EpochEvent                   // an epoch finished; Dev holds dev metrics
	DoneEvent                    // training ended (finished, cancelled or failed; see Err)
	InfoEvent                    // a human-readable message (e.g. "mining hard negatives with BM25")
	PolicyEvent                  // a mixture run's sampling weights (after an infdds round: with its rewards)
)

// Event is one progress report from a running training. Views turn these into tea.Msg values.
type Event struct {
	Kind       EventKind
	Step       int // 1-based optimiser step
	TotalSteps int
	Epoch      int // 1-based
	Epochs     int
	Loss       float64            // weighted total
	Terms      map[string]float64 // each loss term, unweighted
	PosScore   float64            // mean sigmoid score of positives in the step
	NegScore   float64            // mean sigmoid score of negatives in the step
	LR         float64
	// ExamplesPerSec is the training rate over the recent steps (StepEvent; at least
	// DefaultRateWindow of them covering at least DefaultRateSpan when there are enough),
	// or over the whole run (DoneEvent: total examples / total step time of this session).
	ExamplesPerSec float64
	// ETA is the time the remaining steps will take at the smoothed per-step time, plus the
	// remaining dev evaluations at the last one's duration (StepEvent; checkpoints not included).
	ETA      time.Duration
	StepTime time.Duration // StepEvent: how long this one step took
	Elapsed  time.Duration
	Dev      map[string]float64 // EpochEvent: dev metrics (same keys as metrics results)
	Message  string
	Err      error // DoneEvent: nil on success, context.Canceled when stopped, else the failure
	RunDir   string
	// Mixture is set by multi-dataset runs (RunMixture): the sampling weights, and on a
	// StepEvent the dataset the step trained on.
	Mixture *MixtureInfo
}

// doneSendTimeout bounds how long the final DoneEvent waits on a full channel once
// the context is cancelled.
const doneSendTimeout = time.Second

// emit sends ev unless the context is cancelled while the channel is full.
func (t *trainer) emit(ev Event) {
	if t.events == nil {
		return
	}
	select { // room in the channel: always deliver, even after a cancel
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
	t.emit(Event{Kind: InfoEvent, Message: msg, Step: t.st.Step, TotalSteps: t.st.TotalSteps, RunDir: t.dir})
}

// done sends the DoneEvent; after a cancellation it waits at most doneSendTimeout.
func (t *trainer) done(err error) {
	if t.events == nil {
		return
	}
	ev := Event{Kind: DoneEvent, Err: err, Step: t.st.Step, TotalSteps: t.st.TotalSteps, Epoch: t.st.Epoch,
		Epochs: t.cfg.Epochs, Elapsed: t.elapsed(), RunDir: t.dir, ExamplesPerSec: t.meter.Average()}
	if t.ctx.Err() == nil {
		t.events <- ev
		return
	}
	timer := time.NewTimer(doneSendTimeout)
	defer timer.Stop()
	select {
	case t.events <- ev:
	case <-timer.C:
	}
}
