package datasets

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/arslab/arslab/engine/text"
)

// LengthStats summarises lengths in whitespace-separated tokens.
type LengthStats struct {
	Mean   float64
	Median float64 // middle value; mean of the two middle values for an even count
	P95    int     // nearest-rank 95th percentile: sorted[ceil(0.95·n)−1]
	Max    int
}

// SplitStats counts one split's judgements.
type SplitStats struct {
	Queries    int // judged queries
	Judgements int // (query, passage) pairs
	Relevant   int // pairs with grade > 0
}

// Stats describes a dataset for the overview pane.
type Stats struct {
	Name, Format      string
	Passages, Queries int
	Splits            map[Split]SplitStats
	HardNegatives     int // negative ids over all queries
	HardNegQueries    int // queries with at least one hard negative
	CandidateGroups   int // reranking groups
	Candidates        int // candidate ids over all groups
	Answered          int // queries with answer strings
	PassageLen        LengthStats
	QueryLen          LengthStats
	// HistEdges are token-count bucket edges: bucket i holds lengths in
	// [HistEdges[i], HistEdges[i+1]); the last bucket is open-ended.
	HistEdges   []int
	PassageHist []int
	QueryHist   []int
	// Languages counts passages and queries per detected language (text.Detect).
	Languages map[text.Lang]int
}

// histEdges returns the fixed length-histogram edges (a fresh slice each call).
func histEdges() []int { return []int{0, 8, 16, 32, 64, 128, 256, 512} }

// Stats computes the dataset's statistics (see ComputeStats).
func (d *Dataset) Stats() Stats { return ComputeStats(d) }

// ComputeStats counts passages, queries, judgements per split and training extras,
// measures lengths (a passage's length covers its title and text) and detects languages.
func ComputeStats(d *Dataset) Stats {
	s := Stats{
		Name: d.Name, Format: d.Format,
		Passages: len(d.Passages), Queries: len(d.Queries),
		Splits:    map[Split]SplitStats{},
		HistEdges: histEdges(),
		Languages: map[text.Lang]int{},
	}
	for sp, q := range d.Qrels {
		var ss SplitStats
		for _, m := range q {
			ss.Queries++
			for _, g := range m {
				ss.Judgements++
				if g > 0 {
					ss.Relevant++
				}
			}
		}
		s.Splits[sp] = ss
	}
	for _, negs := range d.HardNegatives {
		if len(negs) > 0 {
			s.HardNegQueries++
			s.HardNegatives += len(negs)
		}
	}
	for _, c := range d.Candidates {
		s.CandidateGroups++
		s.Candidates += len(c)
	}
	for _, a := range d.Answers {
		if len(a) > 0 {
			s.Answered++
		}
	}
	plen := make([]int, len(d.Passages))
	for i, p := range d.Passages {
		plen[i] = countTokens(p.Title) + countTokens(p.Text)
		s.Languages[text.Detect(p.Text)]++
	}
	qlen := make([]int, len(d.Queries))
	for i, q := range d.Queries {
		qlen[i] = countTokens(q.Text)
		s.Languages[text.Detect(q.Text)]++
	}
	s.PassageLen, s.PassageHist = lengthStats(plen, s.HistEdges)
	s.QueryLen, s.QueryHist = lengthStats(qlen, s.HistEdges)
	return s
}

// countTokens counts maximal runs of non-space runes.
func countTokens(s string) int {
	n, in := 0, false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}

// lengthStats summarises lens (sorted in place) and fills the histogram.
func lengthStats(lens []int, edges []int) (LengthStats, []int) {
	hist := make([]int, len(edges))
	if len(lens) == 0 {
		return LengthStats{}, hist
	}
	slices.Sort(lens)
	var sum int
	for _, l := range lens {
		sum += l
		b := sort.SearchInts(edges, l+1) - 1 // last edge ≤ l
		if b < 0 {
			b = 0
		}
		hist[b]++
	}
	n := len(lens)
	ls := LengthStats{Mean: float64(sum) / float64(n), Max: lens[n-1]}
	if n%2 == 1 {
		ls.Median = float64(lens[n/2])
	} else {
		ls.Median = float64(lens[n/2-1]+lens[n/2]) / 2
	}
	rank := (95*n + 99) / 100 // ceil(0.95·n)
	ls.P95 = lens[rank-1]
	return ls, hist
}

// Table renders the statistics as aligned plain text.
func (s Stats) Table() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	name := s.Name
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(w, "dataset\t%s\t(%s)\n", name, s.Format)
	fmt.Fprintf(w, "passages\t%d\t\n", s.Passages)
	fmt.Fprintf(w, "queries\t%d\t\n", s.Queries)
	for _, sp := range sortedSplits(s.Splits) {
		ss := s.Splits[sp]
		fmt.Fprintf(w, "  %s\t%d queries\t%d judgements, %d relevant\n", sp, ss.Queries, ss.Judgements, ss.Relevant)
	}
	if s.HardNegatives > 0 {
		fmt.Fprintf(w, "hard negatives\t%d\tover %d queries\n", s.HardNegatives, s.HardNegQueries)
	}
	if s.CandidateGroups > 0 {
		fmt.Fprintf(w, "candidates\t%d\tin %d groups\n", s.Candidates, s.CandidateGroups)
	}
	if s.Answered > 0 {
		fmt.Fprintf(w, "answered\t%d\tqueries with answer strings\n", s.Answered)
	}
	fmt.Fprintln(w, "\t\t")
	fmt.Fprintln(w, "length (tokens)\tmean\tmedian\tp95\tmax")
	for _, r := range []struct {
		name string
		l    LengthStats
	}{{"passages", s.PassageLen}, {"queries", s.QueryLen}} {
		fmt.Fprintf(w, "%s\t%.1f\t%g\t%d\t%d\n", r.name, r.l.Mean, r.l.Median, r.l.P95, r.l.Max)
	}
	fmt.Fprintln(w, "\t\t")
	fmt.Fprintln(w, "histogram\tpassages\tqueries")
	for i, lo := range s.HistEdges {
		label := fmt.Sprintf("%d+", lo)
		if i+1 < len(s.HistEdges) {
			label = fmt.Sprintf("%d-%d", lo, s.HistEdges[i+1]-1)
		}
		fmt.Fprintf(w, "  %s\t%d\t%d\n", label, at(s.PassageHist, i), at(s.QueryHist, i))
	}
	fmt.Fprintln(w, "\t\t")
	langs := make([]string, 0, len(s.Languages))
	for l := range s.Languages {
		langs = append(langs, string(l))
	}
	sort.Slice(langs, func(i, j int) bool {
		ci, cj := s.Languages[text.Lang(langs[i])], s.Languages[text.Lang(langs[j])]
		if ci != cj {
			return ci > cj
		}
		return langs[i] < langs[j]
	})
	fmt.Fprintln(w, "language\ttexts\t")
	for _, l := range langs {
		fmt.Fprintf(w, "  %s\t%d\t\n", l, s.Languages[text.Lang(l)])
	}
	w.Flush()
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func at(s []int, i int) int {
	if i < len(s) {
		return s[i]
	}
	return 0
}
