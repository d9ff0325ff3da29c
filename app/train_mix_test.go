package app

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/train"
)

const (
	squadTrain = "../testdata/datasets/squad_train.json"
	viquadDev  = "../testdata/datasets/viquad_dev.json"
	dprTrain   = "../testdata/datasets/dpr.json"
)

// TestTrainMixtureFlagErrors: the multi-dataset flags are checked before any training, each
// error naming the flag.
func TestTrainMixtureFlagErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--data", squadTrain, "--data", dprTrain}, "--target-dev is required"},
		{[]string{"--data", squadTrain, "--data", dprTrain, "--target-dev", viquadDev, "--target-dev-holdout", "0.2"}, "must be one of the --data sets"},
		{[]string{"--data", squadTrain, "--data", dprTrain, "--target-dev", squadTrain}, "give --target-dev-holdout"},
		{[]string{"--data", squadTrain, "--data", dprTrain, "--target-dev", squadTrain, "--target-dev-holdout", "1.5"}, "--target-dev-holdout 1.5"},
		{[]string{"--data", squadTrain, "--data", squadTrain, "--target-dev", viquadDev}, "given twice"},
		{[]string{"--data", squadTrain, "--data", dprTrain, "--target-dev", viquadDev, "--sampler", "fixed:1"}, "one weight per --data"},
		{[]string{"--data", squadTrain, "--data", dprTrain, "--target-dev", viquadDev, "--sampler", "zipf"}, "want uniform, proportional"},
		{[]string{"--data", squadTrain, "--data", dprTrain, "--target-dev", viquadDev, "--sampler", "infdds", "--infdds-baseline", "max"}, "infdds baseline \"max\""},
		{[]string{"--data", squadTrain, "--data", dprTrain, "--target-dev", viquadDev, "--infdds-interval", "0"}, "interval 0"},
		{[]string{"--data", squadTrain, "--data", dprTrain, "--target-dev", viquadDev, "--steps", "-3"}, "steps -3"},
		{[]string{"--data", squadTrain, "--data", dprTrain, "--target-dev", viquadDev, "--dev", viquadDev}, "--train-split and --dev are for one dataset"},
		{[]string{"--data", squadTrain, "--steps", "100"}, "--steps: multi-dataset flags; give --target-dev"},
	}
	for _, c := range cases {
		code, _, errs := run(t, append([]string{"train", "--out", out}, c.args...)...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error containing %q", c.args, code, errs, c.want)
		}
	}
}

// TestTrainMixtureHoldoutRun: two SQuAD-style sets (one has only a dev split, trained on with
// a note), 2 of squad_train's 5 questions held out as the target dev set; infdds prints its
// weights and rewards and writes mixture.jsonl.
func TestTrainMixtureHoldoutRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mix")
	code, stdout, errs := run(t, "train", "--out", out, "--data", squadTrain, "--data", viquadDev, "--target-dev", squadTrain,
		"--target-dev-holdout", "0.4", "--sampler", "infdds", "--steps", "4", "--epochs", "1", "--infdds-interval", "2",
		"--infdds-proxy-steps", "1", "--infdds-dev-batches", "1", "--max-len", "16", "--negatives", "hard:1", "--batch", "2",
		"--vocab", "100", "--pseudo", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"viquad_dev.json: training on its dev split (3 questions)",
		"target dev: 2 of squad_train's questions held out (seed 42); training on the other 3",
		"step 0 weights squad_train 0.", "step 2 weights squad_train", "| dev loss ", "epoch 1/1 done in"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if !strings.Contains(stdout, "trained ars") {
		t.Errorf("stdout %q", stdout)
	}
	lines, err := train.ReadHistory(filepath.Join(out, train.HistoryFile))
	if err != nil || len(lines) != 3 {
		t.Fatalf("history %v (%v): want weights@0, weights@2, dev@4", lines, err)
	}
	if lines[2]["kind"] != "dev" || lines[2]["step"].(float64) != 4 {
		t.Errorf("last history line %v", lines[2])
	}
}
