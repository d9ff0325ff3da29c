package lab

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arslab/arslab/engine/train"
)

// fakeTraining is a training body that says when it starts and trains until released or
// cancelled; it tracks how many bodies run at once.
type fakeTraining struct {
	mu      sync.Mutex
	running int
	most    int
	order   []string
}

func (f *fakeTraining) body(name string, started chan<- string, release <-chan struct{}) TrainFunc {
	return func(ctx context.Context, events chan<- train.Event) error {
		f.mu.Lock()
		f.running++
		f.most = max(f.most, f.running)
		f.order = append(f.order, name)
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.running--
			f.mu.Unlock()
		}()
		events <- train.Event{Kind: train.StepEvent, Step: 1, Message: name}
		started <- name
		select {
		case <-release:
			events <- train.Event{Kind: train.DoneEvent}
			return nil
		case <-ctx.Done():
			events <- train.Event{Kind: train.DoneEvent, Err: ctx.Err()}
			return ctx.Err()
		}
	}
}

// nextEvent reads job's next event, failing after a few seconds.
func nextEvent(t *testing.T, job *Job) train.Event {
	t.Helper()
	select {
	case ev, ok := <-job.Events():
		if !ok {
			t.Fatal("events closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event after 5s")
	}
	return train.Event{}
}

func wantInfo(t *testing.T, job *Job, want string) {
	t.Helper()
	ev := nextEvent(t, job)
	if ev.Kind != train.InfoEvent || !strings.Contains(ev.Message, want) {
		t.Fatalf("event %v %q, want info %q", ev.Kind, ev.Message, want)
	}
}

func wantStarted(t *testing.T, started <-chan string, want string) {
	t.Helper()
	select {
	case got := <-started:
		if got != want {
			t.Fatalf("%s started, want %s", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not start", want)
	}
}

func noStart(t *testing.T, started <-chan string) {
	t.Helper()
	select {
	case got := <-started:
		t.Fatalf("%s started while another trains", got)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestQueueOrderAndPositions(t *testing.T) {
	var q Queue
	f := &fakeTraining{}
	started := make(chan string, 4)
	rel := map[string]chan struct{}{"a": make(chan struct{}), "b": make(chan struct{}), "c": make(chan struct{})}
	ctx := context.Background()

	a := q.Start(ctx, f.body("a", started, rel["a"]))
	wantStarted(t, started, "a")
	if ev := nextEvent(t, a); ev.Kind != train.StepEvent { // the first job never waits: no queue message
		t.Fatalf("a's first event %v %q", ev.Kind, ev.Message)
	}
	b := q.Start(ctx, f.body("b", started, rel["b"]))
	wantInfo(t, b, QueuedMessage(1, 1))
	c := q.Start(ctx, f.body("c", started, rel["c"]))
	wantInfo(t, c, QueuedMessage(2, 2))
	if r, w := q.Len(); r != 1 || w != 2 {
		t.Errorf("Len = %d running, %d waiting; want 1, 2", r, w)
	}
	noStart(t, started)

	close(rel["a"]) // a finishes: b (first in line) starts, c moves up
	wantStarted(t, started, "b")
	wantInfo(t, b, "your turn: training starts")
	wantInfo(t, c, QueuedMessage(1, 1))
	noStart(t, started)

	close(rel["b"])
	wantStarted(t, started, "c")
	wantInfo(t, c, "your turn")
	close(rel["c"])
	for _, j := range []*Job{a, b, c} {
		if err := j.Wait(); err != nil {
			t.Errorf("Wait = %v", err)
		}
	}
	if f.most != 1 || strings.Join(f.order, "") != "abc" {
		t.Errorf("at most %d at once, order %v; want 1, abc", f.most, f.order)
	}
	if r, w := q.Len(); r != 0 || w != 0 {
		t.Errorf("Len after all = %d, %d", r, w)
	}
}

func TestQueueCancelWhileWaiting(t *testing.T) {
	var q Queue
	f := &fakeTraining{}
	started := make(chan string, 4)
	relA, relC := make(chan struct{}), make(chan struct{})
	ctx := context.Background()

	a := q.Start(ctx, f.body("a", started, relA))
	wantStarted(t, started, "a")
	b := q.Start(ctx, f.body("b", started, nil))
	wantInfo(t, b, QueuedMessage(1, 1))
	c := q.Start(ctx, f.body("c", started, relC))
	wantInfo(t, c, QueuedMessage(2, 2))

	b.Cancel() // leaves the queue at once; c moves up without a's turn ending
	ev := nextEvent(t, b)
	if ev.Kind != train.DoneEvent || !errors.Is(ev.Err, ErrLeftQueue) || errors.Is(ev.Err, context.Canceled) {
		t.Fatalf("b's last event %v %v, want DoneEvent ErrLeftQueue", ev.Kind, ev.Err)
	}
	if err := b.Wait(); !errors.Is(err, ErrLeftQueue) {
		t.Fatalf("b.Wait = %v", err)
	}
	if _, ok := <-b.Events(); ok {
		t.Error("b sent after its DoneEvent")
	}
	wantInfo(t, c, QueuedMessage(1, 1))
	if r, w := q.Len(); r != 1 || w != 1 {
		t.Errorf("Len = %d, %d; want 1, 1", r, w)
	}
	noStart(t, started)

	close(relA)
	wantStarted(t, started, "c")
	close(relC)
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	_ = a.Wait()
	if strings.Join(f.order, "") != "ac" {
		t.Errorf("order %v, want a c (b never trained)", f.order)
	}
}

func TestQueueCancelWhileRunningStartsNext(t *testing.T) {
	var q Queue
	f := &fakeTraining{}
	started := make(chan string, 4)
	relB := make(chan struct{})
	ctx := context.Background()

	a := q.Start(ctx, f.body("a", started, nil))
	wantStarted(t, started, "a")
	b := q.Start(ctx, f.body("b", started, relB))
	wantInfo(t, b, QueuedMessage(1, 1))

	a.Cancel()
	if err := a.Wait(); !errors.Is(err, context.Canceled) {
		t.Fatalf("a.Wait = %v, want context.Canceled (stopped while training)", err)
	}
	wantStarted(t, started, "b")
	wantInfo(t, b, "your turn")
	close(relB)
	if err := b.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestQueueParentContextEndsWaiting(t *testing.T) {
	var q Queue
	f := &fakeTraining{}
	started := make(chan string, 4)
	a := q.Start(context.Background(), f.body("a", started, nil))
	wantStarted(t, started, "a")
	ctx, cancel := context.WithCancel(context.Background())
	b := q.Start(ctx, f.body("b", started, nil))
	wantInfo(t, b, QueuedMessage(1, 1))
	cancel() // e.g. the session ended
	if err := b.Wait(); !errors.Is(err, ErrLeftQueue) {
		t.Fatalf("b.Wait = %v", err)
	}
	a.Cancel()
	_ = a.Wait()
	if r, w := q.Len(); r != 0 || w != 0 {
		t.Errorf("Len = %d, %d; want an empty queue", r, w)
	}
}
