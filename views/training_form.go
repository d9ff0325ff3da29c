package views

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
)

// field is one entry of the training form.
type field struct {
	label   string
	choices []string
	get     func(c *train.Config) string
	set     func(c *train.Config, s string) error
}

func formFields() []field {
	intField := func(label string, choices []string, ptr func(c *train.Config) *int, lo int) field {
		return field{label: label, choices: choices,
			get: func(c *train.Config) string { return strconv.Itoa(*ptr(c)) },
			set: func(c *train.Config, s string) error {
				v, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil || v < lo {
					return fmt.Errorf("%s: want an integer ≥ %d, got %q", label, lo, s)
				}
				*ptr(c) = v
				return nil
			}}
	}
	floatField := func(label string, choices []string, ptr func(c *train.Config) *float64) field {
		return field{label: label, choices: choices,
			get: func(c *train.Config) string { return strconv.FormatFloat(*ptr(c), 'g', -1, 64) },
			set: func(c *train.Config, s string) error {
				v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
				if err != nil || v <= 0 || math.IsInf(v, 0) {
					return fmt.Errorf("%s: want a positive number, got %q", label, s)
				}
				*ptr(c) = v
				return nil
			}}
	}
	enumField := func(label string, choices []string, ptr func(c *train.Config) *string) field {
		return field{label: label, choices: choices,
			get: func(c *train.Config) string { return *ptr(c) },
			set: func(c *train.Config, s string) error {
				s = strings.ToLower(strings.TrimSpace(s))
				for _, ch := range choices {
					if ch == s {
						*ptr(c) = s
						return nil
					}
				}
				return fmt.Errorf("%s: want one of %s, got %q", label, strings.Join(choices, ", "), s)
			}}
	}
	return []field{
		enumField("preset", []string{"tiny", "mini"}, func(c *train.Config) *string { return &c.Preset }),
		enumField("mode", []string{"dual", "shared"}, func(c *train.Config) *string { return &c.Mode }),
		enumField("pooling", []string{"cls", "mean"}, func(c *train.Config) *string { return &c.Pooling }),
		enumField("head", []string{"ars", "dot", "cos", "cross"}, func(c *train.Config) *string { return &c.Head }),
		{label: "losses",
			choices: []string{"infonce=1,dyn=0.5,reg=0.0001", "infonce=1", "infonce=1,dyn=0.5", "modinfonce=1,dyn=0.5,reg=0.0001", "modinfonce=1"},
			get:     func(c *train.Config) string { return lab.FormatLosses(c.Losses) },
			set: func(c *train.Config, s string) error {
				m, err := train.ParseLosses(s)
				if err != nil {
					return fmt.Errorf("losses: %w", err)
				}
				c.Losses = m
				return nil
			}},
		floatField("τ (tau)", []string{"0.02", "0.05", "0.1", "0.2", "1"}, func(c *train.Config) *float64 { return &c.Tau }),
		{label: "negatives", choices: []string{"hard:29", "hard:7", "hard:3", "inbatch", "both"},
			get: func(c *train.Config) string { return c.Negatives },
			set: func(c *train.Config, s string) error {
				if _, err := train.ParseNegatives(s); err != nil {
					return err
				}
				c.Negatives = strings.ToLower(strings.TrimSpace(s))
				return nil
			}},
		intField("epochs", []string{"1", "2", "3", "5", "10", "20"}, func(c *train.Config) *int { return &c.Epochs }, 1),
		intField("batch", []string{"4", "8", "16", "32", "64"}, func(c *train.Config) *int { return &c.Batch }, 1),
		floatField("lr", []string{"0.0001", "0.0002", "0.0005", "0.001", "0.002"}, func(c *train.Config) *float64 { return &c.LR }),
		intField("max_len", []string{"32", "64", "128", "256", "512"}, func(c *train.Config) *int { return &c.MaxLen }, 4),
		intField("pseudo/psg", []string{"0", "1", "2", "4"}, func(c *train.Config) *int { return &c.Pseudo }, 0),
		{label: "head init", choices: []string{"sym", "linear"},
			get: func(c *train.Config) string {
				if c.HeadInit == "" {
					return "sym"
				}
				return c.HeadInit
			},
			set: func(c *train.Config, s string) error {
				switch s = strings.ToLower(strings.TrimSpace(s)); s {
				case "sym", "":
					c.HeadInit = ""
				case "linear":
					c.HeadInit = s
				default:
					return fmt.Errorf("head init: want sym or linear, got %q", s)
				}
				return nil
			}},
		{label: "init", choices: []string{"none"},
			get: func(c *train.Config) string {
				if c.Init == "" {
					return "none"
				}
				return c.Init
			},
			set: func(c *train.Config, s string) error { return setInit(c, s) }},
	}
}

