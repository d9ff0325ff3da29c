package hf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/tok"
)

// Checkpoint is a BERT encoder read from a Hugging Face folder.
type Checkpoint struct {
	Dir      string            // the folder given to Open
	ModelDir string            // the folder holding config.json and the weights (a sentence-transformers Transformer module, or Dir)
	Size     dense.EncoderSize // the encoder's sizes, activation and LayerNorm epsilon
	Pooling  string            // "cls" | "mean" from a sentence-transformers Pooling module; "" when the folder does not say
	// MaxSeqLen is sentence-transformers' max_seq_length (0: not given).
	MaxSeqLen int
	Tok       *tok.Tokenizer // the checkpoint's vocabulary with its BERT casing settings
	// Text is how text reaches the tokenizer: dense.TextBERT, or dense.TextLab for a folder
	// this lab exported from a model trained on engine/text-normalised text (arslab.json).
	Text string
	// Params holds every encoder tensor under its engine/nn name (in×out weights; row 0 of
	// the token-type embeddings already added into the position embeddings).
	Params map[string][]float32
	Notes  []string // what was ignored or assumed, for the user
}

// Open reads the checkpoint in dir (see the package doc for the layouts).
func Open(dir string) (*Checkpoint, error) {
	c := &Checkpoint{Dir: dir, ModelDir: dir, Text: dense.TextBERT}
	if err := c.readModules(); err != nil {
		return nil, err
	}
	size, types, notes, err := readConfig(c.ModelDir)
	if err != nil {
		return nil, err
	}
	c.Size = size
	c.Notes = append(c.Notes, notes...)
	if err := c.readTokenizer(); err != nil {
		return nil, err
	}
	raw, err := readWeights(c.ModelDir)
	if err != nil {
		return nil, err
	}
	if err := c.mapTensors(raw, types); err != nil {
		return nil, err
	}
	return c, nil
}

// stModule is one entry of sentence-transformers' modules.json.
type stModule struct {
	Idx  int    `json:"idx"`
	Name string `json:"name"`
	Path string `json:"path"`
	Type string `json:"type"`
}

// readModules follows modules.json (when there is one) to the Transformer module and
// reads the Pooling module's mode and sentence_bert_config.json's max_seq_length.
func (c *Checkpoint) readModules() error {
	path := filepath.Join(c.Dir, "modules.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("hf: %w", err)
	}
	var mods []stModule
	if err := json.Unmarshal(data, &mods); err != nil {
		return fmt.Errorf("hf: %s: %w", path, err)
	}
	seen := false
	for _, m := range mods {
		kind := m.Type[strings.LastIndex(m.Type, ".")+1:]
		switch kind {
		case "Transformer":
			if seen {
				return fmt.Errorf("hf: %s: more than one Transformer module", path)
			}
			seen = true
			c.ModelDir = filepath.Join(c.Dir, m.Path)
		case "Pooling":
			mode, err := readPooling(filepath.Join(c.Dir, m.Path, "config.json"))
			if err != nil {
				return err
			}
			c.Pooling = mode
		case "Normalize":
			c.Notes = append(c.Notes, "the sentence-transformers Normalize module is not applied (the cos head normalises)")
		default:
			return fmt.Errorf("hf: %s: module %q (%s) is not supported (want Transformer, Pooling, Normalize)", path, m.Name, m.Type)
		}
	}
	if !seen {
		return fmt.Errorf("hf: %s: no Transformer module", path)
	}
	var sb struct {
		MaxSeqLength int `json:"max_seq_length"`
	}
	if err := ckpt.ReadJSON(filepath.Join(c.ModelDir, "sentence_bert_config.json"), &sb); err == nil {
		c.MaxSeqLen = sb.MaxSeqLength
	}
	return nil
}

