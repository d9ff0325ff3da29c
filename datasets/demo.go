package datasets

import (
	"embed"
	"fmt"
)

// demoFiles holds the built-in BEIR folder demo/ (corpus, queries, qrels, hard negatives).
//
//go:embed demo
var demoFiles embed.FS

// Demo loads the embedded multilingual demo set through the BEIR loader.
// Each call returns a fresh, independent dataset.
func Demo() (*Dataset, error) {
	d, err := LoadFS(demoFiles, "demo")
	if err != nil {
		return nil, fmt.Errorf("datasets: embedded demo: %w", err)
	}
	d.Name = "demo"
	d.Source = "embedded:demo"
	return d, nil
}
