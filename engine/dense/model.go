// Package dense is a trained dense retriever at query time: the model of a run folder
// (tokenizer, one or two encoders, the scoring head) and an index of cached passage
// vectors that searches, reranks and explains scores with the head's kernel
// (engine/head/kernel.go). It does not import the trainer; engine/train builds the
// same Model to train it.
package dense

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/text"
	"github.com/arslab/arslab/engine/tok"
)

// Arch is the part of a run's config.json that defines the model. train.Config holds
// the same fields under the same JSON names (Config.Arch converts).
type Arch struct {
	Preset  string  `json:"preset"`  // "tiny" | "mini" | "custom" (sizes in Encoder)
	Mode    string  `json:"mode"`    // "dual" (two encoders) | "shared" (one encoder, [Q]/[P] prefix)
	Pooling string  `json:"pooling"` // "cls" | "mean"
	Head    string  `json:"head"`    // "ars" | "dot" | "cos"
	H       int     `json:"h"`       // ARS interaction size; 0 = encoder hidden size
	Tau     float64 `json:"tau"`     // temperature (cos uses it in Prob)
	MaxLen  int     `json:"max_len"` // tokens per text, [CLS]/[SEP] included
	Seed    int64   `json:"seed"`    // initial weights: encoders Seed (and Seed+1), head Seed+2
	// HeadInit is the ARS head's initialisation: "" or "sym" (the default), or "linear"
	// (the untrained ARS score equals the dot product; see head.InitLinear).
	HeadInit string `json:"head_init,omitempty"`
	// Encoder sizes the encoders of preset "custom" (one started from a pre-trained
	// checkpoint); nil for the presets, whose config.json files do not have it.
	Encoder *EncoderSize `json:"encoder,omitempty"`
	// Text is how text reaches the tokenizer: "" normalised by engine/text (Normalize), as
	// every model trained from scratch here; "bert" as it is, the tokenizer applying its
	// checkpoint's BERT casing settings (tok.Basic), as the checkpoint was pre-trained.
	Text string `json:"text,omitempty"`
}

// Text values.
const (
	TextLab  = ""
	TextBERT = "bert"
)

// EncoderSize is a non-preset encoder: the sizes of a BERT encoder (Hugging Face's
// config.json names in the comments).
type EncoderSize struct {
	Vocab     int     `json:"vocab"`     // vocab_size: rows of the token embedding, ≥ the tokenizer's vocabulary
	Hidden    int     `json:"hidden"`    // hidden_size
	Layers    int     `json:"layers"`    // num_hidden_layers
	Heads     int     `json:"heads"`     // num_attention_heads
	FFN       int     `json:"ffn"`       // intermediate_size
	Positions int     `json:"positions"` // max_position_embeddings (max_len ≤ this)
	Act       string  `json:"act"`       // hidden_act: "gelu" (erf) | "gelu_tanh" (gelu_new)
	LNEps     float64 `json:"ln_eps"`    // layer_norm_eps
}

// Validate reports the first problem in a with a message naming the field.
func (a Arch) Validate() error {
	switch {
	case a.Preset == "custom" && a.Encoder == nil:
		return errors.New("preset custom: the encoder sizes (\"encoder\") are missing")
	case a.Preset != "custom" && a.Encoder != nil:
		return fmt.Errorf("preset %q: encoder sizes are only for preset custom", a.Preset)
	case a.Preset != "tiny" && a.Preset != "mini" && a.Preset != "custom":
		return fmt.Errorf("preset %q: want tiny or mini (custom: from a checkpoint)", a.Preset)
	case a.Mode != "dual" && a.Mode != "shared":
		return fmt.Errorf("mode %q: want dual or shared", a.Mode)
	case a.Pooling != "cls" && a.Pooling != "mean":
		return fmt.Errorf("pooling %q: want cls or mean", a.Pooling)
	case a.Head != head.ARS && a.Head != head.Dot && a.Head != head.Cos:
		return fmt.Errorf("head %q: want ars, dot or cos", a.Head)
	case a.H < 0:
		return fmt.Errorf("h %d: must be ≥ 0 (0 = encoder hidden size)", a.H)
	case a.H == 1:
		return errors.New("h 1: the ARS interaction size must be ≥ 2")
	case !(a.Tau > 0) || math.IsInf(a.Tau, 0):
		return fmt.Errorf("tau %g: must be a positive number", a.Tau)
	case a.HeadInit != "" && a.HeadInit != head.InitSym && a.HeadInit != head.InitLinear:
		return fmt.Errorf("head_init %q: want %s or %s", a.HeadInit, head.InitSym, head.InitLinear)
	case a.MaxLen < 4:
		return fmt.Errorf("max_len %d: must be ≥ 4 tokens", a.MaxLen)
	case a.Text != TextLab && a.Text != TextBERT:
		return fmt.Errorf("text %q: want \"\" (engine/text normalisation) or bert", a.Text)
	case a.Encoder != nil && a.MaxLen > a.Encoder.Positions:
		return fmt.Errorf("max_len %d: the encoder has %d positions", a.MaxLen, a.Encoder.Positions)
	}
	if a.Encoder != nil {
		if _, err := a.NNConfig(a.Encoder.Vocab); err != nil {
			return fmt.Errorf("encoder: %w", err)
		}
	}
	return nil
}

