package datasets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// source is where a loader reads: a folder in a file system plus how to show file names.
type source struct {
	fsys    fs.FS
	dir     string // folder inside fsys ("." for the root)
	display string // prefix shown in errors (the user's path)
	name    string // the folder's own name, for datasets named after it
	inZip   bool   // display is a zip archive: files show as "archive.zip:inner/path"
	opt     LoadOptions
}

// open opens a file relative to the folder.
func (s source) open(rel string) (fs.File, error) {
	return s.fsys.Open(path.Join(s.dir, rel))
}

// show names a file relative to the folder for error messages.
func (s source) show(rel string) string {
	if s.inZip {
		return s.display + ":" + path.Join(s.dir, rel)
	}
	return filepath.Join(s.display, filepath.FromSlash(rel))
}

// exists reports whether a regular file is present.
func (s source) exists(rel string) bool {
	info, err := fs.Stat(s.fsys, path.Join(s.dir, rel))
	return err == nil && !info.IsDir()
}

// Load reads a dataset from a folder, file or zip archive, detecting its format
// (see LoadFS); it is LoadWith(p, LoadOptions{}).
func Load(p string) (*Dataset, error) { return LoadWith(p, LoadOptions{}) }

// LoadFS reads a dataset at p (slash-separated, fs.ValidPath) in fsys. Detection:
// a folder with corpus.jsonl is BEIR; a folder of one set's split files (names with
// train/dev/test as a whole part) is one dataset with those splits; a folder with one
// data file is that file. A .json file holding {"data": …} is SQuAD, [{"positive_ctxs": …}]
// is DPR and [{"context", "question", "label"}] is word-segmented ViQuAD; a .jsonl file is
// training triples or reranking rows depending on the first line's keys; a .csv file (or a
// .tsv with named question/context columns) is question–context rows; other .tsv files are
// reranking rows (a qrels file is refused with ErrQrelsFile); a .xml file is SemEval
// Task 3 (2015 Arabic with its .gold beside it, or 2016 English subtask A).
// Errors about file contents are *ParseError; unknown formats wrap ErrUnknownFormat.
func LoadFS(fsys fs.FS, p string) (*Dataset, error) { return LoadFSWith(fsys, p, LoadOptions{}) }

// finish sets the source and re-checks a freshly parsed dataset.
func finish(d *Dataset, err error, p string) (*Dataset, error) {
	if err != nil {
		return nil, err
	}
	d.Source = p
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", p, err)
	}
	return d, nil
}

func loadFile(src source, file string) (*Dataset, error) {
	lower := strings.ToLower(file)
	var (
		d   *Dataset
		err error
	)
	switch {
	case lower == "corpus.jsonl" || lower == "queries.jsonl":
		// A BEIR file: load its folder.
		return loadDir(src)
	case strings.HasSuffix(lower, ".json"):
		d, err = loadJSON(src, file)
	case strings.HasSuffix(lower, ".jsonl"):
		d, err = loadJSONL(src, file)
	case strings.HasSuffix(lower, ".xml"):
		d, err = loadSemEval(src, file)
	case strings.HasSuffix(lower, ".csv"):
		d, err = loadDelimited(src, file, ',')
	case strings.HasSuffix(lower, ".tsv"):
		if header := strings.Split(firstLine(src, file), "\t"); len(src.opt.Columns) > 0 || hasQAHeader(header) && !isRerankHeader(header) {
			d, err = loadDelimited(src, file, '\t')
		} else {
			d, err = loadRerankTSV(src, file)
		}
	default:
		return nil, fmt.Errorf("datasets: %s: %w (%s)", src.show(file), ErrUnknownFormat, supportedFormats)
	}
	if err != nil {
		return nil, err
	}
	d.Name = strings.TrimSuffix(file, path.Ext(file))
	return d, nil
}

// firstLine returns a file's first line ("" when unreadable).
func firstLine(src source, file string) string {
	f, err := src.open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	line, err := newLineReader(f).next()
	if err != nil {
		return ""
	}
	return string(line)
}

// loadJSON peeks at a .json document to choose SQuAD or DPR.
func loadJSON(src source, file string) (*Dataset, error) {
	kind, err := peekJSON(src, file)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "squad":
		return loadSQuAD(src, file)
	case "dpr":
		return loadDPR(src, file)
	case "viquad":
		return loadViQuAD(src, file)
	}
	return nil, fmt.Errorf("datasets: %s: %w: JSON is neither SQuAD ({\"data\": …}), DPR ([{\"positive_ctxs\": …}]) nor a question list ([{\"context\": …, \"question\": …}]) (%s)",
		src.show(file), ErrUnknownFormat, supportedFormats)
}

