package views

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// globalKeys work on every pane (except while a text field has the focus).
type globalKeys struct {
	Datasets, Training, Query, Metrics, Runs key.Binding
	Ask                                      key.Binding
	Next, Prev                               key.Binding
	Help, Theme, Quit                        key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Datasets: key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "datasets")),
		Training: key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "training")),
		Query:    key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "query")),
		Metrics:  key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "metrics")),
		Runs:     key.NewBinding(key.WithKeys("5"), key.WithHelp("5", "runs")),
		Ask:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "ask a new question (Query pane)")),
		Next:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Prev:     key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Theme:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "cycle theme")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q/ctrl+c", "quit")),
	}
}

func (k globalKeys) list() []key.Binding {
	return []key.Binding{k.Datasets, k.Training, k.Query, k.Metrics, k.Runs, k.Ask, k.Next, k.Prev, k.Help, k.Theme, k.Quit}
}

// datasetKeys drive the Datasets pane.
type datasetKeys struct {
	Browse, Edit, Load, Cancel, Ask, Split, Up, Down, PageUp, PageDown key.Binding
	Pick, OpenDir, Parent, Switch                                      key.Binding // the chooser
}

func newDatasetKeys() datasetKeys {
	return datasetKeys{
		Browse:   key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open a dataset")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "type a path")),
		Load:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "load the typed path")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave the path / chooser")),
		Ask:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ask it in Query")),
		Split:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "split to evaluate")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous question")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next question")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Pick:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "load the file or folder under ▸")),
		OpenDir:  key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "open the folder")),
		Parent:   key.NewBinding(key.WithKeys("left", "h", "backspace"), key.WithHelp("←/h", "parent folder")),
		Switch:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "recent ↔ browse")),
	}
}

func (k datasetKeys) list() []key.Binding {
	return []key.Binding{k.Browse, k.Edit, k.Load, k.Cancel, k.Ask, k.Split, k.Up, k.Down, k.PageUp, k.PageDown,
		k.Pick, k.OpenDir, k.Parent, k.Switch}
}

// trainingKeys drive the Training pane.
type trainingKeys struct {
	Up, Down, Left, Right, Edit, Cancel, Start, Pause, Stop, Form key.Binding
}

func newTrainingKeys() trainingKeys {
	return trainingKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous field")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next field")),
		Left:   key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "previous choice")),
		Right:  key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next choice")),
		Edit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "edit / apply field")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel edit")),
		Start:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "start training")),
		Pause:  key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause / resume training")),
		Stop:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "stop, keep checkpoint")),
		Form:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "show/hide the form")),
	}
}

func (k trainingKeys) list() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Left, k.Right, k.Edit, k.Cancel, k.Start, k.Pause, k.Stop, k.Form}
}

// queryKeys drive the Query pane.
type queryKeys struct {
	New, Edit, Search, Cancel, Up, Down, Column, Model, Bidi, PageDown, PageUp, Fuse key.Binding
}

func newQueryKeys() queryKeys {
	return queryKeys{
		New:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "new query")),
		Edit:     key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "edit query")),
		Search:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "search")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave the query (keeps the last)")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous result")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next result")),
		Column:   key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("←/→", "model ↔ BM25 column")),
		Model:    key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "next model")),
		Bidi:     key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "toggle terminal bidi")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "scroll the passage down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "scroll the passage up")),
		Fuse:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "add RRF of BM25 + this model")),
	}
}

func (k queryKeys) list() []key.Binding {
	return []key.Binding{k.New, k.Edit, k.Search, k.Cancel, k.Up, k.Down, k.Column, k.Model, k.Bidi, k.PageDown, k.PageUp, k.Fuse}
}

// metricsKeys drive the Metrics pane.
type metricsKeys struct {
	Left, Right, Sort, CSV, JSON, Eval, Up, Down key.Binding
	Baseline, PerQuery, Fuse                     key.Binding
	Metric, Flip, Open, Back                     key.Binding // the per-query view
}

func newMetricsKeys() metricsKeys {
	return metricsKeys{
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "previous column")),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next column")),
		Sort:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort by column / flip")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous row")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next row")),
		Eval:     key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "evaluate models now")),
		CSV:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export metrics.csv")),
		JSON:     key.NewBinding(key.WithKeys("E"), key.WithHelp("E", "export metrics.json")),
		Baseline: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "baseline of the tests (again: none)")),
		PerQuery: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "per query: this row vs baseline")),
		Fuse:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "add RRF of BM25 + this row")),
		Metric:   key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "per query: next metric")),
		Flip:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "per query: flip the order")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "per query: open in Query")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "per query: back to the table")),
	}
}

func (k metricsKeys) list() []key.Binding {
	return []key.Binding{k.Left, k.Right, k.Sort, k.Up, k.Down, k.Eval, k.CSV, k.JSON, k.Baseline, k.PerQuery, k.Fuse,
		k.Metric, k.Flip, k.Open, k.Back}
}

// runsKeys drive the Runs pane.
type runsKeys struct {
	Up, Down, Open, Resume, Compare, Delete, Refresh, Yes, No key.Binding
}

func newRunsKeys() runsKeys {
	return runsKeys{
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous run")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next run")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open as model")),
		Resume:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "resume")),
		Compare: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "compare")),
		Delete:  key.NewBinding(key.WithKeys("delete", "D"), key.WithHelp("del/D", "trash (asks)")),
		Refresh: key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "list runs again")),
		Yes:     key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "move it to the trash")),
		No:      key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "keep it")),
	}
}

func (k runsKeys) list() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, k.Resume, k.Compare, k.Delete, k.Refresh}
}

// wheel turns a mouse-wheel event into a move of one row up (-1) or down (+1); other
// mouse events do nothing. The lists of the Datasets, Query and Runs panes scroll with it.
func wheel(msg tea.MouseMsg, move func(d int)) {
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		move(-1)
	case tea.MouseButtonWheelDown:
		move(1)
	}
}
