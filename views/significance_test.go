package views

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/lab"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
)

// sigData is tinyData with twelve more test questions, each answered by one passage whose
// words it shares: BM25 ranks them first and the untrained toy model does not, so the
// tests find significant differences on the test split.
func sigData() *datasets.Dataset {
	d := tinyData()
	extra := []struct{ id, text, rel string }{
		{"q8", "capital of Germany populous city", "p2"},
		{"q9", "green pigment chlorophyll", "p5"},
		{"q10", "Seine English Channel Le Havre", "p3"},
		{"q11", "phở món ăn truyền thống", "p7"},
		{"q12", "Go programming language Google", "p10"},
		{"q13", "aromatic beverage tea leaves", "p12"},
		{"q14", "نهر النيل أطول نهر في أفريقيا", "p9"},
		{"q15", "Bubble Tea Elm Architecture", "p11"},
		{"q16", "Hà Nội sông Hồng", "p6"},
		{"q17", "photosynthesis carbon dioxide sugar oxygen", "p4"},
		{"q18", "القاهرة عاصمة مصر", "p8"},
		{"q19", "Paris largest city of France", "p1"},
	}
	for _, e := range extra {
		d.Queries = append(d.Queries, datasets.Query{ID: e.id, Text: e.text})
		d.Qrels[datasets.Test][e.id] = map[string]int{e.rel: 1}
	}
	return d
}

// sigApp is an App on sigData with BM25 and the toy model evaluated on dev and test.
func sigApp(t *testing.T) *App {
	t.Helper()
	d := sigData()
	w, err := lab.New(context.Background(), d, lab.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := newToyARS(d, 16, 7)
	w.Models = []lab.Model{m.model(m.Name())}
	return newTestApp(t, Options{Workspace: withResults(t, w), Engine: fakeEngine{evaluate: true}})
}

// rowIndex is the pane row of name on split.
func rowIndex(a *App, name, split string) int {
	for i, r := range a.metrics.rows() {
		if r.Name == name && r.Split == split {
			return i
		}
	}
	return -1
}

// TestMetricsBaselineMarksSignificance: b on BM25 (test) tests the other test rows against
// it in the background; the toy model's cells BM25 beats on every query are marked †, the
// detail line shows the selected cell's test, and it is the table `arslab compare` prints.
func TestMetricsBaselineMarksSignificance(t *testing.T) {
	a := sigApp(t)
	drive(a, kp("4"))
	bm := rowIndex(a, "BM25", "test")
	for range bm {
		drive(a, kp("down"))
	}
	drive(a, kp("b"))
	s := a.metrics.sig
	if s.baseline != "BM25" || s.split != "test" || s.busy || s.err != nil || s.cmp == nil {
		t.Fatalf("after b: %+v", s)
	}
	want, err := a.ws.CompareDetail(context.Background(), []lab.Model{{Name: "BM25", Retriever: a.ws.BM25}, a.ws.Models[0]},
		lab.PaneCompareOptions(datasets.Test, "BM25", a.metrics.sigKeys()))
	if err != nil {
		t.Fatal(err)
	}
	got := s.cmp.Cell("ars-untrained", metrics.MRR10)
	w := want.Cell("ars-untrained", metrics.MRR10)
	if got == nil || w == nil || *got.VsBaseline != *w.VsBaseline || got.Significant != w.Significant {
		t.Fatalf("pane %+v, compare %+v", got, w)
	}
	if !got.Significant {
		t.Fatalf("MRR@10 of the untrained model vs BM25 not significant: %+v", got.VsBaseline)
	}
	// The toy model's test row: its MRR@10 is marked, the selected cell's test is written.
	drive(a, kp("up"))
	for a.metrics.rows()[a.metrics.cursor].Name != "ars-untrained" || a.metrics.rows()[a.metrics.cursor].Split != "test" {
		drive(a, kp("down"))
	}
	v := ansi.Strip(a.View())
	for _, want := range []string{"BM25 (base)", "†", "MRR@10 ars-untrained − BM25: Δ", "95% CI", "W/T/L", "p (t)", "p (rand)", "Holm", "significant †"} {
		if !strings.Contains(v, want) {
			t.Errorf("screen lacks %q:\n%s", want, v)
		}
	}
	// Dev rows are not tested against a test baseline: no mark there.
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, " dev ") && strings.Contains(l, "†") {
			t.Errorf("dev row marked: %q", l)
		}
	}
	// b again on the baseline clears the marks.
	for a.metrics.rows()[a.metrics.cursor].Name != "BM25" || a.metrics.rows()[a.metrics.cursor].Split != "test" {
		drive(a, kp("up"))
	}
	drive(a, kp("b"))
	if a.metrics.sig.baseline != "" || regexp.MustCompile(`\d†`).MatchString(ansi.Strip(a.View())) {
		t.Error("b on the baseline did not clear the marks")
	}
}

