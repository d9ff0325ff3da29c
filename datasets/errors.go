package datasets

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrUnknownFormat is wrapped by Load when a path is not in any supported format.
var ErrUnknownFormat = errors.New("unknown dataset format")

// supportedFormats is the help text listed with ErrUnknownFormat.
const supportedFormats = "supported: BEIR folder (corpus.jsonl, queries.jsonl, qrels/*.tsv), " +
	"SQuAD .json ({\"data\": [...]}), DPR .json ([{\"positive_ctxs\": ...}]), " +
	"triples .jsonl (query/positive(s)/negatives), rerank .jsonl (query/passage/label) or .tsv (query\\tpassage\\tlabel), " +
	"question–context .csv/.tsv rows, ViQuAD list .json ([{\"context\", \"question\", \"label\"}]), SemEval Task 3 .xml, " +
	"a folder of split files (name-train.json, name-test.json), or --corpus/--queries/--qrels files (also inside a .zip as archive.zip:inner.csv)"

// ErrQrelsFile is returned (wrapped) when a file given as a dataset is a qrels file
// (query-id, corpus-id, score): it judges passages but holds no texts. It wraps ErrUnknownFormat.
var ErrQrelsFile = fmt.Errorf("%w: qrels file", ErrUnknownFormat)

// ParseError locates a problem in an input file.
type ParseError struct {
	File   string // path of the file, as given to the loader
	Line   int    // 1-based line, 0 when unknown
	Col    int    // 1-based column in characters (runes), 0 when unknown
	Offset int64  // 0-based byte offset in the file, -1 or 0 when unknown; shown for long lines
	Path   string // JSON path inside the line or document, e.g. data[3].paragraphs[0]
	Field  string // field name, "" when the problem is not about one field
	Msg    string
	Err    error // a sentinel the problem is an instance of (ErrQrelsFile), or nil; not printed
}

// Unwrap returns the sentinel, so errors.Is(err, ErrQrelsFile) and ErrUnknownFormat work.
func (e *ParseError) Unwrap() error { return e.Err }

// qrelsFileErr says a file is a qrels file and how to use it.
func qrelsFileErr(file string, line int, why string) *ParseError {
	return &ParseError{File: file, Line: line, Err: ErrQrelsFile,
		Msg: "this is a qrels file (" + why + "), not a dataset: it holds ids, not texts; " +
			"give it with --qrels, with the passages as --corpus and the questions as --queries"}
}

// longLine is the column beyond which an error also shows its byte offset.
const longLine = 200

// Error renders e.g. `corpus.jsonl:17: field "_id": missing`, or
// `big.json:1:52428801 (byte 52428800): invalid JSON: …` when the column is far into a long line.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Col))
		}
		if e.Offset > 0 && e.Col > longLine {
			fmt.Fprintf(&b, " (byte %d)", e.Offset)
		}
	}
	if e.Path != "" {
		b.WriteString(": ")
		b.WriteString(e.Path)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// fieldErr builds a ParseError about one field.
func fieldErr(file string, line int, path, field, msg string) *ParseError {
	return &ParseError{File: file, Line: line, Path: path, Field: field, Msg: msg}
}
