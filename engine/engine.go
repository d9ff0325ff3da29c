// Package engine holds what every retriever shares: hits, the Retriever interface and progress reporting.
// It never imports a UI package.
package engine

// Contribution is one dimension's share of an ARS score: v_i · tanh((W_q q + b_q) ⊙ (W_p p + b_p))_i.
type Contribution struct {
	Dim   int
	Value float64
}

// Hit is one ranked passage.
type Hit struct {
	ID    string  // passage id
	Index int     // position of the passage in the dataset's Passages slice
	Score float64 // raw model score (higher is better)
	// Prob is sigmoid(Score) for models with a [0,1] relevance reading; NaN when meaningless (BM25, TF-IDF).
	Prob float64
	// Contrib lists the largest per-dimension contributions (by |value|) for ARS heads; nil otherwise.
	Contrib []Contribution
}

// Retriever ranks the whole corpus it was built on for a query.
type Retriever interface {
	Name() string
	// Search returns at most k hits, best first.
	Search(query string, k int) []Hit
}

// Reranker scores a given candidate list (passage indices into the corpus) for a query.
type Reranker interface {
	Name() string
	// Rerank returns one hit per candidate, best first.
	Rerank(query string, candidates []int) []Hit
}

// Progress is told how much of a long job is done. total may be 0 when unknown.
// Implementations must be cheap; callers report at most a few times per second.
type Progress func(done, total int)
