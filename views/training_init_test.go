package views

import (
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// The form's last two fields: "head init" cycles sym ↔ linear, "init" takes a checkpoint
// folder typed in (checked to exist), "none" clears it, and a missing path is refused
// with a message naming it while the config keeps its value.
func TestTrainingFormInitFields(t *testing.T) {
	sh := testWorkspace(t, false)
	a := newTestApp(t, Options{Workspace: sh, RunsDir: t.TempDir()})
	down := func(n int) []tea.Msg {
		var ms []tea.Msg
		for range n {
			ms = append(ms, kp("down"))
		}
		return ms
	}
	// head init is field 12 (0-based), init field 13.
	msgs := append([]tea.Msg{kp("2")}, down(12)...)
	msgs = append(msgs, kp("right"))
	drive(a, msgs...)
	if got := a.training.cfg.HeadInit; got != "linear" {
		t.Fatalf("head init = %q, want linear", got)
	}
	dir := t.TempDir()
	drive(a, append(append([]tea.Msg{kp("down"), kp("enter"), kp("ctrl+u")}, typeText(dir)...), kp("enter"))...)
	if a.training.cfg.Init != dir {
		t.Fatalf("init = %q, want %q (status %q)", a.training.cfg.Init, dir, a.statusText)
	}
	missing := filepath.Join(dir, "no-such-run")
	drive(a, append(append([]tea.Msg{kp("enter"), kp("ctrl+u")}, typeText(missing)...), kp("enter"))...)
	if a.training.cfg.Init != dir || !strings.Contains(a.statusText, "no-such-run") {
		t.Fatalf("missing path: init = %q, status %q", a.training.cfg.Init, a.statusText)
	}
	drive(a, append(append([]tea.Msg{kp("enter"), kp("ctrl+u")}, typeText("none")...), kp("enter"))...)
	if a.training.cfg.Init != "" {
		t.Fatalf("none: init = %q", a.training.cfg.Init)
	}
}
