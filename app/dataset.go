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
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("dataset %s: unexpected argument %q", sub, pos[0])}
	}
	d, err := lab.LoadDataset(*data)
	if err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("%s: %w", *data, err)
	}
	if sub == "validate" {
		fmt.Fprintf(e.stdout, "%s: ok (%s, %d passages, %d queries)\n", d.Source, d.Format, len(d.Passages), len(d.Queries))
		return nil
	}
	fmt.Fprintf(e.stdout, "%s (%s, %s)\n", d.Name, d.Format, d.Source)
	fmt.Fprint(e.stdout, datasets.ComputeStats(d).Table())
	return nil
}
