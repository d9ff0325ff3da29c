package lab

import (
	"context"
	"fmt"
	"math"

	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/fusion"
)

// FuseDepth is how deep each member of a fusion is retrieved before fusing: a passage
// below a member's top FuseDepth gets nothing from that member.
const FuseDepth = 1000

// Fused is a retriever fusing several retrievers' ranked lists query by query
// (`fuse:rrf(k=60):bm25+runs/X`, see engine/fusion for the grammar and the methods).
type Fused struct {
	spec    fusion.Spec
	members []Model
	index   map[string]int // passage id → index
}

var (
	_ engine.Retriever = (*Fused)(nil)
	_ engine.Reranker  = (*Fused)(nil)
)

// fused opens every member of a fusion spec on the workspace.
func (w *Workspace) fused(ctx context.Context, name string, progress engine.Progress) (Model, error) {
	spec, err := fusion.Parse(name)
	if err != nil {
		return Model{}, err
	}
	f := &Fused{spec: spec, index: w.Data.PassageIndex()}
	for _, m := range spec.Members {
		if fusion.IsFusion(m) {
			return Model{}, fmt.Errorf("%s: a fusion cannot hold another fusion", name)
		}
		mm, err := w.Retriever(ctx, m, progress)
		if err != nil {
			return Model{}, fmt.Errorf("%s: member %q: %w", name, m, err)
		}
		f.members = append(f.members, mm)
	}
	return Model{Name: f.Name(), Retriever: f}, nil
}

// Name is the canonical spec.
func (f *Fused) Name() string { return f.spec.String() }

// Members are the fused models, in spec order.
func (f *Fused) Members() []Model { return f.members }

// Search fuses the members' top FuseDepth (at least k) for query and keeps the top k.
func (f *Fused) Search(query string, k int) []engine.Hit {
	depth := max(k, FuseDepth)
	lists := make([][]fusion.Scored, len(f.members))
	for i, m := range f.members {
		lists[i] = scored(m.Retriever.Search(query, depth))
	}
	return f.hits(lists, k)
}

// Rerank fuses the members' scores of the candidates (members that cannot rerank rank the
// whole corpus and keep the candidates).
func (f *Fused) Rerank(query string, candidates []int) []engine.Hit {
	lists := make([][]fusion.Scored, len(f.members))
	for i, m := range f.members {
		if rr, ok := m.Retriever.(engine.Reranker); ok {
			lists[i] = scored(rr.Rerank(query, candidates))
			continue
		}
		keep := make(map[int]bool, len(candidates))
		for _, c := range candidates {
			keep[c] = true
		}
		var hits []engine.Hit
		for _, h := range m.Retriever.Search(query, max(FuseDepth, len(f.index))) {
			if keep[h.Index] {
				hits = append(hits, h)
			}
		}
		lists[i] = scored(hits)
	}
	return f.hits(lists, len(candidates))
}

func (f *Fused) hits(lists [][]fusion.Scored, k int) []engine.Hit {
	out, err := fusion.Fuse(f.spec, lists)
	if err != nil { // the spec was validated by Parse and len(lists) = len(members)
		return nil
	}
	out = out[:min(k, len(out))]
	hits := make([]engine.Hit, len(out))
	for i, s := range out {
		hits[i] = engine.Hit{ID: s.ID, Index: f.index[s.ID], Score: s.Score, Prob: math.NaN()}
	}
	return hits
}

// scored turns hits into fusion input.
func scored(hits []engine.Hit) []fusion.Scored {
	out := make([]fusion.Scored, len(hits))
	for i, h := range hits {
		out[i] = fusion.Scored{ID: h.ID, Score: h.Score}
	}
	return out
}
