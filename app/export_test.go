package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/dense"
)

// TestTrainInitAndExport: train --init of a Hugging Face folder (sentence-transformers, dual
// mode), eval of the run, export of it; train --init of the export with --max-len above its
// positions and export without a run are refused.
func TestTrainInitAndExport(t *testing.T) {
	dir := t.TempDir()
	squad := "../testdata/datasets/squad_train.json"
	st := "../testdata/hf/st_mean"
	run1 := filepath.Join(dir, "from-hf")
	code, _, errs := run(t, "train", "--data", squad, "--out", run1, "--init", st, "--mode", "dual", "--max-len", "20",
		"--epochs", "1", "--negatives", "hard:1", "--batch", "2", "--pseudo", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "init: token-type embedding 0 added") || !strings.Contains(errs, "encoders initialised from "+st) {
		t.Errorf("train --init stderr:\n%s", errs)
	}
	m, err := dense.Load(run1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Arch.Preset != "custom" || m.Arch.Pooling != "mean" || m.Arch.MaxLen != 20 || m.Shared() || m.Arch.Text != dense.TextBERT {
		t.Errorf("run arch %+v", m.Arch)
	}
	if code, _, errs := run(t, "eval", "--data", squad, "--model", run1, "--split", "all"); code != 0 {
		t.Errorf("eval: exit %d: %s", code, errs)
	}
	out := filepath.Join(dir, "export")
	code, stdout, errs := run(t, "export", run1, "--out", out)
	if code != 0 || !strings.Contains(stdout, "exported from-hf (dual") {
		t.Fatalf("export: exit %d: %s %s", code, stdout, errs)
	}
	for _, f := range []string{"query/config.json", "passage/model.safetensors", "passage/vocab.txt", "head.safetensors", "arslab.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	run2 := filepath.Join(dir, "from-export")
	code, _, errs = run(t, "train", "--data", squad, "--out", run2, "--init", out, "--mode", "dual", "--max-len", "30",
		"--epochs", "1", "--negatives", "hard:1", "--batch", "2", "--pseudo", "0")
	if code == 0 || !strings.Contains(errs, "max_len 30 exceeds the checkpoint's 24 positions") {
		t.Errorf("--max-len above the positions: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, "export", "--out", out); code != 2 || !strings.Contains(errs, "give one run folder") {
		t.Errorf("export without a run: exit %d %s", code, errs)
	}
}
