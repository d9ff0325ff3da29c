package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/hf"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/tok"
)

// initSource is a pre-trained starting point (Config.Init): its encoder sizes, tokenizer
// and the tensors of its query and passage encoders (the same map for a single encoder).
type initSource struct {
	size           dense.EncoderSize
	text           string
	tok            *tok.Tokenizer
	pooling        string // "" when the source does not say
	maxSeq         int    // sentence-transformers' max_seq_length (0: none)
	query, passage map[string][]float32
	dual           bool // the source has two towers
	notes          []string
}

// openInit reads Config.Init: a folder exported by engine/hf (arslab.json), a Hugging Face
// checkpoint (config.json with model_type, or a sentence-transformers modules.json), or a
// lab run folder.
func openInit(path string) (*initSource, error) {
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(path, name))
		return err == nil
	}
	switch {
	case exists(hf.ExportInfoFile):
		m, err := hf.LoadExport(path)
		if err != nil {
			return nil, err
		}
		src := fromModel(m)
		src.notes = append(src.notes, "exported ARS Lab model: encoders only (the head starts fresh)")
		return src, nil
	case exists("modules.json") || isHFConfig(filepath.Join(path, "config.json")):
		ck, err := hf.Open(path)
		if err != nil {
			return nil, err
		}
		return &initSource{size: ck.Size, text: ck.Text, tok: ck.Tok, pooling: ck.Pooling, maxSeq: ck.MaxSeqLen,
			query: ck.Params, passage: ck.Params, notes: ck.Notes}, nil
	}
	m, err := dense.Load(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("init %s: neither a Hugging Face checkpoint (config.json with model_type) nor a lab run folder: %w", path, err)
		}
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	return fromModel(m), nil
}

// isHFConfig reports whether path is a Hugging Face config.json (it has model_type).
func isHFConfig(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var c struct {
		ModelType *string `json:"model_type"`
	}
	return json.Unmarshal(data, &c) == nil && c.ModelType != nil
}

// fromModel takes the encoders of a lab model.
func fromModel(m *dense.Model) *initSource {
	c := m.EncQ.Config()
	size := dense.EncoderSize{Vocab: c.Vocab, Hidden: c.Hidden, Layers: c.Layers, Heads: c.Heads, FFN: c.FFN,
		Positions: c.MaxLen, Act: c.Act, LNEps: c.LNEps}
	if size.Act == "" {
		size.Act = nn.ActGELUTanh
	}
	if size.LNEps == 0 {
		size.LNEps = 1e-12
	}
	byName := func(e *nn.Encoder) map[string][]float32 {
		out := map[string][]float32{}
		for _, p := range e.Params() {
			out[p.Name] = p.W
		}
		return out
	}
	return &initSource{size: size, text: m.Arch.Text, tok: m.Tok, pooling: m.Arch.Pooling,
		query: byName(m.EncQ), passage: byName(m.EncP), dual: !m.Shared()}
}

// InitOptions says which of the user's settings ApplyInit must keep.
type InitOptions struct {
	KeepPooling bool // --pooling was given: do not take the checkpoint's
	KeepMaxLen  bool // --max-len was given: refuse it when above the checkpoint's positions instead of capping it
}

// ApplyInit fills cfg from its Init checkpoint: preset "custom" with the checkpoint's
// encoder sizes, its text mode, its pooling (unless kept) and a max_len within its
// positions (capped, unless kept). It returns what it changed, for the user.
func ApplyInit(cfg Config, o InitOptions) (Config, []string, error) {
	if cfg.Init == "" {
		return cfg, nil, nil
	}
	if cfg.TokenizerDir != "" {
		return cfg, nil, fmt.Errorf("init %s: --tokenizer cannot be combined with --init (the checkpoint's vocabulary is used)", cfg.Init)
	}
	src, err := openInit(cfg.Init)
	if err != nil {
		return cfg, nil, err
	}
	return applySource(cfg, src, o)
}

func applySource(cfg Config, src *initSource, o InitOptions) (Config, []string, error) {
	notes := append([]string(nil), src.notes...)
	size := src.size
	cfg.Preset, cfg.Encoder, cfg.Text = "custom", &size, src.text
	if src.pooling != "" && !o.KeepPooling && cfg.Pooling != src.pooling {
		notes = append(notes, fmt.Sprintf("pooling %s, as the checkpoint (--pooling overrides)", src.pooling))
		cfg.Pooling = src.pooling
	}
	if cfg.MaxLen > size.Positions {
		if o.KeepMaxLen {
			return cfg, nil, fmt.Errorf("init %s: max_len %d exceeds the checkpoint's %d positions", cfg.Init, cfg.MaxLen, size.Positions)
		}
		notes = append(notes, fmt.Sprintf("max_len %d capped to the checkpoint's %d positions", cfg.MaxLen, size.Positions))
		cfg.MaxLen = size.Positions
	}
	if cfg.Mode == "shared" {
		_, okQ := src.tok.ID(tok.QueryToken)
		_, okP := src.tok.ID(tok.PassageToken)
		if !okQ || !okP {
			return cfg, nil, fmt.Errorf("init %s: shared mode needs %s/%s or [unused0]/[unused1] in the checkpoint's vocabulary; use --mode dual",
				cfg.Init, tok.QueryToken, tok.PassageToken)
		}
		if src.dual {
			notes = append(notes, "the checkpoint has two encoders; shared mode starts from its query encoder")
		}
	}
	return cfg, notes, nil
}

// initModel copies the source's encoders into m (dual: query and passage towers; a
// single-encoder source starts both).
func initModel(m *dense.Model, src *initSource, from string) error {
	if err := hf.CopyParams(src.query, m.EncQ.Params(), "init "+from); err != nil {
		return err
	}
	if m.Shared() {
		return nil
	}
	return hf.CopyParams(src.passage, m.EncP.Params(), "init "+from)
}
