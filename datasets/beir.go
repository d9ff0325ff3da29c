package datasets

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// beirDoc is one corpus.jsonl line. Texts decode straight into strings (one pass);
// a wrong type surfaces as a json.UnmarshalTypeError naming the field.
type beirDoc struct {
	ID    json.RawMessage `json:"_id"`
	Title *string         `json:"title"`
	Text  *string         `json:"text"`
}

// beirSplits lists the qrels files a BEIR folder may hold.
var beirSplits = [...]Split{Train, Dev, Test}

// loadBEIR reads corpus.jsonl, queries.jsonl, qrels/{train,dev,test}.tsv and the
// optional hard_negatives.jsonl of a BEIR folder.
func loadBEIR(src source) (*Dataset, error) {
	d := &Dataset{Format: "beir", Qrels: map[Split]Qrels{}}
	pidx, err := readBEIRCorpus(src, "corpus.jsonl", d)
	if err != nil {
		return nil, err
	}
	qidx, err := readBEIRQueries(src, "queries.jsonl", d)
	if err != nil {
		return nil, err
	}
	for _, s := range beirSplits {
		rel := "qrels/" + string(s) + ".tsv"
		if !src.exists(rel) {
			continue
		}
		q, err := readQrels(src, rel, qidx, pidx)
		if err != nil {
			return nil, err
		}
		if len(q) > 0 {
			d.Qrels[s] = q
		}
	}
	if len(d.Qrels) == 0 {
		return nil, &ParseError{File: src.show("qrels"), Msg: "no judgements (want qrels/train.tsv, qrels/dev.tsv or qrels/test.tsv)"}
	}
	if src.exists("hard_negatives.jsonl") {
		if err := readHardNegatives(src, "hard_negatives.jsonl", d, qidx, pidx); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// eachLine calls fn for every non-blank line of a file.
func eachLine(src source, rel string, fn func(line []byte, n int) error) error {
	f, err := src.open(rel)
	if err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	lr := newLineReader(f)
	for {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("datasets: %s: %w", src.show(rel), err)
		}
		if blank(line) {
			continue
		}
		if err := fn(line, lr.line); err != nil {
			return err
		}
	}
}

func readBEIRCorpus(src source, rel string, d *Dataset) (map[string]int, error) {
	file := src.show(rel)
	idx := map[string]int{}
	lines := map[string]int{} // id → line, for duplicate messages
	err := eachLine(src, rel, func(line []byte, n int) error {
		var doc beirDoc
		if err := json.Unmarshal(line, &doc); err != nil {
			return jsonLineErr(file, n, line, err)
		}
		id, err := reqID(doc.ID, file, n, "", "_id")
		if err != nil {
			return err
		}
		if first, dup := lines[id]; dup {
			return fieldErr(file, n, "", "_id", fmt.Sprintf("duplicate id %q (first on line %d)", id, first))
		}
		var title, text string
		if doc.Title != nil {
			title = strings.TrimSpace(*doc.Title)
		}
		if doc.Text == nil {
			return fieldErr(file, n, "", "text", "missing")
		}
		text = strings.TrimSpace(*doc.Text)
		if text == "" && title == "" {
			return fieldErr(file, n, "", "text", "empty")
		}
		lines[id] = n
		idx[id] = len(d.Passages)
		d.Passages = append(d.Passages, Passage{ID: id, Title: title, Text: text})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(d.Passages) == 0 {
		return nil, &ParseError{File: file, Msg: "no passages"}
	}
	return idx, nil
}

func readBEIRQueries(src source, rel string, d *Dataset) (map[string]int, error) {
	file := src.show(rel)
	if !src.exists(rel) {
		return nil, &ParseError{File: file, Msg: "missing file"}
	}
	idx := map[string]int{}
	lines := map[string]int{}
	err := eachLine(src, rel, func(line []byte, n int) error {
		var q struct {
			ID   json.RawMessage `json:"_id"`
			Text *string         `json:"text"`
		}
		if err := json.Unmarshal(line, &q); err != nil {
			return jsonLineErr(file, n, line, err)
		}
		id, err := reqID(q.ID, file, n, "", "_id")
		if err != nil {
			return err
		}
		if first, dup := lines[id]; dup {
			return fieldErr(file, n, "", "_id", fmt.Sprintf("duplicate id %q (first on line %d)", id, first))
		}
		if q.Text == nil {
			return fieldErr(file, n, "", "text", "missing")
		}
		text := strings.TrimSpace(*q.Text)
		if text == "" {
			return fieldErr(file, n, "", "text", "empty")
		}
		lines[id] = n
		idx[id] = len(d.Queries)
		d.Queries = append(d.Queries, Query{ID: id, Text: text})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(d.Queries) == 0 {
		return nil, &ParseError{File: file, Msg: "no queries"}
	}
	return idx, nil
}

// readQrels reads "query-id \t corpus-id \t score" lines (header optional; a 4-column
// TREC line "qid iter docid rel" is accepted too).
func readQrels(src source, rel string, qidx, pidx map[string]int) (Qrels, error) {
	file := src.show(rel)
	q := Qrels{}
	first := true
	err := eachLine(src, rel, func(line []byte, n int) error {
		header := first
		first = false
		cols := strings.Split(string(line), "\t")
		if len(cols) == 1 {
			cols = strings.Fields(cols[0])
		}
		var qid, pid, score string
		switch len(cols) {
		case 3:
			qid, pid, score = cols[0], cols[1], cols[2]
		case 4:
			qid, pid, score = cols[0], cols[2], cols[3]
		default:
			return &ParseError{File: file, Line: n, Msg: fmt.Sprintf("want 3 tab-separated columns (query-id, corpus-id, score), got %d", len(cols))}
		}
		qid, pid = strings.TrimSpace(qid), strings.TrimSpace(pid)
		grade, err := parseGrade(score)
		if err != nil {
			if header {
				return nil // "query-id corpus-id score"
			}
			return fieldErr(file, n, "", "score", err.Error())
		}
		if _, ok := qidx[qid]; !ok {
			return fieldErr(file, n, "", "query-id", fmt.Sprintf("unknown query id %q", qid))
		}
		if _, ok := pidx[pid]; !ok {
			return fieldErr(file, n, "", "corpus-id", fmt.Sprintf("unknown passage id %q", pid))
		}
		return addJudgement(q, qid, pid, grade, file, n)
	})
	return q, err
}

// addJudgement stores a grade; repeating the same grade is fine, a different one is an error.
func addJudgement(q Qrels, qid, pid string, grade int, file string, line int) error {
	m := q[qid]
	if m == nil {
		m = map[string]int{}
		q[qid] = m
	}
	if old, ok := m[pid]; ok && old != grade {
		return &ParseError{File: file, Line: line, Msg: fmt.Sprintf("conflicting grades %d and %d for query %q, passage %q", old, grade, qid, pid)}
	}
	m[pid] = grade
	return nil
}

// readHardNegatives reads {"query_id": …, "negatives": [ids]} lines.
func readHardNegatives(src source, rel string, d *Dataset, qidx, pidx map[string]int) error {
	file := src.show(rel)
	d.HardNegatives = map[string][]string{}
	seen := map[string]map[string]bool{}
	splits := sortedSplits(d.Qrels)
	return eachLine(src, rel, func(line []byte, n int) error {
		var row struct {
			QueryID   json.RawMessage `json:"query_id"`
			Negatives json.RawMessage `json:"negatives"`
		}
		if err := json.Unmarshal(line, &row); err != nil {
			return jsonLineErr(file, n, line, err)
		}
		qid, err := reqID(row.QueryID, file, n, "", "query_id")
		if err != nil {
			return err
		}
		if _, ok := qidx[qid]; !ok {
			return fieldErr(file, n, "", "query_id", fmt.Sprintf("unknown query id %q", qid))
		}
		if absent(row.Negatives) {
			return fieldErr(file, n, "", "negatives", "missing")
		}
		negs, ok := rawList(row.Negatives)
		if !ok {
			return fieldErr(file, n, "", "negatives", "not a list (got "+kindOf(row.Negatives)+")")
		}
		if seen[qid] == nil {
			seen[qid] = map[string]bool{}
		}
		for i, raw := range negs {
			field := fmt.Sprintf("negatives[%d]", i)
			pid, err := reqID(raw, file, n, "", field)
			if err != nil {
				return err
			}
			if _, ok := pidx[pid]; !ok {
				return fieldErr(file, n, "", field, fmt.Sprintf("unknown passage id %q", pid))
			}
			if s := judgedRelevant(d, splits, qid, pid); s != "" {
				return fieldErr(file, n, "", field, fmt.Sprintf("passage %q is judged relevant for query %q in %s", pid, qid, s))
			}
			if !seen[qid][pid] {
				seen[qid][pid] = true
				d.HardNegatives[qid] = append(d.HardNegatives[qid], pid)
			}
		}
		return nil
	})
}

// judgedRelevant names a split where (qid, pid) has grade > 0, or "".
// splits is sortedSplits(d.Qrels), passed in so hot loops sort once.
func judgedRelevant(d *Dataset, splits []Split, qid, pid string) Split {
	for _, s := range splits {
		if d.Qrels[s][qid][pid] > 0 {
			return s
		}
	}
	return ""
}
