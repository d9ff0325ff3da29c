// Package themes holds the colour themes of the ARS Lab TUI.
//
// A Theme is a set of lipgloss styles built from one *lipgloss.Renderer, so every SSH
// session renders with its own colour profile. NO_COLOR is honoured through the
// renderer: its environment-derived profile is then termenv.Ascii and every colour
// below renders as plain text (bold/underline/reverse stay, so emphasis survives).
package themes

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Theme names.
const (
	Dark     = "dark"
	Light    = "light"
	Contrast = "contrast"
)

// Names lists the themes in the order `t` cycles through them.
func Names() []string { return []string{Dark, Light, Contrast} }

// Palette is the raw colours a theme is built from (hex strings or ANSI numbers).
type Palette struct {
	Text, Muted, Subtle, Accent, Accent2 string
	Good, Warn, Bad                      string
	BarBG, BarFG, TabBG, SelectBG        string
	Highlight, HighlightFG               string
	Series                               []string // chart series, in order
	HeatPos, HeatNeg                     []string // weak → strong
}

// Theme is every style the views use.
type Theme struct {
	Name    string
	NoColor bool // the renderer's profile is Ascii (NO_COLOR or a dumb terminal)
	Palette Palette

	Text, Muted, Subtle lipgloss.Style
	Title               lipgloss.Style // pane and section titles
	Accent              lipgloss.Style
	Header, HeaderBrand lipgloss.Style // top bar
	TabActive, TabIdle  lipgloss.Style
	TabRule             lipgloss.Style
	StatusBar           lipgloss.Style
	Info, Good, Warn    lipgloss.Style
	Error               lipgloss.Style
	Badge               lipgloss.Style // e.g. READ-ONLY
	Selected            lipgloss.Style // selected row
	Highlight           lipgloss.Style // query terms in passages
	Relevant            lipgloss.Style // ✓ marks
	Best                lipgloss.Style // best value in a metrics column
	Key, Desc, Sep      lipgloss.Style // help
	Border              lipgloss.Style // boxes (border colour set)
	InputPrompt         lipgloss.Style
	InputText           lipgloss.Style
	Placeholder         lipgloss.Style
	Cursor              lipgloss.Style
	Series              []lipgloss.Style // chart series
	HeatPos, HeatNeg    []lipgloss.Style // heat strip levels, weak → strong
}

// palettes returns the palette of a theme name (unknown names give dark).
func palette(name string) Palette {
	switch name {
	case Light:
		return Palette{
			Text: "#1F2328", Muted: "#59636E", Subtle: "#8C959F", Accent: "#6E40C9", Accent2: "#0969DA",
			Good: "#1A7F37", Warn: "#9A6700", Bad: "#CF222E",
			BarBG: "#6E40C9", BarFG: "#FFFFFF", TabBG: "#EAEEF2", SelectBG: "#DDF4FF",
			Highlight: "#FFF8C5", HighlightFG: "#1F2328",
			Series:  []string{"#6E40C9", "#0969DA", "#1A7F37", "#BC4C00", "#CF222E", "#8250DF", "#1B7C83"},
			HeatPos: []string{"#ACEEBB", "#6FDD8B", "#2DA44E", "#116329"},
			HeatNeg: []string{"#FFCECB", "#FF8182", "#CF222E", "#82071E"},
		}
	case Contrast:
		return Palette{
			Text: "15", Muted: "15", Subtle: "7", Accent: "14", Accent2: "11",
			Good: "10", Warn: "11", Bad: "9",
			BarBG: "15", BarFG: "0", TabBG: "0", SelectBG: "15",
			Highlight: "11", HighlightFG: "0",
			Series:  []string{"14", "11", "10", "13", "9", "15", "12"},
			HeatPos: []string{"2", "2", "10", "10"},
			HeatNeg: []string{"1", "1", "9", "9"},
		}
	default:
		return Palette{
			Text: "#E6EDF3", Muted: "#9AA4B2", Subtle: "#5C6773", Accent: "#B392F0", Accent2: "#79C0FF",
			Good: "#56D364", Warn: "#E3B341", Bad: "#FF7B72",
			BarBG: "#3B2E5A", BarFG: "#F0E6FF", TabBG: "#21262D", SelectBG: "#2D333B",
			Highlight: "#E3B341", HighlightFG: "#0D1117",
			Series:  []string{"#B392F0", "#79C0FF", "#56D364", "#FFA657", "#FF7B72", "#F778BA", "#39C5CF"},
			HeatPos: []string{"#1B4721", "#2EA043", "#56D364", "#A6F3B0"},
			HeatNeg: []string{"#5A1E1E", "#B62324", "#FF7B72", "#FFC1BA"},
		}
	}
}

