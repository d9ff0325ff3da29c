package dense

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/tok"
)

// saveRun writes m as a flat run folder (config.json given literally, vocabulary, weights).
func saveRun(t *testing.T, m *Model, config string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ckpt.ConfigFile), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := m.Tok.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := ckpt.SaveParams(filepath.Join(dir, ckpt.WeightsFile), m.Params(), nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

func sameScores(t *testing.T, a, b *Model, what string) {
	t.Helper()
	for _, q := range []string{"Which bird cannot fly?", "Café au lait: HOT coffee"} {
		for _, p := range passages {
			qa, pa := a.QueryIDs(q), a.PassageIDs(p.Title, p.Text)
			qb, pb := b.QueryIDs(q), b.PassageIDs(p.Title, p.Text)
			if !reflect.DeepEqual(qa, qb) || !reflect.DeepEqual(pa, pb) {
				t.Fatalf("%s: ids differ: %v/%v vs %v/%v", what, qa, pa, qb, pb)
			}
			va, _ := a.EncQ.Encode([][]int{qa})
			wa, _ := a.EncP.Encode([][]int{pa})
			vb, _ := b.EncQ.Encode([][]int{qb})
			wb, _ := b.EncP.Encode([][]int{pb})
			if sa, sb := score(t, a, va, wa), score(t, b, vb, wb); sa != sb {
				t.Errorf("%s: %q × %s: %g vs %g", what, q, p.ID, sa, sb)
			}
		}
	}
}

// TestOldRunConfigLoads: a config.json as runs wrote it before preset custom (no encoder,
// no text fields, train settings beside) loads into the same model, with engine/text
// normalisation.
func TestOldRunConfigLoads(t *testing.T) {
	m := newModel(t, head.ARS, "dual")
	old := `{"preset":"tiny","mode":"dual","pooling":"mean","head":"ars","h":16,"losses":{"infonce":1,"dyn":0.5,"reg":0.0001},` +
		`"tau":0.1,"learn_tau":false,"negatives":"hard:29","epochs":3,"batch":8,"lr":0.0005,"max_len":16,"vocab":120,"seed":3,"pseudo":1}`
	back, err := Load(saveRun(t, m, old))
	if err != nil {
		t.Fatal(err)
	}
	if back.Arch.Encoder != nil || back.Arch.Text != TextLab || back.Tok.Basic() != nil {
		t.Errorf("old run: arch %+v, casing %+v", back.Arch, back.Tok.Basic())
	}
	sameScores(t, m, back, "old run")
}

// TestCustomArch: preset custom takes the encoder's sizes, activation and epsilon from
// Encoder, saves them in config.json and loads back the same model; text "bert" hands raw
// text to the tokenizer's BERT casing (accents stripped here), not engine/text.
func TestCustomArch(t *testing.T) {
	base := newModel(t, head.Dot, "shared")
	tk := base.Tok.WithBasic(&tok.Basic{Lower: true, StripAccents: true})
	a := Arch{Preset: "custom", Mode: "shared", Pooling: "cls", Head: head.Dot, Tau: 0.1, MaxLen: 12, Seed: 5, Text: TextBERT,
		Encoder: &EncoderSize{Vocab: tk.VocabSize() + 3, Hidden: 24, Layers: 1, Heads: 3, FFN: 40, Positions: 20, Act: "gelu", LNEps: 1e-6}}
	m, err := New(a, tk)
	if err != nil {
		t.Fatal(err)
	}
	c := m.EncQ.Config()
	if c.Vocab != tk.VocabSize()+3 || c.Hidden != 24 || c.Layers != 1 || c.Heads != 3 || c.FFN != 40 || c.MaxLen != 20 || c.Act != "gelu" || c.LNEps != 1e-6 || c.Pooling != "cls" {
		t.Errorf("encoder config %+v", c)
	}
	if got, want := m.QueryIDs("CAFÉ"), tk.Encode("CAFÉ", tok.QueryToken, 12); !reflect.DeepEqual(got, want) {
		t.Errorf("text bert: %v, want the raw text through the tokenizer %v", got, want)
	}
	if got := m.Tok.Tokens("CAFÉ"); len(got) == 0 || strings.Contains(strings.Join(got, ""), "É") {
		t.Errorf("accents kept: %v", got)
	}
	cfg := `{"preset":"custom","mode":"shared","pooling":"cls","head":"dot","h":0,"tau":0.1,"max_len":12,"seed":5,"text":"bert",` +
		`"encoder":{"vocab":` + strconv.Itoa(tk.VocabSize()+3) + `,"hidden":24,"layers":1,"heads":3,"ffn":40,"positions":20,"act":"gelu","ln_eps":1e-6}}`
	back, err := Load(saveRun(t, m, cfg))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Arch, m.Arch) || back.Tok.Basic() == nil || *back.Tok.Basic() != *tk.Basic() {
		t.Errorf("arch %+v (encoder %+v), casing %+v", back.Arch, back.Arch.Encoder, back.Tok.Basic())
	}
	sameScores(t, m, back, "custom")

	bad := map[string]func(*Arch){
		"preset custom: the encoder sizes":         func(a *Arch) { a.Encoder = nil },
		"encoder sizes are only for preset custom": func(a *Arch) { a.Preset = "tiny" },
		"max_len 21: the encoder has 20 positions": func(a *Arch) { a.MaxLen = 21 },
		`text "raw"`: func(a *Arch) { a.Text = "raw" },
		"activation": func(a *Arch) { e := *a.Encoder; e.Act = "relu"; a.Encoder = &e },
	}
	for want, f := range bad {
		b := a
		f(&b)
		if err := b.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
	small := a
	small.Encoder = &EncoderSize{Vocab: 10, Hidden: 24, Layers: 1, Heads: 3, FFN: 40, Positions: 20}
	if _, err := New(small, tk); err == nil || !strings.Contains(err.Error(), "smaller than the tokenizer") {
		t.Errorf("small vocab: %v", err)
	}
}

// score is the head's score of one encoded query and passage.
func score(t *testing.T, m *Model, q, p []float32) float32 {
	t.Helper()
	k := m.Head.ProjDim()
	qp, pp := make([]float32, k), make([]float32, k)
	if err := m.Head.ProjectQueries(q, qp); err != nil {
		t.Fatal(err)
	}
	if err := m.Head.ProjectPassages(p, pp); err != nil {
		t.Fatal(err)
	}
	return m.Head.Score(qp, pp)
}
