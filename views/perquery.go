package views

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// perQueryView lists the queries of two runs sorted by their difference on one metric,
// with each run's rank of the first relevant passage; enter asks the query in the Query
// pane with both runs side by side.
type perQueryView struct {
	a, b   string // run names: A the baseline, B the row it is compared with
	split  string
	metric string // metric key
	flip   bool   // smallest difference (largest loss) first
	cursor int

	from  *lab.Comparison // the diffs below were made from it
	diffs []lab.QueryDiff
}

// openPerQuery opens the per-query view of the selected row against the baseline (starting
// the tests when they have not run: the view waits for them).
func (p *metricsPane) openPerQuery(rows []lab.Row) tea.Cmd {
	if len(rows) == 0 {
		p.a.setStatus(lvlWarn, "nothing to compare yet: press v to evaluate")
		return nil
	}
	r := rows[p.cursor]
	s := &p.sig
	var cmd tea.Cmd
	if _, ok := p.a.modelNamed(r.Name); !ok {
		p.a.setStatus(lvlWarn, "%s has no retriever in this session (its metrics came from elsewhere): choose another row", r.Name)
		return nil
	}
	if s.baseline == "" || s.split != r.Split {
		// No baseline on this split yet: the first other row of the split is.
		for _, o := range rows {
			if o.Split == r.Split && o.Name != r.Name {
				if _, ok := p.a.modelNamed(o.Name); ok {
					s.baseline, s.split = o.Name, o.Split
					break
				}
			}
		}
		if s.baseline == "" || s.split != r.Split {
			p.a.setStatus(lvlWarn, "per query needs two rows of %s: evaluate another model (v)", r.Split)
			return nil
		}
	}
	if r.Name == s.baseline {
		p.a.setStatus(lvlWarn, "%s is the baseline: select another row of %s to compare it with", r.Name, r.Split)
		return nil
	}
	cmd = p.ensureSig()
	metric := ""
	if p.col >= 2 {
		metric = metricCols()[p.col-2].key
	}
	if p.a.ws.Data.IsRerank() || metric == "" {
		metric = "mrr@10"
		if p.a.ws.Data.IsRerank() {
			metric = "mrr"
		}
	}
	p.pq = &perQueryView{a: s.baseline, b: r.Name, split: r.Split, metric: metric}
	p.a.setStatus(lvlInfo, "per query: %s vs %s on %s · m metric · enter opens a query in Query · esc back", r.Name, s.baseline, r.Split)
	return cmd
}

// pqDiffs refreshes the view's differences from the finished tests (nil while they run).
func (p *metricsPane) pqDiffs() []lab.QueryDiff {
	v, c := p.pq, p.sig.cmp
	if c == nil || p.sig.split != v.split {
		return nil
	}
	if v.from == c && v.diffs != nil {
		return v.diffs
	}
	ds, err := c.Diffs(c.Run(v.a), c.Run(v.b), v.metric)
	if err != nil {
		p.a.setStatus(lvlErr, "per query: %v", err)
		return nil
	}
	if v.flip {
		slices.Reverse(ds)
	}
	v.from, v.diffs = c, ds
	v.cursor = min(v.cursor, max(len(ds)-1, 0))
	return ds
}

// pqMetrics are the metrics the view cycles through.
func (p *metricsPane) pqMetrics() []string {
	if c := p.sig.cmp; c != nil && c.Table != nil {
		return c.Table.Metrics
	}
	return p.sigKeys()
}

