package lab

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/pretrain"
	"github.com/arslab/arslab/engine/train"
)

// TestPretrainJobRunsPaneAndResume: a pre-training job stopped after its first step is a
// run folder the Runs pane reads (stopped, resumable), whose notice names arslab pretrain,
// and that ResumeRun continues as a pre-training to its last step.
func TestPretrainJobRunsPaneAndResume(t *testing.T) {
	d, err := datasets.Demo()
	if err != nil {
		t.Fatal(err)
	}
	cfg := pretrain.DefaultConfig()
	cfg.Vocab, cfg.MaxLen, cfg.Batch, cfg.Steps, cfg.BM25K, cfg.BM25Q = 200, 24, 4, 6, 4, 1
	dir := filepath.Join(t.TempDir(), "pre")
	w := &Workspace{Data: d}
	job := w.Pretrain(context.Background(), cfg, dir, false)
	for ev := range job.Events() {
		if ev.Kind == train.StepEvent {
			job.Cancel()
		}
	}
	if err := job.Wait(); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled job: %v", err)
	}
	if !IsPretrainRun(dir) {
		t.Fatal("IsPretrainRun = false for a pre-training run")
	}
	r := ReadRun(dir)
	if r.Err != "" || !r.Resumable() || r.Step < 1 || r.Step >= 6 || r.Total != 6 || r.Data != "demo" {
		t.Fatalf("run info %+v", r)
	}
	if n := RunNotice(dir); !strings.Contains(n, "arslab pretrain --out") {
		t.Errorf("notice %q", n)
	}
	stopped := r.Step
	job, err = w.ResumeRun(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for ev := range job.Events() {
		if ev.Kind == train.StepEvent {
			steps++
		}
	}
	if err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	if r := ReadRun(dir); !r.Finished || r.Step != 6 || steps != 6-stopped {
		t.Errorf("after resume: %+v (%d steps)", r, steps)
	}
}
