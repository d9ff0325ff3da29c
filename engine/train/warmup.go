package train

import "math"

// WarmupSteps is the number of linear warm-up steps of a run of total optimiser steps:
// ⌈cfg.Warmup·total⌉ (0 when cfg.Warmup is 0). The learning-rate schedule and the
// Training pane's collapse check both count warm-up with it.
func WarmupSteps(cfg Config, total int) int {
	return int(math.Ceil(cfg.Warmup * float64(total)))
}
