// Package server serves the ARS Lab TUI over SSH (`arslab serve`) for demos and classrooms.
//
// Every SSH session gets its own Bubble Tea program and model (built by a Factory), its own
// terminal size (window-change requests become tea.WindowSizeMsg) and its own lipgloss renderer,
// i.e. the colour profile of that client's terminal. Only public-key authentication is offered:
// keys listed in an authorized_keys file, or any key when Config.Open is set.
//
// Session end: when a session ends for any reason other than the model quitting by itself
// (client disconnected, idle timeout, server shutdown), the model first receives a SessionEndMsg
// in Update (cancel long-running work there), then the program quits (it is killed if it does
// not stop within a couple of seconds). After the program has stopped, if the model implements
// io.Closer its Close method is called, whatever the reason. On shutdown the model also receives
// a NoticeMsg, which the server additionally shows on a banner line above the model's view.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	gossh "golang.org/x/crypto/ssh"
)

// Defaults for Config fields left at their zero value.
const (
	DefaultListen        = "127.0.0.1:23234"
	DefaultShutdownGrace = 10 * time.Second
	// DefaultMaxSessions and DefaultIdleTimeout are `arslab serve`'s defaults (the zero
	// values of Config mean no limit; the command line only sets them when asked to).
	DefaultMaxSessions = 16
	DefaultIdleTimeout = 30 * time.Minute
	// ShutdownNotice is what Run tells connected users when the server stops.
	ShutdownNotice = "arslab: server shutting down"
)

// quitGrace bounds how long a program may take to stop after it was asked to quit.
const quitGrace = 2 * time.Second

// defaultHandshakeTimeout closes connections that have not authenticated by then
// (golang.org/x/crypto/ssh has no handshake timeout of its own).
const defaultHandshakeTimeout = 30 * time.Second

// Config configures the SSH server.
type Config struct {
	Listen         string        // default "127.0.0.1:23234" (loopback by default)
	HostKeyPath    string        // generated on first start (ed25519), kept with mode 0600; existing key reused
	AuthorizedKeys string        // path to an authorized_keys file (default mode)
	Open           bool          // anyone may connect — must be explicit; a WARNING line is logged at start
	ReadOnly       bool          // passed to the Factory
	MaxSessions    int           // 0 = unlimited; sessions beyond it get a clear message and are closed
	IdleTimeout    time.Duration // 0 = none; a session without keyboard input for this long is closed
	ShutdownGrace  time.Duration // how long Run waits for users on SIGINT/SIGTERM (default 10s)
	Log            io.Writer     // one line per connect / disconnect / auth failure; nil discards
}

// Factory builds one fresh app model per session. It receives the session's renderer (colour
// profile of THAT client) and whether the server is read-only. The returned model must be
// independent per call (own pane, query, form state); heavy data is shared by the caller.
type Factory func(r *lipgloss.Renderer, readOnly bool) tea.Model

// ErrServerClosed is returned by ListenAndServe after Shutdown.
var ErrServerClosed = ssh.ErrServerClosed

// Server is an SSH server that runs one app model per session.
type Server struct {
	cfg     Config
	factory Factory
	keys    *keyring // nil when Open
	hostKey gossh.Signer
	log     *slog.Logger
	srv     *ssh.Server

	handshakeTimeout time.Duration

	ready chan struct{} // closed once listening

	mu       sync.Mutex
	ln       net.Listener
	closing  bool
	notice   string
	sessions map[*session]struct{}
	active   atomic.Int64
}

// New validates cfg, loads (or creates) the host key and the authorized keys. It does not listen yet.
func New(cfg Config, f Factory) (*Server, error) {
	if f == nil {
		return nil, errors.New("server: nil model factory")
	}
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if cfg.ShutdownGrace == 0 {
		cfg.ShutdownGrace = DefaultShutdownGrace
	}
	switch {
	case cfg.MaxSessions < 0:
		return nil, fmt.Errorf("server: --max-sessions must be >= 0, got %d", cfg.MaxSessions)
	case cfg.IdleTimeout < 0:
		return nil, fmt.Errorf("server: --idle-timeout must be >= 0, got %s", cfg.IdleTimeout)
	case cfg.ShutdownGrace < 0:
		return nil, fmt.Errorf("server: shutdown grace must be >= 0, got %s", cfg.ShutdownGrace)
	case !cfg.Open && cfg.AuthorizedKeys == "":
		return nil, errors.New("server: no authorized keys: pass --authorized-keys FILE (an OpenSSH authorized_keys file), " +
			"or --open to let anyone who can reach the port connect")
	}
	s := &Server{
		cfg:     cfg,
		factory: f,
		log:     newLogger(cfg.Log),

		handshakeTimeout: defaultHandshakeTimeout,
		ready:            make(chan struct{}),
		sessions:         make(map[*session]struct{}),
	}
	if !cfg.Open {
		kr, err := loadAuthorizedKeys(cfg.AuthorizedKeys)
		if err != nil {
			return nil, err
		}
		s.keys = kr
	}
	if cfg.HostKeyPath == "" {
		p, err := defaultHostKeyPath()
		if err != nil {
			return nil, err
		}
		s.cfg.HostKeyPath = p
	}
	hostOpt, hk, created, err := hostKey(s.cfg.HostKeyPath)
	if err != nil {
		return nil, err
	}
	s.hostKey = hk
	if created {
		s.log.Info("host-key-created", "path", s.cfg.HostKeyPath, "fingerprint", s.HostKeyFingerprint())
	}

	// Built with wish: its options set the address, version, key auth and the handler chain.
	// The handler is our session middleware (sessionMiddleware) rather than wish's Bubble Tea
	// middleware: in charmbracelet/ssh a session's context is its connection's, and when a client
	// closes the session channel but keeps the connection, wish's middleware keeps receiving from
	// the closed window-change channel (a busy loop of WindowSizeMsg{0,0}) until the connection
	// ends; ours treats that close as the end of the session (tested).
	srv, err := wish.NewServer(
		wish.WithAddress(cfg.Listen),
		wish.WithVersion("arslab"),
		wish.WithPublicKeyAuth(s.checkKey),
		wish.WithMiddleware(s.sessionMiddleware),
		func(srv *ssh.Server) error {
			srv.ConnectionFailedCallback = s.connFailed
			srv.ConnCallback = s.guardHandshake
			return nil
		},
		hostOpt,
		// An emulated PTY: the program reads/writes the SSH channel directly, no OS pty per session.
		ssh.EmulatePty(),
	)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	// Password and keyboard-interactive handlers stay nil: those methods are refused.
	s.srv = srv
	return s, nil
}

