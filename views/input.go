package views

import (
	"strings"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// input is a one-line text field. (bubbles/textinput needs github.com/atotto/clipboard,
// which this module's go.sum does not carry, so the views use this small editor.)
// Keys: printable runes and pastes insert, ←/→ ctrl+b/f move, home/end ctrl+a/e jump,
// backspace/delete ctrl+h/d erase, ctrl+w alt+backspace erase a word, ctrl+u/k erase
// before/after the cursor. The cursor is a static reverse-video cell.
type input struct {
	Prompt      string
	Placeholder string
	CharLimit   int // 0: none
	Width       int // cells for the text (scrolls horizontally); 0: unlimited

	PromptStyle, TextStyle, PlaceholderStyle, CursorStyle lipgloss.Style

	value []rune
	pos   int
	focus bool
}

func (in *input) SetValue(s string) {
	in.value = []rune(s)
	if in.CharLimit > 0 && len(in.value) > in.CharLimit {
		in.value = in.value[:in.CharLimit]
	}
	in.pos = len(in.value)
}

func (in *input) Value() string  { return string(in.value) }
func (in *input) Focused() bool  { return in.focus }
func (in *input) Focus() tea.Cmd { in.focus = true; return nil }
func (in *input) Blur()          { in.focus = false }
func (in *input) CursorEnd()     { in.pos = len(in.value) }

// Update edits the value for a key message while focused.
func (in *input) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyMsg)
	if !ok || !in.focus {
		return nil
	}
	switch km.Type {
	case tea.KeyRunes, tea.KeySpace:
		rs := km.Runes
		if km.Type == tea.KeySpace {
			rs = []rune{' '}
		}
		in.insert(rs)
		return nil
	}
	switch km.String() {
	case "left", "ctrl+b":
		in.pos = max(in.pos-1, 0)
	case "right", "ctrl+f":
		in.pos = min(in.pos+1, len(in.value))
	case "home", "ctrl+a":
		in.pos = 0
	case "end", "ctrl+e":
		in.pos = len(in.value)
	case "backspace", "ctrl+h":
		if in.pos > 0 {
			in.value = append(in.value[:in.pos-1], in.value[in.pos:]...)
			in.pos--
		}
	case "delete", "ctrl+d":
		if in.pos < len(in.value) {
			in.value = append(in.value[:in.pos], in.value[in.pos+1:]...)
		}
	case "ctrl+u":
		in.value = in.value[in.pos:]
		in.pos = 0
	case "ctrl+k":
		in.value = in.value[:in.pos]
	case "ctrl+w", "alt+backspace":
		i := in.pos
		for i > 0 && unicode.IsSpace(in.value[i-1]) {
			i--
		}
		for i > 0 && !unicode.IsSpace(in.value[i-1]) {
			i--
		}
		in.value = append(in.value[:i], in.value[in.pos:]...)
		in.pos = i
	}
	return nil
}

// insert adds runes at the cursor, dropping control characters (newlines in pastes become spaces).
func (in *input) insert(rs []rune) {
	clean := make([]rune, 0, len(rs))
	for _, r := range rs {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			clean = append(clean, ' ')
		case unicode.IsControl(r):
		default:
			clean = append(clean, r)
		}
	}
	if in.CharLimit > 0 {
		clean = clean[:max(min(len(clean), in.CharLimit-len(in.value)), 0)]
	}
	v := make([]rune, 0, len(in.value)+len(clean))
	v = append(v, in.value[:in.pos]...)
	v = append(v, clean...)
	in.value = append(v, in.value[in.pos:]...)
	in.pos += len(clean)
}

// View renders prompt, the visible window of the text and the cursor.
func (in *input) View() string {
	prompt := in.PromptStyle.Render(in.Prompt)
	if len(in.value) == 0 && !in.focus {
		return prompt + in.PlaceholderStyle.Render(in.Placeholder)
	}
	start, end := 0, len(in.value)
	if in.Width > 0 {
		// Scroll so that the cursor cell stays inside Width; the cursor after the last
		// rune takes one extra cell.
		extra := boolInt(in.pos == len(in.value))
		upto := min(in.pos+1, len(in.value))
		for start < in.pos && width(string(in.value[start:upto]))+extra > in.Width {
			start++
		}
		end = start
		for end < len(in.value) && width(string(in.value[start:end+1]))+extra <= in.Width {
			end++
		}
		end = max(end, min(in.pos, len(in.value)))
	}
	var b strings.Builder
	b.WriteString(prompt)
	if !in.focus {
		b.WriteString(in.TextStyle.Render(string(in.value[start:end])))
		return b.String()
	}
	b.WriteString(in.TextStyle.Render(string(in.value[start:in.pos])))
	cur := " "
	if in.pos < len(in.value) {
		cur = string(in.value[in.pos])
	}
	b.WriteString(in.CursorStyle.Reverse(true).Render(cur))
	if in.pos < end {
		b.WriteString(in.TextStyle.Render(string(in.value[in.pos+1 : end])))
	}
	if len(in.value) == 0 && in.Placeholder != "" {
		b.WriteString(in.PlaceholderStyle.Render(in.Placeholder))
	}
	return b.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// progressBar draws frac∈[0,1] over w cells with eighth-block resolution.
func progressBar(frac float64, w int, full, empty lipgloss.Style) string {
	bar := hbar(frac, w)
	rest := w - width(bar)
	return full.Render(bar) + empty.Render(strings.Repeat("░", max(rest, 0)))
}
