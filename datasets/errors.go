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
	"triples .jsonl (query/positive(s)/negatives), rerank .jsonl (query/passage/label) or .tsv (query\\tpassage\\tlabel)"

// ParseError locates a problem in an input file.
type ParseError struct {
	File  string // path of the file, as given to the loader
	Line  int    // 1-based line, 0 when unknown
	Path  string // JSON path inside the line or document, e.g. data[3].paragraphs[0]
	Field string // field name, "" when the problem is not about one field
	Msg   string
}

// Error renders e.g. `corpus.jsonl:17: field "_id": missing`.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
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
