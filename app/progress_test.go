package app

import (
	"strings"
	"testing"
	"time"
)

func TestFormatProgress(t *testing.T) {
	tests := []struct {
		name        string
		done, total int
		elapsed     time.Duration
		want        string
	}{
		// 250 in 5 s = 50/s; 750 left at 50/s = 15 s.
		{"midway", 250, 1000, 5 * time.Second, "index: 250/1000 (25%) 50.0/s, ETA 15s"},
		// 30000 in 2 s = 15000/s → "15.0k".
		{"finished", 30000, 30000, 2 * time.Second, "index: 30000/30000 (100%) in 2s, 15.0k/s"},
		{"unknown total", 40, 0, 4 * time.Second, "index: 40 (10.0/s)"},
		{"no time yet", 0, 10, 0, "index: 0/10 (0%) 0.0/s, ETA ?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := formatProgress("index", tc.done, tc.total, tc.elapsed); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestProgressLineThrottles(t *testing.T) {
	var b strings.Builder
	clock := time.Unix(0, 0)
	now := func() time.Time { return clock }
	p := progressLine(&b, "x", time.Second, now)
	for i := 1; i <= 10; i++ {
		clock = clock.Add(300 * time.Millisecond)
		p(i, 10)
	}
	// Printed at 1.2 s, 2.4 s, and the final call at 3.0 s.
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(lines), b.String())
	}
	if !strings.Contains(lines[0], "4/10 (40%)") || !strings.Contains(lines[2], "10/10 (100%)") {
		t.Errorf("unexpected lines %q", lines)
	}
}

func TestProgressLineQuietForShortJobs(t *testing.T) {
	var b strings.Builder
	clock := time.Unix(0, 0)
	p := progressLine(&b, "x", time.Second, func() time.Time { return clock })
	for i := 1; i <= 5; i++ {
		clock = clock.Add(100 * time.Millisecond)
		p(i, 5)
	}
	if b.Len() != 0 {
		t.Errorf("a 0.5 s job printed %q", b.String())
	}
}

func TestParseKs(t *testing.T) {
	ks, err := parseKs("1, 5,10")
	if err != nil || len(ks) != 3 || ks[0] != 1 || ks[2] != 10 {
		t.Fatalf("parseKs = %v, %v", ks, err)
	}
	for _, bad := range []string{"", "0", "a", "5,-1"} {
		if _, err := parseKs(bad); err == nil {
			t.Errorf("parseKs(%q) gave no error", bad)
		}
	}
}
