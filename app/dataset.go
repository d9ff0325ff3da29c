package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/arslab/arslab/datasets"
	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
)

func (e env) dataset(_ context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "stats" && args[0] != "validate") {
		return usageError{"dataset: expected a subcommand: stats or validate (arslab dataset stats --data PATH)"}
	}
	sub := args[0]
	fs := e.newFlags("dataset " + sub)
	data := fs.String("data", "demo", "dataset path or \"demo\"")
	dflags := addDataFlags(fs)
	maxLen := fs.Int("max-len", train.DefaultConfig().MaxLen, "stats: report the passages longer than this many tokens")
	model := fs.String("model", "", "stats: count the tokens with this run's WordPiece vocabulary (runs/NAME); default: count words")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("dataset %s: unexpected argument %q", sub, pos[0])}
	}
	load, err := dflags.options()
	if err != nil {
		return err
	}
	d, err := lab.LoadDataset(*data, load)
	if err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("%s: %w", *data, err)
	}
	issues := d.Issues()
	if sub == "validate" {
		state := "ok"
		if len(issues) > 0 {
			state = fmt.Sprintf("ok with %d warning(s)", len(issues))
		}
		fmt.Fprintf(e.stdout, "%s: %s (%s, %d passages, %d queries)\n", d.Source, state, d.Format, len(d.Passages), len(d.Queries))
		for _, n := range d.Notes {
			fmt.Fprintf(e.stdout, "  note: %s\n", n)
		}
		for _, w := range issues {
			fmt.Fprintf(e.stdout, "  warning: %s\n", w)
		}
		return nil
	}
	for _, w := range issues {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	fmt.Fprintf(e.stdout, "%s (%s, %s)\n", d.Name, d.Format, d.Source)
	fmt.Fprint(e.stdout, datasets.ComputeStats(d).Table())
	if *model != "" {
		m, err := dense.Load(*model)
		if err != nil {
			return usageError{"--model: " + err.Error()}
		}
		msg := train.LengthReport(m, d.Passages)
		if msg == "" {
			msg = fmt.Sprintf("no passage is longer than %s's max length, %d tokens", m.Name(), m.Arch.MaxLen)
		}
		fmt.Fprintln(e.stdout, msg)
		return nil
	}
	fmt.Fprintln(e.stdout, overLength(d.Passages, *maxLen))
	return nil
}

// overLength says how many passages have more than maxLen words (each at least one word
// piece, so at least that many exceed a model of max length maxLen) and by how much.
func overLength(ps []datasets.Passage, maxLen int) string {
	var over []int
	for _, p := range ps {
		if n := len(strings.Fields(p.Title)) + len(strings.Fields(p.Text)); n > maxLen {
			over = append(over, n)
		}
	}
	if len(over) == 0 {
		return fmt.Sprintf("no passage has more than %d words (word pieces can still exceed --max-len %d: give --model runs/NAME to count them)", maxLen, maxLen)
	}
	slices.Sort(over)
	return fmt.Sprintf("%d of %d passages (%.0f%%) have more than %d words (median of those %d, longest %d): a model of "+
		"--max-len %d sees only their first window (word pieces outnumber words; --model runs/NAME counts them); "+
		"eval/query --windows index them whole", len(over), len(ps), 100*float64(len(over))/float64(len(ps)), maxLen,
		over[len(over)/2], over[len(over)-1], maxLen)
}
