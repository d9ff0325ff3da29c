package views

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/lab"
	"github.com/arslab/arslab/views/rtl"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Tests of the findings of the new-user trial, one per finding.

// arabicQuery submits the Arabic fixture question in the Query pane.
func arabicQuery(a *App) {
	msgs := []tea.Msg{kp("3"), kp("/")}
	msgs = append(msgs, typeText("ما هي عاصمة مصر")...)
	drive(a, append(msgs, kp("enter"))...)
}

func TestBidiQueryLineAndDatasetQuestions(t *testing.T) {
	a := newTestApp(t, Options{Workspace: testWorkspace(t, false)})
	arabicQuery(a)
	logical, visual := "ما هي عاصمة مصر", rtl.Visual("ما هي عاصمة مصر")
	lines := strings.Split(ansi.Strip(a.View()), "\n")
	if !strings.Contains(lines[3], visual) || strings.Contains(lines[3], logical) {
		t.Errorf("query line not in visual order: %q", lines[3])
	}
	drive(a, kp("1"))
	if v := ansi.Strip(a.View()); !strings.Contains(v, visual) || strings.Contains(v, logical) {
		t.Errorf("Datasets pane question not in visual order:\n%s", v)
	}
	// While editing, the field keeps logical order and the line below shows how it reads.
	drive(a, kp("3"), kp("i"))
	v := ansi.Strip(a.View())
	if !strings.Contains(v, logical) || !strings.Contains(v, "reads: "+visual) {
		t.Errorf("editing an Arabic query:\n%s", v)
	}
	drive(a, kp("esc"), kp("b"), kp("1"))
	if v := ansi.Strip(a.View()); !strings.Contains(v, logical) {
		t.Errorf("terminal bidi: the question should pass through in logical order:\n%s", v)
	}
}

func TestRTLSnippetKeepsItsFirstWord(t *testing.T) {
	a := newTestApp(t, Options{})
	text := "القاهرة هي عاصمة مصر وأكبر مدنها وتقع على نهر النيل في شمال أفريقيا"
	first := rtl.Visual("القاهرة")
	for _, w := range []int{12, 20, 31, 40} {
		l := ansi.Strip(a.para(text, w, 1, nil, a.theme.Text)[0])
		if width(l) > w {
			t.Errorf("w=%d: %d cells", w, width(l))
		}
		if !strings.HasSuffix(strings.TrimRight(l, " "), first) || !strings.HasPrefix(strings.TrimLeft(l, " "), "…") {
			t.Errorf("w=%d: the snippet must end (on the right) with the whole first word and be cut on the left: %q", w, l)
		}
	}
	// The real case: ARCD passage p190.
	path := "../../shared/datasets/arcd/arcd.json"
	if _, err := os.Stat(path); err != nil {
		t.Skip("ARCD not staged")
	}
	d, err := datasets.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range d.Passages {
		if ps.ID != "p190" {
			continue
		}
		word := rtl.Visual(strings.Fields(ps.Text)[0])
		for _, w := range []int{30, 44, 60} {
			l := strings.TrimRight(ansi.Strip(a.para(oneLine(ps.Text), w, 1, nil, a.theme.Text)[0]), " ")
			if !strings.HasSuffix(l, word) {
				t.Errorf("ARCD p190 at %d cells loses its first word %q: %q", w, word, l)
			}
		}
		return
	}
	t.Error("ARCD has no p190")
}

func TestLongErrorShownInFull(t *testing.T) {
	formats := "want a BEIR folder (corpus.jsonl, queries.jsonl, qrels/), SQuAD-style JSON, training triples JSONL, DPR JSON or reranking rows (JSONL or TSV)"
	load := func(ctx context.Context, path string, progress engine.Progress) (*lab.Workspace, error) {
		return nil, errors.New("/some/very/long/path/to/a/file/that/is/not/a/dataset.txt: unknown format: " + formats)
	}
	a := newTestApp(t, Options{Engine: fakeEngine{open: load}})
	msgs := []tea.Msg{kp("1"), kp("e"), kp("ctrl+u")}
	msgs = append(msgs, typeText("x.txt")...)
	drive(a, append(msgs, kp("enter"))...)
	v := ansi.Strip(a.View())
	checkSize(t, "error", a.View(), 100, 30)
	flat := strings.Join(strings.Fields(v), " ")
	if !strings.Contains(flat, "DPR JSON or reranking rows (JSONL or TSV)") {
		t.Errorf("the list of formats is cut:\n%s", v)
	}
	// The status line wraps an error too (it is the only place other panes show it).
	drive(a, kp("3"))
	v = ansi.Strip(a.View())
	checkSize(t, "error on query", a.View(), 100, 30)
	if flat := strings.Join(strings.Fields(v), " "); !strings.Contains(flat, "(JSONL or TSV)") {
		t.Errorf("status line cuts the error:\n%s", v)
	}
}

