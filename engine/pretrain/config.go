// Package pretrain pre-trains a dense retriever's encoder on the passages of one or more
// datasets — never their questions or judgements — for when no pre-trained checkpoint
// exists. Three objectives can be mixed with weights:
//
//   - mlm: BERT's masked-language modelling. 15 % of each passage's word pieces (specials
//     excluded) are chosen; of those 80 % become [MASK], 10 % a random piece, 10 % stay.
//     An MLM head (dense H×H + GELU + LayerNorm, decoder tied to the token embeddings plus
//     an output bias) predicts the original pieces; the loss is the mean cross-entropy over
//     the chosen positions (mlm.go).
//   - crop: a contrastive objective on the passages themselves: two views of a passage —
//     independent random crops (Contriever) or one sentence against the rest of its
//     passage (inverse cloze, ICT) — are a positive pair; the other passages' views in the
//     batch are negatives; InfoNCE at temperature τ on the head's scores (crop.go).
//   - bm25: learn from BM25 (the idea of SPAR's Λ): a pseudo-query sampled from a passage
//     (a random span of its words, or its most salient words by idf), BM25's top-k over the
//     whole corpus as the teacher distribution softmax(score/T), and the loss
//     KL(teacher ‖ student), the student being softmax(s/τ) of the dense model's scores
//     over the same k passages (bm25.go).
//
// The dense side is the lab's: engine/dense's Model (tokenizer, shared or dual encoders,
// dot/cos/ARS head), scored here by a hand-differentiated copy of the head's formula
// (score.go). The run folder is a normal lab run folder that dense.Load reads:
// config.json (the dense.Arch fields, and the pre-training settings beside them),
// vocab.txt, and ckpt-NNNNNN/ checkpoints behind the latest pointer (engine/ckpt). The
// MLM head's tensors ("mlm.*") go into the checkpoint's optimizer file with the AdamW
// moments, so a resume is exact while model.safetensors holds exactly the tensors
// dense.Load expects.
package pretrain

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/head"
)

// Objective names.
const (
	MLM  = "mlm"
	Crop = "crop"
	BM25 = "bm25"
)

// Kind is config.json's "kind" for a pre-training run (fine-tuning runs have none).
const Kind = "pretrain"

// Crop views.
const (
	ViewCrop = "crop" // two independent random crops (Contriever)
	ViewICT  = "ict"  // a sentence vs the rest of its passage
	ViewBoth = "both" // ICT for passages of ≥ 2 sentences on even steps, crops otherwise
)

// Config defines a pre-training run; it is saved as config.json. The first eight fields
// are dense.Arch's, under the same JSON names, so dense.Load reads the run folder.
type Config struct {
	Kind    string  `json:"kind"`    // always Kind
	Preset  string  `json:"preset"`  // "tiny" | "mini"
	Mode    string  `json:"mode"`    // "shared" | "dual"
	Pooling string  `json:"pooling"` // "mean" | "cls"
	Head    string  `json:"head"`    // "dot" | "cos" | "ars"
	H       int     `json:"h"`       // ARS interaction size; 0 = hidden size
	Tau     float64 `json:"tau"`     // student temperature of crop and bm25 (logits s/τ)
	MaxLen  int     `json:"max_len"`
	Seed    int64   `json:"seed"`

	Objectives  map[string]float64 `json:"objectives"` // mlm, crop, bm25 → weight
	MaskProb    float64            `json:"mask_prob"`  // share of pieces MLM predicts (0.15)
	View        string             `json:"view"`       // crop views: crop | ict | both
	BM25K       int                `json:"bm25_k"`     // teacher list length
	BM25T       float64            `json:"bm25_t"`     // teacher temperature
	BM25Q       int                `json:"bm25_queries"`
	BM25Salient float64            `json:"bm25_salient"` // share of pseudo-queries made of salient words (the rest are spans)

	Epochs       int     `json:"epochs"`
	Steps        int     `json:"steps,omitempty"` // > 0: stop after this many steps (and schedule the LR over them)
	Batch        int     `json:"batch"`           // passages per step
	LR           float64 `json:"lr"`
	WeightDecay  float64 `json:"weight_decay"`
	Warmup       float64 `json:"warmup"`
	Clip         float64 `json:"clip"`
	Vocab        int     `json:"vocab"`
	TokenizerDir string  `json:"tokenizer_dir,omitempty"`
	// Data names the datasets whose passages are pre-trained on (as given to --data; a
	// resume without --data reads them again from here). Run itself takes the passages.
	Data []string `json:"data,omitempty"`
}

// DefaultConfig: tiny shared encoder, mean pooling, dot head, mlm=1,crop=1,bm25=1,
// 15 % masking, crops and ICT, BM25 top-16 at T = 1 for 4 pseudo-queries a step,
// batch 16, lr 5e-4, 1 epoch.
func DefaultConfig() Config {
	return Config{
		Kind: Kind, Preset: "tiny", Mode: "shared", Pooling: "mean", Head: head.Dot, Tau: 0, MaxLen: 128, Seed: 42,
		Objectives: map[string]float64{MLM: 1, Crop: 1, BM25: 1},
		MaskProb:   0.15, View: ViewBoth, BM25K: 16, BM25T: 1, BM25Q: 4, BM25Salient: 0.5,
		Epochs: 1, Batch: 16, LR: 5e-4, WeightDecay: 0.01, Warmup: 0.05, Clip: 1, Vocab: 8000,
	}
}

