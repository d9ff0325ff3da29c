package lab

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/cross"
	"github.com/arslab/arslab/engine/head"
	"github.com/arslab/arslab/engine/train"
)

// RerankDepth is how many first-stage hits a cross-encoder reranks when the spec names no depth.
const RerankDepth = 100

// Reranked is the two-stage pipeline: a first stage (BM25, TF-IDF, a dense run, a fusion)
// retrieves, a second stage rescores its top Depth and the rest keep first-stage order
// below them. The second stage is a cross-encoder run (CE) or a dense run (Dense: the
// dual encoder's head scores the candidates, as the ARS paper serves its non-dot score).
// Spec: "FIRST>>runs/X@DEPTH" (e.g. "bm25>>runs/ce@100"); eval and query build it from
// --model FIRST --rerank runs/X --depth N. It records each query's first-stage and
// rerank time (Latency).
type Reranked struct {
	First Model
	CE    *cross.Model // the cross-encoder second stage, or nil
	Dense Model        // the dense second stage when CE is nil (its Retriever is an engine.Reranker)
	Depth int

	passages []datasets.Passage
	mu       sync.Mutex
	lat      []QueryLatency
}

var (
	_ engine.Retriever = (*Reranked)(nil)
	_ engine.Reranker  = (*Reranked)(nil)
)

// QueryLatency is one query's time in each stage and the pairs the cross-encoder scored.
type QueryLatency struct {
	First, Rerank time.Duration
	Pairs         int
}

// Latency summarises the per-query times of a pipeline (milliseconds).
type Latency struct {
	Queries        int     `json:"queries"`
	FirstMedianMs  float64 `json:"first_stage_median_ms"`
	RerankMedianMs float64 `json:"rerank_median_ms"`
	FirstMeanMs    float64 `json:"first_stage_mean_ms"`
	RerankMeanMs   float64 `json:"rerank_mean_ms"`
	Pairs          int     `json:"pairs"`
	PairsPerSec    float64 `json:"pairs_per_sec"`
}

// String is "first stage 0.9 ms, rerank 412 ms (median of 327 queries; 1540 pairs/s)".
func (l Latency) String() string {
	return fmt.Sprintf("latency per query: first stage %.2f ms, rerank %.1f ms (medians of %d queries; means %.2f / %.1f ms; %.0f pairs/s)",
		l.FirstMedianMs, l.RerankMedianMs, l.Queries, l.FirstMeanMs, l.RerankMeanMs, l.PairsPerSec)
}

// ParseRerankSpec splits "FIRST>>RUN[@DEPTH]"; ok is false when spec has no ">>".
func ParseRerankSpec(spec string) (first, run string, depth int, ok bool, err error) {
	i := strings.LastIndex(spec, ">>")
	if i < 0 {
		return "", "", 0, false, nil
	}
	first, run, depth = strings.TrimSpace(spec[:i]), strings.TrimSpace(spec[i+2:]), RerankDepth
	if j := strings.LastIndex(run, "@"); j >= 0 {
		n, perr := strconv.Atoi(run[j+1:])
		if perr != nil || n < 1 {
			return "", "", 0, true, fmt.Errorf("rerank spec %q: depth %q: want a positive number", spec, run[j+1:])
		}
		run, depth = run[:j], n
	}
	if first == "" || run == "" {
		return "", "", 0, true, fmt.Errorf("rerank spec %q: want FIRST>>runs/CE@DEPTH (e.g. bm25>>runs/ce@100)", spec)
	}
	return first, run, depth, true, nil
}

// RerankSpec builds the spec of --model first --rerank run --depth depth.
func RerankSpec(first, run string, depth int) string {
	if depth <= 0 {
		depth = RerankDepth
	}
	return first + ">>" + run + "@" + strconv.Itoa(depth)
}