// setInit sets the checkpoint the encoders start from ("none" or "": from scratch): a
// Hugging Face folder, an arslab export or a run folder (runs/NAME), checked to exist here;
// the trainer reads it (train.ApplyInit) when the run starts.
func setInit(c *train.Config, s string) error {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "none") {
		c.Init = ""
		return nil
	}
	st, err := os.Stat(s)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("init: %s is not a folder (want a Hugging Face folder, an export or runs/NAME)", s)
	}
	c.Init = s
	return nil
}

// cycle moves the selected field to its previous/next preset choice.
func (p *trainingPane) cycle(d int) {
	f := p.fields[p.sel]
	cur := f.get(&p.cfg)
	i := -1
	for j, c := range f.choices {
		if c == cur {
			i = j
		}
	}
	switch {
	case i < 0 && d > 0:
		i = 0
	case i < 0:
		i = len(f.choices) - 1
	default:
		i = (i + d + len(f.choices)) % len(f.choices)
	}
	if err := f.set(&p.cfg, f.choices[i]); err != nil {
		p.a.fail(err)
	}
}

func (p *trainingPane) formView(w, h int) string {
	t := p.a.theme
	lines := []string{" " + t.Title.Render("Training config") + t.Muted.Render("  ↑↓ field · ←→ value · ⏎ edit")}
	lw := 10
	for i, f := range p.fields {
		val := f.get(&p.cfg)
		var line string
		switch {
		case i == p.sel && p.edit.Focused():
			p.edit.setWidth(max(w-lw-6, 4))
			line = t.Accent.Render("▸ ") + t.Text.Render(padRight(f.label, lw)) + " " + p.edit.View()
		case i == p.sel:
			line = t.Selected.Render(padRight("▸ "+padRight(f.label, lw)+" ‹ "+val+" ›", w-1))
		default:
			line = "  " + t.Muted.Render(padRight(f.label, lw)) + "   " + t.Text.Render(val)
		}
		lines = append(lines, line)
	}
	lines = append(lines, "")
	switch {
	case p.a.opts.ReadOnly:
		lines = append(lines, " "+t.Badge.Render(" READ-ONLY ")+" "+t.Muted.Render("training is disabled"))
	case p.a.opts.Engine == nil:
		lines = append(lines, " "+t.Warn.Render("training is not available in this build"))
	case p.running():
		lines = append(lines, " "+t.Accent.Render(p.spin.View()+" running")+t.Muted.Render(" · p pauses · x stops · f hides the form"))
	default:
		lines = append(lines, " "+t.Key.Render("s")+t.Muted.Render(" start  ")+t.Key.Render("p")+t.Muted.Render(" pause  ")+
			t.Key.Render("x")+t.Muted.Render(" stop  ")+t.Key.Render("f")+t.Muted.Render(" charts"))
		lines = append(lines, " "+t.Subtle.Render("x stops and keeps the checkpoint"))
	}
	return fitLines(lines, w, h)
}

func (p *trainingPane) introView(w, h int) string {
	t := p.a.theme
	var lines []string
	lines = append(lines, t.Title.Render("Live training"))
	d := p.a.ws.Data
	if d == nil {
		lines = append(lines, t.Muted.Render("Load a dataset first (pane 1)."))
		return fitLines(lines, w, h)
	}
	nTrain := len(d.Qrels[datasets.Train])
	para := fmt.Sprintf("Press s to train a %s %s-head retriever on %s (%d training queries, %d passages). "+
		"Runs are written to %s/.", p.cfg.Preset, p.cfg.Head, d.Name, nTrain, len(d.Passages), p.a.opts.RunsDir)
	for _, l := range wrap(para, w) {
		lines = append(lines, t.Text.Render(l))
	}
	lines = append(lines, "")
	more := "While it runs you see the total loss and every loss term, the mean sigmoid score of positives " +
		"against negatives (a gap that stays under 0.1 after warm-up is flagged as score collapse), " +
		"the learning rate, progress with examples/s and ETA, and dev metrics after each epoch. " +
		"When it ends the checkpoint is opened as a model for the Query and Metrics panes."
	for _, l := range wrap(more, w) {
		lines = append(lines, t.Muted.Render(l))
	}
	if nTrain == 0 {
		lines = append(lines, "", t.Warn.Render("This dataset has no train split: training will fail."))
	}
	return fitLines(lines, w, h)
}
