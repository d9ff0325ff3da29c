package datasets

import (
	"encoding/json"
	"fmt"
	"strings"
)

// viquadItem is one element of a question list: {context, question, label?}.
type viquadItem struct {
	Context  json.RawMessage `json:"context"`
	Question json.RawMessage `json:"question"`
	Label    json.RawMessage `json:"label"`
}

// loadViQuAD streams a JSON list of {"context", "question", "label"} objects, as in the
// word-segmented UIT-ViQuAD copy (dev_ViQuAD.json): each element is one question whose
// relevant passage is its context. In that copy the syllables of a word are joined by
// "_" ("thành_phố"), so every "_" becomes a space to restore normal text (a real
// underscore is lost). label, when present, lists ["ANSWER", start, end, text] spans;
// their texts are kept as answers. Identical contexts are one passage; questions are
// numbered q1, q2, … in file order. The split comes from the file name (else test).
func loadViQuAD(src source, file string) (*Dataset, error) {
	f, err := src.open(file)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	show := src.show(file)
	split, note := fileSplit(file)
	d := &Dataset{Format: "viquad", Qrels: map[Split]Qrels{split: {}}}
	byText := map[string]string{}
	answers := map[string][]string{}
	dec := json.NewDecoder(f)
	if tok, err := dec.Token(); err != nil {
		return nil, syntaxErr(src, file, dec, err)
	} else if tok != json.Delim('[') {
		return nil, &ParseError{File: show, Msg: "not a question list: want [{\"context\": …, \"question\": …}, …]"}
	}
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntaxErr(src, file, dec, err)
		}
		at := fmt.Sprintf("[%d]", i)
		if kindOf(raw) != "object" {
			return nil, &ParseError{File: show, Path: at, Msg: "not an object (got " + kindOf(raw) + ")"}
		}
		var it viquadItem
		if err := json.Unmarshal(raw, &it); err != nil {
			return nil, jsonErr(show, 0, at, err)
		}
		ctx, err := reqString(it.Context, show, 0, at, "context")
		if err != nil {
			return nil, err
		}
		q, err := reqString(it.Question, show, 0, at, "question")
		if err != nil {
			return nil, err
		}
		texts, err := viquadAnswers(it.Label, show, at)
		if err != nil {
			return nil, err
		}
		ctx, q = unsegment(ctx), unsegment(q)
		pid, ok := byText[ctx]
		if !ok {
			pid = fmt.Sprintf("p%d", len(d.Passages)+1)
			byText[ctx] = pid
			d.Passages = append(d.Passages, Passage{ID: pid, Text: ctx})
		}
		qid := fmt.Sprintf("q%d", len(d.Queries)+1)
		d.Queries = append(d.Queries, Query{ID: qid, Text: q})
		d.Qrels[split][qid] = map[string]int{pid: 1}
		if len(texts) > 0 {
			answers[qid] = texts
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntaxErr(src, file, dec, err)
	}
	if len(d.Queries) == 0 {
		return nil, &ParseError{File: show, Msg: "no questions"}
	}
	if len(answers) > 0 {
		d.Answers = answers
	}
	d.Notes = append(d.Notes, `word-segmented text: "_" between syllables restored to spaces`)
	if note != "" {
		d.Notes = append(d.Notes, note)
	}
	return d, nil
}

// viquadAnswers reads label: a list of ["ANSWER", start, end, text] spans (optional).
func viquadAnswers(raw json.RawMessage, file, at string) ([]string, error) {
	if absent(raw) {
		return nil, nil
	}
	spans, ok := rawList(raw)
	if !ok {
		return nil, fieldErr(file, 0, at, "label", "not a list (got "+kindOf(raw)+")")
	}
	var out []string
	for j, s := range spans {
		parts, ok := rawList(s)
		if !ok || len(parts) == 0 {
			return nil, fieldErr(file, 0, at, fmt.Sprintf("label[%d]", j), `not a span (want ["ANSWER", start, end, "text"])`)
		}
		text, ok := rawString(parts[len(parts)-1])
		if !ok {
			continue // a span without its text: nothing to keep
		}
		if text = unsegment(strings.TrimSpace(text)); text != "" && !contains(out, text) {
			out = append(out, text)
		}
	}
	return out, nil
}

// unsegment restores spaces between syllables joined by "_" and collapses runs of spaces.
func unsegment(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), " ")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