// reranked opens a "FIRST>>RUN@DEPTH" pipeline.
func (w *Workspace) reranked(ctx context.Context, spec string, progress engine.Progress) (Model, error) {
	first, run, depth, _, err := ParseRerankSpec(spec)
	if err != nil {
		return Model{}, err
	}
	if _, _, _, nested, _ := ParseRerankSpec(first); nested {
		return Model{}, fmt.Errorf("%s: one reranking stage only", spec)
	}
	fm, err := w.Retriever(ctx, first, progress)
	if err != nil {
		return Model{}, fmt.Errorf("%s: first stage: %w", spec, err)
	}
	if err := checkRunDir(run); err != nil {
		return Model{}, err
	}
	r := &Reranked{First: fm, Depth: depth, passages: w.Data.Passages}
	if cross.IsRun(run) {
		if r.CE, err = cross.Load(run); err != nil {
			return Model{}, err
		}
		return Model{Name: r.Name(), Retriever: r}, nil
	}
	dm, err := w.Retriever(ctx, run, progress)
	if err != nil {
		return Model{}, fmt.Errorf("%s: second stage: %w", spec, err)
	}
	if _, ok := dm.Retriever.(engine.Reranker); !ok {
		return Model{}, fmt.Errorf("%s: %s cannot rescore candidates (want a cross-encoder or dense run)", spec, run)
	}
	r.Dense = dm
	return Model{Name: r.Name(), Retriever: r}, nil
}

// Name is "FIRST>>SECOND@DEPTH" with the first stage's and the run's names.
func (r *Reranked) Name() string {
	second := r.Dense.Name
	if r.CE != nil {
		second = r.CE.Name()
	}
	return r.First.Name + ">>" + second + "@" + strconv.Itoa(r.Depth)
}

// score gives the second stage's score (and probability) of each of top for query.
func (r *Reranked) score(query string, top []engine.Hit) (scores, probs []float64, err error) {
	scores, probs = make([]float64, len(top)), make([]float64, len(top))
	if r.CE != nil {
		ps := make([][2]string, len(top))
		for i, h := range top {
			p := r.passages[h.Index]
			ps[i] = [2]string{p.Title, p.Text}
		}
		logits, err := r.CE.Score(query, ps)
		if err != nil {
			return nil, nil, err
		}
		for i, l := range logits {
			scores[i], probs[i] = l, head.Sigmoid(l)
		}
		return scores, probs, nil
	}
	idx := make([]int, len(top))
	for i, h := range top {
		idx[i] = h.Index
	}
	byIndex := map[int]engine.Hit{}
	for _, h := range r.Dense.Retriever.(engine.Reranker).Rerank(query, idx) {
		byIndex[h.Index] = h
	}
	for i, h := range top {
		d, ok := byIndex[h.Index]
		if !ok {
			return nil, nil, fmt.Errorf("%s: no score for passage %s", r.Dense.Name, h.ID)
		}
		scores[i], probs[i] = d.Score, d.Prob
	}
	return scores, probs, nil
}

// RerankedHit is one hit of the pipeline with where the first stage had it.
type RerankedHit struct {
	engine.Hit
	FirstRank  int     // 1-based rank in the first stage
	FirstScore float64 // the first stage's score
}

// Move is how many places the reranker moved the hit up (positive) or down, given its new 1-based rank.
func (h RerankedHit) Move(rank int) int { return h.FirstRank - rank }

// Result is one query through the pipeline.
type Result struct {
	Hits          []RerankedHit // reranked top Depth, then the rest of the first stage's list
	First         []engine.Hit  // the first stage's list
	FirstTime     time.Duration
	RerankTime    time.Duration
	RerankedPairs int
}

// Run retrieves max(k, Depth) with the first stage, reranks the top Depth and returns the top k.
func (r *Reranked) Run(query string, k int) (Result, error) {
	t0 := time.Now()
	first := r.First.Retriever.Search(query, max(k, r.Depth))
	t1 := time.Now()
	res, err := r.rerankList(query, first, first)
	if err != nil {
		return Result{}, err
	}
	res.FirstTime = t1.Sub(t0)
	r.note(QueryLatency{First: res.FirstTime, Rerank: res.RerankTime, Pairs: res.RerankedPairs})
	if len(res.Hits) > k {
		res.Hits = res.Hits[:k]
	}
	return res, nil
}

