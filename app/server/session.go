package server

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"
)

// Why a session ended (SessionEndMsg.Reason and the disconnect log line).
const (
	ReasonQuit     = "quit"     // the model quit by itself (not sent as SessionEndMsg)
	ReasonClosed   = "closed"   // the client closed the session or the connection dropped
	ReasonIdle     = "idle"     // no keyboard input for Config.IdleTimeout
	ReasonShutdown = "shutdown" // the server is stopping
)

// NoticeMsg is sent to a session's model when the server has something to tell the user
// (today: the server is shutting down and will close the session by Deadline, zero if none).
// The server also shows Text on a banner line above the model's view, shrinking the model's
// height by one line (the model gets a new tea.WindowSizeMsg).
type NoticeMsg struct {
	Text     string
	Deadline time.Time
}

// SessionEndMsg is sent to the model just before its program is asked to quit because the
// session is ending (client gone, idle, shutdown). Cancel per-session work (training) here.
type SessionEndMsg struct{ Reason string }

// session is one app session: its SSH session, program and end signal.
type session struct {
	sess    ssh.Session
	notices chan NoticeMsg

	endOnce sync.Once
	ended   chan struct{}
	mu      sync.Mutex
	reason  string
}

func newSession(sess ssh.Session) *session {
	return &session{sess: sess, notices: make(chan NoticeMsg, 4), ended: make(chan struct{})}
}

// end asks the session to end for reason; the first reason wins.
func (st *session) end(reason string) {
	st.endOnce.Do(func() {
		st.mu.Lock()
		st.reason = reason
		st.mu.Unlock()
		close(st.ended)
	})
}

func (st *session) endReason() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.reason == "" {
		return ReasonQuit
	}
	return st.reason
}

// notify queues a notice for the model without blocking.
func (st *session) notify(n NoticeMsg) {
	select {
	case st.notices <- n:
	default:
	}
}

// keyInfo returns the session key's fingerprint and its authorized_keys comment.
func (s *Server) keyInfo(sess ssh.Session) (fp, name string) {
	k := sess.PublicKey()
	if k == nil {
		return "-", ""
	}
	name, _ = s.keys.lookup(k)
	return gossh.FingerprintSHA256(k), name
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// sessionMiddleware is the wish middleware that runs the app for a session (it is the last
// link of the chain, so next is wish's no-op end handler).
func (s *Server) sessionMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.handle(sess)
		next(sess)
	}
}

// handle runs one SSH session: checks (PTY, capacity), then the app until the session ends.
func (s *Server) handle(sess ssh.Session) {
	fp, name := s.keyInfo(sess)
	who := []any{"remote", addrString(sess.RemoteAddr()), "user", sess.User(), "key", fp}
	if name != "" {
		who = append(who, "name", name)
	}
	defer func() {
		if r := recover(); r != nil {
			s.log.Info("panic", append(who, "err", r, "stack", string(debug.Stack()))...)
			_ = sess.Exit(2)
		}
	}()

	pty, winCh, ok := sess.Pty()
	if !ok {
		s.log.Info("refused-no-pty", append(who, "sessions", s.Sessions())...)
		fmt.Fprint(sess.Stderr(), "arslab: this app needs an interactive terminal; connect with `ssh -t`\r\n")
		_ = sess.Exit(1)
		return
	}

	st := newSession(sess)
	s.mu.Lock()
	switch {
	case s.closing:
		notice := s.notice
		s.mu.Unlock()
		s.log.Info("refused-shutdown", append(who, "sessions", s.Sessions())...)
		fmt.Fprint(sess.Stderr(), notice+"\r\n")
		_ = sess.Exit(1)
		return
	case s.cfg.MaxSessions > 0 && len(s.sessions) >= s.cfg.MaxSessions:
		s.mu.Unlock()
		s.log.Info("refused-full", append(who, "sessions", s.Sessions())...)
		fmt.Fprintf(sess.Stderr(), "arslab: the server is full (%s); try again later\r\n", plural(s.cfg.MaxSessions, "session"))
		_ = sess.Exit(1)
		return
	}
	s.sessions[st] = struct{}{}
	s.active.Store(int64(len(s.sessions)))
	s.mu.Unlock()

	start := time.Now()
	s.log.Info("connect", append(who, "term", pty.Term, "size", fmt.Sprintf("%dx%d", pty.Window.Width, pty.Window.Height),
		"sessions", s.Sessions())...)
	defer func() { // deferred so that a panicking factory or model still frees the slot
		s.mu.Lock()
		delete(s.sessions, st)
		left := len(s.sessions)
		s.mu.Unlock()
		// Log before publishing the new count: whoever waits for Sessions() to drop (tests,
		// Shutdown) then finds the disconnect line already written.
		s.log.Info("disconnect", append(who, "reason", st.endReason(),
			"duration", time.Since(start).Round(time.Millisecond), "sessions", left)...)
		s.mu.Lock()
		s.active.Store(int64(len(s.sessions)))
		s.mu.Unlock()
	}()

	code := s.runApp(st, pty, winCh)
	_ = sess.Exit(code)
}

