package hf

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/tok"
)

var texts = []string{
	"Mercury is the smallest planet and the closest to the Sun",
	"Thủ đô của Việt Nam là Hà Nội, một thành phố cổ",
	"نهر النيل أطول نهر في العالم، ويمر بمصر والسودان",
	"The femur, or thigh bone, is the longest bone of the body",
}

var queries = []string{"which planet is closest to the sun", "Thủ đô Việt Nam ở đâu?", "ما هو أطول نهر؟", "LONGEST bone"}

// labModel is an untrained model of the lab (tokenizer trained on texts) with its ARS
// biases moved off zero, so every head tensor matters.
func labModel(t *testing.T, mode, kind string) *dense.Model {
	t.Helper()
	var norm []string
	for _, s := range append(texts, queries...) {
		norm = append(norm, dense.Normalize(s))
	}
	tk, err := tok.Train(norm, 200)
	if err != nil {
		t.Fatal(err)
	}
	m, err := dense.New(dense.Arch{Preset: "tiny", Mode: mode, Pooling: "mean", Head: kind, H: 24, Tau: 0.05, MaxLen: 24, Seed: 7}, tk)
	if err != nil {
		t.Fatal(err)
	}
	if kind == head.ARS {
		for i := range m.Head.Bq {
			m.Head.Bq[i], m.Head.Bp[i] = 0.05*float32(i%3), -0.04*float32(i%5)
		}
		m.Head.C[0] = 0.3
	}
	// LayerNorm gains and biases off 1 and 0, so a swapped tensor would show.
	for _, p := range m.Params() {
		if strings.Contains(p.Name, ".ln.") {
			for i := range p.W {
				p.W[i] += 0.01 * float32(i%7)
			}
		}
	}
	return m
}

// scores returns the head's score of every (query, passage) pair and the ids used.
func scores(t *testing.T, m *dense.Model) ([]float32, [][]int) {
	t.Helper()
	var ids [][]int
	var out []float32
	k := m.Head.ProjDim()
	for _, q := range queries {
		qi := m.QueryIDs(q)
		qv, err := m.EncQ.Encode([][]int{qi})
		if err != nil {
			t.Fatal(err)
		}
		qp := make([]float32, k)
		if err := m.Head.ProjectQueries(qv, qp); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, qi)
		for _, p := range texts {
			pi := m.PassageIDs("", p)
			pv, err := m.EncP.Encode([][]int{pi})
			if err != nil {
				t.Fatal(err)
			}
			pp := make([]float32, k)
			if err := m.Head.ProjectPassages(pv, pp); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, pi)
			out = append(out, m.Head.Score(qp, pp))
		}
	}
	return out, ids
}

// TestExportRoundTrip: export → import gives identical token ids and identical scores on
// every query/passage pair, for a dual ARS model, a shared dot model and a model started
// from a Hugging Face checkpoint (text "bert"); the files are in BertModel layout.
func TestExportRoundTrip(t *testing.T) {
	ck, err := Open(filepath.Join(fixtureDir, "bert_gelu"))
	if err != nil {
		t.Fatal(err)
	}
	fromHF, err := dense.New(dense.Arch{Preset: "custom", Mode: "shared", Pooling: "cls", Head: head.ARS, Tau: 0.05, MaxLen: 20, Seed: 1,
		Encoder: &ck.Size, Text: ck.Text}, ck.Tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := ck.CopyInto(fromHF.EncQ); err != nil {
		t.Fatal(err)
	}
	models := map[string]*dense.Model{
		"dual ars":   labModel(t, "dual", head.ARS),
		"shared dot": labModel(t, "shared", head.Dot),
		"hf shared":  fromHF,
	}
	for name, m := range models {
		out := filepath.Join(t.TempDir(), "export")
		if err := Export(m, out); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		back, err := LoadExport(out)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, wantIDs := scores(t, m)
		got, gotIDs := scores(t, back)
		if !reflect.DeepEqual(gotIDs, wantIDs) {
			t.Errorf("%s: token ids differ after the round trip", name)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: scores %v, want %v", name, got, want)
		}
		if back.Shared() != m.Shared() || back.Arch.Text != m.Arch.Text || back.Arch.Pooling != m.Arch.Pooling || back.Head.Kind != m.Head.Kind {
			t.Errorf("%s: arch %+v, want %+v", name, back.Arch, m.Arch)
		}
		encDir := out
		if !m.Shared() {
			encDir = filepath.Join(out, "passage")
		}
		for _, f := range []string{"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "modules.json", "1_Pooling/config.json"} {
			if _, err := os.Stat(filepath.Join(encDir, f)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := os.Stat(filepath.Join(out, HeadFile)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		ts, err := ckpt.ReadTensors(filepath.Join(encDir, "model.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		shapes := map[string][]int{}
		for _, x := range ts {
			shapes[x.Name] = x.Shape
		}
		c := m.EncP.Config()
		if !reflect.DeepEqual(shapes["encoder.layer.1.intermediate.dense.weight"], []int{c.FFN, c.Hidden}) ||
			!reflect.DeepEqual(shapes["embeddings.token_type_embeddings.weight"], []int{2, c.Hidden}) || len(ts) != 5+16*c.Layers {
			t.Errorf("%s: exported tensors %v", name, shapes)
		}
	}
	// Casing in tokenizer_config.json: the HF model keeps its uncased settings; a lab model
	// says lower-case without stripping accents (engine/text keeps Vietnamese tones).
	var tc map[string]any
	out := filepath.Join(t.TempDir(), "lab")
	if err := Export(models["shared dot"], out); err != nil {
		t.Fatal(err)
	}
	if err := ckpt.ReadJSON(filepath.Join(out, tok.ConfigFile), &tc); err != nil {
		t.Fatal(err)
	}
	if tc["do_lower_case"] != true || tc["strip_accents"] != false {
		t.Errorf("lab model tokenizer_config %v", tc)
	}
	var info ExportInfo
	if err := ckpt.ReadJSON(filepath.Join(out, ExportInfoFile), &info); err != nil || info.Text != ExportTextLab || info.QueryPrefix != "[Q]" {
		t.Errorf("arslab.json %+v (%v)", info, err)
	}
}

// TestExportMatchesTorch: a checkpoint imported and exported again still computes what
// PyTorch computed for the original (the token-type row folded into the positions and
// written back as zeros changes nothing for type-0 input).
func TestExportMatchesTorch(t *testing.T) {
	ck, err := Open(filepath.Join(fixtureDir, "mlm_gelu_new"))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := ck.Encoder("mean")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteEncoder(dir, enc, ck.Tok, *ck.Tok.Basic()); err != nil {
		t.Fatal(err)
	}
	again, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.Pooling != "mean" || again.Size != ck.Size {
		t.Errorf("re-read: pooling %q size %+v, want mean %+v", again.Pooling, again.Size, ck.Size)
	}
	enc2, err := again.Encoder("")
	if err != nil {
		t.Fatal(err)
	}
	want := readExpected(t, filepath.Join(fixtureDir, "mlm_gelu_new"))
	out, err := enc2.Encode(want.IDs)
	if err != nil {
		t.Fatal(err)
	}
	for s := range want.IDs {
		for j, v := range want.Mean[s] {
			check(t, "re-exported mean", s, -1, j, out[s*16+j], v)
		}
	}
}
