package train

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestPauseResume pauses a real training before its first step: no step happens while
// paused, and after Resume it runs to the end.
func TestPauseResume(t *testing.T) {
	ctl := &Control{}
	ctl.Pause()
	ctx := WithControl(context.Background(), ctl)
	events := make(chan Event, 1024)
	done := make(chan error, 1)
	go func() { done <- Run(ctx, tinyConfig(), toyDataset(), filepath.Join(t.TempDir(), "run"), false, events) }()

	deadline := time.After(20 * time.Second)
	for sawPaused := false; !sawPaused; {
		select {
		case ev := <-events:
			if ev.Kind == StepEvent {
				t.Fatalf("step %d ran while paused", ev.Step)
			}
			sawPaused = ev.Kind == InfoEvent && ev.Message == "paused"
		case <-deadline:
			t.Fatal("no \"paused\" event")
		}
	}
	select { // still nothing while paused
	case ev := <-events:
		if ev.Kind == StepEvent {
			t.Fatalf("step %d ran while paused", ev.Step)
		}
	case <-time.After(300 * time.Millisecond):
	}
	ctl.Resume()
	if err := <-done; err != nil {
		t.Fatalf("run after resume: %v", err)
	}
	steps := 0
	for len(events) > 0 {
		if (<-events).Kind == StepEvent {
			steps++
		}
	}
	if steps == 0 {
		t.Error("no steps after resume")
	}
}

// TestCancelWhilePaused: stopping a paused run returns context.Canceled promptly.
func TestCancelWhilePaused(t *testing.T) {
	ctl := &Control{}
	ctl.Pause()
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan Event, 1024)
	done := make(chan error, 1)
	go func() {
		done <- Run(WithControl(ctx, ctl), tinyConfig(), toyDataset(), filepath.Join(t.TempDir(), "run"), false, events)
	}()
	for ev := range events {
		if ev.Kind == InfoEvent && ev.Message == "paused" {
			break
		}
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("paused run did not stop on cancel")
	}
}

func TestControlToggles(t *testing.T) {
	var c Control
	if c.Paused() {
		t.Fatal("zero Control is paused")
	}
	c.Resume() // no-op
	c.Pause()
	c.Pause() // idempotent
	if !c.Paused() {
		t.Fatal("not paused after Pause")
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		c.Resume()
	}()
	d, err := c.wait(context.Background())
	if err != nil || d < 40*time.Millisecond {
		t.Errorf("wait = %v, %v; want ≥ 40ms, nil (blocked until Resume)", d, err)
	}
	if c.Paused() {
		t.Error("still paused after Resume")
	}
	if d, err := c.wait(context.Background()); d != 0 || err != nil {
		t.Errorf("wait while running = %v, %v; want 0, nil", d, err)
	}
}
