package nn

import (
	"math/rand"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. The benchmarks report CPU-seconds per
// op next to wall time because the 2-core build machine is shared: wall figures there
// measure contention as much as code.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// matmulFlops is the forward GEMM work of one batch: Q,K,V,O and the FFN on every
// token, plus QKᵀ and PV per sequence. Backward does twice that (dX and dW / dQ,dK,dV).
func matmulFlops(cfg Config, ids [][]int) float64 {
	var rows, sq float64
	for _, s := range ids {
		rows += float64(len(s))
		sq += float64(len(s) * len(s))
	}
	H, F := float64(cfg.Hidden), float64(cfg.FFN)
	perLayer := 2*rows*H*H*4 + 2*rows*H*F*2 + 2*sq*H*2
	return perLayer * float64(cfg.Layers)
}

func benchConfig(b *testing.B, preset string) Config {
	cfg, err := Preset(preset, 8192, 128)
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

// BenchmarkForwardBackward: one training example = 1 query + 1 positive + 29 hard
// negatives = 31 sequences of 128 tokens, forward and backward.
func BenchmarkForwardBackward(b *testing.B) {
	for _, preset := range []string{"tiny", "mini"} {
		b.Run(preset, func(b *testing.B) {
			cfg := benchConfig(b, preset)
			e, err := NewEncoder(cfg, 1)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewSource(1))
			ids := randIDs(rng, 31, 128, 128, cfg.Vocab)
			dOut := randSlice(rng, 31*cfg.Hidden)
			// One warm-up step sizes the encoder's scratch arena (steady-state training).
			if _, c, err := e.Forward(ids); err != nil || e.Backward(c, dOut) != nil {
				b.Fatal("warm-up failed")
			}
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				_, c, err := e.Forward(ids)
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Backward(c, dOut); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(b.N)/sec, "examples/s")
			b.ReportMetric(31*float64(b.N)/sec, "seq/s")
			b.ReportMetric(3*matmulFlops(cfg, ids)*float64(b.N)/sec/1e9, "GFLOP/s")
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// BenchmarkEncode: inference on 32 passages of 128 tokens.
func BenchmarkEncode(b *testing.B) {
	for _, preset := range []string{"tiny", "mini"} {
		b.Run(preset, func(b *testing.B) {
			cfg := benchConfig(b, preset)
			e, err := NewEncoder(cfg, 1)
			if err != nil {
				b.Fatal(err)
			}
			ids := randIDs(rand.New(rand.NewSource(2)), 32, 128, 128, cfg.Vocab)
			if _, err := e.Encode(ids); err != nil { // warm-up: sizes the scratch arena
				b.Fatal(err)
			}
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				if _, err := e.Encode(ids); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(32*float64(b.N)/sec, "passages/s")
			b.ReportMetric(matmulFlops(cfg, ids)*float64(b.N)/sec/1e9, "GFLOP/s")
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
