// Package views is the Bubble Tea user interface of ARS Lab: a shell with five panes
// (Datasets, Training, Query, Metrics, Runs), a help overlay and run-time themes.
//
// Every piece of state lives in one *App, so an SSH server can run one App per session;
// the only thing sessions share is the read-only lab.Workspace. Rendering goes through the
// session's *lipgloss.Renderer; app_view.go draws the shell.
package views

import (
	"context"
	"fmt"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
	"github.com/arslab/arslab/themes"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Options configure one App.
type Options struct {
	Workspace *lab.Workspace     // the opened dataset, shared read-only by all sessions; nil = none
	ReadOnly  bool               // SSH demo mode: training and file loading disabled with a visible notice
	Renderer  *lipgloss.Renderer // nil → lipgloss.DefaultRenderer()
	Theme     string             // "dark" | "light" | "contrast"; "" = dark
	RunsDir   string             // where training runs are written ("runs")
	Engine    Engine             // the long-running operations; nil disables them with a notice
	ConfigDir string             // the user's settings (recent datasets); "" = os.UserConfigDir()/arslab
}

// Engine is what the panes ask of the lab: open a dataset, open a model, evaluate, train.
// lab.Service implements it; tests pass fakes.
type Engine interface {
	// Open reads a dataset and builds its workspace (BM25 index, baseline metrics).
	Open(ctx context.Context, path string, progress engine.Progress) (*lab.Workspace, error)
	// OpenModel loads a run folder and encodes the workspace's passages.
	OpenModel(ctx context.Context, w *lab.Workspace, dir string, progress engine.Progress) (lab.Model, error)
	// Evaluate computes the metrics of r on one split of the workspace.
	Evaluate(ctx context.Context, w *lab.Workspace, r engine.Retriever, split datasets.Split) (map[string]float64, error)
	// Train starts a training on the workspace's dataset into the run folder out.
	Train(ctx context.Context, w *lab.Workspace, cfg train.Config, out string) *lab.Job
	// Resume continues the unfinished run in dir (with its saved config) on the workspace.
	Resume(ctx context.Context, w *lab.Workspace, dir string) (*lab.Job, error)
}

type paneID int

const (
	paneDatasets paneID = iota
	paneTraining
	paneQuery
	paneMetrics
	paneRuns
	numPanes
)

func (p paneID) String() string {
	return [...]string{"Datasets", "Training", "Query", "Metrics", "Runs"}[p]
}

// pane is one tab of the shell.
type pane interface {
	update(msg tea.Msg) tea.Cmd
	view(w, h int) string
	bindings() []key.Binding // every key, for the help overlay
	hints() []key.Binding    // the few shown in the bottom bar
	capturing() bool         // a text field has the focus: keys go to the pane
	applyTheme()
}

type level int

const (
	lvlInfo level = iota
	lvlOK
	lvlWarn
	lvlErr
)

// quitGrace is how long quitting waits for a cancelled training's DoneEvent.
const quitGrace = 5 * time.Second

// forceQuitMsg ends the program when a cancelled training does not finish in time.
type forceQuitMsg struct{}

// App is the root tea.Model. Use it through a pointer: New returns one.
type App struct {
	opts  Options
	r     *lipgloss.Renderer
	theme themes.Theme
	ws    *lab.Workspace
	now   func() time.Time

	width, height int
	active        paneID
	showHelp      bool
	helpOffset    int  // first row of the help overlay
	bidi          bool // the terminal reorders right-to-left text itself: send logical order
	quitting      bool
	keys          globalKeys
	help          help.Model

	statusText  string
	statusLevel level

	// Models trained or opened in this session (on shared.Data), after shared.Models.
	extraModels []lab.Model
	model       int // index into models(); -1: none
	// Metrics rows evaluated in this session on shared.Data.
	sessionRows []lab.Row
	// evalSplit is the split chosen in the Datasets pane ("" = dev and test).
	evalSplit datasets.Split

	datasets *datasetsPane
	training *trainingPane
	query    *queryPane
	metrics  *metricsPane
	runs     *runsPane
}

var _ tea.Model = (*App)(nil)

// New builds the UI. The first screen is the Query pane, already answering an example
// query with BM25 (and the first model, if any).
func New(opts Options) *App {
	if opts.Renderer == nil {
		opts.Renderer = lipgloss.DefaultRenderer()
	}
	if opts.RunsDir == "" {
		opts.RunsDir = "runs"
	}
	if opts.Workspace == nil {
		opts.Workspace = &lab.Workspace{}
	}
	a := &App{
		opts:   opts,
		r:      opts.Renderer,
		ws:     opts.Workspace,
		now:    time.Now,
		width:  100,
		height: 30,
		active: paneQuery,
		keys:   newGlobalKeys(),
		help:   help.New(),
		model:  -1,
	}
	if len(a.ws.Models) > 0 {
		a.model = 0
	}
	a.datasets = newDatasetsPane(a)
	a.training = newTrainingPane(a)
	a.query = newQueryPane(a)
	a.metrics = newMetricsPane(a)
	a.runs = newRunsPane(a)
	a.setTheme(opts.Theme)
	a.query.searchNow()
	switch {
	case opts.ReadOnly:
		a.setStatus(lvlWarn, "read-only demo: loading files and training are disabled")
	case a.ws.Data == nil:
		a.setStatus(lvlInfo, "no dataset loaded: press 1 then o to open one")
	default:
		a.setStatus(lvlInfo, "ready: press / to type a query, ? for help")
		for _, m := range a.ws.Models {
			if m.Notice != "" { // e.g. an unfinished training opened with --model
				a.setStatus(lvlWarn, "%s", m.Notice)
			}
		}
	}
	return a
}

func (a *App) panes() [numPanes]pane {
	return [numPanes]pane{a.datasets, a.training, a.query, a.metrics, a.runs}
}

func (a *App) pane() pane { return a.panes()[a.active] }

// Init enables mouse clicks (tabs, wheel).
func (a *App) Init() tea.Cmd { return tea.EnableMouseCellMotion }

// setTheme switches to a theme and restyles every component.
func (a *App) setTheme(name string) {
	a.theme = themes.New(name, a.r)
	t := a.theme
	a.help.Styles = help.Styles{
		Ellipsis: t.Sep, ShortKey: t.Key, ShortDesc: t.Desc, ShortSeparator: t.Sep,
		FullKey: t.Key, FullDesc: t.Desc, FullSeparator: t.Sep,
	}
	for _, p := range a.panes() {
		p.applyTheme()
	}
}

func (a *App) setStatus(l level, format string, args ...any) {
	a.statusLevel = l
	a.statusText = fmt.Sprintf(format, args...)
}

func (a *App) fail(err error) { a.setStatus(lvlErr, "%v", err) }

// datasetName names the open dataset ("no dataset").
func (a *App) datasetName() string {
	if a.ws.Data == nil {
		return "no dataset"
	}
	return a.ws.Data.Name
}

// models lists every model usable on the current dataset.
func (a *App) models() []lab.Model {
	out := make([]lab.Model, 0, len(a.ws.Models)+len(a.extraModels))
	out = append(out, a.ws.Models...)
	return append(out, a.extraModels...)
}

// currentModel returns the selected model, or ok=false.
func (a *App) currentModel() (lab.Model, bool) {
	ms := a.models()
	if a.model < 0 || a.model >= len(ms) {
		return lab.Model{}, false
	}
	return ms[a.model], true
}

// selectModel makes the model called name the current one (Query and Metrics).
func (a *App) selectModel(name string) {
	for i, m := range a.models() {
		if m.Name == name {
			a.model = i
			a.query.searchNow()
			return
		}
	}
}

// setActive switches to pane id (the Runs pane lists its folders again on the way in).
func (a *App) setActive(id paneID) {
	if id == paneRuns && a.active != paneRuns {
		a.runs.refresh()
	}
	a.active = id
}

// addModel registers a model trained or opened in this session and selects it.
// A model of the same name (a run reopened after more training) is replaced.
func (a *App) addModel(nr lab.Model) {
	a.query.pair = nil // the new model beside BM25
	for i, m := range a.extraModels {
		if m.Name == nr.Name {
			a.extraModels[i] = nr
			a.model = len(a.ws.Models) + i
			a.query.cache = map[string]explained{}
			a.query.searchNow()
			return
		}
	}
	a.extraModels = append(a.extraModels, nr)
	a.model = len(a.models()) - 1
	a.query.searchNow()
	if nr.Notice != "" {
		a.setStatus(lvlWarn, "%s", nr.Notice)
	}
}

// setWorkspace replaces this session's dataset (loaded from the Datasets pane).
func (a *App) setWorkspace(s *lab.Workspace) {
	a.ws = s
	a.extraModels = nil
	a.sessionRows = nil
	a.evalSplit = ""
	a.model = -1
	if len(s.Models) > 0 {
		a.model = 0
	}
	a.datasets.reset()
	a.query.reset()
	a.metrics.reset()
}

// Update handles one message.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		return a, nil
	case forceQuitMsg:
		return a, tea.Quit
	case evalDoneMsg:
		a.evalDone(msg)
		return a, a.metrics.ensureSig() // a new row of the baseline's split is tested too
	case tea.KeyMsg:
		return a, a.key(msg)
	case tea.MouseMsg:
		return a, a.mouse(msg)
	}
	var cmds []tea.Cmd
	for _, p := range a.panes() {
		cmds = append(cmds, p.update(msg))
	}
	return a, tea.Batch(cmds...)
}

