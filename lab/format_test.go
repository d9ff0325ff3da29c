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
		{FormatTook(0), "<1µs"},
		{FormatTook(4 * time.Microsecond), "4µs"},
		{FormatTook(3750 * time.Microsecond), "3.75ms"},
		{FormatTook(1200 * time.Millisecond), "1.20s"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestMergeRowsReplacesSameNameAndSplit(t *testing.T) {
	base := []Row{{Name: "BM25", Split: "test", Metrics: map[string]float64{"top1": 0.5}}, {Name: "TF-IDF", Split: "test"}}
	got := MergeRows(base, []Row{{Name: "BM25", Split: "test", Metrics: map[string]float64{"top1": 0.6}}, {Name: "BM25", Split: "dev"}})
	if len(got) != 3 || got[0].Metrics["top1"] != 0.6 || got[2].Split != "dev" || base[0].Metrics["top1"] != 0.5 {
		t.Errorf("merged rows: %+v", got)
	}
}
