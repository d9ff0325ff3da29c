package datasets

import (
	"encoding/json"
	"fmt"
	"slices"
)

// ctxText is one passage given inline (training triples, DPR contexts).
type ctxText struct {
	given string // passage id from the file, "" when none
	title string
	text  string
}

// pairBuilder turns inline (query, positive, negative) texts into a Dataset:
// queries and passages are deduplicated by text and numbered q1…, p1… in order.
type pairBuilder struct {
	queries  []Query
	qByText  map[string]string
	pass     []ctxText
	pByKey   map[string]int // title \x00 text → index in pass (first with that text)
	pByGiven map[string]int // given id → index in pass
	pos      map[string]map[int]bool
	neg      map[string][]int
	negSeen  map[string]map[int]bool
	answers  map[string][]string
}

func newPairBuilder() *pairBuilder {
	return &pairBuilder{
		qByText: map[string]string{}, pByKey: map[string]int{}, pByGiven: map[string]int{},
		pos: map[string]map[int]bool{}, neg: map[string][]int{}, negSeen: map[string]map[int]bool{},
		answers: map[string][]string{},
	}
}

// query returns the id for a question text, creating it on first sight.
func (b *pairBuilder) query(text string) string {
	if id, ok := b.qByText[text]; ok {
		return id
	}
	id := fmt.Sprintf("q%d", len(b.queries)+1)
	b.qByText[text] = id
	b.queries = append(b.queries, Query{ID: id, Text: text})
	return id
}

// passage returns the index of a passage, deduplicating by given id, else by text.
// The error string is set when a given id names two different texts.
func (b *pairBuilder) passage(c ctxText) (int, string) {
	key := c.title + "\x00" + c.text
	if c.given != "" {
		if i, ok := b.pByGiven[c.given]; ok {
			if b.pass[i].title+"\x00"+b.pass[i].text != key {
				return 0, fmt.Sprintf("id %q already used for a different passage", c.given)
			}
			return i, ""
		}
		if i, ok := b.pByKey[key]; ok && b.pass[i].given == "" {
			b.pass[i].given = c.given
			b.pByGiven[c.given] = i
			return i, ""
		}
		b.pByGiven[c.given] = len(b.pass)
		if _, ok := b.pByKey[key]; !ok {
			b.pByKey[key] = len(b.pass)
		}
		b.pass = append(b.pass, c)
		return len(b.pass) - 1, ""
	}
	if i, ok := b.pByKey[key]; ok {
		return i, ""
	}
	b.pByKey[key] = len(b.pass)
	b.pass = append(b.pass, c)
	return len(b.pass) - 1, ""
}

func (b *pairBuilder) positive(qid string, p int) {
	if b.pos[qid] == nil {
		b.pos[qid] = map[int]bool{}
	}
	b.pos[qid][p] = true
}

func (b *pairBuilder) negative(qid string, p int) {
	if b.negSeen[qid] == nil {
		b.negSeen[qid] = map[int]bool{}
	}
	if !b.negSeen[qid][p] {
		b.negSeen[qid][p] = true
		b.neg[qid] = append(b.neg[qid], p)
	}
}

// finish assigns passage ids (given ones kept, others p1, p2, … skipping taken ids)
// and builds the dataset. Negatives that are also positives of the query are dropped.
func (b *pairBuilder) finish(format string, split Split) *Dataset {
	ids := make([]string, len(b.pass))
	n := 0
	for i, c := range b.pass {
		if c.given != "" {
			ids[i] = c.given
			continue
		}
		for {
			n++
			id := fmt.Sprintf("p%d", n)
			if _, taken := b.pByGiven[id]; !taken {
				ids[i] = id
				break
			}
		}
	}
	d := &Dataset{Format: format, Queries: b.queries, Qrels: map[Split]Qrels{}}
	d.Passages = make([]Passage, len(b.pass))
	for i, c := range b.pass {
		d.Passages[i] = Passage{ID: ids[i], Title: c.title, Text: c.text}
	}
	q := Qrels{}
	for qid, ps := range b.pos {
		m := make(map[string]int, len(ps))
		for p := range ps {
			m[ids[p]] = 1
		}
		q[qid] = m
	}
	if len(q) > 0 {
		d.Qrels[split] = q
	}
	for qid, ps := range b.neg {
		for _, p := range ps {
			if b.pos[qid][p] {
				continue
			}
			if d.HardNegatives == nil {
				d.HardNegatives = map[string][]string{}
			}
			d.HardNegatives[qid] = append(d.HardNegatives[qid], ids[p])
		}
	}
	if len(b.answers) > 0 {
		d.Answers = b.answers
	}
	return d
}

