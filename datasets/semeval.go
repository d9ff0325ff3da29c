package datasets

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SemEval Task 3 graded labels. Both official scorers are binary and count only the
// top grade (Good, direct) as relevant, hence RelMinDefault = 2 for these sets.
var (
	semeval2015Grades = map[string]int{"direct": 2, "related": 1, "irrelevant": 0}
	semeval2016Grades = map[string]int{"Good": 2, "PotentiallyUseful": 1, "Bad": 0}
)

// semText collects all character data inside an element, dropping inner tags such as
// <NE>, <QURAN> and <HADEETH> of the 2015 Arabic data.
type semText string

// UnmarshalXML implements xml.Unmarshaler.
func (t *semText) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var b strings.Builder
	for depth := 1; depth > 0; {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			b.Write(v)
		}
	}
	*t = semText(strings.TrimSpace(b.String()))
	return nil
}

// semQuestion is a SemEval-2015 Task 3 <Question> with its <Answer>s.
type semQuestion struct {
	ID      string      `xml:"QID,attr"`
	Subject semText     `xml:"QSubject"`
	Body    semText     `xml:"QBody"`
	Raw     []semAnswer `xml:"Answer"`
}

// semAnswer is one 2015 <Answer CID CGOLD>text</Answer>.
type semAnswer struct {
	ID   string
	Gold string
	Text semText
}

// UnmarshalXML reads the attributes and the whole text of an <Answer>.
func (a *semAnswer) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for _, at := range start.Attr {
		switch at.Name.Local {
		case "CID":
			a.ID = strings.TrimSpace(at.Value)
		case "CGOLD":
			a.Gold = strings.TrimSpace(at.Value)
		}
	}
	return a.Text.UnmarshalXML(d, start)
}

// semThread is a SemEval-2016 Task 3 subtask A <Thread>.
type semThread struct {
	Question struct {
		ID      string  `xml:"RELQ_ID,attr"`
		Subject semText `xml:"RelQSubject"`
		Body    semText `xml:"RelQBody"`
	} `xml:"RelQuestion"`
	Comments []struct {
		ID    string  `xml:"RELC_ID,attr"`
		Label string  `xml:"RELC_RELEVANCE2RELQ,attr"`
		Text  semText `xml:"RelCText"`
	} `xml:"RelComment"`
}

// semReader holds the state of one SemEval XML file.
type semReader struct {
	src   source
	file  string
	show  string
	dec   *xml.Decoder
	b     *rerankBuilder
	gold  map[string]string // 2015: "QID-CID" → label from the .gold file
	year  int
	split Split
}

// loadSemEval reads SemEval-2015 Task 3 Arabic (<Question QID><QSubject/><QBody/>
// <Answer CID CGOLD>…) or SemEval-2016 Task 3 subtask A English (<Thread><RelQuestion
// RELQ_ID>…<RelComment RELC_ID RELC_RELEVANCE2RELQ>…) as a reranking set: each question's
// candidates are its own answers/comments, with their file ids (2015: "QID-CID", as in the
// .gold file, since one CID can carry different texts under two questions; 2016: RELC_ID).
// Grades: direct 2 / related 1 / irrelevant 0 and Good 2 / PotentiallyUseful 1 / Bad 0,
// all kept in Qrels; RelMinDefault is 2 ("binary: only Good relevant", as the official
// scorers). The 2015 XML is not well-formed (a raw "&" in an answer), so the file is read
// leniently. For 2015, labels come from the .gold file beside the XML when it is there
// (mismatches with CGOLD are warnings). The query text is the subject and body.
func loadSemEval(src source, file string) (*Dataset, error) {
	f, err := src.open(file)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	split, note := fileSplit(file)
	r := &semReader{src: src, file: file, show: src.show(file), dec: dec, b: newRerankBuilder(), split: split}
	if err := r.read(); err != nil {
		return nil, err
	}
	if r.year == 0 {
		return nil, fmt.Errorf("datasets: %s: %w: XML has no <Question> (SemEval-2015 Task 3) or <Thread> (SemEval-2016 Task 3) elements (%s)",
			r.show, ErrUnknownFormat, supportedFormats)
	}
	d, err := finishRerank(r.b, r.show)
	if err != nil {
		return nil, err
	}
	d.Notes = nil // finishRerank's split note is replaced by ours
	d.Format = fmt.Sprintf("semeval%d", r.year)
	d.RelMinDefault = 2
	d.KeepNoRelevant = true // the official scorer's MAP averages over every question
	if r.year == 2015 {
		d.Notes = append(d.Notes, "graded labels: direct=2, related=1, irrelevant=0; only direct counts as relevant by default (rel-min 2)")
	} else {
		d.Notes = append(d.Notes, "graded labels: Good=2, PotentiallyUseful=1, Bad=0; only Good counts as relevant by default (rel-min 2), as in the official scorer")
	}
	if note != "" {
		d.Notes = append(d.Notes, note)
	}
	return d, nil
}

