package datasets

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// roleAliases are the header names (normalised by normHeader) each role is detected
// from, in order of preference.
var roleAliases = map[string][]string{
	RoleQuery:     {"question", "query", "claim", "question_text", "query_text", "q"},
	RolePassage:   {"context", "passage", "document", "text", "paragraph", "contents", "content", "abstract", "body", "passage_text", "doc"},
	RoleAnswer:    {"answer", "answers", "extractive_answer", "answer_text", "abstractive_answer"},
	RoleID:        {"id", "qid", "query_id", "question_id", "_id", "idx", "index", "uid"},
	RoleTitle:     {"title", "doc_title"},
	RolePassageID: {"doc_id", "docid", "pid", "passage_id", "corpus_id", "_id", "id"},
}

// table is a delimited file read whole: header and rows with their line numbers.
type table struct {
	file   string
	header []string
	rows   [][]string
	lines  []int // 1-based line where each row starts
}

// readTable reads a CSV (comma) or TSV (tab) file with a header line. A UTF-8 BOM is
// dropped; quoted fields may hold commas, tabs and newlines (TSV quotes are lenient).
func readTable(src source, file string, comma rune) (*table, error) {
	f, err := src.open(file)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 256<<10)
	if bom, _ := br.Peek(3); string(bom) == "\xef\xbb\xbf" {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(br)
	r.Comma = comma
	r.LazyQuotes = comma == '\t'
	t := &table{file: src.show(file)}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvErr(t.file, err)
		}
		if t.header == nil {
			t.header = rec
			continue
		}
		line, _ := r.FieldPos(0)
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	if t.header == nil {
		return nil, &ParseError{File: t.file, Msg: "empty file: want a header line naming the columns"}
	}
	return t, nil
}

// csvErr turns an encoding/csv error into a located ParseError.
func csvErr(file string, err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("datasets: %s: %w", file, err)
	}
	msg := pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		msg = "wrong number of fields: every row must have as many fields as the header"
	case errors.Is(pe.Err, csv.ErrQuote):
		msg = `extraneous or missing " in quoted field: want a closing " followed by the delimiter or the end of the line`
	case errors.Is(pe.Err, csv.ErrBareQuote):
		msg = `bare " in non-quoted field: want the whole field quoted, with " written as ""`
	}
	if pe.StartLine != pe.Line {
		msg += fmt.Sprintf(" (record starts on line %d)", pe.StartLine)
	}
	return &ParseError{File: file, Line: pe.Line, Col: pe.Column, Msg: msg}
}

// columns maps roles to column indexes. User settings (role → header) come first and
// must name existing headers; other roles are detected from roleAliases, one column per
// role. Roles in want are looked for; those in need must be found.
func (t *table) columns(user map[string]string, want, need []string) (map[string]int, error) {
	return t.columnsWith(roleAliases, user, want, need)
}

// columnsWith is columns with other header aliases.
func (t *table) columnsWith(aliases map[string][]string, user map[string]string, want, need []string) (map[string]int, error) {
	norm := make([]string, len(t.header))
	for i, h := range t.header {
		norm[i] = normHeader(h)
	}
	out := map[string]int{}
	used := map[int]bool{}
	for _, role := range want {
		h, ok := user[role]
		if !ok {
			continue
		}
		i := indexOf(norm, normHeader(h))
		if i < 0 {
			return nil, &ParseError{File: t.file, Line: 1, Msg: fmt.Sprintf("--columns %s=%s: no such column (columns: %s)", role, h, t.headerList())}
		}
		out[role], used[i] = i, true
	}
	for _, role := range want {
		if _, set := out[role]; set {
			continue
		}
		for _, alias := range aliases[role] {
			if i := indexOf(norm, alias); i >= 0 && !used[i] {
				out[role], used[i] = i, true
				break
			}
		}
	}
	for _, role := range need {
		if _, ok := out[role]; !ok {
			return nil, &ParseError{File: t.file, Line: 1, Msg: fmt.Sprintf("no %s column (looked for %s; columns: %s): name it with --columns %s=COLUMN",
				role, strings.Join(aliases[role], ", "), t.headerList(), role)}
		}
	}
	return out, nil
}

