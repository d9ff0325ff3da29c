package views

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/arslab/arslab/internal/atomicfile"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/figures"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"
)

// metricCol is one metric column of the table.
type metricCol struct{ label, key string }

// topKs are the cut-offs of the Top-k columns and curve.
func topKs() []int { return []int{1, 5, 10, 20, 50, 100} }

func metricCols() []metricCol {
	cols := make([]metricCol, 0, len(topKs())+3)
	for _, k := range topKs() {
		cols = append(cols, metricCol{fmt.Sprintf("Top-%d", k), metrics.TopKey(k)})
	}
	return append(cols, metricCol{"MRR@10", metrics.MRR10}, metricCol{"MAP", metrics.MAP}, metricCol{"nDCG@10", metrics.NDCG10})
}

type metricsPane struct {
	a      *App
	keys   metricsKeys
	col    int  // selected column: 0 name, 1 split, 2… metrics
	sortBy int  // -1: insertion order
	desc   bool // sort direction
	cursor int

	sig  sigState      // significance tests against the baseline row
	pq   *perQueryView // the per-query view, when open
	spin spinner.Model
}

func newMetricsPane(a *App) *metricsPane {
	return &metricsPane{a: a, keys: newMetricsKeys(), col: 2 + len(topKs()), sortBy: -1,
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
}

func (p *metricsPane) applyTheme()             { p.spin.Style = p.a.theme.Accent }
func (p *metricsPane) capturing() bool         { return false }
func (p *metricsPane) bindings() []key.Binding { return p.keys.list() }

func (p *metricsPane) reset() {
	p.cursor, p.pq = 0, nil
	p.sig = sigState{}
}

func (p *metricsPane) hints() []key.Binding {
	if p.pq != nil {
		return []key.Binding{p.keys.Down, p.keys.Metric, p.keys.Flip, p.keys.Open, p.keys.Back}
	}
	return []key.Binding{p.keys.Right, p.keys.Baseline, p.keys.PerQuery, p.keys.Fuse, p.keys.Sort, p.keys.Eval, p.keys.CSV}
}

// rows returns every row to show, sorted as chosen.
func (p *metricsPane) rows() []lab.Row {
	rows := lab.MergeRows(p.a.ws.Results, p.a.sessionRows)
	if p.sortBy < 0 {
		return rows
	}
	cols := metricCols()
	less := func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch p.sortBy {
		case 0:
			return a.Name < b.Name
		case 1:
			return a.Split < b.Split
		}
		k := cols[p.sortBy-2].key
		va, oka := a.Metrics[k]
		vb, okb := b.Metrics[k]
		if !oka || !okb { // missing values last whatever the direction
			return oka && !okb != p.desc
		}
		return va < vb
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if p.desc {
			return less(j, i)
		}
		return less(i, j)
	})
	return rows
}

func (p *metricsPane) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case sigMsg:
		p.sigDone(msg)
		return nil
	case spinner.TickMsg:
		if !p.sig.busy {
			return nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return cmd
	}
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	if p.pq != nil {
		return p.pqKey(km)
	}
	ncols := 2 + len(metricCols())
	switch {
	case key.Matches(km, p.keys.Left):
		p.col = (p.col + ncols - 1) % ncols
	case key.Matches(km, p.keys.Right):
		p.col = (p.col + 1) % ncols
	case key.Matches(km, p.keys.Sort):
		if p.sortBy == p.col {
			p.desc = !p.desc
		} else {
			p.sortBy, p.desc = p.col, p.col >= 2 // metrics: best first
		}
	case key.Matches(km, p.keys.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(km, p.keys.Down):
		p.cursor = min(p.cursor+1, max(len(p.rows())-1, 0))
	case key.Matches(km, p.keys.CSV):
		return p.export("metrics.csv", writeCSV)
	case key.Matches(km, p.keys.JSON):
		return p.export("metrics.json", writeJSON)
	case key.Matches(km, p.keys.Eval):
		return p.a.evaluateAll()
	case key.Matches(km, p.keys.Baseline):
		return p.toggleBaseline(p.rows())
	case key.Matches(km, p.keys.PerQuery):
		return p.openPerQuery(p.rows())
	case key.Matches(km, p.keys.Fuse):
		rows := p.rows()
		if len(rows) == 0 {
			p.a.setStatus(lvlWarn, "nothing to fuse yet: press v to evaluate")
			return nil
		}
		m, ok := p.a.modelNamed(rows[p.cursor].Name)
		if !ok {
			p.a.setStatus(lvlWarn, "%s has no retriever in this session", rows[p.cursor].Name)
			return nil
		}
		return p.a.fuseWithBM25(m)
	}
	return nil
}