// readPooling reads a sentence-transformers Pooling config: exactly one of CLS or mean.
func readPooling(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("hf: pooling module: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return "", fmt.Errorf("hf: %s: %w", path, err)
	}
	if s, ok := m["pooling_mode"].(string); ok { // newer files name the mode
		switch s {
		case "cls", "mean":
			return s, nil
		}
		return "", fmt.Errorf("hf: %s: pooling_mode %q is not supported (want cls or mean)", path, s)
	}
	var on []string
	for k, v := range m {
		if b, ok := v.(bool); ok && b && strings.HasPrefix(k, "pooling_mode_") {
			on = append(on, k)
		}
	}
	sort.Strings(on)
	switch {
	case len(on) == 1 && on[0] == "pooling_mode_cls_token":
		return "cls", nil
	case len(on) == 1 && on[0] == "pooling_mode_mean_tokens":
		return "mean", nil
	case len(on) == 0:
		return "", fmt.Errorf("hf: %s: no pooling_mode_* is true", path)
	}
	return "", fmt.Errorf("hf: %s: %s is not supported (want exactly one of pooling_mode_cls_token, pooling_mode_mean_tokens)", path, strings.Join(on, " + "))
}

// readTokenizer loads the vocabulary and casing from the model folder (else the root).
func (c *Checkpoint) readTokenizer() error {
	dirs := []string{c.ModelDir}
	if c.Dir != c.ModelDir {
		dirs = append(dirs, c.Dir)
	}
	var firstErr error
	for _, d := range dirs {
		tk, src, err := tok.LoadBERT(d)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		c.Tok = tk
		b := tk.Basic()
		if src == "" {
			c.Notes = append(c.Notes, "no tokenizer_config.json or normalizer: BertTokenizer's defaults (lower-case, strip accents)")
		}
		if tk.VocabSize() > c.Size.Vocab {
			return fmt.Errorf("hf: %s: the tokenizer has %d tokens, config.json vocab_size is %d", d, tk.VocabSize(), c.Size.Vocab)
		}
		c.readExportInfo(d, b)
		return nil
	}
	return fmt.Errorf("hf: tokenizer: %w", firstErr)
}

// readExportInfo notices a folder this lab exported from a model that reads text through
// engine/text (arslab.json beside it or one folder up says "text": "arslab"): the
// tokenizer then applies no casing of its own, as when it was trained.
func (c *Checkpoint) readExportInfo(tokDir string, b *tok.Basic) {
	for _, d := range []string{c.Dir, filepath.Dir(c.Dir)} {
		var info ExportInfo
		if err := ckpt.ReadJSON(filepath.Join(d, ExportInfoFile), &info); err != nil || info.Format != ExportFormat {
			continue
		}
		if info.Text == ExportTextLab {
			c.Text = dense.TextLab
			c.Tok = c.Tok.WithBasic(nil)
			c.Notes = append(c.Notes, "exported by ARS Lab: text is normalised by engine/text, as in training")
		}
		return
	}
}

// readWeights reads model.safetensors, or the shards model.safetensors.index.json names.
func readWeights(dir string) ([]ckpt.RawTensor, error) {
	single := filepath.Join(dir, "model.safetensors")
	if b, err := os.ReadFile(single); err == nil {
		ts, _, err := ckpt.ParseSafetensors(b)
		if err != nil {
			return nil, fmt.Errorf("hf: %s: %w", single, err)
		}
		return ts, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("hf: %w", err)
	}
	index := filepath.Join(dir, "model.safetensors.index.json")
	var idx struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := ckpt.ReadJSON(index, &idx); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, e := os.Stat(filepath.Join(dir, "pytorch_model.bin")); e == nil {
				return nil, fmt.Errorf("hf: %s: only pytorch_model.bin is here; this lab reads safetensors (convert it with safetensors.torch.save_file)", dir)
			}
			return nil, fmt.Errorf("hf: %s: no model.safetensors", dir)
		}
		return nil, fmt.Errorf("hf: %w", err)
	}
	files := map[string]bool{}
	for _, f := range idx.WeightMap {
		files[f] = true
	}
	var out []ckpt.RawTensor
	for _, f := range slices.Sorted(mapsKeys(files)) {
		path := filepath.Join(dir, filepath.Base(f))
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("hf: %s: shard: %w", index, err)
		}
		ts, _, err := ckpt.ParseSafetensors(b)
		if err != nil {
			return nil, fmt.Errorf("hf: %s: %w", path, err)
		}
		out = append(out, ts...)
	}
	return out, nil
}

func mapsKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// target is where one Hugging Face tensor goes.
type target struct {
	name      string // engine/nn name
	shape     []int  // Hugging Face shape
	transpose bool   // nn.Linear weight (out×in) → in×out
}

// bertNames maps each BertModel tensor name (without prefix, LayerNorm .weight/.bias) to
// its engine/nn tensor. The token-type embedding maps to "type".
func bertNames(s dense.EncoderSize, types int) map[string]target {
	H, F := s.Hidden, s.FFN
	m := map[string]target{
		"embeddings.word_embeddings.weight":     {"emb.tok", []int{s.Vocab, H}, false},
		"embeddings.position_embeddings.weight": {"emb.pos", []int{s.Positions, H}, false},
		"embeddings.LayerNorm.weight":           {"emb.ln.g", []int{H}, false},
		"embeddings.LayerNorm.bias":             {"emb.ln.b", []int{H}, false},
	}
	if types > 0 {
		m["embeddings.token_type_embeddings.weight"] = target{"type", []int{types, H}, false}
	}
	for l := 0; l < s.Layers; l++ {
		hf := "encoder.layer." + strconv.Itoa(l) + "."
		lab := "layer" + strconv.Itoa(l) + "."
		lin := func(hfName, labName string, out, in int) {
			m[hf+hfName+".weight"] = target{lab + labName + ".w", []int{out, in}, true}
			m[hf+hfName+".bias"] = target{lab + labName + ".b", []int{out}, false}
		}
		ln := func(hfName, labName string) {
			m[hf+hfName+".weight"] = target{lab + labName + ".g", []int{H}, false}
			m[hf+hfName+".bias"] = target{lab + labName + ".b", []int{H}, false}
		}
		lin("attention.self.query", "attn.q", H, H)
		lin("attention.self.key", "attn.k", H, H)
		lin("attention.self.value", "attn.v", H, H)
		lin("attention.output.dense", "attn.o", H, H)
		ln("attention.output.LayerNorm", "attn.ln")
		m[hf+"intermediate.dense.weight"] = target{lab + "ffn.w1", []int{F, H}, true}
		m[hf+"intermediate.dense.bias"] = target{lab + "ffn.b1", []int{F}, false}
		m[hf+"output.dense.weight"] = target{lab + "ffn.w2", []int{H, F}, true}
		m[hf+"output.dense.bias"] = target{lab + "ffn.b2", []int{H}, false}
		ln("output.LayerNorm", "ffn.ln")
	}
	return m
}

// headPrefixes are the task heads of BertFor* models (under a "bert." prefix), ignored.
var headPrefixes = []string{"cls.", "classifier.", "qa_outputs."}