// DefaultTau is the student temperature when Config.Tau is 0: 1 for the unbounded dot
// product (mean-pooled, LayerNormed vectors score in the tens), 0.05 for cos and ARS.
func DefaultTau(headKind string) float64 {
	if headKind == head.Dot {
		return 1
	}
	return 0.05
}

// Arch is the model part of the configuration (what dense.Load reads back).
func (c Config) Arch() dense.Arch {
	tau := c.Tau
	if tau == 0 {
		tau = DefaultTau(c.Head)
	}
	return dense.Arch{Preset: c.Preset, Mode: c.Mode, Pooling: c.Pooling, Head: c.Head, H: c.H, Tau: tau, MaxLen: c.MaxLen, Seed: c.Seed}
}

// Validate reports the first problem in c with a message naming the field.
func (c Config) Validate() error {
	if c.Kind != Kind {
		return fmt.Errorf("kind %q: want %q", c.Kind, Kind)
	}
	if err := c.Arch().Validate(); err != nil {
		return err
	}
	if len(c.Objectives) == 0 {
		return fmt.Errorf("objectives: none given (want some of mlm, crop, bm25)")
	}
	any := false
	for k, w := range c.Objectives {
		if k != MLM && k != Crop && k != BM25 {
			return fmt.Errorf("objectives: unknown objective %q (want mlm, crop or bm25)", k)
		}
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("objectives: %s weight %g must be a number ≥ 0", k, w)
		}
		any = any || w > 0
	}
	switch {
	case !any:
		return fmt.Errorf("objectives: every weight is 0")
	case c.Tau < 0 || math.IsNaN(c.Tau) || math.IsInf(c.Tau, 0):
		return fmt.Errorf("tau %g: must be > 0 (or 0 for the head's default)", c.Tau)
	case !(c.MaskProb > 0 && c.MaskProb < 1):
		return fmt.Errorf("mask_prob %g: must be in (0, 1)", c.MaskProb)
	case c.View != ViewCrop && c.View != ViewICT && c.View != ViewBoth:
		return fmt.Errorf("view %q: want crop, ict or both", c.View)
	case c.BM25K < 2:
		return fmt.Errorf("bm25_k %d: must be ≥ 2", c.BM25K)
	case !(c.BM25T > 0) || math.IsInf(c.BM25T, 0):
		return fmt.Errorf("bm25_t %g: must be a positive number", c.BM25T)
	case c.BM25Q < 1:
		return fmt.Errorf("bm25_queries %d: must be ≥ 1", c.BM25Q)
	case !(c.BM25Salient >= 0 && c.BM25Salient <= 1):
		return fmt.Errorf("bm25_salient %g: must be in [0, 1]", c.BM25Salient)
	case c.Epochs < 1:
		return fmt.Errorf("epochs %d: must be ≥ 1", c.Epochs)
	case c.Steps < 0:
		return fmt.Errorf("steps %d: must be ≥ 0 (0 = epochs decide)", c.Steps)
	case c.Batch < 2:
		return fmt.Errorf("batch %d: must be ≥ 2 passages per step", c.Batch)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("lr %g: must be a positive number", c.LR)
	case c.WeightDecay < 0 || math.IsNaN(c.WeightDecay):
		return fmt.Errorf("weight_decay %g: must be ≥ 0", c.WeightDecay)
	case !(c.Warmup >= 0 && c.Warmup < 1):
		return fmt.Errorf("warmup %g: must be a fraction in [0, 1)", c.Warmup)
	case c.Clip < 0 || math.IsNaN(c.Clip):
		return fmt.Errorf("clip %g: must be ≥ 0 (0 = off)", c.Clip)
	case c.TokenizerDir == "" && c.Vocab < 16:
		return fmt.Errorf("vocab %d: must be ≥ 16 when the tokenizer is trained", c.Vocab)
	}
	return nil
}

// weight is an objective's weight (0 when absent).
func (c Config) weight(name string) float64 { return c.Objectives[name] }

// ParseObjectives parses "mlm=1,crop=0.5,bm25" (a name without =W weighs 1).
func ParseObjectives(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		name, val, has := strings.Cut(f, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != MLM && name != Crop && name != BM25 {
			return nil, fmt.Errorf("objective %q: want mlm, crop or bm25", name)
		}
		w := 1.0
		if has {
			var err error
			if w, err = strconv.ParseFloat(strings.TrimSpace(val), 64); err != nil || w < 0 || math.IsInf(w, 0) || math.IsNaN(w) {
				return nil, fmt.Errorf("objective %s: weight %q is not a number ≥ 0", name, val)
			}
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("objective %s given twice", name)
		}
		out[name] = w
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no objectives in %q (want e.g. mlm=1,crop=1,bm25=1)", s)
	}
	return out, nil
}

// FormatObjectives writes weights as ParseObjectives reads them, in a fixed order.
func FormatObjectives(m map[string]float64) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return rank(names[i]) < rank(names[j]) })
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = k + "=" + strconv.FormatFloat(m[k], 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

func rank(name string) int {
	switch name {
	case MLM:
		return 0
	case Crop:
		return 1
	case BM25:
		return 2
	}
	return 3
}
