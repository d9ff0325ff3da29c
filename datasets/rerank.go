package datasets

import (
	"encoding/json"
	"fmt"
	"strings"
)

// rerankBuilder groups candidate rows into per-query groups. Every row is its own
// candidate: rows with equal texts in one group keep separate ids, so no judgement is
// lost. Passages without a given id are numbered p1, p2, … and shared across groups by
// text. A candidate listed twice in a group (same given id) keeps its first label; a
// different second label is recorded as a warning, not an error.
type rerankBuilder struct {
	queries  []Query
	qByKey   map[string]string
	qText    map[string]string // query id → text
	passages []Passage
	pIndex   map[string]int    // passage id → index in passages
	pByText  map[string]string // text → first generated passage id with it
	nextP    int
	cand     map[string][]string
	labels   map[string]map[string]int
	byText   map[string]map[string]string // query id → candidate text → first candidate id
	warnings []string
}

func newRerankBuilder() *rerankBuilder {
	return &rerankBuilder{qByKey: map[string]string{}, qText: map[string]string{}, pIndex: map[string]int{}, pByText: map[string]string{},
		cand: map[string][]string{}, labels: map[string]map[string]int{}, byText: map[string]map[string]string{}}
}

// rerankRow is one candidate of one query. Ids are optional ("" = generate).
type rerankRow struct {
	qid, qtext string
	pid, ptext string
	label      int
	at         string // where the row is, for warnings ("line 7", "Thread Q1_R2")
}

// query returns the id of a row's query, creating it on first sight (keyed by id,
// else text); msg is set when a given id already names another text.
func (b *rerankBuilder) query(r rerankRow) (id, msg string) {
	key := "t\x00" + r.qtext
	if r.qid != "" {
		key = "i\x00" + r.qid
	}
	if id, ok := b.qByKey[key]; ok {
		if r.qid != "" && b.qText[id] != r.qtext {
			return "", fmt.Sprintf("query id %q already used for a different text", r.qid)
		}
		return id, ""
	}
	id = r.qid
	if id == "" {
		id = fmt.Sprintf("q%d", len(b.queries)+1)
	}
	if _, taken := b.qText[id]; taken { // a generated id given in the file too
		return "", fmt.Sprintf("query id %q used for two queries", id)
	}
	b.qByKey[key] = id
	b.qText[id] = r.qtext
	b.queries = append(b.queries, Query{ID: id, Text: r.qtext})
	b.labels[id] = map[string]int{}
	b.byText[id] = map[string]string{}
	return id, ""
}

// passage returns the candidate's passage id; msg is set when a given id names two texts.
func (b *rerankBuilder) passage(qid string, r rerankRow) (id, msg string) {
	if r.pid != "" {
		if i, ok := b.pIndex[r.pid]; ok {
			if b.passages[i].Text != r.ptext {
				return "", fmt.Sprintf("candidate id %q already used for a different text", r.pid)
			}
			return r.pid, ""
		}
		b.addPassage(r.pid, r.ptext)
		return r.pid, ""
	}
	if id, ok := b.pByText[r.ptext]; ok {
		if _, inGroup := b.labels[qid][id]; !inGroup {
			return id, ""
		}
	}
	for {
		b.nextP++
		id = fmt.Sprintf("p%d", b.nextP)
		if _, taken := b.pIndex[id]; !taken {
			break
		}
	}
	if _, ok := b.pByText[r.ptext]; !ok {
		b.pByText[r.ptext] = id
	}
	b.addPassage(id, r.ptext)
	return id, ""
}

func (b *rerankBuilder) addPassage(id, text string) {
	b.pIndex[id] = len(b.passages)
	b.passages = append(b.passages, Passage{ID: id, Text: text})
}

// add records one row. The message is fatal (a given id reused for another text);
// conflicts between labels are warnings.
func (b *rerankBuilder) add(r rerankRow) string {
	qid, msg := b.query(r)
	if msg != "" {
		return msg
	}
	pid, msg := b.passage(qid, r)
	if msg != "" {
		return msg
	}
	if old, seen := b.labels[qid][pid]; seen {
		if old != r.label {
			b.warnings = append(b.warnings, fmt.Sprintf("%s: query %q: conflicting labels %d and %d for candidate %q (kept %d)", r.at, qid, old, r.label, pid, old))
		}
		return ""
	}
	if first, ok := b.byText[qid][r.ptext]; ok && b.labels[qid][first] != r.label {
		b.warnings = append(b.warnings, fmt.Sprintf("%s: query %q: candidates %q and %q have the same text but labels %d and %d",
			r.at, qid, first, pid, b.labels[qid][first], r.label))
	} else if !ok {
		b.byText[qid][r.ptext] = pid
	}
	b.labels[qid][pid] = r.label
	b.cand[qid] = append(b.cand[qid], pid)
	return ""
}

// finish builds the dataset. Every label, 0 included, is a judgement of split: graded
// qrels keep what the file says, and metrics count grade > 0 (or rel-min) as relevant.
func (b *rerankBuilder) finish(split Split) *Dataset {
	q := Qrels{}
	for qid, m := range b.labels {
		if len(m) == 0 {
			continue
		}
		q[qid] = m
	}
	d := &Dataset{Format: "rerank", Passages: b.passages, Queries: b.queries,
		Qrels: map[Split]Qrels{}, Candidates: b.cand, Warnings: b.warnings}
	if len(q) > 0 {
		d.Qrels[split] = q
	}
	return d
}

