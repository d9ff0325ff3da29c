package train

import (
	"context"
	"sync"
	"time"
)

// Control pauses and resumes a running training between optimiser steps. Attach it to
// the context given to Run with WithControl; the zero value is ready to use.
type Control struct {
	mu     sync.Mutex
	paused bool
	resume chan struct{} // closed by Resume; nil while running
}

// Pause makes the training wait before its next step (no-op when already paused).
func (c *Control) Pause() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.paused {
		c.paused, c.resume = true, make(chan struct{})
	}
}

// Resume lets a paused training continue (no-op when running).
func (c *Control) Resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused {
		c.paused = false
		close(c.resume)
		c.resume = nil
	}
}

// Paused reports whether a pause is in effect.
func (c *Control) Paused() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paused
}

// wait blocks while paused, until Resume or ctx is done; it returns how long it waited.
func (c *Control) wait(ctx context.Context) (time.Duration, error) {
	c.mu.Lock()
	ch := c.resume
	c.mu.Unlock()
	if ch == nil {
		return 0, nil
	}
	start := time.Now()
	select {
	case <-ch:
		return time.Since(start), nil
	case <-ctx.Done():
		return time.Since(start), ctx.Err()
	}
}

type controlKey struct{}

// WithControl returns a context that carries c to Run.
func WithControl(ctx context.Context, c *Control) context.Context {
	return context.WithValue(ctx, controlKey{}, c)
}

// controlFrom returns the Control carried by ctx, or nil.
func controlFrom(ctx context.Context) *Control {
	c, _ := ctx.Value(controlKey{}).(*Control)
	return c
}
