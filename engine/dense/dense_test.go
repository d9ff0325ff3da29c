package dense

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/ckpt"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/tok"
)

var passages = []datasets.Passage{
	{ID: "p0", Title: "Volcano", Text: "magma rises and the volcano erupts with hot lava"},
	{ID: "p1", Text: "the penguin is a flightless bird living in antarctica"},
	{ID: "p2", Text: "a violin has four strings and plays classical music"},
	{ID: "p3", Text: "camels cross the sandy desert carrying water"},
	{ID: "p4", Text: "roasted coffee beans are ground to brew coffee"},
	{ID: "p5", Text: "the glacier ice melts slowly in the warm summer"},
}

// newModel builds an untrained model of the given head over a tokenizer trained on passages.
func newModel(t *testing.T, kind, mode string) *Model {
	t.Helper()
	var texts []string
	for _, p := range passages {
		texts = append(texts, Normalize(p.Title+" "+p.Text))
	}
	tk, err := tok.Train(texts, 120)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(Arch{Preset: "tiny", Mode: mode, Pooling: "mean", Head: kind, H: 16, Tau: 0.1, MaxLen: 16, Seed: 3}, tk)
	if err != nil {
		t.Fatal(err)
	}
	if kind == head.ARS { // move the biases off 0 so c and b matter
		for i := range m.Head.Bq {
			m.Head.Bq[i], m.Head.Bp[i] = 0.05*float32(i%3), -0.03*float32(i%5)
		}
		m.Head.C[0] = 0.25
	}
	m.Dir = filepath.Join(t.TempDir(), "run-"+kind)
	return m
}

// TestSearchRerankExplainAgree: for every head, Search, Rerank and Explain score
// with the same kernel: same ranking and scores, Explain's Σ terms + bias = its score
// ≈ the hit's score, and the head's own label.
func TestSearchRerankExplainAgree(t *testing.T) {
	for _, kind := range []string{head.ARS, head.Dot, head.Cos} {
		m := newModel(t, kind, "shared")
		ix, err := m.Index(context.Background(), passages, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ix.Len() != len(passages) || ix.Name() != "run-"+kind {
			t.Errorf("%s: Len %d Name %q", kind, ix.Len(), ix.Name())
		}
		const q = "hot lava from a volcano"
		hits := ix.Search(q, 100)
		if len(hits) != len(passages) {
			t.Fatalf("%s: %d hits, want %d", kind, len(hits), len(passages))
		}
		all := make([]int, len(passages))
		for i := range all {
			all[len(all)-1-i] = i
		}
		rr := ix.Rerank(q, append(all, -1, 99))
		label, _ := m.Head.Formula()
		for i, h := range hits {
			if i > 0 && h.Score > hits[i-1].Score {
				t.Errorf("%s: hits not sorted at %d", kind, i)
			}
			if rr[i].Index != h.Index || rr[i].Score != h.Score {
				t.Errorf("%s rank %d: Search %d (%.7f), Rerank %d (%.7f)", kind, i, h.Index, h.Score, rr[i].Index, rr[i].Score)
			}
			if h.Prob != m.Head.Prob(h.Score) {
				t.Errorf("%s: Prob %g, want head.Prob(score)", kind, h.Prob)
			}
			ex, ok := ix.Explain(q, h.Index)
			if !ok || ex.Label != label || len(ex.Terms) != m.Head.ProjDim() {
				t.Fatalf("%s: Explain = %+v, %v", kind, ex, ok)
			}
			sum := ex.Bias
			for _, v := range ex.Terms {
				sum += v
			}
			if sum != ex.Score || math.Abs(ex.Score-h.Score) > 1e-5 {
				t.Errorf("%s: Σ terms + bias %.7f, explanation %.7f, hit %.7f", kind, sum, ex.Score, h.Score)
			}
			if len(h.Contrib) != min(TopContrib, m.Head.ProjDim()) {
				t.Errorf("%s: %d contributions on a hit, want %d", kind, len(h.Contrib), TopContrib)
			}
			for j := 1; j < len(h.Contrib); j++ {
				if math.Abs(h.Contrib[j].Value) > math.Abs(h.Contrib[j-1].Value) {
					t.Errorf("%s: contributions not sorted by |value|", kind)
				}
			}
			if h.Contrib[0].Value != ex.Terms[h.Contrib[0].Dim] {
				t.Errorf("%s: hit contribution %v is not Explain's term %g", kind, h.Contrib[0], ex.Terms[h.Contrib[0].Dim])
			}
		}
		if _, ok := ix.Explain(q, len(passages)); ok {
			t.Errorf("%s: Explain of a passage outside the index: want ok = false", kind)
		}
		if c, s := ix.ExplainTerms(q, -1); c != nil || !math.IsNaN(s) {
			t.Errorf("%s: ExplainTerms(-1) = %v, %g; want nil, NaN", kind, c, s)
		}
		if ix.Search(q, 0) != nil {
			t.Errorf("%s: Search with k = 0 returned hits", kind)
		}
	}
}

// TestLoadRoundTrip: a model saved in the run-folder format loads back (without the
// trainer) and searches identically; a broken folder is an error naming the file.
func TestLoadRoundTrip(t *testing.T) {
	for _, mode := range []string{"shared", "dual"} {
		m := newModel(t, head.ARS, mode)
		dir := m.Dir
		if err := m.Tok.Save(dir); err != nil {
			t.Fatal(err)
		}
		// config.json holds the whole training config; Load reads the Arch fields of it.
		cfg := map[string]any{"preset": "tiny", "mode": mode, "pooling": "mean", "head": "ars", "h": 16, "tau": 0.1,
			"max_len": 16, "seed": 3, "epochs": 3, "losses": map[string]float64{"infonce": 1}}
		if err := ckpt.WriteJSON(filepath.Join(dir, ckpt.ConfigFile), cfg); err != nil {
			t.Fatal(err)
		}
		if err := ckpt.SaveParams(filepath.Join(dir, ckpt.WeightsFile), m.Params(), nil); err != nil {
			t.Fatal(err)
		}
		got, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name() != m.Name() || got.Shared() != (mode == "shared") || got.Head.C[0] != 0.25 {
			t.Errorf("%s: loaded %s shared=%v c=%g", mode, got.Name(), got.Shared(), got.Head.C[0])
		}
		a, _ := m.Index(context.Background(), passages, nil)
		b, _ := got.Index(context.Background(), passages, nil)
		ha, hb := a.Search("coffee beans", 3), b.Search("coffee beans", 3)
		for i := range ha {
			if ha[i].Index != hb[i].Index || ha[i].Score != hb[i].Score {
				t.Errorf("%s rank %d: saved %+v, loaded %+v", mode, i, ha[i], hb[i])
			}
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Load of a missing folder: want an error")
	}
}

func TestArchValidate(t *testing.T) {
	good := Arch{Preset: "tiny", Mode: "dual", Pooling: "cls", Head: "ars", Tau: 0.05, MaxLen: 8}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []func(*Arch){
		func(a *Arch) { a.Preset = "huge" }, func(a *Arch) { a.Mode = "x" }, func(a *Arch) { a.Pooling = "max" },
		func(a *Arch) { a.Head = "mlp" }, func(a *Arch) { a.H = 1 }, func(a *Arch) { a.Tau = math.Inf(1) },
		func(a *Arch) { a.MaxLen = 3 },
	} {
		a := good
		bad(&a)
		if err := a.Validate(); err == nil {
			t.Errorf("%+v: want an error", a)
		}
	}
}
