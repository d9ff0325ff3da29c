// Package runs reads and writes TREC run files, the ranked-list format of trec_eval:
//
//	qid Q0 docid rank score tag
//
// one line per retrieved document, six fields separated by white space. It follows trec_eval
// (usnistgov/trec_eval, get_trec_results.c and form_res_rels.c) where trec_eval is lenient by
// design and is stricter where trec_eval would silently read something else:
//
//   - The rank column is ignored when reading: trec_eval orders each query's documents by score,
//     highest first, breaking ties by docid in descending byte order (strcmp), and so does Read.
//     A list written with ties in another order therefore evaluates differently under trec_eval;
//     Run.SortTREC puts lists in trec_eval's order before they are evaluated or written.
//   - The second column ("Q0", the iteration) is ignored, as trec_eval ignores it.
//   - Blank lines and lines whose first non-blank character is '#' are skipped, as in trec_eval.
//   - Every other line must have exactly six fields (trec_eval ignores extra ones), a
//     non-negative integer rank, a finite score, and the same tag as the first line (trec_eval
//     keeps the last line's). A docid repeated within a query is an error, as in trec_eval.
//
// Errors from Read name the file, the line and the field (see ParseError).
package runs

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/arslab/arslab/internal/atomicfile"
)

// Layout names the six columns, for error messages.
const Layout = "qid Q0 docid rank score tag"

// Scored is one retrieved document and its score (higher is better).
type Scored struct {
	DocID string
	Score float64
}

// Run is a set of ranked lists, one per query, under one run tag. Build one from engine hits
// with Scored{DocID: h.ID, Score: h.Score}, best first. The package imports no other part of
// the engine, so any package (engine itself included) can use it.
type Run struct {
	Tag    string              // run name, the sixth column; no white space
	Ranked map[string][]Scored // query id → documents, best first
}

// Lists returns the ranked document ids of each query, best first: the run format of
// metrics.Evaluate (map[query id][]passage ids).
func (r Run) Lists() map[string][]string {
	out := make(map[string][]string, len(r.Ranked))
	for qid, list := range r.Ranked {
		ids := make([]string, len(list))
		for i, s := range list {
			ids[i] = s.DocID
		}
		out[qid] = ids
	}
	return out
}

// CompareTREC orders two results as trec_eval ranks them: higher score first, then docid in
// descending byte order. It returns a negative number when a ranks before b.
func CompareTREC(a, b Scored) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	return strings.Compare(b.DocID, a.DocID)
}

// SortTREC sorts every list in place into the order trec_eval evaluates it in (CompareTREC),
// so that metrics computed from Lists agree with trec_eval on the written file.
func (r Run) SortTREC() {
	for _, list := range r.Ranked {
		slices.SortStableFunc(list, CompareTREC)
	}
}

// Validate reports what Write would refuse: an empty or spaced tag, query ids or docids that
// are empty, contain white space or NUL (or, for query ids, start with '#', which readers take
// for a comment), scores that are NaN or infinite or rise down a list (lists must be best
// first), a docid repeated within a query, and a run with no results at all.
func (r Run) Validate() error {
	if err := checkField(r.Tag); err != nil {
		return fmt.Errorf("runs: tag %q: %w", r.Tag, err)
	}
	n := 0
	for qid, list := range r.Ranked {
		if len(list) == 0 {
			continue
		}
		if err := checkField(qid); err != nil {
			return fmt.Errorf("runs: query id %q: %w", qid, err)
		}
		if qid[0] == '#' {
			return fmt.Errorf("runs: query id %q starts with #, which TREC readers skip as a comment", qid)
		}
		seen := make(map[string]int, len(list))
		for i, s := range list {
			if err := checkField(s.DocID); err != nil {
				return fmt.Errorf("runs: query %q rank %d: docid %q: %w", qid, i+1, s.DocID, err)
			}
			if math.IsNaN(s.Score) || math.IsInf(s.Score, 0) {
				return fmt.Errorf("runs: query %q rank %d (docid %q): score %v is not finite", qid, i+1, s.DocID, s.Score)
			}
			if i > 0 && s.Score > list[i-1].Score {
				return fmt.Errorf("runs: query %q rank %d (docid %q): score %v is above rank %d's %v; lists must be best first",
					qid, i+1, s.DocID, s.Score, i, list[i-1].Score)
			}
			if j, dup := seen[s.DocID]; dup {
				return fmt.Errorf("runs: query %q: docid %q at ranks %d and %d", qid, s.DocID, j+1, i+1)
			}
			seen[s.DocID] = i
		}
		n += len(list)
	}
	if n == 0 {
		return errors.New("runs: run has no results")
	}
	return nil
}

// checkField reports a value that cannot be one field of a run line.
func checkField(s string) error {
	switch {
	case s == "":
		return errors.New("empty")
	case strings.IndexFunc(s, isSpace) >= 0:
		return errors.New("contains white space")
	case strings.IndexByte(s, 0) >= 0:
		return errors.New("contains a NUL byte")
	}
	return nil
}

// isSpace is C's isspace in the C locale, the field separator of trec_eval.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// Write writes run in TREC format: queries in ascending byte order of their ids, each list in
// its stored order with ranks 1, 2, …, "Q0" in the second column and scores in the shortest
// decimal form that reads back to the same float64. Queries with empty lists are left out (the
// format cannot express them). The run is validated first (Validate), so nothing is written for
// an invalid run.
//
// trec_eval ignores the ranks and orders equal scores by docid, descending: a list whose ties
// are in another order (engines break ties by passage index) is evaluated in trec_eval's order.
// Call SortTREC before computing metrics from Lists when they must agree with trec_eval.
func Write(w io.Writer, run Run) error {
	if err := run.Validate(); err != nil {
		return err
	}
	return write(w, run)
}

