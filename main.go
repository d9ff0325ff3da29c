// Command arslab trains, evaluates and inspects small dense text retrievers (ARS Lab).
package main

import (
	"os"

	"github.com/arslab/arslab/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
