package hf

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/nn"
)

// fixtureDir holds the checkpoints testdata/hf/make_fixture.py wrote with PyTorch (random
// tiny BERTs with Hugging Face's names and maths, and their expected outputs).
const fixtureDir = "../../testdata/hf"

type expected struct {
	IDs    [][]int       `json:"ids"`
	Hidden [][][]float64 `json:"hidden"`
	CLS    [][]float64   `json:"cls"`
	Mean   [][]float64   `json:"mean"`
}

func readExpected(t *testing.T, dir string) expected {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestTorchFixtures: each PyTorch fixture loads (BertModel F32 with exact GELU, pooler and
// position_ids buffer; BertForMaskedLM F16 with gelu_new and eps 1e-7 and only a
// tokenizer.json; sentence-transformers BF16 with gamma/beta names and mean pooling), and
// the encoder's last hidden states, CLS and mean-pooled vectors match PyTorch's padded,
// masked batch to 1e-4.
func TestTorchFixtures(t *testing.T) {
	cases := []struct {
		dir, act, pooling string
		eps               float64
		notes             []string
	}{
		{"bert_gelu", nn.ActGELUErf, "", 1e-12, []string{"pooler.dense ignored", "types 1…1 dropped"}},
		{"mlm_gelu_new", nn.ActGELUTanh, "", 1e-7, []string{"architecture BertForMaskedLM", "task head ignored: 6 tensors"}},
		{"st_mean", nn.ActGELUErf, "mean", 1e-5, []string{"Normalize module"}},
	}
	worst := 0.0
	for _, c := range cases {
		dir := filepath.Join(fixtureDir, c.dir)
		ck, err := Open(dir)
		if err != nil {
			t.Fatalf("%s: %v", c.dir, err)
		}
		if ck.Size.Act != c.act || ck.Size.LNEps != c.eps || ck.Pooling != c.pooling || ck.Size.Hidden != 16 || ck.Size.Layers != 2 || ck.Size.Positions != 24 {
			t.Errorf("%s: size %+v pooling %q", c.dir, ck.Size, ck.Pooling)
		}
		all := strings.Join(ck.Notes, "; ")
		for _, n := range c.notes {
			if !strings.Contains(all, n) {
				t.Errorf("%s: notes %q lack %q", c.dir, all, n)
			}
		}
		want := readExpected(t, dir)
		for _, pooling := range []string{"cls", "mean"} {
			enc, err := ck.Encoder(pooling)
			if err != nil {
				t.Fatalf("%s: %v", c.dir, err)
			}
			out, cache, err := enc.Forward(want.IDs)
			if err != nil {
				t.Fatal(err)
			}
			h, start := cache.Hidden()
			H := 16
			for s, seq := range want.IDs {
				ref := want.CLS[s]
				if pooling == "mean" {
					ref = want.Mean[s]
				}
				for j, v := range ref {
					worst = max(worst, check(t, c.dir+" "+pooling, s, -1, j, out[s*H+j], v))
				}
				if pooling == "cls" {
					for r := range seq {
						for j, v := range want.Hidden[s][r] {
							worst = max(worst, check(t, c.dir+" hidden", s, r, j, h[(start[s]+r)*H+j], v))
						}
					}
				}
			}
			if err := enc.Backward(cache, make([]float32, len(out))); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("max |Go − PyTorch| over hidden states and pooled vectors: %.3g", worst)
}

func check(t *testing.T, what string, s, r, j int, got float32, want float64) float64 {
	t.Helper()
	d := math.Abs(float64(got) - want)
	if d > 1e-4 || math.IsNaN(d) {
		t.Errorf("%s: sequence %d row %d dim %d: %g, PyTorch %g", what, s, r, j, got, want)
	}
	return d
}
