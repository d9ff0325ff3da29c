package train

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// The shown rate and ETA are computed over the recent steps: at least DefaultRateWindow of
// them, and as many more as cover DefaultRateSpan of training time (fast steps on a shared
// CPU swing with its load from second to second).
const (
	DefaultRateWindow = 20
	DefaultRateSpan   = 30 * time.Second
)

// Meter turns step durations into the figures a user can trust: a rate and an ETA over a
// window of recent steps (one step's rate swings several-fold on a shared CPU, and the first
// step also builds the graph, so it leaves the window as soon as a second step is in), and
// the average over the whole session. Durations come from
// the caller's clock, so tests drive it with a synthetic one.
type Meter struct {
	window   int
	span     time.Duration
	ex       []int
	dur      []time.Duration
	totalEx  int
	totalDur time.Duration
	steps    int
}

// NewMeter returns a Meter averaging over at least the last window steps (≥ 1) and over
// as many more as cover span.
func NewMeter(window int, span time.Duration) *Meter {
	return &Meter{window: max(window, 1), span: span}
}

// Add records one step of n examples that took d.
func (m *Meter) Add(n int, d time.Duration) {
	m.ex = append(m.ex, n)
	m.dur = append(m.dur, d)
	m.steps++
	if m.steps == 2 && len(m.ex) == 2 { // the first step also built the graph: alone it is all we know, then it goes
		m.ex, m.dur = m.ex[1:], m.dur[1:]
	}
	var sum time.Duration
	for _, x := range m.dur {
		sum += x
	}
	for len(m.ex) > m.window && sum-m.dur[0] >= m.span {
		sum -= m.dur[0]
		m.ex, m.dur = m.ex[1:], m.dur[1:]
	}
	m.totalEx += n
	m.totalDur += d
}

// Skip forgets the window (after a pause), keeping the session average.
func (m *Meter) Skip() { m.ex, m.dur = m.ex[:0], m.dur[:0] }

// Rate is examples per second over the window (0 before any step).
func (m *Meter) Rate() float64 {
	n, d := 0, time.Duration(0)
	for i := range m.ex {
		n += m.ex[i]
		d += m.dur[i]
	}
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// ETA is how long steps more steps take at the window's mean step time (0 when unknown).
func (m *Meter) ETA(steps int) time.Duration {
	if len(m.dur) == 0 || steps <= 0 {
		return 0
	}
	var d time.Duration
	for _, x := range m.dur {
		d += x
	}
	return time.Duration(float64(d) / float64(len(m.dur)) * float64(steps))
}

// Average is examples per second over every step recorded.
func (m *Meter) Average() float64 {
	if m.totalDur <= 0 {
		return 0
	}
	return float64(m.totalEx) / m.totalDur.Seconds()
}

// DominantShare is the share of the weighted loss above which one term is said to dwarf
// the others at step 1.
const DominantShare = 0.9

// LossBalance returns a warning when one weighted term is at least DominantShare of the
// sum of the weighted terms' magnitudes (terms unweighted, as in Event.Terms; weights as
// Config.Losses), else "".
func LossBalance(terms, weights map[string]float64) string {
	if len(terms) < 2 {
		return ""
	}
	names := make([]string, 0, len(terms))
	sum := 0.0
	for k, v := range terms {
		names = append(names, k)
		sum += math.Abs(weights[k] * v)
	}
	sort.Strings(names)
	if !(sum > 0) {
		return ""
	}
	for _, k := range names {
		w := math.Abs(weights[k] * terms[k])
		if w/sum >= DominantShare {
			var others []string
			for _, o := range names {
				if o != k {
					others = append(others, fmt.Sprintf("%s %.3g", o, weights[o]*terms[o]))
				}
			}
			return fmt.Sprintf("warning: at step 1 the %s term (weight %g × %.4g = %.4g) is %.0f%% of the loss; the others (%s) "+
				"barely train — lower its weight, e.g. --loss infonce=1,dyn=0.5,reg=1e-4",
				k, weights[k], terms[k], weights[k]*terms[k], 100*w/sum, strings.Join(others, ", "))
		}
	}
	return ""
}

// checkLossBalance emits LossBalance's warning, if any, as an InfoEvent.
func (t *trainer) checkLossBalance(terms map[string]float64) {
	if msg := LossBalance(terms, t.cfg.Losses); msg != "" {
		t.info(msg)
	}
}
