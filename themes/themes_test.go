package themes

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// env is a fixed environment for termenv.
type env map[string]string

func (e env) Environ() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}
func (e env) Getenv(k string) string { return e[k] }

func renderer(e env) *lipgloss.Renderer {
	return lipgloss.NewRenderer(&bytes.Buffer{}, termenv.WithEnvironment(e), termenv.WithTTY(true))
}

func TestNoColorRespected(t *testing.T) {
	tests := []struct {
		name      string
		env       env
		wantColor bool
	}{
		{"truecolor terminal", env{"TERM": "xterm-256color", "COLORTERM": "truecolor"}, true},
		{"NO_COLOR set", env{"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, name := range Names() {
				r := renderer(tc.env)
				th := New(name, r)
				out := th.Error.Render("boom")
				// Error is bold + a foreground colour; without colour only bold may stay.
				hasColor := out != r.NewStyle().Bold(true).Render("boom")
				if hasColor != tc.wantColor {
					t.Errorf("theme %s: colour in %q = %v, want %v", name, out, hasColor, tc.wantColor)
				}
				if th.NoColor == tc.wantColor {
					t.Errorf("theme %s: NoColor = %v", name, th.NoColor)
				}
				if !strings.Contains(out, "boom") {
					t.Errorf("theme %s: text lost: %q", name, out)
				}
			}
		})
	}
}

func TestNamesAndNext(t *testing.T) {
	got := Names()
	want := []string{"dark", "light", "contrast"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for i, n := range want {
		if nx := Next(n); nx != want[(i+1)%3] {
			t.Errorf("Next(%q) = %q", n, nx)
		}
	}
	if Next("bogus") != "dark" {
		t.Errorf("Next(bogus) should restart at dark")
	}
	if New("", renderer(env{})).Name != "dark" || New("bogus", nil).Name != "dark" {
		t.Errorf("empty/unknown theme should be dark")
	}
}

func TestThemesDiffer(t *testing.T) {
	r := renderer(env{"TERM": "xterm-256color", "COLORTERM": "truecolor"})
	seen := map[string]string{}
	for _, n := range Names() {
		th := New(n, r)
		out := th.Title.Render("x") + th.Highlight.Render("y") + th.Selected.Render("z")
		for other, o := range seen {
			if o == out {
				t.Errorf("themes %s and %s render identically", n, other)
			}
		}
		seen[n] = out
		if len(th.Series) < 4 || len(th.HeatPos) != 4 || len(th.HeatNeg) != 4 {
			t.Errorf("theme %s: series %d heat %d/%d", n, len(th.Series), len(th.HeatPos), len(th.HeatNeg))
		}
	}
}