func (a *App) key(msg tea.KeyMsg) tea.Cmd {
	if msg.String() == "ctrl+c" {
		return a.quit()
	}
	if a.quitting {
		return nil
	}
	if a.showHelp {
		switch {
		case key.Matches(msg, a.keys.Quit):
			return a.quit()
		case key.Matches(msg, a.keys.Help), msg.String() == "esc":
			a.showHelp = false
		case msg.String() == "down" || msg.String() == "j":
			a.helpOffset++
		case msg.String() == "up" || msg.String() == "k":
			a.helpOffset--
		}
		return nil
	}
	if a.pane().capturing() {
		return a.pane().update(msg)
	}
	switch {
	case key.Matches(msg, a.keys.Quit):
		return a.quit()
	case key.Matches(msg, a.keys.Help):
		a.showHelp = true
	case key.Matches(msg, a.keys.Theme):
		a.setTheme(themes.Next(a.theme.Name))
		a.setStatus(lvlInfo, "theme: %s", a.theme.Name)
	case key.Matches(msg, a.keys.Next):
		a.setActive((a.active + 1) % numPanes)
	case key.Matches(msg, a.keys.Prev):
		a.setActive((a.active + numPanes - 1) % numPanes)
	case key.Matches(msg, a.keys.Datasets):
		a.setActive(paneDatasets)
	case key.Matches(msg, a.keys.Training):
		a.setActive(paneTraining)
	case key.Matches(msg, a.keys.Query):
		a.setActive(paneQuery)
	case key.Matches(msg, a.keys.Metrics):
		a.setActive(paneMetrics)
	case key.Matches(msg, a.keys.Runs):
		a.setActive(paneRuns)
	case key.Matches(msg, a.keys.Ask) && a.active != paneQuery:
		// "/" asks a new question from any pane: the Query pane, its field cleared.
		a.setActive(paneQuery)
		return a.query.newQuery()
	default:
		return a.pane().update(msg)
	}
	return nil
}

