package datasets

import (
	"fmt"
	"path"
	"strings"
	"unicode"
)

// splitWords maps a whole name part to the split it names.
var splitWords = map[string]Split{
	"train": Train, "training": Train,
	"dev": Dev, "val": Dev, "valid": Dev, "validation": Dev, "development": Dev,
	"test": Test, "testing": Test,
}

// SplitFromName reads the split a file name states as a whole name part:
// "dev_ViNewsQA.json" and "SemEval2016-Task3-CQA-QL-dev-subtaskA.xml" are dev,
// "arcd-test.json" is test, "claims_validation.csv" is dev. Substrings do not count
// ("evaluation.json", "devices.csv" and "contest.json" name no split). ok is false when
// the name states no split or two different ones.
func SplitFromName(file string) (s Split, ok bool) {
	base := path.Base(strings.ReplaceAll(file, "\\", "/"))
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	parts := strings.FieldsFunc(strings.ToLower(base), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, p := range parts {
		sp, found := splitWords[p]
		if !found {
			continue
		}
		if ok && sp != s {
			return "", false
		}
		s, ok = sp, true
	}
	return s, ok
}

// fileSplit returns the split of a single-file dataset and, when the name states none,
// a note saying test was assumed.
func fileSplit(file string) (Split, string) {
	if s, ok := SplitFromName(file); ok {
		return s, ""
	}
	return Test, fmt.Sprintf("%s names no split (train, dev or test as a whole name part): its questions form the test split", path.Base(file))
}

// DefaultSplit tells which split to evaluate when the user names none, and why, as a
// sentence for the user: the only judged split ("only split present: dev"), else test,
// else dev, else the first judged split. It returns "" and a reason when nothing is judged.
func (d *Dataset) DefaultSplit() (Split, string) {
	splits := d.Splits()
	names := make([]string, len(splits))
	for i, s := range splits {
		names[i] = string(s)
	}
	switch {
	case len(splits) == 0:
		return "", "no split has judgements"
	case len(splits) == 1:
		return splits[0], "only split present: " + string(splits[0])
	}
	for _, want := range []Split{Test, Dev} {
		for _, s := range splits {
			if s == want {
				return s, fmt.Sprintf("%s split (present: %s)", s, strings.Join(names, ", "))
			}
		}
	}
	return splits[0], fmt.Sprintf("first split %s (present: %s)", splits[0], strings.Join(names, ", "))
}

// Subset returns a dataset holding only split s: its judged queries and qrels, their
// answers, hard negatives and candidate groups, and the split's own passages when
// SplitPassages names them (else all passages). Slices and maps are fresh; texts are shared.
// It returns an error naming the available splits when s has no judgements.
func (d *Dataset) Subset(s Split) (*Dataset, error) {
	q, qs, err := d.Split(s)
	if err != nil {
		return nil, err
	}
	out := &Dataset{Name: d.Name, Source: d.Source, Format: d.Format, Queries: qs,
		Qrels: map[Split]Qrels{s: q}, RelMinDefault: d.RelMinDefault, KeepNoRelevant: d.KeepNoRelevant,
		Notes: d.Notes, Warnings: d.Warnings}
	keep := func(qid string) bool { _, ok := q[qid]; return ok }
	if ids, ok := d.SplitPassages[s]; ok {
		want := make(map[string]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
		for _, p := range d.Passages {
			if want[p.ID] {
				out.Passages = append(out.Passages, p)
			}
		}
	} else {
		out.Passages = append([]Passage(nil), d.Passages...)
	}
	out.HardNegatives = filterLists(d.HardNegatives, keep)
	out.Answers = filterLists(d.Answers, keep)
	out.Candidates = filterLists(d.Candidates, keep)
	if d.Candidates != nil && out.Candidates == nil {
		out.Candidates = map[string][]string{}
	}
	return out, nil
}

// filterLists copies the entries of m whose key passes keep (nil when none do).
func filterLists(m map[string][]string, keep func(string) bool) map[string][]string {
	var out map[string][]string
	for k, v := range m {
		if !keep(k) {
			continue
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[k] = append([]string(nil), v...)
	}
	return out
}
