package metrics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/arslab/arslab/datasets"
)

// Per-query values of the worked example of TestEvaluateWorkedExample plus q6 ({k:2},
// absent from the run), at RelMin 1 and at RelMin 2 (TREC DL's "relevant means grade ≥ 2").
//
// RelMin 1 — counted: q1 q2 q3 q5 q6 (q4 has only grade 0); missing from the run: q5 q6.
//
//	      top1 top5 recall@1 recall@5 mrr@10 map  ndcg@10
//	q1    0    1    0        1        1/2    1/2  0.6433224083306327
//	q2    1    1    1        1        1      1    1
//	q3    1    1    1/3      1/3      1      1/3  0.7262287617954056
//	q5,q6 0    0    0        0        0      0    0
//
// RelMin 2 — q2 (c:1), q4 and q5 (j:1) have no passage of grade ≥ 2: NoRelevant = 3.
// q1: R = {a} (b:1 no longer counts for the binary metrics): a at rank 2 → top1 0, top5 1,
// recall@1 0, recall@5 1/1, mrr 1/2, AP (1/2)/1 = 1/2; nDCG keeps b's gain: 0.6433224083306327.
// q3: R = {f}: f at rank 1 → 1 everywhere except nDCG, which still counts e and g in the
// ideal: 0.7262287617954056. q6: missing → 0.
//
//	means: top1 1/3, top5 2/3, recall@1 1/3, recall@5 2/3, mrr@10 1/2, map 1/2,
//	ndcg@10 (0.6433224083306327 + 0.7262287617954056)/3 = 0.45651705670867943
func TestEvaluatePerQueryWorked(t *testing.T) {
	qrels := datasets.Qrels{
		"q1": {"a": 2, "b": 1},
		"q2": {"c": 1, "d": 0},
		"q3": {"e": 1, "f": 3, "g": 1},
		"q4": {"i": 0},
		"q5": {"j": 1},
		"q6": {"k": 2},
	}
	run := map[string][]string{
		"q1":    {"x", "a", "y", "b", "z"},
		"q2":    {"c", "d", "c"},
		"q3":    {"f", "h"},
		"q4":    {"i"},
		"q6":    {}, // empty ranking: missing
		"extra": {"a"},
	}
	const nd1, nd3 = 0.6433224083306327, 0.7262287617954056
	cases := []struct {
		relMin     int
		queries    []string
		missing    []string
		noRelevant int
		values     map[string][]float64
		means      Result
	}{
		{0, []string{"q1", "q2", "q3", "q5", "q6"}, []string{"q5", "q6"}, 1,
			map[string][]float64{
				"top1": {0, 1, 1, 0, 0}, "top5": {1, 1, 1, 0, 0},
				"recall@1": {0, 1, 1.0 / 3, 0, 0}, "recall@5": {1, 1, 1.0 / 3, 0, 0},
				"mrr@10": {0.5, 1, 1, 0, 0}, "map": {0.5, 1, 1.0 / 3, 0, 0},
				"ndcg@10": {nd1, 1, nd3, 0, 0},
			},
			Result{"top1": 0.4, "top5": 0.6, "recall@1": (1 + 1.0/3) / 5, "recall@5": (2 + 1.0/3) / 5,
				"mrr@10": 0.5, "map": (1.5 + 1.0/3) / 5, "ndcg@10": (nd1 + 1 + nd3) / 5}},
		{2, []string{"q1", "q3", "q6"}, []string{"q6"}, 3,
			map[string][]float64{
				"top1": {0, 1, 0}, "top5": {1, 1, 0},
				"recall@1": {0, 1, 0}, "recall@5": {1, 1, 0},
				"mrr@10": {0.5, 1, 0}, "map": {0.5, 1, 0},
				"ndcg@10": {nd1, nd3, 0},
			},
			Result{"top1": 1.0 / 3, "top5": 2.0 / 3, "recall@1": 1.0 / 3, "recall@5": 2.0 / 3,
				"mrr@10": 0.5, "map": 0.5, "ndcg@10": 0.45651705670867943}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("relmin%d", c.relMin), func(t *testing.T) {
			p, err := EvaluatePerQuery(run, qrels, Options{Ks: []int{5, 1}, RelMin: c.relMin})
			if err != nil {
				t.Fatal(err)
			}
			if want := max(c.relMin, 1); p.RelMin != want {
				t.Errorf("RelMin = %d, want %d", p.RelMin, want)
			}
			if !reflect.DeepEqual(p.Queries, c.queries) || !reflect.DeepEqual(p.Missing, c.missing) || p.NoRelevant != c.noRelevant {
				t.Errorf("queries %v missing %v noRelevant %d; want %v %v %d", p.Queries, p.Missing, p.NoRelevant, c.queries, c.missing, c.noRelevant)
			}
			if !reflect.DeepEqual(p.Keys(), Keys([]int{1, 5})) || len(p.Values) != len(c.values) {
				t.Errorf("keys %v, values %v", p.Keys(), p.Values)
			}
			for key, want := range c.values {
				got := p.Values[key]
				if len(got) != len(want) {
					t.Fatalf("%s: %v, want %v", key, got, want)
				}
				for i := range want {
					if !near(got[i], want[i]) {
						t.Errorf("%s[%s] = %v, want %v", key, p.Queries[i], got[i], want[i])
					}
				}
			}
			means := p.Means()
			for key, want := range c.means {
				if !near(means[key], want) {
					t.Errorf("mean %s = %.15f, want %.15f", key, means[key], want)
				}
			}
			if v, ok := p.Value("mrr@10", "q1"); !ok || v != 0.5 {
				t.Errorf("Value(mrr@10, q1) = %v, %v", v, ok)
			}
			if _, ok := p.Value("mrr@10", "q4"); ok {
				t.Error("Value of an uncounted query is ok")
			}
		})
	}
}

