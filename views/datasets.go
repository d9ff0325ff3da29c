package views

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/bubbles/filepicker"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Messages of a dataset load; gen ties them to the load that sent them.
type (
	loadProgressMsg struct {
		gen         int
		done, total int
	}
	loadDoneMsg struct {
		gen  int
		ws   *lab.Workspace
		err  error
		took time.Duration
	}
)

type datasetsPane struct {
	a    *App
	keys datasetKeys
	in   *input
	spin spinner.Model
	bar  progress.Model

	// The chooser: recent paths above bubbles' file picker, rooted at the working directory.
	choosing   bool
	onRecent   bool // the focus is on the recent list (tab switches)
	recent     []string
	recentSel  int
	picker     filepicker.Model
	pickerRoot string

	cursor int // selected query
	offset int // first visible line of the query list

	loading   bool
	gen       int
	cancel    context.CancelFunc
	loadPath  string
	done      int
	total     int
	loadStart time.Time
	lastErr   error
}

func newDatasetsPane(a *App) *datasetsPane {
	p := &datasetsPane{a: a, keys: newDatasetKeys()}
	p.in = newInput("path › ", "a BEIR folder, SQuAD/DPR .json, triples .jsonl or rerank .tsv", 4096)
	if d := a.ws.Data; d != nil && d.Source != "" {
		p.in.SetValue(d.Source)
	}
	p.spin = spinner.New(spinner.WithSpinner(spinner.Dot))
	p.bar = newBar()
	return p
}

// newPicker is a file picker at dir that selects files and folders (a BEIR dataset is a
// folder): enter picks the entry under the cursor, →/l opens a folder, ←/h goes up.
func (p *datasetsPane) newPicker(dir string) filepicker.Model {
	fp := filepicker.New()
	fp.CurrentDirectory = dir
	fp.DirAllowed, fp.FileAllowed = true, true
	fp.Cursor = "▸"
	fp.ShowPermissions, fp.ShowSize = false, false
	fp.AutoHeight = false
	fp.SetHeight(10)
	km := filepicker.DefaultKeyMap()
	km.Back = key.NewBinding(key.WithKeys("left", "h", "backspace"), key.WithHelp("←/h", "parent folder"))
	km.Open = key.NewBinding(key.WithKeys("right", "l", "enter"), key.WithHelp("→/l", "open folder"))
	fp.KeyMap = km
	p.stylePicker(&fp)
	return fp
}

func (p *datasetsPane) stylePicker(fp *filepicker.Model) {
	t := p.a.theme
	st := filepicker.DefaultStylesWithRenderer(p.a.r)
	st.Cursor, st.Selected = t.Accent, t.Selected
	st.Directory, st.File, st.Symlink = t.Title, t.Text, t.Muted
	st.FileSize = t.Muted.Width(7).Align(lipgloss.Right)
	st.EmptyDirectory = t.Muted.PaddingLeft(2).SetString("(empty folder)")
	st.DisabledFile, st.DisabledCursor, st.DisabledSelected = t.Subtle, t.Subtle, t.Subtle
	fp.Styles = st
}

// choose opens the chooser: recent paths, and the file picker at the working directory.
func (p *datasetsPane) choose() tea.Cmd {
	if p.a.opts.ReadOnly {
		p.a.setStatus(lvlWarn, "read-only demo: loading datasets is disabled")
		return nil
	}
	if p.pickerRoot == "" {
		wd, err := os.Getwd()
		if err != nil {
			wd = "."
		}
		p.pickerRoot = wd
		p.picker = p.newPicker(wd)
	}
	p.recent = p.a.loadRecent()
	p.recentSel = 0
	p.onRecent = len(p.recent) > 0
	p.choosing = true
	p.a.setStatus(lvlInfo, "choose a dataset: enter loads it, → opens a folder, tab recent ↔ browse, esc closes")
	return p.picker.Init()
}

func (p *datasetsPane) applyTheme() {
	t := p.a.theme
	p.in.style(t.InputPrompt, t.InputText, t.Placeholder, t.Cursor)
	p.spin.Style = t.Accent
	styleBar(&p.bar, t)
	if p.pickerRoot != "" {
		p.stylePicker(&p.picker)
	}
}

