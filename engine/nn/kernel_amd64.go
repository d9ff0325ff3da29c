package nn

import "golang.org/x/sys/cpu"

// hasFMA is read-only after package init (a CPU property, not mutable state).
var hasFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func kern6x16(kc int, a, b *float32, c *[mr * nr]float32)

func kernel(kc int, ap, bp []float32, tile *[mr * nr]float32) {
	if hasFMA && kc > 0 {
		_ = ap[kc*mr-1]
		_ = bp[kc*nr-1]
		kern6x16(kc, &ap[0], &bp[0], tile)
		return
	}
	kernelGo(kc, ap, bp, tile)
}