func TestMetricsReevaluateKeepsOneRow(t *testing.T) {
	w := withResults(t, testWorkspace(t, true))
	a := newTestApp(t, Options{Workspace: w, Engine: fakeEngine{evaluate: true}})
	before := len(a.metrics.rows())
	drive(a, kp("4"), kp("v"), kp("v"))
	rows := a.metrics.rows()
	if len(rows) != before {
		t.Errorf("v changed the row count %d → %d", before, len(rows))
	}
	seen := map[string]bool{}
	for _, r := range rows {
		k := r.Name + "/" + r.Split
		if seen[k] {
			t.Errorf("duplicate row %s", k)
		}
		seen[k] = true
	}
}

func TestSlashStartsANewQuery(t *testing.T) {
	a := newTestApp(t, Options{})
	last := a.query.in.Value()
	drive(a, kp("/"))
	if a.query.in.Value() != "" || a.query.in.Placeholder != last {
		t.Fatalf("/ appended to the last query: %q (placeholder %q)", a.query.in.Value(), a.query.in.Placeholder)
	}
	drive(a, typeText("seine river")...)
	drive(a, kp("enter"))
	if a.query.query != "seine river" {
		t.Errorf("submitted %q", a.query.query)
	}
	// esc on an empty new query brings the last one back; enter on it asks it again.
	drive(a, kp("/"), kp("esc"))
	if a.query.in.Value() != "seine river" {
		t.Errorf("esc lost the last query: %q", a.query.in.Value())
	}
	drive(a, kp("/"), kp("enter"))
	if a.query.query != "seine river" {
		t.Errorf("enter on the empty field asked %q", a.query.query)
	}
	// i edits the last query (appends).
	drive(a, kp("i"))
	drive(a, typeText(" paris")...)
	if a.query.in.Value() != "seine river paris" {
		t.Errorf("i did not edit: %q", a.query.in.Value())
	}
}

func TestDatasetsPaneSlashAndHints(t *testing.T) {
	a := newTestApp(t, Options{})
	drive(a, kp("1"))
	for _, b := range a.datasets.bindings() {
		for _, k := range b.Keys() {
			if k == "/" {
				t.Errorf("a Datasets key is still /: %q", b.Help().Desc)
			}
		}
	}
	if a.datasets.in.Focused() {
		t.Fatal("path field focused")
	}
	// / asks a new question (the status says so on every pane), it does not edit the path.
	drive(a, kp("/"))
	if a.active != paneQuery || !a.query.in.Focused() || a.datasets.in.Focused() {
		t.Errorf("/ on Datasets: pane %v, query focused %v", a.active, a.query.in.Focused())
	}
	// enter on a question of the list asks it in Query.
	drive(a, kp("esc"), kp("1"), kp("down"), kp("enter"))
	if a.active != paneQuery || a.query.query != "how do plants make sugar from light" {
		t.Errorf("enter on a question: pane %v, query %q", a.active, a.query.query)
	}
}