// The metrics follow the list order, never scores: two passages tied in score rank as the
// caller listed them. A repeated id counts once, at its first position, and later ranks move up.
func TestEvaluatePerQueryOrderAndDuplicates(t *testing.T) {
	qrels := datasets.Qrels{"q": {"rel": 1}}
	for _, c := range []struct {
		run []string
		mrr float64
	}{
		{[]string{"rel", "tied"}, 1},        // tie broken with rel first
		{[]string{"tied", "rel"}, 0.5},      // same scores, other order
		{[]string{"x", "x", "rel"}, 0.5},    // duplicate x dropped: rel is at rank 2
		{[]string{"rel", "rel", "y"}, 1},    // a repeated relevant passage counts once
		{[]string{"x", "rel", "rel"}, 0.5},  // …at its first position
		{[]string{"a", "b", "c", "d"}, 0.0}, // not retrieved
	} {
		p, err := EvaluatePerQuery(map[string][]string{"q": c.run}, qrels, Options{Ks: []int{1}})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Values[MRR10][0]; got != c.mrr {
			t.Errorf("%v: mrr@10 = %v, want %v", c.run, got, c.mrr)
		}
		if got := p.Values[MAP][0]; got != c.mrr { // one relevant passage: AP = 1/rank
			t.Errorf("%v: map = %v, want %v", c.run, got, c.mrr)
		}
	}
}

func TestEvaluatePerQueryOptions(t *testing.T) {
	for _, o := range []Options{{Ks: []int{0}}, {Ks: []int{5, -1}}, {RelMin: -1}} {
		if _, err := EvaluatePerQuery(nil, nil, o); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: err = %v, want ErrOptions", o, err)
		}
	}
	p, err := EvaluatePerQuery(nil, datasets.Qrels{"q": {"a": 1}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Ks, DefaultKs) || p.RelMin != 1 || len(p.Values) != len(Keys(DefaultKs)) {
		t.Errorf("defaults: ks %v relmin %d keys %d", p.Ks, p.RelMin, len(p.Values))
	}
	if !reflect.DeepEqual(p.Missing, []string{"q"}) || p.Means()[NDCG10] != 0 {
		t.Errorf("nil run: missing %v means %v", p.Missing, p.Means())
	}
	// No counted query: empty values, zero means, no NaN.
	p, _ = EvaluatePerQuery(nil, datasets.Qrels{"q": {"a": 1}}, Options{RelMin: 3})
	if len(p.Queries) != 0 || p.NoRelevant != 1 || p.Means()[MAP] != 0 {
		t.Errorf("nothing counted: %+v means %v", p, p.Means())
	}
}