// New builds the named theme ("" or unknown → dark) with r (nil → lipgloss.DefaultRenderer()).
func New(name string, r *lipgloss.Renderer) Theme {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	switch name {
	case Dark, Light, Contrast:
	default:
		name = Dark
	}
	p := palette(name)
	c := func(s string) lipgloss.Color { return lipgloss.Color(s) }
	st := func() lipgloss.Style { return r.NewStyle() }
	contrast := name == Contrast

	t := Theme{Name: name, NoColor: r.ColorProfile() == termenv.Ascii, Palette: p}
	t.Text = st().Foreground(c(p.Text))
	t.Muted = st().Foreground(c(p.Muted))
	t.Subtle = st().Foreground(c(p.Subtle))
	t.Title = st().Foreground(c(p.Accent)).Bold(true)
	t.Accent = st().Foreground(c(p.Accent))
	t.Header = st().Foreground(c(p.BarFG)).Background(c(p.BarBG))
	t.HeaderBrand = st().Foreground(c(p.BarFG)).Background(c(p.BarBG)).Bold(true)
	t.TabActive = st().Foreground(c(p.Accent)).Bold(true).Underline(true)
	t.TabIdle = st().Foreground(c(p.Muted))
	t.TabRule = st().Foreground(c(p.Subtle))
	t.StatusBar = st().Foreground(c(p.Muted))
	t.Info = st().Foreground(c(p.Accent2))
	t.Good = st().Foreground(c(p.Good))
	t.Warn = st().Foreground(c(p.Warn)).Bold(true)
	t.Error = st().Foreground(c(p.Bad)).Bold(true)
	t.Badge = st().Foreground(c(p.HighlightFG)).Background(c(p.Warn)).Bold(true)
	t.Selected = st().Background(c(p.SelectBG)).Bold(true)
	if contrast {
		t.Selected = st().Reverse(true).Bold(true)
		// Reverse with underline leaves spaces unreversed in lipgloss: use colours.
		t.TabActive = st().Foreground(c("0")).Background(c(p.Accent)).Bold(true)
	}
	t.Highlight = st().Foreground(c(p.HighlightFG)).Background(c(p.Highlight)).Bold(true)
	if name == Dark {
		// A softer highlight on dark terminals: coloured, bold, underlined text.
		t.Highlight = st().Foreground(c(p.Highlight)).Bold(true).Underline(true)
	}
	t.Relevant = st().Foreground(c(p.Good)).Bold(true)
	t.Best = st().Foreground(c(p.Good)).Bold(true).Underline(true)
	t.Key = st().Foreground(c(p.Accent)).Bold(true)
	t.Desc = st().Foreground(c(p.Muted))
	t.Sep = st().Foreground(c(p.Subtle))
	t.Border = st().Border(lipgloss.RoundedBorder()).BorderForeground(c(p.Subtle))
	if contrast {
		t.Border = st().Border(lipgloss.ThickBorder()).BorderForeground(c(p.Text))
	}
	t.InputPrompt = st().Foreground(c(p.Accent)).Bold(true)
	t.InputText = st().Foreground(c(p.Text))
	t.Placeholder = st().Foreground(c(p.Subtle))
	t.Cursor = st().Foreground(c(p.Accent))
	for _, s := range p.Series {
		t.Series = append(t.Series, st().Foreground(c(s)))
	}
	for _, s := range p.HeatPos {
		t.HeatPos = append(t.HeatPos, st().Foreground(c(s)))
	}
	for _, s := range p.HeatNeg {
		t.HeatNeg = append(t.HeatNeg, st().Foreground(c(s)))
	}
	return t
}

// SeriesStyle returns the style of chart series i (cycling).
func (t Theme) SeriesStyle(i int) lipgloss.Style {
	if len(t.Series) == 0 {
		return t.Text
	}
	return t.Series[i%len(t.Series)]
}

// Next returns the theme name after name in Names (wrapping).
func Next(name string) string {
	names := Names()
	for i, n := range names {
		if n == name {
			return names[(i+1)%len(names)]
		}
	}
	return names[0]
}