func (p *datasetsPane) reset() {
	p.cursor, p.offset = 0, 0
}

func (p *datasetsPane) capturing() bool { return p.in.Focused() || p.choosing }

func (p *datasetsPane) bindings() []key.Binding { return p.keys.list() }

func (p *datasetsPane) hints() []key.Binding {
	switch {
	case p.in.Focused():
		return []key.Binding{p.keys.Load, p.keys.Cancel}
	case p.choosing:
		return []key.Binding{p.keys.Pick, p.keys.OpenDir, p.keys.Parent, p.keys.Switch, p.keys.Cancel}
	}
	ks := []key.Binding{p.keys.Browse, p.keys.Edit, p.keys.Ask, p.keys.Down}
	if p.a.ws.Data != nil && len(presentSplits(p.a.ws.Stats())) > 1 {
		ks = append(ks, p.keys.Split)
	}
	return ks
}

func (p *datasetsPane) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadStep:
		if msg.gen != p.gen || !p.loading {
			return nil
		}
		p.done, p.total = msg.done, msg.total
		return waitLoad(msg.prog, msg.res)
	case loadDoneMsg:
		return p.loaded(msg)
	case spinner.TickMsg:
		if !p.loading {
			return nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return cmd
	case tea.MouseMsg:
		wheel(msg, p.move)
		return nil
	case tea.KeyMsg:
		return p.key(msg)
	}
	if p.in.Focused() {
		return p.in.Update(msg)
	}
	if p.pickerRoot != "" { // the picker's directory listings
		var cmd tea.Cmd
		p.picker, cmd = p.picker.Update(msg)
		return cmd
	}
	return nil
}

// chooserKey drives the chooser: the recent list or the file picker.
func (p *datasetsPane) chooserKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, p.keys.Cancel):
		p.choosing = false
		p.a.setStatus(lvlInfo, "kept %s", p.a.datasetName())
		return nil
	case key.Matches(msg, p.keys.Switch):
		if len(p.recent) > 0 {
			p.onRecent = !p.onRecent
		}
		return nil
	}
	if p.onRecent {
		switch {
		case key.Matches(msg, p.keys.Up):
			p.recentSel = max(p.recentSel-1, 0)
		case key.Matches(msg, p.keys.Down):
			p.recentSel = min(p.recentSel+1, len(p.recent)-1)
		case key.Matches(msg, p.keys.Pick):
			p.choosing = false
			path := p.recent[p.recentSel]
			p.in.SetValue(path)
			return p.load(path)
		}
		return nil
	}
	var cmd tea.Cmd
	p.picker, cmd = p.picker.Update(msg)
	if ok, path := p.picker.DidSelectFile(msg); ok {
		p.choosing = false
		p.picker.Path = ""
		p.in.SetValue(path)
		return p.load(path)
	}
	return cmd
}

func (p *datasetsPane) key(msg tea.KeyMsg) tea.Cmd {
	if p.in.Focused() {
		switch {
		case key.Matches(msg, p.keys.Cancel):
			p.in.Blur()
			return nil
		case key.Matches(msg, p.keys.Load):
			p.in.Blur()
			return p.load(strings.TrimSpace(p.in.Value()))
		case msg.Paste || len(msg.Runes) > 1: // a pasted path: one step, no line breaks
			if _, cut := p.in.paste(msg.Runes); cut > 0 {
				p.a.setStatus(lvlWarn, "pasted path cut to %d characters", p.in.CharLimit)
			}
			return nil
		}
		return p.in.Update(msg)
	}
	if p.choosing {
		return p.chooserKey(msg)
	}
	switch {
	case key.Matches(msg, p.keys.Browse):
		return p.choose()
	case key.Matches(msg, p.keys.Edit):
		if p.a.opts.ReadOnly {
			p.a.setStatus(lvlWarn, "read-only demo: loading datasets is disabled")
			return nil
		}
		p.in.CursorEnd()
		return p.in.Focus()
	case key.Matches(msg, p.keys.Ask):
		return p.ask()
	case key.Matches(msg, p.keys.Split):
		p.a.cycleEvalSplit()
	case key.Matches(msg, p.keys.Up):
		p.move(-1)
	case key.Matches(msg, p.keys.Down):
		p.move(1)
	case key.Matches(msg, p.keys.PageUp):
		p.move(-10)
	case key.Matches(msg, p.keys.PageDown):
		p.move(10)
	}
	return nil
}

