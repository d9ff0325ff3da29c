package views

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/compare"
	"github.com/arslab/arslab/engine/sparse"
	"github.com/arslab/arslab/lab"
	tea "github.com/charmbracelet/bubbletea"
)

// The Metrics pane's significance tests: the rows of one split are tested against the
// baseline row (b) with lab.CompareDetail and the options of `arslab compare` (paired
// randomisation test, Holm–Bonferroni per metric, α 0.05), in the background; a cell that
// differs significantly from the baseline is marked †, and the selected cell's Δ, CI,
// p-values and wins/ties/losses are written under the table. d opens the per-query view of
// the selected row against the baseline.

// sigKey names one computation: the split, the baseline and the compared rows.
type sigKey struct {
	data     *datasets.Dataset
	split    string
	baseline string
	names    string // the compared rows' names, sorted, joined by \x00
}

// sigMsg delivers a finished computation.
type sigMsg struct {
	key sigKey
	cmp *lab.Comparison
	err error
}

// sigState is what the pane knows of the tests.
type sigState struct {
	baseline, split string // the baseline row ("": none)
	key             sigKey // of cmp / err / busy
	cmp             *lab.Comparison
	err             error
	busy            bool
	skipped         []string // rows of the split without a retriever (not tested)
	cache           map[sigKey]*lab.Comparison
}

// modelNamed finds the retriever behind a Metrics row: BM25, TF-IDF or a model of the session.
func (a *App) modelNamed(name string) (lab.Model, bool) {
	ws := a.ws
	if ws.BM25 != nil && name == ws.BM25.Name() {
		return lab.Model{Name: name, Retriever: ws.BM25}, true
	}
	for _, m := range a.models() {
		if m.Name == name && m.Retriever != nil {
			return m, true
		}
	}
	if ws.Data != nil && name == (*sparse.TFIDF)(nil).Name() {
		if tf, err := ws.TFIDF(context.Background(), nil); err == nil {
			return lab.Model{Name: tf.Name(), Retriever: tf}, true
		}
	}
	return lab.Model{}, false
}

// sigModels lists the models of the baseline's split in row order, the baseline first.
func (p *metricsPane) sigModels() (sigKey, []lab.Model, []string) {
	s := &p.sig
	key := sigKey{data: p.a.ws.Data, split: s.split, baseline: s.baseline}
	var models []lab.Model
	var names, skipped []string
	for _, r := range lab.MergeRows(p.a.ws.Results, p.a.sessionRows) {
		if r.Split != s.split {
			continue
		}
		m, ok := p.a.modelNamed(r.Name)
		if !ok {
			skipped = append(skipped, r.Name)
			continue
		}
		if r.Name == s.baseline {
			models = append([]lab.Model{m}, models...)
		} else {
			models = append(models, m)
		}
		names = append(names, r.Name)
	}
	slices.Sort(names)
	key.names = strings.Join(names, "\x00")
	return key, models, skipped
}

// sigKeys are the metric columns tested (nil on reranking sets: their own keys).
func (p *metricsPane) sigKeys() []string {
	if p.a.ws.Data != nil && p.a.ws.Data.IsRerank() {
		return nil
	}
	var keys []string
	for _, c := range metricCols() {
		keys = append(keys, c.key)
	}
	return keys
}

// ensureSig starts the tests when the baseline or the rows of its split changed.
func (p *metricsPane) ensureSig() tea.Cmd {
	s := &p.sig
	if s.baseline == "" || p.a.ws.Data == nil {
		return nil
	}
	key, models, skipped := p.sigModels()
	if key == s.key && (s.cmp != nil || s.busy || s.err != nil) {
		return nil
	}
	s.key, s.cmp, s.err, s.busy, s.skipped = key, nil, nil, false, skipped
	if c, ok := s.cache[key]; ok {
		s.cmp = c
		return nil
	}
	if len(models) < 2 || models[0].Name != s.baseline {
		s.err = fmt.Errorf("nothing to test against %s on %s: evaluate another model there (v)", s.baseline, s.split)
		if models == nil || models[0].Name != s.baseline {
			s.err = fmt.Errorf("%s has no retriever in this session: choose another baseline", s.baseline)
		}
		return nil
	}
	s.busy = true
	ws := p.a.ws
	opts := lab.PaneCompareOptions(datasets.Split(key.split), key.baseline, p.sigKeys())
	return tea.Batch(p.spin.Tick, func() tea.Msg {
		c, err := ws.CompareDetail(context.Background(), models, opts)
		return sigMsg{key: key, cmp: c, err: err}
	})
}

