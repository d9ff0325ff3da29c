package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/nn"
	"github.com/arslab/arslab/engine/text"
	"github.com/arslab/arslab/engine/tok"
)

// Run folder file names.
const (
	ConfigFile    = "config.json"
	WeightsFile   = "model.safetensors"
	OptimizerFile = "optimizer.safetensors"
	StateFile     = "state.json"
	MetricsFile   = "metrics.jsonl"
)

// model is the trainable state: tokenizer, one or two encoders and the head.
type model struct {
	cfg  Config
	tok  *tok.Tokenizer
	encQ *nn.Encoder
	encP *nn.Encoder // == encQ in shared mode
	head *head.Head
}

func validate(c Config) error {
	switch {
	case c.Preset != "tiny" && c.Preset != "mini":
		return fmt.Errorf("preset %q: want tiny or mini", c.Preset)
	case c.Mode != "dual" && c.Mode != "shared":
		return fmt.Errorf("mode %q: want dual or shared", c.Mode)
	case c.Pooling != "cls" && c.Pooling != "mean":
		return fmt.Errorf("pooling %q: want cls or mean", c.Pooling)
	case c.Head != head.ARS && c.Head != head.Dot && c.Head != head.Cos:
		return fmt.Errorf("head %q: want ars, dot or cos", c.Head)
	case c.H < 0:
		return fmt.Errorf("h %d: must be ≥ 0 (0 = encoder hidden size)", c.H)
	case c.H == 1:
		return errors.New("h 1: the ARS interaction size must be ≥ 2")
	case !(c.Tau > 0) || math.IsInf(c.Tau, 0):
		return fmt.Errorf("tau %g: must be a positive number", c.Tau)
	case c.LearnTau && (c.Tau < head.MinTau || c.Tau > head.MaxTau):
		return fmt.Errorf("tau %g: a learned τ starts inside [%g, %g]", c.Tau, head.MinTau, head.MaxTau)
	case c.Epochs < 1:
		return fmt.Errorf("epochs %d: must be ≥ 1", c.Epochs)
	case c.Batch < 2:
		return fmt.Errorf("batch %d: must be ≥ 2 queries per step", c.Batch)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("lr %g: must be a positive number", c.LR)
	case c.WeightDecay < 0 || math.IsNaN(c.WeightDecay):
		return fmt.Errorf("weight_decay %g: must be ≥ 0", c.WeightDecay)
	case !(c.Warmup >= 0 && c.Warmup < 1):
		return fmt.Errorf("warmup %g: must be a fraction in [0, 1)", c.Warmup)
	case c.Clip < 0 || math.IsNaN(c.Clip):
		return fmt.Errorf("clip %g: must be ≥ 0 (0 = off)", c.Clip)
	case c.MaxLen < 4:
		return fmt.Errorf("max_len %d: must be ≥ 4 tokens", c.MaxLen)
	case c.TokenizerDir == "" && c.Vocab < 16:
		return fmt.Errorf("vocab %d: must be ≥ 16 when the tokenizer is trained", c.Vocab)
	}
	if len(c.Losses) == 0 {
		return errors.New("losses: none given (want some of infonce, modinfonce, dyn, reg)")
	}
	scoring := false
	for name, w := range c.Losses {
		if !knownLoss(name) {
			return fmt.Errorf("losses: unknown term %q (want infonce, modinfonce, dyn, reg)", name)
		}
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("losses: %s weight %g must be a number ≥ 0", name, w)
		}
		if name != "reg" && w > 0 {
			scoring = true
		}
	}
	if !scoring {
		return errors.New("losses: need a positive weight on infonce, modinfonce or dyn")
	}
	if _, err := ParseNegatives(c.Negatives); err != nil {
		return err
	}
	return nil
}

// newModel builds fresh encoders and head for cfg around tk.
func newModel(cfg Config, tk *tok.Tokenizer) (*model, error) {
	ncfg, err := nn.Preset(cfg.Preset, tk.VocabSize(), cfg.MaxLen)
	if err != nil {
		return nil, err
	}
	ncfg.Pooling = cfg.Pooling
	m := &model{cfg: cfg, tok: tk}
	if m.encQ, err = nn.NewEncoder(ncfg, cfg.Seed); err != nil {
		return nil, fmt.Errorf("query encoder: %w", err)
	}
	m.encP = m.encQ
	if cfg.Mode == "dual" {
		if m.encP, err = nn.NewEncoder(ncfg, cfg.Seed+1); err != nil {
			return nil, fmt.Errorf("passage encoder: %w", err)
		}
	}
	if m.head, err = head.New(cfg.Head, ncfg.Hidden, cfg.H, cfg.Tau, cfg.Seed+2); err != nil {
		return nil, err
	}
	return m, nil
}

