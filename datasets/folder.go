package datasets

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// isDataFile reports whether a file name has a data file's extension.
func isDataFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".json", ".jsonl", ".csv", ".tsv", ".xml":
		return true
	}
	return false
}

// loadDir reads a folder: BEIR when it has corpus.jsonl; else its one data file; else its
// split files (names with train, dev or test as a whole part) as one dataset with those
// splits, skipping files whose names state no split (reported in Notes).
func loadDir(src source) (*Dataset, error) {
	if src.exists("corpus.jsonl") {
		d, err := loadBEIR(src)
		if err != nil {
			return nil, err
		}
		d.Name = src.name
		return d, nil
	}
	files, err := dataFiles(src)
	if err != nil {
		return nil, err
	}
	switch len(files) {
	case 0:
		hint := ""
		if info, err := fs.Stat(src.fsys, path.Join(src.dir, "qrels")); err == nil && info.IsDir() {
			hint = "; it has qrels/: give the passages, questions and judgements with --corpus, --queries and --qrels"
		}
		return nil, fmt.Errorf("datasets: %s: %w: folder has no corpus.jsonl and no data file (.json, .jsonl, .csv, .tsv, .xml)%s (%s)", src.display, ErrUnknownFormat, hint, supportedFormats)
	case 1:
		d, err := loadFile(src, files[0])
		if err != nil {
			return nil, err
		}
		d.Name = src.name
		return d, nil
	}
	return loadSplitFiles(src, files)
}

// dataFiles lists the folder's data files (not sub-folders), sorted.
func dataFiles(src source) ([]string, error) {
	entries, err := fs.ReadDir(src.fsys, src.dir)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", src.display, err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && isDataFile(e.Name()) {
			files = append(files, e.Name())
		}
	}
	sort.Strings(files)
	return files, nil
}

// splitPart is one split file of a folder, loaded.
type splitPart struct {
	split Split
	file  string
	d     *Dataset
}

// loadSplitFiles loads each split file of a folder and merges them.
func loadSplitFiles(src source, files []string) (*Dataset, error) {
	bySplit := map[Split]string{}
	var skipped []string
	for _, f := range files {
		s, ok := SplitFromName(f)
		if !ok {
			skipped = append(skipped, f)
			continue
		}
		if other, dup := bySplit[s]; dup {
			return nil, fmt.Errorf("datasets: %s: %w: both %s and %s are the %s split: give one file, or the passages, questions and judgements with --corpus, --queries and --qrels", src.display, ErrUnknownFormat, other, f, s)
		}
		bySplit[s] = f
	}
	if len(bySplit) == 0 {
		return nil, fmt.Errorf("datasets: %s: %w: the folder holds %d data files (%s) and no name states a split (train, dev, test): give one file, or the passages, questions and judgements with --corpus, --queries and --qrels",
			src.display, ErrUnknownFormat, len(files), strings.Join(files, ", "))
	}
	var parts []splitPart
	for _, s := range sortedSplits(bySplit) {
		d, err := loadFile(src, bySplit[s])
		if err != nil {
			return nil, err
		}
		parts = append(parts, splitPart{split: s, file: bySplit[s], d: d})
	}
	d := mergeParts(parts)
	d.Name = src.name
	used := make([]string, len(parts))
	for i, p := range parts {
		used[i] = p.file
	}
	for _, f := range skipped {
		d.Notes = append(d.Notes, fmt.Sprintf("%s skipped: its name states no split (the folder's split files %s are used)", f, strings.Join(used, ", ")))
	}
	return d, nil
}

// merger accumulates split parts into one dataset, renaming ids that two files use for
// different texts ("test-p1") and sharing ids with equal texts.
type merger struct {
	d      *Dataset
	pText  map[string]string // passage id → title \x00 text
	pPrev  map[string]string // title \x00 text → id, for passages of earlier files
	pNow   map[string]bool   // ids the current file already maps to
	qText  map[string]string // query id → text
	format string
}

func mergeParts(parts []splitPart) *Dataset {
	m := &merger{d: &Dataset{Qrels: map[Split]Qrels{}, SplitPassages: map[Split][]string{}},
		pText: map[string]string{}, pPrev: map[string]string{}, qText: map[string]string{}}
	for i, p := range parts {
		if i == 0 {
			m.format = p.d.Format
		} else if p.d.Format != m.format {
			m.format = "mixed"
		}
		m.add(p)
	}
	m.d.Format = m.format
	m.d.Notes = mergeNotes(parts)
	return m.d
}

