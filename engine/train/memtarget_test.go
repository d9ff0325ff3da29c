package train

import (
	"runtime/debug"
	"testing"
)

// TestMemoryTarget: a run sets GOGC to TrainGCPercent and restores the previous value;
// a GOGC from the environment is left alone.
func TestMemoryTarget(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	old := debug.SetGCPercent(150)
	defer debug.SetGCPercent(old)
	restore := memoryTarget()
	if got := debug.SetGCPercent(TrainGCPercent); got != TrainGCPercent {
		t.Errorf("during a run GOGC = %d, want %d", got, TrainGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("after a run GOGC = %d, want 150 restored", got)
	}
	t.Setenv("GOGC", "300")
	memoryTarget()()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("with GOGC=300 in the environment the run changed GOGC to %d", got)
	}
}
