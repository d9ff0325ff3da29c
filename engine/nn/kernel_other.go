//go:build !amd64

package nn

func kernel(kc int, ap, bp []float32, tile *[mr * nr]float32) { kernelGo(kc, ap, bp, tile) }