// mergeNotes keeps a note every part has once, and prefixes the others with their file.
func mergeNotes(parts []splitPart) []string {
	count := map[string]int{}
	for _, p := range parts {
		for _, n := range p.d.Notes {
			count[n]++
		}
	}
	var out []string
	done := map[string]bool{}
	for _, p := range parts {
		for _, n := range p.d.Notes {
			switch {
			case count[n] < len(parts):
				out = append(out, p.file+": "+n)
			case !done[n]:
				done[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// add merges one part: its passages, queries, qrels (all under the part's split) and extras.
func (m *merger) add(p splitPart) {
	d := m.d
	pmap := make(map[string]string, len(p.d.Passages))
	m.pNow = map[string]bool{}
	share := generatedIDs[p.d.Format]
	for _, ps := range p.d.Passages {
		id := m.passageID(p.split, ps, share)
		pmap[ps.ID] = id
		m.pNow[id] = true
		d.SplitPassages[p.split] = append(d.SplitPassages[p.split], id)
	}
	for _, ps := range p.d.Passages {
		key := ps.Title + "\x00" + ps.Text
		if _, ok := m.pPrev[key]; !ok {
			m.pPrev[key] = pmap[ps.ID]
		}
	}
	qmap := make(map[string]string, len(p.d.Queries))
	for _, q := range p.d.Queries {
		qmap[q.ID] = m.queryID(p.split, q)
	}
	q := d.Qrels[p.split]
	if q == nil {
		q = Qrels{}
		d.Qrels[p.split] = q
	}
	for _, qrels := range p.d.Qrels {
		for qid, judged := range qrels {
			nq := qmap[qid]
			if q[nq] == nil {
				q[nq] = map[string]int{}
			}
			for pid, g := range judged {
				q[nq][pmap[pid]] = g
			}
		}
	}
	d.Candidates = mergeLists(d.Candidates, p.d.Candidates, qmap, pmap)
	d.HardNegatives = mergeLists(d.HardNegatives, p.d.HardNegatives, qmap, pmap)
	d.Answers = mergeLists(d.Answers, p.d.Answers, qmap, nil)
	d.RelMinDefault = max(d.RelMinDefault, p.d.RelMinDefault)
	d.KeepNoRelevant = d.KeepNoRelevant || p.d.KeepNoRelevant
	for _, w := range p.d.Warnings {
		d.Warnings = append(d.Warnings, p.file+": "+w)
	}
}

// generatedIDs are the formats whose passage ids are numbers made up by the loader
// (p1, p2, …): their passages are matched across files by text. Other formats keep
// the file's ids (SemEval comment ids, BEIR ids), which run files and scorers use.
var generatedIDs = map[string]bool{"squad": true, "viquad": true, "csv": true, "tsv": true}

// passageID keeps a passage's id unless another file used it for another text. With
// share, a text an earlier file already has takes that file's id (once per file, so a
// file's own equal texts stay apart).
func (m *merger) passageID(s Split, p Passage, share bool) string {
	key := p.Title + "\x00" + p.Text
	if id, ok := m.pPrev[key]; share && ok && !m.pNow[id] {
		return id
	}
	id := p.ID
	for n := 1; ; n++ {
		old, taken := m.pText[id]
		if !taken {
			m.pText[id] = key
			m.d.Passages = append(m.d.Passages, Passage{ID: id, Title: p.Title, Text: p.Text})
			return id
		}
		if old == key {
			return id
		}
		id = renamed(s, p.ID, n)
	}
}

// queryID keeps a query's id unless another file used it for another text.
func (m *merger) queryID(s Split, q Query) string {
	id := q.ID
	for n := 1; ; n++ {
		old, taken := m.qText[id]
		if !taken {
			m.qText[id] = q.Text
			m.d.Queries = append(m.d.Queries, Query{ID: id, Text: q.Text})
			return id
		}
		if old == q.Text {
			return id
		}
		id = renamed(s, q.ID, n)
	}
}

// renamed is the n-th new name tried for an id taken by another file: "test-p1", "test2-p1", ….
func renamed(s Split, id string, n int) string {
	if n == 1 {
		return fmt.Sprintf("%s-%s", s, id)
	}
	return fmt.Sprintf("%s%d-%s", s, n, id)
}

// mergeLists adds src's lists to dst under renamed keys and values (values kept when vmap is nil).
func mergeLists(dst, src map[string][]string, kmap, vmap map[string]string) map[string][]string {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = map[string][]string{}
	}
	for k, list := range src {
		nk := kmap[k]
		for _, v := range list {
			if vmap != nil {
				v = vmap[v]
			}
			if !contains(dst[nk], v) {
				dst[nk] = append(dst[nk], v)
			}
		}
	}
	return dst
}
