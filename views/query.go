package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
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
	first   []int         // a reranking pipeline's first-stage rank of each hit (rerank.go)
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

func (p *queryPane) capturing() bool { return p.in.Focused() }

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
		c.hits, c.first = searchRanks(rs[i], q, searchDepth)
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
		wheel(msg, p.move)
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
