package views

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// input is bubbles' textinput with the small API the panes use: Update returns only the
// command, and the cursor is static (no blink ticks) so screens and goldens are stable.
type input struct {
	textinput.Model
}

// newInput returns an unfocused field.
func newInput(prompt, placeholder string, limit int) *input {
	m := textinput.New()
	m.Prompt, m.Placeholder, m.CharLimit = prompt, placeholder, limit
	m.Cursor.SetMode(cursor.CursorStatic)
	return &input{Model: m}
}

// Update passes msg to the field. A key's runes are copied first: textinput's sanitizer
// rewrites the slice it is given in place, and Bubble Tea hands out shared rune slices for
// some keys, so two SSH sessions typing at once raced on them (caught by go test -race in
// TestServeRealAppTwoSessions).
func (in *input) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok && len(k.Runes) > 0 {
		k.Runes = append([]rune(nil), k.Runes...)
		msg = k
	}
	var cmd tea.Cmd
	in.Model, cmd = in.Model.Update(msg)
	return cmd
}

// style sets the field's styles from a theme's.
func (in *input) style(prompt, text, placeholder, cur lipgloss.Style) {
	in.PromptStyle, in.TextStyle, in.PlaceholderStyle = prompt, text, placeholder
	in.Cursor.Style = cur.Reverse(true)
	in.Cursor.TextStyle = text
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// setWidth sets the cells the text and the cursor may use (textinput's Width counts the
// text only, and the cursor after the last rune takes one more cell) and scrolls the text
// so the cursor stays visible (textinput recomputes its scroll only when the cursor moves).
func (in *input) setWidth(w int) {
	w = max(w-1, 1)
	if in.Width == w {
		return
	}
	in.Width = w
	in.SetCursor(in.Position())
}

// paste inserts rs at the cursor in one step, control characters (line breaks, tabs) as
// spaces, cut at the field's CharLimit. It returns the runes inserted and the runes cut.
func (in *input) paste(rs []rune) (int, int) {
	s := []rune(oneLine(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, string(rs))))
	cur := []rune(in.Value())
	pos := min(in.Position(), len(cur))
	cut := 0
	if in.CharLimit > 0 {
		room := max(in.CharLimit-len(cur), 0)
		if len(s) > room {
			cut, s = len(s)-room, s[:room]
		}
	}
	next := append(append(append([]rune{}, cur[:pos]...), s...), cur[pos:]...)
	in.SetValue(string(next))
	in.SetCursor(pos + len(s))
	return len(s), cut
}