func (t *table) headerList() string {
	q := make([]string, len(t.header))
	for i, h := range t.header {
		q[i] = fmt.Sprintf("%q", h)
	}
	return strings.Join(q, ", ")
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// cell returns row's trimmed field for role ("" when the role has no column).
func (t *table) cell(cols map[string]int, row int, role string) string {
	i, ok := cols[role]
	if !ok || i >= len(t.rows[row]) {
		return ""
	}
	return strings.TrimSpace(t.rows[row][i])
}

// hasQAHeader reports whether a header line names a question and a context column.
func hasQAHeader(header []string) bool {
	t := &table{header: header}
	_, err := t.columns(nil, []string{RoleQuery, RolePassage}, []string{RoleQuery, RolePassage})
	return err == nil
}

// dedupKey is the key two contexts must share to be one passage. It follows ViRE's
// --dedup (normalize_for_dedup without lowercasing or emoji removal): Unicode NFKC,
// ASCII control characters (tabs and newlines included) and zero-width characters
// removed, then white space trimmed and collapsed to single spaces.
func dedupKey(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f:
			return -1
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff':
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// isRerankHeader reports whether a header is query, passage, label (a reranking TSV).
func isRerankHeader(header []string) bool {
	if len(header) != 3 {
		return false
	}
	switch normHeader(header[2]) {
	case "label", "score", "relevance", "grade", "rel":
		return true
	}
	return false
}

// loadDelimited reads question–context(–answer) rows from a CSV or TSV file. Each row
// is one query whose relevant passage is its own context; contexts with the same
// dedupKey are one passage (the first one's text), as ViRE's --dedup does. Query ids come from the id column
// when its values are unique, else they are q1, q2, … in row order. Other columns
// (ViRHE4QA's label, split, tag, …) are not judgements and are ignored. The rows form
// the split the file name states, else test (reported in Notes).
func loadDelimited(src source, file string, comma rune) (*Dataset, error) {
	t, err := readTable(src, file, comma)
	if err != nil {
		return nil, err
	}
	if isQrelsHeader(t.header) {
		return nil, qrelsFileErr(t.file, 1, "header "+strings.Join(t.header, " "))
	}
	cols, err := t.columns(src.opt.Columns, []string{RoleQuery, RolePassage, RoleAnswer, RoleID, RoleTitle}, []string{RoleQuery, RolePassage})
	if err != nil {
		if len(src.opt.Columns) == 0 {
			err.(*ParseError).Err = ErrUnknownFormat // not question–context rows as far as we can tell
		}
		return nil, err
	}
	if len(t.rows) == 0 {
		return nil, &ParseError{File: t.file, Msg: "no rows after the header"}
	}
	split, note := fileSplit(file)
	format := "csv"
	if comma == '\t' {
		format = "tsv"
	}
	d := &Dataset{Format: format, Qrels: map[Split]Qrels{split: {}}}
	ids, idNote := t.queryIDs(cols)
	byText := map[string]string{}
	answers := map[string][]string{}
	for r := range t.rows {
		q, p := t.cell(cols, r, RoleQuery), t.cell(cols, r, RolePassage)
		if q == "" {
			return nil, fieldErr(t.file, t.lines[r], "", t.header[cols[RoleQuery]], "empty")
		}
		if p == "" {
			return nil, fieldErr(t.file, t.lines[r], "", t.header[cols[RolePassage]], "empty")
		}
		key := dedupKey(p)
		pid, ok := byText[key]
		if !ok {
			pid = fmt.Sprintf("p%d", len(d.Passages)+1)
			byText[key] = pid
			d.Passages = append(d.Passages, Passage{ID: pid, Title: t.cell(cols, r, RoleTitle), Text: p})
		}
		d.Queries = append(d.Queries, Query{ID: ids[r], Text: q})
		d.Qrels[split][ids[r]] = map[string]int{pid: 1}
		if a := t.cell(cols, r, RoleAnswer); a != "" {
			answers[ids[r]] = []string{a}
		}
	}
	if len(answers) > 0 {
		d.Answers = answers
	}
	d.Notes = append(d.Notes, t.columnNote(cols))
	for _, n := range []string{idNote, note} {
		if n != "" {
			d.Notes = append(d.Notes, n)
		}
	}
	d.Notes = append(d.Notes, fmt.Sprintf("%d rows: %d queries, %d distinct contexts (contexts equal after Unicode NFKC and whitespace normalisation are one passage)", len(t.rows), len(d.Queries), len(d.Passages)))
	return d, nil
}

// queryIDs returns one id per row: the id column's values when present, non-empty and
// unique, else q1, q2, … (with a note saying why).
func (t *table) queryIDs(cols map[string]int) ([]string, string) {
	ids := make([]string, len(t.rows))
	note := ""
	if _, ok := cols[RoleID]; ok {
		first := map[string]int{}
		for r := range t.rows {
			id := t.cell(cols, r, RoleID)
			if id == "" {
				note = fmt.Sprintf("column %q is empty on line %d: queries are numbered q1, q2, … instead", t.header[cols[RoleID]], t.lines[r])
				break
			}
			if l, dup := first[id]; dup {
				note = fmt.Sprintf("column %q repeats %q (lines %d and %d): queries are numbered q1, q2, … instead", t.header[cols[RoleID]], id, l, t.lines[r])
				break
			}
			first[id] = t.lines[r]
			ids[r] = id
		}
		if note == "" {
			return ids, ""
		}
	}
	for r := range ids {
		ids[r] = fmt.Sprintf("q%d", r+1)
	}
	return ids, note
}

// columnNote says which column serves which role and which columns are ignored.
func (t *table) columnNote(cols map[string]int) string {
	var used []string
	taken := map[int]bool{}
	for _, role := range roles {
		if i, ok := cols[role]; ok {
			used = append(used, fmt.Sprintf("%s=%s", role, t.header[i]))
			taken[i] = true
		}
	}
	var ignored []string
	for i, h := range t.header {
		if !taken[i] {
			ignored = append(ignored, h)
		}
	}
	s := "columns: " + strings.Join(used, ", ")
	if len(ignored) > 0 {
		s += "; ignored: " + strings.Join(ignored, ", ")
	}
	return s
}