// HostKeyFingerprint is the SHA256 fingerprint of the host key, for users to check on first connect.
func (s *Server) HostKeyFingerprint() string { return gossh.FingerprintSHA256(s.hostKey.PublicKey()) }

// HostPublicKey is the server's host public key.
func (s *Server) HostPublicKey() gossh.PublicKey { return s.hostKey.PublicKey() }

// Ready is closed once the server is listening (Addr is then non-nil).
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addr is the address the server listens on, or nil before ListenAndServe has started listening.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Sessions is the number of active app sessions.
func (s *Server) Sessions() int { return int(s.active.Load()) }

// ListenAndServe listens on Config.Listen and serves until Shutdown; it then returns ErrServerClosed.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", s.cfg.Listen, err)
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		_ = ln.Close()
		return ErrServerClosed
	}
	if s.ln != nil {
		s.mu.Unlock()
		_ = ln.Close()
		return errors.New("server: already listening")
	}
	s.ln = ln
	s.mu.Unlock()
	close(s.ready)

	mode := fmt.Sprintf("authorized-keys(%d)", s.keys.len())
	if s.cfg.Open {
		mode = "open"
	}
	s.log.Info("listening", "addr", ln.Addr().String(), "auth", mode, "read-only", s.cfg.ReadOnly,
		"max-sessions", s.cfg.MaxSessions, "idle-timeout", s.cfg.IdleTimeout, "host-key", s.HostKeyFingerprint())
	if s.cfg.Open {
		what := "can use the app and start trainings"
		if s.cfg.ReadOnly {
			what = "can use the app, read-only (no training, no file loading)"
		}
		s.log.Warn("open mode: any SSH key is accepted; anyone who can reach " + ln.Addr().String() + " " + what)
	}

	err = s.srv.Serve(ln)
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing && (errors.Is(err, ErrServerClosed) || errors.Is(err, net.ErrClosed)) {
		return ErrServerClosed
	}
	return fmt.Errorf("server: serve: %w", err)
}

// Shutdown stops accepting connections, tells every connected user msg (a NoticeMsg to the model
// plus a banner line), waits until they have all left or ctx is done, then ends the remaining
// sessions (each gets SessionEndMsg, and msg is printed on its terminal after the app exits)
// and closes every connection. Forced ends after ctx are normal and not an error.
func (s *Server) Shutdown(ctx context.Context, msg string) error {
	s.mu.Lock()
	s.closing = true
	s.notice = msg
	var lnErr error
	if s.ln != nil {
		if err := s.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			lnErr = fmt.Errorf("server: close listener: %w", err)
		}
	}
	live := s.snapshotLocked()
	s.mu.Unlock()
	// Closes the library's listeners and marks it done; the cancelled context makes it return at once.
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = s.srv.Shutdown(cctx)

	s.log.Info("shutdown", "sessions", len(live), "msg", msg)
	var deadline time.Time
	if d, ok := ctx.Deadline(); ok {
		deadline = d
	}
	for _, st := range live {
		st.notify(NoticeMsg{Text: msg, Deadline: deadline})
	}
	s.waitSessions(ctx.Done())

	s.mu.Lock()
	left := s.snapshotLocked()
	s.mu.Unlock()
	for _, st := range left {
		st.end(ReasonShutdown)
	}
	if len(left) > 0 {
		// Each program gets quitGrace to stop, then is killed; add a little for the goodbye write.
		wctx, cancel := context.WithTimeout(context.Background(), quitGrace+time.Second)
		s.waitSessions(wctx.Done())
		cancel()
	}
	if err := s.srv.Close(); err != nil && !errors.Is(err, net.ErrClosed) && lnErr == nil {
		lnErr = fmt.Errorf("server: close: %w", err)
	}
	return lnErr
}

// waitSessions polls until no session is active or stop fires.
func (s *Server) waitSessions(stop <-chan struct{}) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for s.Sessions() > 0 {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

func (s *Server) snapshotLocked() []*session {
	out := make([]*session, 0, len(s.sessions))
	for st := range s.sessions {
		out = append(out, st)
	}
	return out
}

// Run serves until ctx is done, then shuts down gracefully: users are told ShutdownNotice and get
// Config.ShutdownGrace to leave. It returns nil after a clean shutdown.
func Run(ctx context.Context, cfg Config, f Factory) error {
	s, err := New(cfg, f)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- s.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	shutErr := s.Shutdown(sctx, ShutdownNotice)
	serveErr := <-errc
	if errors.Is(serveErr, ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(shutErr, serveErr)
}