// TestMetricsPerQueryOpensQuery: d on the toy model's test row lists the test queries by
// the difference with the baseline (largest first), with both ranks; m changes the metric;
// enter asks the selected query in the Query pane with both runs side by side.
func TestMetricsPerQueryOpensQuery(t *testing.T) {
	a := sigApp(t)
	drive(a, kp("4"))
	for a.metrics.rows()[a.metrics.cursor].Name != "ars-untrained" || a.metrics.rows()[a.metrics.cursor].Split != "test" {
		drive(a, kp("down"))
	}
	drive(a, kp("d")) // no baseline yet: BM25, the other test row, is
	v := a.metrics.pq
	if v == nil || v.a != "BM25" || v.b != "ars-untrained" || v.split != "test" || v.metric != metrics.MRR10 {
		t.Fatalf("per-query view %+v", v)
	}
	ds := a.metrics.pqDiffs()
	if len(ds) != 14 {
		t.Fatalf("%d queries, want the 14 of test", len(ds))
	}
	for i := 1; i < len(ds); i++ {
		if ds[i].Diff > ds[i-1].Diff {
			t.Fatalf("not sorted by B − A: %+v", ds)
		}
	}
	c := a.metrics.sig.cmp
	for _, d := range ds {
		// rank of the first relevant passage ↔ MRR@10
		if d.RankA > 0 && d.RankA <= 10 && d.A != 1/float64(d.RankA) || (d.RankA == 0 || d.RankA > 10) && d.A != 0 {
			t.Errorf("%s: A %v with rank %d", d.Query, d.A, d.RankA)
		}
		if d.RankB != c.FirstRelevant(c.Run("ars-untrained"), d.Query) {
			t.Errorf("%s: rank B %d", d.Query, d.RankB)
		}
	}
	scr := ansi.Strip(a.View())
	for _, want := range []string{"Per query · MRR@10", "A = BM25 (baseline) · B = ars-untrained", "rank A", "rank B", ds[0].Query + " · "} {
		if !strings.Contains(scr, want) {
			t.Errorf("per-query view lacks %q:\n%s", want, scr)
		}
	}
	drive(a, kp("m"))
	if a.metrics.pq.metric != metrics.MAP {
		t.Errorf("m: metric %s, want map", a.metrics.pq.metric)
	}
	drive(a, kp("s"))
	ds = a.metrics.pqDiffs()
	if ds[0].Diff > ds[len(ds)-1].Diff {
		t.Error("s did not flip the order")
	}
	drive(a, kp("down"), kp("enter"))
	q := ds[1]
	if a.active != paneQuery {
		t.Fatalf("enter: pane %v", a.active)
	}
	cols := a.query.cols
	if len(cols) != 2 || cols[0].name != "ars-untrained" || cols[1].name != "BM25" || a.query.query != q.Text {
		t.Fatalf("query pane: %q with %v", a.query.query, cols)
	}
	scr = ansi.Strip(a.View())
	if !strings.Contains(scr, "judged query "+q.Query+" (test)") {
		t.Errorf("the asked query is not the judged one:\n%s", scr)
	}
	// m goes back to the current model beside BM25.
	drive(a, kp("m"))
	if a.query.pair != nil {
		t.Error("m kept the pair")
	}
	// esc in the per-query view goes back to the table.
	drive(a, kp("4"), kp("esc"))
	if a.metrics.pq != nil {
		t.Error("esc did not close the per-query view")
	}
}

