package views

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/lab"
)

func (p *trainingPane) view(w, h int) string {
	t := p.a.theme
	if p.run == nil || p.show {
		formW := min(46, w)
		form := p.formView(formW, h)
		rightW := w - formW - 2
		var right string
		if p.run == nil {
			right = p.introView(rightW, h)
		} else {
			right = p.chartsView(rightW, h)
		}
		if rightW < 24 {
			return form
		}
		return hjoin(2, []int{formW, rightW}, form, right)
	}
	_ = t
	return p.chartsView(w, h)
}

// chartsView lays out the run's header, progress and the four panels.
func (p *trainingPane) chartsView(w, h int) string {
	r := p.run
	lines := []string{p.runHeader(w), p.progressLine(w)}
	avail := h - len(lines)
	if avail < 4 {
		return fitLines(lines, w, h)
	}
	var grid string
	if w >= 64 && r.mix != nil && avail >= 12 {
		lw := (w - 2) / 2
		rw := w - 2 - lw
		topH := max(avail*2/5, 4)
		midH := max(avail*3/10, 4)
		botH := avail - topH - midH
		grid = strings.Join([]string{
			hjoin(2, []int{lw, rw}, p.lossPanel(lw, topH), p.scorePanel(rw, topH)),
			hjoin(2, []int{lw, rw}, p.weightsPanel(lw, midH), p.rewardsPanel(rw, midH)),
			hjoin(2, []int{lw, rw}, p.lrPanel(lw, botH), p.devPanel(rw, botH)),
		}, "\n")
	} else if w >= 64 {
		lw := (w - 2) / 2
		rw := w - 2 - lw
		topH := max(avail*3/5, 4)
		botH := avail - topH
		top := hjoin(2, []int{lw, rw}, p.lossPanel(lw, topH), p.scorePanel(rw, topH))
		if botH >= 3 {
			bot := hjoin(2, []int{lw, rw}, p.lrPanel(lw, botH), p.devPanel(rw, botH))
			grid = top + "\n" + bot
		} else {
			grid = top
		}
	} else {
		n := 3
		ph := max(avail/n, 3)
		panels := []string{p.lossPanel(w, ph), p.scorePanel(w, ph), p.devPanel(w, avail-2*ph)}
		if r.mix != nil {
			ph = max(avail/4, 3)
			panels = []string{p.lossPanel(w, ph), p.scorePanel(w, ph), p.weightsPanel(w, ph), p.devPanel(w, avail-3*ph)}
		}
		grid = strings.Join(panels, "\n")
	}
	return fitLines(append(lines, grid), w, h)
}

func (p *trainingPane) runHeader(w int) string {
	t := p.a.theme
	r := p.run
	var state string
	switch {
	case r.running && r.job != nil && r.job.Paused():
		state = t.Warn.Render("‖ paused")
	case r.running:
		state = t.Accent.Render(p.spin.View() + " running")
	case r.done && r.err == nil:
		state = t.Good.Render("✓ finished")
	case r.done && errors.Is(r.err, context.Canceled):
		state = t.Warn.Render("■ stopped")
	case r.done:
		state = t.Error.Render("✗ failed")
	default:
		state = t.Accent.Render("● training")
	}
	c := r.cfg
	cfg := fmt.Sprintf("%s·%s·%s·%s  %s  τ %g  %s  %d ep × b%d  lr %g  len %d",
		c.Preset, c.Mode, c.Pooling, c.Head, lab.FormatLosses(c.Losses), c.Tau, c.Negatives, c.Epochs, c.Batch, c.LR, c.MaxLen)
	s := " " + state + "  " + t.Text.Render(cfg)
	if r.dir != "" {
		s += t.Muted.Render("  → " + shortPath(r.dir, 40))
	}
	return trunc(s, w)
}

func (p *trainingPane) progressLine(w int) string {
	t := p.a.theme
	ev := p.run.last
	frac := 0.0
	if ev.TotalSteps > 0 {
		frac = float64(ev.Step) / float64(ev.TotalSteps)
	}
	left := fmt.Sprintf(" epoch %d/%d  step %d/%d ", ev.Epoch, ev.Epochs, ev.Step, ev.TotalSteps)
	eta := "—"
	if ev.ETA > 0 { // the trainer's, from its recent step times
		eta = lab.FormatClock(ev.ETA)
	} else if ev.Step > 0 && ev.TotalSteps > ev.Step && ev.Elapsed > 0 {
		rem := time.Duration(float64(ev.Elapsed) * float64(ev.TotalSteps-ev.Step) / float64(ev.Step))
		eta = lab.FormatClock(rem)
	} else if ev.TotalSteps > 0 && ev.Step >= ev.TotalSteps {
		eta = "0:00"
	}
	right := fmt.Sprintf(" %3.0f%%  %s ex/s  elapsed %s  ETA %s", 100*frac, lab.FormatRate(ev.ExamplesPerSec), lab.FormatClock(ev.Elapsed), eta)
	bw := max(w-width(left)-width(right), 8)
	return trunc(t.Text.Render(left)+barView(&p.bar, frac, bw)+t.Text.Render(right), w)
}

