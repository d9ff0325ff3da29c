package datasets

import (
	"fmt"
	"path"
	"strings"
)

// loadTriple reads a dataset given as three files (LoadOptions.Corpus, Queries, Qrels).
// The dataset is named name, else after the corpus file's folder or archive.
func loadTriple(open opener, opt LoadOptions, name string) (*Dataset, error) {
	for _, f := range []struct{ flag, val string }{{"--corpus", opt.Corpus}, {"--queries", opt.Queries}, {"--qrels", opt.Qrels}} {
		if f.val == "" {
			return nil, fmt.Errorf("datasets: --corpus, --queries and --qrels go together: %s is missing", f.flag)
		}
	}
	d := &Dataset{Format: "triple", Qrels: map[Split]Qrels{}}
	var pidx, qidx map[string]int
	err := withFile(open, opt.Corpus, func(src source, file string) (err error) {
		src.opt = opt
		if name == "" {
			name = src.name
		}
		pidx, err = readCorpusFile(src, file, d)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = withFile(open, opt.Queries, func(src source, file string) (err error) {
		src.opt = opt
		qidx, err = readQueriesFile(src, file, d)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = withFile(open, opt.Qrels, func(src source, file string) error {
		split, note := fileSplit(file)
		q, err := readQrels(src, file, qidx, pidx)
		if err != nil {
			return err
		}
		if len(q) == 0 {
			return &ParseError{File: src.show(file), Msg: "no judgements"}
		}
		d.Qrels[split] = q
		if note != "" {
			d.Notes = append(d.Notes, note)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.Name = name
	return d, nil
}

// withFile opens one of the three files (it must be a file) and calls fn on it.
func withFile(open opener, p string, fn func(src source, file string) error) error {
	src, file, closeFn, err := open(p)
	if err != nil {
		return err
	}
	defer closeFn()
	if file == "" {
		return fmt.Errorf("datasets: %s is a folder: want a file", p)
	}
	return fn(src, file)
}

// delimiter picks the field separator of a row file from its extension (0: not delimited).
func delimiter(file string) rune {
	switch strings.ToLower(path.Ext(file)) {
	case ".csv":
		return ','
	case ".tsv":
		return '\t'
	}
	return 0
}

// readCorpusFile reads passages from BEIR corpus JSONL or a CSV/TSV with id, title?
// and text columns. A text written as a Python list of strings (SciFact's abstracts)
// becomes its sentences joined by spaces.
func readCorpusFile(src source, file string, d *Dataset) (map[string]int, error) {
	comma := delimiter(file)
	if comma == 0 {
		return readBEIRCorpus(src, file, d)
	}
	t, err := readTable(src, file, comma)
	if err != nil {
		return nil, err
	}
	user := src.opt.Columns
	if _, ok := user[RolePassageID]; !ok && user[RoleID] != "" {
		user = map[string]string{RolePassageID: user[RoleID], RoleTitle: user[RoleTitle], RolePassage: user[RolePassage]}
	}
	cols, err := t.columns(onlyRoles(user, RolePassageID, RoleTitle, RolePassage), []string{RolePassageID, RoleTitle, RolePassage}, []string{RolePassageID, RolePassage})
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	lines := map[string]int{}
	field := t.header[cols[RolePassageID]]
	for r := range t.rows {
		id := t.cell(cols, r, RolePassageID)
		if id == "" {
			return nil, fieldErr(t.file, t.lines[r], "", field, "empty")
		}
		if first, dup := lines[id]; dup {
			return nil, fieldErr(t.file, t.lines[r], "", field, fmt.Sprintf("duplicate id %q (first on line %d)", id, first))
		}
		text := listRepr(t.cell(cols, r, RolePassage))
		title := t.cell(cols, r, RoleTitle)
		if text == "" && title == "" {
			return nil, fieldErr(t.file, t.lines[r], "", t.header[cols[RolePassage]], "empty")
		}
		lines[id] = t.lines[r]
		idx[id] = len(d.Passages)
		d.Passages = append(d.Passages, Passage{ID: id, Title: title, Text: text})
	}
	if len(d.Passages) == 0 {
		return nil, &ParseError{File: t.file, Msg: "no passages"}
	}
	return idx, nil
}

// queryAliases detect a queries file's columns: a question column, else "text".
var queryAliases = map[string][]string{
	RoleID:    roleAliases[RoleID],
	RoleQuery: append(append([]string(nil), roleAliases[RoleQuery]...), "text"),
}

// readQueriesFile reads questions from BEIR queries JSONL or a CSV/TSV with id and
// question columns. Rows repeating an id with the same text are one query (SciFact's
// claims files list a claim once per evidence document).
func readQueriesFile(src source, file string, d *Dataset) (map[string]int, error) {
	comma := delimiter(file)
	if comma == 0 {
		return readBEIRQueries(src, file, d)
	}
	t, err := readTable(src, file, comma)
	if err != nil {
		return nil, err
	}
	cols, err := t.columnsWith(queryAliases, onlyRoles(src.opt.Columns, RoleID, RoleQuery), []string{RoleID, RoleQuery}, []string{RoleID, RoleQuery})
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	lines := map[string]int{}
	for r := range t.rows {
		id, text := t.cell(cols, r, RoleID), t.cell(cols, r, RoleQuery)
		if id == "" {
			return nil, fieldErr(t.file, t.lines[r], "", t.header[cols[RoleID]], "empty")
		}
		if text == "" {
			return nil, fieldErr(t.file, t.lines[r], "", t.header[cols[RoleQuery]], "empty")
		}
		if first, dup := lines[id]; dup {
			if d.Queries[idx[id]].Text != text {
				return nil, fieldErr(t.file, t.lines[r], "", t.header[cols[RoleQuery]],
					fmt.Sprintf("query %q has another text on line %d", id, first))
			}
			continue
		}
		lines[id] = t.lines[r]
		idx[id] = len(d.Queries)
		d.Queries = append(d.Queries, Query{ID: id, Text: text})
	}
	if len(d.Queries) == 0 {
		return nil, &ParseError{File: t.file, Msg: "no queries"}
	}
	return idx, nil
}

// onlyRoles keeps the user's settings for some roles (nil when none).
func onlyRoles(m map[string]string, keep ...string) map[string]string {
	var out map[string]string
	for _, r := range keep {
		if h, ok := m[r]; ok && h != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[r] = h
		}
	}
	return out
}

// listRepr turns a Python/numpy list-of-strings repr such as
// "['First sentence.'\n 'Second one.']" into "First sentence. Second one."; any other
// text (or a repr it cannot read) is returned unchanged.
func listRepr(s string) string {
	t := strings.TrimSpace(s)
	if len(t) < 2 || t[0] != '[' || t[len(t)-1] != ']' {
		return s
	}
	body := strings.TrimSpace(t[1 : len(t)-1])
	if body == "" {
		return ""
	}
	var parts []string
	for body != "" {
		lit, rest, ok := pyString(body)
		if !ok {
			return s
		}
		if lit = strings.TrimSpace(lit); lit != "" {
			parts = append(parts, lit)
		}
		body = strings.TrimLeft(rest, " \t\r\n,")
	}
	return strings.Join(parts, " ")
}

// pyString reads one quoted Python string literal at the start of s.
func pyString(s string) (lit, rest string, ok bool) {
	if s == "" || (s[0] != '\'' && s[0] != '"') {
		return "", s, false
	}
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), s[i+1:], true
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\', '\'', '"':
				b.WriteByte(s[i])
			default:
				b.WriteByte('\\')
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", s, false
}
