package app

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/ckpt"
)

// TestTrainDevResumeAndNotice: a SQuAD train file has no dev split, so the epoch line says
// so instead of printing an empty "dev"; --dev evaluates a separate file after each epoch;
// --resume needs no repeated flags, refuses one that differs, and eval warns about a run
// that is not finished.
func TestTrainDevResumeAndNotice(t *testing.T) {
	dir := t.TempDir()
	squad := "../testdata/datasets/squad_train.json"
	flags := []string{"--data", squad, "--max-len", "16", "--negatives", "hard:1", "--batch", "2", "--vocab", "100", "--pseudo", "0"}

	noDev := filepath.Join(dir, "nodev")
	code, _, errs := run(t, append([]string{"train", "--out", noDev, "--epochs", "1"}, flags...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "epoch 1/1 done in") || !strings.Contains(errs, "no dev split to evaluate: give --dev PATH") ||
		strings.Contains(errs, "done: dev \n") {
		t.Errorf("training without a dev split:\n%s", errs)
	}

	withDev := filepath.Join(dir, "dev")
	code, out, errs := run(t, append([]string{"train", "--out", withDev, "--epochs", "2", "--dev", "../testdata/datasets/viquad_dev.json"}, flags...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "epoch 1/2 done in") || !strings.Contains(errs, ": dev map ") || !strings.Contains(errs, "mrr@10") {
		t.Errorf("training with --dev: no dev metrics line:\n%s", errs)
	}
	if !strings.Contains(out, "ex/s over the steps)") {
		t.Errorf("summary without the average rate: %q", out)
	}

	// Make the run unfinished again: its checkpoint of epoch 1 (state Finished false).
	st, err := ckpt.ReadState(withDev)
	if err != nil {
		t.Fatal(err)
	}
	st.Finished, st.Epoch, st.StepInEpoch = false, 1, 0
	st.Step = st.StepsPerEpoch
	cur, _ := ckpt.Current(withDev)
	if err := ckpt.WriteJSON(filepath.Join(cur, ckpt.StateFile), st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cur, ckpt.MetricsFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{ckpt.WeightsFile, ckpt.OptimizerFile} { // their step must agree with state.json
		ts, err := ckpt.ReadTensors(filepath.Join(cur, f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := ckpt.EncodeSafetensors(ts, map[string]string{"step": itoa(st.Step)})
		if err != nil {
			t.Fatal(err)
		}
		if err := ckpt.WriteFile(filepath.Join(cur, f), b); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errs = run(t, "eval", "--data", squad, "--model", withDev, "--split", "train")
	if code != 0 || !strings.Contains(errs, "unfinished training") || !strings.Contains(errs, "--resume") {
		t.Errorf("eval of an unfinished run: exit %d, no warning:\n%s", code, errs)
	}
	code, _, errs = run(t, "train", "--data", squad, "--out", withDev, "--resume", "--max-len", "32")
	if code == 0 || !strings.Contains(errs, "max_len (16 vs 32)") {
		t.Errorf("--resume with a differing --max-len: exit %d:\n%s", code, errs)
	}
	code, _, errs = run(t, "train", "--data", squad, "--out", withDev, "--resume", "--dev", "../testdata/datasets/viquad_dev.json")
	if code != 0 || !strings.Contains(errs, "resuming at step") || !strings.Contains(errs, "epoch 2/2 done in") {
		t.Errorf("--resume with the saved config: exit %d:\n%s", code, errs)
	}
	code, _, errs = run(t, "eval", "--data", squad, "--model", withDev, "--split", "train")
	if code != 0 || strings.Contains(errs, "unfinished") {
		t.Errorf("eval of the finished run: exit %d:\n%s", code, errs)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
