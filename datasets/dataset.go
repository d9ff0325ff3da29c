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
	Name   string // short name, e.g. the folder or file name
	Source string // path it was loaded from ("embedded:demo" for the demo set)
	// Format is "beir", "squad", "triples", "dpr", "rerank", "csv", "tsv", "viquad",
	// "semeval2015", "semeval2016", "triple" (corpus + queries + qrels files) or "mixed"
	// (a folder of split files in different formats).
	Format   string
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
	// RelMinDefault is the smallest grade that counts as relevant when the user sets no
	// threshold (rel-min, applied at metric time). 0 means "any grade > 0". Graded
	// reranking sets whose official scorer is binary set it: SemEval-2016 Task 3 keeps
	// Good=2, PotentiallyUseful=1, Bad=0 in Qrels and sets 2 ("binary: only Good is
	// relevant"); SemEval-2015 Task 3 keeps direct=2, related=1, irrelevant=0 and sets 2.
	RelMinDefault int
	// KeepNoRelevant says that the set's official scorer averages over every query,
	// a query (group) without a relevant passage scoring 0, rather than leaving it out
	// (metrics.Options.KeepNoRelevant). The SemEval Task 3 scorers do so.
	KeepNoRelevant bool
	// SplitPassages, when non-nil, names the corpus of each split: a folder of per-split
	// files (arcd-train.json, arcd-test.json) keeps each file's passages apart, so that
	// evaluating one split searches only its own file's passages, as loading that file
	// alone would. Subset applies it. Nil means every split searches all Passages.
	SplitPassages map[Split][]string
	// Notes are facts about how the data was read that a user should see: an assumed
	// split, skipped files, generated ids. They are not problems.
	Notes []string
	// Warnings are non-fatal problems found while loading (conflicting labels for one
	// candidate, ...). Issues lists them with the sanity checks.
	Warnings []string
}

// IsRerank reports whether the dataset is a reranking set (candidate groups per query).
func (d *Dataset) IsRerank() bool { return d.Candidates != nil }
