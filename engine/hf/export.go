package hf

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/tok"
)

// Export layout. A shared-mode model is one Hugging Face folder (out/); a dual-mode
// model is two, out/query/ and out/passage/. Each encoder folder holds config.json
// (BertModel), model.safetensors (F32, BertModel names, Linear weights out×in, a zero
// token_type_embeddings of 2 rows, no pooler), vocab.txt, tokenizer_config.json
// (do_lower_case, strip_accents, tokenize_chinese_chars), and modules.json +
// 1_Pooling/config.json so sentence-transformers loads it with the model's pooling.
// Beside them, out/head.safetensors holds the scoring head (head.w_q, head.b_q, head.w_p,
// head.b_p, head.v, head.c for ARS — W_q and W_p h×d, out×in — and head.log_tau) and
// out/arslab.json (ExportInfo) says how to score and how text was prepared.
const (
	ExportInfoFile = "arslab.json"
	HeadFile       = "head.safetensors"
	ExportFormat   = "arslab-export/1"
	ExportTextLab  = "arslab" // text normalised by engine/text before the tokenizer
	ExportTextBERT = "bert"   // raw text, the tokenizer's BERT casing
)

// ExportInfo is arslab.json.
type ExportInfo struct {
	Format        string             `json:"format"`
	Mode          string             `json:"mode"`    // "shared": one encoder in this folder; "dual": query/ and passage/
	Head          string             `json:"head"`    // "ars" | "dot" | "cos"
	Score         string             `json:"score"`   // the head's formula
	Pooling       string             `json:"pooling"` // "cls" | "mean"
	H             int                `json:"h,omitempty"`
	Tau           float64            `json:"tau"`
	MaxLen        int                `json:"max_len"`
	Seed          int64              `json:"seed"`
	QueryPrefix   string             `json:"query_prefix,omitempty"`   // shared mode: the token after [CLS] of a query
	PassagePrefix string             `json:"passage_prefix,omitempty"` // … and of a passage (title, a space, then the text)
	Text          string             `json:"text"`                     // "arslab" | "bert"
	TextNote      string             `json:"text_note"`
	QueryDir      string             `json:"query_dir"`
	PassageDir    string             `json:"passage_dir"`
	HeadFile      string             `json:"head_file"`
	Preset        string             `json:"preset"`
	Encoder       *dense.EncoderSize `json:"encoder,omitempty"`
}

// scoreText spells each head's score out for arslab.json.
var scoreText = map[string]string{
	head.ARS: "s(q,p) = v·tanh((W_q q + b_q) ⊙ (W_p p + b_p)) + c, with q and p the pooled encoder vectors; " +
		"head.safetensors holds head.w_q and head.w_p (h×d, out×in), head.b_q, head.b_p, head.v (h), head.c (1); " +
		"sigmoid(s) is the relevance; τ = exp(head.log_tau) is the training temperature",
	head.Dot: "s(q,p) = q·p, with q and p the pooled encoder vectors; τ = exp(head.log_tau) is the training temperature",
	head.Cos: "s(q,p) = q·p / (|q| |p|), with q and p the pooled encoder vectors; τ = exp(head.log_tau) is the training temperature",
}

const labTextNote = "Before tokenising, normalise text as ARS Lab's engine/text does: NFKC, lower-case, Arabic diacritics, " +
	"tatweel, alef variants (أ إ آ ٱ → ا), ى → ي, ة → ه, Arabic-Indic digits → 0-9, white space collapsed. " +
	"tokenizer_config.json lower-cases and keeps accents, which matches it on English and Vietnamese text."

