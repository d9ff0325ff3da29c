package text

// Analyzer turns a text into index terms: it detects the language of the text, runs Tokens with
// its options, drops the stopwords of that language when Stop holds it, and light-stems the
// tokens of the languages in Stem.
//
// The zero Analyzer only splits and composes; NewAnalyzer is the default pipeline. ParseAnalyzer
// builds one from a spec such as "stem=ar,stop=ar+en+vi" and String writes that spec back.
type Analyzer struct {
	Opts Options

	// Stop selects the stopword lists (stopwords.go): a text detected as a language in Stop loses
	// that language's stopwords. Lists are applied per detected language, never across languages
	// (English "to" and "an" are Vietnamese words). Off by default.
	Stop LangSet

	// Stem selects light stemmers. Only Arabic has one (StemArabic, Lucene's ArabicStemmer); it
	// is applied to every token after stopword removal, whatever the text's detected language,
	// as Lucene's ArabicStemFilter is (non-Arabic tokens have nothing to strip). Off by default.
	Stem LangSet
}

// NewAnalyzer returns the default analyzer: every normalisation step, no stopword removal, no
// stemming. Its String is DefaultAnalyzerSpec.
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
	if a.Stop.Has(lang) {
		if stop := stopwords[lang]; stop != nil {
			// Default options leave every token in the normalised form the sets store.
			direct := a.Opts == DefaultOptions()
			out := dst[:start]
			for _, t := range dst[start:] {
				key := t
				if !direct {
					key = fixVietTone(canonical(t))
				}
				if !stop[key] {
					out = append(out, t)
				}
			}
			clear(dst[len(out):]) // drop references held past the new end
			dst = out
		}
	}
	if a.Stem.Has(Arabic) {
		for i := start; i < len(dst); i++ {
			dst[i] = StemArabic(dst[i])
		}
	}
	return dst
}

// IsStopword reports whether tok (in any normalised form) is on lang's stopword list.
func IsStopword(tok string, lang Lang) bool {
	stop := stopwords[lang]
	return stop != nil && stop[fixVietTone(canonical(tok))]
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