// export writes the rows to name in the working directory, atomically.
func (p *metricsPane) export(name string, write func(w io.Writer, rows []lab.Row) error) tea.Cmd {
	if p.a.opts.ReadOnly {
		p.a.setStatus(lvlWarn, "read-only demo: exporting files is disabled")
		return nil
	}
	rows := p.rows()
	if len(rows) == 0 {
		p.a.setStatus(lvlWarn, "nothing to export yet: press v to evaluate")
		return nil
	}
	path, err := writeAtomic(name, rows, write)
	if err != nil {
		p.a.fail(err)
		return nil
	}
	if filepath.Ext(path) != ".csv" {
		p.a.setStatus(lvlOK, "wrote %d rows to %s", len(rows), path)
		return nil
	}
	// Beside the CSV, the Top-k curves as a figure (what `arslab plot --compare` draws).
	curves := make([]figures.Curve, len(rows))
	for i, r := range rows {
		curves[i] = figures.Curve{Name: r.Name + " (" + r.Split + ")", Metrics: r.Metrics}
	}
	svg := strings.TrimSuffix(path, ".csv") + ".svg"
	fig, err := figures.TopK("Top-k accuracy on "+p.a.ws.Data.Name, "", curves)
	if err == nil {
		err = fig.Write(svg)
	}
	if err != nil {
		p.a.setStatus(lvlWarn, "wrote %d rows to %s; no figure: %v", len(rows), path, err)
		return nil
	}
	p.a.setStatus(lvlOK, "wrote %d rows to %s and the Top-k figure to %s", len(rows), path, svg)
	return nil
}

// writeAtomic writes the rows with write into name atomically (internal/atomicfile) and
// returns the absolute path.
func writeAtomic(name string, rows []lab.Row, write func(w io.Writer, rows []lab.Row) error) (string, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return "", fmt.Errorf("export %s: %w", name, err)
	}
	if err := atomicfile.Write(abs, func(w io.Writer) error { return write(w, rows) }); err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	return abs, nil
}

