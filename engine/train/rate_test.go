package train

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMeterSmoothsOnSyntheticClock: steps of 8 examples alternating 1 s and 7 s (one
// step's rate swings 8 ↔ 1.14 ex/s) give a windowed rate of 2 ex/s and an ETA of 4 s a
// step; the first, slow step (graph building) leaves the window once a second step is in.
func TestMeterSmoothsOnSyntheticClock(t *testing.T) {
	m := NewMeter(20, 30*time.Second)
	if m.Rate() != 0 || m.ETA(10) != 0 || m.Average() != 0 {
		t.Fatal("an empty meter must report 0 (unknown)")
	}
	m.Add(8, 60*time.Second) // first step: builds the graph
	for i := range 40 {
		d := time.Second
		if i%2 == 1 {
			d = 7 * time.Second
		}
		m.Add(8, d)
		if i == 0 && m.Rate() != 8 {
			t.Errorf("after the second step: rate %.2f, want 8 (the first, graph-building step left out)", m.Rate())
		}
		if i >= 20 { // the first step has left the window
			if r := m.Rate(); math.Abs(r-2) > 0.25 {
				t.Fatalf("after step %d: rate %.2f ex/s, want ≈ 2", i+2, r)
			}
		}
	}
	if r := m.Rate(); r != 2 {
		t.Errorf("rate %.3f, want exactly 2 over a full window of alternating steps", r)
	}
	if eta := m.ETA(100); eta != 400*time.Second {
		t.Errorf("ETA of 100 steps %v, want 6m40s", eta)
	}
	// Session average: 41·8 examples over 60 + 20·1 + 20·7 s.
	if a, want := m.Average(), 41*8/220.0; math.Abs(a-want) > 1e-9 {
		t.Errorf("average %.4f, want %.4f", a, want)
	}
	m.Skip()
	if m.Rate() != 0 || m.Average() == 0 {
		t.Error("Skip must forget the window and keep the average")
	}
	// Fast steps: the window stretches to 30 s of them, so a 2-s slow spell moves the rate
	// by well under 2x (one step's rate here swings 5x).
	m = NewMeter(20, 30*time.Second)
	for range 400 {
		m.Add(8, 100*time.Millisecond) // 80 ex/s
	}
	if len(m.dur) != 300 {
		t.Errorf("window of %d fast steps, want 300 (30 s)", len(m.dur))
	}
	for range 4 {
		m.Add(8, 500*time.Millisecond) // 16 ex/s for 2 s
	}
	if r := m.Rate(); r < 70 {
		t.Errorf("rate %.1f after a 2-s slow spell, want ≥ 70 (80 smoothed)", r)
	}
}

// TestRunRateAndETAOnClock: a run on a clock that advances 1 s per reading reports a
// steady rate and an ETA that counts down to the real remaining time (the steps, and the
// dev evaluation left once one has been timed), and the average in its DoneEvent.
func TestRunRateAndETAOnClock(t *testing.T) {
	var now time.Time
	clock := func() time.Time { now = now.Add(time.Second); return now }
	events := make(chan Event, 256)
	cfg := tinyConfig()
	if err := RunWith(context.Background(), cfg, toyDataset(), filepath.Join(t.TempDir(), "r"), Options{Now: clock}, events); err != nil {
		t.Fatal(err)
	}
	close(events)
	var steps []Event
	var done Event
	for ev := range events {
		switch ev.Kind {
		case StepEvent:
			steps = append(steps, ev)
		case DoneEvent:
			done = ev
		}
	}
	if len(steps) != 6 {
		t.Fatalf("%d step events, want 6", len(steps))
	}
	for _, ev := range steps {
		perStep := time.Second // each step reads the clock twice: start and end
		want := time.Duration(ev.TotalSteps-ev.Step) * perStep
		if ev.Epoch == 2 && ev.Step < ev.TotalSteps {
			want += time.Second // epoch 1's dev evaluation took 1 s: one is left
		}
		if ev.ETA != want {
			t.Errorf("step %d: ETA %v, want %v", ev.Step, ev.ETA, want)
		}
		if ev.ExamplesPerSec != 4 {
			t.Errorf("step %d: %.2f ex/s, want 4 (4 examples a 1-s step)", ev.Step, ev.ExamplesPerSec)
		}
	}
	if done.ExamplesPerSec != 4 {
		t.Errorf("DoneEvent average %.2f ex/s, want 4", done.ExamplesPerSec)
	}
}

// TestLossBalance: the README's old example (every weight 1) with an L2 term of ~254 is
// flagged; the default weights and a balanced mix are not.
func TestLossBalance(t *testing.T) {
	terms := map[string]float64{"infonce": 2.3, "dyn": 0.7, "reg": 254}
	msg := LossBalance(terms, map[string]float64{"infonce": 1, "dyn": 1, "reg": 1})
	if !strings.Contains(msg, "reg term") || !strings.Contains(msg, "99%") || !strings.Contains(msg, "reg=1e-4") {
		t.Errorf("all weights 1 with reg 254: %q, want a warning naming reg at 99%% and the weights that work", msg)
	}
	if msg := LossBalance(terms, map[string]float64{"infonce": 1, "dyn": 0.5, "reg": 1e-4}); msg != "" {
		t.Errorf("default weights: %q, want no warning", msg)
	}
	if msg := LossBalance(map[string]float64{"infonce": 2.3}, map[string]float64{"infonce": 1}); msg != "" {
		t.Errorf("one term: %q, want no warning", msg)
	}
	if msg := LossBalance(map[string]float64{"infonce": 20, "dyn": 0.5}, map[string]float64{"infonce": 1, "dyn": 1}); !strings.Contains(msg, "infonce") {
		t.Errorf("infonce 20 vs dyn 0.5: %q, want a warning", msg)
	}
}

// TestLossBalanceWarnsInRun: a run with every weight 1 says so at step 1.
func TestLossBalanceWarnsInRun(t *testing.T) {
	cfg := tinyConfig()
	cfg.Epochs = 1
	cfg.Losses = map[string]float64{"infonce": 1, "dyn": 1, "reg": 1}
	_, events, err := collect(t, context.Background(), cfg, toyDataset(), filepath.Join(t.TempDir(), "w"), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if ev.Kind == InfoEvent && strings.Contains(ev.Message, "warning: at step 1 the reg term") {
			t.Log(ev.Message)
			return
		}
	}
	t.Error("no step-1 warning about the reg term with every weight 1")
}
