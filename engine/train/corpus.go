package train

import "github.com/arslab/arslab/datasets"

// corpus is the training data of one dataset: its examples and hard negatives index its own
// passages, so a batch drawn from it never mixes corpora. A plain run has one; a mixture run
// (mixture.go) has one per source and points the trainer at the one it steps on.
type corpus struct {
	ds       *datasets.Dataset
	k        int // hard negatives per example in the graph
	queries  []string
	posSets  []map[int]bool
	examples []example
	qIDs     [][]int
	pIDs     [][]int // lazily tokenised passages
}

// graphKey names a compiled head graph: batch size and hard negatives per query (corpora
// smaller than K+1 passages cap K, so two sources may need different graphs).
type graphKey struct{ b, k int }
