package train

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
)

// mixData: three training sets of four toy pairs each (their own corpora) and a target dev
// set holding the first set's topics under other ids.
func mixData() ([]*datasets.Dataset, *datasets.Dataset) {
	var srcs []*datasets.Dataset
	for s := range 3 {
		ds := &datasets.Dataset{Name: fmt.Sprintf("src%d", s), Qrels: map[datasets.Split]datasets.Qrels{datasets.Train: {}}}
		for i := 4 * s; i < 4*s+4; i++ {
			qid, pid := fmt.Sprintf("q%02d", i), fmt.Sprintf("p%02d", i)
			ds.Queries = append(ds.Queries, datasets.Query{ID: qid, Text: toyTopics[i][0]})
			ds.Passages = append(ds.Passages, datasets.Passage{ID: pid, Text: toyTopics[i][1]})
			ds.Qrels[datasets.Train][qid] = map[string]int{pid: 1}
		}
		srcs = append(srcs, ds)
	}
	tg := &datasets.Dataset{Name: "target", Qrels: map[datasets.Split]datasets.Qrels{datasets.Dev: {}}}
	for i := range 4 {
		qid, pid := fmt.Sprintf("d%02d", i), fmt.Sprintf("t%02d", i)
		tg.Queries = append(tg.Queries, datasets.Query{ID: qid, Text: toyTopics[i][0]})
		tg.Passages = append(tg.Passages, datasets.Passage{ID: pid, Text: toyTopics[i][1]})
		tg.Qrels[datasets.Dev][qid] = map[string]int{pid: 1}
	}
	return srcs, tg
}

func mixTestConfig() (Config, Mixture) {
	c := tinyConfig()
	c.Batch = 2
	c.Epochs = 2
	m := DefaultMixture()
	m.Sources = []string{"src0", "src1", "src2"}
	m.Target = "target"
	m.Sampler = SamplerInfDDS
	m.Steps = 12
	m.InfDDS.Interval = 4
	m.InfDDS.ProxySteps = 1
	m.InfDDS.DevBatches = 2
	return c, m
}

// runMix runs a mixture training in dir; hook may set the trainer's lossHook.
func runMix(t *testing.T, cfg Config, mix Mixture, dir string, resume bool, hook func(*trainer)) ([]Event, error) {
	t.Helper()
	srcs, tg := mixData()
	events := make(chan Event, 4096)
	tr := newTrainer(context.Background(), cfg, srcs[0], dir, events)
	tr.opts = Options{Dev: tg, CheckpointSteps: 4}
	tr.mix = &mixRun{cfg: mix, data: srcs, target: tg}
	if hook != nil {
		hook(tr)
	}
	err := tr.runMixture(resume)
	close(events)
	var all []Event
	for ev := range events {
		all = append(all, ev)
	}
	return all, err
}

