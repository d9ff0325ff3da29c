package views

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// series is one line of a chart.
type series struct {
	Name   string
	Values []float64 // NaN values are gaps
	Style  lipgloss.Style
}

// chartOpts tunes lineChart.
type chartOpts struct {
	YMin, YMax *float64 // fixed axis bounds (nil: from the data)
	XLabels    []string // labels under evenly spaced points (e.g. k values); nil: no axis row
	YFormat    func(float64) string
}

// brailleBit is the dot bit of braille cell position (x in 0..1, y in 0..3, top first).
func brailleBit(x, y int) rune {
	return [2][4]rune{{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}}[x][y]
}

// lineChart draws series as braille line plots in a w×h cell box: a y-axis column with
// labels at the left, the plot area to its right and, with XLabels, one axis row at the
// bottom. Each cell takes the colour of the last series that drew a dot in it.
// Series with fewer points are drawn over the same x span (points evenly spaced).
func lineChart(ss []series, w, h int, o chartOpts) []string {
	if w < 12 || h < 2 {
		return nil
	}
	rows := h
	if o.XLabels != nil {
		rows--
	}
	yfmt := o.YFormat
	if yfmt == nil {
		yfmt = compact
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	n := 0
	for _, s := range ss {
		n = max(n, len(s.Values))
		for _, v := range s.Values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if o.YMin != nil {
		lo = *o.YMin
	}
	if o.YMax != nil {
		hi = *o.YMax
	}
	empty := math.IsInf(lo, 0) || math.IsInf(hi, 0)
	if empty {
		lo, hi = 0, 1
	}
	if hi-lo < 1e-12 {
		pad := math.Max(math.Abs(hi)*0.05, 1e-6)
		lo, hi = lo-pad, hi+pad
	}
	labels := []string{yfmt(hi), yfmt((hi + lo) / 2), yfmt(lo)}
	lw := 0
	for _, l := range labels {
		lw = max(lw, width(l))
	}
	pw := w - lw - 2 // plot width in cells ("label ┤")
	if pw < 4 {
		return nil
	}
	dw, dh := pw*2, rows*4
	dots := make([][]rune, rows)
	owner := make([][]int, rows)
	for r := range dots {
		dots[r] = make([]rune, pw)
		owner[r] = make([]int, pw)
		for c := range owner[r] {
			owner[r][c] = -1
		}
	}
	set := func(x, y, si int) {
		if x < 0 || x >= dw || y < 0 || y >= dh {
			return
		}
		cr, cc := y/4, x/2
		dots[cr][cc] |= brailleBit(x%2, y%4)
		owner[cr][cc] = si
	}
	toY := func(v float64) int {
		f := (v - lo) / (hi - lo)
		return int(math.Round((1 - f) * float64(dh-1)))
	}
	for si, s := range ss {
		m := len(s.Values)
		px, py, have := 0, 0, false
		for i, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				have = false
				continue
			}
			x := 0
			if m > 1 {
				x = int(math.Round(float64(i) * float64(dw-1) / float64(m-1)))
			}
			y := min(max(toY(v), 0), dh-1)
			if have {
				line(px, py, x, y, func(a, b int) { set(a, b, si) })
			} else {
				set(x, y, si)
			}
			px, py, have = x, y, true
		}
	}
	out := make([]string, 0, h)
	for r := 0; r < rows; r++ {
		label := ""
		switch {
		case r == 0:
			label = labels[0]
		case r == rows-1:
			label = labels[2]
		case r == rows/2 && rows >= 5:
			label = labels[1]
		}
		var b strings.Builder
		b.WriteString(padLeft(label, lw))
		if label != "" {
			b.WriteString(" ┤")
		} else {
			b.WriteString(" │")
		}
		for c := 0; c < pw; c++ {
			ch := string(0x2800 + dots[r][c])
			if si := owner[r][c]; si >= 0 {
				ch = ss[si].Style.Render(ch)
			}
			b.WriteString(ch)
		}
		out = append(out, b.String())
	}
	if o.XLabels != nil {
		axis := []rune(strings.Repeat(" ", pw))
		k := len(o.XLabels)
		for i, l := range o.XLabels {
			x := 0
			if k > 1 {
				x = int(math.Round(float64(i) * float64(pw-1) / float64(k-1)))
			}
			lr := []rune(l)
			start := min(max(x-len(lr)/2, 0), max(pw-len(lr), 0))
			for j, ch := range lr {
				if start+j < pw {
					axis[start+j] = ch
				}
			}
		}
		out = append(out, strings.Repeat(" ", lw+2)+string(axis))
	}
	return out
}

// line calls plot for every dot of the segment (x0,y0)–(x1,y1) (Bresenham).
func line(x0, y0, x1, y1 int, plot func(x, y int)) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for {
		plot(x0, y0)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// compact formats a number in at most ~7 cells: 0.812, 12.3, 1.2e-04.
func compact(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 1e5 || a < 1e-3:
		return fmt.Sprintf("%.1e", v)
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

// eighths are the left-aligned partial blocks, 1/8 to 8/8.
const eighths = "▏▎▍▌▋▊▉█"

// hbar is a horizontal bar of frac∈[0,1] of w cells, with eighth-block resolution.
func hbar(frac float64, w int) string {
	if w <= 0 || math.IsNaN(frac) {
		return ""
	}
	frac = math.Min(math.Max(frac, 0), 1)
	units := int(math.Round(frac * float64(w*8)))
	full, rest := units/8, units%8
	s := strings.Repeat("█", full)
	if rest > 0 {
		s += string([]rune(eighths)[rest-1])
	}
	return s
}

// levels are bottom-aligned blocks for vertical magnitude, 1/8 to 8/8.
const levels = "▁▂▃▄▅▆▇█"

// vlevel maps frac∈[0,1] to a block (space for 0).
func vlevel(frac float64) string {
	if frac <= 0 || math.IsNaN(frac) {
		return " "
	}
	i := int(math.Ceil(math.Min(frac, 1)*8)) - 1
	return string([]rune(levels)[max(i, 0)])
}

// history keeps a series of at most cap points, merging neighbours (mean) when full,
// so a long training keeps a bounded, evenly thinned curve.
type history struct {
	vals   []float64
	stride int     // raw points per stored point
	acc    float64 // partial mean of the pending point
	accN   int
	cap    int
}

func newHistory(capacity int) *history { return &history{stride: 1, cap: capacity} }

func (h *history) add(v float64) {
	h.acc += v
	h.accN++
	if h.accN < h.stride {
		return
	}
	h.vals = append(h.vals, h.acc/float64(h.accN))
	h.acc, h.accN = 0, 0
	if len(h.vals) >= h.cap {
		half := make([]float64, 0, h.cap)
		for i := 0; i+1 < len(h.vals); i += 2 {
			half = append(half, (h.vals[i]+h.vals[i+1])/2)
		}
		h.vals = half
		h.stride *= 2
	}
}

// values returns the stored points plus the pending partial one.
func (h *history) values() []float64 {
	if h.accN == 0 {
		return h.vals
	}
	return append(h.vals[:len(h.vals):len(h.vals)], h.acc/float64(h.accN))
}
