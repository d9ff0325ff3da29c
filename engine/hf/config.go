package hf

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/nn"
)

// bertConfig is the part of a Hugging Face config.json this package reads. Pointers tell
// a missing field from a zero.
type bertConfig struct {
	ModelType        string   `json:"model_type"`
	Architectures    []string `json:"architectures"`
	VocabSize        *int     `json:"vocab_size"`
	HiddenSize       *int     `json:"hidden_size"`
	Layers           *int     `json:"num_hidden_layers"`
	Heads            *int     `json:"num_attention_heads"`
	Intermediate     *int     `json:"intermediate_size"`
	HiddenAct        *string  `json:"hidden_act"`
	MaxPositions     *int     `json:"max_position_embeddings"`
	TypeVocab        *int     `json:"type_vocab_size"`
	LayerNormEps     *float64 `json:"layer_norm_eps"`
	PositionEmbType  *string  `json:"position_embedding_type"`
	IsDecoder        bool     `json:"is_decoder"`
	CrossAttention   bool     `json:"add_cross_attention"`
	ChunkFeedForward int      `json:"chunk_size_feed_forward"`
}

// readConfig reads and checks dir/config.json; errors name the file and the field.
func readConfig(dir string) (dense.EncoderSize, int, []string, error) {
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return dense.EncoderSize{}, 0, nil, fmt.Errorf("hf: %w", err)
	}
	var c bertConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return dense.EncoderSize{}, 0, nil, fmt.Errorf("hf: %s: %w", path, err)
	}
	bad := func(field string, format string, a ...any) error {
		return fmt.Errorf("hf: %s: %s %s", path, field, fmt.Sprintf(format, a...))
	}
	if c.ModelType != "bert" {
		return dense.EncoderSize{}, 0, nil, bad("model_type", "%q is not supported (want bert)", c.ModelType)
	}
	need := []struct {
		field string
		v     *int
		min   int
	}{{"vocab_size", c.VocabSize, 1}, {"hidden_size", c.HiddenSize, 1}, {"num_hidden_layers", c.Layers, 1},
		{"num_attention_heads", c.Heads, 1}, {"intermediate_size", c.Intermediate, 1}, {"max_position_embeddings", c.MaxPositions, 4}}
	for _, n := range need {
		if n.v == nil {
			return dense.EncoderSize{}, 0, nil, bad(n.field, "is missing")
		}
		if *n.v < n.min {
			return dense.EncoderSize{}, 0, nil, bad(n.field, "%d must be ≥ %d", *n.v, n.min)
		}
	}
	if *c.HiddenSize%*c.Heads != 0 {
		return dense.EncoderSize{}, 0, nil, bad("num_attention_heads", "%d does not divide hidden_size %d", *c.Heads, *c.HiddenSize)
	}
	s := dense.EncoderSize{Vocab: *c.VocabSize, Hidden: *c.HiddenSize, Layers: *c.Layers, Heads: *c.Heads,
		FFN: *c.Intermediate, Positions: *c.MaxPositions, LNEps: 1e-12}
	act := "gelu" // BertConfig's default
	if c.HiddenAct != nil {
		act = *c.HiddenAct
	}
	switch act {
	case "gelu":
		s.Act = nn.ActGELUErf
	case "gelu_new", "gelu_pytorch_tanh", "gelu_fast":
		s.Act = nn.ActGELUTanh
	default:
		return dense.EncoderSize{}, 0, nil, bad("hidden_act", "%q is not supported (want gelu, gelu_new or gelu_pytorch_tanh)", act)
	}
	if c.LayerNormEps != nil {
		if !(*c.LayerNormEps > 0 && *c.LayerNormEps < 1) {
			return dense.EncoderSize{}, 0, nil, bad("layer_norm_eps", "%g must be in (0, 1)", *c.LayerNormEps)
		}
		s.LNEps = *c.LayerNormEps
	}
	if c.PositionEmbType != nil && *c.PositionEmbType != "absolute" {
		return dense.EncoderSize{}, 0, nil, bad("position_embedding_type", "%q is not supported (want absolute)", *c.PositionEmbType)
	}
	switch {
	case c.IsDecoder:
		return dense.EncoderSize{}, 0, nil, bad("is_decoder", "true is not supported (an encoder is wanted)")
	case c.CrossAttention:
		return dense.EncoderSize{}, 0, nil, bad("add_cross_attention", "true is not supported")
	}
	types := 2 // BertConfig's default
	if c.TypeVocab != nil {
		if *c.TypeVocab < 0 {
			return dense.EncoderSize{}, 0, nil, bad("type_vocab_size", "%d must be ≥ 0", *c.TypeVocab)
		}
		types = *c.TypeVocab
	}
	var notes []string
	if len(c.Architectures) > 0 && c.Architectures[0] != "BertModel" {
		notes = append(notes, fmt.Sprintf("architecture %s: only its BERT encoder is used", c.Architectures[0]))
	}
	return s, types, notes, nil
}
