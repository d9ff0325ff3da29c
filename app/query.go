package app

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/lab"
)

func (e env) query(ctx context.Context, args []string) error {
	fs := e.newFlags("query")
	data := fs.String("data", "demo", "dataset path or \"demo\"")
	model := fs.String("model", "bm25", lab.ModelSpecs)
	k := fs.Int("k", 10, "number of passages to show")
	rr := addRerankFlags(fs)
	lex := addLexFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(strings.Join(pos, " "))
	if q == "" {
		return usageError{`query: give the question as an argument: arslab query --model bm25 "who built the pyramids?"`}
	}
	if *k <= 0 {
		return usageError{"query: --k must be positive"}
	}
	opts, err := lex.options()
	if err != nil {
		return err
	}
	ws, err := lab.Open(ctx, *data, opts, progressLine(e.stderr, "indexing "+*data, 2*time.Second, time.Now))
	if err != nil {
		return err
	}
	m, err := ws.Retriever(ctx, rr.spec(*model), progressLine(e.stderr, "encoding "+ws.Data.Name, 2*time.Second, time.Now))
	if err != nil {
		return usageError{"--model: " + err.Error()}
	}
	if m.Notice != "" {
		fmt.Fprintln(e.stderr, m.Notice)
	}
	d := ws.Data
	rel := ws.Judge(q).Relevant
	if p, ok := m.Retriever.(*lab.Reranked); ok {
		return e.queryReranked(ws, p, q, *k, rr, rel)
	}
	hits := m.Retriever.Search(q, *k)
	fmt.Fprintf(e.stdout, "%s on %s (%d passages): %q\n", m.Name, d.Name, len(d.Passages), q)
	for i, h := range hits {
		p := d.Passages[h.Index]
		mark := " "
		if rel[h.ID] > 0 {
			mark = "✓"
		}
		prob := "     —"
		if !math.IsNaN(h.Prob) {
			prob = fmt.Sprintf("%6.3f", h.Prob)
		}
		fmt.Fprintf(e.stdout, "%3d %s %9.4f %s  %-14s %s\n", i+1, mark, h.Score, prob, h.ID, snippet(p, 90))
		if len(h.Contrib) > 0 {
			fmt.Fprintf(e.stdout, "                               top dims: %s\n", formatContrib(h.Contrib, 6))
		}
	}
	if len(hits) == 0 {
		fmt.Fprintln(e.stdout, "no passage matches")
	}
	return nil
}

func snippet(p datasets.Passage, n int) string {
	s := p.Text
	if p.Title != "" {
		s = p.Title + " — " + s
	}
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func formatContrib(cs []engine.Contribution, n int) string {
	var b strings.Builder
	for i, c := range cs {
		if i == n {
			break
		}
		if i > 0 {
			b.WriteString("  ")
		}
		fmt.Fprintf(&b, "d%d %+.3f", c.Dim, c.Value)
	}
	return b.String()
}
