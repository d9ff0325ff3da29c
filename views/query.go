package views

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// queryPlaceholder is the query field's hint when there is no last query to show.
const queryPlaceholder = "type a question and press enter"

// queryLimit is the longest query, in characters.
const queryLimit = 1024

// searchDepth is how many hits each retriever returns.
const searchDepth = 10

// column is one retriever's result list.
type column struct {
	name    string
	model   int // index into App.models(); -1 for BM25
	r       engine.Retriever
	hits    []engine.Hit
	took    time.Duration
	sel     int
	explain lab.Explainer // nil when the model's head has no explanation
}

// searchMsg delivers the results of one submitted query.
type searchMsg struct {
	seq  int
	data *datasets.Dataset
	cols []column
}

type explained struct {
	lab.Explanation
	err error
}

type queryPane struct {
	a    *App
	keys queryKeys
	in   *input

	query string // last submitted query
	cols  []column
	focus int // focused column
	seq   int
	pair  []lab.Model // two runs side by side (from the Metrics per-query view); nil: model + BM25

	cache map[string]explained

	passage viewport.Model // the selected passage, scrollable
	shown   string         // id of the passage in the viewport

	drawn, drawnKey string // the results as last drawn, and the state they were drawn for
	draws           int    // how often the results were drawn (tests)
}

func newQueryPane(a *App) *queryPane {
	p := &queryPane{a: a, keys: newQueryKeys(), cache: map[string]explained{}}
	p.in = newInput("query › ", queryPlaceholder, queryLimit)
	p.reset()
	return p
}

func (p *queryPane) applyTheme() {
	t := p.a.theme
	p.in.style(t.InputPrompt, t.InputText, t.Placeholder, t.Cursor)
}

// reset pre-fills an example query of the current dataset and answers it.
func (p *queryPane) reset() {
	p.cols, p.focus, p.query, p.pair = nil, 0, "", nil
	p.cache = map[string]explained{}
	d := p.a.ws.Data
	if d == nil {
		p.in.SetValue("")
		return
	}
	p.in.SetValue(exampleQuery(d))
	p.searchNow()
}

// exampleQuery picks the first judged dev (else test, else any) query.
func exampleQuery(d *datasets.Dataset) string {
	for _, sp := range []datasets.Split{datasets.Dev, datasets.Test, datasets.Train} {
		q := d.Qrels[sp]
		for _, qq := range d.Queries {
			if len(q[qq.ID]) > 0 {
				return oneLine(qq.Text)
			}
		}
	}
	if len(d.Queries) > 0 {
		return oneLine(d.Queries[0].Text)
	}
	return ""
}

func (p *queryPane) capturing() bool         { return p.in.Focused() }
func (p *queryPane) bindings() []key.Binding { return p.keys.list() }

func (p *queryPane) hints() []key.Binding {
	if p.in.Focused() {
		return []key.Binding{p.keys.Search, p.keys.Cancel}
	}
	ks := []key.Binding{p.keys.New, p.keys.Edit, p.keys.Down}
	if len(p.cols) > 1 {
		ks = append(ks, p.keys.Column)
	}
	if len(p.a.models()) > 1 {
		ks = append(ks, p.keys.Model)
	}
	return append(ks, p.keys.Bidi)
}

// retrievers lists the columns to search: the current model (if any), then BM25; or the
// two runs chosen in the Metrics pane's per-query view.
func (p *queryPane) retrievers() []column {
	var cols []column
	if p.pair != nil {
		for _, m := range p.pair {
			cols = append(cols, column{name: m.Name, model: -1, r: m.Retriever, explain: m.Explainer})
		}
		return cols
	}
	if m, ok := p.a.currentModel(); ok && m.Retriever != nil {
		cols = append(cols, column{name: m.Name, model: p.a.model, explain: m.Explainer})
		cols[0].hits = nil
	}
	if p.a.ws.BM25 != nil {
		cols = append(cols, column{name: p.a.ws.BM25.Name(), model: -1})
	}
	return cols
}

// askWith asks q with two runs side by side (left, right) instead of the model and BM25.
func (p *queryPane) askWith(q string, left, right lab.Model) {
	p.pair = []lab.Model{left, right}
	p.in.Blur()
	p.in.SetValue(q)
	p.searchNow()
}

// runSearch ranks q with every column's retriever.
func runSearch(cols []column, rs []engine.Retriever, q string, now func() time.Time) []column {
	out := make([]column, len(cols))
	for i, c := range cols {
		start := now()
		c.hits = rs[i].Search(q, searchDepth)
		c.took = now().Sub(start)
		out[i] = c
	}
	return out
}

