package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"
)

// ---- a small real app model ----

// recorder collects what the test models saw, across sessions.
type recorder struct {
	mu      sync.Mutex
	ends    []string // SessionEndMsg reasons
	notices []string // NoticeMsg texts
	closed  int      // Close calls
	built   int      // models built by the factory
}

func (r *recorder) snapshot() (ends, notices []string, closed, built int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ends...), append([]string(nil), r.notices...), r.closed, r.built
}

var profileNames = map[termenv.Profile]string{
	termenv.TrueColor: "TrueColor", termenv.ANSI256: "ANSI256", termenv.ANSI: "ANSI", termenv.Ascii: "Ascii",
}

// testModel renders its query (typed keys), size, colour profile and read-only flag.
type testModel struct {
	rec      *recorder
	profile  string
	readOnly bool
	query    string
	w, h     int
}

func (m *testModel) Init() tea.Cmd { return nil }

func (m *testModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case tea.KeyMsg:
		switch msg.Type {
		case tea.KeyCtrlC:
			return m, tea.Quit
		case tea.KeyBackspace:
			if r := []rune(m.query); len(r) > 0 {
				m.query = string(r[:len(r)-1])
			}
		case tea.KeyRunes, tea.KeySpace:
			m.query += string(msg.Runes)
		}
	case NoticeMsg:
		m.rec.mu.Lock()
		m.rec.notices = append(m.rec.notices, msg.Text)
		m.rec.mu.Unlock()
	case SessionEndMsg:
		m.rec.mu.Lock()
		m.rec.ends = append(m.rec.ends, msg.Reason)
		m.rec.mu.Unlock()
	}
	return m, nil
}

func (m *testModel) View() string {
	return fmt.Sprintf("ARS Lab test · query: %s|\nsize: %dx%d\nprofile: %s readonly: %v\n",
		m.query, m.w, m.h, m.profile, m.readOnly)
}

func (m *testModel) Close() error {
	m.rec.mu.Lock()
	m.rec.closed++
	m.rec.mu.Unlock()
	return nil
}

func testFactory(rec *recorder) Factory {
	return func(r *lipgloss.Renderer, readOnly bool) tea.Model {
		rec.mu.Lock()
		rec.built++
		rec.mu.Unlock()
		return &testModel{rec: rec, profile: profileNames[r.ColorProfile()], readOnly: readOnly}
	}
}

// ---- keys and server ----

type testKey struct {
	priv   ed25519.PrivateKey
	signer gossh.Signer
	line   string // authorized_keys line
}

func newTestKey(t testing.TB, comment string) testKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))) + " " + comment
	return testKey{priv: priv, signer: s, line: line}
}

func writeAuthorized(t testing.TB, keys ...testKey) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# test keys\n\nnot a key line\n")
	for _, k := range keys {
		b.WriteString(k.line + "\n")
	}
	p := filepath.Join(t.TempDir(), "authorized_keys")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// syncBuffer is a goroutine-safe bytes.Buffer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testServer struct {
	*Server
	addr  string
	log   *syncBuffer
	rec   *recorder
	serve chan error
}

// startServer starts a server on 127.0.0.1:0 with a temporary host key; cfg.Listen,
// HostKeyPath and Log are filled in. The server is shut down at cleanup.
func startServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	logBuf := &syncBuffer{}
	rec := &recorder{}
	cfg.Listen = "127.0.0.1:0"
	if cfg.HostKeyPath == "" {
		cfg.HostKeyPath = filepath.Join(t.TempDir(), "host_ed25519")
	}
	cfg.Log = logBuf
	s, err := New(cfg, testFactory(rec))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := &testServer{Server: s, log: logBuf, rec: rec, serve: make(chan error, 1)}
	go func() { ts.serve <- s.ListenAndServe() }()
	select {
	case <-s.Ready():
	case err := <-ts.serve:
		t.Fatalf("ListenAndServe: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("server not listening after 5s")
	}
	ts.addr = s.Addr().String()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_ = s.Shutdown(ctx, "test over")
		select {
		case err := <-ts.serve:
			if !errors.Is(err, ErrServerClosed) {
				t.Errorf("ListenAndServe returned %v, want ErrServerClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("ListenAndServe did not return after Shutdown")
		}
	})
	return ts
}

// ---- SSH client ----

func dial(addr, user string, hostKey gossh.PublicKey, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	cb := gossh.InsecureIgnoreHostKey()
	if hostKey != nil {
		cb = gossh.FixedHostKey(hostKey)
	}
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User:            user,
		Auth:            auth,
		HostKeyCallback: cb,
		Timeout:         5 * time.Second,
	})
}

type ptyOpts struct {
	term string // "" = no PTY requested
	w, h int
	env  map[string]string
	user string
}

// client is one interactive SSH session as a terminal would drive it.
type client struct {
	t      testing.TB
	conn   *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser
	out    *syncBuffer
	errOut *syncBuffer
	exited chan error
}

func openSession(t testing.TB, ts *testServer, k testKey, o ptyOpts) (*client, error) {
	t.Helper()
	if o.user == "" {
		o.user = "student"
	}
	conn, err := dial(ts.addr, o.user, ts.HostPublicKey(), gossh.PublicKeys(k.signer))
	if err != nil {
		return nil, err
	}
	c, err := startShell(t, conn, o)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

func startShell(t testing.TB, conn *gossh.Client, o ptyOpts) (*client, error) {
	sess, err := conn.NewSession()
	if err != nil {
		return nil, fmt.Errorf("new session: %w", err)
	}
	c := &client{t: t, conn: conn, sess: sess, out: &syncBuffer{}, errOut: &syncBuffer{}, exited: make(chan error, 1)}
	sess.Stdout, sess.Stderr = c.out, c.errOut
	if c.stdin, err = sess.StdinPipe(); err != nil {
		return nil, fmt.Errorf("stdin: %w", err)
	}
	for k, v := range o.env {
		if err := sess.Setenv(k, v); err != nil {
			return nil, fmt.Errorf("setenv %s: %w", k, err)
		}
	}
	if o.term != "" {
		if err := sess.RequestPty(o.term, o.h, o.w, gossh.TerminalModes{}); err != nil {
			return nil, fmt.Errorf("pty: %w", err)
		}
	}
	if err := sess.Shell(); err != nil {
		return nil, fmt.Errorf("shell: %w", err)
	}
	go func() { c.exited <- sess.Wait() }()
	t.Cleanup(func() { sess.Close(); conn.Close() })
	return c, nil
}

func (c *client) screen() string { return ansi.Strip(c.out.String()) }

// waitText waits until the stripped stdout contains want.
func (c *client) waitText(want string, d time.Duration) string {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for {
		s := c.screen()
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("after %s the screen lacks %q; screen:\n%s\nstderr: %q", d, want, s, c.errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (c *client) typeText(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, s); err != nil {
		c.t.Fatalf("typing %q: %v", s, err)
	}
}

// waitExit waits for the session to end and returns its Wait error (nil = exit status 0).
func (c *client) waitExit(d time.Duration) error {
	c.t.Helper()
	select {
	case err := <-c.exited:
		return err
	case <-time.After(d):
		c.t.Fatalf("session still open after %s; screen:\n%s", d, c.screen())
		return nil
	}
}

func exitStatus(err error) int {
	var ee *gossh.ExitError
	if errors.As(err, &ee) {
		return ee.ExitStatus()
	}
	if err == nil {
		return 0
	}
	return -1
}

// waitFor polls cond until it is true or d elapses.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
