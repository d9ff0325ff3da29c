package lab

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/cross"
	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/fusion"
	"github.com/arslab/arslab/engine/head"
)

// Explanation is one score broken into per-dimension terms: Score = Σ Terms + Bias.
type Explanation struct {
	Terms   []float64
	Bias    float64
	Score   float64
	Label   string // the whole formula, e.g. "s = Σᵢ vᵢ·tanh(q̂ᵢ·p̂ᵢ) + c"
	Formula string // how one term is made, e.g. "vᵢ·tanh(q̂ᵢ·p̂ᵢ)"
	Sigmoid bool   // σ(Score) reads as a [0,1] relevance (ARS)
}

// Explainer is a model that can break the score of one (query, passage) pair into its terms.
type Explainer interface {
	// Explain explains the score of passage (an index into the workspace's passages).
	Explain(query string, passage int) (Explanation, error)
}

// ModelSpecs describes the accepted --model values, for help texts and errors.
const ModelSpecs = "bm25, tfidf, a run folder (runs/NAME, holding config.json), a fusion such as fuse:rrf(k=60):bm25+tfidf or a reranking pipeline such as bm25>>runs/CE@100"

// Retriever opens the retriever named by spec: "bm25" (the workspace's index), "tfidf"
// (built on first use) or a run folder, encoded on the workspace's passages.
func (w *Workspace) Retriever(ctx context.Context, spec string, progress engine.Progress) (Model, error) {
	m, err := w.retriever(ctx, spec, progress)
	m.spec = spec
	return m, err
}

func (w *Workspace) retriever(ctx context.Context, spec string, progress engine.Progress) (Model, error) {
	switch strings.ToLower(strings.TrimSpace(spec)) {
	case "bm25":
		return Model{Name: w.BM25.Name(), Retriever: w.BM25}, nil
	case "tfidf", "tf-idf":
		tf, err := w.TFIDF(ctx, progress)
		if err != nil {
			return Model{}, err
		}
		return Model{Name: tf.Name(), Retriever: tf}, nil
	case "":
		return Model{}, fmt.Errorf("no model given: want %s", ModelSpecs)
	}
	if strings.Contains(spec, ">>") {
		return w.reranked(ctx, strings.TrimSpace(spec), progress)
	}
	if fusion.IsFusion(strings.TrimSpace(spec)) {
		return w.fused(ctx, strings.TrimSpace(spec), progress)
	}
	return w.OpenModel(ctx, spec, progress)
}

// OpenModel loads the run folder dir and encodes the workspace's passages with it. A
// reranking pipeline spec (bm25>>runs/CE@100) opens the pipeline, so the app's --model takes
// one; a cross-encoder run folder alone opens as bm25>>dir@RerankDepth.
func (w *Workspace) OpenModel(ctx context.Context, dir string, progress engine.Progress) (Model, error) {
	if strings.Contains(dir, ">>") {
		m, err := w.reranked(ctx, strings.TrimSpace(dir), progress)
		m.spec = dir
		return m, err
	}
	if err := checkRunDir(dir); err != nil {
		return Model{}, err
	}
	if cross.IsRun(dir) { // a cross-encoder alone reranks BM25's top RerankDepth
		m, err := w.reranked(ctx, RerankSpec("bm25", dir, RerankDepth), progress)
		m.spec = dir
		return m, err
	}
	m, err := dense.Load(dir)
	if err != nil {
		return Model{}, fmt.Errorf("model %s: %w", dir, err)
	}
	m.Window = w.window
	ix, err := m.Index(ctx, w.Data.Passages, progress)
	if err != nil {
		return Model{}, fmt.Errorf("model %s: encoding %s: %w", dir, w.Data.Name, err)
	}
	return Model{Name: m.Name(), Retriever: ix, Explainer: denseExplainer{ix}, Notice: RunNotice(dir)}, nil
}

// RunNotice warns when the run folder dir holds an unfinished training (its weights are
// those of the last checkpoint, not a finished model); "" for a finished run.
func RunNotice(dir string) string {
	st, err := ckpt.ReadState(dir)
	if err != nil || st.Finished {
		return ""
	}
	cmd := "train"
	if IsPretrainRun(dir) {
		cmd = "pretrain"
	}
	return fmt.Sprintf("warning: %s is an unfinished training (checkpoint at step %d of %d, epoch %d of %d done); "+
		"resume it with arslab %s --out %s --resume", filepath.Base(dir), st.Step, st.TotalSteps, st.Epoch,
		st.TotalSteps/max(st.StepsPerEpoch, 1), cmd, dir)
}

// checkRunDir says clearly when dir is not a run folder, listing what --model accepts.
func checkRunDir(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("unknown model %q: want %s", dir, ModelSpecs)
	case err != nil:
		return fmt.Errorf("model %s: %w", dir, err)
	case !info.IsDir():
		return fmt.Errorf("model %s is a file: want %s", dir, ModelSpecs)
	}
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err != nil {
		return fmt.Errorf("model %s is not a run folder (no config.json): want %s", dir, ModelSpecs)
	}
	return nil
}

// denseExplainer explains a dense index's scores with its head's kernel (ARS: the terms
// vᵢ·tanh(q̂ᵢ·p̂ᵢ); dot: qᵢ·pᵢ; cos: the products of the unit vectors).
type denseExplainer struct{ ix *dense.Index }

func (e denseExplainer) Explain(query string, passage int) (Explanation, error) {
	ex, ok := e.ix.Explain(query, passage)
	if !ok {
		return Explanation{}, fmt.Errorf("no passage %d in %s", passage, e.ix.Name())
	}
	return Explanation{Terms: ex.Terms, Bias: ex.Bias, Score: ex.Score, Label: ex.Label, Formula: ex.Term,
		Sigmoid: ex.Kind == head.ARS}, nil
}
