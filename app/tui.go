package app

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/arslab/arslab/lab"
	"github.com/arslab/arslab/views"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// runTUI opens the Bubble Tea app (the default command).
func runTUI(ctx context.Context, e env, args []string) error {
	fs := e.newFlags("")
	data := fs.String("data", "demo", "dataset path or \"demo\"")
	theme := fs.String("theme", "dark", "colour theme: dark, light or contrast")
	runs := fs.String("runs", "runs", "folder for training runs")
	var models listFlag
	fs.Var(&models, "model", "trained run folder to open (repeatable)")
	lex := addLexFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	fmt.Fprintf(e.stderr, "loading %s …\n", *data)
	opts, err := lex.options()
	if err != nil {
		return err
	}
	opts.Models, opts.Baselines = models, true
	ws, err := lab.Open(ctx, *data, opts, progressLine(e.stderr, "indexing", 2*time.Second, time.Now))
	if err != nil {
		return err
	}
	m := views.New(views.Options{Workspace: ws, Theme: *theme, RunsDir: *runs, Engine: lab.Service{Options: opts}})
	popts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx), tea.WithOutput(e.stdout)}
	if f, ok := e.stdin.(*os.File); ok {
		popts = append(popts, tea.WithInput(f))
	}
	_, err = tea.NewProgram(m, popts...).Run()
	if err == tea.ErrProgramKilled && ctx.Err() != nil {
		return nil
	}
	return err
}
