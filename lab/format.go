package lab

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The formatters below are shared by the command line and the panes, so both write rates,
// durations, loss weights and metrics the same way.

// FormatRate writes a rate compactly: 3.2, 250, 12.5k, 1.3M.
func FormatRate(x float64) string {
	switch {
	case x >= 1e6:
		return fmt.Sprintf("%.1fM", x/1e6)
	case x >= 1e4:
		return fmt.Sprintf("%.1fk", x/1e3)
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	default:
		return fmt.Sprintf("%.1f", x)
	}
}

// FormatClock writes a duration as m:ss, or h:mm:ss from an hour on.
func FormatClock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// lossOrder is the order loss terms are written in: the contrastive term first.
var lossOrder = []string{"infonce", "modinfonce", "dyn", "reg", "std"}

// FormatLosses writes loss weights in the --loss syntax ("infonce=1,dyn=0.5,reg=0.0001"),
// known terms in lossOrder, any others after them by name.
func FormatLosses(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if i := slices.Index(lossOrder, k); i >= 0 {
			return i
		}
		return len(lossOrder)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.FormatFloat(m[k], 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

// FormatMetrics writes "key value" pairs in key order ("map 0.8495 mrr@10 0.9116").
func FormatMetrics(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %.4f", k, m[k])
	}
	return strings.Join(parts, " ")
}

// FormatTook writes a measured duration with three significant digits: 830ns, 72µs, 3.75ms,
// 1.2s. A duration under a microsecond (a clock too coarse to see it) is "<1µs", never "0s".
func FormatTook(d time.Duration) string {
	switch {
	case d < time.Microsecond:
		return "<1µs"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
}

// MergeRows is base with newer rows added: a newer row replaces the base row of the same
// name and split (re-evaluating BM25 updates its row, it does not add a second one).
func MergeRows(base, newer []Row) []Row {
	out := append([]Row(nil), base...)
	for _, r := range newer {
		i := slices.IndexFunc(out, func(o Row) bool { return o.Name == r.Name && o.Split == r.Split })
		if i >= 0 {
			out[i] = r
		} else {
			out = append(out, r)
		}
	}
	return out
}