// NNConfig is the encoder configuration of a for a tokenizer of vocab tokens: the preset's
// sizes with MaxLen positions, or Encoder's (whose embedding may have more rows than the
// tokenizer has tokens, never fewer).
func (a Arch) NNConfig(vocab int) (nn.Config, error) {
	if a.Encoder == nil {
		c, err := nn.Preset(a.Preset, vocab, a.MaxLen)
		c.Pooling = a.Pooling
		return c, err
	}
	e := a.Encoder
	if e.Vocab < vocab {
		return nn.Config{}, fmt.Errorf("encoder vocab %d is smaller than the tokenizer's %d tokens", e.Vocab, vocab)
	}
	c := nn.Config{Vocab: e.Vocab, Hidden: e.Hidden, Layers: e.Layers, Heads: e.Heads, FFN: e.FFN, MaxLen: e.Positions,
		Pooling: a.Pooling, Act: e.Act, LNEps: e.LNEps}
	if err := c.Validate(); err != nil {
		return nn.Config{}, err
	}
	return c, nil
}

// LoadTokenizer reads the tokenizer of the run folder dir for a: with Text "bert" its BERT
// casing settings too (tok.LoadBERT).
func LoadTokenizer(dir string, a Arch) (*tok.Tokenizer, error) {
	if a.Text == TextBERT {
		tk, _, err := tok.LoadBERT(dir)
		return tk, err
	}
	return tok.Load(dir)
}

// Model is a dense retriever: tokenizer, query and passage encoders (the same one in
// shared mode) and the scoring head.
type Model struct {
	Dir  string // run folder; Name is its base name
	Arch Arch
	Tok  *tok.Tokenizer
	EncQ *nn.Encoder
	EncP *nn.Encoder // == EncQ in shared mode
	Head *head.Head
	// Window is how Index reads passages longer than Arch.MaxLen (a query-time setting,
	// not saved with the run): the zero value indexes their first window only.
	Window Window
}

// New builds fresh (seeded) encoders and head for a around tk.
func New(a Arch, tk *tok.Tokenizer) (*Model, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	ncfg, err := a.NNConfig(tk.VocabSize())
	if err != nil {
		return nil, err
	}
	m := &Model{Arch: a, Tok: tk}
	if m.EncQ, err = nn.NewEncoder(ncfg, a.Seed); err != nil {
		return nil, fmt.Errorf("query encoder: %w", err)
	}
	m.EncP = m.EncQ
	if a.Mode == "dual" {
		if m.EncP, err = nn.NewEncoder(ncfg, a.Seed+1); err != nil {
			return nil, fmt.Errorf("passage encoder: %w", err)
		}
	}
	if m.Head, err = head.NewInit(a.Head, ncfg.Hidden, a.H, a.Tau, a.Seed+2, a.HeadInit); err != nil {
		return nil, err
	}
	return m, nil
}

// Load reads a run folder written by train.Run: config.json (its Arch fields), the
// tokenizer and model.safetensors of the current checkpoint (ckpt.Current: the folder the
// latest pointer names, or the run folder itself for runs written before checkpoint folders).
func Load(dir string) (*Model, error) {
	var a Arch
	if err := ckpt.ReadJSON(filepath.Join(dir, ckpt.ConfigFile), &a); err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	if err := a.Validate(); err != nil {
		return nil, fmt.Errorf("load model: %s: %w", ckpt.ConfigFile, err)
	}
	tk, err := LoadTokenizer(dir, a)
	if err != nil {
		return nil, fmt.Errorf("load model: tokenizer in %s: %w", dir, err)
	}
	m, err := New(a, tk)
	if err != nil {
		return nil, fmt.Errorf("load model: %s: %w", ckpt.ConfigFile, err)
	}
	cur, err := ckpt.Current(dir)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	if err := ckpt.LoadParams(filepath.Join(cur, ckpt.WeightsFile), m.Params()); err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	m.Dir = dir
	return m, nil
}

// Name is the run folder's base name.
func (m *Model) Name() string { return filepath.Base(m.Dir) }

// Shared reports whether queries and passages share one encoder.
func (m *Model) Shared() bool { return m.EncQ == m.EncP }

// Params lists every tensor under its checkpoint name (encoders prefixed "query.",
// "passage." or "encoder."; head tensors "head.*", head.log_tau included). W and G
// alias the live slices.
func (m *Model) Params() []*nn.Param {
	var ps []*nn.Param
	add := func(prefix string, src []*nn.Param) {
		for _, p := range src {
			ps = append(ps, &nn.Param{Name: prefix + p.Name, Shape: p.Shape, W: p.W, G: p.G, NoDecay: p.NoDecay})
		}
	}
	if m.Shared() {
		add("encoder.", m.EncQ.Params())
	} else {
		add("query.", m.EncQ.Params())
		add("passage.", m.EncP.Params())
	}
	return append(ps, m.Head.Params()...)
}

