// Package lab is the one service behind both faces of ARS Lab: the command line (app/) and the
// Bubble Tea panes (views/) call it and hold no retrieval logic of their own.
//
// A Workspace is one opened dataset with its statistics, its lexical baselines (BM25, TF-IDF,
// built once and cached), the dense models opened on it and the metrics computed so far. It
// finds the judged passages of a typed query, evaluates any retriever, and starts training as
// a Job (events, pause, resume, cancel, wait). After Open it is safe for concurrent use: the
// SSH server shares one Workspace between all its sessions.
package lab

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine"
	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/sparse"
	"github.com/arslab/arslab/engine/text"
)

// Options configure Open.
type Options struct {
	// BM25 are the BM25 parameters; the zero value means sparse.DefaultBM25().
	BM25 sparse.BM25Params
	// Analyzer turns texts into BM25 and TF-IDF terms; nil means text.NewAnalyzer().
	Analyzer *text.Analyzer
	// Models are run folders to open on the dataset (their passages are encoded once).
	Models []string
	// Baselines evaluates BM25, TF-IDF and every model on the default split at Open,
	// filling Results (the app's Metrics pane starts from them).
	Baselines bool
	// Load are the loader options (--columns, --corpus/--queries/--qrels).
	Load datasets.LoadOptions
	// Window is how dense models read passages longer than their max length: the zero
	// value indexes the first window only (as training sees them); Split indexes every
	// window and scores a passage by its best one (MaxP).
	Window dense.Window
}

// Workspace is one opened dataset and what was built on it. Fields are read-only after Open.
type Workspace struct {
	Data    *datasets.Dataset
	BM25    *sparse.BM25
	Models  []Model // dense models opened with the workspace
	Results []Row   // metrics computed at Open (Options.Baselines)

	statsOnce sync.Once
	stats     datasets.Stats

	judgedOnce sync.Once
	byText     map[string][]string // normalised query text → query ids

	infoOnce sync.Once
	info     map[string]queryInfo

	analyzer text.Analyzer // of BM25 and TF-IDF
	window   dense.Window  // how dense models read long passages

	tfidfMu sync.Mutex
	tfidf   *sparse.TFIDF
}

// Model is a retriever opened on a workspace's passages, with its explanation when its
// scoring head can give one (nil for BM25, TF-IDF and heads without one).
type Model struct {
	Name      string
	Retriever engine.Retriever
	Explainer Explainer
	// Notice is a warning to show beside the model, e.g. that its run folder holds an
	// unfinished training ("" when none).
	Notice string

	spec  string  // what it was opened from (bm25, runs/X, fuse:…)
	fixed *Ranked // a run file's ranking (RunModel); Retriever is nil then
}

// Row is one evaluated retriever on one split.
type Row struct {
	Name    string
	Split   string
	Metrics map[string]float64 // keys as engine/metrics: top1 … top100, mrr@10, map, ndcg@10
}

// LoadDataset reads the dataset at path; "" and "demo" are the embedded demo set (unless
// the three files of a corpus + queries + qrels triple are given).
func LoadDataset(path string, o datasets.LoadOptions) (*datasets.Dataset, error) {
	if (path == "" || path == "demo") && o.Corpus == "" {
		return datasets.Demo()
	}
	if path == "demo" {
		path = ""
	}
	return datasets.LoadWith(path, o)
}

// Open loads the dataset at path and builds the workspace on it (see New).
func Open(ctx context.Context, path string, opts Options, progress engine.Progress) (*Workspace, error) {
	d, err := LoadDataset(path, opts.Load)
	if err != nil {
		return nil, err
	}
	return New(ctx, d, opts, progress)
}

