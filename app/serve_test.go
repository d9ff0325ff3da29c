package app

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/arslab/arslab/app/server"
	"github.com/arslab/arslab/engine/train"
	"github.com/arslab/arslab/lab"
	"github.com/arslab/arslab/views"
)

// screenBuf collects a session's output; wait polls it for text.
type screenBuf struct {
	mu  sync.Mutex
	buf []byte
}

func (s *screenBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = append(s.buf, p...)
	return len(p), nil
}

func (s *screenBuf) wait(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		got := ansi.Strip(string(s.buf))
		s.mu.Unlock()
		if strings.Contains(got, want) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("session never showed %q", want)
}

// TestServeRealAppTwoSessions serves the real app over SSH (loopback, temporary host key,
// authorized key) and opens two concurrent PTY sessions that ask different questions.
func TestServeRealAppTwoSessions(t *testing.T) {
	ctx := context.Background()
	ws, err := lab.Open(ctx, "demo", lab.Options{Baselines: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	auth := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(auth, gossh.MarshalAuthorizedKey(sshPub), 0o600); err != nil {
		t.Fatal(err)
	}
	factory := func(r *lipgloss.Renderer, readOnly bool) tea.Model {
		return views.New(views.Options{Workspace: ws, ReadOnly: readOnly, Renderer: r, RunsDir: filepath.Join(dir, "runs"), Engine: lab.Service{}})
	}
	srv, err := server.New(server.Config{Listen: "127.0.0.1:0", HostKeyPath: filepath.Join(dir, "host_key"),
		AuthorizedKeys: auth, ReadOnly: true, Log: io.Discard}, factory)
	if err != nil {
		t.Fatal(err)
	}
	go srv.ListenAndServe()
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(c, "bye")
	})
	select {
	case <-srv.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("server not ready")
	}

	open := func() (*gossh.Session, io.Writer, *screenBuf) {
		client, err := gossh.Dial("tcp", srv.Addr().String(), &gossh.ClientConfig{User: "student",
			Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, HostKeyCallback: gossh.FixedHostKey(srv.HostPublicKey()),
			Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { client.Close() })
		sess, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		scr := &screenBuf{}
		sess.Stdout = scr
		in, err := sess.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		return sess, in, scr
	}
	_, in1, scr1 := open()
	_, in2, scr2 := open()
	for _, s := range []*screenBuf{scr1, scr2} {
		s.wait(t, "ARS Lab")
		s.wait(t, "demo · 242 passages")
		s.wait(t, "read-only")
	}
	if n := srv.Sessions(); n != 2 {
		t.Errorf("server counts %d sessions, want 2", n)
	}
	// "/" focuses the query, ctrl+u clears it, enter searches.
	io.WriteString(in1, "/\x15why does Mars appear red\r")
	io.WriteString(in2, "/\x15which bone is the smallest in the human body\r")
	scr1.wait(t, "judged query q-en-astro-001")
	scr2.wait(t, "en-health-010 · Stapes")
	for name, s := range map[string]*screenBuf{"first": scr1, "second": scr2} {
		s.mu.Lock()
		got := ansi.Strip(string(s.buf))
		s.mu.Unlock()
		other := map[string]string{"first": "smallest in the human body", "second": "why does Mars appear red"}[name]
		if strings.Contains(got, other) {
			t.Errorf("%s session saw the other session's query %q", name, other)
		}
	}
}

// waitN waits until want appears at least n times on the screen.
func (s *screenBuf) waitN(t *testing.T, want string, n int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		got := ansi.Strip(string(s.buf))
		s.mu.Unlock()
		if strings.Count(got, want) >= n {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.mu.Lock()
	got := ansi.Strip(string(s.buf))
	s.mu.Unlock()
	t.Fatalf("session showed %q %d times, want %d; screen:\n%s", want, strings.Count(got, want), n, got)
}

func (s *screenBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ansi.Strip(string(s.buf))
}

// appClient is one interactive SSH session on a served app.
type appClient struct {
	sess   *gossh.Session
	in     io.Writer
	out    *screenBuf
	errOut *screenBuf
	exited chan error
}

// connect opens a PTY session on addr with signer (host key not checked: loopback test).
func connect(t *testing.T, addr string, signer gossh.Signer) *appClient {
	t.Helper()
	client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "student",
		Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	c := &appClient{sess: sess, out: &screenBuf{}, errOut: &screenBuf{}, exited: make(chan error, 1)}
	sess.Stdout, sess.Stderr = c.out, c.errOut
	if c.in, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 110, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { c.exited <- sess.Wait() }()
	return c
}

func (c *appClient) press(t *testing.T, keys string) {
	t.Helper()
	if _, err := io.WriteString(c.in, keys); err != nil {
		t.Fatalf("typing %q: %v", keys, err)
	}
}

func newClientKey(t *testing.T) (gossh.Signer, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	auth := filepath.Join(t.TempDir(), "authorized_keys")
	if err := os.WriteFile(auth, gossh.MarshalAuthorizedKey(sshPub), 0o600); err != nil {
		t.Fatal(err)
	}
	return signer, auth
}

// startServe runs `arslab serve ARGS` (on the tiny dataset, a free loopback port and a
// temporary host key) until the test ends, and returns its address and its stderr (the log).
func startServe(t *testing.T, args ...string) (string, *screenBuf) {
	t.Helper()
	dir := t.TempDir()
	args = append([]string{"--listen", "127.0.0.1:0", "--host-key", filepath.Join(dir, "host_key"),
		"--data", tiny, "--runs", filepath.Join(dir, "runs"), "--shutdown-grace", "100ms"}, args...)
	ctx, cancel := context.WithCancel(context.Background())
	logBuf := &screenBuf{}
	e := env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logBuf}
	done := make(chan error, 1)
	go func() { done <- e.serve(ctx, args) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not return after its context ended")
		}
	})
	re := regexp.MustCompile(`msg=listening addr=(\S+)`)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(logBuf.String()); m != nil {
			return m[1], logBuf
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned %v; log:\n%s", err, logBuf.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve not listening; log:\n%s", logBuf.String())
	return "", nil
}

