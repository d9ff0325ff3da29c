package views

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/lab"
	"github.com/charmbracelet/lipgloss"
)

// explainView shows the ARS score of the selected passage broken into dimensions.
func (p *queryPane) explainView(m lab.Model, hit engine.Hit, w, h int) string {
	t := p.a.theme
	k := fmt.Sprintf("%s\x00%s\x00%d", m.Name, p.query, hit.Index)
	ex, ok := p.cache[k]
	if !ok {
		ex.Explanation, ex.err = m.Explainer.Explain(p.query, hit.Index)
		p.cache[k] = ex
	}
	if ex.err != nil {
		return fitLines([]string{" " + t.Error.Render("✗ explaining "+hit.ID+": "+oneLine(ex.err.Error()))}, w, h)
	}
	head := t.Subtle.Render("──") + " " + t.Title.Render("Why "+hit.ID) + " " + t.Text.Render(explainHeader(ex.Explanation))
	lines := []string{trunc(head, w)}
	contrib := ex.Terms
	if len(contrib) == 0 {
		lines = append(lines, " "+t.Muted.Render("the model gave no contributions for this passage"))
		return fitLines(lines, w, h)
	}
	pos, neg := heatStrip(contrib, w-4, t.HeatPos, t.HeatNeg)
	lines = append(lines, " "+t.Good.Render("+")+" "+pos, " "+t.Error.UnsetBold().Render("−")+" "+neg)
	nBars := min(5, h-len(lines)-2)
	if nBars <= 0 {
		return fitLines(lines, w, h)
	}
	type dv struct {
		dim int
		v   float64
	}
	all := make([]dv, len(contrib))
	maxAbs := 0.0
	for i, v := range contrib {
		all[i] = dv{i, v}
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].v > all[j].v })
	cw := (w - 3) / 2
	bars := func(title string, items []dv, st lipgloss.Style) string {
		out := []string{t.Muted.Render(title)}
		dw := width(fmt.Sprintf("d%d", len(contrib)-1))
		for _, it := range items {
			label := padRight(fmt.Sprintf("d%d", it.dim), dw)
			val := fmt.Sprintf("%+.3f", it.v)
			bw := max(cw-dw-width(val)-3, 1)
			frac := 0.0
			if maxAbs > 0 {
				frac = math.Abs(it.v) / maxAbs
			}
			out = append(out, t.Text.Render(label)+" "+st.Render(padRight(hbar(frac, bw), bw))+" "+t.Text.Render(val))
		}
		return strings.Join(out, "\n")
	}
	var top, bottom []dv
	for i := 0; i < len(all) && len(top) < nBars; i++ {
		if all[i].v > 0 {
			top = append(top, all[i])
		}
	}
	for i := len(all) - 1; i >= 0 && len(bottom) < nBars; i-- {
		if all[i].v < 0 {
			bottom = append(bottom, all[i])
		}
	}
	lines = append(lines, hjoin(2, []int{cw, w - cw - 3}, " "+strings.ReplaceAll(bars("top positive dimensions", top, t.Good), "\n", "\n "),
		bars("top negative dimensions", bottom, t.Error.UnsetBold())))
	return fitLines(lines, w, h)
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// heatStrip draws per-dimension contributions in w cells: the first row grows with
// positive contributions, the second with negative ones (bins sum neighbouring
// dimensions when there are more dimensions than cells). Colour intensity follows magnitude.
func heatStrip(c []float64, w int, posSt, negSt []lipgloss.Style) (string, string) {
	if w <= 0 || len(c) == 0 {
		return "", ""
	}
	cells := min(w, len(c))
	per := 1 // cells per bin: widen few dimensions (at most 3 cells each)
	if len(c) < w {
		per = min(w/len(c), 3)
	}
	vals := make([]float64, cells)
	for i, v := range c {
		vals[i*cells/len(c)] += v
	}
	maxAbs := 0.0
	for _, v := range vals {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	var pos, neg strings.Builder
	pick := func(sts []lipgloss.Style, f float64) lipgloss.Style {
		i := min(int(f*float64(len(sts))), len(sts)-1)
		return sts[max(i, 0)]
	}
	for _, v := range vals {
		f := 0.0
		if maxAbs > 0 {
			f = math.Abs(v) / maxAbs
		}
		blank := strings.Repeat(" ", per)
		switch {
		case v > 0:
			pos.WriteString(pick(posSt, f).Render(strings.Repeat(vlevel(f), per)))
			neg.WriteString(blank)
		case v < 0:
			pos.WriteString(blank)
			neg.WriteString(pick(negSt, f).Render(strings.Repeat(vlevel(f), per)))
		default:
			pos.WriteString(blank)
			neg.WriteString(blank)
		}
	}
	return pos.String(), neg.String()
}

// signOf is "+" or "−" for writing a sum term.
func signOf(x float64) string {
	if x < 0 {
		return "−"
	}
	return "+"
}

// explainHeader writes an explanation's sum: "s = Σ vᵢ·tanh(…)ᵢ + b = 0.147 + -0.012 = 0.136 · σ(s) = 0.534 · 128 dims".
func explainHeader(ex lab.Explanation) string {
	sum := ex.Score - ex.Bias
	s := fmt.Sprintf("s = Σ %s", ex.Formula)
	if ex.Bias != 0 {
		s += fmt.Sprintf(" + b = %.3f %s %.3f", sum, signOf(ex.Bias), math.Abs(ex.Bias))
	}
	s += fmt.Sprintf(" = %.3f", ex.Score)
	if ex.Sigmoid {
		s += fmt.Sprintf(" · σ(s) = %.3f", sigmoid(ex.Score))
	}
	return s + fmt.Sprintf(" · %d dims", len(ex.Terms))
}
