package views

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/pretrain"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Pre-training from the Training pane: P pre-trains an encoder on the open dataset's
// passages (mlm + crop + bm25, engine/pretrain's defaults, the form's preset, mode,
// pooling, max length and seed; the ARS head when the form has it, else dot). The run's
// events are a training's, so the pane draws its live curves, one per objective.

// pretrainer is the part of the engine that pre-trains (lab.Service has it).
type pretrainer interface {
	Pretrain(ctx context.Context, w *lab.Workspace, cfg pretrain.Config, out string) *lab.Job
}

var pretrainKey = key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "pre-train on the passages"))

// pretrainConfig is the pre-training the form's settings ask for.
func pretrainConfig(c train.Config) pretrain.Config {
	cfg := pretrain.DefaultConfig()
	cfg.Preset, cfg.Mode, cfg.Pooling, cfg.MaxLen, cfg.Seed = c.Preset, c.Mode, c.Pooling, c.MaxLen, c.Seed
	if c.Head == head.ARS {
		cfg.Head, cfg.H = head.ARS, c.H
	}
	return cfg
}

// paneConfig shows a pre-training in the pane's terms: the objectives as loss terms (each
// curve drawn times its weight) and warm-up over the whole run, which keeps the score-
// collapse check off: the σ panel shows the crop objective's mean softmax probability of
// the positive against a negative, not a relevance score.
func paneConfig(c pretrain.Config) train.Config {
	return train.Config{Preset: c.Preset, Mode: c.Mode, Pooling: c.Pooling, Head: c.Head, H: c.H, Tau: c.Arch().Tau,
		Losses: c.Objectives, Negatives: "passages", Epochs: c.Epochs, Batch: c.Batch, LR: c.LR, Warmup: 1, MaxLen: c.MaxLen, Seed: c.Seed}
}

func (p *trainingPane) startPretrain() tea.Cmd {
	a := p.a
	if !p.canTrain("a training is already running (x stops it)") {
		return nil
	}
	eng, ok := a.opts.Engine.(pretrainer)
	if !ok {
		a.setStatus(lvlWarn, "pre-training is not available in this build")
		return nil
	}
	cfg := pretrainConfig(p.cfg)
	name := fmt.Sprintf("%s-%s-pretrain", a.now().Format("20060102-150405"), cfg.Preset)
	dir := filepath.Join(a.opts.RunsDir, name)
	p.gen++
	r := newRun(paneConfig(cfg))
	r.gen, r.dir, r.running = p.gen, dir, true
	r.job = eng.Pretrain(context.Background(), a.ws, cfg, dir)
	p.live.Store(r.job)
	p.run = r
	p.show = false
	p.status("pre-training %s/%s on the passages of %s (%s) → %s", cfg.Preset, cfg.Head, a.ws.Data.Name,
		pretrain.FormatObjectives(cfg.Objectives), shortPath(dir, 60))
	return tea.Batch(p.spin.Tick, waitTrain(p.gen, r.job))
}