// loadRerankJSONL reads rows {"query"|"question", "passage"|"document"|"candidate", "label"},
// with optional ids "query_id" and "passage_id"|"doc_id" (kept; else q1…, p1…).
func loadRerankJSONL(src source, file string) (*Dataset, error) {
	show := src.show(file)
	b := newRerankBuilder()
	err := eachLine(src, file, func(line []byte, n int) error {
		var row struct {
			Query     json.RawMessage `json:"query"`
			Question  json.RawMessage `json:"question"`
			Passage   json.RawMessage `json:"passage"`
			Document  json.RawMessage `json:"document"`
			Candidate json.RawMessage `json:"candidate"`
			Label     json.RawMessage `json:"label"`
			QueryID   json.RawMessage `json:"query_id"`
			PassageID json.RawMessage `json:"passage_id"`
			DocID     json.RawMessage `json:"doc_id"`
		}
		if err := json.Unmarshal(line, &row); err != nil {
			return jsonLineErr(show, n, line, err)
		}
		qf, qraw := firstOf([]string{"query", "question"}, row.Query, row.Question)
		qtext, err := reqString(qraw, show, n, "", qf)
		if err != nil {
			return err
		}
		pf, praw := firstOf([]string{"passage", "document", "candidate"}, row.Passage, row.Document, row.Candidate)
		ptext, err := reqString(praw, show, n, "", pf)
		if err != nil {
			return err
		}
		if absent(row.Label) {
			return fieldErr(show, n, "", "label", "missing")
		}
		label, err := rawGrade(row.Label)
		if err != nil {
			return fieldErr(show, n, "", "label", err.Error())
		}
		var qid, pid string
		if !absent(row.QueryID) {
			if qid, err = reqID(row.QueryID, show, n, "", "query_id"); err != nil {
				return err
			}
		}
		if idf, idraw := firstOf([]string{"passage_id", "doc_id"}, row.PassageID, row.DocID); !absent(idraw) {
			if pid, err = reqID(idraw, show, n, "", idf); err != nil {
				return err
			}
		}
		if msg := b.add(rerankRow{qid: qid, qtext: qtext, pid: pid, ptext: ptext, label: label, at: fmt.Sprintf("line %d", n)}); msg != "" {
			return &ParseError{File: show, Line: n, Msg: msg}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(b.queries) == 0 {
		return nil, &ParseError{File: show, Msg: "no rows"}
	}
	return finishRerank(b, show)
}

// loadRerankTSV reads "query \t passage \t label" lines; a first line whose label
// is not a number is taken as a header.
func loadRerankTSV(src source, file string) (*Dataset, error) {
	show := src.show(file)
	b := newRerankBuilder()
	first := true
	allIDs := true // every row is "id id integer": a qrels file
	err := eachLine(src, file, func(line []byte, n int) error {
		header := first
		first = false
		cols := strings.Split(string(line), "\t")
		if header && isQrelsHeader(cols) {
			return qrelsFileErr(show, n, "header "+strings.Join(cols, " "))
		}
		if len(cols) != 3 {
			return &ParseError{File: show, Line: n, Msg: fmt.Sprintf("want 3 tab-separated columns (query, passage, label), got %d", len(cols))}
		}
		label, err := parseGrade(cols[2])
		if err != nil {
			if header {
				return nil
			}
			return fieldErr(show, n, "", "label", err.Error())
		}
		q, p := strings.TrimSpace(cols[0]), strings.TrimSpace(cols[1])
		allIDs = allIDs && idLike(q) && idLike(p)
		if q == "" {
			return fieldErr(show, n, "", "query", "empty")
		}
		if p == "" {
			return fieldErr(show, n, "", "passage", "empty")
		}
		if msg := b.add(rerankRow{qtext: q, ptext: p, label: label, at: fmt.Sprintf("line %d", n)}); msg != "" {
			return &ParseError{File: show, Line: n, Msg: msg}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(b.queries) == 0 {
		return nil, &ParseError{File: show, Msg: "no rows"}
	}
	if allIDs {
		return nil, qrelsFileErr(show, 0, "every row is query-id, corpus-id, score")
	}
	return finishRerank(b, show)
}

// isQrelsHeader reports whether header cells name qrels columns: two id columns
// (query-id, corpus-id, qid, docid, …) and a score.
func isQrelsHeader(cols []string) bool {
	if len(cols) < 3 || len(cols) > 4 {
		return false
	}
	ids := 0
	for _, c := range cols[:len(cols)-1] {
		n := normHeader(c)
		if n == "qid" || n == "pid" || n == "iter" || n == "q0" || strings.HasSuffix(n, "_id") || strings.HasSuffix(n, "id") && len(n) <= 8 {
			ids++
		}
	}
	return ids >= 2
}

// idLike reports whether s looks like an id rather than a text: one token with a digit.
func idLike(s string) bool {
	if s == "" || len(s) > 64 || strings.ContainsAny(s, " \t") {
		return false
	}
	return strings.ContainsAny(s, "0123456789")
}

// normHeader lowercases a column name and joins its words with "_" ("Query-ID" → "query_id").
func normHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' || r == '.' }), "_")
}

// finishRerank builds the dataset (split from the file name, test when it names none),
// refusing files where no row is relevant.
func finishRerank(b *rerankBuilder, file string) (*Dataset, error) {
	split, note := fileSplit(file)
	d := b.finish(split)
	if !anyRelevant(d.Qrels[split]) {
		return nil, &ParseError{File: file, Msg: "no row has a positive label"}
	}
	if note != "" {
		d.Notes = append(d.Notes, note)
	}
	return d, nil
}

// anyRelevant reports whether some judgement has grade > 0.
func anyRelevant(q Qrels) bool {
	for _, m := range q {
		for _, g := range m {
			if g > 0 {
				return true
			}
		}
	}
	return false
}
