package app

import (
	"context"
	"fmt"

	"github.com/arslab/arslab/datasets"
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
	return nil
}