func TestFirstQueryTimeIsMeasured(t *testing.T) {
	o := Options{Workspace: testWorkspace(t, false), Renderer: asciiRenderer(), ConfigDir: t.TempDir()}
	a := New(o) // the real clock
	v := ansi.Strip(a.View())
	if strings.Contains(v, "· 0s") || strings.Contains(v, "in 0s") {
		t.Errorf("first query reports 0s:\n%s", v)
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{0, "<1µs"}, {70 * time.Microsecond, "70µs"}, {3750 * time.Microsecond, "3.75ms"}} {
		if got := lab.FormatTook(c.d); got != c.want {
			t.Errorf("FormatTook(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestNoColorMarksTheActiveTab(t *testing.T) {
	a := newTestApp(t, Options{}) // Ascii profile: what NO_COLOR=1 gives
	if !a.theme.NoColor {
		t.Fatal("test renderer has colours")
	}
	for i := range int(numPanes) {
		drive(a, kp(string(rune('1'+i))))
		tabs := ansi.Strip(a.tabsView(100))
		want := "[" + strings.TrimSpace(tabLabel(i)) + "]"
		if !strings.Contains(tabs, want) || strings.Count(tabs, "[") != 1 {
			t.Errorf("pane %d: tabs %q lack the mark %q", i, tabs, want)
		}
	}
	sp := tabSpans() // the mark takes the same cells: clicks still land
	if sp[0] != [2]int{1, 13} {
		t.Errorf("tab spans moved: %v", sp)
	}
}

func TestTrainingStatusFollowsSteps(t *testing.T) {
	a := newTestApp(t, Options{})
	msgs := append([]tea.Msg{kp("2")}, syntheticRun(false)[:21]...) // info "mining…", then 20 steps
	drive(a, msgs[:2]...)
	if !strings.Contains(a.statusText, "mining hard negatives") {
		t.Errorf("the phase is not shown while it runs: %q", a.statusText)
	}
	drive(a, msgs[2:]...)
	if strings.Contains(a.statusText, "mining") || !strings.Contains(a.statusText, "step 20/60") {
		t.Errorf("status at step 20: %q", a.statusText)
	}
	// A status the user caused is not overwritten by the next step.
	drive(a, kp("3"), kp("m"))
	st := a.statusText
	drive(a, syntheticRun(false)[22]) // step 21
	if a.statusText != st {
		t.Errorf("a step overwrote the user's status %q with %q", st, a.statusText)
	}
}

func TestPasteLongQuery(t *testing.T) {
	a := newTestApp(t, Options{})
	drive(a, kp("/"))
	long := strings.Repeat("capital of France\n", 300)[:5000]
	start := time.Now()
	drive(a, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(long), Paste: true})
	a.View()
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("a 5,000-character paste took %v", d)
	}
	v := a.query.in.Value()
	if len([]rune(v)) != queryLimit || strings.Contains(v, "\n") || !a.query.in.Focused() {
		t.Errorf("pasted %d runes (newline %v, focused %v)", len([]rune(v)), strings.Contains(v, "\n"), a.query.in.Focused())
	}
	if a.statusLevel != lvlWarn || !strings.Contains(a.statusText, "cut") {
		t.Errorf("the cut is not reported: %q", a.statusText)
	}
	// Typed one key at a time, the results are drawn once, not once per key.
	drive(a, kp("esc"), kp("/"))
	a.View()
	draws := a.query.draws
	for _, r := range strings.Repeat("seine ", 200) {
		a.Update(kp(string(r)))
		a.View()
	}
	if a.query.draws != draws {
		t.Errorf("typing redrew the results %d times", a.query.draws-draws)
	}
	// After enter, keys go to the panes again.
	drive(a, kp("enter"), kp("2"))
	if a.active != paneTraining {
		t.Errorf("a key after the query landed in the query box")
	}
}

func TestShortPath(t *testing.T) {
	p := "/work/shared/datasets/arcd/some/deeper/folder/arcd-train.json"
	got := shortPath(p, 30)
	if width(got) > 30 || !strings.HasSuffix(got, "arcd-train.json") || !strings.Contains(got, "…") {
		t.Errorf("shortPath = %q", got)
	}
	if got := shortPath("runs/x", 30); got != "runs/x" {
		t.Errorf("short path changed: %q", got)
	}
	if got := shortPath("/a/"+strings.Repeat("x", 50)+".json", 20); width(got) > 20 || !strings.HasPrefix(got, "…") {
		t.Errorf("long base name: %q", got)
	}
}

func TestSquadIDsShowTheirTitle(t *testing.T) {
	if got := passageLabel(datasets.Passage{ID: "p190", Title: "Cairo"}); got != "p190 · Cairo" {
		t.Errorf("label = %q", got)
	}
	a := newTestApp(t, Options{})
	drive(a, kp("1"))
	if v := ansi.Strip(a.View()); !strings.Contains(v, "p4 · Photosynthesis") {
		t.Errorf("Datasets pane ids without titles:\n%s", v)
	}
}
