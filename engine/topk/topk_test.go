package topk

import (
	"math/rand"
	"reflect"
	"testing"
)

// TestPushMatchesSort: the heap keeps exactly the k best of a stream with many ties,
// in the order a full sort gives.
func TestPushMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, k := range []int{0, 1, 3, 10, 50} {
		all := make([]Cand[float32], 40)
		var h []Cand[float32]
		for i := range all {
			all[i] = Cand[float32]{Doc: int32(i), Score: float32(rng.Intn(6))}
			h = Push(h, k, all[i])
		}
		want := Sort(append([]Cand[float32](nil), all...))[:min(k, len(all))]
		got := Sort(h)
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("k=%d: heap %v, sort %v", k, got, want)
		}
	}
}
