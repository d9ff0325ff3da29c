package views

import (
	"github.com/arslab/arslab/engine/train"
	"math"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
)

// runGolden drives a through teatest at 100×30, sends msgs, quits and compares the final
// screen (ANSI stripped) with testdata/<TestName>.golden. Update with: go test ./views -update
func runGolden(t *testing.T, a *App, msgs ...tea.Msg) *App {
	t.Helper()
	tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(100, 30))
	searched := false
	for _, m := range msgs {
		tm.Send(m)
		if k, ok := m.(tea.KeyMsg); ok && k.Type == tea.KeyEnter { // only query goldens submit with enter
			searched = true
		}
	}
	if searched {
		// A submitted query is answered asynchronously: wait for its results before quitting.
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), "hits in") },
			teatest.WithDuration(5*time.Second))
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
	golden.RequireEqual(t, []byte(ansi.Strip(fm.View())+"\n"))
	return fm
}

func keyRunes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func TestGoldenQuery(t *testing.T) {
	runGolden(t, newTestApp(t, Options{}))
}

func TestGoldenDatasets(t *testing.T) {
	runGolden(t, newTestApp(t, Options{}), keyRunes("1"))
}

func TestGoldenTrainingForm(t *testing.T) {
	runGolden(t, newTestApp(t, Options{}), keyRunes("2"))
}

func TestGoldenMetrics(t *testing.T) {
	a := newTestApp(t, Options{Workspace: withResults(t, testWorkspace(t, true))})
	runGolden(t, a, keyRunes("4"))
}

func TestGoldenHelp(t *testing.T) {
	runGolden(t, newTestApp(t, Options{}), keyRunes("?"))
}

// syntheticRun is a deterministic 3-epoch training trace: 20 steps per epoch, losses
// decaying as 2·0.95^step, positives rising towards 0.9, negatives falling towards 0.1,
// linear warm-up over 6 steps then linear decay of the learning rate.
func syntheticRun(collapse bool) []tea.Msg {
	var out []tea.Msg
	const total, perEpoch = 60, 20
	out = append(out, train.Event{Kind: train.InfoEvent, Message: "mining hard negatives with BM25"})
	for s := 1; s <= total; s++ {
		f := float64(s) / total
		loss := 2 * math.Pow(0.95, float64(s))
		pos, neg := 0.5+0.4*f, 0.5-0.4*f
		if collapse {
			pos, neg = 0.52, 0.50
		}
		lr := 5e-4 * float64(s) / 6
		if s > 6 {
			lr = 5e-4 * float64(total-s) / float64(total-6)
		}
		out = append(out, train.Event{Kind: train.StepEvent, Step: s, TotalSteps: total, Epoch: (s-1)/perEpoch + 1, Epochs: 3,
			Loss: loss, Terms: map[string]float64{"infonce": 0.8 * loss, "dyn": 0.3 * loss, "reg": 0.01},
			PosScore: pos, NegScore: neg, LR: lr, ExamplesPerSec: 120, Elapsed: time.Duration(s) * 500 * time.Millisecond})
		if s%perEpoch == 0 && s < total {
			e := s / perEpoch
			out = append(out, train.Event{Kind: train.EpochEvent, Epoch: e, Epochs: 3, Dev: map[string]float64{
				"top1": 0.2 * float64(e), "top5": 0.3 * float64(e), "top20": 0.33 * float64(e), "mrr@10": 0.25 * float64(e), "ndcg@10": 0.3 * float64(e)}})
		}
	}
	return out
}

func TestGoldenTrainingCharts(t *testing.T) {
	a := newTestApp(t, Options{})
	msgs := append([]tea.Msg{keyRunes("2")}, syntheticRun(false)[:45]...)
	fm := runGolden(t, a, msgs...)
	if fm.training.run.collapsed() {
		t.Error("a widening pos/neg gap was flagged as collapse")
	}
}

func TestGoldenTrainingCollapse(t *testing.T) {
	a := newTestApp(t, Options{})
	msgs := append([]tea.Msg{keyRunes("2")}, syntheticRun(true)...)
	fm := runGolden(t, a, msgs...)
	if !fm.training.run.collapsed() {
		t.Error("a constant 0.02 gap after warm-up was not flagged as collapse")
	}
}

func TestGoldenQuery80x24(t *testing.T) {
	a := newTestApp(t, Options{})
	tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(80, 24))
	tm.Send(keyRunes("q"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
	golden.RequireEqual(t, []byte(ansi.Strip(fm.View())+"\n"))
}

func TestGoldenReadOnlyDatasets(t *testing.T) {
	runGolden(t, newTestApp(t, Options{ReadOnly: true}), keyRunes("1"), keyRunes("o"))
}

// TestGoldenQueryArabicBM25 answers an Arabic query with BM25 only: the selected passage is
// shown in full, reordered for display and right-aligned.
func TestGoldenQueryArabicBM25(t *testing.T) {
	a := newTestApp(t, Options{Workspace: testWorkspace(t, false)})
	msgs := []tea.Msg{kp("/"), kp("ctrl+u")}
	msgs = append(msgs, typeText("ما هي عاصمة مصر")...)
	msgs = append(msgs, kp("enter"))
	fm := runGolden(t, a, msgs...)
	if fm.query.cols[0].hits[0].ID != "p8" {
		t.Errorf("top hit = %s, want p8 (القاهرة)", fm.query.cols[0].hits[0].ID)
	}
}

func TestBidiPassThrough(t *testing.T) {
	a := newTestApp(t, Options{Workspace: testWorkspace(t, false)})
	msgs := []tea.Msg{kp("/"), kp("ctrl+u")}
	msgs = append(msgs, typeText("ما هي عاصمة مصر")...)
	drive(a, append(msgs, kp("enter"))...)
	logical := "القاهرة هي عاصمة مصر"
	if strings.Contains(ansi.Strip(a.View()), logical) {
		t.Fatal("RTL text sent in logical order while ARS Lab reorders it")
	}
	drive(a, kp("b"))
	if !a.bidi || !strings.Contains(ansi.Strip(a.View()), logical) {
		t.Fatal("with terminal bidi the logical text should pass through")
	}
}