func TestParseServeDefaults(t *testing.T) {
	e := env{stdout: io.Discard, stderr: io.Discard}
	for _, tt := range []struct {
		args          []string
		max           int
		idle          time.Duration
		readOnly, ro2 bool // ReadOnly, and whether --open forced it
	}{
		{nil, 16, 30 * time.Minute, false, false},
		{[]string{"--max-sessions", "0", "--idle-timeout", "0"}, 0, 0, false, false},
		{[]string{"--max-sessions", "3", "--idle-timeout", "90s"}, 3, 90 * time.Second, false, false},
		{[]string{"--open"}, 16, 30 * time.Minute, true, true},
		{[]string{"--open", "--allow-training"}, 16, 30 * time.Minute, false, false},
		{[]string{"--open", "--read-only"}, 16, 30 * time.Minute, true, false},
		{[]string{"--read-only"}, 16, 30 * time.Minute, true, false},
		{[]string{"--allow-training"}, 16, 30 * time.Minute, false, false}, // keys mode trains anyway
	} {
		o, err := e.parseServe(tt.args)
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		if o.cfg.MaxSessions != tt.max || o.cfg.IdleTimeout != tt.idle || o.cfg.ReadOnly != tt.readOnly || o.openReadOnly != tt.ro2 {
			t.Errorf("%v: max %d idle %s read-only %v (forced %v); want %d %s %v (%v)", tt.args,
				o.cfg.MaxSessions, o.cfg.IdleTimeout, o.cfg.ReadOnly, o.openReadOnly, tt.max, tt.idle, tt.readOnly, tt.ro2)
		}
	}
	for args, want := range map[string]string{
		"--read-only --allow-training": "--allow-training contradicts --read-only",
		"--max-sessions -1":            "--max-sessions must be ≥ 0",
		"--idle-timeout -1s":           "--idle-timeout must be ≥ 0",
		"extra":                        `unexpected argument "extra"`,
	} {
		_, err := e.parseServe(strings.Fields(args))
		if err == nil || !strings.Contains(err.Error(), want) || !errors.As(err, new(usageError)) {
			t.Errorf("%s: %v, want usage error %q", args, err, want)
		}
	}
}

