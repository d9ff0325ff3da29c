package views

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/text"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// tinyData is a small handwritten trilingual corpus with judgements in every split.
func tinyData() *datasets.Dataset {
	ps := []datasets.Passage{
		{ID: "p1", Title: "Paris", Text: "Paris is the capital and largest city of France, on the river Seine."},
		{ID: "p2", Title: "Berlin", Text: "Berlin is the capital of Germany and its most populous city."},
		{ID: "p3", Title: "Seine", Text: "The Seine flows through Paris before reaching the English Channel at Le Havre."},
		{ID: "p4", Title: "Photosynthesis", Text: "Plants turn light, water and carbon dioxide into sugar and oxygen by photosynthesis."},
		{ID: "p5", Title: "Chlorophyll", Text: "Chlorophyll is the green pigment that absorbs light for photosynthesis in plants."},
		{ID: "p6", Title: "Hà Nội", Text: "Hà Nội là thủ đô của Việt Nam, nằm bên bờ sông Hồng."},
		{ID: "p7", Title: "Phở", Text: "Phở là món ăn truyền thống của Việt Nam, gồm bánh phở và nước dùng."},
		{ID: "p8", Title: "القاهرة", Text: "القاهرة هي عاصمة مصر وأكبر مدنها وتقع على نهر النيل."},
		{ID: "p9", Title: "النيل", Text: "نهر النيل أطول نهر في أفريقيا ويمر عبر مصر والسودان."},
		{ID: "p10", Title: "Go", Text: "Go is a statically typed compiled programming language designed at Google."},
		{ID: "p11", Title: "Bubble Tea", Text: "Bubble Tea is a Go framework for terminal user interfaces based on The Elm Architecture."},
		{ID: "p12", Title: "Tea", Text: "Tea is an aromatic beverage prepared by pouring hot water over cured tea leaves."},
	}
	qs := []datasets.Query{
		{ID: "q1", Text: "what is the capital of France"},
		{ID: "q2", Text: "how do plants make sugar from light"},
		{ID: "q3", Text: "thủ đô của Việt Nam"},
		{ID: "q4", Text: "ما هي عاصمة مصر"},
		{ID: "q5", Text: "terminal user interface framework in Go"},
		{ID: "q6", Text: "which river flows through Paris"},
		{ID: "q7", Text: "longest river in Africa"},
	}
	return &datasets.Dataset{
		Name: "tiny", Source: "testdata:tiny", Format: "beir", Passages: ps, Queries: qs,
		Qrels: map[datasets.Split]datasets.Qrels{
			datasets.Train: {"q2": {"p4": 1, "p5": 1}, "q5": {"p11": 1}},
			datasets.Dev:   {"q1": {"p1": 1}, "q3": {"p6": 1}, "q6": {"p3": 2, "p1": 1}},
			datasets.Test:  {"q4": {"p8": 1}, "q7": {"p9": 1}},
		},
	}
}

// toyARS is a real ARS scorer with small random (untrained) weights over hashed bag-of-words
// embeddings: s(q,p) = Σ_i v_i·tanh((W_q q + b_q)_i · (W_p p + b_p)_i) + bias.
type toyARS struct {
	d          *datasets.Dataset
	dim        int
	wq, wp     [][]float64
	bq, bp, v  []float64
	bias       float64
	passageEmb [][]float64
}

func newToyARS(d *datasets.Dataset, dim int, seed int64) *toyARS {
	rng := rand.New(rand.NewSource(seed))
	mat := func() [][]float64 {
		m := make([][]float64, dim)
		for i := range m {
			m[i] = make([]float64, dim)
			for j := range m[i] {
				m[i][j] = rng.NormFloat64()
			}
		}
		return m
	}
	vec := func(s float64) []float64 {
		v := make([]float64, dim)
		for i := range v {
			v[i] = s * rng.NormFloat64()
		}
		return v
	}
	m := &toyARS{d: d, dim: dim, wq: mat(), wp: mat(), bq: vec(0.1), bp: vec(0.1), v: vec(1), bias: 0.25}
	for _, p := range d.Passages {
		m.passageEmb = append(m.passageEmb, m.embed(m.wp, m.bp, p.Title+" "+p.Text))
	}
	return m
}

