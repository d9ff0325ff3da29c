package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/arslab/arslab/lab"
	"github.com/arslab/arslab/views"
)

// The command line and the app must print the same numbers for the same file: both go
// through lab.Workspace. These tests read what each face shows and compare.

// appView opens the app on path (as `arslab --data path` does), presses keys and returns
// the screen as plain text.
func appView(t *testing.T, path string, keys ...string) (*lab.Workspace, string) {
	t.Helper()
	ws, err := lab.Open(context.Background(), path, lab.Options{Baselines: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	a := views.New(views.Options{Workspace: ws, Renderer: r, Engine: lab.Service{}})
	a.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
	for _, k := range keys {
		a.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	}
	return ws, ansi.Strip(a.View())
}

func TestCLIAndAppAgreeOnStats(t *testing.T) {
	code, out, errs := run(t, "dataset", "stats", "--data", tiny)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	_, screen := appView(t, tiny, "1")
	// passages and queries
	for _, f := range []string{"passages", "queries"} {
		cli := regexp.MustCompile(`(?m)^` + f + `\s+(\d+)`).FindStringSubmatch(out)
		app := regexp.MustCompile(f + `\s+(\d+)`).FindStringSubmatch(screen)
		if cli == nil || app == nil || cli[1] != app[1] {
			t.Errorf("%s: CLI %v, app %v", f, cli, app)
		}
	}
	// per split: judged queries and relevant pairs
	for _, sp := range []string{"train", "test"} {
		cli := regexp.MustCompile(`(?m)^\s+` + sp + `\s+(\d+) queries\s+\d+ judgements, (\d+) relevant`).FindStringSubmatch(out)
		app := regexp.MustCompile(sp + `\s+(\d+) q · (\d+) relevant`).FindStringSubmatch(screen)
		if cli == nil || app == nil || cli[1] != app[1] || cli[2] != app[2] {
			t.Errorf("split %s: CLI %v, app %v", sp, cli, app)
		}
	}
	// passage lengths: mean, median, p95, max (title + text in both)
	cli := regexp.MustCompile(`(?m)^passages\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\d+)`).FindStringSubmatch(out)
	app := regexp.MustCompile(`mean ([\d.]+) · median ([\d.]+) · p95 (\d+) · max (\d+)`).FindStringSubmatch(screen)
	if cli == nil || app == nil || strings.Join(cli[1:], " ") != strings.Join(app[1:], " ") {
		t.Errorf("passage lengths: CLI %v, app %v\n%s\n%s", cli, app, out, screen)
	}
}

func TestCLIAndAppAgreeOnRelevance(t *testing.T) {
	// Typed differently from the dataset's "Thủ đô của Việt Nam là gì?": case and punctuation.
	q := "thủ đô của việt nam là gì"
	code, out, errs := run(t, "query", "--data", tiny, "--model", "bm25", "--k", "5", q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var cliRel []string
	for _, m := range regexp.MustCompile(`(?m)^\s*\d+ ✓\s+\S+\s+\S+\s+(\S+)`).FindAllStringSubmatch(out, -1) {
		cliRel = append(cliRel, m[1])
	}
	ws, _ := appView(t, tiny)
	j := ws.Judge(q)
	var appRel []string
	for pid := range j.Relevant {
		appRel = append(appRel, pid)
	}
	sort.Strings(appRel)
	if fmt.Sprint(cliRel) != "[3]" || fmt.Sprint(appRel) != "[3]" || j.QueryID != "7" {
		t.Errorf("relevant: CLI %v, workspace %v (query %q)\n%s", cliRel, appRel, j.QueryID, out)
	}
}

func TestCLIAndAppAgreeOnEval(t *testing.T) {
	code, out, errs := run(t, "eval", "--data", tiny, "--model", "bm25", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep lab.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	ws, _ := appView(t, tiny)
	var row *lab.Row
	for i, r := range ws.Results {
		if r.Name == "BM25" {
			row = &ws.Results[i]
		}
	}
	// The Metrics pane's first rows are the baselines on the default split, the same split
	// `eval` picks without --split.
	if row == nil || row.Split != rep.Split || rep.Split != "test" {
		t.Fatalf("BM25 row %+v, CLI split %q", row, rep.Split)
	}
	if len(rep.Metrics) == 0 {
		t.Fatal("no metrics printed")
	}
	for k, v := range rep.Metrics {
		if got, ok := row.Metrics[k]; !ok || got != v {
			t.Errorf("%s: CLI %v, app %v", k, v, got)
		}
	}
}
