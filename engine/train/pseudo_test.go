package train

import (
	"math/rand"
	"strings"
	"testing"
)

func TestCropSpan(t *testing.T) {
	words := strings.Fields("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen")
	text := " " + strings.Join(words, " ") + " "
	lengths := map[int]bool{}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 500; i++ {
		s := cropSpan(words, rng)
		n := len(strings.Fields(s))
		if n < 4 || n > 12 {
			t.Fatalf("span %q has %d words, want 4–12", s, n)
		}
		if !strings.Contains(text, " "+s+" ") {
			t.Fatalf("span %q is not a contiguous run of the passage", s)
		}
		lengths[n] = true
	}
	if len(lengths) != 9 {
		t.Errorf("saw lengths %v, want all of 4..12", lengths)
	}
	// Short passages are used whole; the same seed gives the same span.
	if got := cropSpan([]string{"a", "b", "c"}, rng); got != "a b c" {
		t.Errorf("short passage → %q", got)
	}
	a := cropSpan(words, rand.New(rand.NewSource(7)))
	b := cropSpan(words, rand.New(rand.NewSource(7)))
	if a != b {
		t.Errorf("same seed gave %q and %q", a, b)
	}
}