func (p *metricsPane) pqKey(km tea.KeyMsg) tea.Cmd {
	v := p.pq
	ds := p.pqDiffs()
	switch {
	case key.Matches(km, p.keys.Back):
		p.pq = nil
	case key.Matches(km, p.keys.Up):
		v.cursor = max(v.cursor-1, 0)
	case key.Matches(km, p.keys.Down):
		v.cursor = min(v.cursor+1, max(len(ds)-1, 0))
	case key.Matches(km, p.keys.Metric):
		ms := p.pqMetrics()
		if len(ms) > 0 {
			v.metric = ms[(slices.Index(ms, v.metric)+1)%len(ms)]
			v.diffs, v.cursor = nil, 0
		}
	case key.Matches(km, p.keys.Flip):
		v.flip = !v.flip
		v.diffs, v.cursor = nil, 0
	case key.Matches(km, p.keys.Open):
		if v.cursor >= len(ds) {
			return nil
		}
		ma, oka := p.a.modelNamed(v.a)
		mb, okb := p.a.modelNamed(v.b)
		if !oka || !okb {
			p.a.setStatus(lvlWarn, "%s or %s is no longer open", v.a, v.b)
			return nil
		}
		q := ds[v.cursor]
		p.a.query.askWith(oneLine(q.Text), mb, ma)
		p.a.setActive(paneQuery)
		p.a.setStatus(lvlInfo, "%s (%s): %s beside %s · m goes back to the model + BM25", q.Query, v.split, v.b, v.a)
	}
	return nil
}

// metricLabel is a metric key's column label.
func metricLabel(k string) string {
	for _, c := range metricCols() {
		if c.key == k {
			return c.label
		}
	}
	return k
}

// pqView draws the per-query view in w×h cells.
func (p *metricsPane) pqView(w, h int) string {
	t := p.a.theme
	v := p.pq
	order := "largest first"
	if v.flip {
		order = "smallest first"
	}
	lines := []string{" " + t.Title.Render("Per query · "+metricLabel(v.metric)) +
		t.Muted.Render(fmt.Sprintf(" on %s · B − A, %s · m metric · s flip · enter: Query · esc back", v.split, order))}
	legend := " " + t.Muted.Render("A = ") + t.Text.Render(v.a) + t.Muted.Render(" (baseline) · B = ") + t.Text.Render(v.b)
	ds := p.pqDiffs()
	switch {
	case p.sig.busy:
		return fitLines(append(lines, legend, "", " "+p.spin.View()+t.Text.Render(" ranking the queries with both runs…")), w, h)
	case p.sig.err != nil:
		return fitLines(append(lines, legend, "", " "+t.Error.Render("✗ "+oneLine(p.sig.err.Error()))), w, h)
	case len(ds) == 0:
		return fitLines(append(lines, legend, "", " "+t.Muted.Render("no counted query")), w, h)
	}
	better, worse := 0, 0
	for _, d := range ds {
		switch {
		case d.Diff > compareTol:
			better++
		case d.Diff < -compareTol:
			worse++
		}
	}
	legend += t.Muted.Render(fmt.Sprintf(" · %d queries: B better on %d, worse on %d, equal on %d", len(ds), better, worse, len(ds)-better-worse))
	lines = append(lines, legend, t.Subtle.Render(fmt.Sprintf("   %7s %6s %6s %6s %6s  %s", "B − A", "A", "B", "rank A", "rank B", "query (rank: first relevant passage)")))
	room := max(h-len(lines), 1)
	first := 0
	if v.cursor >= room {
		first = v.cursor - room + 1
	}
	rank := func(r int) string {
		if r == 0 {
			return "—"
		}
		return strconv.Itoa(r)
	}
	for i := first; i < len(ds) && i < first+room; i++ {
		d := ds[i]
		st := t.Text
		switch {
		case d.Diff > compareTol:
			st = t.Good
		case d.Diff < -compareTol:
			st = t.Error.UnsetBold()
		}
		diff := fmt.Sprintf("%+7.3f", d.Diff)
		if math.Abs(d.Diff) <= compareTol {
			diff = fmt.Sprintf("%7.3f", 0.0)
		}
		nums := st.Render(diff) + t.Text.Render(fmt.Sprintf(" %6.3f %6.3f %6s %6s  ", d.A, d.B, rank(d.RankA), rank(d.RankB)))
		head := "  "
		if i == v.cursor {
			head = t.Selected.Render("▸") + " "
		}
		prefix := head + nums + t.Muted.Render(d.Query+" · ")
		tw := max(w-width(prefix)-1, 4)
		// Shaped and ordered as elsewhere, but next to its id rather than right-aligned.
		lines = append(lines, prefix+strings.TrimLeft(p.a.para(oneLine(d.Text), tw, 1, nil, t.Text)[0], " "))
	}
	return fitLines(lines, w, h)
}

// compareTol is compare's tie tolerance: equal values are a tie.
const compareTol = 1e-9
