package app

import (
	"flag"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/sparse"
	"github.com/arslab/arslab/engine/text"
	"github.com/arslab/arslab/lab"
)

// lexFlags are the flags that set BM25, the analyzer and the loader, shared by every
// command that opens a workspace.
type lexFlags struct {
	bm25, analyzer *string
	windows        *bool
	stride         *int
	data           dataFlags
}

// dataFlags are the loader's flags: column roles of delimited files and the three files
// of a corpus + queries + qrels set.
type dataFlags struct {
	columns, corpus, queries, qrels *string
}

func addDataFlags(fs *flag.FlagSet) dataFlags {
	return dataFlags{
		columns: fs.String("columns", "", "column roles of a CSV/TSV file, e.g. query=question,passage=context (default: detected from the header)"),
		corpus:  fs.String("corpus", "", "corpus file of a corpus + queries + qrels set (with --queries and --qrels; zip:inner paths work)"),
		queries: fs.String("queries", "", "queries file of a corpus + queries + qrels set"),
		qrels:   fs.String("qrels", "", "qrels file (query-id corpus-id score) of a corpus + queries + qrels set"),
	}
}

// options turns the flags into loader options.
func (d dataFlags) options() (datasets.LoadOptions, error) {
	var o datasets.LoadOptions
	if *d.columns != "" {
		cols, err := datasets.ParseColumns(*d.columns)
		if err != nil {
			return o, usageError{"--columns: " + err.Error()}
		}
		o.Columns = cols
	}
	o.Corpus, o.Queries, o.Qrels = *d.corpus, *d.queries, *d.qrels
	n := 0
	for _, f := range []string{o.Corpus, o.Queries, o.Qrels} {
		if f != "" {
			n++
		}
	}
	if n != 0 && n != 3 {
		return o, usageError{"--corpus, --queries and --qrels go together: give all three"}
	}
	return o, nil
}

func addLexFlags(fs *flag.FlagSet) lexFlags {
	return lexFlags{
		data: addDataFlags(fs),
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
	load, err := l.data.options()
	if err != nil {
		return o, err
	}
	o.Load = load
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
