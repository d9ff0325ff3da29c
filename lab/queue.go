package lab

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/arslab/arslab/engine/train"
)

// ErrLeftQueue is the result of a job cancelled while it waited in a Queue: nothing was
// trained and no run folder was written. It deliberately does not match context.Canceled,
// which means "stopped, checkpoint kept".
var ErrLeftQueue = errors.New("left the training queue before starting: nothing was trained")

// Queue runs training jobs one at a time, in the order they were started. The SSH server
// shares one between all its sessions so that many users pressing s at once do not starve
// the machine: each waiting job tells its user its place, and may be cancelled while waiting.
// The zero value is ready to use.
type Queue struct {
	mu      sync.Mutex
	running *ticket   // the job training now (nil: none)
	waiting []*ticket // in arrival order
}

// ticket is one job's place in the queue.
type ticket struct {
	changed chan struct{} // signalled (non-blocking, capacity 1) when the queue moves
}

// QueuedMessage is the InfoEvent a waiting job sends when its place changes.
func QueuedMessage(pos, of int) string {
	return fmt.Sprintf("queued: position %d of %d (one training at a time on this server)", pos, of)
}

// Start returns a job that waits for its turn, then runs fn. While it waits its Events carry
// an InfoEvent (QueuedMessage) each time its place changes; once its turn comes an InfoEvent
// says so (when it had to wait) and fn's events follow. Cancelling a waiting job removes it
// from the queue at once: it sends a DoneEvent with ErrLeftQueue and returns that error.
// The job's turn ends when fn returns (finished, failed or cancelled), and the next starts.
func (q *Queue) Start(ctx context.Context, fn TrainFunc) *Job {
	return StartJob(ctx, func(ctx context.Context, events chan<- train.Event) error {
		t := &ticket{changed: make(chan struct{}, 1)}
		q.mu.Lock()
		q.waiting = append(q.waiting, t)
		q.mu.Unlock()
		defer q.leave(t)

		if err := q.await(ctx, t, events); err != nil {
			select {
			case events <- train.Event{Kind: train.DoneEvent, Err: err}:
			case <-time.After(time.Second): // nobody reading: do not hold the job open
			}
			return err
		}
		return fn(ctx, events)
	})
}

// Train starts training cfg on w's dataset into the run folder out once its turn comes.
func (q *Queue) Train(ctx context.Context, w *Workspace, cfg train.Config, out string) *Job {
	return q.Start(ctx, func(ctx context.Context, events chan<- train.Event) error {
		return train.Run(ctx, cfg, w.Data, out, false, events)
	})
}

// Len reports how many jobs are training (0 or 1) and how many are waiting.
func (q *Queue) Len() (running, waiting int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running != nil {
		running = 1
	}
	return running, len(q.waiting)
}

// await blocks until t is first in line and nothing is training, then makes t the running
// job. It reports t's place whenever it changes (with the queue's length then); it returns ErrLeftQueue when ctx ends first.
func (q *Queue) await(ctx context.Context, t *ticket, events chan<- train.Event) error {
	start := time.Now()
	lastPos := 0
	for {
		q.mu.Lock()
		pos := slices.Index(q.waiting, t) + 1
		of := len(q.waiting)
		if pos == 1 && q.running == nil {
			q.waiting = q.waiting[1:]
			q.running = t
			q.notifyLocked() // everyone behind moved up
			q.mu.Unlock()
			if lastPos > 0 {
				msg := fmt.Sprintf("your turn: training starts (waited %s in the queue)", time.Since(start).Round(time.Second))
				if !send(ctx, events, train.Event{Kind: train.InfoEvent, Message: msg}) {
					return ErrLeftQueue
				}
			}
			return nil
		}
		q.mu.Unlock()
		if pos != lastPos { // joins behind t do not move it: no message for them
			lastPos = pos
			if !send(ctx, events, train.Event{Kind: train.InfoEvent, Message: QueuedMessage(pos, of)}) {
				return ErrLeftQueue
			}
		}
		select {
		case <-ctx.Done():
			return ErrLeftQueue
		case <-t.changed:
		}
	}
}

// send delivers ev unless ctx ends first.
func send(ctx context.Context, events chan<- train.Event, ev train.Event) bool {
	select {
	case events <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

// leave takes t out of the queue (waiting or running) and tells the others to look again.
func (q *Queue) leave(t *ticket) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running == t {
		q.running = nil
	} else if i := slices.Index(q.waiting, t); i >= 0 {
		q.waiting = slices.Delete(q.waiting, i, i+1)
	}
	q.notifyLocked()
}

// notifyLocked tells every waiting job to look at its place again.
func (q *Queue) notifyLocked() {
	for _, w := range q.waiting {
		select {
		case w.changed <- struct{}{}:
		default:
		}
	}
}
