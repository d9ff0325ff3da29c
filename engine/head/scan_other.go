//go:build !amd64

package head

func bestKernel(int) Kernel { return KernelGo }

func supported(k Kernel, _ int) bool { return k == KernelGo }

func arsScanAsm(Kernel, []float32, []float32, []float32, []float32, float32) {
	panic("head: no assembly kernel on this architecture")
}

func arsTermsAsm(Kernel, []float32, []float32, []float32, []float32) {
	panic("head: no assembly kernel on this architecture")
}
