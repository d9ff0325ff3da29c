package datasets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxLine bounds one JSONL/TSV line so a wrong file cannot eat all memory.
const maxLine = 64 << 20

// lineReader yields the lines of a JSONL/TSV file: a bufio.Scanner whose buffer may grow to
// maxLine (not the default 64 KiB), counting lines for error messages.
type lineReader struct {
	sc   *bufio.Scanner
	line int // number of the line last returned
}

func newLineReader(r io.Reader) *lineReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256<<10), maxLine)
	return &lineReader{sc: sc}
}

// next returns the next line without its "\n" or "\r\n" (and without a leading
// UTF-8 BOM on line 1). The slice is valid until the next call. At the end it returns io.EOF.
func (lr *lineReader) next() ([]byte, error) {
	if !lr.sc.Scan() {
		err := lr.sc.Err()
		switch {
		case errors.Is(err, bufio.ErrTooLong):
			return nil, fmt.Errorf("line %d longer than %d MiB", lr.line+1, maxLine>>20)
		case err != nil:
			return nil, err
		}
		return nil, io.EOF
	}
	lr.line++
	chunk := lr.sc.Bytes()
	if lr.line == 1 {
		chunk = bytes.TrimPrefix(chunk, []byte("\xef\xbb\xbf"))
	}
	return chunk, nil
}

// blank reports whether a line holds only white space.
func blank(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }

// kindOf names the JSON type of a raw value, for "not a string (got number)" messages.
func kindOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "list"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// absent reports whether a field was left out or null.
func absent(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// rawString decodes a JSON string value; ok is false when raw is not a string.
func rawString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true // fast path: nothing to unescape
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// rawID decodes an id given as a JSON string or number (numbers keep their literal text).
func rawID(raw json.RawMessage) (string, bool) {
	if kindOf(raw) == "number" {
		return string(bytes.TrimSpace(raw)), true
	}
	return rawString(raw)
}

// rawList splits a JSON array into its elements; ok is false when raw is not an array.
func rawList(raw json.RawMessage) ([]json.RawMessage, bool) {
	if kindOf(raw) != "list" {
		return nil, false
	}
	var l []json.RawMessage
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, false
	}
	return l, true
}

// reqString reads a required, non-blank string field.
func reqString(raw json.RawMessage, file string, line int, path, field string) (string, error) {
	if absent(raw) {
		return "", fieldErr(file, line, path, field, "missing")
	}
	s, ok := rawString(raw)
	if !ok {
		return "", fieldErr(file, line, path, field, "not a string (got "+kindOf(raw)+")")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fieldErr(file, line, path, field, "empty")
	}
	return s, nil
}

// reqID reads a required id (string or number).
func reqID(raw json.RawMessage, file string, line int, path, field string) (string, error) {
	if absent(raw) {
		return "", fieldErr(file, line, path, field, "missing")
	}
	id, ok := rawID(raw)
	if !ok {
		return "", fieldErr(file, line, path, field, "not a string or number (got "+kindOf(raw)+")")
	}
	id = strings.TrimSpace(id)
	if id == "" {
		return "", fieldErr(file, line, path, field, "empty")
	}
	return id, nil
}

// optString reads an optional string field ("" when absent).
func optString(raw json.RawMessage, file string, line int, path, field string) (string, error) {
	if absent(raw) {
		return "", nil
	}
	s, ok := rawString(raw)
	if !ok {
		return "", fieldErr(file, line, path, field, "not a string (got "+kindOf(raw)+")")
	}
	return strings.TrimSpace(s), nil
}

// jsonErr turns an encoding/json error for one value into a ParseError.
func jsonErr(file string, line int, path string, err error) *ParseError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			field = field[i+1:]
		}
		want := typeName(te.Type)
		if field == "" {
			return fieldErr(file, line, path, "", "not a JSON "+want+" (got "+te.Value+")")
		}
		return fieldErr(file, line, path, field, "not a "+want+" (got "+te.Value+")")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fieldErr(file, line, path, "", "invalid JSON: "+se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fieldErr(file, line, path, "", "invalid JSON: unexpected end of input")
	}
	return fieldErr(file, line, path, "", "invalid JSON: "+err.Error())
}

// jsonLineErr is jsonErr for one JSONL line, adding the column of a syntax error
// (in characters) and saying what a truncated line lacks.
func jsonLineErr(file string, n int, line []byte, err error) *ParseError {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return jsonErr(file, n, "", err)
	}
	pe := &ParseError{File: file, Line: n}
	switch {
	case strings.HasPrefix(se.Error(), "unexpected end"):
		pe.Col = utf8.RuneCount(line) + 1
		pe.Msg = "invalid JSON: the line ends inside a value: want the rest of the value and its closing brackets (JSONL holds one whole JSON object per line)"
	default:
		off := min(max(se.Offset-1, 0), int64(len(line)))
		pe.Col = utf8.RuneCount(line[:off]) + 1
		pe.Msg = "invalid JSON: " + se.Error()
	}
	pe.Offset = -1 // the byte offset in the file is not tracked per line
	return pe
}

// typeName names a Go type the way a data author thinks of JSON.
func typeName(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "value"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		if t == reflect.TypeOf(json.RawMessage(nil)) {
			return "value"
		}
		return "list"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Float64, reflect.Float32:
		return "number"
	}
	return t.String()
}

// parseGrade reads a relevance grade: an integer, or an integral float such as "1.0".
func parseGrade(s string) (int, error) {
	s = strings.TrimSpace(s)
	if g, err := strconv.Atoi(s); err == nil {
		return g, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1e9 {
		return 0, fmt.Errorf("not an integer: %q", s)
	}
	return int(f), nil
}

// rawGrade reads a JSON label: a number (integral) or a boolean.
func rawGrade(raw json.RawMessage) (int, error) {
	switch kindOf(raw) {
	case "number":
		return parseGrade(string(bytes.TrimSpace(raw)))
	case "boolean":
		if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("t")) {
			return 1, nil
		}
		return 0, nil
	case "string":
		s, _ := rawString(raw)
		return parseGrade(s)
	}
	return 0, fmt.Errorf("not a number (got %s)", kindOf(raw))
}
