package hf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/ckpt"
)

// copyFixture copies testdata/hf/bert_gelu into a temp folder, with the tensors rewritten
// as F32 after edit (nil: unchanged) and config.json after cfg (nil: unchanged).
func copyFixture(t *testing.T, edit func([]ckpt.Tensor) []ckpt.Tensor, cfg func(map[string]any)) string {
	t.Helper()
	src := filepath.Join(fixtureDir, "bert_gelu")
	dir := t.TempDir()
	for _, f := range []string{"vocab.txt", "tokenizer_config.json"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var c map[string]any
	if err := ckpt.ReadJSON(filepath.Join(src, "config.json"), &c); err != nil {
		t.Fatal(err)
	}
	if cfg != nil {
		cfg(c)
	}
	if err := ckpt.WriteJSON(filepath.Join(dir, "config.json"), c); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(src, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _, err := ckpt.ParseSafetensors(b)
	if err != nil {
		t.Fatal(err)
	}
	var ts []ckpt.Tensor
	for _, r := range raw {
		if r.Dtype != "F32" {
			continue // the I64 position_ids buffer
		}
		d, _ := r.Float32()
		ts = append(ts, ckpt.Tensor{Name: r.Name, Shape: r.Shape, Data: d})
	}
	if edit != nil {
		ts = edit(ts)
	}
	data, err := ckpt.EncodeSafetensors(ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func without(name string) func([]ckpt.Tensor) []ckpt.Tensor {
	return func(ts []ckpt.Tensor) []ckpt.Tensor {
		var out []ckpt.Tensor
		for _, t := range ts {
			if t.Name != name {
				out = append(out, t)
			}
		}
		return out
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOpenErrors: every unsupported checkpoint is refused with an error naming the config
// field, tensor or file; the unchanged copy opens.
func TestOpenErrors(t *testing.T) {
	if _, err := Open(copyFixture(t, nil, nil)); err != nil {
		t.Fatalf("unchanged copy: %v", err)
	}
	set := func(k string, v any) func(map[string]any) { return func(c map[string]any) { c[k] = v } }
	cases := map[string]struct {
		dir  func() string
		want string
	}{
		"model_type":      {func() string { return copyFixture(t, nil, set("model_type", "roberta")) }, `model_type "roberta" is not supported`},
		"hidden_act":      {func() string { return copyFixture(t, nil, set("hidden_act", "relu")) }, `hidden_act "relu" is not supported`},
		"position type":   {func() string { return copyFixture(t, nil, set("position_embedding_type", "relative_key")) }, "position_embedding_type"},
		"missing size":    {func() string { return copyFixture(t, nil, func(c map[string]any) { delete(c, "hidden_size") }) }, "hidden_size is missing"},
		"heads":           {func() string { return copyFixture(t, nil, set("num_attention_heads", 3)) }, "num_attention_heads 3 does not divide"},
		"decoder":         {func() string { return copyFixture(t, nil, set("is_decoder", true)) }, "is_decoder"},
		"missing tensor":  {func() string { return copyFixture(t, without("encoder.layer.1.attention.self.key.bias"), nil) }, "tensor encoder.layer.1.attention.self.key.bias is missing"},
		"missing types":   {func() string { return copyFixture(t, without("embeddings.token_type_embeddings.weight"), nil) }, "embeddings.token_type_embeddings.weight is missing"},
		"fewer layers":    {func() string { return copyFixture(t, nil, set("num_hidden_layers", 3)) }, "encoder.layer.2."},
		"vocab too small": {func() string { return copyFixture(t, nil, set("vocab_size", 10)) }, "vocab_size is 10"},
		"unknown tensor": {func() string {
			return copyFixture(t, func(ts []ckpt.Tensor) []ckpt.Tensor {
				return append(ts, ckpt.Tensor{Name: "encoder.layer.0.attention.self.rotary.weight", Shape: []int{1}, Data: []float32{1}})
			}, nil)
		}, "unknown tensor encoder.layer.0.attention.self.rotary.weight"},
		"wrong shape": {func() string {
			return copyFixture(t, func(ts []ckpt.Tensor) []ckpt.Tensor {
				for i := range ts {
					if ts[i].Name == "encoder.layer.0.intermediate.dense.weight" {
						ts[i].Shape = []int{16, 32} // in×out instead of out×in
					}
				}
				return ts
			}, nil)
		}, "tensor encoder.layer.0.intermediate.dense.weight has shape [16 32], config.json implies [32 16]"},
		"pytorch only": {func() string {
			d := copyFixture(t, nil, nil)
			os.Rename(filepath.Join(d, "model.safetensors"), filepath.Join(d, "pytorch_model.bin"))
			return d
		}, "only pytorch_model.bin"},
		"max pooling": {func() string {
			d := copyFixture(t, nil, nil)
			writeJSON(t, filepath.Join(d, "modules.json"), []stModule{{Path: "", Type: "sentence_transformers.models.Transformer"}, {Name: "1", Path: "1_Pooling", Type: "sentence_transformers.models.Pooling"}})
			writeJSON(t, filepath.Join(d, "1_Pooling", "config.json"), map[string]any{"pooling_mode_max_tokens": true, "pooling_mode_mean_tokens": false})
			return d
		}, "pooling_mode_max_tokens is not supported"},
		"dense module": {func() string {
			d := copyFixture(t, nil, nil)
			writeJSON(t, filepath.Join(d, "modules.json"), []stModule{{Path: "", Type: "sentence_transformers.models.Transformer"}, {Name: "2", Path: "2_Dense", Type: "sentence_transformers.models.Dense"}})
			return d
		}, `module "2" (sentence_transformers.models.Dense) is not supported`},
		"other normalizer": {func() string {
			d := copyFixture(t, nil, nil)
			os.Remove(filepath.Join(d, "vocab.txt"))
			writeJSON(t, filepath.Join(d, "tokenizer.json"), map[string]any{"normalizer": map[string]any{"type": "Sequence"},
				"model": map[string]any{"type": "WordPiece", "vocab": map[string]int{"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}}})
			return d
		}, `normalizer "Sequence" is not supported`},
	}
	for name, c := range cases {
		_, err := Open(c.dir())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}
