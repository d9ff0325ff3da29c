package train

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arslab/arslab/engine/dense"
)

func TestValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // substring of the error
	}{
		{"preset", func(c *Config) { c.Preset = "huge" }, "preset"},
		{"mode", func(c *Config) { c.Mode = "triple" }, "mode"},
		{"pooling", func(c *Config) { c.Pooling = "max" }, "pooling"},
		{"head", func(c *Config) { c.Head = "mlp" }, "head"},
		{"h", func(c *Config) { c.H = -1 }, "h -1"},
		{"tau", func(c *Config) { c.Tau = 0 }, "tau"},
		{"learned tau out of range", func(c *Config) { c.LearnTau = true; c.Tau = 5 }, "tau"},
		{"epochs", func(c *Config) { c.Epochs = 0 }, "epochs"},
		{"batch", func(c *Config) { c.Batch = 1 }, "batch"},
		{"lr", func(c *Config) { c.LR = math.NaN() }, "lr"},
		{"wd", func(c *Config) { c.WeightDecay = -1 }, "weight_decay"},
		{"warmup", func(c *Config) { c.Warmup = 1 }, "warmup"},
		{"clip", func(c *Config) { c.Clip = -1 }, "clip"},
		{"max_len", func(c *Config) { c.MaxLen = 2 }, "max_len"},
		{"vocab", func(c *Config) { c.Vocab = 3 }, "vocab"},
		{"no losses", func(c *Config) { c.Losses = nil }, "losses"},
		{"unknown loss", func(c *Config) { c.Losses = map[string]float64{"focal": 1} }, "focal"},
		{"reg only", func(c *Config) { c.Losses = map[string]float64{"reg": 1} }, "positive weight"},
		{"std only", func(c *Config) { c.Losses = map[string]float64{"std": 0.1} }, "positive weight"},
		{"l2 and reg", func(c *Config) { c.Losses = map[string]float64{"infonce": 1, "l2": 1, "reg": 1} }, "twice"},
		{"negatives", func(c *Config) { c.Negatives = "hard:x" }, "negatives"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.mutate(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	// The paper's regulariser and the l2 spelling validate.
	c0 := DefaultConfig()
	c0.Losses = map[string]float64{"infonce": 1, "std": 0.1, "l2": 1e-4}
	if err := c0.Validate(); err != nil {
		t.Errorf("infonce + std + l2: %v", err)
	}
	// A tokenizer folder lifts the vocab requirement.
	c := DefaultConfig()
	c.Vocab, c.TokenizerDir = 0, "/some/dir"
	if err := c.Validate(); err != nil {
		t.Errorf("tokenizer_dir with vocab 0: %v", err)
	}
}

func TestParseLosses(t *testing.T) {
	got, err := ParseLosses("infonce, dyn=0.5,reg=1e-4")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got["infonce"] != 1 || got["dyn"] != 0.5 || got["reg"] != 1e-4 {
		t.Errorf("got %v", got)
	}
	// l2 is stored as reg; std is the paper's spread regulariser.
	got, err = ParseLosses("infonce,l2=1e-4,std=0.1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got["infonce"] != 1 || got["reg"] != 1e-4 || got["std"] != 0.1 {
		t.Errorf("got %v", got)
	}
	for _, bad := range []string{"", "focal", "dyn=x", "dyn=-1", "dyn,dyn", "std", "l2,std", "dyn,l2,reg"} {
		if _, err := ParseLosses(bad); err == nil {
			t.Errorf("ParseLosses(%q): want an error", bad)
		}
	}
}

func TestParseNegatives(t *testing.T) {
	tests := []struct {
		in   string
		want NegativeSpec
	}{
		{"hard:29", NegativeSpec{Hard: 29}},
		{"inbatch", NegativeSpec{InBatch: true}},
		{"both", NegativeSpec{Hard: 29, InBatch: true}},
		{"both:3", NegativeSpec{Hard: 3, InBatch: true}},
	}
	for _, tc := range tests {
		got, err := ParseNegatives(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseNegatives(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"hard", "hard:0", "hard:-2", "random"} {
		if _, err := ParseNegatives(bad); err == nil {
			t.Errorf("ParseNegatives(%q): want an error", bad)
		}
	}
}

func TestLRSchedule(t *testing.T) {
	c := DefaultConfig()
	c.LR, c.Warmup = 1, 0.2
	// T = 10, warm-up ⌈2⌉ = 2: 0.5, 1, then (10−s+1)/8: 8/8, 7/8 … 1/8.
	want := []float64{0.5, 1, 1, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125}
	for s, w := range want {
		if got := lrAt(c, s+1, 10); math.Abs(got-w) > 1e-12 {
			t.Errorf("lr(step %d) = %v, want %v", s+1, got, w)
		}
	}
}

func TestBatchBounds(t *testing.T) {
	// 9 pairs in batches of 4: [0,4) [4,9) — the lone ninth joins the second batch.
	got := batchBounds(9, 4)
	if len(got) != 2 || got[1] != [2]int{4, 9} {
		t.Errorf("batchBounds(9,4) = %v", got)
	}
	if n, _ := stepsPerEpoch(9, 4); n != 2 {
		t.Errorf("stepsPerEpoch(9,4) = %d, want 2", n)
	}
	if got := batchBounds(10, 4); len(got) != 3 || got[2] != [2]int{8, 10} {
		t.Errorf("batchBounds(10,4) = %v", got)
	}
}

// TestCancelWithFullChannel: a reader that never reads must not block a cancelled run.
func TestCancelWithFullChannel(t *testing.T) {
	cfg := tinyConfig()
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan Event) // unbuffered, never read
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, cfg, toyDataset(), filepath.Join(t.TempDir(), "full"), false, events) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-errc:
		if err == nil {
			t.Error("want context.Canceled")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run blocked on a full events channel after cancel")
	}
}

// TestArchMatchesConfigJSON: dense.Load reads the Arch fields back from config.json, so
// every Arch field must round-trip through a Config's JSON.
func TestArchMatchesConfigJSON(t *testing.T) {
	c := DefaultConfig()
	c.Preset, c.Mode, c.Pooling, c.Head, c.H, c.Tau, c.MaxLen, c.Seed = "mini", "dual", "cls", "cos", 7, 0.3, 64, 99
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var a dense.Arch
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if a != c.Arch() {
		t.Errorf("config.json gives %+v, Config.Arch() %+v", a, c.Arch())
	}
}