// QueryIDs tokenises a query ([Q]-prefixed in shared mode).
func (m *Model) QueryIDs(q string) []int {
	prefix := ""
	if m.Shared() {
		prefix = tok.QueryToken
	}
	return m.Tok.Encode(m.normalize(q), prefix, m.Arch.MaxLen)
}

// PassageIDs tokenises a passage, title then body ([P]-prefixed in shared mode).
func (m *Model) PassageIDs(title, body string) []int {
	prefix := ""
	if m.Shared() {
		prefix = tok.PassageToken
	}
	s := body
	if title != "" {
		s = title + " " + body
	}
	return m.Tok.Encode(m.normalize(s), prefix, m.Arch.MaxLen)
}

// Window says how Index reads passages longer than MaxLen tokens.
type Window struct {
	// Split indexes every window of Arch.MaxLen tokens (the [CLS]/prefix/[SEP] included),
	// Stride pieces apart, and scores a passage by its best window (MaxP); otherwise only
	// the first window is indexed, as training sees it.
	Split bool
	// Stride is how many word pieces one window starts after the previous; 0 means half
	// a window (windows overlap by half). It is capped at the window's size.
	Stride int
}

// PassageWindows tokenises a passage as PassageIDs does and, when m.Window.Split is set,
// returns every window of it: the first is PassageIDs' (title then body, truncated), each
// next one starts Stride word pieces later, with the same [CLS]/prefix and [SEP], until
// one reaches the end; that last one is moved back to be full. The title is in the first
// window only.
func (m *Model) PassageWindows(title, body string) [][]int {
	if !m.Window.Split {
		return [][]int{m.PassageIDs(title, body)}
	}
	full := m.PassageIDs(title, body)
	if len(full) < m.Arch.MaxLen {
		return [][]int{full}
	}
	all := m.passageAll(title, body)
	head := 1
	if m.Shared() {
		head = 2
	}
	return windows(all[:head], all[head:len(all)-1], all[len(all)-1], m.Arch.MaxLen, m.Window.Stride)
}

// windows cuts pieces into windows of at most maxLen ids (head and tail included), stride
// pieces apart (0: half a window); the last one ends at the end and, when it is not also
// the first, is full (it starts earlier than the stride would put it).
func windows(head, pieces []int, tail, maxLen, stride int) [][]int {
	w := max(maxLen-len(head)-1, 1)
	if stride <= 0 {
		stride = max(w/2, 1)
	}
	stride = min(stride, w)
	var out [][]int
	for s := 0; ; s += stride {
		e := min(s+w, len(pieces))
		if e == len(pieces) && s > 0 {
			s = max(e-w, 0) // the last window ends at the end and is full: a short tail window scores erratically
		}
		win := make([]int, 0, len(head)+e-s+1)
		win = append(append(append(win, head...), pieces[s:e]...), tail)
		out = append(out, win)
		if e == len(pieces) {
			return out
		}
	}
}

// passageAll is PassageIDs without the length limit.
func (m *Model) passageAll(title, body string) []int {
	prefix := ""
	if m.Shared() {
		prefix = tok.PassageToken
	}
	s := body
	if title != "" {
		s = title + " " + body
	}
	return m.Tok.Encode(m.normalize(s), prefix, 0)
}

// PassageLen is how many tokens the whole passage takes ([CLS], prefix and [SEP]
// included), to compare with Arch.MaxLen.
func (m *Model) PassageLen(title, body string) int { return len(m.passageAll(title, body)) }

// normalize is Normalize for a model of Text "" and the identity for one of Text "bert"
// (its tokenizer applies BERT's processing).
func (m *Model) normalize(s string) string {
	if m.Arch.Text == TextBERT {
		return s
	}
	return Normalize(s)
}

// Normalize is the text normalisation every model input goes through (and the
// tokenizer is trained on).
func Normalize(s string) string {
	return text.Normalize(s, text.Detect(s), text.DefaultOptions())
}

// TrainTokenizer trains a vocab-piece WordPiece vocabulary on the dataset's passages (title
// and text) and queries, normalised as the model will read them. The dual-encoder trainer
// and the cross-encoder trainer both start from it when no tokenizer is given.
func TrainTokenizer(ds *datasets.Dataset, vocab int) (*tok.Tokenizer, error) {
	texts := make([]string, 0, len(ds.Passages)+len(ds.Queries))
	for _, p := range ds.Passages {
		texts = append(texts, Normalize(p.Title+" "+p.Text))
	}
	for _, q := range ds.Queries {
		texts = append(texts, Normalize(q.Text))
	}
	return tok.Train(texts, vocab)
}
