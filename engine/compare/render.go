package compare

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Dagger marks a cell whose difference from the baseline is significant (either direction:
// the sign of the difference says which).
const Dagger = "†"

// JSON writes t as indented JSON.
func (t *Table) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return fmt.Errorf("compare: write JSON: %w", err)
	}
	return nil
}

// Legend is the sentence explaining the marks, for a caption or a footnote.
func (t *Table) Legend() string {
	test := fmt.Sprintf("Fisher's randomisation test, %d permutations, seed %d", t.Permutations, t.Seed)
	if t.Test == TTest {
		test = "paired two-sided t-test"
	}
	fam := max(len(t.Rows)-1, 0)
	return fmt.Sprintf("%s: differs significantly from %s (%s; Holm–Bonferroni over %d comparison%s per metric; α = %g). "+
		"Bold: best per column. %d queries; relevant means grade ≥ %d.",
		Dagger, t.Baseline, test, fam, plural(fam), t.Alpha, t.Queries, t.RelMin)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Markdown writes the paper table (bold best, † significant), its legend, and a detail table
// of every comparison with the baseline: difference, CI, p-values and wins/ties/losses.
func (t *Table) Markdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| Run |")
	for _, m := range t.Metrics {
		fmt.Fprintf(&b, " %s |", mdEscape(m))
	}
	b.WriteString("\n|:---|")
	b.WriteString(strings.Repeat("---:|", len(t.Metrics)))
	b.WriteByte('\n')
	for _, r := range t.Rows {
		name := mdEscape(r.Name)
		if r.Baseline {
			name += " (baseline)"
		}
		fmt.Fprintf(&b, "| %s |", name)
		for _, c := range r.Cells {
			v := fmt.Sprintf("%.4f", c.Value)
			if c.Best {
				v = "**" + v + "**"
			}
			if c.Significant {
				v += Dagger
			}
			fmt.Fprintf(&b, " %s |", v)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "\n%s\n", t.Legend())
	if len(t.Rows) > 1 {
		fmt.Fprintf(&b, "\n| Run | Metric | Δ vs %s | %g%% CI (%s) | p (t) | p (rand) | p (t, Holm) | p (rand, Holm) | W/T/L |\n",
			mdEscape(t.Baseline), 100*t.Confidence, t.CI)
		b.WriteString("|:---|:---|---:|:---:|---:|---:|---:|---:|:---:|\n")
		for _, r := range t.Rows {
			for _, c := range r.Cells {
				s := c.VsBaseline
				if s == nil {
					continue
				}
				fmt.Fprintf(&b, "| %s | %s | %+.4f | [%+.4f, %+.4f] | %s | %s | %s | %s | %d/%d/%d |\n",
					mdEscape(r.Name), mdEscape(c.Metric), s.Diff, s.CILow, s.CIHigh,
					formatP(s.PT), formatP(s.PRand), formatP(s.PTHolm), formatP(s.PRandHolm), s.Wins, s.Ties, s.Losses)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("compare: write Markdown: %w", err)
	}
	return nil
}

// formatP prints a p-value with 4 decimals, or "<0.0001".
func formatP(p float64) string {
	if p < 0.00005 {
		return "<0.0001"
	}
	return fmt.Sprintf("%.4f", p)
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// LaTeX writes the paper table as a booktabs tabular (needs \usepackage{booktabs}):
// best per column in \textbf, significant cells with $^\dagger$, the legend as a comment.
func (t *Table) LaTeX(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%% %s\n", strings.ReplaceAll(t.Legend(), "\n", " "))
	fmt.Fprintf(&b, "\\begin{tabular}{l%s}\n\\toprule\nRun", strings.Repeat("r", len(t.Metrics)))
	for _, m := range t.Metrics {
		fmt.Fprintf(&b, " & %s", texEscape(m))
	}
	b.WriteString(" \\\\\n\\midrule\n")
	for _, r := range t.Rows {
		b.WriteString(texEscape(r.Name))
		for _, c := range r.Cells {
			v := fmt.Sprintf("%.4f", c.Value)
			if c.Best {
				v = `\textbf{` + v + `}`
			}
			if c.Significant {
				v += `$^\dagger$`
			}
			b.WriteString(" & " + v)
		}
		b.WriteString(" \\\\\n")
	}
	b.WriteString("\\bottomrule\n\\end{tabular}\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("compare: write LaTeX: %w", err)
	}
	return nil
}

var texReplacer = strings.NewReplacer(
	`\`, `\textbackslash{}`, `&`, `\&`, `%`, `\%`, `$`, `\$`, `#`, `\#`,
	`_`, `\_`, `{`, `\{`, `}`, `\}`, `~`, `\textasciitilde{}`, `^`, `\textasciicircum{}`,
)

func texEscape(s string) string { return texReplacer.Replace(s) }