// sigDone records a finished computation (a stale one only fills the cache).
func (p *metricsPane) sigDone(msg sigMsg) {
	s := &p.sig
	if msg.err == nil {
		if s.cache == nil {
			s.cache = map[sigKey]*lab.Comparison{}
		}
		s.cache[msg.key] = msg.cmp
	}
	if msg.key != s.key {
		return
	}
	s.busy, s.cmp, s.err = false, msg.cmp, msg.err
	if msg.err != nil {
		p.a.setStatus(lvlErr, "significance tests: %v", msg.err)
		return
	}
	n := 0
	for _, r := range msg.cmp.Table.Rows {
		for _, c := range r.Cells {
			if c.Significant {
				n++
			}
		}
	}
	runs := "runs"
	if len(msg.cmp.Table.Rows) == 2 {
		runs = "run"
	}
	p.a.setStatus(lvlOK, "tested %d %s against %s on %s (%d queries): %d significant differences (†)",
		len(msg.cmp.Table.Rows)-1, runs, s.baseline, s.split, msg.cmp.Table.Queries, n)
}

// toggleBaseline makes the selected row the baseline, or clears it.
func (p *metricsPane) toggleBaseline(rows []lab.Row) tea.Cmd {
	if len(rows) == 0 {
		p.a.setStatus(lvlWarn, "nothing to test yet: press v to evaluate")
		return nil
	}
	r := rows[p.cursor]
	s := &p.sig
	if s.baseline == r.Name && s.split == r.Split {
		s.baseline, s.split, s.key, s.cmp, s.err, s.busy = "", "", sigKey{}, nil, nil, false
		p.a.setStatus(lvlInfo, "no baseline: significance marks off")
		return nil
	}
	if _, ok := p.a.modelNamed(r.Name); !ok {
		p.a.setStatus(lvlWarn, "%s has no retriever in this session (its metrics came from elsewhere): choose another row", r.Name)
		return nil
	}
	s.baseline, s.split = r.Name, r.Split
	cmd := p.ensureSig()
	if s.busy {
		p.a.setStatus(lvlInfo, "baseline %s on %s: testing the other rows…", r.Name, r.Split)
	}
	return cmd
}

// sigCell is row r's test on metric key, when the tests cover it.
func (p *metricsPane) sigCell(r lab.Row, key string) (*compare.Cell, bool) {
	s := &p.sig
	if s.cmp == nil || r.Split != s.split {
		return nil, false
	}
	c := s.cmp.Cell(r.Name, key)
	return c, c != nil
}

