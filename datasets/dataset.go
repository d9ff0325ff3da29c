// Package datasets holds the retrieval data model, its loaders and the embedded demo set.
package datasets

// Split names a query split.
type Split string

// The standard splits.
const (
	Train Split = "train"
	Dev   Split = "dev"
	Test  Split = "test"
)

// Passage is one retrievable unit of the corpus.
type Passage struct {
	ID    string
	Title string // optional
	Text  string
}

// Query is one question.
type Query struct {
	ID   string
	Text string
}

// Qrels maps query id → passage id → graded relevance (> 0 is relevant).
type Qrels map[string]map[string]int

// Dataset is a corpus, its queries, graded judgements per split and optional training extras.
type Dataset struct {
	Name     string // short name, e.g. the folder or file name
	Source   string // path it was loaded from ("embedded:demo" for the demo set)
	Format   string // "beir", "squad", "triples", "dpr", "rerank"
	Passages []Passage
	Queries  []Query
	Qrels    map[Split]Qrels
	// HardNegatives maps query id → passage ids known to be wrong answers (optional).
	HardNegatives map[string][]string
	// Answers maps query id → answer strings, kept as metadata (SQuAD-style data).
	Answers map[string][]string
	// Candidates, when non-nil, makes this a reranking set: query id → its own
	// candidate passage ids in file order. Metrics are then computed per group.
	Candidates map[string][]string
}

// IsRerank reports whether the dataset is a reranking set (candidate groups per query).
func (d *Dataset) IsRerank() bool { return d.Candidates != nil }