// mouse switches tabs on a click in the tab row and passes the rest to the pane.
func (a *App) mouse(msg tea.MouseMsg) tea.Cmd {
	if msg.Action == tea.MouseActionPress && msg.Button == tea.MouseButtonLeft && msg.Y == 1 && !a.showHelp {
		for i, sp := range tabSpans() {
			if msg.X >= sp[0] && msg.X < sp[1] {
				a.setActive(paneID(i))
				return nil
			}
		}
		return nil
	}
	return a.pane().update(msg)
}

// Close cancels a running training (its engine still writes the checkpoint). The SSH server
// calls it when a session ends, so a session's training never outlives the session.
func (a *App) Close() error {
	if j := a.training.live.Load(); j != nil { // safe from any goroutine
		j.Cancel()
	}
	return nil
}

// quit ends the program; a running training is cancelled first and its DoneEvent awaited.
func (a *App) quit() tea.Cmd {
	if a.quitting {
		return tea.Quit // second request: do not wait
	}
	if a.training.running() {
		a.quitting = true
		a.training.cancel()
		a.setStatus(lvlWarn, "stopping training and writing its checkpoint before quitting…")
		return tea.Tick(quitGrace, func(time.Time) tea.Msg { return forceQuitMsg{} })
	}
	return tea.Quit
}
