package app

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/arslab/arslab/app/server"
	"github.com/arslab/arslab/lab"
	"github.com/arslab/arslab/views"
)

func (e env) serve(ctx context.Context, args []string) error {
	fs := e.newFlags("serve")
	cfg := server.Config{Log: e.stderr}
	fs.StringVar(&cfg.Listen, "listen", server.DefaultListen, "address to listen on (loopback by default; binding elsewhere is your explicit choice)")
	fs.StringVar(&cfg.HostKeyPath, "host-key", "arslab_host_ed25519", "host key file (created with mode 0600 on first start)")
	fs.StringVar(&cfg.AuthorizedKeys, "authorized-keys", "", "authorized_keys file: only these public keys may connect")
	fs.BoolVar(&cfg.Open, "open", false, "let anyone connect (no key check)")
	fs.BoolVar(&cfg.ReadOnly, "read-only", false, "disable training and file loading in every session")
	fs.IntVar(&cfg.MaxSessions, "max-sessions", 0, "most concurrent sessions (0 = unlimited)")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", 0, "close sessions without keyboard input for this long (0 = never)")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", server.DefaultShutdownGrace, "how long to wait for users on SIGINT/SIGTERM")
	data := fs.String("data", "demo", "dataset path or \"demo\"")
	theme := fs.String("theme", "dark", "default colour theme")
	runs := fs.String("runs", "runs", "folder for training runs started by sessions")
	var models listFlag
	fs.Var(&models, "model", "trained run folder to serve (repeatable)")
	lex := addLexFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("serve: unexpected argument %q", pos[0])}
	}
	if cfg.MaxSessions < 0 {
		return usageError{"serve: --max-sessions must be ≥ 0"}
	}
	// Data, indexes and models are loaded once and shared read-only by every session.
	opts, err := lex.options()
	if err != nil {
		return err
	}
	opts.Models, opts.Baselines = models, true
	ws, err := lab.Open(ctx, *data, opts, progressLine(e.stderr, "indexing", 2*time.Second, time.Now))
	if err != nil {
		return err
	}
	factory := func(r *lipgloss.Renderer, readOnly bool) tea.Model {
		return views.New(views.Options{Workspace: ws, ReadOnly: readOnly, Renderer: r, Theme: *theme, RunsDir: *runs, Engine: lab.Service{Options: opts}})
	}
	return server.Run(ctx, cfg, factory)
}