// embed is W·mean(hash vectors of tokens) + b.
func (m *toyARS) embed(w [][]float64, b []float64, s string) []float64 {
	bag := make([]float64, m.dim)
	toks := text.Tokens(s, text.Detect(s), text.DefaultOptions())
	for _, t := range toks {
		h := fnv.New64a()
		h.Write([]byte(t))
		r := rand.New(rand.NewSource(int64(h.Sum64())))
		for i := range bag {
			bag[i] += r.Float64()*2 - 1
		}
	}
	if len(toks) > 0 {
		for i := range bag {
			bag[i] /= float64(len(toks))
		}
	}
	out := make([]float64, m.dim)
	for i := range out {
		out[i] = b[i]
		for j := range bag {
			out[i] += w[i][j] * bag[j]
		}
	}
	return out
}

func (m *toyARS) Name() string { return "ars-untrained" }

func (m *toyARS) contribs(q []float64, p int) ([]float64, float64) {
	c := make([]float64, m.dim)
	s := m.bias
	for i := range c {
		c[i] = m.v[i] * math.Tanh(q[i]*m.passageEmb[p][i])
		s += c[i]
	}
	return c, s
}

func (m *toyARS) Search(query string, k int) []engine.Hit {
	q := m.embed(m.wq, m.bq, query)
	hits := make([]engine.Hit, len(m.d.Passages))
	for i, p := range m.d.Passages {
		_, s := m.contribs(q, i)
		hits[i] = engine.Hit{ID: p.ID, Index: i, Score: s, Prob: 1 / (1 + math.Exp(-s))}
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].Score > hits[b].Score })
	return hits[:min(k, len(hits))]
}

func (m *toyARS) Explain(query string, passage int) (lab.Explanation, error) {
	if passage < 0 || passage >= len(m.passageEmb) {
		return lab.Explanation{}, fmt.Errorf("no passage %d", passage)
	}
	terms, s := m.contribs(m.embed(m.wq, m.bq, query), passage)
	return lab.Explanation{Terms: terms, Bias: m.bias, Score: s, Formula: "vᵢ·tanh(…)ᵢ", Sigmoid: true}, nil
}

// model is the toy scorer as a lab model.
func (m *toyARS) model(name string) lab.Model {
	return lab.Model{Name: name, Retriever: m, Explainer: m}
}

// testWorkspace builds the fixture: BM25 and, with model, the toy ARS model.
func testWorkspace(t testing.TB, model bool) *lab.Workspace {
	t.Helper()
	d := tinyData()
	w, err := lab.New(context.Background(), d, lab.Options{}, nil)
	if err != nil {
		t.Fatalf("workspace: %v", err)
	}
	if model {
		m := newToyARS(d, 16, 7)
		w.Models = []lab.Model{m.model(m.Name())}
	}
	return w
}

// withResults adds real metrics of every retriever of w on dev and test.
func withResults(t testing.TB, w *lab.Workspace) *lab.Workspace {
	t.Helper()
	rs := []engine.Retriever{w.BM25}
	for _, m := range w.Models {
		rs = append(rs, m.Retriever)
	}
	for _, r := range rs {
		for _, sp := range []datasets.Split{datasets.Dev, datasets.Test} {
			m, err := testEvaluate(context.Background(), r, w.Data, sp)
			if err != nil {
				t.Fatalf("evaluate %s on %s: %v", r.Name(), sp, err)
			}
			w.Results = append(w.Results, lab.Row{Name: r.Name(), Split: string(sp), Metrics: m})
		}
	}
	return w
}

