package datasets

import (
	"encoding/json"
	"fmt"
	"strings"
)

// rerankBuilder groups (query, passage, label) rows by query text.
type rerankBuilder struct {
	queries  []Query
	qByText  map[string]string
	passages []Passage
	pByText  map[string]string
	cand     map[string][]string
	labels   map[string]map[string]int
}

func newRerankBuilder() *rerankBuilder {
	return &rerankBuilder{qByText: map[string]string{}, pByText: map[string]string{},
		cand: map[string][]string{}, labels: map[string]map[string]int{}}
}

// add records one row; it returns a message when the pair was already given another label.
func (b *rerankBuilder) add(qtext, ptext string, label int) string {
	qid, ok := b.qByText[qtext]
	if !ok {
		qid = fmt.Sprintf("q%d", len(b.queries)+1)
		b.qByText[qtext] = qid
		b.queries = append(b.queries, Query{ID: qid, Text: qtext})
		b.labels[qid] = map[string]int{}
	}
	pid, ok := b.pByText[ptext]
	if !ok {
		pid = fmt.Sprintf("p%d", len(b.passages)+1)
		b.pByText[ptext] = pid
		b.passages = append(b.passages, Passage{ID: pid, Text: ptext})
	}
	if old, seen := b.labels[qid][pid]; seen {
		if old != label {
			return fmt.Sprintf("conflicting labels %d and %d for the same query and passage", old, label)
		}
		return ""
	}
	b.labels[qid][pid] = label
	b.cand[qid] = append(b.cand[qid], pid)
	return ""
}

// finish builds the dataset: qrels (label > 0) go to the Test split.
func (b *rerankBuilder) finish() *Dataset {
	q := Qrels{}
	for qid, m := range b.labels {
		for pid, l := range m {
			if l <= 0 {
				continue
			}
			if q[qid] == nil {
				q[qid] = map[string]int{}
			}
			q[qid][pid] = l
		}
	}
	d := &Dataset{Format: "rerank", Passages: b.passages, Queries: b.queries,
		Qrels: map[Split]Qrels{}, Candidates: b.cand}
	if len(q) > 0 {
		d.Qrels[Test] = q
	}
	return d
}

// loadRerankJSONL reads rows {"query"|"question", "passage"|"document"|"candidate", "label"}.
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
		}
		if err := json.Unmarshal(line, &row); err != nil {
			return jsonErr(show, n, "", err)
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
		if msg := b.add(qtext, ptext, label); msg != "" {
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
	err := eachLine(src, file, func(line []byte, n int) error {
		header := first
		first = false
		cols := strings.Split(string(line), "\t")
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
		if q == "" {
			return fieldErr(show, n, "", "query", "empty")
		}
		if p == "" {
			return fieldErr(show, n, "", "passage", "empty")
		}
		if msg := b.add(q, p, label); msg != "" {
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

// finishRerank builds the dataset, refusing files where no row is relevant.
func finishRerank(b *rerankBuilder, file string) (*Dataset, error) {
	d := b.finish()
	if len(d.Qrels) == 0 {
		return nil, &ParseError{File: file, Msg: "no row has a positive label"}
	}
	return d, nil
}