// read walks the document, decoding each <Question> or <Thread>.
func (r *semReader) read() error {
	for {
		tok, err := r.dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return r.xmlErr(err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		line, _ := r.dec.InputPos()
		switch start.Name.Local {
		case "Question":
			err = r.question(start, line)
		case "Thread":
			err = r.thread(start, line)
		}
		if err != nil {
			return err
		}
	}
}

// xmlErr locates a decoder error.
func (r *semReader) xmlErr(err error) error {
	var se *xml.SyntaxError
	line, col := r.dec.InputPos()
	msg := err.Error()
	if errors.As(err, &se) {
		line, msg = se.Line, se.Msg
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || msg == "unexpected EOF" {
		msg = "the file ends inside an element (truncated?): want the rest of it and its closing tags"
	}
	return &ParseError{File: r.show, Line: line, Col: col, Msg: "invalid XML: " + msg}
}

func (r *semReader) setYear(y int, line int) error {
	if r.year != 0 && r.year != y {
		return &ParseError{File: r.show, Line: line, Msg: "mixes SemEval-2015 <Question> and SemEval-2016 <Thread> elements"}
	}
	if r.year == 0 && y == 2015 {
		r.year = y
		return r.readGold()
	}
	r.year = y
	return nil
}

// question reads one SemEval-2015 <Question>.
func (r *semReader) question(start xml.StartElement, line int) error {
	if err := r.setYear(2015, line); err != nil {
		return err
	}
	var q semQuestion
	if err := r.dec.DecodeElement(&q, &start); err != nil {
		return r.xmlErr(err)
	}
	qid := strings.TrimSpace(q.ID)
	if qid == "" {
		return fieldErr(r.show, line, "Question", "QID", "missing")
	}
	text := joinText(string(q.Subject), string(q.Body))
	if text == "" {
		return fieldErr(r.show, line, "Question "+qid, "QSubject", "empty (and QBody too)")
	}
	if len(q.Raw) == 0 {
		return fieldErr(r.show, line, "Question "+qid, "Answer", "none: want the candidate answers")
	}
	for i, a := range q.Raw {
		at := fmt.Sprintf("Question %s Answer[%d]", qid, i)
		if a.ID == "" {
			return fieldErr(r.show, line, at, "CID", "missing")
		}
		key := qid + "-" + a.ID
		label, err := r.label2015(key, a.Gold, line, at)
		if err != nil {
			return err
		}
		if a.Text == "" {
			return fieldErr(r.show, line, at, "Answer", "empty text")
		}
		if msg := r.b.add(rerankRow{qid: qid, qtext: text, pid: key, ptext: string(a.Text), label: label, at: fmt.Sprintf("line %d", line)}); msg != "" {
			return fieldErr(r.show, line, at, idField(msg, "QID", "CID"), msg)
		}
	}
	return nil
}

// label2015 grades one answer, from the .gold file when it has it.
func (r *semReader) label2015(key, cgold string, line int, at string) (int, error) {
	name := cgold
	if g, ok := r.gold[key]; ok {
		if cgold != "" && cgold != "?" && cgold != g {
			r.b.warnings = append(r.b.warnings, fmt.Sprintf("line %d: %s: CGOLD %q but the .gold file says %q (used)", line, key, cgold, g))
		}
		name = g
	}
	grade, ok := semeval2015Grades[strings.ToLower(name)]
	if !ok {
		return 0, fieldErr(r.show, line, at, "CGOLD", fmt.Sprintf("unknown label %q (want direct, related or irrelevant, or a .gold file beside the XML)", name))
	}
	return grade, nil
}

// readGold reads "QID-CID<TAB>label" lines from the .gold file beside a 2015 XML file.
func (r *semReader) readGold() error {
	rel := strings.TrimSuffix(r.file, ".xml") + ".gold"
	if rel == r.file || !r.src.exists(rel) {
		return nil
	}
	r.gold = map[string]string{}
	show := r.src.show(rel)
	return eachLine(r.src, rel, func(line []byte, n int) error {
		f := strings.Fields(string(line))
		if len(f) != 2 {
			return &ParseError{File: show, Line: n, Msg: fmt.Sprintf("want QID-CID and a label separated by a tab, got %d fields", len(f))}
		}
		if _, ok := semeval2015Grades[strings.ToLower(f[1])]; !ok {
			return fieldErr(show, n, "", "label", fmt.Sprintf("unknown label %q (want direct, related or irrelevant)", f[1]))
		}
		r.gold[f[0]] = f[1]
		return nil
	})
}

// thread reads one SemEval-2016 <Thread>.
func (r *semReader) thread(start xml.StartElement, line int) error {
	if err := r.setYear(2016, line); err != nil {
		return err
	}
	var t semThread
	if err := r.dec.DecodeElement(&t, &start); err != nil {
		return r.xmlErr(err)
	}
	qid := strings.TrimSpace(t.Question.ID)
	if qid == "" {
		return fieldErr(r.show, line, "Thread", "RELQ_ID", "missing")
	}
	text := joinText(string(t.Question.Subject), string(t.Question.Body))
	if text == "" {
		return fieldErr(r.show, line, "Thread "+qid, "RelQSubject", "empty (and RelQBody too)")
	}
	if len(t.Comments) == 0 {
		return fieldErr(r.show, line, "Thread "+qid, "RelComment", "none: want the candidate comments")
	}
	for i, c := range t.Comments {
		at := fmt.Sprintf("Thread %s RelComment[%d]", qid, i)
		id := strings.TrimSpace(c.ID)
		if id == "" {
			return fieldErr(r.show, line, at, "RELC_ID", "missing")
		}
		grade, ok := semeval2016Grades[strings.TrimSpace(c.Label)]
		if !ok {
			return fieldErr(r.show, line, at, "RELC_RELEVANCE2RELQ", fmt.Sprintf("unknown label %q (want Good, PotentiallyUseful or Bad)", c.Label))
		}
		if c.Text == "" {
			return fieldErr(r.show, line, at, "RelCText", "empty")
		}
		if msg := r.b.add(rerankRow{qid: qid, qtext: text, pid: id, ptext: string(c.Text), label: grade, at: fmt.Sprintf("line %d", line)}); msg != "" {
			return fieldErr(r.show, line, at, idField(msg, "RELQ_ID", "RELC_ID"), msg)
		}
	}
	return nil
}

// idField names the attribute a rerank builder message is about.
func idField(msg, query, candidate string) string {
	if strings.HasPrefix(msg, "query id") {
		return query
	}
	return candidate
}

// joinText joins a subject and a body with a space, skipping empty parts.
func joinText(subject, body string) string {
	subject, body = strings.TrimSpace(subject), strings.TrimSpace(body)
	switch {
	case subject == "":
		return body
	case body == "":
		return subject
	}
	return subject + " " + body
}
