package dense

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/head"
)

// TestWindowsWorkedExample: [CLS] [P] and 10 word pieces, max-len 7, leave 4 pieces a
// window; stride 2 (the default, half a window) gives 4 windows, the last reaching the end;
// a stride above the window is capped at it (no gaps), and the last window is moved back to
// end at the end with a full window (not a two-piece tail).
func TestWindowsWorkedExample(t *testing.T) {
	head, tail := []int{1, 2}, 3
	pieces := []int{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	want := [][]int{
		{1, 2, 10, 11, 12, 13, 3},
		{1, 2, 12, 13, 14, 15, 3},
		{1, 2, 14, 15, 16, 17, 3},
		{1, 2, 16, 17, 18, 19, 3},
	}
	for _, stride := range []int{0, 2} {
		if got := windows(head, pieces, tail, 7, stride); !reflect.DeepEqual(got, want) {
			t.Errorf("stride %d: %v, want %v", stride, got, want)
		}
	}
	want = [][]int{{1, 2, 10, 11, 12, 13, 3}, {1, 2, 14, 15, 16, 17, 3}, {1, 2, 16, 17, 18, 19, 3}}
	if got := windows(head, pieces, tail, 7, 99); !reflect.DeepEqual(got, want) {
		t.Errorf("stride 99: %v, want %v", got, want)
	}
	want = [][]int{{1, 2, 10, 11, 12, 13, 3}, {1, 2, 13, 14, 15, 16, 3}} // stride 3 over 7 pieces: 0, then 3
	if got := windows(head, pieces[:7], tail, 7, 3); !reflect.DeepEqual(got, want) {
		t.Errorf("7 pieces, stride 3: %v, want %v", got, want)
	}
	if got := windows(head, pieces[:4], tail, 7, 2); len(got) != 1 {
		t.Errorf("a passage that fits: %d windows, want 1", len(got))
	}
}

// TestMaxP: a passage longer than max-len is indexed as overlapping windows whose first is
// exactly what first-window-only indexing encodes; its score is the best window's (checked
// against each window scored on its own), Search, Rerank and Explain agree on it, and short
// passages keep one window.
func TestMaxP(t *testing.T) {
	for _, kind := range []string{head.ARS, head.Dot} {
		m := newModel(t, kind, "shared") // MaxLen 16
		long := datasets.Passage{ID: "long", Text: strings.Repeat("the glacier ice melts slowly in the warm summer ", 3) +
			"magma rises and the volcano erupts with hot lava " + strings.Repeat("camels cross the sandy desert carrying water ", 2)}
		ps := append(append([]datasets.Passage{}, passages...), long)

		first, err := m.Index(context.Background(), ps, nil)
		if err != nil {
			t.Fatal(err)
		}
		m.Window = Window{Split: true, Stride: 5}
		ix, err := m.Index(context.Background(), ps, nil)
		if err != nil {
			t.Fatal(err)
		}
		ws := m.PassageWindows(long.Title, long.Text)
		if n := m.PassageLen(long.Title, long.Text); n <= 16 || len(ws) < 3 {
			t.Fatalf("%s: the long passage takes %d tokens in %d windows; the test wants several", kind, n, len(ws))
		}
		total := 0
		for _, p := range ps {
			total += len(m.PassageWindows(p.Title, p.Text))
		}
		if first.Windows() != len(ps) || ix.Windows() != total || ix.Len() != len(ps) {
			t.Errorf("%s: %d and %d windows for %d passages, want %d and %d", kind, first.Windows(), ix.Windows(), len(ps), len(ps), total)
		}
		if !reflect.DeepEqual(ws[0], m.PassageIDs(long.Title, long.Text)) {
			t.Errorf("%s: first window %v differs from the first-window-only ids %v", kind, ws[0], m.PassageIDs(long.Title, long.Text))
		}
		for _, q := range []string{"volcano lava", "camels desert water", "glacier summer"} {
			qp := ix.projectQuery(q)
			out, err := m.EncP.Encode(ws)
			if err != nil {
				t.Fatal(err)
			}
			proj := make([]float32, len(ws)*ix.k)
			if err := m.Head.ProjectPassages(out, proj); err != nil {
				t.Fatal(err)
			}
			best, firstScore := float32(math.Inf(-1)), float32(0)
			for w := range ws {
				s := m.Head.Score(qp, proj[w*ix.k:(w+1)*ix.k])
				best = max(best, s)
				if w == 0 {
					firstScore = s
				}
			}
			li := len(ps) - 1
			var got, gotFirst float64
			for _, h := range ix.Search(q, len(ps)) {
				if h.ID == "long" {
					got = h.Score
				}
			}
			for _, h := range first.Search(q, len(ps)) {
				if h.ID == "long" {
					gotFirst = h.Score
				}
			}
			if math.Abs(got-float64(best)) > 1e-5 || math.Abs(gotFirst-float64(firstScore)) > 1e-5 {
				t.Errorf("%s %q: MaxP score %.6f (want best window %.6f), first-window score %.6f (want %.6f)", kind, q, got, best, gotFirst, firstScore)
			}
			if rr := ix.Rerank(q, []int{li}); len(rr) != 1 || math.Abs(rr[0].Score-got) > 1e-6 {
				t.Errorf("%s %q: Rerank %v, want score %.6f", kind, q, rr, got)
			}
			if ex, ok := ix.Explain(q, li); !ok || math.Abs(ex.Score-got) > 1e-4 {
				t.Errorf("%s %q: Explain score %.6f, want %.6f", kind, q, ex.Score, got)
			}
			if got < gotFirst-1e-6 {
				t.Errorf("%s %q: MaxP %.6f below the first window's %.6f", kind, q, got, gotFirst)
			}
		}
	}
}