// mapTensors converts the file's tensors into c.Params.
func (c *Checkpoint) mapTensors(raw []ckpt.RawTensor, types int) error {
	want := bertNames(c.Size, types)
	prefix := ""
	for _, t := range raw {
		if strings.HasPrefix(t.Name, "bert.") {
			prefix = "bert."
			break
		}
	}
	var ignoredHead, ignoredPooler []string
	got := map[string][]float32{}
	for _, t := range raw {
		name := t.Name
		if prefix != "" {
			if !strings.HasPrefix(name, prefix) {
				if slices.ContainsFunc(headPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
					ignoredHead = append(ignoredHead, name)
					continue
				}
				return fmt.Errorf("hf: %s: unknown tensor %s (not under %q, not a known task head)", c.ModelDir, name, prefix)
			}
			name = strings.TrimPrefix(name, prefix)
		}
		switch {
		case strings.HasPrefix(name, "pooler."):
			ignoredPooler = append(ignoredPooler, t.Name)
			continue
		case name == "embeddings.position_ids": // a buffer older checkpoints saved
			continue
		}
		name = strings.Replace(strings.Replace(name, "LayerNorm.gamma", "LayerNorm.weight", 1), "LayerNorm.beta", "LayerNorm.bias", 1)
		tg, ok := want[name]
		if !ok {
			return fmt.Errorf("hf: %s: unknown tensor %s", c.ModelDir, t.Name)
		}
		if _, dup := got[tg.name]; dup {
			return fmt.Errorf("hf: %s: tensor %s given twice (old and new LayerNorm names?)", c.ModelDir, t.Name)
		}
		if !slices.Equal(t.Shape, tg.shape) {
			return fmt.Errorf("hf: %s: tensor %s has shape %v, config.json implies %v", c.ModelDir, t.Name, t.Shape, tg.shape)
		}
		data, err := t.Float32()
		if err != nil {
			return fmt.Errorf("hf: %s: %w", c.ModelDir, err)
		}
		if tg.transpose {
			data = transpose(data, tg.shape[0], tg.shape[1])
		}
		got[tg.name] = data
	}
	var missing []string
	for hfName, tg := range want {
		if _, ok := got[tg.name]; !ok {
			missing = append(missing, prefix+hfName)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("hf: %s: tensor %s is missing (%d missing in all)", c.ModelDir, missing[0], len(missing))
	}
	if typ := got["type"]; typ != nil {
		pos, H := got["emb.pos"], c.Size.Hidden
		for p := 0; p < c.Size.Positions; p++ {
			row := pos[p*H : (p+1)*H]
			for j := range row {
				row[j] += typ[j]
			}
		}
		delete(got, "type")
		if types > 1 {
			c.Notes = append(c.Notes, fmt.Sprintf("token-type embedding 0 added into the position embeddings; types 1…%d dropped (a bi-encoder uses type 0 only)", types-1))
		}
	}
	if len(ignoredPooler) > 0 {
		c.Notes = append(c.Notes, "pooler.dense ignored (not part of the last hidden states)")
	}
	if len(ignoredHead) > 0 {
		sort.Strings(ignoredHead)
		c.Notes = append(c.Notes, fmt.Sprintf("task head ignored: %d tensors (%s …)", len(ignoredHead), ignoredHead[0]))
	}
	c.Params = got
	return nil
}

// transpose returns the cols×rows transpose of the rows×cols row-major matrix a.
func transpose(a []float32, rows, cols int) []float32 {
	out := make([]float32, len(a))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			out[c*rows+r] = a[r*cols+c]
		}
	}
	return out
}

// NNConfig is the engine/nn configuration of the checkpoint's encoder with pooling.
func (c *Checkpoint) NNConfig(pooling string) (nn.Config, error) {
	a := dense.Arch{Preset: "custom", Pooling: pooling, Encoder: &c.Size}
	return a.NNConfig(c.Tok.VocabSize())
}

// Encoder builds the checkpoint's encoder with pooling ("cls" or "mean"; "" takes the
// folder's pooling, else "cls").
func (c *Checkpoint) Encoder(pooling string) (*nn.Encoder, error) {
	if pooling == "" {
		pooling = c.Pooling
	}
	if pooling == "" {
		pooling = "cls"
	}
	cfg, err := c.NNConfig(pooling)
	if err != nil {
		return nil, fmt.Errorf("hf: %s: %w", c.ModelDir, err)
	}
	enc, err := nn.NewEncoder(cfg, 0)
	if err != nil {
		return nil, fmt.Errorf("hf: %s: %w", c.ModelDir, err)
	}
	if err := c.CopyInto(enc); err != nil {
		return nil, err
	}
	return enc, nil
}

// CopyInto copies the checkpoint's tensors into enc, whose configuration must have the
// checkpoint's sizes (every tensor present with its size).
func (c *Checkpoint) CopyInto(enc *nn.Encoder) error {
	return CopyParams(c.Params, enc.Params(), c.ModelDir)
}

// CopyParams copies src (by engine/nn name) into dst; every dst tensor must be in src
// with its size. from names the source in errors.
func CopyParams(src map[string][]float32, dst []*nn.Param, from string) error {
	for _, p := range dst {
		w, ok := src[p.Name]
		if !ok {
			return fmt.Errorf("%s: tensor %s is missing", from, p.Name)
		}
		if len(w) != len(p.W) {
			return fmt.Errorf("%s: tensor %s has %d values, the encoder wants %d (shape %v)", from, p.Name, len(w), len(p.W), p.Shape)
		}
		copy(p.W, w)
	}
	return nil
}