func (p *queryPane) retrieverOf(c column) engine.Retriever {
	if c.r != nil {
		return c.r
	}
	if c.model < 0 {
		return p.a.ws.BM25
	}
	return p.a.models()[c.model].Retriever
}

// searchNow answers the input synchronously (used for the first screen and model changes).
func (p *queryPane) searchNow() {
	q := strings.TrimSpace(p.in.Value())
	if q == "" || p.a.ws.Data == nil {
		return
	}
	cols := p.retrievers()
	rs := make([]engine.Retriever, len(cols))
	for i, c := range cols {
		rs[i] = p.retrieverOf(c)
	}
	p.seq++
	p.setResults(q, runSearch(cols, rs, q, p.a.now))
}

// search answers the input in the background.
func (p *queryPane) search() tea.Cmd {
	q := strings.TrimSpace(p.in.Value())
	if q == "" {
		p.a.setStatus(lvlWarn, "type a query first")
		return nil
	}
	if p.a.ws.Data == nil {
		p.a.setStatus(lvlWarn, "load a dataset first (pane 1)")
		return nil
	}
	cols := p.retrievers()
	rs := make([]engine.Retriever, len(cols))
	for i, c := range cols {
		rs[i] = p.retrieverOf(c)
	}
	p.seq++
	seq, d, now := p.seq, p.a.ws.Data, p.a.now
	p.a.setStatus(lvlInfo, "searching…")
	return func() tea.Msg {
		return searchMsg{seq: seq, data: d, cols: runSearch(cols, rs, q, now)}
	}
}

func (p *queryPane) setResults(q string, cols []column) {
	p.query, p.cols = q, cols
	p.focus = 0
	var parts []string
	for _, c := range cols {
		parts = append(parts, fmt.Sprintf("%s %d hits in %s", c.name, len(c.hits), lab.FormatTook(c.took)))
	}
	if len(cols) == 0 {
		p.a.setStatus(lvlWarn, "no retriever available for this dataset")
		return
	}
	p.a.setStatus(lvlInfo, "%s", strings.Join(parts, " · "))
}

func (p *queryPane) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case searchMsg:
		if msg.seq == p.seq && msg.data == p.a.ws.Data {
			p.setResults(strings.TrimSpace(p.in.Value()), msg.cols)
		}
		return nil
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			p.move(-1)
		case tea.MouseButtonWheelDown:
			p.move(1)
		}
		return nil
	case tea.KeyMsg:
		return p.key(msg)
	}
	if p.in.Focused() {
		return p.in.Update(msg)
	}
	return nil
}

// newQuery clears the field for a new question; the last one stays as its placeholder
// (enter on the empty field asks it again, esc brings it back).
func (p *queryPane) newQuery() tea.Cmd {
	if last := strings.TrimSpace(p.in.Value()); last != "" {
		p.in.Placeholder = last
	}
	p.in.SetValue("")
	return p.in.Focus()
}

// restoreIfEmpty puts the last question back when the field was left empty.
func (p *queryPane) restoreIfEmpty() {
	if strings.TrimSpace(p.in.Value()) == "" && p.in.Placeholder != queryPlaceholder {
		p.in.SetValue(p.in.Placeholder)
	}
	p.in.Placeholder = queryPlaceholder
}

