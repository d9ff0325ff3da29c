package datasets

import "fmt"

// hugeText is the text length beyond which Issues suspects a whole file read as one row.
const hugeText = 1 << 20

// Issues lists non-fatal problems for `dataset validate` and the loaders' callers:
// the loader's Warnings (conflicting labels, …), then sanity checks that make metrics
// meaningless though the data is consistent: a single query or passage, reranking groups
// that cannot be ordered wrongly (one candidate, or every candidate relevant), a corpus
// where every passage is relevant, and texts over 1 MiB (a whole file read as one row).
// It returns nil when there is nothing to say.
func (d *Dataset) Issues() []string {
	out := append([]string(nil), d.Warnings...)
	if len(d.Queries) == 1 {
		out = append(out, "only 1 query: metrics over a single query are meaningless")
	}
	if len(d.Passages) == 1 {
		out = append(out, "only 1 passage: every ranking is the same, metrics are meaningless")
	}
	out = append(out, d.trivialGroups()...)
	out = append(out, d.hugeTexts()...)
	return out
}

// trivialGroups reports judged queries whose ranking cannot be wrong, counting grades
// from RelMinDefault (at least 1) as relevant.
func (d *Dataset) trivialGroups() []string {
	relMin := max(1, d.RelMinDefault)
	var out []string
	for _, s := range d.Splits() {
		judged, trivial := 0, 0
		for qid, m := range d.Qrels[s] {
			rel := 0
			for _, g := range m {
				if g >= relMin {
					rel++
				}
			}
			if rel == 0 {
				continue
			}
			judged++
			pool := len(d.Passages)
			if d.IsRerank() {
				pool = len(d.Candidates[qid])
			}
			if pool <= 1 || rel >= pool {
				trivial++
			}
		}
		if trivial == 0 {
			continue
		}
		what := "queries"
		if d.IsRerank() {
			what = "candidate groups"
		}
		msg := fmt.Sprintf("%s: %d of %d judged %s have a single candidate or only relevant candidates, so any ranking scores 1", s, trivial, judged, what)
		if trivial == judged {
			msg += ": metrics are meaningless"
		}
		out = append(out, msg)
	}
	return out
}

// hugeTexts reports the first passage and query over hugeText bytes, with counts.
func (d *Dataset) hugeTexts() []string {
	var out []string
	n, first := 0, ""
	for _, p := range d.Passages {
		if len(p.Text)+len(p.Title) > hugeText {
			if n == 0 {
				first = fmt.Sprintf("passage %q is %d bytes", p.ID, len(p.Text)+len(p.Title))
			}
			n++
		}
	}
	if n > 0 {
		out = append(out, fmt.Sprintf("%d passage(s) over 1 MiB (%s): a whole file read as one row?", n, first))
	}
	n = 0
	for _, q := range d.Queries {
		if len(q.Text) > hugeText {
			if n == 0 {
				first = fmt.Sprintf("query %q is %d bytes", q.ID, len(q.Text))
			}
			n++
		}
	}
	if n > 0 {
		out = append(out, fmt.Sprintf("%d query(ies) over 1 MiB (%s): a whole file read as one row?", n, first))
	}
	return out
}