// write is Write for a validated run.
func write(w io.Writer, run Run) error {
	qids := make([]string, 0, len(run.Ranked))
	for qid, list := range run.Ranked {
		if len(list) > 0 {
			qids = append(qids, qid)
		}
	}
	slices.Sort(qids)
	bw := bufio.NewWriter(w)
	var line []byte
	for _, qid := range qids {
		for i, s := range run.Ranked[qid] {
			line = append(line[:0], qid...)
			line = append(line, " Q0 "...)
			line = append(line, s.DocID...)
			line = append(line, ' ')
			line = strconv.AppendInt(line, int64(i+1), 10)
			line = append(line, ' ')
			line = strconv.AppendFloat(line, s.Score, 'f', -1, 64)
			line = append(line, ' ')
			line = append(line, run.Tag...)
			line = append(line, '\n')
			if _, err := bw.Write(line); err != nil {
				return fmt.Errorf("runs: write: %w", err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("runs: write: %w", err)
	}
	return nil
}

// WriteFile writes run to path atomically: into a temporary file in the same directory, synced
// to disk, then renamed over path (and the directory synced), so readers see the old file or the
// whole new one. The file is created with mode 0644. Nothing is left behind on error.
func WriteFile(path string, run Run) error {
	if err := run.Validate(); err != nil {
		return err
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { return write(w, run) }); err != nil {
		return fmt.Errorf("runs: %w", err)
	}
	return nil
}

// ParseError is a malformed line of a run file.
type ParseError struct {
	File  string // the name given to Read
	Line  int    // 1-based; 0 for the file as a whole
	Field string // the column at fault (qid, docid, rank, score, tag) or "" for the line
	Msg   string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// maxLine bounds one line of a run file.
const maxLine = 1 << 20

// Read parses a TREC run from r; name (usually the file path) labels errors. Each query's list
// comes back in trec_eval's order (CompareTREC), whatever the rank column says. Malformed input
// gives a *ParseError naming name, the line and the field.
func Read(r io.Reader, name string) (Run, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	run := Run{Ranked: make(map[string][]Scored)}
	seen := make(map[string]map[string]int) // qid → docid → line
	tagLine := 0
	lineNo := 0
	fail := func(field, format string, args ...any) (Run, error) {
		return Run{}, &ParseError{File: name, Line: lineNo, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	var fields []string
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		trimmed := strings.TrimLeftFunc(line, isSpace)
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		fields = appendFields(fields[:0], trimmed)
		if len(fields) != 6 {
			return fail("", "%d fields, want 6: %s", len(fields), Layout)
		}
		qid, docid, rankStr, scoreStr, tag := fields[0], fields[2], fields[3], fields[4], fields[5]
		for _, f := range [...]struct{ name, val string }{{"qid", qid}, {"docid", docid}, {"tag", tag}} {
			if strings.IndexByte(f.val, 0) >= 0 {
				return fail(f.name, "%q contains a NUL byte", f.val)
			}
		}
		if rank, err := strconv.Atoi(rankStr); err != nil || rank < 0 {
			return fail("rank", "%q is not a non-negative integer (column 4 of %s)", rankStr, Layout)
		}
		score, err := strconv.ParseFloat(scoreStr, 64)
		if err != nil || math.IsNaN(score) || math.IsInf(score, 0) {
			return fail("score", "%q is not a finite number (column 5 of %s)", scoreStr, Layout)
		}
		if tagLine == 0 {
			run.Tag, tagLine = tag, lineNo
		} else if tag != run.Tag {
			return fail("tag", "%q differs from %q on line %d (one run per file)", tag, run.Tag, tagLine)
		}
		docs := seen[qid]
		if docs == nil {
			docs = make(map[string]int)
			seen[qid] = docs
		}
		if first, dup := docs[docid]; dup {
			return fail("docid", "%q repeated for query %q (first on line %d)", docid, qid, first)
		}
		docs[docid] = lineNo
		list, known := run.Ranked[qid]
		if !known {
			qid = strings.Clone(qid) // the fields share memory with the whole line
		}
		run.Ranked[qid] = append(list, Scored{DocID: strings.Clone(docid), Score: score})
	}
	if err := sc.Err(); err != nil {
		lineNo++
		if errors.Is(err, bufio.ErrTooLong) {
			return fail("", "line longer than %d bytes", maxLine)
		}
		return Run{}, fmt.Errorf("runs: read %s: %w", name, err)
	}
	if tagLine == 0 {
		return Run{}, &ParseError{File: name, Msg: "no result lines (want lines of " + Layout + ")"}
	}
	run.Tag = strings.Clone(run.Tag)
	run.SortTREC()
	return run, nil
}

// appendFields splits s at runs of isSpace.
func appendFields(dst []string, s string) []string {
	start := -1
	for i := 0; i < len(s); i++ {
		if isSpace(rune(s[i])) {
			if start >= 0 {
				dst = append(dst, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}

// ReadFile reads the run file at path (see Read).
func ReadFile(path string) (Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return Run{}, fmt.Errorf("runs: %w", err)
	}
	defer f.Close()
	return Read(f, path)
}