// historyWithoutTimes reads mixture.jsonl without the per-round seconds.
func historyWithoutTimes(t *testing.T, dir string) []string {
	t.Helper()
	lines, err := ReadHistory(filepath.Join(dir, HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range lines {
		delete(l, "seconds")
		b, _ := json.Marshal(l)
		out = append(out, string(b))
	}
	return out
}

// TestMixtureHistoryResumeAndDeterminism: an infdds run writes a weights line before steps
// 1, 5 and 9 (with three rewards each) and a dev line after each epoch; a run that crashes at
// step 10 (after its checkpoint of step 6 and the weights line of step 8) and is resumed
// drops that line, redoes it and ends with the same history, ψ, RNG state and model bytes
// as the uninterrupted run with the same seed.
func TestMixtureHistoryResumeAndDeterminism(t *testing.T) {
	cfg, mix := mixTestConfig()
	full := filepath.Join(t.TempDir(), "full")
	evs, err := runMix(t, cfg, mix, full, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := historyWithoutTimes(t, full)
	var kinds []string
	for _, l := range h {
		var m historyLine
		_ = json.Unmarshal([]byte(l), &m)
		kinds = append(kinds, fmt.Sprintf("%s@%d", m.Kind, m.Step))
		if m.Kind == "weights" && (len(m.Rewards) != 3 || len(m.Weights) != 3 || m.DevLoss == nil) {
			t.Errorf("weights line without rewards, weights or dev loss: %s", l)
		}
		if m.Kind == "dev" && m.Dev["mrr@10"] <= 0 {
			t.Errorf("dev line without metrics: %s", l)
		}
	}
	if got := strings.Join(kinds, " "); got != "weights@0 weights@4 dev@6 weights@8 dev@12" {
		t.Errorf("history lines %q", got)
	}
	policy, steps := 0, 0
	counts := make([]int, 3)
	for _, ev := range evs {
		switch ev.Kind {
		case PolicyEvent:
			policy++
			if ev.Mixture == nil || len(ev.Mixture.Rewards) != 3 {
				t.Errorf("policy event without rewards: %+v", ev.Mixture)
			}
		case StepEvent:
			steps++
			counts[ev.Mixture.Source]++
		}
	}
	if policy != 3 || steps != 12 || counts[0]+counts[1]+counts[2] != 12 {
		t.Errorf("%d policy events, %d steps, per dataset %v", policy, steps, counts)
	}

	crash := filepath.Join(t.TempDir(), "crash")
	_, err = runMix(t, cfg, mix, crash, false, func(tr *trainer) {
		tr.lossHook = func(step int, total float64) float64 {
			if step == 10 && tr.st.Step == 9 && tr.corpus != tr.mix.dev {
				return math.NaN()
			}
			return total
		}
	})
	if err == nil || !strings.Contains(err.Error(), "diverged") {
		t.Fatalf("crash run: %v", err)
	}
	if st, _ := ckpt.ReadState(crash); st.Step != 6 {
		t.Fatalf("crash run checkpointed step %d, want 6", st.Step)
	}
	if n := len(historyWithoutTimes(t, crash)); n != 4 {
		t.Fatalf("crash run history has %d lines, want 4 (up to the weights of step 8)", n)
	}
	if _, err := runMix(t, cfg, mix, crash, true, nil); err != nil {
		t.Fatal(err)
	}
	h2 := historyWithoutTimes(t, crash)
	if strings.Join(h2, "\n") != strings.Join(h, "\n") {
		t.Errorf("resumed history differs:\n%s\nwant\n%s", strings.Join(h2, "\n"), strings.Join(h, "\n"))
	}
	for _, f := range []string{mixtureStateCkp, ckpt.WeightsFile} {
		a, _ := os.ReadFile(filepath.Join(curDir(t, full), f))
		b, _ := os.ReadFile(filepath.Join(curDir(t, crash), f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the uninterrupted and the resumed run (%d vs %d bytes)", f, len(a), len(b))
		}
	}

	// A different policy setting is refused on resume, naming the field.
	mix2 := mix
	mix2.InfDDS.PolicyLR = 0.5
	if _, err := runMix(t, cfg, mix2, crash, true, nil); err == nil || !strings.Contains(err.Error(), "infdds") {
		t.Errorf("resume with another policy lr: %v", err)
	}
	// A plain run refuses to resume the mixture folder.
	srcs, _ := mixData()
	if _, _, err := collect(t, context.Background(), cfg, srcs[0], crash, true, nil); err == nil || !strings.Contains(err.Error(), "multi-dataset run") {
		t.Errorf("plain resume of a mixture run: %v", err)
	}
}

func curDir(t *testing.T, dir string) string {
	t.Helper()
	c, err := ckpt.Current(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMixtureStaticSamplerHistory: a fixed sampler never draws a zero-weight dataset and
// writes its constant weights every Interval steps.
func TestMixtureStaticSamplerHistory(t *testing.T) {
	cfg, mix := mixTestConfig()
	mix.Sampler = "fixed:1,0,3"
	dir := filepath.Join(t.TempDir(), "fixed")
	evs, err := runMix(t, cfg, mix, dir, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Kind == StepEvent && ev.Mixture.Source == 1 {
			t.Fatalf("step %d drew the zero-weight dataset", ev.Step)
		}
	}
	lines, err := ReadHistory(filepath.Join(dir, HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 5 {
		t.Fatalf("%d history lines, want 5", len(lines))
	}
	w := lines[0]["weights"].([]any)
	if !near(w[0].(float64), 0.25, 1e-12) || w[1].(float64) != 0 || !near(w[2].(float64), 0.75, 1e-12) || lines[0]["rewards"] != nil {
		t.Errorf("first line %v", lines[0])
	}
}

// TestMixtureSourceStream: each source's batches walk a seeded shuffle; a pass uses every
// example at most once and ends when fewer than Batch examples are left.
func TestMixtureSourceStream(t *testing.T) {
	ex := make([]example, 5)
	for i := range ex {
		ex[i] = example{q: i}
	}
	mx := &mixRun{sources: []*corpus{{examples: ex}}, cursors: make([]cursor, 1), perms: make([][]int, 1), permOf: []int{-1}}
	seen := map[int]bool{}
	for range 2 {
		for _, e := range mx.next(0, 42, 2) {
			if seen[e.q] {
				t.Fatalf("example %d twice in one pass", e.q)
			}
			seen[e.q] = true
		}
	}
	if mx.cursors[0] != (cursor{0, 4}) {
		t.Fatalf("cursor %+v after two batches", mx.cursors[0])
	}
	b := mx.next(0, 42, 2)
	if len(b) != 2 || mx.cursors[0] != (cursor{1, 2}) {
		t.Errorf("third batch %v, cursor %+v: want a new pass", b, mx.cursors[0])
	}
}

func TestRoundsLeft(t *testing.T) {
	// interval 4, 12 steps: rounds before steps 1, 5, 9.
	for _, c := range [][2]int{{1, 2}, {4, 2}, {5, 1}, {8, 1}, {9, 0}, {12, 0}} {
		if got := roundsLeft(c[0], 12, 4); got != c[1] {
			t.Errorf("after step %d: %d rounds left, want %d", c[0], got, c[1])
		}
	}
}

func TestMixtureValidate(t *testing.T) {
	_, m := mixTestConfig()
	if err := m.Validate(3); err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(2); err == nil || !strings.Contains(err.Error(), "3 source names for 2") {
		t.Errorf("names: %v", err)
	}
	m.Sampler = "fixed:1,2"
	if err := m.Validate(3); err == nil || !strings.Contains(err.Error(), "one weight per --data") {
		t.Errorf("fixed: %v", err)
	}
	m.Sampler, m.InfDDS.Init = SamplerInfDDS, "bogus"
	if err := m.Validate(3); err == nil || !strings.Contains(err.Error(), "infdds init") {
		t.Errorf("init: %v", err)
	}
}
