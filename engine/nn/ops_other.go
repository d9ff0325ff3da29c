//go:build !amd64

package nn

func gelu32Vec(u, out, d []float32) int { return 0 }

func softmaxRowVec(row []float32) bool { return false }

func addVec(dst, src []float32) int { return 0 }

func mulVec(dst, src []float32) int { return 0 }

func scaleVec(dst, src []float32, alpha float32) int { return 0 }

func layerNormRowVec(xr, g, b, yr, xh []float32, rstd *float32, eps float64) bool { return false }

func layerNormBackRowVec(dyr, xh, g, dxr, dg, db []float32, rs float64) bool { return false }

func softmaxBackRowVec(p, dp []float32) bool { return false }
