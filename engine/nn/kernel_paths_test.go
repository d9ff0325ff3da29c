package nn

import (
	"math/rand"
	"runtime"
	"testing"
)

// The encoder's finite-difference gradient and determinism tests, run again with each
// kernel family forced (GEMM micro-kernels and the vectorised element-wise ops), so
// every path the package can take on some CPU is checked end to end.
func TestEncoderAllPaths(t *testing.T) {
	tests := []struct {
		name string
		f    func(*testing.T)
	}{
		{"EncoderGrad", TestEncoderGrad}, {"EncoderGradHidden", TestEncoderGradHidden},
		{"EncoderTypesGrad", TestEncoderTypesGrad}, {"AttentionGrad", TestAttentionGrad},
		{"Determinism", TestDeterminism}, {"GOMAXPROCS", TestEncoderGOMAXPROCS},
	}
	for _, p := range allPaths {
		t.Run(p.String(), func(t *testing.T) {
			forcePath(t, p)
			for _, tc := range tests {
				t.Run(tc.name, tc.f)
			}
		})
	}
}

// Forward and Backward on a batch large enough for every parallel split (GEMM row
// panels, GELU chunks, LayerNorm row blocks) give bit-identical outputs and gradients
// with GOMAXPROCS = 1, 2 and 5.
func TestEncoderGOMAXPROCS(t *testing.T) {
	cfg, err := Preset("tiny", 64, 64)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(11))
	ids := randIDs(rng, 9, 20, 64, 64)
	dOut := randSlice(rng, 9*cfg.Hidden)
	run := func(procs int) ([]float32, [][]float32) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		e, err := NewEncoder(cfg, 7)
		if err != nil {
			t.Fatal(err)
		}
		out, c, err := e.Forward(ids)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Backward(c, dOut); err != nil {
			t.Fatal(err)
		}
		var g [][]float32
		for _, p := range e.Params() {
			g = append(g, p.G)
		}
		return out, g
	}
	out1, g1 := run(1)
	for _, procs := range []int{2, 5} {
		out, g := run(procs)
		assertSame(t, "output", out, out1)
		for i := range g {
			assertSame(t, "gradient", g[i], g1[i])
		}
	}
}