// TestServeDefaultSessionLimit serves with no limit flags: the log shows the defaults, 16
// sessions get the app and the 17th is turned away.
func TestServeDefaultSessionLimit(t *testing.T) {
	signer, auth := newClientKey(t)
	addr, logBuf := startServe(t, "--authorized-keys", auth)
	if log := logBuf.String(); !strings.Contains(log, "max-sessions=16 idle-timeout=30m0s") {
		t.Fatalf("listening line lacks the defaults; log:\n%s", log)
	}
	var clients []*appClient
	for range 16 {
		clients = append(clients, connect(t, addr, signer))
	}
	for _, c := range clients {
		c.out.wait(t, "beir_tiny")
	}
	extra := connect(t, addr, signer)
	select {
	case err := <-extra.exited:
		var ee *gossh.ExitError
		if !errors.As(err, &ee) || ee.ExitStatus() != 1 {
			t.Errorf("17th session ended with %v, want exit status 1", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("17th session was let in")
	}
	if got := extra.errOut.String(); !strings.Contains(got, "the server is full (16 sessions)") {
		t.Errorf("17th session's stderr %q", got)
	}
}

// TestServeIdleTimeoutFlag: an explicit --idle-timeout closes a silent session; explicit
// zeros mean no limit.
func TestServeIdleTimeoutFlag(t *testing.T) {
	signer, auth := newClientKey(t)
	addr, logBuf := startServe(t, "--authorized-keys", auth, "--idle-timeout", "700ms", "--max-sessions", "0")
	if log := logBuf.String(); !strings.Contains(log, "max-sessions=0 idle-timeout=700ms") {
		t.Fatalf("log:\n%s", log)
	}
	c := connect(t, addr, signer)
	c.out.wait(t, "beir_tiny")
	c.out.wait(t, "disconnected after 700ms without input")
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("idle session still open")
	}

	_, logBuf = startServe(t, "--authorized-keys", auth, "--idle-timeout", "0")
	if log := logBuf.String(); !strings.Contains(log, "idle-timeout=0s") {
		t.Fatalf("log:\n%s", log)
	}
}

// TestServeOpenIsReadOnly: --open alone serves read-only sessions and says so; with
// --allow-training sessions may train.
func TestServeOpenIsReadOnly(t *testing.T) {
	signer, _ := newClientKey(t) // any key: open mode
	addr, logBuf := startServe(t, "--open")
	log := logBuf.String()
	for _, want := range []string{"--open without --allow-training: every session is read-only", "read-only=true",
		"can use the app, read-only (no training, no file loading)"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	c := connect(t, addr, signer)
	c.out.wait(t, "read-only")
	c.press(t, "2")
	c.out.wait(t, "training is disabled")
	c.press(t, "s")
	c.out.wait(t, "read-only demo: training is disabled")

	addr, logBuf = startServe(t, "--open", "--allow-training")
	log = logBuf.String()
	if !strings.Contains(log, "read-only=false") || !strings.Contains(log, "can use the app and start trainings") ||
		strings.Contains(log, "every session is read-only") {
		t.Errorf("log with --allow-training:\n%s", log)
	}
	c = connect(t, addr, signer)
	c.out.wait(t, "beir_tiny")
	c.press(t, "2")
	c.out.wait(t, "start training")
	if s := c.out.String(); strings.Contains(s, "training is disabled") || strings.Contains(s, "READ-ONLY") {
		t.Errorf("session is read-only with --allow-training:\n%s", s)
	}
}

// TestServeTrainingQueue: two SSH sessions of the real app press s; the second waits its
// turn and sees its place, can leave the queue, queue again, and starts when the first stops.
func TestServeTrainingQueue(t *testing.T) {
	ctx := context.Background()
	ws, err := lab.Open(ctx, tiny, lab.Options{Baselines: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan string, 4)
	// A stand-in training: steps until cancelled (the real one would take the test's CPU).
	body := func(w *lab.Workspace, cfg train.Config, out string) lab.TrainFunc {
		return func(ctx context.Context, events chan<- train.Event) error {
			started <- out
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for step := 1; ; step++ {
				select {
				case <-ctx.Done():
					events <- train.Event{Kind: train.DoneEvent, Err: ctx.Err(), RunDir: out}
					return ctx.Err()
				case <-tick.C:
					events <- train.Event{Kind: train.StepEvent, Step: step, TotalSteps: 1000, Epoch: 1, Epochs: 1, Loss: 1, LR: 1e-4}
				}
			}
		}
	}
	queue := &lab.Queue{}
	signer, auth := newClientKey(t)
	dir := t.TempDir()
	factory := sessionFactory(ws, "dark", filepath.Join(dir, "runs"), queuedEngine{queue: queue, body: body})
	srv, err := server.New(server.Config{Listen: "127.0.0.1:0", HostKeyPath: filepath.Join(dir, "host_key"),
		AuthorizedKeys: auth, Log: io.Discard}, factory)
	if err != nil {
		t.Fatal(err)
	}
	go srv.ListenAndServe()
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(c, "bye")
	})
	<-srv.Ready()
	a := connect(t, srv.Addr().String(), signer)
	b := connect(t, srv.Addr().String(), signer)
	a.out.wait(t, "beir_tiny")
	b.out.wait(t, "beir_tiny")

	for _, c := range []*appClient{a, b} {
		c.press(t, "2") // keys typed in one write arrive as one key message: one per write
		c.out.wait(t, "start training")
	}
	a.press(t, "s")
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("first training did not start")
	}
	const queued = "queued: position 1 of 1 (one training at a time on this server)"
	b.press(t, "s")
	b.out.wait(t, queued)
	if r, w := queue.Len(); r != 1 || w != 1 {
		t.Fatalf("queue: %d running, %d waiting", r, w)
	}
	if s := a.out.String(); strings.Contains(s, "queued:") {
		t.Error("the first session was told it is queued")
	}

	b.press(t, "x") // leave the queue
	b.out.wait(t, "left the training queue before starting: nothing was trained")
	waitQueue(t, queue, 1, 0)
	b.press(t, "s") // and join it again
	b.out.waitN(t, queued, 2)
	waitQueue(t, queue, 1, 1)
	select {
	case out := <-started:
		t.Fatalf("second training %s started while the first runs", out)
	default:
	}

	a.press(t, "x") // the first stops: the second's turn
	b.out.wait(t, "your turn: training starts")
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("second training did not start after the first stopped")
	}
	b.press(t, "x")
	waitQueue(t, queue, 0, 0)
}

func waitQueue(t *testing.T, q *lab.Queue, running, waiting int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, w := q.Len()
		if r == running && w == waiting {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue: %d running, %d waiting; want %d, %d", r, w, running, waiting)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
