package views

import (
	"context"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/pretrain"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/x/ansi"
)

// pretrainEngine is fakeEngine plus a real pre-training (engine/pretrain), shrunk to the
// fixture's 12 passages.
type pretrainEngine struct {
	fakeEngine
	got *pretrain.Config
}

func (e pretrainEngine) Pretrain(ctx context.Context, w *lab.Workspace, cfg pretrain.Config, out string) *lab.Job {
	*e.got = cfg
	cfg.Vocab, cfg.MaxLen, cfg.Batch, cfg.Steps, cfg.BM25K, cfg.BM25Q = 200, 32, 4, 4, 4, 2
	return w.Pretrain(ctx, cfg, out, false)
}

// TestPretrainFromTrainingPane: P pre-trains on the open dataset's passages with the form's
// architecture; the pane draws one curve per objective (weighted as the objectives are)
// and no score-collapse warning.
func TestPretrainFromTrainingPane(t *testing.T) {
	var got pretrain.Config
	a := newTestApp(t, Options{Engine: pretrainEngine{got: &got}, RunsDir: t.TempDir()})
	drive(a, kp("2"), kp("P"))
	if got.Head != "ars" || got.Mode != "dual" || got.Pooling != "cls" || got.Preset != "tiny" || got.Seed != 42 {
		t.Errorf("pre-training config from the form: %+v", got)
	}
	r := a.training.run
	if r == nil || !r.done || r.err != nil {
		t.Fatalf("run %+v", r)
	}
	for _, k := range []string{pretrain.MLM, pretrain.Crop, pretrain.BM25} {
		if h, ok := r.terms[k]; !ok || len(h.values()) != 4 {
			t.Errorf("term %s: %v", k, r.terms[k])
		}
	}
	if got := r.loss.values(); len(got) != 4 || !(got[0] > 0) {
		t.Errorf("loss history %v", got)
	}
	v := ansi.Strip(a.View())
	for _, want := range []string{"mlm", "crop", "bm25", "step 4/4", "bm25=1,crop=1,mlm=1"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "score collapse") {
		t.Errorf("collapse warning on a pre-training:\n%s", v)
	}
}