func (p *queryPane) key(msg tea.KeyMsg) tea.Cmd {
	if p.in.Focused() {
		switch {
		case key.Matches(msg, p.keys.Cancel):
			p.in.Blur()
			p.restoreIfEmpty()
			return nil
		case key.Matches(msg, p.keys.Search):
			p.in.Blur()
			p.restoreIfEmpty()
			return p.search()
		case msg.Paste || len(msg.Runes) > 1:
			return p.paste(msg)
		}
		return p.in.Update(msg)
	}
	switch {
	case key.Matches(msg, p.keys.New):
		return p.newQuery()
	case key.Matches(msg, p.keys.Edit):
		p.in.CursorEnd()
		return p.in.Focus()
	case key.Matches(msg, p.keys.Search):
		return p.search()
	case key.Matches(msg, p.keys.Up):
		p.move(-1)
	case key.Matches(msg, p.keys.Down):
		p.move(1)
	case key.Matches(msg, p.keys.Column):
		if len(p.cols) > 1 {
			p.focus = (p.focus + 1) % len(p.cols)
		}
	case key.Matches(msg, p.keys.Fuse):
		m, ok := p.a.currentModel()
		if !ok {
			tf, err := p.a.ws.TFIDF(context.Background(), nil)
			if err != nil || p.a.ws.Data == nil {
				p.a.setStatus(lvlWarn, "load a dataset first (pane 1)")
				return nil
			}
			m = lab.Model{Name: tf.Name(), Retriever: tf}
		}
		if _, fused := m.Retriever.(*lab.Fused); fused {
			p.a.setStatus(lvlWarn, "%s is already a fusion: m selects another model", m.Name)
			return nil
		}
		return p.a.fuseWithBM25(m)
	case key.Matches(msg, p.keys.Model) && p.pair != nil:
		p.pair = nil
		p.searchNow()
		p.a.setStatus(lvlInfo, "back to the model and BM25")
	case key.Matches(msg, p.keys.Model):
		n := len(p.a.models())
		if n == 0 {
			p.a.setStatus(lvlInfo, "no trained model: train one (pane 2) or start with --model")
			return nil
		}
		p.a.model = (p.a.model + 1) % n
		p.searchNow()
		p.a.setStatus(lvlInfo, "model: %s", p.a.models()[p.a.model].Name)
	case key.Matches(msg, p.keys.PageDown):
		p.passage.PageDown()
	case key.Matches(msg, p.keys.PageUp):
		p.passage.PageUp()
	case key.Matches(msg, p.keys.Bidi):
		p.a.bidi = !p.a.bidi
		if p.a.bidi {
			p.a.setStatus(lvlInfo, "bidi: the terminal reorders right-to-left text itself (logical order sent)")
		} else {
			p.a.setStatus(lvlInfo, "bidi: ARS Lab reorders right-to-left text (visual order sent)")
		}
	}
	return nil
}

func (p *queryPane) move(d int) {
	if len(p.cols) == 0 {
		return
	}
	c := &p.cols[p.focus]
	c.sel = min(max(c.sel+d, 0), max(len(c.hits)-1, 0))
}

// relevantSet returns the passage ids judged relevant (any split) to the query text,
// matched against the dataset's queries after normalisation (lab.Workspace.Judge).
func (p *queryPane) relevantSet(q string) map[string]int {
	if p.a.ws.Data == nil {
		return nil
	}
	return p.a.ws.Judge(q).Relevant
}

// judgedQuery names the dataset query the text matches (id and split), if any.
func (p *queryPane) judgedQuery(q string) string {
	if p.a.ws.Data == nil {
		return ""
	}
	j := p.a.ws.Judge(q)
	switch {
	case j.QueryID == "":
		return ""
	case j.Split == "":
		return j.QueryID
	}
	return j.QueryID + " (" + string(j.Split) + ")"
}

func (p *queryPane) view(w, h int) string {
	t := p.a.theme
	p.in.setWidth(max(w-width(p.in.Prompt)-4, 1))
	lines := []string{" " + p.inputView(w-1)}
	d := p.a.ws.Data
	if d == nil {
		lines = append(lines, "", " "+t.Muted.Render("No dataset loaded: open one in the Datasets pane (1)."))
		return fitLines(lines, w, h)
	}
	info := ""
	if p.query != "" {
		if jq := p.judgedQuery(p.query); jq != "" {
			info = t.Muted.Render("judged query "+jq+" · ") + t.Relevant.Render("✓") + t.Muted.Render(" = relevant in qrels")
		} else {
			info = t.Muted.Render("free query: not in the dataset, so no ✓ judgements")
		}
	}
	if v := p.in.Value(); p.in.Focused() && !p.a.bidi && hasRTL(v) {
		info = t.Muted.Render("reads: ") + t.Text.Render(p.a.disp(oneLine(v)))
	}
	mode := "bidi: reordered here"
	if p.a.bidi {
		mode = "bidi: terminal"
	}
	lines = append(lines, " "+info+strings.Repeat(" ", max(w-width(info)-width(mode)-3, 1))+t.Subtle.Render(mode))
	if len(p.cols) == 0 {
		lines = append(lines, "", " "+t.Muted.Render("Press / to type a query, enter to search."))
		return fitLines(lines, w, h)
	}
	rest := h - len(lines)
	// The results below do not change while a query is typed: draw them once per state, so
	// that each key costs only the input line (a 5,000-key paste stays fast).
	key := fmt.Sprint(w, rest, p.seq, p.focus, p.a.model, p.a.bidi, p.a.theme.Name, p.passage.YOffset, p.query, len(p.a.models()), len(p.pair))
	for _, c := range p.cols {
		key += fmt.Sprint(" ", c.sel)
	}
	if key != p.drawnKey {
		p.drawn, p.drawnKey = p.resultsView(w, rest), key
		p.draws++
	}
	return fitLines(append(lines, p.drawn), w, h)
}

