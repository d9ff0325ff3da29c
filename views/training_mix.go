package views

import (
	"math"

	"github.com/arslab/arslab/engine/metrics"
	"github.com/arslab/arslab/engine/train"
)

// The Training pane's panels for a multi-dataset run (train.RunMixture): each dataset's
// sampling weight over time with the target dev nDCG@10, and the infdds rewards.

// mixHistory is what the pane keeps of a mixture run's events.
type mixHistory struct {
	names   []string
	weights []*history // P(i) at each policy event
	rewards []*history // infdds reward Rᵢ at each round
	dev     *history   // target dev nDCG@10 at each policy event (NaN before the first epoch)
	lastDev float64
	learned bool // rewards seen (infdds)
	source  int  // dataset of the last step
	counts  []int
}

// mixEvent records the mixture part of ev (ev.Mixture is set).
func (r *run) mixEvent(ev train.Event) {
	mi := ev.Mixture
	if r.mix == nil || len(r.mix.names) != len(mi.Names) {
		m := &mixHistory{names: mi.Names, dev: newHistory(historyCap), lastDev: math.NaN(), source: -1}
		for range mi.Names {
			m.weights = append(m.weights, newHistory(historyCap))
			m.rewards = append(m.rewards, newHistory(historyCap))
		}
		r.mix = m
	}
	m := r.mix
	m.counts = mi.Counts
	switch ev.Kind {
	case train.PolicyEvent:
		for i := range m.names {
			if i < len(mi.Weights) {
				m.weights[i].add(mi.Weights[i])
			}
			if i < len(mi.Rewards) {
				m.rewards[i].add(mi.Rewards[i])
				m.learned = true
			}
		}
		m.dev.add(m.lastDev)
	case train.StepEvent:
		m.source = mi.Source
	case train.EpochEvent:
		if v, ok := ev.Dev[metrics.NDCG10]; ok {
			m.lastDev = v
			m.dev.add(v) // the point right after the epoch, so the line moves at once
			for i := range m.names {
				if i < len(mi.Weights) {
					m.weights[i].add(mi.Weights[i])
				}
			}
		}
	}
}

// weightsPanel plots P(i) per dataset and the target dev nDCG@10 on one [0, 1] axis.
func (p *trainingPane) weightsPanel(w, h int) string {
	t := p.a.theme
	m := p.run.mix
	var ss []series
	for i, n := range m.names {
		ss = append(ss, series{Name: n, Values: m.weights[i].values(), Style: t.SeriesStyle(i)})
	}
	ss = append(ss, series{Name: "target dev nDCG@10", Values: m.dev.values(), Style: t.Good})
	zero, one := 0.0, 1.0
	return p.panel("Sampling weights", ss, w, h, chartOpts{YMin: &zero, YMax: &one})
}

// rewardsPanel plots the infdds rewards per dataset (the target-dev loss drop of its proxy steps).
func (p *trainingPane) rewardsPanel(w, h int) string {
	t := p.a.theme
	m := p.run.mix
	if !m.learned {
		lines := []string{t.Title.Render("Influence rewards"), t.Subtle.Render("static sampler: no rewards")}
		return fitLines(lines, w, h)
	}
	var ss []series
	for i, n := range m.names {
		ss = append(ss, series{Name: n, Values: m.rewards[i].values(), Style: t.SeriesStyle(i)})
	}
	return p.panel("Influence rewards (dev loss drop)", ss, w, h, chartOpts{})
}