// legend renders the title and "━ name value" entries in their series colours,
// wrapped onto more lines when they do not fit in w.
func (p *trainingPane) legend(title string, ss []series, w int) []string {
	t := p.a.theme
	lines := []string{t.Title.Render(title)}
	for _, se := range ss {
		v := math.NaN()
		if len(se.Values) > 0 {
			v = se.Values[len(se.Values)-1]
		}
		e := se.Style.Render("━ "+se.Name) + " " + t.Text.Render(compact(v))
		if last := lines[len(lines)-1]; width(last)+2+width(e) <= w {
			lines[len(lines)-1] = last + "  " + e
		} else {
			lines = append(lines, "  "+e)
		}
	}
	return lines
}

func (p *trainingPane) lossPanel(w, h int) string {
	t := p.a.theme
	r := p.run
	ss := []series{{Name: "total", Values: r.loss.values(), Style: t.SeriesStyle(0)}}
	names := make([]string, 0, len(r.terms))
	for k := range r.terms {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return lossRank(names[i]) < lossRank(names[j]) })
	for i, k := range names {
		ss = append(ss, series{Name: k, Values: r.terms[k].values(), Style: t.SeriesStyle(i + 1)})
	}
	return p.panel("Loss (weighted terms)", ss, w, h, chartOpts{})
}

func lossRank(name string) string {
	order := map[string]string{"infonce": "0", "modinfonce": "1", "dyn": "2", "reg": "3", "std": "4"}
	if o, ok := order[name]; ok {
		return o
	}
	return "9" + name
}

func (p *trainingPane) scorePanel(w, h int) string {
	t := p.a.theme
	r := p.run
	zero, one := 0.0, 1.0
	ss := []series{
		{Name: "pos", Values: r.pos.values(), Style: t.Good},
		{Name: "neg", Values: r.neg.values(), Style: t.Error.UnsetBold()},
	}
	out := p.panel("σ score", ss, w, h, chartOpts{YMin: &zero, YMax: &one})
	if r.collapsed() {
		gap := r.gaps[len(r.gaps)-1]
		lines := strings.Split(out, "\n")
		lines[len(lines)-1] = t.Warn.Render(fmt.Sprintf("⚠ score collapse: gap %.3f < %.1f", gap, collapseGap))
		out = fitLines(lines, w, h)
	}
	return out
}

func (p *trainingPane) lrPanel(w, h int) string {
	t := p.a.theme
	return p.panel("LR", []series{{Name: "lr", Values: p.run.lr.values(), Style: t.SeriesStyle(1)}}, w, h,
		chartOpts{YFormat: func(v float64) string {
			if v == 0 {
				return "0"
			}
			return fmt.Sprintf("%.0e", v)
		}})
}

// panel is a legend line over a chart.
func (p *trainingPane) panel(title string, ss []series, w, h int, o chartOpts) string {
	lines := p.legend(title, ss, w)
	if len(ss) == 0 || len(ss[0].Values) == 0 {
		lines = append(lines, p.a.theme.Subtle.Render("waiting for the first step…"))
		return fitLines(lines, w, h)
	}
	lines = append(lines, lineChart(ss, w, h-len(lines), o)...)
	return fitLines(lines, w, h)
}

// devCols are the dev metrics shown per epoch.
func devCols() []struct{ label, key string } {
	return []struct{ label, key string }{
		{"Top-1", metrics.TopKey(1)}, {"Top-5", metrics.TopKey(5)}, {"Top-20", metrics.TopKey(20)},
		{"MRR@10", metrics.MRR10}, {"nDCG@10", metrics.NDCG10},
	}
}

func (p *trainingPane) devPanel(w, h int) string {
	t := p.a.theme
	r := p.run
	title := "Dev metrics per epoch"
	if r.mix != nil {
		title = "Target dev metrics per epoch"
	}
	lines := []string{t.Title.Render(title)}
	if len(r.epochs) == 0 {
		lines = append(lines, t.Subtle.Render("after the first epoch"))
		return fitLines(lines, w, h)
	}
	cols := devCols()
	const cw = 8
	n := min(len(cols), max((w-6)/cw, 1))
	cols = cols[:n]
	head := padRight("epoch", 6)
	for _, c := range cols {
		head += padLeft(c.label, cw)
	}
	lines = append(lines, t.Muted.Render(head))
	best := make([]float64, n)
	for i := range best {
		best[i] = math.Inf(-1)
		for _, e := range r.epochs {
			if v, ok := e.dev[cols[i].key]; ok {
				best[i] = math.Max(best[i], v)
			}
		}
	}
	rows := r.epochs
	if room := h - 2; len(rows) > room && room > 0 {
		rows = rows[len(rows)-room:]
	}
	for _, e := range rows {
		line := t.Text.Render(padRight(strconv.Itoa(e.epoch), 6))
		for i, c := range cols {
			v, ok := e.dev[c.key]
			cell := t.Subtle.Render("—")
			switch {
			case ok && v == best[i] && len(r.epochs) > 1:
				cell = t.Best.Render(fmt.Sprintf("%.3f", v))
			case ok:
				cell = t.Text.Render(fmt.Sprintf("%.3f", v))
			}
			line += padLeft(cell, cw)
		}
		lines = append(lines, line)
	}
	return fitLines(lines, w, h)
}
