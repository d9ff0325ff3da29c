package app

import (
	"encoding/json"
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/cross"
)

func TestTrainHeadCross(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
		rest []string
	}{
		{[]string{"--data", "x", "--head", "cross", "--out", "r"}, true, []string{"--data", "x", "--out", "r"}},
		{[]string{"--head=cross", "--out", "r"}, true, []string{"--out", "r"}},
		{[]string{"--head", "ars", "--out", "r"}, false, []string{"--head", "ars", "--out", "r"}},
	} {
		if got := wantsCross(c.args); got != c.want {
			t.Errorf("wantsCross(%v) = %v", c.args, got)
		}
		if got := withoutHead(c.args); !slices.Equal(got, c.rest) {
			t.Errorf("withoutHead(%v) = %v", c.args, got)
		}
	}
}

func TestRerankFlagsSpec(t *testing.T) {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	r := addRerankFlags(fs)
	if err := fs.Parse([]string{"--rerank", "runs/ce", "--depth", "20"}); err != nil {
		t.Fatal(err)
	}
	if s := r.spec("bm25"); s != "bm25>>runs/ce@20" {
		t.Fatalf("spec %q", s)
	}
	fs = flag.NewFlagSet("eval", flag.ContinueOnError)
	r = addRerankFlags(fs)
	_ = fs.Parse(nil)
	if s := r.spec("tfidf"); s != "tfidf" {
		t.Fatalf("spec without --rerank %q", s)
	}
	if formatMove(3) != "↑3" || formatMove(-2) != "↓2" || formatMove(0) != "=" {
		t.Fatal("formatMove")
	}
	toks := []cross.Token{{Text: "[CLS]"}, {Text: "tig", Segment: 0, Saliency: 2}, {Text: "##er", Saliency: 0.1},
		{Text: "[SEP]"}, {Text: "stone", Segment: 1, Saliency: -1}, {Text: "x", Segment: 1, Saliency: 0.01}}
	if q, p := highlight(toks, 0), highlight(toks, 1); q != "[+tig]er" || p != "[-stone] x" {
		t.Fatalf("highlight %q %q", q, p)
	}
}

// train --head cross on the demo set, then eval and query through bm25 + the reranker.
func TestTrainRerankerEvalQuery(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny cross-encoder")
	}
	dir := filepath.Join(t.TempDir(), "ce")
	code, out, errs := run(t, "train", "--head", "cross", "--out", dir, "--max-len", "48", "--max-query", "16", "--vocab", "400",
		"--negatives", "1", "--epochs", "1", "--batch", "16")
	if code != 0 || !strings.Contains(out, "trained cross-encoder") {
		t.Fatalf("train exit %d: %s %s", code, out, errs)
	}
	code, out, errs = run(t, "eval", "--model", "bm25", "--rerank", dir, "--depth", "5", "--json")
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, errs)
	}
	var rep struct {
		Model   string             `json:"model"`
		Metrics map[string]float64 `json:"metrics"`
		Latency *struct {
			Queries int `json:"queries"`
		} `json:"latency"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Latency == nil || rep.Latency.Queries == 0 || !strings.HasSuffix(rep.Model, "@5") {
		t.Fatalf("eval json %s (%v)", out, err)
	}
	code, out, errs = run(t, "query", "--model", "bm25", "--rerank", dir, "--depth", "5", "--k", "5", "--json", "--explain", "2", "which planet is the hottest")
	if code != 0 {
		t.Fatalf("query exit %d: %s", code, errs)
	}
	var q struct {
		Hits []struct {
			FirstRank int     `json:"first_rank"`
			Sigma     float64 `json:"sigma"`
		} `json:"hits"`
		First   []string `json:"first_stage"`
		Explain *struct {
			Method string `json:"method"`
			Tokens []struct {
				Segment int `json:"segment"`
			} `json:"tokens"`
		} `json:"explain"`
	}
	if err := json.Unmarshal([]byte(out), &q); err != nil || len(q.Hits) != 5 || len(q.First) != 5 || q.Explain == nil || q.Explain.Method != "gradient × input" {
		t.Fatalf("query json %s (%v)", out, err)
	}
	code, out, _ = run(t, "query", "--model", "bm25", "--rerank", dir, "--depth", "5", "which planet is the hottest")
	if code != 0 || !strings.Contains(out, "was  move") || !strings.Contains(out, "gradient × input") {
		t.Fatalf("query text:\n%s", out)
	}
}