// runApp builds the model and runs its program until the model quits or the session ends.
// It returns the exit status for the client.
func (s *Server) runApp(st *session, pty ssh.Pty, winCh <-chan ssh.Window) int {
	sess := st.sess
	r := newRenderer(sess, pty)
	inner := s.factory(r, s.cfg.ReadOnly)
	if inner == nil {
		fmt.Fprint(sess.Stderr(), "arslab: internal error: no app model\r\n")
		st.end(ReasonClosed)
		return 1
	}
	model := &frame{inner: inner, r: r}

	in := &inputReader{r: sess, st: st}
	if d := s.cfg.IdleTimeout; d > 0 {
		in.idle = d
		in.timer = time.AfterFunc(d, func() { st.end(ReasonIdle) })
		defer in.timer.Stop()
	}
	p := tea.NewProgram(model,
		tea.WithInput(in),
		tea.WithOutput(sess),
		tea.WithEnvironment(sess.Environ()),
		tea.WithAltScreen(),
		// The server process owns SIGINT/SIGTERM; sessions must not quit on them by themselves.
		tea.WithoutSignalHandler(),
	)

	done := make(chan struct{})
	defer close(done)
	go forward(p, st, sess, winCh, done)
	go supervise(p, st, done)

	final, err := p.Run()
	if err != nil && (!errors.Is(err, tea.ErrProgramKilled) || errors.Is(err, tea.ErrProgramPanic)) {
		s.log.Info("app-error", "remote", addrString(sess.RemoteAddr()), "err", err)
	}
	closeModel(final, inner)

	reason := st.endReason()
	switch reason {
	case ReasonIdle:
		fmt.Fprintf(sess, "\r\narslab: disconnected after %s without input\r\n", s.cfg.IdleTimeout)
	case ReasonShutdown:
		s.mu.Lock()
		notice := s.notice
		s.mu.Unlock()
		fmt.Fprint(sess, "\r\n"+notice+"\r\n")
	}
	st.end(ReasonQuit) // no-op if already ended; stops late keystrokes from re-arming the idle timer
	return 0
}

// forward feeds window changes and notices into the program, and ends the session when the
// client goes away (connection context done, or the session's request stream closed). It keeps
// draining window changes until the stream closes, so the SSH request loop never blocks on them.
func forward(p *tea.Program, st *session, sess ssh.Session, winCh <-chan ssh.Window, done <-chan struct{}) {
	gone := sess.Context().Done()
	for {
		select {
		case <-done:
			if winCh != nil {
				for range winCh {
				}
			}
			return
		case <-gone:
			st.end(ReasonClosed)
			gone = nil
		case w, ok := <-winCh:
			if !ok {
				st.end(ReasonClosed)
				winCh = nil
				continue
			}
			p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
		case n := <-st.notices:
			p.Send(n)
		}
	}
}

