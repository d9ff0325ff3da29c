package datasets

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// squadBuilder accumulates SQuAD articles into a dataset.
type squadBuilder struct {
	d       *Dataset
	file    string
	split   Split
	byText  map[string]string // trimmed context → passage id
	qwhere  map[string]string // query id → path, for duplicate messages
	answers map[string][]string
}

// loadSQuAD streams {"data": [article, …]} one article at a time.
func loadSQuAD(src source, file string) (*Dataset, error) {
	f, err := src.open(file)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	split, note := fileSplit(file)
	b := &squadBuilder{
		d:       &Dataset{Format: "squad", Qrels: map[Split]Qrels{}},
		file:    src.show(file),
		split:   split,
		byText:  map[string]string{},
		qwhere:  map[string]string{},
		answers: map[string][]string{},
	}
	dec := json.NewDecoder(f)
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxErr(src, file, dec, err)
	}
	if tok != json.Delim('{') {
		return nil, &ParseError{File: b.file, Msg: `not a SQuAD document: want an object with "data"`}
	}
	sawData := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, syntaxErr(src, file, dec, err)
		}
		if key != "data" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, syntaxErr(src, file, dec, err)
			}
			continue
		}
		sawData = true
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxErr(src, file, dec, err)
		}
		if tok != json.Delim('[') {
			return nil, fieldErr(b.file, 0, "", "data", "not a list")
		}
		for i := 0; dec.More(); i++ {
			var art json.RawMessage
			if err := dec.Decode(&art); err != nil {
				return nil, syntaxErr(src, file, dec, err)
			}
			if err := b.article(art, fmt.Sprintf("data[%d]", i)); err != nil {
				return nil, err
			}
		}
		if _, err := dec.Token(); err != nil { // closing ]
			return nil, syntaxErr(src, file, dec, err)
		}
	}
	if _, err := dec.Token(); err != nil { // closing }
		return nil, syntaxErr(src, file, dec, err)
	}
	if !sawData {
		return nil, fieldErr(b.file, 0, "", "data", "missing")
	}
	d := b.d
	if len(d.Passages) == 0 {
		return nil, &ParseError{File: b.file, Msg: "no paragraphs"}
	}
	if len(d.Queries) == 0 {
		return nil, &ParseError{File: b.file, Msg: "no answerable questions"}
	}
	if len(b.answers) > 0 {
		d.Answers = b.answers
	}
	if note != "" {
		d.Notes = append(d.Notes, note)
	}
	return d, nil
}

// object decodes a JSON object into v (a struct of json.RawMessage fields).
func (b *squadBuilder) object(raw json.RawMessage, path string, v any) error {
	if kindOf(raw) != "object" {
		return &ParseError{File: b.file, Path: path, Msg: "not an object (got " + kindOf(raw) + ")"}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return jsonErr(b.file, 0, path, err)
	}
	return nil
}

// list reads an optional (missing → nil) or required list field.
func (b *squadBuilder) list(raw json.RawMessage, path, field string, required bool) ([]json.RawMessage, error) {
	if absent(raw) {
		if required {
			return nil, fieldErr(b.file, 0, path, field, "missing")
		}
		return nil, nil
	}
	l, ok := rawList(raw)
	if !ok {
		return nil, fieldErr(b.file, 0, path, field, "not a list (got "+kindOf(raw)+")")
	}
	return l, nil
}

func (b *squadBuilder) article(raw json.RawMessage, path string) error {
	var art struct {
		Title      json.RawMessage `json:"title"`
		Paragraphs json.RawMessage `json:"paragraphs"`
	}
	if err := b.object(raw, path, &art); err != nil {
		return err
	}
	title, err := optString(art.Title, b.file, 0, path, "title")
	if err != nil {
		return err
	}
	paras, err := b.list(art.Paragraphs, path, "paragraphs", true)
	if err != nil {
		return err
	}
	for j, praw := range paras {
		if err := b.paragraph(praw, fmt.Sprintf("%s.paragraphs[%d]", path, j), title); err != nil {
			return err
		}
	}
	return nil
}

func (b *squadBuilder) paragraph(raw json.RawMessage, path, title string) error {
	var para struct {
		Context json.RawMessage `json:"context"`
		Qas     json.RawMessage `json:"qas"`
	}
	if err := b.object(raw, path, &para); err != nil {
		return err
	}
	ctx, err := reqString(para.Context, b.file, 0, path, "context")
	if err != nil {
		return err
	}
	qas, err := b.list(para.Qas, path, "qas", false)
	if err != nil {
		return err
	}
	pid, ok := b.byText[ctx]
	if !ok {
		pid = fmt.Sprintf("p%d", len(b.d.Passages)+1)
		b.byText[ctx] = pid
		b.d.Passages = append(b.d.Passages, Passage{ID: pid, Title: title, Text: ctx})
	}
	for k, qraw := range qas {
		if err := b.question(qraw, fmt.Sprintf("%s.qas[%d]", path, k), pid); err != nil {
			return err
		}
	}
	return nil
}

func (b *squadBuilder) question(raw json.RawMessage, path, pid string) error {
	var qa struct {
		ID           json.RawMessage `json:"id"`
		Question     json.RawMessage `json:"question"`
		Answers      json.RawMessage `json:"answers"`
		IsImpossible json.RawMessage `json:"is_impossible"`
	}
	if err := b.object(raw, path, &qa); err != nil {
		return err
	}
	if !absent(qa.IsImpossible) {
		switch strings.TrimSpace(string(qa.IsImpossible)) {
		case "true":
			return nil // unanswerable: no relevant passage
		case "false":
		default:
			return fieldErr(b.file, 0, path, "is_impossible", "not a boolean (got "+kindOf(qa.IsImpossible)+")")
		}
	}
	id, err := reqID(qa.ID, b.file, 0, path, "id")
	if err != nil {
		return err
	}
	if first, dup := b.qwhere[id]; dup {
		return fieldErr(b.file, 0, path, "id", fmt.Sprintf("duplicate id %q (first at %s)", id, first))
	}
	text, err := reqString(qa.Question, b.file, 0, path, "question")
	if err != nil {
		return err
	}
	ans, err := b.list(qa.Answers, path, "answers", false)
	if err != nil {
		return err
	}
	var texts []string
	for a, araw := range ans {
		apath := fmt.Sprintf("%s.answers[%d]", path, a)
		var an struct {
			Text json.RawMessage `json:"text"`
		}
		if err := b.object(araw, apath, &an); err != nil {
			return err
		}
		t, err := optString(an.Text, b.file, 0, apath, "text")
		if err != nil {
			return err
		}
		if t != "" && !slices.Contains(texts, t) {
			texts = append(texts, t)
		}
	}
	b.qwhere[id] = path
	b.d.Queries = append(b.d.Queries, Query{ID: id, Text: text})
	if texts != nil {
		b.answers[id] = texts
	}
	q := b.d.Qrels[b.split]
	if q == nil {
		q = Qrels{}
		b.d.Qrels[b.split] = q
	}
	q[id] = map[string]int{pid: 1}
	return nil
}
