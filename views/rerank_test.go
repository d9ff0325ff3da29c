package views

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/cross"
	"github.com/arslab/arslab/lab"
)

// A reranking pipeline as the current model: the Query pane shows each hit's first-stage
// rank and move, BM25 beside it, and the selected hit's token saliency.
func TestQueryPaneReranked(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny cross-encoder")
	}
	d := tinyData()
	cfg := cross.DefaultConfig()
	cfg.MaxLen, cfg.MaxQuery, cfg.Vocab, cfg.Negatives, cfg.Epochs, cfg.Batch = 48, 16, 300, 2, 1, 2
	dir := filepath.Join(t.TempDir(), "ce")
	if err := cross.Run(context.Background(), cfg, d, dir, nil); err != nil {
		t.Fatal(err)
	}
	w, err := lab.New(context.Background(), d, lab.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := w.OpenModel(context.Background(), "bm25>>"+dir+"@5", nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Models = []lab.Model{m}
	a := newTestApp(t, Options{Workspace: w})
	a.query.in.SetValue("what is the capital of France")
	a.query.searchNow()
	out := a.query.view(140, 40)
	t.Log("\n" + out)
	for _, want := range []string{"was ", "BM25", "gradient × input", "raise:", "query", "passage"} {
		if !strings.Contains(out, want) {
			t.Fatalf("Query pane lacks %q:\n%s", want, out)
		}
	}
}