// params lists every tensor under its checkpoint name (encoders prefixed "query.",
// "passage." or "encoder."; head tensors "head.*"). W and G alias the live slices.
// withFrozen adds head.log_tau even when τ is not learned.
func (m *model) params(withFrozen bool) []*nn.Param {
	var ps []*nn.Param
	add := func(prefix string, src []*nn.Param) {
		for _, p := range src {
			ps = append(ps, &nn.Param{Name: prefix + p.Name, Shape: p.Shape, W: p.W, G: p.G, NoDecay: p.NoDecay})
		}
	}
	if m.cfg.Mode == "dual" {
		add("query.", m.encQ.Params())
		add("passage.", m.encP.Params())
	} else {
		add("encoder.", m.encQ.Params())
	}
	for _, p := range m.head.Params() {
		if p.Name == "head.log_tau" && !m.cfg.LearnTau && !withFrozen {
			continue
		}
		ps = append(ps, &nn.Param{Name: p.Name, Shape: p.Shape, W: p.W, G: p.G, NoDecay: p.NoDecay})
	}
	return ps
}

func toTensors(ps []*nn.Param) []Tensor {
	ts := make([]Tensor, len(ps))
	for i, p := range ps {
		ts[i] = Tensor{Name: p.Name, Shape: p.Shape, Data: p.W}
	}
	return ts
}

// setWeights copies tensors into ps by name; every param must be present with its shape.
func setWeights(ps []*nn.Param, ts []Tensor, file string) error {
	byName := make(map[string]Tensor, len(ts))
	for _, t := range ts {
		byName[t.Name] = t
	}
	for _, p := range ps {
		t, ok := byName[p.Name]
		if !ok {
			return fmt.Errorf("%s: tensor %s is missing", file, p.Name)
		}
		if len(t.Data) != len(p.W) {
			return fmt.Errorf("%s: tensor %s has %d values, the model wants %d (shape %v)", file, p.Name, len(t.Data), len(p.W), p.Shape)
		}
		copy(p.W, t.Data)
	}
	return nil
}

// queryIDs tokenises a query; passageIDs a passage (title + text).
func (m *model) queryIDs(q string) []int {
	prefix := ""
	if m.cfg.Mode == "shared" {
		prefix = tok.QueryToken
	}
	return m.tok.Encode(normalize(q), prefix, m.cfg.MaxLen)
}

func (m *model) passageIDs(title, body string) []int {
	prefix := ""
	if m.cfg.Mode == "shared" {
		prefix = tok.PassageToken
	}
	s := body
	if title != "" {
		s = title + " " + body
	}
	return m.tok.Encode(normalize(s), prefix, m.cfg.MaxLen)
}

func normalize(s string) string {
	return text.Normalize(s, text.Detect(s), text.DefaultOptions())
}

// load reads a run folder.
func load(dir string) (*Model, error) {
	cfgPath := filepath.Join(dir, ConfigFile)
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	var cfg Config
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("load model: %s: %w", cfgPath, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("load model: %s: %w", cfgPath, err)
	}
	tk, err := tok.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("load model: tokenizer in %s: %w", dir, err)
	}
	m, err := newModel(cfg, tk)
	if err != nil {
		return nil, fmt.Errorf("load model: %s: %w", cfgPath, err)
	}
	wPath := filepath.Join(dir, WeightsFile)
	wb, err := os.ReadFile(wPath)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	ts, _, err := DecodeSafetensors(wb)
	if err != nil {
		return nil, fmt.Errorf("load model: %s: %w", wPath, err)
	}
	if err := setWeights(m.params(true), ts, wPath); err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	return &Model{dir: dir, cfg: cfg, m: m}, nil
}

// isRunDir reports whether dir already holds a checkpoint.
func isRunDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, WeightsFile))
	return err == nil
}

// configDiff names the fields where a and b differ (for resume errors).
func configDiff(a, b Config) string {
	var ma, mb map[string]any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	var diff []string
	for k, va := range ma {
		x, _ := json.Marshal(va)
		y, _ := json.Marshal(mb[k])
		if string(x) != string(y) {
			diff = append(diff, fmt.Sprintf("%s (%s vs %s)", k, x, y))
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			diff = append(diff, k)
		}
	}
	return strings.Join(diff, ", ")
}