// supervise waits for the end of the session, then tells the model (SessionEndMsg), asks the
// program to quit and kills it if it has not stopped within quitGrace.
func supervise(p *tea.Program, st *session, done <-chan struct{}) {
	select {
	case <-done:
		return
	case <-st.ended:
	}
	go func() {
		p.Send(SessionEndMsg{Reason: st.endReason()})
		p.Quit()
	}()
	t := time.NewTimer(quitGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		p.Kill()
	}
}

// closeModel calls Close on the app model if it implements io.Closer.
func closeModel(final tea.Model, inner tea.Model) {
	m := inner
	if f, ok := final.(*frame); ok && f.inner != nil {
		m = f.inner
	}
	if c, ok := m.(io.Closer); ok {
		_ = c.Close()
	}
}

// inputReader is the program's input; it resets the idle timer on every keystroke.
type inputReader struct {
	r     io.Reader
	st    *session
	idle  time.Duration
	timer *time.Timer
}

func (in *inputReader) Read(p []byte) (int, error) {
	n, err := in.r.Read(p)
	if n > 0 && in.timer != nil {
		select {
		case <-in.st.ended: // ending: leave the timer alone
		default:
			in.timer.Reset(in.idle)
		}
	}
	return n, err
}

// sshEnviron exposes the session's environment to termenv.
type sshEnviron []string

func (e sshEnviron) Environ() []string { return e }

func (e sshEnviron) Getenv(k string) string {
	for _, v := range e {
		if strings.HasPrefix(v, k+"=") {
			return v[len(k)+1:]
		}
	}
	return ""
}

// newRenderer makes a lipgloss renderer for this client: colour profile from its TERM and
// COLORTERM, dark/light background from COLORFGBG when sent (else dark). Unlike wish's
// MakeRenderer it does not query the terminal's background colour (that waits up to 1 s for
// clients that do not answer and may eat the first keystroke).
func newRenderer(sess ssh.Session, pty ssh.Pty) *lipgloss.Renderer {
	if pty.Term == "" || pty.Term == "dumb" {
		return lipgloss.NewRenderer(sess, termenv.WithProfile(termenv.Ascii))
	}
	env := sshEnviron(sess.Environ()) // includes TERM from the pty request
	return lipgloss.NewRenderer(sess, termenv.WithEnvironment(env), termenv.WithUnsafe(), termenv.WithColorCache(true))
}

// frame wraps the app model to show server notices on a banner line above it.
type frame struct {
	inner  tea.Model
	r      *lipgloss.Renderer
	notice string
	w, h   int
}

func (f *frame) Init() tea.Cmd { return f.inner.Init() }

func (f *frame) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		f.w, f.h = m.Width, m.Height
		if f.notice != "" {
			m.Height = max(m.Height-1, 1)
		}
		msg = m
	case NoticeMsg:
		first := f.notice == ""
		f.notice = m.Text
		var cmd tea.Cmd
		f.inner, cmd = f.inner.Update(m)
		if first && f.h > 0 {
			var cmd2 tea.Cmd
			f.inner, cmd2 = f.inner.Update(tea.WindowSizeMsg{Width: f.w, Height: max(f.h-1, 1)})
			cmd = tea.Batch(cmd, cmd2)
		}
		return f, cmd
	}
	var cmd tea.Cmd
	f.inner, cmd = f.inner.Update(msg)
	return f, cmd
}

func (f *frame) View() string {
	v := f.inner.View()
	if f.notice == "" {
		return v
	}
	text := f.notice
	style := f.r.NewStyle().Reverse(true).Bold(true)
	if f.w > 0 {
		text = ansi.Truncate(text, f.w, "…")
		style = style.Width(f.w)
	}
	return style.Render(text) + "\n" + v
}