// The means of EvaluatePerQuery and Evaluate are bit-for-bit those of the implementation
// Evaluate had before per-query values existed (legacyEvaluate), on random graded data.
func TestPerQueryMeansMatchLegacy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		qrels := datasets.Qrels{}
		run := map[string][]string{}
		for q := range 60 {
			qid := fmt.Sprintf("q%02d", q)
			judged := map[string]int{}
			for range rng.IntN(6) {
				judged[fmt.Sprintf("p%d", rng.IntN(40))] = rng.IntN(4) - 1 // grades -1..2
			}
			qrels[qid] = judged
			if rng.IntN(10) == 0 {
				continue // missing from the run
			}
			ranked := make([]string, rng.IntN(120))
			for i := range ranked {
				ranked[i] = fmt.Sprintf("p%d", rng.IntN(40)) // duplicates included
			}
			run[qid] = ranked
		}
		ks := []int{1, 3, 10, 100, 200}
		want, wantN := legacyEvaluate(run, qrels, ks)
		got, n := Evaluate(run, qrels, ks)
		if n != wantN || !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: Evaluate = %v (%d), legacy %v (%d)", trial, got, n, want, wantN)
		}
		p, err := EvaluatePerQuery(run, qrels, Options{Ks: ks, RelMin: 1})
		if err != nil {
			t.Fatal(err)
		}
		if m := p.Means(); len(p.Queries) != wantN || !reflect.DeepEqual(m, want) {
			t.Fatalf("trial %d: Means = %v (%d), legacy %v (%d)", trial, m, len(p.Queries), want, wantN)
		}
	}
}

// legacyEvaluate is Evaluate as it was before EvaluatePerQuery (commit 7cfc7d8), kept as a reference.
func legacyEvaluate(run map[string][]string, qrels datasets.Qrels, ks []int) (Result, int) {
	ks = cleanKs(ks)
	res := make(Result, len(ks)*2+3)
	for _, key := range Keys(ks) {
		res[key] = 0
	}
	addAtK := func(k, hits, nrel int) {
		if hits > 0 {
			res[TopKey(k)]++
		}
		res[RecallKey(k)] += float64(hits) / float64(nrel)
	}
	n := 0
	for _, qid := range sortedKeys(qrels) {
		judged := qrels[qid]
		nrel := 0
		for _, g := range judged {
			if g > 0 {
				nrel++
			}
		}
		if nrel == 0 {
			continue
		}
		n++
		ranked := dedupe(run[qid])
		hitsAt, firstRel, ap, ki := 0, 0, 0.0, 0
		for r, pid := range ranked {
			rank := r + 1
			if judged[pid] > 0 {
				hitsAt++
				ap += float64(hitsAt) / float64(rank)
				if firstRel == 0 {
					firstRel = rank
				}
			}
			for ki < len(ks) && ks[ki] == rank {
				addAtK(ks[ki], hitsAt, nrel)
				ki++
			}
		}
		for ; ki < len(ks); ki++ {
			addAtK(ks[ki], hitsAt, nrel)
		}
		if firstRel > 0 && firstRel <= 10 {
			res[MRR10] += 1 / float64(firstRel)
		}
		res[MAP] += ap / float64(nrel)
		res[NDCG10] += ndcg(ranked, judged, idealGrades(judged), 10)
	}
	if n > 0 {
		for key := range res {
			res[key] /= float64(n)
		}
	}
	return res, n
}

