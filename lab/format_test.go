package lab

import (
	"testing"
	"time"
)

func TestFormatters(t *testing.T) {
	tests := []struct{ got, want string }{
		{FormatLosses(map[string]float64{"reg": 1e-4, "infonce": 1, "dyn": 0.5}), "infonce=1,dyn=0.5,reg=0.0001"},
		{FormatLosses(map[string]float64{"zeta": 2, "modinfonce": 1}), "modinfonce=1,zeta=2"},
		{FormatLosses(nil), ""},
		{FormatMetrics(map[string]float64{"top1": 0.25, "mrr@10": 0.5}), "mrr@10 0.5000 top1 0.2500"},
		{FormatRate(3.21), "3.2"},
		{FormatRate(250.4), "250"},
		{FormatRate(12500), "12.5k"},
		{FormatRate(1.26e6), "1.3M"},
		{FormatClock(65 * time.Second), "1:05"},
		{FormatClock(3*time.Hour + 2*time.Minute + 1*time.Second), "3:02:01"},
		{FormatClock(1499 * time.Millisecond), "0:01"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}
