package datasets

import (
	"errors"
	"fmt"
	"strings"
)

// maxIssues bounds how many problems Validate lists.
const maxIssues = 10

// Validate checks the dataset is consistent: non-empty corpus and queries, unique
// non-empty ids, non-empty texts, at least one judgement, judgements/hard
// negatives/answers/candidates naming known ids, no hard negative judged relevant,
// and (for reranking sets) judged passages among the query's candidates.
// It reports up to 10 problems joined. Problems that do not stop evaluation
// (conflicting labels, single-candidate groups, huge one-row files) are listed by Issues,
// which `dataset validate` should print after a nil Validate.
func (d *Dataset) Validate() error {
	var issues []string
	add := func(format string, args ...any) bool {
		issues = append(issues, fmt.Sprintf(format, args...))
		return len(issues) < maxIssues
	}
	if d == nil {
		return errors.New("dataset is nil")
	}
	if len(d.Passages) == 0 {
		add("no passages")
	}
	if len(d.Queries) == 0 {
		add("no queries")
	}
	pidx := make(map[string]int, len(d.Passages))
	for i, p := range d.Passages {
		switch {
		case strings.TrimSpace(p.ID) == "":
			if !add("passage %d has an empty id", i) {
				return joinIssues(issues)
			}
		case strings.TrimSpace(p.Text) == "" && strings.TrimSpace(p.Title) == "":
			if !add("passage %q has no text", p.ID) {
				return joinIssues(issues)
			}
		}
		if j, dup := pidx[p.ID]; dup {
			if !add("passage id %q used twice (passages %d and %d)", p.ID, j, i) {
				return joinIssues(issues)
			}
			continue
		}
		pidx[p.ID] = i
	}
	qidx := make(map[string]int, len(d.Queries))
	for i, q := range d.Queries {
		switch {
		case strings.TrimSpace(q.ID) == "":
			if !add("query %d has an empty id", i) {
				return joinIssues(issues)
			}
		case strings.TrimSpace(q.Text) == "":
			if !add("query %q has no text", q.ID) {
				return joinIssues(issues)
			}
		}
		if j, dup := qidx[q.ID]; dup {
			if !add("query id %q used twice (queries %d and %d)", q.ID, j, i) {
				return joinIssues(issues)
			}
			continue
		}
		qidx[q.ID] = i
	}
	judged := 0
	for _, s := range sortedSplits(d.Qrels) {
		for _, qid := range sortedKeys(d.Qrels[s]) {
			if _, ok := qidx[qid]; !ok && !add("qrels %s: unknown query id %q", s, qid) {
				return joinIssues(issues)
			}
			for _, pid := range sortedKeys(d.Qrels[s][qid]) {
				judged++
				if _, ok := pidx[pid]; !ok && !add("qrels %s: query %q: unknown passage id %q", s, qid, pid) {
					return joinIssues(issues)
				}
			}
		}
	}
	if judged == 0 {
		add("no relevance judgements")
	}
	splits := sortedSplits(d.Qrels)
	for _, qid := range sortedKeys(d.HardNegatives) {
		if _, ok := qidx[qid]; !ok && !add("hard negatives: unknown query id %q", qid) {
			return joinIssues(issues)
		}
		for _, pid := range d.HardNegatives[qid] {
			if _, ok := pidx[pid]; !ok {
				if !add("hard negatives: query %q: unknown passage id %q", qid, pid) {
					return joinIssues(issues)
				}
			} else if s := judgedRelevant(d, splits, qid, pid); s != "" {
				if !add("hard negatives: passage %q is judged relevant for query %q in %s", pid, qid, s) {
					return joinIssues(issues)
				}
			}
		}
	}
	for _, qid := range sortedKeys(d.Answers) {
		if _, ok := qidx[qid]; !ok && !add("answers: unknown query id %q", qid) {
			return joinIssues(issues)
		}
	}
	for _, qid := range sortedKeys(d.Candidates) {
		if _, ok := qidx[qid]; !ok && !add("candidates: unknown query id %q", qid) {
			return joinIssues(issues)
		}
		inGroup := make(map[string]bool, len(d.Candidates[qid]))
		for _, pid := range d.Candidates[qid] {
			if _, ok := pidx[pid]; !ok && !add("candidates: query %q: unknown passage id %q", qid, pid) {
				return joinIssues(issues)
			}
			if inGroup[pid] && !add("candidates: query %q lists passage %q twice", qid, pid) {
				return joinIssues(issues)
			}
			inGroup[pid] = true
		}
		for _, s := range sortedSplits(d.Qrels) {
			for _, pid := range sortedKeys(d.Qrels[s][qid]) {
				if !inGroup[pid] && !add("candidates: query %q: judged passage %q is not among its candidates", qid, pid) {
					return joinIssues(issues)
				}
			}
		}
	}
	if d.Candidates != nil {
		for _, s := range splits {
			for _, qid := range sortedKeys(d.Qrels[s]) {
				if _, ok := d.Candidates[qid]; !ok && !add("candidates: judged query %q has no candidate group", qid) {
					return joinIssues(issues)
				}
			}
		}
	}
	return joinIssues(issues)
}

func joinIssues(issues []string) error {
	switch len(issues) {
	case 0:
		return nil
	case 1:
		return errors.New("invalid dataset: " + issues[0])
	}
	more := ""
	if len(issues) >= maxIssues {
		more = " (stopped after 10)"
	}
	return fmt.Errorf("invalid dataset: %d problems%s:\n  %s", len(issues), more, strings.Join(issues, "\n  "))
}

// Splits lists the splits that hold at least one judgement, train/dev/test first.
func (d *Dataset) Splits() []Split {
	var out []Split
	for _, s := range sortedSplits(d.Qrels) {
		if len(d.Qrels[s]) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// Split returns the judgements of split s and its judged queries in dataset order.
// The error names the available splits when s has no judgements.
func (d *Dataset) Split(s Split) (Qrels, []Query, error) {
	q := d.Qrels[s]
	if len(q) == 0 {
		names := make([]string, 0, len(d.Qrels))
		for _, a := range d.Splits() {
			names = append(names, string(a))
		}
		avail := strings.Join(names, ", ")
		if avail == "" {
			avail = "none"
		}
		return nil, nil, fmt.Errorf("dataset %q has no %q split (available: %s)", d.Name, s, avail)
	}
	qs := make([]Query, 0, len(q))
	for _, query := range d.Queries {
		if _, ok := q[query.ID]; ok {
			qs = append(qs, query)
		}
	}
	return q, qs, nil
}

// PassageIndex maps passage id → position in Passages (built fresh on each call).
func (d *Dataset) PassageIndex() map[string]int {
	m := make(map[string]int, len(d.Passages))
	for i, p := range d.Passages {
		m[p.ID] = i
	}
	return m
}

// QueryByID finds a query by id (linear scan).
func (d *Dataset) QueryByID(id string) (Query, bool) {
	for _, q := range d.Queries {
		if q.ID == id {
			return q, true
		}
	}
	return Query{}, false
}