// Reranking groups at RelMin 2:
//
//	g1: p1:0 p2:1 p3:0 p4:2, ranked p1 p2 p3 p4 → R = {p4}: mrr 1/4, AP (1/4)/1 = 1/4,
//	    nDCG = (1/log2 3 + 2/log2 5) / (2/log2 2 + 1/log2 3) (p2 still gains)
//	g2: p5:1 p6:0 → nothing of grade ≥ 2: skipped (NoRelevant 1)
//	g3: p7:3 p8:2, ranked p8 p7 → R = {p7, p8}: mrr 1, AP (1/1 + 2/2)/2 = 1,
//	    nDCG = (2 + 3/log2 3) / (3 + 2/log2 3)
//	q9 judged but without a group: not scored
func TestEvaluateRerankPerQuery(t *testing.T) {
	qrels := datasets.Qrels{
		"g1": {"p1": 0, "p2": 1, "p3": 0, "p4": 2},
		"g2": {"p5": 1, "p6": 0},
		"g3": {"p7": 3, "p8": 2},
		"q9": {"x": 2},
	}
	run := map[string][]string{"g1": {"p1", "p2", "p3", "p4"}, "g2": {"p5", "p6"}, "g3": {"p8", "p7"}}
	p, err := EvaluateRerankPerQuery(run, qrels, Options{RelMin: 2})
	if err != nil {
		t.Fatal(err)
	}
	l3, l5 := math.Log2(3), math.Log2(5)
	want := map[string][]float64{
		MRR:    {0.25, 1},
		MAP:    {0.25, 1},
		NDCG10: {(1/l3 + 2/l5) / (2 + 1/l3), (2 + 3/l3) / (3 + 2/l3)},
	}
	if !reflect.DeepEqual(p.Queries, []string{"g1", "g3"}) || p.NoRelevant != 1 || len(p.Missing) != 0 || !p.Rerank {
		t.Errorf("queries %v noRelevant %d missing %v rerank %v", p.Queries, p.NoRelevant, p.Missing, p.Rerank)
	}
	if !reflect.DeepEqual(p.Keys(), []string{MRR, MAP, NDCG10}) {
		t.Errorf("keys %v", p.Keys())
	}
	for k, w := range want {
		for i := range w {
			if !near(p.Values[k][i], w[i]) {
				t.Errorf("%s[%d] = %v, want %v", k, i, p.Values[k][i], w[i])
			}
		}
	}
	if _, err := EvaluateRerankPerQuery(run, qrels, Options{RelMin: -2}); !errors.Is(err, ErrOptions) {
		t.Errorf("RelMin -2: %v", err)
	}
	// Nothing scored: empty values, zero means.
	p, _ = EvaluateRerankPerQuery(nil, qrels, Options{})
	if len(p.Queries) != 0 || len(p.Values[MRR]) != 0 || p.Means()[MRR] != 0 {
		t.Errorf("empty run: %+v", p)
	}
}

// EvaluateRerankN is bit-for-bit its implementation before per-query values.
func TestRerankMeansMatchLegacy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 20 {
		qrels := datasets.Qrels{}
		run := map[string][]string{}
		for q := range 40 {
			qid := fmt.Sprintf("g%02d", q)
			judged := map[string]int{}
			group := make([]string, 1+rng.IntN(30))
			for i := range group {
				group[i] = fmt.Sprintf("p%d", rng.IntN(25))
				if rng.IntN(3) == 0 {
					judged[group[i]] = rng.IntN(4) - 1
				}
			}
			qrels[qid], run[qid] = judged, group
		}
		want, wantN := legacyEvaluateRerankN(run, qrels)
		got, n := EvaluateRerankN(run, qrels)
		if n != wantN || !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: %v (%d), legacy %v (%d)", trial, got, n, want, wantN)
		}
	}
}

// legacyEvaluateRerankN is EvaluateRerankN as it was at commit 7cfc7d8.
func legacyEvaluateRerankN(run map[string][]string, qrels datasets.Qrels) (Result, int) {
	res := Result{MRR: 0, MAP: 0, NDCG10: 0}
	n := 0
	for _, qid := range sortedKeys(run) {
		judged := qrels[qid]
		group := dedupe(run[qid])
		var grades []int
		for _, pid := range group {
			if g := judged[pid]; g > 0 {
				grades = append(grades, g)
			}
		}
		if len(grades) == 0 {
			continue
		}
		n++
		slices.Sort(grades)
		slices.Reverse(grades)
		hits, ap, first := 0, 0.0, 0
		for r, pid := range group {
			if judged[pid] > 0 {
				hits++
				ap += float64(hits) / float64(r+1)
				if first == 0 {
					first = r + 1
				}
			}
		}
		res[MRR] += 1 / float64(first)
		res[MAP] += ap / float64(len(grades))
		res[NDCG10] += ndcg(group, judged, grades, 10)
	}
	if n > 0 {
		for key := range res {
			res[key] /= float64(n)
		}
	}
	return res, n
}