// Export writes m in Hugging Face layout under out (see the layout above).
func Export(m *dense.Model, out string) error {
	a := m.Arch
	info := ExportInfo{Format: ExportFormat, Mode: a.Mode, Head: a.Head, Pooling: a.Pooling, H: a.H, Tau: a.Tau,
		MaxLen: a.MaxLen, Seed: a.Seed, HeadFile: HeadFile, Preset: a.Preset, Encoder: a.Encoder,
	}
	info.Score = scoreText[a.Head]
	if a.Head == head.ARS {
		info.H = m.Head.H // the interaction size in use (0 in the config means d)
	}
	basic := tok.Basic{Lower: true} // engine/text lower-cases; accents (Vietnamese tones) are kept
	info.Text, info.TextNote = ExportTextLab, labTextNote
	if a.Text == dense.TextBERT {
		if b := m.Tok.Basic(); b != nil {
			basic = *b
		}
		info.Text, info.TextNote = ExportTextBERT, "Raw text; the tokenizer's settings (tokenizer_config.json) do the rest."
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if m.Shared() {
		info.QueryDir, info.PassageDir = ".", "."
		q, _ := m.Tok.ID(tok.QueryToken)
		p, _ := m.Tok.ID(tok.PassageToken)
		info.QueryPrefix, _ = m.Tok.Token(q)
		info.PassagePrefix, _ = m.Tok.Token(p)
		if err := WriteEncoder(out, m.EncQ, m.Tok, basic); err != nil {
			return err
		}
	} else {
		info.QueryDir, info.PassageDir = "query", "passage"
		if err := WriteEncoder(filepath.Join(out, "query"), m.EncQ, m.Tok, basic); err != nil {
			return err
		}
		if err := WriteEncoder(filepath.Join(out, "passage"), m.EncP, m.Tok, basic); err != nil {
			return err
		}
	}
	if err := ckpt.SaveParams(filepath.Join(out, HeadFile), m.Head.Params(), map[string]string{"format": "pt"}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := ckpt.WriteJSON(filepath.Join(out, ExportInfoFile), info); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// WriteEncoder writes one encoder as a Hugging Face BertModel folder (config.json,
// model.safetensors, vocab.txt, tokenizer_config.json, modules.json, 1_Pooling/).
func WriteEncoder(dir string, enc *nn.Encoder, tk *tok.Tokenizer, basic tok.Basic) error {
	cfg := enc.Config()
	if err := os.MkdirAll(filepath.Join(dir, "1_Pooling"), 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	act, eps := "gelu_new", cfg.LNEps
	if cfg.Act == nn.ActGELUErf {
		act = "gelu"
	}
	if eps == 0 {
		eps = 1e-12
	}
	config := map[string]any{
		"architectures": []string{"BertModel"}, "model_type": "bert", "vocab_size": cfg.Vocab,
		"hidden_size": cfg.Hidden, "num_hidden_layers": cfg.Layers, "num_attention_heads": cfg.Heads,
		"intermediate_size": cfg.FFN, "hidden_act": act, "max_position_embeddings": cfg.MaxLen,
		"type_vocab_size": 2, "layer_norm_eps": eps, "position_embedding_type": "absolute",
		"hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
		"pad_token_id": padID(tk), "torch_dtype": "float32",
	}
	if err := ckpt.WriteJSON(filepath.Join(dir, "config.json"), config); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	ts, err := bertTensors(enc)
	if err != nil {
		return err
	}
	data, err := ckpt.EncodeSafetensors(ts, map[string]string{"format": "pt"})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := ckpt.WriteFile(filepath.Join(dir, "model.safetensors"), data); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := tk.WithBasic(&basic).Save(dir); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	mods := []stModule{
		{Idx: 0, Name: "0", Path: "", Type: "sentence_transformers.models.Transformer"},
		{Idx: 1, Name: "1", Path: "1_Pooling", Type: "sentence_transformers.models.Pooling"},
	}
	if err := ckpt.WriteJSON(filepath.Join(dir, "modules.json"), mods); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	pool := map[string]any{"word_embedding_dimension": cfg.Hidden, "pooling_mode_cls_token": cfg.Pooling == "cls",
		"pooling_mode_mean_tokens": cfg.Pooling == "mean", "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}
	if err := ckpt.WriteJSON(filepath.Join(dir, "1_Pooling", "config.json"), pool); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return ckpt.WriteJSON(filepath.Join(dir, "sentence_bert_config.json"), map[string]any{"max_seq_length": cfg.MaxLen, "do_lower_case": false})
}

func padID(tk *tok.Tokenizer) int {
	id, _ := tk.ID(tok.PadToken)
	return id
}

// bertTensors lists enc's tensors under BertModel names (Linear weights transposed to
// out×in), plus a zero token_type_embeddings (2×H).
func bertTensors(enc *nn.Encoder) ([]ckpt.Tensor, error) {
	cfg := enc.Config()
	size := dense.EncoderSize{Vocab: cfg.Vocab, Hidden: cfg.Hidden, Layers: cfg.Layers, Heads: cfg.Heads, FFN: cfg.FFN, Positions: cfg.MaxLen}
	byLab := map[string]string{}
	shapes := map[string]target{}
	for hfName, tg := range bertNames(size, 2) {
		byLab[tg.name] = hfName
		shapes[hfName] = tg
	}
	var ts []ckpt.Tensor
	for _, p := range enc.Params() {
		hfName, ok := byLab[p.Name]
		if !ok {
			return nil, fmt.Errorf("export: encoder tensor %s has no BertModel name", p.Name)
		}
		tg := shapes[hfName]
		data := p.W
		if tg.transpose { // in×out → out×in
			data = transpose(p.W, tg.shape[1], tg.shape[0])
		}
		ts = append(ts, ckpt.Tensor{Name: hfName, Shape: tg.shape, Data: data})
	}
	ts = append(ts, ckpt.Tensor{Name: "embeddings.token_type_embeddings.weight", Shape: []int{2, cfg.Hidden}, Data: make([]float32, 2*cfg.Hidden)})
	return ts, nil
}

// LoadExport reads a folder Export wrote back into a dense model (encoders, tokenizer,
// head), scoring exactly as the exported model did.
func LoadExport(dir string) (*dense.Model, error) {
	var info ExportInfo
	if err := ckpt.ReadJSON(filepath.Join(dir, ExportInfoFile), &info); err != nil {
		return nil, fmt.Errorf("hf: %w", err)
	}
	if info.Format != ExportFormat {
		return nil, fmt.Errorf("hf: %s: format %q (want %s)", filepath.Join(dir, ExportInfoFile), info.Format, ExportFormat)
	}
	q, err := Open(filepath.Join(dir, info.QueryDir))
	if err != nil {
		return nil, err
	}
	p := q
	if info.Mode == "dual" {
		if p, err = Open(filepath.Join(dir, info.PassageDir)); err != nil {
			return nil, err
		}
	}
	a := dense.Arch{Preset: "custom", Mode: info.Mode, Pooling: info.Pooling, Head: info.Head, H: info.H, Tau: info.Tau,
		MaxLen: info.MaxLen, Seed: info.Seed, Encoder: &q.Size, Text: q.Text}
	m, err := dense.New(a, q.Tok)
	if err != nil {
		return nil, fmt.Errorf("hf: %s: %w", dir, err)
	}
	if err := q.CopyInto(m.EncQ); err != nil {
		return nil, err
	}
	if err := p.CopyInto(m.EncP); err != nil {
		return nil, err
	}
	if err := ckpt.LoadParams(filepath.Join(dir, info.HeadFile), m.Head.Params()); err != nil {
		return nil, fmt.Errorf("hf: %w", err)
	}
	m.Dir = dir
	return m, nil
}
