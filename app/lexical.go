package app

import (
	"flag"

	"github.com/arslab/arslab/engine/sparse"
	"github.com/arslab/arslab/engine/text"
	"github.com/arslab/arslab/lab"
)

// lexFlags are the flags that set BM25 and the analyzer, shared by every command that
// opens a workspace.
type lexFlags struct {
	bm25, analyzer *string
}

func addLexFlags(fs *flag.FlagSet) lexFlags {
	return lexFlags{
		bm25: fs.String("bm25", "", "BM25 constants, e.g. k1=1.5,b=0.75 (default k1=0.9,b=0.4, Anserini's)"),
		analyzer: fs.String("analyzer", "", "BM25/TF-IDF analyzer, e.g. stem=ar,stop=ar+en+vi or lower=off "+
			"(default "+text.DefaultAnalyzerSpec+")"),
	}
}

// options turns the flags into workspace options.
func (l lexFlags) options() (lab.Options, error) {
	var o lab.Options
	p, err := sparse.ParseBM25Params(*l.bm25)
	if err != nil {
		return o, usageError{"--bm25: " + err.Error()}
	}
	o.BM25 = p
	if *l.analyzer != "" {
		an, err := text.ParseAnalyzer(*l.analyzer)
		if err != nil {
			return o, usageError{"--analyzer: " + err.Error()}
		}
		o.Analyzer = &an
	}
	return o, nil
}