// rerankList rescores the top Depth of ordered (first-stage order) with the cross-encoder.
// scoreOrder lists the same top candidates in the order they are scored and stably sorted
// (equal logits keep that order).
func (r *Reranked) rerankList(query string, ordered, scoreOrder []engine.Hit) (Result, error) {
	n := min(r.Depth, len(ordered))
	rank := make(map[int]int, len(ordered))
	for i, h := range ordered {
		rank[h.Index] = i
	}
	top := scoreOrder
	if len(scoreOrder) != n || n < len(ordered) {
		top = ordered[:n]
	}
	t0 := time.Now()
	logits, probs, err := r.score(query, top)
	if err != nil {
		return Result{}, err
	}
	order := make([]int, len(top))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return logits[order[a]] > logits[order[b]] })
	res := Result{First: ordered, RerankedPairs: len(top)}
	for _, o := range order {
		h := top[o]
		fr := rank[h.Index]
		res.Hits = append(res.Hits, RerankedHit{Hit: engine.Hit{ID: h.ID, Index: h.Index, Score: logits[o], Prob: probs[o]},
			FirstRank: fr + 1, FirstScore: ordered[fr].Score})
	}
	for i, h := range ordered[n:] {
		// below the reranked block: the first stage's order, scores shifted under the block's lowest
		res.Hits = append(res.Hits, RerankedHit{Hit: engine.Hit{ID: h.ID, Index: h.Index, Score: math.Inf(-1), Prob: math.NaN()},
			FirstRank: n + i + 1, FirstScore: h.Score})
	}
	res.RerankTime = time.Since(t0)
	return res, nil
}

// Search is Run's hits (engine.Retriever).
func (r *Reranked) Search(query string, k int) []engine.Hit {
	res, err := r.Run(query, k)
	if err != nil {
		return nil
	}
	return plainHits(res.Hits)
}

// Rerank scores a reranking set's candidate group: the first stage orders it (when it can
// rerank; else the group's order), the cross-encoder rescores the top Depth. A group no
// larger than Depth is scored in its file order, so equal logits keep file order as the
// SemEval scorer's stable sort does.
func (r *Reranked) Rerank(query string, candidates []int) []engine.Hit {
	t0 := time.Now()
	var ordered []engine.Hit
	if rr, ok := r.First.Retriever.(engine.Reranker); ok {
		ordered = rr.Rerank(query, candidates)
	} else {
		for _, c := range candidates {
			ordered = append(ordered, engine.Hit{ID: r.passages[c].ID, Index: c, Prob: math.NaN()})
		}
	}
	t1 := time.Now()
	fileOrder := ordered
	if len(candidates) <= r.Depth {
		byIndex := make(map[int]engine.Hit, len(ordered))
		for _, h := range ordered {
			byIndex[h.Index] = h
		}
		fileOrder = make([]engine.Hit, 0, len(candidates))
		for _, c := range candidates {
			if h, ok := byIndex[c]; ok {
				fileOrder = append(fileOrder, h)
			}
		}
	}
	res, err := r.rerankList(query, ordered, fileOrder)
	if err != nil {
		return nil
	}
	r.note(QueryLatency{First: t1.Sub(t0), Rerank: res.RerankTime, Pairs: res.RerankedPairs})
	return plainHits(res.Hits)
}

func plainHits(hs []RerankedHit) []engine.Hit {
	out := make([]engine.Hit, len(hs))
	for i, h := range hs {
		out[i] = h.Hit
		if math.IsInf(out[i].Score, -1) { // keep the list ordered for score-sorting consumers
			out[i].Score = -1e9 - float64(i)
		}
	}
	return out
}

func (r *Reranked) note(l QueryLatency) {
	r.mu.Lock()
	r.lat = append(r.lat, l)
	r.mu.Unlock()
}

// ResetLatency forgets the recorded query times.
func (r *Reranked) ResetLatency() {
	r.mu.Lock()
	r.lat = nil
	r.mu.Unlock()
}