// resultsView is the result columns and the detail of the selected passage in w×rest cells.
func (p *queryPane) resultsView(w, rest int) string {
	t := p.a.theme
	var lines []string
	var m lab.Model
	for _, c := range p.cols {
		if c.explain != nil {
			m = lab.Model{Name: c.name, Explainer: c.explain}
			break
		}
	}
	explain := m.Explainer != nil
	detailH := 6
	if explain {
		detailH = 10
	}
	detailH = max(min(detailH, rest-8), 0)
	listH := rest - detailH
	var list string
	switch {
	case len(p.cols) > 1 && w >= 90:
		lw := (w - 1) / 2
		rw := w - 1 - lw
		list = hjoin(1, []int{lw, rw}, p.columnView(0, lw, listH), p.columnView(1, rw, listH))
	case len(p.cols) > 1: // narrow: the focused column only, with a switcher line
		sw := ""
		for i, c := range p.cols {
			if i > 0 {
				sw += t.Subtle.Render(" │ ")
			}
			if i == p.focus && t.NoColor { // no colour to mark it
				sw += t.TabActive.Render("[" + c.name + "]")
			} else if i == p.focus {
				sw += t.TabActive.Render(c.name)
			} else {
				sw += t.TabIdle.Render(c.name)
			}
		}
		list = " " + sw + t.Subtle.Render("   ←/→ switch") + "\n" + p.columnView(p.focus, w, listH-1)
	default:
		list = p.columnView(0, w, listH)
	}
	lines = append(lines, list)
	if detailH > 0 {
		c := p.cols[p.focus]
		if len(c.hits) > 0 {
			hit := c.hits[c.sel]
			if explain {
				lines = append(lines, p.explainView(m, hit, w, detailH))
			} else {
				lines = append(lines, p.passageView(hit, w, detailH))
			}
		}
	}
	return fitLines(lines, w, rest)
}

// columnView renders one retriever's hits: two lines per hit.
func (p *queryPane) columnView(ci, w, h int) string {
	t := p.a.theme
	c := p.cols[ci]
	focused := ci == p.focus
	title := t.Title.Render(c.name)
	if !focused {
		title = t.Muted.Render(c.name)
	}
	if focused && len(p.cols) > 1 {
		title = t.Accent.Render("▌") + title
	} else {
		title = " " + title
	}
	title += t.Subtle.Render(fmt.Sprintf("  %d hits · %s", len(c.hits), lab.FormatTook(c.took)))
	lines := []string{title, t.Subtle.Render(fmt.Sprintf(" %2s %s %8s  %5s  %s", "#", "✓", "score", "σ", "passage"))}
	if len(c.hits) == 0 {
		lines = append(lines, t.Muted.Render("   no passage shares a term with the query"))
		return fitLines(lines, w, h)
	}
	rel := p.relevantSet(p.query)
	set := p.hlTerms()
	per := 2
	room := (h - len(lines)) / per
	if room < 1 {
		return fitLines(lines, w, h)
	}
	first := 0
	if c.sel >= room {
		first = c.sel - room + 1
	}
	d := p.a.ws.Data
	for i := first; i < len(c.hits) && i < first+room; i++ {
		hit := c.hits[i]
		mark := "   "
		if rel[hit.ID] > 0 {
			mark = t.Relevant.Render(" ✓ ")
		}
		prob := "    —"
		if !math.IsNaN(hit.Prob) {
			prob = fmt.Sprintf("%5.3f", hit.Prob)
		}
		var ps datasets.Passage
		if hit.Index >= 0 && hit.Index < len(d.Passages) {
			ps = d.Passages[hit.Index]
		}
		name := ps.Title
		if name == "" {
			name = hit.ID
		} else {
			name = hit.ID + " · " + name
		}
		nums := fmt.Sprintf("%8.3f  %s  ", hit.Score, prob)
		head := fmt.Sprintf("%2d", i+1) + mark + t.Text.Render(nums)
		tw := max(w-width(head)-1, 4)
		head += p.a.para(name, tw, 1, set, t.Accent)[0]
		sn := p.a.para(oneLine(ps.Text), w-6, 1, set, t.Text)[0]
		if i == c.sel && focused {
			lines = append(lines, t.Selected.Render("▸")+head, "     "+sn)
		} else {
			lines = append(lines, " "+head, "     "+sn)
		}
	}
	return fitLines(lines, w, h)
}