// TestFuseKeyAddsRRFModel: f in the Query pane adds fuse:rrf(k=60):bm25+<model> as a
// model (selected, searched, evaluated); f in Metrics on a TF-IDF-free row does the same.
func TestFuseKeyAddsRRFModel(t *testing.T) {
	a := sigApp(t)
	drive(a, kp("3"), kp("f"))
	name := "fuse:rrf(k=60):bm25+ars-untrained"
	m, ok := a.currentModel()
	if !ok || m.Name != name {
		t.Fatalf("current model %q, want %q (%s)", m.Name, name, a.statusText)
	}
	if a.query.cols[0].name != name || a.query.cols[1].name != "BM25" {
		t.Errorf("columns %v", a.query.cols)
	}
	// Its hits are the RRF of the two lists, as the CLI's spec computes it.
	spec, err := a.ws.FuseModels(lab.RRFSpec(), lab.Model{Name: "BM25", Retriever: a.ws.BM25}, a.ws.Models[0])
	if err != nil {
		t.Fatal(err)
	}
	want := spec.Retriever.Search(a.query.query, searchDepth)
	for i, h := range a.query.cols[0].hits {
		if h.ID != want[i].ID || h.Score != want[i].Score {
			t.Fatalf("hit %d: %v, want %v", i, h, want[i])
		}
	}
	if rowIndex(a, name, "test") < 0 || rowIndex(a, name, "dev") < 0 {
		t.Errorf("the fusion was not evaluated: %v", a.metrics.rows())
	}
	// Its long name is cut in the Metrics table, not wrapped: one line per row.
	drive(a, kp("4"))
	scr := strings.Split(ansi.Strip(a.View()), "\n")
	head := slices.IndexFunc(scr, func(l string) bool { return strings.Contains(l, "Name") && strings.Contains(l, "Split") })
	for i := 1; head >= 0 && i <= len(a.metrics.rows()); i++ {
		if !strings.Contains(scr[head+i], "━ ") {
			t.Errorf("line %d of the table is not a row: %q", i, scr[head+i])
		}
	}
	// f on the fusion says so; in Metrics, f on BM25 says there is nothing to fuse.
	drive(a, kp("3"), kp("f"))
	if !strings.Contains(a.statusText, "already a fusion") {
		t.Errorf("status %q", a.statusText)
	}
	drive(a, kp("4"))
	for a.metrics.rows()[a.metrics.cursor].Name != "BM25" {
		drive(a, kp("down"))
	}
	drive(a, kp("f"))
	if !strings.Contains(a.statusText, "BM25 with itself") {
		t.Errorf("status %q", a.statusText)
	}
	// A baseline on test now tests three rows: the fusion's too.
	for a.metrics.rows()[a.metrics.cursor].Split != "test" {
		drive(a, kp("down"))
	}
	drive(a, kp("b"))
	if c := a.metrics.sig.cmp; c == nil || len(c.Table.Rows) != 3 || c.Run(name) < 0 {
		t.Fatalf("tests after fusion: %+v", a.metrics.sig)
	}
}

// runGoldenAfter is runGolden that waits for want on the screen before quitting (the tests
// run in the background).
func runGoldenAfter(t *testing.T, a *App, want string, msgs ...tea.Msg) *App {
	t.Helper()
	return runGoldenStages(t, a, stage{msgs, want})
}

// stage is keys to send, then a text to wait for.
type stage struct {
	msgs []tea.Msg
	want string
}

