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
	windows        *bool
	stride         *int
}

func addLexFlags(fs *flag.FlagSet) lexFlags {
	return lexFlags{
		bm25: fs.String("bm25", "", "BM25 constants, e.g. k1=1.5,b=0.75 (default k1=0.9,b=0.4, Anserini's)"),
		analyzer: fs.String("analyzer", "", "BM25/TF-IDF analyzer, e.g. stem=ar,stop=ar+en+vi or lower=off "+
			"(default "+text.DefaultAnalyzerSpec+")"),
		windows: fs.Bool("windows", false, "dense models: index passages longer than the model's max length as overlapping windows "+
			"and score each passage by its best window (MaxP); default: the first window only, as training sees them"),
		stride: fs.Int("stride", 0, "with --windows: word pieces between window starts (default half a window)"),
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
	if *l.stride < 0 {
		return o, usageError{"--stride: want a positive number of word pieces"}
	}
	if *l.stride > 0 && !*l.windows {
		return o, usageError{"--stride only applies with --windows"}
	}
	o.Window.Split, o.Window.Stride = *l.windows, *l.stride
	if *l.analyzer != "" {
		an, err := text.ParseAnalyzer(*l.analyzer)
		if err != nil {
			return o, usageError{"--analyzer: " + err.Error()}
		}
		o.Analyzer = &an
	}
	return o, nil
}