// testEvaluate is Engine.Evaluate backed by engine.Evaluate.
func testEvaluate(ctx context.Context, r engine.Retriever, d *datasets.Dataset, sp datasets.Split) (map[string]float64, error) {
	res, err := engine.Evaluate(ctx, r, d, sp, nil, nil)
	if err != nil {
		return nil, err
	}
	return res.Metrics, nil
}

// trainFunc is a fake training body: it receives the form's config and the run folder.
type trainFunc func(ctx context.Context, cfg train.Config, d *datasets.Dataset, out string, events chan<- train.Event) error

// fakeEngine implements Engine with test functions; a nil function fails with "not in this test".
type fakeEngine struct {
	open      func(ctx context.Context, path string, progress engine.Progress) (*lab.Workspace, error)
	openModel func(ctx context.Context, dir string) (lab.Model, error)
	evaluate  bool // evaluate with engine.Evaluate
	train     trainFunc
	resume    func(dir string) (trainFunc, error)
}

var errNotInTest = errors.New("not in this test")

func (f fakeEngine) Open(ctx context.Context, path string, progress engine.Progress) (*lab.Workspace, error) {
	if f.open == nil {
		return nil, errNotInTest
	}
	return f.open(ctx, path, progress)
}

func (f fakeEngine) OpenModel(ctx context.Context, _ *lab.Workspace, dir string, _ engine.Progress) (lab.Model, error) {
	if f.openModel == nil {
		return lab.Model{}, errNotInTest
	}
	return f.openModel(ctx, dir)
}

func (f fakeEngine) Evaluate(ctx context.Context, w *lab.Workspace, r engine.Retriever, sp datasets.Split) (map[string]float64, error) {
	if !f.evaluate {
		return nil, errNotInTest
	}
	return testEvaluate(ctx, r, w.Data, sp)
}

func (f fakeEngine) Train(ctx context.Context, w *lab.Workspace, cfg train.Config, out string) *lab.Job {
	return lab.StartJob(ctx, func(ctx context.Context, events chan<- train.Event) error {
		if f.train == nil {
			return errNotInTest
		}
		return f.train(ctx, cfg, w.Data, out, events)
	})
}

func (f fakeEngine) Resume(ctx context.Context, w *lab.Workspace, dir string) (*lab.Job, error) {
	if f.resume == nil {
		return nil, errNotInTest
	}
	fn, err := f.resume(dir)
	if err != nil {
		return nil, err
	}
	return lab.StartJob(ctx, func(ctx context.Context, events chan<- train.Event) error {
		return fn(ctx, train.Config{}, w.Data, dir, events)
	}), nil
}

// asciiRenderer renders without colours so goldens are stable.
func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return r
}

// fixedNow is the clock of every test App: durations render as 0s.
func fixedNow() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }

// newTestApp builds an App with the fixture, an Ascii renderer and a fixed clock.
func newTestApp(t testing.TB, o Options) *App {
	t.Helper()
	if o.Workspace == nil {
		o.Workspace = testWorkspace(t, true)
	}
	o.Renderer = asciiRenderer()
	if o.ConfigDir == "" {
		o.ConfigDir = t.TempDir()
	}
	a := New(o)
	a.now = fixedNow
	// Pin the form to a fixed config so goldens do not follow train.DefaultConfig changes.
	a.training.cfg = train.Config{Preset: "tiny", Mode: "dual", Pooling: "cls", Head: "ars",
		Losses: map[string]float64{"infonce": 1, "dyn": 0.5, "reg": 1e-4}, Tau: 0.05, Negatives: "hard:29",
		Epochs: 3, Batch: 8, LR: 5e-4, Warmup: 0.1, MaxLen: 128, Seed: 42}
	text, lvl := a.statusText, a.statusLevel
	a.query.searchNow() // redo with the fixed clock
	a.statusText, a.statusLevel = text, lvl
	return a
}