func writeCSV(f io.Writer, rows []lab.Row) error {
	w := csv.NewWriter(f)
	head := []string{"name", "split"}
	for _, c := range metricCols() {
		head = append(head, c.key)
	}
	if err := w.Write(head); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.Name, r.Split}
		for _, c := range metricCols() {
			v, ok := r.Metrics[c.key]
			if ok {
				rec = append(rec, strconv.FormatFloat(v, 'f', 6, 64))
			} else {
				rec = append(rec, "")
			}
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

func writeJSON(f io.Writer, rows []lab.Row) error {
	type jrow struct {
		Name    string             `json:"name"`
		Split   string             `json:"split"`
		Metrics map[string]float64 `json:"metrics"`
	}
	out := make([]jrow, len(rows))
	for i, r := range rows {
		out[i] = jrow{r.Name, r.Split, r.Metrics}
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// bestPerColumn returns, per metric column, the highest value among rows (NaN if none).
func bestPerColumn(rows []lab.Row) []float64 {
	cols := metricCols()
	best := make([]float64, len(cols))
	for i, c := range cols {
		best[i] = math.NaN()
		for _, r := range rows {
			if v, ok := r.Metrics[c.key]; ok && (math.IsNaN(best[i]) || v > best[i]) {
				best[i] = v
			}
		}
	}
	return best
}

func (p *metricsPane) view(w, h int) string {
	t := p.a.theme
	rows := p.rows()
	if len(rows) == 0 {
		msg := "No metrics yet. Press v to evaluate BM25"
		if len(p.a.models()) > 0 {
			msg += " and the models"
		}
		msg += " on the dev/test splits"
		if p.a.opts.Engine == nil {
			msg = "No metrics were given and evaluation is not available in this build."
		}
		return fitLines([]string{" " + t.Title.Render("Metrics"), "", " " + t.Muted.Render(msg)}, w, h)
	}
	if p.pq != nil {
		return p.pqView(w, h)
	}
	p.cursor = min(p.cursor, len(rows)-1)
	cols := metricCols()
	const cw = 8
	splitW := 6
	nameW := max(min(w-2-splitW-cw*len(cols), 28), 16)
	cellsW := max(w-2-nameW-splitW, 0)
	visible := max(min(len(cols), cellsW/cw), 1)
	// Scroll the metric columns so that the selected one is shown.
	first := 0
	if sel := p.col - 2; sel >= visible {
		first = sel - visible + 1
	}
	best := bestPerColumn(rows)

	tableH := min(len(rows), max(h/2-3, 2))
	firstRow := 0
	if p.cursor >= tableH {
		firstRow = p.cursor - tableH + 1
	}
	lines := strings.Split(p.table(rows[firstRow:min(len(rows), firstRow+tableH)], firstRow, cols[first:first+visible], first, best[first:first+visible], nameW, splitW, cw), "\n")
	if visible < len(cols) {
		lines = append(lines, t.Subtle.Render(fmt.Sprintf(" columns %d–%d of %d: ←/→ scroll", first+1, first+visible, len(cols))))
	}
	lines = append(lines, p.sigDetail(rows, w)...)
	lines = append(lines, "")
	plotH := h - len(lines)
	if plotH >= 5 {
		lines = append(lines, " "+t.Title.Render("Top-k accuracy")+t.Muted.Render("  k on x, share of queries with a relevant passage in the top k on y"))
		var ss []series
		for ri, r := range rows {
			vals := make([]float64, len(topKs()))
			for i, k := range topKs() {
				v, ok := r.Metrics[metrics.TopKey(k)]
				if !ok {
					v = math.NaN()
				}
				vals[i] = v
			}
			ss = append(ss, series{Name: r.Name, Values: vals, Style: t.SeriesStyle(ri)})
		}
		if p.cursor < len(ss) { // the selected row is drawn last, on top
			sel := ss[p.cursor]
			ss = append(append(ss[:p.cursor:p.cursor], ss[p.cursor+1:]...), sel)
		}
		labels := make([]string, len(topKs()))
		for i, k := range topKs() {
			labels[i] = strconv.Itoa(k)
		}
		zero, one := 0.0, 1.0
		chart := lineChart(ss, min(w-2, 90), plotH-1, chartOpts{YMin: &zero, YMax: &one, XLabels: labels,
			YFormat: func(v float64) string { return fmt.Sprintf("%.1f", v) }})
		lines = append(lines, indent(chart, " ")...)
	}
	return fitLines(lines, w, h)
}

// addRow records a metrics row of this session (replacing one with the same name and split).
func (a *App) addRow(r lab.Row) {
	for i, old := range a.sessionRows {
		if old.Name == r.Name && old.Split == r.Split {
			a.sessionRows[i] = r
			return
		}
	}
	a.sessionRows = append(a.sessionRows, r)
}

// evalSplitsFor are the splits the session evaluates on d: the one chosen in the Datasets
// pane, else dev and test when judged (else whatever split is judged).
func (a *App) evalSplitsFor(d *datasets.Dataset) []datasets.Split {
	if a.evalSplit != "" && len(d.Qrels[a.evalSplit]) > 0 {
		return []datasets.Split{a.evalSplit}
	}
	if sps := evalSplits(d); len(sps) > 0 {
		return sps
	}
	if len(d.Qrels[datasets.Train]) > 0 {
		return []datasets.Split{datasets.Train}
	}
	return nil
}

// cycleEvalSplit steps the evaluated split: dev + test (the default), then each judged split.
func (a *App) cycleEvalSplit() {
	d := a.ws.Data
	if d == nil {
		return
	}
	choices := []datasets.Split{""}
	for _, sp := range []datasets.Split{datasets.Train, datasets.Dev, datasets.Test} {
		if len(d.Qrels[sp]) > 0 {
			choices = append(choices, sp)
		}
	}
	i := slices.Index(choices, a.evalSplit)
	a.evalSplit = choices[(i+1)%len(choices)]
	a.setStatus(lvlInfo, "evaluating %s from now on: Metrics (4) v evaluates it", splitNames(a.evalSplitsFor(d)))
}

// evalSplits are the splits evaluated by default: dev and test when judged.
func evalSplits(d *datasets.Dataset) []datasets.Split {
	var out []datasets.Split
	for _, sp := range []datasets.Split{datasets.Dev, datasets.Test} {
		if len(d.Qrels[sp]) > 0 {
			out = append(out, sp)
		}
	}
	return out
}

// evaluate scores one retriever on the judged dev/test splits in the background.
func (a *App) evaluate(name string, nr lab.Model) tea.Cmd {
	return a.evaluateRetriever(name, nr.Retriever)
}

func (a *App) evaluateRetriever(name string, r engine.Retriever) tea.Cmd {
	eng, ws := a.opts.Engine, a.ws
	d := ws.Data
	if eng == nil || d == nil || r == nil {
		return nil
	}
	var cmds []tea.Cmd
	for _, sp := range a.evalSplitsFor(d) {
		sp := sp
		cmds = append(cmds, func() tea.Msg {
			m, err := eng.Evaluate(context.Background(), ws, r, sp)
			return evalDoneMsg{row: lab.Row{Name: name, Split: string(sp), Metrics: m}, data: d, err: err}
		})
	}
	return tea.Batch(cmds...)
}

// evaluateAll evaluates BM25 and every model.
func (a *App) evaluateAll() tea.Cmd {
	switch {
	case a.opts.Engine == nil:
		a.setStatus(lvlWarn, "evaluation is not available in this build")
		return nil
	case a.ws.Data == nil:
		a.setStatus(lvlWarn, "load a dataset first (pane 1)")
		return nil
	case len(a.evalSplitsFor(a.ws.Data)) == 0:
		a.setStatus(lvlWarn, "%s has no judged queries", a.ws.Data.Name)
		return nil
	}
	var cmds []tea.Cmd
	if a.ws.BM25 != nil {
		cmds = append(cmds, a.evaluateRetriever(a.ws.BM25.Name(), a.ws.BM25))
	}
	for _, m := range a.models() {
		cmds = append(cmds, a.evaluate(m.Name, m))
	}
	a.setStatus(lvlInfo, "evaluating %d retrievers on %s…", len(cmds), splitNames(a.evalSplitsFor(a.ws.Data)))
	return tea.Batch(cmds...)
}

// evalDone records a finished evaluation.
func (a *App) evalDone(msg evalDoneMsg) {
	if msg.data != a.ws.Data {
		return
	}
	if msg.err != nil {
		a.setStatus(lvlErr, "evaluating %s on %s: %v", msg.row.Name, msg.row.Split, msg.err)
		return
	}
	a.addRow(msg.row)
	a.setStatus(lvlOK, "%s on %s: MRR@10 %.3f · Top-10 %.3f", msg.row.Name, msg.row.Split,
		msg.row.Metrics[metrics.MRR10], msg.row.Metrics[metrics.TopKey(10)])
}

// table renders the visible rows (the first being row firstRow of the pane) and metric
// columns (the first being column firstCol) with lipgloss's table: the name column carries
// the row's series colour and the selection mark, the best value of each column is marked.
func (p *metricsPane) table(rows []lab.Row, firstRow int, cols []metricCol, firstCol int, best []float64, nameW, splitW, cw int) string {
	t := p.a.theme
	label := func(i int, s string) string { // column i of the pane: 0 name, 1 split, 2… metrics
		if i == p.sortBy {
			if p.desc {
				return s + "▼"
			}
			return s + "▲"
		}
		return s
	}
	mark := func(i int, s string) string { // the selected column, where no colour marks it
		if i == p.col && t.NoColor {
			return "[" + s + "]"
		}
		return s
	}
	headers := []string{mark(0, " "+label(0, "Name")), mark(1, label(1, "Split"))}
	for i, c := range cols {
		headers = append(headers, mark(firstCol+i+2, label(firstCol+i+2, c.label)))
	}
	cells := make([][]string, len(rows))
	for ri, r := range rows {
		mark := " "
		if firstRow+ri == p.cursor {
			mark = "▸"
		}
		name := r.Name
		if r.Name == p.sig.baseline && r.Split == p.sig.split {
			name += " (base)"
		}
		row := []string{trunc(mark+"━ "+name, nameW), r.Split} // a long name (a fusion) is cut, not wrapped
		for _, c := range cols {
			v, ok := r.Metrics[c.key]
			if !ok {
				row = append(row, "—")
				continue
			}
			row = append(row, fmt.Sprintf("%.3f", v)+p.sigMark(r, c.key))
		}
		cells[ri] = row
	}
	paneCol := func(col int) int { // table column → pane column (0 name, 1 split, 2… metrics)
		if col < 2 {
			return col
		}
		return firstCol + col
	}
	tb := table.New().
		Border(lipgloss.HiddenBorder()).
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderHeader(false).BorderColumn(false).
		Headers(headers...).
		Rows(cells...).
		StyleFunc(func(row, col int) lipgloss.Style {
			var st lipgloss.Style
			switch {
			case row == table.HeaderRow && paneCol(col) == p.col:
				st = t.Selected
			case row == table.HeaderRow:
				st = t.Muted
			case col == 0:
				st = t.SeriesStyle(firstRow + row)
			case col == 1:
				st = t.Muted
			case cols[col-2].key != "" && len(rows) > 1 && strings.TrimRight(cells[row][col], " †") == fmt.Sprintf("%.3f", best[col-2]):
				st = t.Best
			case cells[row][col] == "—":
				st = t.Subtle
			default:
				st = t.Text
			}
			switch col {
			case 0:
				return st.Width(nameW + 1).MaxWidth(nameW + 1)
			case 1:
				return st.Width(splitW)
			}
			return st.Width(cw).Align(lipgloss.Right)
		})
	return tb.Render()
}

// sigMark is the mark after a value: † when the tests found it significantly different
// from the baseline's, a space in the other rows while marks are shown (values stay aligned).
func (p *metricsPane) sigMark(r lab.Row, key string) string {
	if p.sig.cmp == nil {
		return ""
	}
	if c, ok := p.sigCell(r, key); ok && c.Significant {
		return "†"
	}
	return " "
}
