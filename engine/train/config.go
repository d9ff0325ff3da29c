// Package train trains dual encoders with a scoring head and emits progress events.
package train

import "time"

// Config is everything that defines a training run. It is saved as config.json in the run folder.
type Config struct {
	Preset       string             `json:"preset"`    // "tiny" | "mini"
	Mode         string             `json:"mode"`      // "dual" (two encoders) | "shared" (one encoder, query/passage prefix)
	Pooling      string             `json:"pooling"`   // "cls" | "mean"
	Head         string             `json:"head"`      // "ars" | "dot" | "cos"
	H            int                `json:"h"`         // ARS interaction size; 0 = encoder hidden size
	Losses       map[string]float64 `json:"losses"`    // term → weight: "infonce", "modinfonce", "dyn", "reg"
	Tau          float64            `json:"tau"`       // InfoNCE temperature
	LearnTau     bool               `json:"learn_tau"` // learn log τ
	Negatives    string             `json:"negatives"` // "hard:K" | "inbatch" | "both"
	Epochs       int                `json:"epochs"`
	Batch        int                `json:"batch"` // queries per step
	LR           float64            `json:"lr"`
	WeightDecay  float64            `json:"weight_decay"`
	Warmup       float64            `json:"warmup"`                  // fraction of steps for linear warm-up
	Clip         float64            `json:"clip"`                    // max global gradient norm; 0 = off
	MaxLen       int                `json:"max_len"`                 // tokens per text, [CLS]/[SEP] included
	Vocab        int                `json:"vocab"`                   // WordPiece vocabulary size when trained in-process
	TokenizerDir string             `json:"tokenizer_dir,omitempty"` // load vocab.txt/tokenizer.json from here instead
	Seed         int64              `json:"seed"`
	// Pseudo adds this many self-supervised pseudo-queries per passage (a random span of 4–12 of its
	// words, the passage as positive; ICT/Contriever-style cropping). Encoders trained from scratch
	// on a few hundred labelled pairs memorise their positives; cropped pairs teach matching itself.
	Pseudo int `json:"pseudo,omitempty"`
}

// EventKind says what an Event reports.
type EventKind int

// Event kinds.
const (
	StepEvent  EventKind = iota // one optimiser step finished
	EpochEvent                  // an epoch finished; Dev holds dev metrics
	DoneEvent                   // training ended (finished, cancelled or failed; see Err)
	InfoEvent                   // a human-readable message (e.g. "mining hard negatives with BM25")
)

// Event is one progress report from a running training. Views turn these into tea.Msg values.
type Event struct {
	Kind           EventKind
	Step           int // 1-based optimiser step
	TotalSteps     int
	Epoch          int // 1-based
	Epochs         int
	Loss           float64            // weighted total
	Terms          map[string]float64 // each loss term, unweighted
	PosScore       float64            // mean sigmoid score of positives in the step
	NegScore       float64            // mean sigmoid score of negatives in the step
	LR             float64
	ExamplesPerSec float64
	Elapsed        time.Duration
	Dev            map[string]float64 // EpochEvent: dev metrics (same keys as metrics results)
	Message        string
	Err            error // DoneEvent: nil on success, context.Canceled when stopped, else the failure
	RunDir         string
}
