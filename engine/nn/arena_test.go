package nn

import "testing"

// steps runs one "step" of requests on a and checks that the slices it hands out do
// not overlap (each is filled with its index, then all are read back).
func arenaStep(t *testing.T, a *arena[float32], sizes []int) {
	t.Helper()
	a.reset()
	got := make([][]float32, len(sizes))
	for i, n := range sizes {
		got[i] = a.get(n)
		if len(got[i]) != n || cap(got[i]) != n {
			t.Fatalf("get(%d): len %d cap %d", n, len(got[i]), cap(got[i]))
		}
		for j := range got[i] {
			got[i][j] = float32(i)
		}
	}
	for i, s := range got {
		for _, v := range s {
			if v != float32(i) {
				t.Fatalf("slice %d overwritten by slice %g", i, v)
			}
		}
	}
}

// TestArenaReuseAndGrowth: repeated shapes allocate nothing; a larger shape replaces
// chunks instead of keeping an old and a new copy (the arena holds at most 9/8 of the
// largest step plus one small chunk per request smaller than arenaMinChunk, the most
// that requests sharing chunks can leave unused); mark/release hands the same memory
// out again.
func TestArenaReuseAndGrowth(t *testing.T) {
	big := 3 * arenaMinChunk
	step := []int{big, big, 100, 7, big / 2, 300_000, 5}
	total, small := 0, 0
	for _, n := range step {
		total += n
		if n < arenaMinChunk {
			small++
		}
	}
	a := &arena[float32]{}
	arenaStep(t, a, step)
	first := a.size()
	if first > total+small*arenaMinChunk {
		t.Errorf("after one step the arena holds %d values for %d requested", first, total)
	}
	if allocs := testing.AllocsPerRun(5, func() {
		a.reset()
		for _, n := range step {
			a.get(n)
		}
	}); allocs != 0 {
		t.Errorf("repeated step: %v allocations, want 0", allocs)
	}
	// A step 10 % larger: chunks grow in place of the old ones.
	grown := make([]int, len(step))
	gtotal := 0
	for i, n := range step {
		grown[i] = n + n/10
		gtotal += grown[i]
	}
	arenaStep(t, a, grown)
	if s := a.size(); s > gtotal*9/8+small*arenaMinChunk {
		t.Errorf("after growth the arena holds %d values, want ≤ 9/8 × %d + %d×%d", s, gtotal, small, arenaMinChunk)
	}
	arenaStep(t, a, step) // smaller again: fits
	if allocs := testing.AllocsPerRun(5, func() {
		a.reset()
		for _, n := range grown {
			a.get(n)
		}
	}); allocs != 0 {
		t.Errorf("grown step again: %v allocations, want 0", allocs)
	}
	// mark/release: memory after the mark is handed out again.
	a.reset()
	a.get(10)
	m := a.mark()
	x := a.get(1000)
	a.release(m)
	if y := a.get(1000); &y[0] != &x[0] {
		t.Error("release(mark) did not hand the same memory out again")
	}
	// A nil arena makes fresh zeroed slices.
	var na *arena[float32]
	if s := na.get(4); len(s) != 4 || s[0] != 0 {
		t.Errorf("nil arena get: %v", s)
	}
	na.release(na.mark())
}
