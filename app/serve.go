package app

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/arslab/arslab/app/server"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
	"github.com/arslab/arslab/views"
)

// serveOptions is the parsed `arslab serve` command line.
type serveOptions struct {
	cfg           server.Config
	data, theme   string
	runs          string
	models        []string
	allowTraining bool
	openReadOnly  bool // --open without --allow-training made the server read-only
	lex           lab.Options
}

// parseServe parses the serve flags. Safe defaults: at most server.DefaultMaxSessions
// sessions, closed after server.DefaultIdleTimeout without input (an explicit 0 means no
// limit); --open makes every session read-only unless --allow-training is also given.
func (e env) parseServe(args []string) (serveOptions, error) {
	fs := e.newFlags("serve")
	o := serveOptions{cfg: server.Config{Log: e.stderr}}
	cfg := &o.cfg
	fs.StringVar(&cfg.Listen, "listen", server.DefaultListen, "address to listen on (loopback by default; binding elsewhere is your explicit choice)")
	fs.StringVar(&cfg.HostKeyPath, "host-key", "arslab_host_ed25519", "host key file (created with mode 0600 on first start)")
	fs.StringVar(&cfg.AuthorizedKeys, "authorized-keys", "", "authorized_keys file: only these public keys may connect")
	fs.BoolVar(&cfg.Open, "open", false, "let anyone connect (no key check); sessions are read-only unless --allow-training")
	fs.BoolVar(&cfg.ReadOnly, "read-only", false, "disable training and file loading in every session")
	fs.BoolVar(&o.allowTraining, "allow-training", false, "with --open: let anyone who connects train (one training at a time, queued)")
	fs.IntVar(&cfg.MaxSessions, "max-sessions", server.DefaultMaxSessions, "most concurrent sessions (0 = unlimited)")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", server.DefaultIdleTimeout, "close sessions without keyboard input for this long (0 = never)")
	fs.DurationVar(&cfg.ShutdownGrace, "shutdown-grace", server.DefaultShutdownGrace, "how long to wait for users on SIGINT/SIGTERM")
	fs.StringVar(&o.data, "data", "demo", "dataset path or \"demo\"")
	fs.StringVar(&o.theme, "theme", "dark", "default colour theme")
	fs.StringVar(&o.runs, "runs", "runs", "folder for training runs started by sessions")
	var models listFlag
	fs.Var(&models, "model", "trained run folder to serve (repeatable)")
	lex := addLexFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return o, err
	}
	if o.lex, err = lex.options(); err != nil {
		return o, err
	}
	o.models = models
	switch {
	case len(pos) > 0:
		return o, usageError{fmt.Sprintf("serve: unexpected argument %q", pos[0])}
	case cfg.MaxSessions < 0:
		return o, usageError{"serve: --max-sessions must be ≥ 0 (0 = unlimited)"}
	case cfg.IdleTimeout < 0:
		return o, usageError{"serve: --idle-timeout must be ≥ 0 (0 = never)"}
	case cfg.ReadOnly && o.allowTraining:
		return o, usageError{"serve: --allow-training contradicts --read-only"}
	}
	if cfg.Open && !o.allowTraining && !cfg.ReadOnly {
		cfg.ReadOnly, o.openReadOnly = true, true
	}
	return o, nil
}

func (e env) serve(ctx context.Context, args []string) error {
	o, err := e.parseServe(args)
	if err != nil {
		return err
	}
	if o.openReadOnly {
		fmt.Fprintln(e.stderr, "arslab serve: --open without --allow-training: every session is read-only "+
			"(no training, no file loading); add --allow-training to let anyone who connects train")
	}
	// Data, indexes and models are loaded once and shared read-only by every session.
	opts := o.lex
	opts.Models, opts.Baselines = o.models, true
	ws, err := lab.Open(ctx, o.data, opts, progressLine(e.stderr, "indexing", 2*time.Second, time.Now))
	if err != nil {
		return err
	}
	eng := queuedEngine{Service: lab.Service{Options: o.lex}, queue: &lab.Queue{}}
	return server.Run(ctx, o.cfg, sessionFactory(ws, o.theme, o.runs, eng))
}

// sessionFactory builds each SSH session's app on the shared workspace, with eng (whose
// trainings go through one server-wide queue) as its engine.
func sessionFactory(ws *lab.Workspace, theme, runs string, eng views.Engine) server.Factory {
	return func(r *lipgloss.Renderer, readOnly bool) tea.Model {
		return views.New(views.Options{Workspace: ws, ReadOnly: readOnly, Renderer: r, Theme: theme, RunsDir: runs, Engine: eng})
	}
}

// queuedEngine is the engine of SSH sessions: lab.Service, except that Train waits its turn
// in a queue shared by every session, so one training runs at a time on the server; the
// others see their place in the queue (status line) and can leave it with x.
type queuedEngine struct {
	lab.Service
	queue *lab.Queue
	// body replaces train.Run in tests (nil: the real training).
	body func(w *lab.Workspace, cfg train.Config, out string) lab.TrainFunc
}

func (e queuedEngine) Train(ctx context.Context, w *lab.Workspace, cfg train.Config, out string) *lab.Job {
	if e.body != nil {
		return e.queue.Start(ctx, e.body(w, cfg, out))
	}
	return e.queue.Train(ctx, w, cfg, out)
}
