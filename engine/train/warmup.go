package train

import "math"

// WarmupSteps is the number of linear warm-up steps of a run of total optimiser steps:
// ⌈cfg.Warmup·total⌉ (0 when cfg.Warmup is 0). The learning-rate schedule and the
// Training pane's collapse check both count warm-up with it.
func WarmupSteps(cfg Config, total int) int {
	return int(math.Ceil(cfg.Warmup * float64(total)))
}

// LinearSchedule is the learning rate at 1-based step of total: linear warm-up to lr over
// the first ⌈warmup·total⌉ steps, then linear decay (no step runs at lr 0). The
// fine-tuning trainer and engine/pretrain both follow it.
func LinearSchedule(lr, warmup float64, step, total int) float64 {
	warm := int(math.Ceil(warmup * float64(total)))
	if step <= warm {
		return lr * float64(step) / float64(warm)
	}
	return lr * float64(total-step+1) / float64(total-warm)
}
