package text

import "slices"

// Stopword lists, one per language. Entries are written as their sources spell them and are
// normalised (DefaultOptions, Vietnamese tone placement) when the sets are built, so variant
// spellings collapse (أن / إن / ان → ان) and a token matches in any normalised form.
//
// Lucene matches its Arabic list before normalisation ("not normalized, so use before
// normalization"); matching after it also drops diacritised or variant spellings of the same
// words, which Lucene's list tries to cover by listing several forms.

// englishStopwords is Lucene's English default set (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET,
// 33 words), also the English list of Anserini's default analyzer.
var englishStopwords = []string{
	"a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
	"no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they",
	"this", "to", "was", "will", "with",
}

// arabicStopwords is Lucene's default Arabic list (ArabicAnalyzer.DEFAULT_STOPWORD_FILE,
// resources/org/apache/lucene/analysis/ar/stopwords.txt, 119 entries), created by Jacques Savoy
// (http://members.unine.ch/jacques.savoy/clef/) and distributed under the BSD licence.
var arabicStopwords = []string{
	"من", "ومن", "منها", "منه", "في", "وفي", "فيها", "فيه", "و", "ف", "ثم", "او", "أو", "ب", "بها",
	"به", "ا", "أ", "اى", "اي", "أي", "أى", "لا", "ولا", "الا", "ألا", "إلا", "لكن", "ما", "وما",
	"كما", "فما", "عن", "مع", "اذا", "إذا", "ان", "أن", "إن", "انها", "أنها", "إنها", "انه", "أنه",
	"إنه", "بان", "بأن", "فان", "فأن", "وان", "وأن", "وإن", "التى", "التي", "الذى", "الذي", "الذين",
	"الى", "الي", "إلى", "إلي", "على", "عليها", "عليه", "اما", "أما", "إما", "ايضا", "أيضا", "كل",
	"وكل", "لم", "ولم", "لن", "ولن", "هى", "هي", "هو", "وهى", "وهي", "وهو", "فهى", "فهي", "فهو",
	"انت", "أنت", "لك", "لها", "له", "هذه", "هذا", "تلك", "ذلك", "هناك", "كانت", "كان", "يكون",
	"تكون", "وكانت", "وكان", "غير", "بعض", "قد", "نحو", "بين", "بينما", "منذ", "ضمن", "حيث", "الان",
	"الآن", "خلال", "بعد", "قبل", "حتى", "عند", "عندما", "لدى", "جميع",
}

// vietnameseStopwords are common Vietnamese function words: conjunctions, prepositions,
// auxiliaries and tense markers, classifiers, demonstratives and sentence particles. Tokens are
// syllables, so only one-syllable words are listed. They are the function words of the widely
// used stopwords/vietnamese-stopwords list; its content words (người, nhà, năm, ngày …),
// negations (không, chưa) and question words (gì, nào, ai) are left out on purpose, because
// retrieval questions hinge on them.
var vietnameseStopwords = []string{
	// conjunctions
	"và", "hay", "hoặc", "nhưng", "mà", "thì", "nếu", "vì", "nên", "tuy", "song", "rằng", "để",
	// prepositions
	"của", "cho", "với", "về", "từ", "tại", "ở", "trong", "trên", "theo", "bằng", "đến", "tới",
	"vào", "ra", "lên", "qua", "bởi", "do",
	// copula, auxiliaries, tense and aspect markers
	"là", "có", "được", "bị", "đã", "đang", "sẽ", "vừa", "từng", "cũng", "vẫn", "còn", "lại",
	"đều", "cứ", "rồi",
	// plural markers, classifiers, quantifiers, nominalisers
	"các", "những", "mọi", "mỗi", "một", "cái", "chiếc", "sự", "việc", "nhiều", "cả",
	// degree adverbs
	"rất", "quá", "lắm", "hơn", "nhất", "càng", "chỉ", "ngay",
	// demonstratives
	"này", "đó", "đây", "kia", "ấy", "nọ", "vậy", "thế",
	// sentence particles
	"chứ", "nhé", "à", "ạ", "ơi", "thôi", "nữa",
}

// stopwordSources lists each language's words for the stopword sets (read-only).
var stopwordSources = map[Lang][]string{
	Arabic:     arabicStopwords,
	English:    englishStopwords,
	Vietnamese: vietnameseStopwords,
}

// stopwords holds the normalised sets. It is built once at init and never written afterwards.
var stopwords = func() map[Lang]map[string]bool {
	m := make(map[Lang]map[string]bool, len(stopwordSources))
	for lang, words := range stopwordSources {
		set := make(map[string]bool, len(words))
		for _, w := range words {
			set[fixVietTone(canonical(w))] = true
		}
		m[lang] = set
	}
	return m
}()

// Stopwords returns lang's stopword list in normalised form, sorted; nil for languages without one.
func Stopwords(lang Lang) []string {
	set := stopwords[lang]
	if set == nil {
		return nil
	}
	out := make([]string, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}
