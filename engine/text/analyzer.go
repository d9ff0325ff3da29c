package text

// Analyzer turns a text into index terms: it detects the language of each text and runs
// Tokens with its options, optionally dropping that language's stopwords.
// The zero Analyzer only splits and composes; use NewAnalyzer for the default pipeline.
type Analyzer struct {
	Opts      Options
	Stopwords bool // drop the small per-language stopword lists (off by default)
}

// NewAnalyzer returns the default analyzer: every normalisation step, no stopword removal.
func NewAnalyzer() Analyzer { return Analyzer{Opts: DefaultOptions()} }

// Analyze returns the terms of s.
func (a Analyzer) Analyze(s string) []string {
	return a.AppendAnalyze(nil, s)
}

// AppendAnalyze is Analyze appending to dst (the terms share memory with one normalised copy of s).
func (a Analyzer) AppendAnalyze(dst []string, s string) []string {
	lang := Detect(s)
	start := len(dst)
	dst = AppendTokens(dst, s, lang, a.Opts)
	if !a.Stopwords {
		return dst
	}
	stop := stopwords[lang]
	if stop == nil {
		return dst
	}
	out := dst[:start]
	for _, t := range dst[start:] {
		if !stop[canonical(t)] {
			out = append(out, t)
		}
	}
	return out
}

// IsStopword reports whether tok (in any normalised form) is on lang's stopword list.
func IsStopword(tok string, lang Lang) bool {
	stop := stopwords[lang]
	return stop != nil && stop[canonical(tok)]
}

// canonical is the fully normalised form of a single token, as the stopword sets store it.
// It avoids work for tokens that are already canonical ASCII.
func canonical(tok string) string {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c >= 0x80 || ('A' <= c && c <= 'Z') {
			return Normalize(tok, Other, DefaultOptions())
		}
	}
	return tok
}

// Small, conservative stopword lists (function words only; negations and question words
// that change meaning are kept). Entries are written naturally and normalised at init.
var stopwordLists = map[Lang][]string{
	English: {"a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into",
		"is", "it", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
		"they", "this", "to", "was", "will", "with"},
	Arabic: {"في", "من", "على", "إلى", "عن", "مع", "هذا", "هذه", "ذلك", "تلك", "التي", "الذي",
		"الذين", "هو", "هي", "هم", "أن", "إن", "كان", "كانت", "قد", "لقد", "كما", "أو", "ثم",
		"و", "ف", "ب", "ل", "عند", "بين", "حتى", "أي", "كل", "بعض", "أيضا", "إذا", "هل"},
	Vietnamese: {"và", "của", "là", "có", "các", "những", "được", "trong", "cho", "với", "một",
		"này", "đã", "thì", "mà", "để", "về", "từ", "như", "ra", "lại", "rằng", "cũng", "bị",
		"đến", "nên", "vào", "theo", "sẽ", "đang", "nhiều"},
}

// stopwords holds the normalised sets. It is built once at init and never written afterwards.
var stopwords = func() map[Lang]map[string]bool {
	m := make(map[Lang]map[string]bool, len(stopwordLists))
	for lang, words := range stopwordLists {
		set := make(map[string]bool, len(words))
		for _, w := range words {
			set[canonical(w)] = true
		}
		m[lang] = set
	}
	return m
}()
