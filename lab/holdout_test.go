package lab

import (
	"testing"

	"github.com/arslab/arslab/datasets"
)

func TestHoldOut(t *testing.T) {
	d := &datasets.Dataset{Name: "h", Qrels: map[datasets.Split]datasets.Qrels{datasets.Dev: {}}}
	for i := 0; i < 10; i++ {
		d.Qrels[datasets.Dev][string(rune('a'+i))] = map[string]int{"p": 1}
	}
	h, err := HoldOut(d, 0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Qrels[datasets.Dev]) != 8 || len(h.Qrels[datasets.Test]) != 2 || len(d.Qrels[datasets.Dev]) != 10 {
		t.Fatalf("dev %d test %d (original %d)", len(h.Qrels[datasets.Dev]), len(h.Qrels[datasets.Test]), len(d.Qrels[datasets.Dev]))
	}
	h2, _ := HoldOut(d, 0.2, 42)
	for q := range h.Qrels[datasets.Test] {
		if _, ok := h2.Qrels[datasets.Test][q]; !ok {
			t.Fatal("same seed, different held-out questions")
		}
	}
	if _, err := HoldOut(h, 0.2, 42); err == nil {
		t.Fatal("a dataset with two judged splits accepted")
	}
	if _, err := HoldOut(d, 1, 42); err == nil {
		t.Fatal("holdout 1 accepted")
	}
}
