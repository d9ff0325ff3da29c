package train

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/hf"
	"github.com/arslab/arslab/engine/nn"
)

const hfFixtures = "../../testdata/hf"

// setupOnly builds a trainer's model for cfg in a fresh folder without training.
func setupOnly(t *testing.T, cfg Config) *trainer {
	t.Helper()
	tr := newTrainer(context.Background(), cfg, toyDataset(), t.TempDir(), nil)
	if err := tr.setup(false); err != nil {
		t.Fatal(err)
	}
	return tr
}

func sameWeights(a []*nn.Param, b map[string][]float32) bool {
	for _, p := range a {
		if !slices.Equal(p.W, b[p.Name]) {
			return false
		}
	}
	return true
}

// TestInitFromHF: --init of a Hugging Face folder makes a custom encoder of its sizes, both
// dual towers start from its weights, the tokenizer is its own (BERT casing, text "bert"),
// the head starts as a fresh seeded one; training runs and the run folder loads back.
func TestInitFromHF(t *testing.T) {
	dir := filepath.Join(hfFixtures, "bert_gelu")
	ck, err := hf.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := tinyConfig()
	cfg.Mode, cfg.Init, cfg.Epochs = "dual", dir, 1
	cfg, notes, err := ApplyInit(cfg, InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Preset != "custom" || *cfg.Encoder != ck.Size || cfg.Text != dense.TextBERT || cfg.MaxLen != 16 {
		t.Errorf("config after ApplyInit: %+v %+v", cfg, cfg.Encoder)
	}
	if !strings.Contains(strings.Join(notes, ";"), "pooler.dense ignored") {
		t.Errorf("notes %v", notes)
	}
	tr := setupOnly(t, cfg)
	if !sameWeights(tr.m.EncQ.Params(), ck.Params) || !sameWeights(tr.m.EncP.Params(), ck.Params) || tr.m.Shared() {
		t.Error("dual towers do not both start from the checkpoint")
	}
	fresh, _ := head.New(cfg.Head, ck.Size.Hidden, cfg.H, cfg.Tau, cfg.Seed+2)
	if !slices.Equal(tr.m.Head.Wq, fresh.Wq) || !slices.Equal(tr.m.Head.V, fresh.V) {
		t.Error("head is not the fresh seeded one")
	}
	if b := tr.m.Tok.Basic(); b == nil || !b.Lower || tr.m.Tok.VocabSize() != ck.Tok.VocabSize() {
		t.Errorf("tokenizer casing %+v, vocab %d", b, tr.m.Tok.VocabSize())
	}
	// Without ApplyInit (a library caller), the trainer applies it itself; then train.
	cfg2 := tinyConfig()
	cfg2.Mode, cfg2.Init, cfg2.Epochs = "shared", dir, 1
	run := t.TempDir()
	losses, events, err := collect(t, context.Background(), cfg2, toyDataset(), run, false, nil)
	if err != nil || len(losses) == 0 {
		t.Fatalf("training: %v (%d steps)", err, len(losses))
	}
	var info []string
	for _, ev := range events {
		if ev.Kind == InfoEvent {
			info = append(info, ev.Message)
		}
	}
	if !strings.Contains(strings.Join(info, "\n"), "encoders initialised from "+dir) {
		t.Errorf("info events %q", info)
	}
	m, err := dense.Load(run)
	if err != nil {
		t.Fatal(err)
	}
	if m.Arch.Preset != "custom" || m.Arch.Text != dense.TextBERT || m.Tok.Basic() == nil || m.EncQ.Config().Act != nn.ActGELUErf {
		t.Errorf("loaded run: %+v casing %+v", m.Arch, m.Tok.Basic())
	}
	if ids := m.QueryIDs("The SUN"); !slices.Equal(ids, []int{4, 1, 7, 9, 5}) {
		t.Errorf("query ids %v, want [CLS] [unused0] the sun [SEP] = [4 1 7 9 5]", ids)
	}
	if _, _, err := collect(t, context.Background(), cfg2, toyDataset(), run, true, nil); err != nil {
		t.Errorf("resume: %v", err)
	}
}

// TestInitOptions: sentence-transformers pooling is taken unless --pooling was given,
// max_len is capped to the positions unless --max-len was given, shared mode needs
// prefix tokens, --tokenizer conflicts.
func TestInitOptions(t *testing.T) {
	st := filepath.Join(hfFixtures, "st_mean")
	cfg := tinyConfig()
	cfg.Init, cfg.Pooling, cfg.MaxLen = st, "cls", 30
	got, notes, err := ApplyInit(cfg, InitOptions{})
	if err != nil || got.Pooling != "mean" || got.MaxLen != 24 || got.Encoder.LNEps != 1e-5 {
		t.Errorf("st: %+v %v %v", got, notes, err)
	}
	if got, _, err := ApplyInit(cfg, InitOptions{KeepPooling: true, KeepMaxLen: false}); err != nil || got.Pooling != "cls" {
		t.Errorf("kept pooling: %+v %v", got, err)
	}
	if _, _, err := ApplyInit(cfg, InitOptions{KeepMaxLen: true}); err == nil || !strings.Contains(err.Error(), "max_len 30 exceeds the checkpoint's 24 positions") {
		t.Errorf("kept max_len: %v", err)
	}
	bad := cfg
	bad.TokenizerDir = st
	if _, _, err := ApplyInit(bad, InitOptions{}); err == nil || !strings.Contains(err.Error(), "--tokenizer") {
		t.Errorf("tokenizer + init: %v", err)
	}
	// A vocabulary without [Q]/[P] or [unused0]/[unused1]: shared mode is refused, dual works.
	noPrefix := t.TempDir()
	src := filepath.Join(hfFixtures, "bert_gelu")
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer_config.json", "vocab.txt"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "vocab.txt" {
			b = []byte(strings.NewReplacer("[unused0]", "[foo]", "[unused1]", "[bar]").Replace(string(b)))
		}
		if err := os.WriteFile(filepath.Join(noPrefix, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := tinyConfig()
	c.Init, c.Mode = noPrefix, "shared"
	if _, _, err := ApplyInit(c, InitOptions{}); err == nil || !strings.Contains(err.Error(), "[unused0]/[unused1]") {
		t.Errorf("shared without prefixes: %v", err)
	}
	c.Mode = "dual"
	if _, _, err := ApplyInit(c, InitOptions{}); err != nil {
		t.Errorf("dual without prefixes: %v", err)
	}
	c.Init = t.TempDir()
	if _, _, err := ApplyInit(c, InitOptions{}); err == nil || !strings.Contains(err.Error(), "neither a Hugging Face checkpoint") {
		t.Errorf("empty folder: %v", err)
	}
}

// TestInitFromRun: a lab run folder starts a new run: its towers pairwise (dual → dual),
// its query tower for shared mode, its tokenizer and engine/text normalisation; an
// exported folder does the same.
func TestInitFromRun(t *testing.T) {
	base := tinyConfig()
	base.Mode, base.Epochs = "dual", 1
	runA := t.TempDir()
	if _, _, err := collect(t, context.Background(), base, toyDataset(), runA, false, nil); err != nil {
		t.Fatal(err)
	}
	a, err := dense.Load(runA)
	if err != nil {
		t.Fatal(err)
	}
	byName := func(e *nn.Encoder) map[string][]float32 {
		m := map[string][]float32{}
		for _, p := range e.Params() {
			m[p.Name] = p.W
		}
		return m
	}
	exported := filepath.Join(t.TempDir(), "export")
	if err := hf.Export(a, exported); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{runA, exported} {
		cfg := tinyConfig()
		cfg.Mode, cfg.Init, cfg.Seed = "dual", from, 99
		cfg, _, err := ApplyInit(cfg, InitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Text != dense.TextLab || cfg.Encoder.Positions != 16 || cfg.Encoder.Act != nn.ActGELUTanh {
			t.Errorf("%s: %+v %+v", from, cfg, cfg.Encoder)
		}
		tr := setupOnly(t, cfg)
		if !sameWeights(tr.m.EncQ.Params(), byName(a.EncQ)) || !sameWeights(tr.m.EncP.Params(), byName(a.EncP)) {
			t.Errorf("%s: dual towers are not the run's", from)
		}
		if got, want := tr.m.QueryIDs("Volcano LAVA"), a.QueryIDs("Volcano LAVA"); !slices.Equal(got, want) {
			t.Errorf("%s: query ids %v, want %v", from, got, want)
		}
		cfg.Mode = "shared"
		cfg, notes, err := ApplyInit(cfg, InitOptions{})
		if err != nil || !strings.Contains(strings.Join(notes, ";"), "query encoder") {
			t.Errorf("%s: shared from dual: %v %v", from, notes, err)
		}
		tr = setupOnly(t, cfg)
		if !sameWeights(tr.m.EncQ.Params(), byName(a.EncQ)) {
			t.Errorf("%s: shared encoder is not the run's query encoder", from)
		}
	}
}
