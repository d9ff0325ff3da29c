package app

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/ckpt"
)

// TestPretrainCLIOnDemo: arslab pretrain on the demo set's passages (two --data: the demo
// twice, whose repeats are dropped), then the run folder evaluates as a model, resumes as
// finished, and bad objectives are usage errors.
func TestPretrainCLIOnDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pre")
	args := []string{"pretrain", "--data", "demo", "--data", "demo", "--out", dir, "--steps", "3", "--vocab", "300", "--max-len", "32",
		"--batch", "4", "--bm25-k", "4", "--bm25-queries", "2", "--objectives", "mlm=1,crop=0.5,bm25=2"}
	code, out, errs := run(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "pre-training on 242 passages of 2 dataset(s)") || !strings.Contains(errs, "objectives mlm=1,crop=0.5,bm25=2") {
		t.Errorf("header:\n%s", errs)
	}
	if !strings.Contains(errs, "step 3/3 pass 1/1 loss ") || !strings.Contains(errs, " mlm ") || !strings.Contains(errs, " crop ") ||
		!strings.Contains(errs, " bm25 ") || !strings.Contains(errs, "passages/s") {
		t.Errorf("progress lines:\n%s", errs)
	}
	if !strings.Contains(out, "pre-trained tiny/dot in") || !strings.Contains(out, "passages/s over the steps) → "+dir) {
		t.Errorf("summary: %q", out)
	}
	st, err := ckpt.ReadState(mustCur(t, dir))
	if err != nil || st.Step != 3 || !st.Finished {
		t.Fatalf("state %+v %v", st, err)
	}
	code, out, errs = run(t, "eval", "--data", "demo", "--model", dir, "--split", "test")
	if code != 0 || !strings.Contains(out, "mrr@10") {
		t.Fatalf("eval of the pre-trained run: exit %d\n%s\n%s", code, out, errs)
	}
	// a fine-tuning starts from the pre-trained run folder (train --init)
	ft := filepath.Join(t.TempDir(), "ft")
	code, _, errs = run(t, "train", "--data", "demo", "--out", ft, "--init", dir, "--head", "dot", "--epochs", "1",
		"--negatives", "hard:1", "--batch", "4", "--pseudo", "0")
	if code != 0 || !strings.Contains(errs, "encoders initialised from "+dir) {
		t.Fatalf("train --init from the pre-trained run: exit %d\n%s", code, errs)
	}
	code, _, errs = run(t, "pretrain", "--out", dir, "--resume")
	if code != 0 || !strings.Contains(errs, "run already finished") {
		t.Errorf("resume of a finished run: exit %d\n%s", code, errs)
	}
	code, _, errs = run(t, "pretrain", "--out", filepath.Join(t.TempDir(), "x"), "--objectives", "mlm=1,qa=1")
	if code != 2 || !strings.Contains(errs, `objective "qa": want mlm, crop or bm25`) {
		t.Errorf("unknown objective: exit %d %s", code, errs)
	}
}

func mustCur(t *testing.T, dir string) string {
	t.Helper()
	cur, err := ckpt.Current(dir)
	if err != nil {
		t.Fatal(err)
	}
	return cur
}
