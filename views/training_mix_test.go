package views

import (
	"math"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/engine/train"
	"github.com/charmbracelet/x/ansi"
)

// TestTrainingMixturePanels: a multi-dataset run's policy, step and epoch events fill the
// sampling-weight, reward and target-dev series and the pane draws them with their legends.
func TestTrainingMixturePanels(t *testing.T) {
	a := newTestApp(t, Options{})
	drive(a, kp("2"))
	names := []string{"arcd", "tydiqa", "mlqa"}
	policy := func(step int, w, r []float64) train.Event {
		return train.Event{Kind: train.PolicyEvent, Step: step, TotalSteps: 40, Epoch: 1, Epochs: 2,
			Mixture: &train.MixtureInfo{Names: names, Weights: w, Rewards: r, DevLoss: 2.5, Counts: []int{step / 3, step / 3, step / 3}}}
	}
	drive(a, policy(0, []float64{0.34, 0.33, 0.33}, []float64{0.02, -0.01, -0.01}))
	for s := 1; s <= 20; s++ {
		drive(a, train.Event{Kind: train.StepEvent, Step: s, TotalSteps: 40, Epoch: 1, Epochs: 2, Loss: 2, PosScore: 0.6, NegScore: 0.4,
			LR: 1e-4, Mixture: &train.MixtureInfo{Names: names, Weights: []float64{0.5, 0.3, 0.2}, Source: s % 3}})
	}
	drive(a, policy(20, []float64{0.5, 0.3, 0.2}, []float64{0.03, 0.001, -0.02}))
	drive(a, train.Event{Kind: train.EpochEvent, Step: 20, Epoch: 1, Epochs: 2, Dev: map[string]float64{metrics.NDCG10: 0.25, metrics.MRR10: 0.2},
		Mixture: &train.MixtureInfo{Names: names, Weights: []float64{0.5, 0.3, 0.2}}})
	m := a.training.run.mix
	if m == nil {
		t.Fatal("no mixture history")
	}
	if got := m.weights[0].values(); len(got) != 3 || got[0] != 0.34 || got[2] != 0.5 {
		t.Errorf("arcd weights %v", got)
	}
	if got := m.rewards[2].values(); len(got) != 2 || got[1] != -0.02 {
		t.Errorf("mlqa rewards %v", got)
	}
	if got := m.dev.values(); len(got) != 3 || !math.IsNaN(got[0]) || got[2] != 0.25 {
		t.Errorf("target dev series %v", got)
	}
	if m.source != 2 {
		t.Errorf("last step's source %d, want 20 %% 3 = 2", m.source)
	}
	v := ansi.Strip(a.View())
	for _, want := range []string{"Sampling weights", "arcd 0.500", "tydiqa 0.300", "mlqa 0.200", "target dev nDCG@10 0.250",
		"Influence rewards", "mlqa -0.020", "Target dev metrics per epoch"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}