// OpenSplits loads path once and builds one workspace per requested split: "" is the
// dataset's default split, "all" every judged split, else the named split. When the splits
// have corpora of their own (a folder of one set's split files, such as arcd/ with
// arcd-train.json and arcd-test.json), each workspace holds only its split's passages, as
// loading that file alone would. why says which split was chosen by default ("" otherwise).
func OpenSplits(ctx context.Context, path string, opts Options, split string, progress engine.Progress) (ws []*Workspace, splits []datasets.Split, why string, err error) {
	d, err := LoadDataset(path, opts.Load)
	if err != nil {
		return nil, nil, "", err
	}
	switch split {
	case "":
		sp, reason := d.DefaultSplit()
		if sp == "" {
			return nil, nil, "", fmt.Errorf("dataset %s: %s", d.Name, reason)
		}
		splits, why = []datasets.Split{sp}, fmt.Sprintf("evaluating split %s of %s (%s)", sp, d.Name, reason)
	case "all":
		splits = d.Splits()
		if len(splits) == 0 {
			return nil, nil, "", fmt.Errorf("dataset %s has no judged queries", d.Name)
		}
	default:
		splits = []datasets.Split{datasets.Split(split)}
	}
	for _, sp := range splits {
		dd := d
		if d.SplitPassages != nil {
			if dd, err = d.Subset(sp); err != nil {
				return nil, nil, "", err
			}
		}
		w, err := New(ctx, dd, opts, progress)
		if err != nil {
			return nil, nil, "", err
		}
		ws = append(ws, w)
	}
	return ws, splits, why, nil
}

// New builds a workspace on an already loaded dataset: the BM25 index, the models of
// opts.Models and, with opts.Baselines, the metrics of every retriever on the default split.
func New(ctx context.Context, d *datasets.Dataset, opts Options, progress engine.Progress) (*Workspace, error) {
	p := opts.BM25
	if p == (sparse.BM25Params{}) {
		p = sparse.DefaultBM25()
	}
	an := opts.analyzer()
	bm, err := sparse.NewBM25With(ctx, d.Passages, p, an, progress)
	if err != nil {
		return nil, fmt.Errorf("BM25 index of %s: %w", d.Name, err)
	}
	w := &Workspace{Data: d, BM25: bm, analyzer: an, window: opts.Window}
	for _, dir := range opts.Models {
		m, err := w.OpenModel(ctx, dir, progress)
		if err != nil {
			return nil, err
		}
		w.Models = append(w.Models, m)
	}
	if !opts.Baselines {
		return w, nil
	}
	split, _ := w.DefaultSplit()
	if split == "" {
		return w, nil
	}
	tf, err := w.TFIDF(ctx, nil)
	if err != nil {
		return nil, err
	}
	rs := []engine.Retriever{bm, tf}
	for _, m := range w.Models {
		rs = append(rs, m.Retriever)
	}
	for _, r := range rs {
		rep, err := w.Evaluate(ctx, r, split, nil, nil)
		if err != nil {
			return nil, err
		}
		w.Results = append(w.Results, rep.Row())
	}
	return w, nil
}

// Stats returns the dataset's statistics (computed once; the same numbers as
// `arslab dataset stats`).
func (w *Workspace) Stats() datasets.Stats {
	w.statsOnce.Do(func() { w.stats = datasets.ComputeStats(w.Data) })
	return w.stats
}

// TFIDF returns the workspace's TF-IDF index, building it on first use.
func (w *Workspace) TFIDF(ctx context.Context, progress engine.Progress) (*sparse.TFIDF, error) {
	w.tfidfMu.Lock()
	defer w.tfidfMu.Unlock()
	if w.tfidf != nil {
		return w.tfidf, nil
	}
	an := w.analyzer
	if w.BM25 != nil {
		an = w.BM25.Analyzer()
	}
	tf, err := sparse.NewTFIDFWith(ctx, w.Data.Passages, an, progress)
	if err != nil {
		return nil, fmt.Errorf("TF-IDF index of %s: %w", w.Data.Name, err)
	}
	w.tfidf = tf
	return tf, nil
}

// splitOrder is the order splits are listed and searched in.
var splitOrder = [...]datasets.Split{datasets.Train, datasets.Dev, datasets.Test}