// Latency summarises the query times recorded since the last reset (nil when none).
func (r *Reranked) Latency() *Latency {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.lat) == 0 {
		return nil
	}
	f, s := make([]float64, len(r.lat)), make([]float64, len(r.lat))
	l := &Latency{Queries: len(r.lat)}
	var rerankTotal float64
	for i, q := range r.lat {
		f[i], s[i] = ms(q.First), ms(q.Rerank)
		l.FirstMeanMs += f[i] / float64(len(f))
		l.RerankMeanMs += s[i] / float64(len(s))
		l.Pairs += q.Pairs
		rerankTotal += q.Rerank.Seconds()
	}
	l.FirstMedianMs, l.RerankMedianMs = median(f), median(s)
	if rerankTotal > 0 {
		l.PairsPerSec = float64(l.Pairs) / rerankTotal
	}
	return l
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// TokenExplanation is which query and passage tokens drive a cross-encoder's logit:
// gradient × input on the summed input embeddings (token + position + type).
type TokenExplanation struct {
	Method string        `json:"method"` // "gradient × input"
	Logit  float64       `json:"logit"`
	Prob   float64       `json:"sigma"`
	Tokens []cross.Token `json:"tokens"`
}

// ExplainTokens explains the cross-encoder's logit of (query, passage index).
func (r *Reranked) ExplainTokens(query string, passage int) (TokenExplanation, error) {
	if passage < 0 || passage >= len(r.passages) {
		return TokenExplanation{}, fmt.Errorf("no passage %d", passage)
	}
	if r.CE == nil {
		return TokenExplanation{}, fmt.Errorf("%s: token explanations need a cross-encoder second stage", r.Name())
	}
	p := r.passages[passage]
	logit, toks, err := r.CE.Saliency(query, p.Title, p.Text)
	if err != nil {
		return TokenExplanation{}, err
	}
	return TokenExplanation{Method: "gradient × input", Logit: logit, Prob: head.Sigmoid(logit), Tokens: toks}, nil
}

// TrainReranker starts training a cross-encoder (engine/cross) on d into the run folder out,
// as a Job with the dual-encoder trainer's events (the Training pane's curves read them).
// Pause is not honoured by the cross-encoder trainer; cancel is (it checkpoints).
func TrainReranker(ctx context.Context, cfg cross.Config, d *datasets.Dataset, out string) *Job {
	return StartJob(ctx, func(ctx context.Context, events chan<- train.Event) error {
		return cross.Run(ctx, cfg, d, out, events)
	})
}

// TrainReranker starts training a cross-encoder on the workspace's dataset into out.
func (w *Workspace) TrainReranker(ctx context.Context, cfg cross.Config, out string) *Job {
	return TrainReranker(ctx, cfg, w.Data, out)
}

// CrossHead is the head name that makes the Training pane (and Service.Train) train a
// cross-encoder reranker.
const CrossHead = "cross"

// CrossConfig maps the Training pane's form (a train.Config) onto a cross-encoder config:
// preset, pooling, max length, epochs, batch, learning rate, weight decay, warm-up, clipping,
// vocabulary, tokenizer, seed and pseudo-queries carry over; "hard:K" gives K negatives;
// the loss is listwise.
func CrossConfig(c train.Config) cross.Config {
	cc := cross.DefaultConfig()
	cc.Preset, cc.Pooling, cc.Epochs, cc.Batch, cc.LR = c.Preset, c.Pooling, c.Epochs, c.Batch, c.LR
	cc.WeightDecay, cc.Warmup, cc.Clip, cc.Vocab, cc.TokenizerDir, cc.Seed, cc.Pseudo = c.WeightDecay, c.Warmup, c.Clip, c.Vocab, c.TokenizerDir, c.Seed, c.Pseudo
	if c.MaxLen > 0 {
		cc.MaxLen = c.MaxLen
		cc.MaxQuery = min(cc.MaxQuery, max(3, c.MaxLen/4))
	}
	if n, err := train.ParseNegatives(c.Negatives); err == nil && n.Hard > 0 {
		cc.Negatives = n.Hard
	}
	return cc
}