// hlTerms is the set of query terms to highlight, plus the visual (reversed) spelling
// of right-to-left terms so that reordered lines still match.
func (p *queryPane) hlTerms() map[string]bool {
	set := terms(p.query)
	if !p.a.bidi {
		for tm := range set {
			if hasRTL(tm) {
				set[reverseRunes(tm)] = true
			}
		}
	}
	return set
}

func reverseRunes(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// passageView shows the selected passage in a viewport: pgdn/pgup scroll a long passage.
func (p *queryPane) passageView(hit engine.Hit, w, h int) string {
	t := p.a.theme
	d := p.a.ws.Data
	if hit.Index < 0 || hit.Index >= len(d.Passages) || h < 2 {
		return ""
	}
	ps := d.Passages[hit.Index]
	body := indent(p.a.para(oneLine(ps.Text), w-2, 1<<16, p.hlTerms(), t.Text), " ")
	if p.shown != hit.ID {
		p.passage.GotoTop()
		p.shown = hit.ID
	}
	p.passage.Width, p.passage.Height = w, h-1
	p.passage.SetContent(strings.Join(body, "\n"))
	head := t.Subtle.Render(strings.Repeat("─", 2)) + " " + t.Title.Render(ps.ID)
	if ps.Title != "" {
		head += t.Text.Render(" · " + p.a.disp(ps.Title))
	}
	if len(body) > p.passage.Height {
		head += t.Muted.Render(fmt.Sprintf(" · lines %d–%d of %d (pgdn/pgup)", p.passage.YOffset+1,
			min(p.passage.YOffset+p.passage.Height, len(body)), len(body)))
	}
	head += " " + t.Subtle.Render(strings.Repeat("─", max(w-width(head)-1, 0)))
	return fitLines([]string{trunc(head, w), p.passage.View()}, w, h)
}

func indent(ls []string, pre string) []string {
	for i := range ls {
		ls[i] = pre + ls[i]
	}
	return ls
}

// explainView shows the ARS score of the selected passage broken into dimensions.
func (p *queryPane) explainView(m lab.Model, hit engine.Hit, w, h int) string {
	t := p.a.theme
	k := fmt.Sprintf("%s\x00%s\x00%d", m.Name, p.query, hit.Index)
	ex, ok := p.cache[k]
	if !ok {
		ex.Explanation, ex.err = m.Explainer.Explain(p.query, hit.Index)
		p.cache[k] = ex
	}
	if ex.err != nil {
		return fitLines([]string{" " + t.Error.Render("✗ explaining "+hit.ID+": "+oneLine(ex.err.Error()))}, w, h)
	}
	head := t.Subtle.Render("──") + " " + t.Title.Render("Why "+hit.ID) + " " + t.Text.Render(explainHeader(ex.Explanation))
	lines := []string{trunc(head, w)}
	contrib := ex.Terms
	if len(contrib) == 0 {
		lines = append(lines, " "+t.Muted.Render("the model gave no contributions for this passage"))
		return fitLines(lines, w, h)
	}
	pos, neg := heatStrip(contrib, w-4, t.HeatPos, t.HeatNeg)
	lines = append(lines, " "+t.Good.Render("+")+" "+pos, " "+t.Error.UnsetBold().Render("−")+" "+neg)
	nBars := min(5, h-len(lines)-2)
	if nBars <= 0 {
		return fitLines(lines, w, h)
	}
	type dv struct {
		dim int
		v   float64
	}
	all := make([]dv, len(contrib))
	maxAbs := 0.0
	for i, v := range contrib {
		all[i] = dv{i, v}
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].v > all[j].v })
	cw := (w - 3) / 2
	bars := func(title string, items []dv, st lipgloss.Style) string {
		out := []string{t.Muted.Render(title)}
		dw := width(fmt.Sprintf("d%d", len(contrib)-1))
		for _, it := range items {
			label := padRight(fmt.Sprintf("d%d", it.dim), dw)
			val := fmt.Sprintf("%+.3f", it.v)
			bw := max(cw-dw-width(val)-3, 1)
			frac := 0.0
			if maxAbs > 0 {
				frac = math.Abs(it.v) / maxAbs
			}
			out = append(out, t.Text.Render(label)+" "+st.Render(padRight(hbar(frac, bw), bw))+" "+t.Text.Render(val))
		}
		return strings.Join(out, "\n")
	}
	var top, bottom []dv
	for i := 0; i < len(all) && len(top) < nBars; i++ {
		if all[i].v > 0 {
			top = append(top, all[i])
		}
	}
	for i := len(all) - 1; i >= 0 && len(bottom) < nBars; i-- {
		if all[i].v < 0 {
			bottom = append(bottom, all[i])
		}
	}
	lines = append(lines, hjoin(2, []int{cw, w - cw - 3}, " "+strings.ReplaceAll(bars("top positive dimensions", top, t.Good), "\n", "\n "),
		bars("top negative dimensions", bottom, t.Error.UnsetBold())))
	return fitLines(lines, w, h)
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// heatStrip draws per-dimension contributions in w cells: the first row grows with
// positive contributions, the second with negative ones (bins sum neighbouring
// dimensions when there are more dimensions than cells). Colour intensity follows magnitude.
func heatStrip(c []float64, w int, posSt, negSt []lipgloss.Style) (string, string) {
	if w <= 0 || len(c) == 0 {
		return "", ""
	}
	cells := min(w, len(c))
	per := 1 // cells per bin: widen few dimensions (at most 3 cells each)
	if len(c) < w {
		per = min(w/len(c), 3)
	}
	vals := make([]float64, cells)
	for i, v := range c {
		vals[i*cells/len(c)] += v
	}
	maxAbs := 0.0
	for _, v := range vals {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	var pos, neg strings.Builder
	pick := func(sts []lipgloss.Style, f float64) lipgloss.Style {
		i := min(int(f*float64(len(sts))), len(sts)-1)
		return sts[max(i, 0)]
	}
	for _, v := range vals {
		f := 0.0
		if maxAbs > 0 {
			f = math.Abs(v) / maxAbs
		}
		blank := strings.Repeat(" ", per)
		switch {
		case v > 0:
			pos.WriteString(pick(posSt, f).Render(strings.Repeat(vlevel(f), per)))
			neg.WriteString(blank)
		case v < 0:
			pos.WriteString(blank)
			neg.WriteString(pick(negSt, f).Render(strings.Repeat(vlevel(f), per)))
		default:
			pos.WriteString(blank)
			neg.WriteString(blank)
		}
	}
	return pos.String(), neg.String()
}

// signOf is "+" or "−" for writing a sum term.
func signOf(x float64) string {
	if x < 0 {
		return "−"
	}
	return "+"
}

// explainHeader writes an explanation's sum: "s = Σ vᵢ·tanh(…)ᵢ + b = 0.147 + -0.012 = 0.136 · σ(s) = 0.534 · 128 dims".
func explainHeader(ex lab.Explanation) string {
	sum := ex.Score - ex.Bias
	s := fmt.Sprintf("s = Σ %s", ex.Formula)
	if ex.Bias != 0 {
		s += fmt.Sprintf(" + b = %.3f %s %.3f", sum, signOf(ex.Bias), math.Abs(ex.Bias))
	}
	s += fmt.Sprintf(" = %.3f", ex.Score)
	if ex.Sigmoid {
		s += fmt.Sprintf(" · σ(s) = %.3f", sigmoid(ex.Score))
	}
	return s + fmt.Sprintf(" · %d dims", len(ex.Terms))
}

// inputView is the query line. A right-to-left question is shown shaped and in visual order
// like the passages (unless the terminal does bidi itself); while it is being edited the
// field keeps logical order, so that the cursor moves through the text as typed, and the
// line after it shows how it reads.
func (p *queryPane) inputView(w int) string {
	v := p.in.Value()
	if p.a.bidi || !hasRTL(v) {
		return p.in.View()
	}
	if !p.in.Focused() {
		return trunc(p.in.PromptStyle.Render(p.in.Prompt)+p.in.TextStyle.Render(p.a.disp(oneLine(v))), w)
	}
	return p.in.View()
}

// paste inserts pasted text (or a burst of runes) in one step: line breaks become spaces
// and what passes the field's limit is cut with a notice, so a long paste neither takes
// seconds of per-key redraws nor submits the query half-way (a pasted newline).
func (p *queryPane) paste(msg tea.KeyMsg) tea.Cmd {
	n, cut := p.in.paste(msg.Runes)
	if cut > 0 {
		p.a.setStatus(lvlWarn, "pasted text cut to the query limit of %d characters (%d dropped)", queryLimit, cut)
	} else {
		p.a.setStatus(lvlInfo, "pasted %d characters: enter searches, esc leaves the field", n)
	}
	return nil
}
