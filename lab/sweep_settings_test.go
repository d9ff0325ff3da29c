package lab

import (
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/train"
)

// Every key a grid may set lands in the field the train flag of the same name sets,
// and a bad value is refused with the key named.
func TestSetSettingKeys(t *testing.T) {
	cfg := train.DefaultConfig()
	for _, kv := range [][2]string{
		{"head", "dot"}, {"head-init", "linear"}, {"init", "runs/pre"}, {"h", "64"}, {"tau", "0.2"},
		{"loss", "infonce=1+dyn=0.25"}, {"negatives", "hard:7"}, {"pooling", "cls"}, {"seed", "7"},
	} {
		if err := SetSetting(&cfg, kv[0], kv[1]); err != nil {
			t.Fatalf("%s=%s: %v", kv[0], kv[1], err)
		}
	}
	if cfg.Head != "dot" || cfg.HeadInit != "linear" || cfg.Init != "runs/pre" || cfg.H != 64 || cfg.Tau != 0.2 ||
		cfg.Losses["dyn"] != 0.25 || cfg.Negatives != "hard:7" || cfg.Pooling != "cls" || cfg.Seed != 7 {
		t.Fatalf("settings not applied: %+v", cfg)
	}
	for _, kv := range [][2]string{{"head-init", "xavier"}, {"tau", "-1"}, {"colour", "red"}} {
		err := SetSetting(&cfg, kv[0], kv[1])
		if err == nil || !strings.Contains(err.Error(), kv[0]) {
			t.Errorf("%s=%s: error %v, want one naming the key", kv[0], kv[1], err)
		}
	}
	for _, k := range []string{"head-init", "init"} {
		if !strings.Contains(strings.Join(SweepSettings, ","), k) {
			t.Errorf("SweepSettings lacks %s", k)
		}
	}
}
