package train

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"syscall"
	"testing"
)

// BenchmarkTrainMemory: b.N optimiser steps of the default configuration (tiny preset,
// ARS head, hard:29, AdamW) at batch 2 — 2 queries × (1 positive + 29 hard negatives)
// + the 2 queries = 62 sequences, passages of 128 tokens — and at the default batch 8
// (248 sequences), with the training entry point's GC settings (memoryTarget). It
// reports the process's peak RSS (getrusage ru_maxrss), so run ONE sub-benchmark per
// process: -run '^$' -bench 'TrainMemory/batch=2'. Also the largest live heap seen after
// a step (runtime/metrics /gc/heap/live:bytes, the heap marked live by the last GC).
func BenchmarkTrainMemory(b *testing.B) {
	for _, batch := range []int{2, 8} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) { trainMemory(b, batch) })
	}
}

func trainMemory(b *testing.B, batchSize int) {
	restore := memoryTarget()
	defer restore()
	cfg := DefaultConfig()
	cfg.Batch, cfg.Vocab = batchSize, 1000
	tr := newTrainer(context.Background(), cfg, synthDataset(batchSize, 64+30*batchSize), b.TempDir(), nil)
	if err := tr.setup(false); err != nil {
		b.Fatal(err)
	}
	batch := tr.examples[:batchSize]
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peakLive uint64
	b.ResetTimer()
	for range b.N {
		if _, err := tr.step(batch); err != nil {
			b.Fatal(err)
		}
		metrics.Read(live)
		peakLive = max(peakLive, live[0].Value.Uint64())
	}
	b.StopTimer()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ru.Maxrss)/1024, "peakRSS-MB") // ru_maxrss is in KiB on Linux
	b.ReportMetric(float64(peakLive)/(1<<20), "peakLive-MB")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heapSys-MB")
	b.ReportMetric(float64(batchSize*b.N)/b.Elapsed().Seconds(), "examples/s")
}
