package views

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/cross"
	"github.com/arslab/arslab/lab"
)

// The Query pane with a reranking pipeline (--model bm25>>runs/CE@100): each hit's
// first-stage rank and move, and the cross-encoder's token saliency for the selected hit.

// searchRanks searches with r; for a reranking pipeline it also gives each hit's
// first-stage rank (nil for other retrievers).
func searchRanks(r engine.Retriever, q string, k int) ([]engine.Hit, []int) {
	rr, ok := r.(*lab.Reranked)
	if !ok {
		return r.Search(q, k), nil
	}
	res, err := rr.Run(q, k)
	if err != nil {
		return nil, nil
	}
	hits, first := make([]engine.Hit, len(res.Hits)), make([]int, len(res.Hits))
	for i, h := range res.Hits {
		hits[i], first[i] = h.Hit, h.FirstRank
	}
	return hits, first
}

// moveLabel is "was 6 ↑5", "was 2 ↓1" or "was 3 =" for a hit at 1-based rank.
func moveLabel(first, rank int) string {
	switch m := first - rank; {
	case first == 0:
		return ""
	case m > 0:
		return fmt.Sprintf("was %d ↑%d ", first, m)
	case m < 0:
		return fmt.Sprintf("was %d ↓%d ", first, -m)
	}
	return fmt.Sprintf("was %d = ", first)
}

// words merges word pieces back into words with the saliency summed per word.
func saliencyWords(toks []cross.Token, seg int) (ws []string, vs []float64) {
	for _, t := range toks {
		if t.Segment != seg || t.Text == "[CLS]" || t.Text == "[SEP]" {
			continue
		}
		if strings.HasPrefix(t.Text, "##") && len(ws) > 0 {
			ws[len(ws)-1] += t.Text[2:]
			vs[len(vs)-1] += t.Saliency
			continue
		}
		ws, vs = append(ws, t.Text), append(vs, t.Saliency)
	}
	return ws, vs
}

// tokenView draws the gradient × input saliency of the selected hit: the query and passage
// with their strongest words highlighted, and the top words raising and lowering the logit.
func (p *queryPane) tokenView(r *lab.Reranked, hit engine.Hit, w, h int) string {
	t := p.a.theme
	ex, err := r.ExplainTokens(p.query, hit.Index)
	if err != nil {
		return fitLines([]string{" " + t.Error.Render("✗ explaining "+hit.ID+": "+oneLine(err.Error()))}, w, h)
	}
	head := t.Subtle.Render("──") + " " + t.Title.Render("Why "+hit.ID) + " " +
		t.Text.Render(fmt.Sprintf("logit %.3f · σ %.3f · %s on the input embeddings", ex.Logit, ex.Prob, ex.Method))
	lines := []string{trunc(head, w)}
	type wv struct {
		w string
		v float64
	}
	var all []wv
	for seg, name := range []string{"query   ", "passage "} {
		ws, vs := saliencyWords(ex.Tokens, seg)
		var maxAbs float64
		for _, v := range vs {
			maxAbs = math.Max(maxAbs, math.Abs(v))
		}
		set := map[string]bool{}
		for i, v := range vs {
			if maxAbs > 0 && math.Abs(v) >= maxAbs/3 {
				set[ws[i]] = true
			}
			all = append(all, wv{ws[i], v})
		}
		n := 1
		if seg == 1 {
			n = max(1, h-4)
		}
		for j, l := range p.a.para(strings.Join(ws, " "), w-10, n, set, t.Text) {
			pre := strings.Repeat(" ", 9)
			if j == 0 {
				pre = " " + t.Muted.Render(name)
			}
			lines = append(lines, pre+l)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].v > all[j].v })
	var up, down []string
	for i := 0; i < len(all) && len(up) < 5 && all[i].v > 0; i++ {
		up = append(up, fmt.Sprintf("%s %+.2g", all[i].w, all[i].v))
	}
	for i := len(all) - 1; i >= 0 && len(down) < 5 && all[i].v < 0; i-- {
		down = append(down, fmt.Sprintf("%s %+.2g", all[i].w, all[i].v))
	}
	lines = append(lines, " "+t.Good.Render("raise: "+strings.Join(up, " · "))+"   "+t.Error.UnsetBold().Render("lower: "+strings.Join(down, " · ")))
	return fitLines(lines, w, h)
}
