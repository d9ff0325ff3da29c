package app

import (
	"fmt"
	"io"
	"time"

	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/lab"
)

// progressLine returns an engine.Progress that prints "label done/total (rate/s, ETA)" to w
// every interval, and a final line when done == total. Jobs shorter than interval print nothing.
// now is injectable for tests.
func progressLine(w io.Writer, label string, interval time.Duration, now func() time.Time) engine.Progress {
	start := now()
	last := start
	printed := false
	return func(done, total int) {
		t := now()
		finished := total > 0 && done >= total
		if finished && !printed && t.Sub(start) < interval {
			return
		}
		if !finished && t.Sub(last) < interval {
			return
		}
		last, printed = t, true
		fmt.Fprintln(w, formatProgress(label, done, total, t.Sub(start)))
	}
}

// formatProgress renders one progress line.
func formatProgress(label string, done, total int, elapsed time.Duration) string {
	secs := elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(done) / secs
	}
	if total <= 0 {
		return fmt.Sprintf("%s: %d (%s/s)", label, done, lab.FormatRate(rate))
	}
	pct := 100 * float64(done) / float64(total)
	if done >= total {
		return fmt.Sprintf("%s: %d/%d (100%%) in %s, %s/s", label, done, total, elapsed.Round(10*time.Millisecond), lab.FormatRate(rate))
	}
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(total-done) / rate * float64(time.Second))).Round(time.Second).String()
	}
	return fmt.Sprintf("%s: %d/%d (%.0f%%) %s/s, ETA %s", label, done, total, pct, lab.FormatRate(rate), eta)
}