func (p *datasetsPane) move(d int) {
	if p.a.ws.Data == nil {
		return
	}
	n := len(p.a.ws.Data.Queries)
	p.cursor = min(max(p.cursor+d, 0), max(n-1, 0))
}

// load starts reading path in the background.
func (p *datasetsPane) load(path string) tea.Cmd {
	switch {
	case p.a.opts.ReadOnly:
		p.a.setStatus(lvlWarn, "read-only demo: loading datasets is disabled")
		return nil
	case p.a.opts.Engine == nil:
		p.a.setStatus(lvlWarn, "loading datasets is not available in this build")
		return nil
	case path == "":
		p.a.setStatus(lvlWarn, "choose a dataset first (o browses, e types a path)")
		return nil
	case p.loading:
		p.a.setStatus(lvlWarn, "already loading %s", p.loadPath)
		return nil
	}
	p.gen++
	gen := p.gen
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.loading, p.loadPath, p.done, p.total = true, path, 0, 0
	p.loadStart = p.a.now()
	p.a.setStatus(lvlInfo, "loading %s…", shortPath(path, 70))

	prog := make(chan loadProgressMsg, 1)
	res := make(chan loadDoneMsg, 1)
	eng := p.a.opts.Engine
	now := p.a.now
	start := now()
	go func() {
		defer cancel()
		ws, err := eng.Open(ctx, path, func(done, total int) {
			select { // keep only the newest report when the UI lags
			case <-prog:
			default:
			}
			prog <- loadProgressMsg{gen: gen, done: done, total: total}
		})
		res <- loadDoneMsg{gen: gen, ws: ws, err: err, took: now().Sub(start)}
	}()
	return tea.Batch(p.spin.Tick, waitLoad(prog, res))
}

// waitLoad delivers the next progress report or the result.
func waitLoad(prog <-chan loadProgressMsg, res <-chan loadDoneMsg) tea.Cmd {
	return func() tea.Msg {
		select {
		case m := <-res:
			return m
		case m := <-prog:
			return loadStep{m, prog, res}
		}
	}
}

// loadStep is a progress report plus the channels to keep listening on.
type loadStep struct {
	loadProgressMsg
	prog <-chan loadProgressMsg
	res  <-chan loadDoneMsg
}

func (p *datasetsPane) loaded(msg loadDoneMsg) tea.Cmd {
	if msg.gen != p.gen {
		return nil
	}
	p.loading = false
	switch {
	case msg.err != nil:
		p.lastErr = msg.err
		p.a.setStatus(lvlErr, "could not load %s (the previous dataset stays loaded): %v", shortPath(p.loadPath, 60), msg.err)
	case msg.ws == nil || msg.ws.Data == nil:
		p.a.setStatus(lvlErr, "could not load %s: the loader returned no data", p.loadPath)
	default:
		p.lastErr = nil
		p.a.setWorkspace(msg.ws)
		if rs, err := p.a.rememberRecent(p.loadPath); err == nil {
			p.recent = rs
		}
		d := msg.ws.Data
		p.a.setStatus(lvlOK, "loaded %s: %d passages, %d queries in %s", d.Name, len(d.Passages), len(d.Queries),
			lab.FormatTook(msg.took))
	}
	return nil
}

// ask sends the selected question to the Query pane and answers it there.
func (p *datasetsPane) ask() tea.Cmd {
	d := p.a.ws.Data
	if d == nil || p.cursor >= len(d.Queries) {
		return nil
	}
	p.a.query.in.SetValue(oneLine(d.Queries[p.cursor].Text))
	p.a.setActive(paneQuery)
	return p.a.query.search()
}
