//go:build !unix

package atomicfile

// isUnsupported: folders cannot be fsynced outside unix; the error is expected.
func isUnsupported(error) bool { return true }