// DefaultSplit is the split evaluated when none is named: test, else dev, else train
// (a dataset with one judged split evaluates that one). The sentence says why, for stderr.
// It is "" when the dataset has no judged query.
func (w *Workspace) DefaultSplit() (datasets.Split, string) {
	sp, why := w.Data.DefaultSplit()
	if sp == "" {
		return "", "no judged queries"
	}
	return sp, fmt.Sprintf("evaluating split %s of %s (%s)", sp, w.Data.Name, why)
}

// Judged is what the dataset says about a typed query.
type Judged struct {
	QueryID  string         // first matching query ("" when the text is not a dataset query)
	Split    datasets.Split // the split judging QueryID
	Relevant map[string]int // passage id → highest grade > 0 over every matching query and split
}

// NormalizeQuery is the analyzer's token sequence of a query text: two texts that normalise
// alike are the same question (case, punctuation, Arabic letter variants, Unicode forms).
func NormalizeQuery(s string) string {
	return strings.Join(text.Tokens(s, text.Detect(s), text.DefaultOptions()), " ")
}

// Judge matches q against the dataset's queries after normalisation and returns their
// judged relevant passages. The CLI's ✓ marks and the Query pane's both come from here.
func (w *Workspace) Judge(q string) Judged {
	w.judgedOnce.Do(func() {
		w.byText = make(map[string][]string, len(w.Data.Queries))
		for _, qq := range w.Data.Queries {
			k := NormalizeQuery(qq.Text)
			w.byText[k] = append(w.byText[k], qq.ID)
		}
	})
	ids := w.byText[NormalizeQuery(q)]
	j := Judged{Relevant: map[string]int{}}
	if len(ids) == 0 {
		return j
	}
	for _, sp := range splitOrder {
		qrels := w.Data.Qrels[sp]
		for _, id := range ids {
			judged, ok := qrels[id]
			if !ok {
				continue
			}
			if j.QueryID == "" {
				j.QueryID, j.Split = id, sp
			}
			for pid, g := range judged {
				if g > 0 && g > j.Relevant[pid] {
					j.Relevant[pid] = g
				}
			}
		}
	}
	if j.QueryID == "" {
		j.QueryID = ids[0]
	}
	return j
}

// queryInfo is what the dataset judges about one query.
type queryInfo struct {
	split    datasets.Split
	relevant []int // passage indices with grade > 0, in split order then passage id order
}

// QueryJudgements returns the first split (train, dev, test) that judges query id and the
// passages (indices into Data.Passages) judged relevant to it in any split.
func (w *Workspace) QueryJudgements(id string) (datasets.Split, []int) {
	w.infoOnce.Do(w.buildQueryInfo)
	qi := w.info[id]
	return qi.split, qi.relevant
}

func (w *Workspace) buildQueryInfo() {
	w.info = map[string]queryInfo{}
	pidx := w.Data.PassageIndex()
	for _, sp := range splitOrder {
		for qid, judged := range w.Data.Qrels[sp] {
			qi, seen := w.info[qid]
			if !seen {
				qi.split = sp
			}
			ids := make([]string, 0, len(judged))
			for pid, g := range judged {
				if g > 0 {
					ids = append(ids, pid)
				}
			}
			sort.Strings(ids)
			for _, pid := range ids {
				if i, ok := pidx[pid]; ok && !slices.Contains(qi.relevant, i) {
					qi.relevant = append(qi.relevant, i)
				}
			}
			w.info[qid] = qi
		}
	}
}

// analyzer is the analyzer the options ask for.
func (o Options) analyzer() text.Analyzer {
	if o.Analyzer != nil {
		return *o.Analyzer
	}
	return text.NewAnalyzer()
}

// Settings describes the options that change lexical scores, for stamping results:
// "bm25 k1=0.9,b=0.4; analyzer stem=off,stop=off,norm=all".
func (o Options) Settings() string {
	p := o.BM25
	if p == (sparse.BM25Params{}) {
		p = sparse.DefaultBM25()
	}
	s := "bm25 " + p.String() + "; analyzer " + o.analyzer().String()
	if o.Window.Split {
		stride := "half"
		if o.Window.Stride > 0 {
			stride = fmt.Sprint(o.Window.Stride)
		}
		s += "; dense windows stride=" + stride + " maxp"
	}
	return s
}