// peekJSON reads only the start of a JSON document: "squad", "dpr" or "".
func peekJSON(src source, file string) (string, error) {
	f, err := src.open(file)
	if err != nil {
		return "", fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return "", &ParseError{File: src.show(file), Msg: "empty file"}
	}
	if err != nil {
		return "", syntaxErr(src, file, dec, err)
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return "", syntaxErr(src, file, dec, err)
			}
			if key == "data" {
				return "squad", nil
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", syntaxErr(src, file, dec, err)
			}
		}
	case json.Delim('['):
		if !dec.More() {
			return "", nil
		}
		var first map[string]json.RawMessage
		if err := dec.Decode(&first); err != nil {
			return "", nil // not an array of objects
		}
		if _, ok := first["positive_ctxs"]; ok {
			return "dpr", nil
		}
		_, c := first["context"]
		_, q := first["question"]
		if c && q {
			return "viquad", nil
		}
	}
	return "", nil
}

// syntaxErr reports a streaming-decoder error with its line, column and byte offset,
// saying what was expected (encoding/json's "looking for beginning of value" and so on).
// The decoder's offsets are relative to the value it was reading, so on a syntax error
// the whole file is re-checked to find the absolute position (error path only).
func syntaxErr(src source, file string, dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		pe := jsonErr(src.show(file), 0, "", err)
		pe.Line, pe.Col = posAt(src, file, dec.InputOffset())
		return pe
	}
	data, rerr := readAll(src, file)
	if rerr != nil {
		return fmt.Errorf("datasets: %s: %w", src.show(file), rerr)
	}
	var raw json.RawMessage
	uerr := json.Unmarshal(data, &raw)
	pe := &ParseError{File: src.show(file)}
	switch {
	case errors.As(uerr, &se) && strings.HasPrefix(se.Error(), "unexpected end"):
		pe.Offset = int64(len(data))
		pe.Msg = "invalid JSON: the file ends inside a value (truncated?): want the rest of the value and its closing brackets"
	case errors.As(uerr, &se):
		pe.Offset = max(se.Offset-1, 0) // the offending character itself
		pe.Msg = "invalid JSON: " + se.Error()
	default: // the decoder saw a problem the whole-file check does not: keep its message
		pe = jsonErr(src.show(file), 0, "", err)
		pe.Offset = dec.InputOffset()
	}
	pe.Line, pe.Col = position(data, pe.Offset)
	return pe
}

// maxDocument bounds what an error report re-reads of a JSON document.
const maxDocument = 1 << 30

// readAll reads a whole file (up to maxDocument bytes).
func readAll(src source, file string) ([]byte, error) {
	f, err := src.open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxDocument))
}

// position finds the 1-based line and character (rune) column of byte offset in data.
func position(data []byte, offset int64) (line, col int) {
	offset = min(offset, int64(len(data)))
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte{'\n'})
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, 1 + utf8.RuneCount(before)
}

// posAt finds the 1-based line and character column of byte offset (re-reading the
// file; only used on errors). The column counts runes, so it matches what editors show.
func posAt(src source, file string, offset int64) (line, col int) {
	f, err := src.open(file)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	r := bufio.NewReader(io.LimitReader(f, offset))
	line, col = 1, 1
	for {
		c, _, err := r.ReadRune()
		if err != nil {
			return line, col
		}
		if c == '\n' {
			line, col = line+1, 1
			continue
		}
		col++
	}
}

// loadJSONL reads the first non-empty line to choose training triples or reranking rows.
func loadJSONL(src source, file string) (*Dataset, error) {
	f, err := src.open(file)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	lr := newLineReader(f)
	var first []byte
	for {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			f.Close()
			return nil, &ParseError{File: src.show(file), Msg: "no rows"}
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("datasets: %s: %w", src.show(file), err)
		}
		if !blank(line) {
			first = line
			break
		}
	}
	var keys map[string]json.RawMessage
	err = json.Unmarshal(first, &keys)
	f.Close()
	if err != nil {
		return nil, jsonErr(src.show(file), lr.line, "", err)
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := keys[n]; ok {
				return true
			}
		}
		return false
	}
	switch {
	case has("label") && has("passage", "document", "candidate"):
		return loadRerankJSONL(src, file)
	case has("positive", "positives", "pos"):
		return loadTriples(src, file)
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	return nil, fmt.Errorf("datasets: %s: %w: first row has keys %v, want query/positive(s)/negatives (triples) or query/passage/label (rerank)",
		src.show(file), ErrUnknownFormat, sortedStrings(names))
}