// runGoldenStages sends each stage's keys and waits for its text before the next stage.
func runGoldenStages(t *testing.T, a *App, stages ...stage) *App {
	t.Helper()
	tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(100, 30))
	for _, st := range stages {
		for _, m := range st.msgs {
			tm.Send(m)
		}
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return strings.Contains(string(b), st.want) },
			teatest.WithDuration(10*time.Second))
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
	golden.RequireEqual(t, []byte(ansi.Strip(fm.View())+"\n"))
	return fm
}

// TestGoldenMetricsSignificance: BM25 (test) is the baseline, the toy model's test row is
// selected on MRR@10: † marks and the test of the selected cell.
func TestGoldenMetricsSignificance(t *testing.T) {
	runGoldenAfter(t, sigApp(t), "W/T/L", kp("4"), kp("down"), kp("b"), kp("down"), kp("down"))
}

// TestGoldenPerQuery: the per-query view of the toy model against BM25 on test, MRR@10.
func TestGoldenPerQuery(t *testing.T) {
	runGoldenAfter(t, sigApp(t), "rank B", kp("4"), kp("down"), kp("down"), kp("down"), kp("d"))
}

// TestMetricsSignificanceRunsInBackground: b returns at once with a spinner line; the
// result arrives as a message and is cached (b off and on again computes nothing).
func TestMetricsSignificanceRunsInBackground(t *testing.T) {
	a := sigApp(t)
	drive(a, kp("4"), kp("down"))
	_, cmd := a.Update(kp("b"))
	if cmd == nil || !a.metrics.sig.busy {
		t.Fatal("b did not start the tests in the background")
	}
	if v := ansi.Strip(a.View()); !strings.Contains(v, "testing the rows of test against BM25") {
		t.Errorf("no progress line while testing:\n%s", v)
	}
	for _, m := range runCmd(cmd) {
		drive(a, m)
	}
	if a.metrics.sig.busy || a.metrics.sig.cmp == nil {
		t.Fatalf("tests did not finish: %+v", a.metrics.sig)
	}
	first := a.metrics.sig.cmp
	drive(a, kp("b")) // off
	_, cmd = a.Update(kp("b"))
	if a.metrics.sig.cmp != first || a.metrics.sig.busy {
		t.Error("the same baseline and rows were tested again instead of cached")
	}
	_ = cmd
	// A model evaluated later on the baseline's split is tested too.
	drive(a, kp("3"), kp("f"))
	if c := a.metrics.sig.cmp; c == nil || len(c.Table.Rows) != 3 {
		t.Errorf("the fused model's test row was not added to the tests: %+v", a.metrics.sig)
	}
}

// TestPerQueryViewFits: the per-query view keeps to the screen at every size.
func TestPerQueryViewFits(t *testing.T) {
	a := sigApp(t)
	drive(a, kp("4"), kp("down"), kp("down"), kp("down"), kp("d"))
	for _, sz := range [][2]int{{40, 12}, {60, 20}, {80, 24}, {100, 30}, {160, 50}} {
		drive(a, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		checkSize(t, "per query "+sizeLabel(sz), a.View(), sz[0], sz[1])
		drive(a, kp("esc"))
		checkSize(t, "metrics with marks "+sizeLabel(sz), a.View(), sz[0], sz[1])
		drive(a, kp("d"))
	}
}

// TestGoldenQueryPair: enter in the per-query view asks the query with both runs side by side.
func TestGoldenQueryPair(t *testing.T) {
	fm := runGoldenStages(t, sigApp(t), stage{[]tea.Msg{kp("4"), kp("down"), kp("down"), kp("down"), kp("d")}, "rank B"},
		stage{[]tea.Msg{kp("down"), kp("down"), kp("enter")}, "beside BM25"})
	if fm.query.cols[0].name != "ars-untrained" || fm.query.cols[1].name != "BM25" {
		t.Errorf("columns %s, %s", fm.query.cols[0].name, fm.query.cols[1].name)
	}
}