// ctxList reads a string, a list of strings, or a list of {"text", "title"?, "passage_id"?} objects.
func ctxList(raw json.RawMessage, file string, line int, path, field string) ([]ctxText, error) {
	if kindOf(raw) == "string" {
		c, err := ctxOf(raw, file, line, path, field)
		return []ctxText{c}, err
	}
	l, ok := rawList(raw)
	if !ok {
		return nil, fieldErr(file, line, path, field, "not a string or list (got "+kindOf(raw)+")")
	}
	out := make([]ctxText, 0, len(l))
	for i, e := range l {
		c, err := ctxOf(e, file, line, path, fmt.Sprintf("%s[%d]", field, i))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// ctxOf reads one passage: a string, or an object with text/title/passage_id (or psg_id).
func ctxOf(raw json.RawMessage, file string, line int, path, field string) (ctxText, error) {
	switch kindOf(raw) {
	case "string":
		s, err := reqString(raw, file, line, path, field)
		return ctxText{text: s}, err
	case "object":
	default:
		return ctxText{}, fieldErr(file, line, path, field, "not a string or object (got "+kindOf(raw)+")")
	}
	var o struct {
		Title     json.RawMessage `json:"title"`
		Text      json.RawMessage `json:"text"`
		PassageID json.RawMessage `json:"passage_id"`
		PsgID     json.RawMessage `json:"psg_id"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return ctxText{}, jsonErr(file, line, path, err)
	}
	sub := path
	if sub != "" {
		sub += "."
	}
	sub += field
	var c ctxText
	var err error
	if c.title, err = optString(o.Title, file, line, sub, "title"); err != nil {
		return c, err
	}
	if absent(o.Text) {
		return c, fieldErr(file, line, sub, "text", "missing")
	}
	if c.text, err = optString(o.Text, file, line, sub, "text"); err != nil {
		return c, err
	}
	if c.text == "" && c.title == "" {
		return c, fieldErr(file, line, sub, "text", "empty")
	}
	idRaw, idField := o.PassageID, "passage_id"
	if absent(idRaw) {
		idRaw, idField = o.PsgID, "psg_id"
	}
	if !absent(idRaw) {
		if c.given, err = reqID(idRaw, file, line, sub, idField); err != nil {
			return c, err
		}
	}
	return c, nil
}

// firstOf picks the first present field among aliases.
func firstOf(names []string, raws ...json.RawMessage) (string, json.RawMessage) {
	for i, r := range raws {
		if !absent(r) {
			return names[i], r
		}
	}
	return names[0], nil
}

// loadTriples reads training rows {"query", "positive" | "positives", "negatives"?}.
// Aliases: question/anchor for query, pos for positives, negative/neg for negatives.
func loadTriples(src source, file string) (*Dataset, error) {
	show := src.show(file)
	b := newPairBuilder()
	err := eachLine(src, file, func(line []byte, n int) error {
		var row struct {
			Query     json.RawMessage `json:"query"`
			Question  json.RawMessage `json:"question"`
			Anchor    json.RawMessage `json:"anchor"`
			Positive  json.RawMessage `json:"positive"`
			Positives json.RawMessage `json:"positives"`
			Pos       json.RawMessage `json:"pos"`
			Negative  json.RawMessage `json:"negative"`
			Negatives json.RawMessage `json:"negatives"`
			Neg       json.RawMessage `json:"neg"`
		}
		if err := json.Unmarshal(line, &row); err != nil {
			return jsonLineErr(show, n, line, err)
		}
		qf, qraw := firstOf([]string{"query", "question", "anchor"}, row.Query, row.Question, row.Anchor)
		qtext, err := reqString(qraw, show, n, "", qf)
		if err != nil {
			return err
		}
		var pos, neg []ctxText
		posNames := []string{"positive", "positives", "pos"}
		for i, raw := range []json.RawMessage{row.Positive, row.Positives, row.Pos} {
			if absent(raw) {
				continue
			}
			l, err := ctxList(raw, show, n, "", posNames[i])
			if err != nil {
				return err
			}
			if len(l) == 0 {
				return fieldErr(show, n, "", posNames[i], "empty list")
			}
			pos = append(pos, l...)
		}
		if len(pos) == 0 {
			return fieldErr(show, n, "", "positive", "missing")
		}
		negNames := []string{"negative", "negatives", "neg"}
		for i, raw := range []json.RawMessage{row.Negative, row.Negatives, row.Neg} {
			if absent(raw) {
				continue
			}
			l, err := ctxList(raw, show, n, "", negNames[i])
			if err != nil {
				return err
			}
			neg = append(neg, l...)
		}
		qid := b.query(qtext)
		for k, c := range append(pos, neg...) {
			p, msg := b.passage(c)
			if msg != "" {
				return fieldErr(show, n, "", "passage_id", msg)
			}
			if k < len(pos) {
				b.positive(qid, p)
			} else {
				b.negative(qid, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(b.queries) == 0 {
		return nil, &ParseError{File: show, Msg: "no rows"}
	}
	return b.finish("triples", Train), nil
}

// loadDPR streams a DPR array [{"question", "answers"?, "positive_ctxs", "hard_negative_ctxs"?, "negative_ctxs"?}].
// Entries with an empty positive_ctxs list are skipped (they judge nothing).
func loadDPR(src source, file string) (*Dataset, error) {
	f, err := src.open(file)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	show := src.show(file)
	b := newPairBuilder()
	dec := json.NewDecoder(f)
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxErr(src, file, dec, err)
	}
	if tok != json.Delim('[') {
		return nil, &ParseError{File: show, Msg: "not a DPR file: want a list of questions"}
	}
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntaxErr(src, file, dec, err)
		}
		if err := dprEntry(b, raw, show, fmt.Sprintf("[%d]", i)); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntaxErr(src, file, dec, err)
	}
	if len(b.queries) == 0 {
		return nil, &ParseError{File: show, Msg: "no questions with positive_ctxs"}
	}
	return b.finish("dpr", Train), nil
}

func dprEntry(b *pairBuilder, raw json.RawMessage, file, path string) error {
	if kindOf(raw) != "object" {
		return &ParseError{File: file, Path: path, Msg: "not an object (got " + kindOf(raw) + ")"}
	}
	var e struct {
		Question json.RawMessage `json:"question"`
		Answers  json.RawMessage `json:"answers"`
		Pos      json.RawMessage `json:"positive_ctxs"`
		Hard     json.RawMessage `json:"hard_negative_ctxs"`
		Neg      json.RawMessage `json:"negative_ctxs"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return jsonErr(file, 0, path, err)
	}
	qtext, err := reqString(e.Question, file, 0, path, "question")
	if err != nil {
		return err
	}
	if absent(e.Pos) {
		return fieldErr(file, 0, path, "positive_ctxs", "missing")
	}
	lists := [3][]ctxText{}
	for k, f := range []struct {
		name string
		raw  json.RawMessage
	}{{"positive_ctxs", e.Pos}, {"hard_negative_ctxs", e.Hard}, {"negative_ctxs", e.Neg}} {
		if absent(f.raw) {
			continue
		}
		if kindOf(f.raw) != "list" {
			return fieldErr(file, 0, path, f.name, "not a list (got "+kindOf(f.raw)+")")
		}
		if lists[k], err = ctxList(f.raw, file, 0, path, f.name); err != nil {
			return err
		}
	}
	var answers []string
	if !absent(e.Answers) {
		l, ok := rawList(e.Answers)
		if !ok {
			return fieldErr(file, 0, path, "answers", "not a list (got "+kindOf(e.Answers)+")")
		}
		for i, a := range l {
			s, err := optString(a, file, 0, path, fmt.Sprintf("answers[%d]", i))
			if err != nil {
				return err
			}
			if s != "" {
				answers = append(answers, s)
			}
		}
	}
	if len(lists[0]) == 0 {
		return nil
	}
	qid := b.query(qtext)
	for k, l := range lists {
		name := [...]string{"positive_ctxs", "hard_negative_ctxs", "negative_ctxs"}[k]
		for i, c := range l {
			p, msg := b.passage(c)
			if msg != "" {
				return fieldErr(file, 0, fmt.Sprintf("%s.%s[%d]", path, name, i), "passage_id", msg)
			}
			if k == 0 {
				b.positive(qid, p)
			} else {
				b.negative(qid, p)
			}
		}
	}
	for _, a := range answers {
		if !slices.Contains(b.answers[qid], a) {
			b.answers[qid] = append(b.answers[qid], a)
		}
	}
	return nil
}