// sigDetail writes the selected cell's test in two lines of w cells.
func (p *metricsPane) sigDetail(rows []lab.Row, w int) []string {
	t := p.a.theme
	s := &p.sig
	line := func(ls ...string) []string {
		for i := range ls {
			ls[i] = trunc(" "+ls[i], w)
		}
		return ls
	}
	switch {
	case s.baseline == "":
		return line(t.Muted.Render("b makes the selected row the baseline: its split's rows are tested against it, † = significant"),
			t.Subtle.Render("paired randomisation test, Holm-corrected per metric, α 0.05 (as arslab compare) · d per query"))
	case s.busy:
		return line(p.spin.View()+t.Text.Render(fmt.Sprintf(" testing the rows of %s against %s (%d randomisation samples each)…",
			s.split, s.baseline, lab.StatsDefaults().Permutations)), "")
	case s.err != nil:
		return line(t.Error.Render("✗ "+oneLine(s.err.Error())), "")
	case s.cmp == nil:
		return line(t.Muted.Render("baseline "+s.baseline+" ("+s.split+")"), "")
	}
	tab := s.cmp.Table
	head := fmt.Sprintf("baseline %s on %s · %d queries · † = p (rand, Holm) < %.2f", s.baseline, s.split, tab.Queries, tab.Alpha)
	if len(s.skipped) > 0 {
		head += " · not tested: " + strings.Join(s.skipped, ", ")
	}
	if len(rows) == 0 {
		return line(t.Muted.Render(head), "")
	}
	r := rows[p.cursor]
	if p.col < 2 {
		return line(t.Muted.Render(head), t.Subtle.Render("select a metric column (←/→) to read its test"))
	}
	col := metricCols()[p.col-2]
	switch {
	case r.Split != s.split:
		return line(t.Muted.Render(head), t.Subtle.Render(fmt.Sprintf("%s is on %s: the tests are on %s", r.Name, r.Split, s.split)))
	case r.Name == s.baseline:
		return line(t.Muted.Render(head), t.Subtle.Render(fmt.Sprintf("%s is the baseline: select another row to read its test", r.Name)))
	}
	c, ok := p.sigCell(r, col.key)
	if !ok || c.VsBaseline == nil {
		return line(t.Muted.Render(head), t.Subtle.Render(fmt.Sprintf("%s was not tested on %s", r.Name, col.label)))
	}
	st := c.VsBaseline
	verdict := t.Muted.Render("not significant")
	if c.Significant {
		verdict = t.Good.Render("significant †")
	}
	l1 := t.Title.Render(col.label) + t.Text.Render(fmt.Sprintf(" %s − %s: Δ %+.3f  %.0f%% CI [%+.3f, %+.3f]  W/T/L %d/%d/%d",
		r.Name, s.baseline, st.Diff, tab.Confidence*100, st.CILow, st.CIHigh, st.Wins, st.Ties, st.Losses))
	l2 := t.Text.Render(fmt.Sprintf("p (t) %s · p (rand) %s · Holm: p (t) %s · p (rand) %s · ", fmtP(st.PT), fmtP(st.PRand),
		fmtP(st.PTHolm), fmtP(st.PRandHolm))) + verdict
	return line(l1, l2)
}

// fmtP writes a p-value in 5 cells or so: 0.031, 0.0004, <1e-4.
func fmtP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "—"
	case p >= 0.001:
		return fmt.Sprintf("%.3f", p)
	case p >= 1e-4:
		return fmt.Sprintf("%.4f", p)
	case p == 0:
		return "0"
	}
	return "<1e-4"
}

// fuseWithBM25 adds the reciprocal rank fusion of BM25 and m (k = 60, the CLI's
// `fuse:rrf(k=60):bm25+…`) as a model of the session, selects it and evaluates it.
func (a *App) fuseWithBM25(m lab.Model) tea.Cmd {
	ws := a.ws
	switch {
	case ws.Data == nil || ws.BM25 == nil:
		a.setStatus(lvlWarn, "load a dataset first (pane 1)")
		return nil
	case m.Retriever == nil:
		a.setStatus(lvlWarn, "nothing to fuse with BM25")
		return nil
	case m.Name == ws.BM25.Name():
		a.setStatus(lvlWarn, "BM25 with itself is BM25: select another model")
		return nil
	}
	bm := lab.Model{Name: ws.BM25.Name(), Retriever: ws.BM25}
	f, err := ws.FuseModels(lab.RRFSpec(), bm, m)
	if err != nil {
		a.fail(err)
		return nil
	}
	a.addModel(f)
	cmd := a.evaluate(f.Name, f)
	if cmd != nil {
		a.setStatus(lvlOK, "added %s as a model: evaluating it…", f.Name)
	} else {
		a.setStatus(lvlOK, "added %s as a model", f.Name)
	}
	return cmd
}
