package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	gossh "golang.org/x/crypto/ssh"
)

const waitLong = 5 * time.Second

func TestAuthorizedKeyGetsRenderedApp(t *testing.T) {
	alice := newTestKey(t, "alice@laptop")
	ts := startServer(t, Config{AuthorizedKeys: writeAuthorized(t, newTestKey(t, "other"), alice), ReadOnly: true})

	c, err := openSession(t, ts, alice, ptyOpts{term: "xterm-256color", w: 80, h: 24, user: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	// First frame: empty query, the PTY's size, this client's profile (TERM=xterm-256color → ANSI256).
	c.waitText("ARS Lab test · query: |", waitLong)
	c.waitText("size: 80x24", waitLong)
	c.waitText("profile: ANSI256 readonly: true", waitLong)
	if got := ts.Sessions(); got != 1 {
		t.Errorf("Sessions() = %d, want 1", got)
	}

	c.typeText("hello wor")
	c.typeText("ldx\x7f") // DEL = backspace removes the x
	c.waitText("query: hello world|", waitLong)

	c.typeText("\x03") // ctrl+c: the model quits by itself → exit status 0
	if err := c.waitExit(waitLong); err != nil {
		t.Fatalf("exit: %v, want status 0", err)
	}
	waitFor(t, waitLong, "session count back to 0", func() bool { return ts.Sessions() == 0 })
	ends, _, closed, built := ts.rec.snapshot()
	if built != 1 || closed != 1 || len(ends) != 0 {
		t.Errorf("built=%d closed=%d ends=%v; want 1 model built, closed once, no SessionEndMsg (it quit itself)", built, closed, ends)
	}

	fp := gossh.FingerprintSHA256(alice.signer.PublicKey())
	log := ts.log.String()
	for _, want := range []string{
		"connect remote=127.0.0.1:",
		"user=alice key=" + fp + " name=alice@laptop term=xterm-256color size=80x24 sessions=1",
		"disconnect remote=127.0.0.1:",
		"reason=quit",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestRefusedAuthentication(t *testing.T) {
	alice := newTestKey(t, "alice")
	mallory := newTestKey(t, "mallory")
	ts := startServer(t, Config{AuthorizedKeys: writeAuthorized(t, alice)})

	tests := []struct {
		name    string
		auth    gossh.AuthMethod
		logLine string // expected in the log; "" = none
	}{
		{"unknown key", gossh.PublicKeys(mallory.signer),
			"auth-fail remote=127.0.0.1:"},
		{"password", gossh.Password("hunter2"), ""},
		{"keyboard-interactive", gossh.KeyboardInteractive(
			func(string, string, []string, []bool) ([]string, error) { return nil, nil }), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := dial(ts.addr, "mallory", ts.HostPublicKey(), tt.auth)
			if err == nil {
				conn.Close()
				t.Fatal("handshake succeeded, want refusal")
			}
			if !strings.Contains(err.Error(), "unable to authenticate") {
				t.Errorf("err = %v, want an authentication failure", err)
			}
		})
	}
	log := ts.log.String()
	fp := gossh.FingerprintSHA256(mallory.signer.PublicKey())
	if !strings.Contains(log, "auth-fail remote=127.0.0.1:") || !strings.Contains(log, "user=mallory key="+fp+" type=ssh-ed25519") {
		t.Errorf("log lacks the auth failure with fingerprint %s:\n%s", fp, log)
	}
	if strings.Contains(log, "msg=connect ") {
		t.Errorf("a refused client got a session:\n%s", log)
	}
	if _, _, _, built := ts.rec.snapshot(); built != 0 {
		t.Errorf("%d models built for refused clients", built)
	}
}

func TestOpenModeAcceptsAnyKeyAndWarns(t *testing.T) {
	ts := startServer(t, Config{Open: true})
	// The warning follows the listening line, written by the serving goroutine: wait for it.
	waitFor(t, 5*time.Second, "the open-mode warning", func() bool {
		return strings.Contains(ts.log.String(), "level=WARN msg=\"open mode: any SSH key is accepted")
	})
	stranger := newTestKey(t, "x")
	c, err := openSession(t, ts, stranger, ptyOpts{term: "xterm", w: 60, h: 10})
	if err != nil {
		t.Fatal(err)
	}
	c.waitText("profile: ANSI readonly: false", waitLong) // TERM=xterm → 16 colours
	if !strings.Contains(ts.log.String(), "key="+gossh.FingerprintSHA256(stranger.signer.PublicKey())) {
		t.Errorf("connect line lacks the key fingerprint:\n%s", ts.log.String())
	}
}

func TestMaxSessions(t *testing.T) {
	k := newTestKey(t, "k")
	ts := startServer(t, Config{AuthorizedKeys: writeAuthorized(t, k), MaxSessions: 1})

	first, err := openSession(t, ts, k, ptyOpts{term: "xterm-256color", w: 80, h: 24})
	if err != nil {
		t.Fatal(err)
	}
	first.waitText("query: |", waitLong)

	second, err := openSession(t, ts, k, ptyOpts{term: "xterm-256color", w: 80, h: 24})
	if err != nil {
		t.Fatal(err)
	}
	err = second.waitExit(waitLong)
	if got := exitStatus(err); got != 1 {
		t.Errorf("over-limit session exit = %v (status %d), want status 1", err, got)
	}
	const full = "arslab: the server is full (1 session); try again later"
	if !strings.Contains(second.errOut.String(), full) {
		t.Errorf("over-limit stderr = %q, want %q", second.errOut.String(), full)
	}
	if strings.Contains(second.screen(), "ARS Lab test") {
		t.Error("over-limit session was shown the app")
	}
	if !strings.Contains(ts.log.String(), "refused-full") {
		t.Errorf("log lacks refused-full:\n%s", ts.log.String())
	}

	// The first session is unaffected; after it leaves a new one fits.
	first.typeText("still here")
	first.waitText("query: still here|", waitLong)
	first.typeText("\x03")
	first.waitExit(waitLong)
	waitFor(t, waitLong, "slot freed", func() bool { return ts.Sessions() == 0 })
	third, err := openSession(t, ts, k, ptyOpts{term: "xterm-256color", w: 80, h: 24})
	if err != nil {
		t.Fatal(err)
	}
	third.waitText("query: |", waitLong)
}

func TestConcurrentSessionsAreIsolated(t *testing.T) {
	k := newTestKey(t, "k")
	ts := startServer(t, Config{AuthorizedKeys: writeAuthorized(t, k)})

	type spec struct {
		opts    ptyOpts
		query   string
		profile string
	}
	specs := []spec{
		{ptyOpts{term: "xterm-256color", w: 80, h: 24}, "alpha retrieval", "ANSI256"},
		{ptyOpts{term: "xterm-256color", w: 100, h: 30, env: map[string]string{"COLORTERM": "truecolor"}}, "bravo scoring", "TrueColor"},
		{ptyOpts{term: "dumb", w: 70, h: 20}, "charlie", "Ascii"},
	}
	clients := make([]*client, len(specs))
	for i, sp := range specs {
		c, err := openSession(t, ts, k, sp.opts)
		if err != nil {
			t.Fatal(err)
		}
		clients[i] = c
	}
	var wg sync.WaitGroup
	for i, c := range clients {
		c.waitText("query: |", waitLong)
		wg.Add(1)
		go func(c *client, q string) { // type concurrently, one key at a time
			defer wg.Done()
			for _, r := range q {
				if _, err := c.stdin.Write([]byte(string(r))); err != nil {
					return
				}
				time.Sleep(2 * time.Millisecond)
			}
		}(c, specs[i].query)
	}
	wg.Wait()
	for i, c := range clients {
		sp := specs[i]
		scr := c.waitText("query: "+sp.query+"|", waitLong)
		c.waitText(fmt.Sprintf("size: %dx%d", sp.opts.w, sp.opts.h), waitLong)
		c.waitText("profile: "+sp.profile+" ", waitLong)
		for j, other := range specs {
			if j != i && strings.Contains(scr, other.query) {
				t.Errorf("session %d sees session %d's query %q:\n%s", i, j, other.query, scr)
			}
		}
	}
	if got := ts.Sessions(); got != 3 {
		t.Errorf("Sessions() = %d, want 3", got)
	}
}

func TestWindowChangeResizesModel(t *testing.T) {
	k := newTestKey(t, "k")
	ts := startServer(t, Config{AuthorizedKeys: writeAuthorized(t, k)})
	c, err := openSession(t, ts, k, ptyOpts{term: "xterm-256color", w: 80, h: 24})
	if err != nil {
		t.Fatal(err)
	}
	c.waitText("size: 80x24", waitLong)
	if err := c.sess.WindowChange(40, 100); err != nil { // rows, cols
		t.Fatal(err)
	}
	c.waitText("size: 100x40", waitLong)
	if err := c.sess.WindowChange(12, 50); err != nil {
		t.Fatal(err)
	}
	c.waitText("size: 50x12", waitLong)
}

func TestNoPTYIsRefused(t *testing.T) {
	k := newTestKey(t, "k")
	ts := startServer(t, Config{AuthorizedKeys: writeAuthorized(t, k)})
	c, err := openSession(t, ts, k, ptyOpts{}) // shell without pty-req
	if err != nil {
		t.Fatal(err)
	}
	if got := exitStatus(c.waitExit(waitLong)); got != 1 {
		t.Errorf("exit status %d, want 1", got)
	}
	if !strings.Contains(c.errOut.String(), "needs an interactive terminal") {
		t.Errorf("stderr = %q", c.errOut.String())
	}
	if _, _, _, built := ts.rec.snapshot(); built != 0 {
		t.Errorf("%d models built without a PTY", built)
	}
}

func TestClientDisconnectTellsModel(t *testing.T) {
	tests := []struct {
		name  string
		close func(c *client)
	}{
		{"connection dropped", func(c *client) { c.conn.Close() }}, // the laptop lid closes
		{"channel closed", func(c *client) { c.sess.Close() }},     // the connection itself stays up
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newTestKey(t, "k")
			ts := startServer(t, Config{AuthorizedKeys: writeAuthorized(t, k)})
			c, err := openSession(t, ts, k, ptyOpts{term: "xterm-256color", w: 80, h: 24})
			if err != nil {
				t.Fatal(err)
			}
			c.waitText("query: |", waitLong)
			tt.close(c)
			waitFor(t, waitLong, "model closed", func() bool { _, _, closed, _ := ts.rec.snapshot(); return closed == 1 })
			ends, _, _, _ := ts.rec.snapshot()
			if len(ends) != 1 || ends[0] != ReasonClosed {
				t.Errorf("SessionEndMsg reasons = %v, want [%s]", ends, ReasonClosed)
			}
			waitFor(t, waitLong, "session count 0", func() bool { return ts.Sessions() == 0 })
			if !strings.Contains(ts.log.String(), "reason=closed") {
				t.Errorf("disconnect line lacks reason=closed:\n%s", ts.log.String())
			}
		})
	}
}

func TestIdleTimeout(t *testing.T) {
	k := newTestKey(t, "k")
	const idle = time.Second
	ts := startServer(t, Config{AuthorizedKeys: writeAuthorized(t, k), IdleTimeout: idle})
	c, err := openSession(t, ts, k, ptyOpts{term: "xterm-256color", w: 80, h: 24})
	if err != nil {
		t.Fatal(err)
	}
	c.waitText("query: |", waitLong)
	// Typing keeps the session alive past the timeout: 10 keys 150 ms apart = 1.5 s > 1 s.
	for i := 0; i < 10; i++ {
		c.typeText("k")
		time.Sleep(150 * time.Millisecond)
	}
	select {
	case err := <-c.exited:
		t.Fatalf("session closed while typing: %v", err)
	default:
	}
	c.waitText("query: kkkkkkkkkk|", waitLong)
	start := time.Now()
	if err := c.waitExit(idle + waitLong); err != nil {
		t.Errorf("idle exit: %v", err)
	}
	if el := time.Since(start); el < idle/2 {
		t.Errorf("closed %s after the last key, want about %s", el, idle)
	}
	c.waitText("arslab: disconnected after 1s without input", waitLong)
	ends, _, closed, _ := ts.rec.snapshot()
	if len(ends) != 1 || ends[0] != ReasonIdle || closed != 1 {
		t.Errorf("ends=%v closed=%d, want [idle] and 1", ends, closed)
	}
}

func TestShutdownNotifiesSessions(t *testing.T) {
	k := newTestKey(t, "k")
	ts := startServer(t, Config{AuthorizedKeys: writeAuthorized(t, k)})
	stays, err := openSession(t, ts, k, ptyOpts{term: "xterm-256color", w: 80, h: 24})
	if err != nil {
		t.Fatal(err)
	}
	leaves, err := openSession(t, ts, k, ptyOpts{term: "xterm-256color", w: 80, h: 24})
	if err != nil {
		t.Fatal(err)
	}
	stays.waitText("query: |", waitLong)
	leaves.waitText("query: |", waitLong)

	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- ts.Shutdown(ctx, ShutdownNotice) }()

	// Both see the banner while the app is still running; one user leaves on their own.
	stays.waitText(ShutdownNotice, waitLong)
	leaves.waitText(ShutdownNotice, waitLong)
	leaves.typeText("\x03")
	if err := leaves.waitExit(waitLong); err != nil {
		t.Errorf("leaving user: %v", err)
	}
	// The other one is closed when the grace period ends, and is told why on the way out.
	if err := stays.waitExit(waitLong); err != nil {
		t.Errorf("remaining user: %v", err)
	}
	if n := strings.Count(stays.screen(), ShutdownNotice); n < 2 {
		t.Errorf("remaining user saw the notice %d times, want banner + goodbye line:\n%s", n, stays.screen())
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(waitLong):
		t.Fatal("Shutdown did not return")
	}
	ends, notices, closed, _ := ts.rec.snapshot()
	if len(notices) != 2 || notices[0] != ShutdownNotice {
		t.Errorf("notices = %v, want the notice twice", notices)
	}
	if len(ends) != 1 || ends[0] != ReasonShutdown || closed != 2 {
		t.Errorf("ends=%v closed=%d; want [shutdown] (the user who quit got none) and 2", ends, closed)
	}
	if _, err := dial(ts.addr, "late", nil, gossh.PublicKeys(k.signer)); err == nil {
		t.Error("dial after Shutdown succeeded")
	}
}

func TestShutdownReturnsWhenUsersLeave(t *testing.T) {
	k := newTestKey(t, "k")
	ts := startServer(t, Config{AuthorizedKeys: writeAuthorized(t, k)})
	c, err := openSession(t, ts, k, ptyOpts{term: "xterm-256color", w: 80, h: 24})
	if err != nil {
		t.Fatal(err)
	}
	c.waitText("query: |", waitLong)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	shut := make(chan error, 1)
	go func() { shut <- ts.Shutdown(ctx, "bye") }()
	c.waitText("bye", waitLong)
	c.typeText("\x03")
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(waitLong):
		t.Fatal("Shutdown still waiting after the last user left")
	}
	if el := time.Since(start); el > waitLong {
		t.Errorf("Shutdown took %s", el)
	}
}

func TestRunShutsDownOnContext(t *testing.T) {
	k := newTestKey(t, "k")
	// Run does not expose the address: reserve a free loopback port first.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	rec := &recorder{}
	logBuf := &syncBuffer{}
	cfg := Config{Listen: addr, HostKeyPath: filepath.Join(t.TempDir(), "hk"), AuthorizedKeys: writeAuthorized(t, k),
		ShutdownGrace: 300 * time.Millisecond, Log: logBuf}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, testFactory(rec)) }()
	var c *client
	waitFor(t, waitLong, "Run listening", func() bool {
		conn, err := dial(addr, "s", nil, gossh.PublicKeys(k.signer))
		if err != nil {
			return false
		}
		c, err = startShell(t, conn, ptyOpts{term: "xterm-256color", w: 80, h: 24})
		return err == nil
	})
	c.waitText("query: |", waitLong)
	cancel() // what SIGINT does via signal.NotifyContext
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(waitLong):
		t.Fatal("Run did not return after ctx was cancelled")
	}
	c.waitExit(waitLong)
	c.waitText(ShutdownNotice, waitLong)
}

func TestPanickingFactoryFreesSlot(t *testing.T) {
	k := newTestKey(t, "k")
	logBuf := &syncBuffer{}
	calls := 0
	var mu sync.Mutex
	f := func(r *lipgloss.Renderer, ro bool) tea.Model {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			panic("boom")
		}
		return &testModel{rec: &recorder{}, profile: "x"}
	}
	s, err := New(Config{Listen: "127.0.0.1:0", HostKeyPath: filepath.Join(t.TempDir(), "hk"),
		AuthorizedKeys: writeAuthorized(t, k), MaxSessions: 1, Log: logBuf}, f)
	if err != nil {
		t.Fatal(err)
	}
	go s.ListenAndServe()
	<-s.Ready()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		s.Shutdown(ctx, "")
	})
	ts := &testServer{Server: s, addr: s.Addr().String(), log: logBuf}
	c, err := openSession(t, ts, k, ptyOpts{term: "xterm", w: 80, h: 24})
	if err != nil {
		t.Fatal(err)
	}
	if got := exitStatus(c.waitExit(waitLong)); got != 2 {
		t.Errorf("exit status %d after a panic, want 2", got)
	}
	if !strings.Contains(logBuf.String(), "panic ") {
		t.Errorf("panic not logged:\n%s", logBuf.String())
	}
	// The only slot (MaxSessions 1) is free again and the server still works.
	c2, err := openSession(t, ts, k, ptyOpts{term: "xterm", w: 80, h: 24})
	if err != nil {
		t.Fatal(err)
	}
	c2.waitText("query: |", waitLong)
}

func TestStalledHandshakeIsClosed(t *testing.T) {
	k := newTestKey(t, "k")
	logBuf := &syncBuffer{}
	s, err := New(Config{Listen: "127.0.0.1:0", HostKeyPath: filepath.Join(t.TempDir(), "hk"),
		AuthorizedKeys: writeAuthorized(t, k), Log: logBuf}, testFactory(&recorder{}))
	if err != nil {
		t.Fatal(err)
	}
	s.handshakeTimeout = 300 * time.Millisecond
	go s.ListenAndServe()
	<-s.Ready()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		s.Shutdown(ctx, "")
	})
	// A raw TCP client that never speaks SSH.
	raw, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	start := time.Now()
	raw.SetDeadline(time.Now().Add(waitLong))
	buf := make([]byte, 256)
	for {
		if _, err := raw.Read(buf); err != nil { // the server banner, then EOF when closed
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("stalled connection still open after 5s")
			}
			break
		}
	}
	if el := time.Since(start); el < 250*time.Millisecond {
		t.Errorf("closed after %s, before the 300ms handshake timeout", el)
	}
	waitFor(t, waitLong, "handshake-timeout log", func() bool { return strings.Contains(logBuf.String(), "handshake-timeout") })

	// An authenticated session outlives the handshake timeout.
	ts := &testServer{Server: s, addr: s.Addr().String(), log: logBuf}
	c, err := openSession(t, ts, k, ptyOpts{term: "xterm", w: 80, h: 24})
	if err != nil {
		t.Fatal(err)
	}
	c.waitText("query: |", waitLong)
	time.Sleep(500 * time.Millisecond)
	c.typeText("ok")
	c.waitText("query: ok|", waitLong)
}

func TestShutdownBeforeServe(t *testing.T) {
	s, err := New(Config{Listen: "127.0.0.1:0", Open: true, HostKeyPath: filepath.Join(t.TempDir(), "hk")}, testFactory(&recorder{}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.Shutdown(ctx, "bye"); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := s.ListenAndServe(); !errors.Is(err, ErrServerClosed) {
		t.Errorf("ListenAndServe after Shutdown = %v, want ErrServerClosed", err)
	}
	if s.Addr() != nil {
		t.Errorf("Addr() = %v after a refused start", s.Addr())
	}
}

func TestRunReportsListenError(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cfg := Config{Listen: busy.Addr().String(), Open: true, HostKeyPath: filepath.Join(t.TempDir(), "hk")}
	err = Run(context.Background(), cfg, testFactory(&recorder{}))
	if err == nil || !strings.Contains(err.Error(), "listen on "+busy.Addr().String()) {
		t.Errorf("Run on a busy port = %v, want a listen error", err)
	}
}

func TestHostKeyCreatedOnceAndReused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "host_ed25519")
	k := newTestKey(t, "k")
	cfg := Config{HostKeyPath: path, AuthorizedKeys: writeAuthorized(t, k)}
	f := testFactory(&recorder{})

	s1, err := New(cfg, f)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("host key not written: %v", err)
	}
	if mode := st.Mode().Perm(); mode != 0o600 {
		t.Errorf("host key mode %o, want 600", mode)
	}
	if s1.HostPublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Errorf("host key type %s, want ed25519", s1.HostPublicKey().Type())
	}
	s2, err := New(cfg, f)
	if err != nil {
		t.Fatal(err)
	}
	if s1.HostKeyFingerprint() != s2.HostKeyFingerprint() {
		t.Errorf("second start changed the host key: %s vs %s", s1.HostKeyFingerprint(), s2.HostKeyFingerprint())
	}
	cfg.HostKeyPath = filepath.Join(dir, "other")
	s3, err := New(cfg, f)
	if err != nil {
		t.Fatal(err)
	}
	if s3.HostKeyFingerprint() == s1.HostKeyFingerprint() {
		t.Error("two fresh host keys have the same fingerprint")
	}

	bad := filepath.Join(dir, "garbage")
	if err := os.WriteFile(bad, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.HostKeyPath = bad
	if _, err := New(cfg, f); err == nil || !strings.Contains(err.Error(), "host key") {
		t.Errorf("garbage host key: err = %v", err)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty_keys")
	if err := os.WriteFile(empty, []byte("# nobody\nnot-a-key AAAA\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := writeAuthorized(t, newTestKey(t, "k"))
	hk := filepath.Join(dir, "hk")
	f := testFactory(&recorder{})
	tests := []struct {
		name string
		cfg  Config
		f    Factory
		want []string // substrings of the error; nil = no error
	}{
		{"no keys and not open", Config{HostKeyPath: hk}, f, []string{"--authorized-keys", "--open"}},
		{"missing keys file", Config{HostKeyPath: hk, AuthorizedKeys: filepath.Join(dir, "nope")}, f, []string{"--authorized-keys", "no such file"}},
		{"keys file without keys", Config{HostKeyPath: hk, AuthorizedKeys: empty}, f, []string{"no valid public key"}},
		{"negative max sessions", Config{HostKeyPath: hk, Open: true, MaxSessions: -1}, f, []string{"--max-sessions"}},
		{"negative idle", Config{HostKeyPath: hk, Open: true, IdleTimeout: -time.Second}, f, []string{"--idle-timeout"}},
		{"nil factory", Config{HostKeyPath: hk, Open: true}, nil, []string{"factory"}},
		{"open without keys", Config{HostKeyPath: hk, Open: true}, f, nil},
		{"keys file", Config{HostKeyPath: hk, AuthorizedKeys: good}, f, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.cfg, tt.f)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if s.cfg.Listen != DefaultListen || s.cfg.ShutdownGrace != DefaultShutdownGrace {
					t.Errorf("defaults not applied: listen=%q grace=%s", s.cfg.Listen, s.cfg.ShutdownGrace)
				}
				return
			}
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestLogQuotesClientValues(t *testing.T) {
	var b strings.Builder
	log := newLogger(&b)
	log.Info("connect", "user", "evil\nuser=root", "name", "two words", "key", "SHA256:abc+/x", "empty", "")
	line := b.String()
	if strings.Count(line, "\n") != 1 {
		t.Fatalf("one event took %d lines: %q", strings.Count(line, "\n"), line)
	}
	for _, want := range []string{` msg=connect `, ` user="evil\nuser=root"`, ` name="two words"`, ` key=SHA256:abc+/x`, ` empty=""`} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
	if !regexp.MustCompile(`^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ level=INFO `).MatchString(line) {
		t.Errorf("line %q does not start with an RFC 3339 UTC time", line)
	}
}

func TestFrameBannerShrinksModel(t *testing.T) {
	rec := &recorder{}
	inner := &testModel{rec: rec}
	f := &frame{inner: inner, r: lipgloss.NewRenderer(nil)}
	f.Update(tea.WindowSizeMsg{Width: 30, Height: 10})
	if inner.h != 10 || !strings.HasPrefix(f.View(), "ARS Lab test") {
		t.Fatalf("before notice: inner height %d, view %q", inner.h, f.View())
	}
	f.Update(NoticeMsg{Text: "server going down in a moment, please save"})
	if inner.w != 30 || inner.h != 9 {
		t.Errorf("after notice inner size %dx%d, want 30x9 (one line for the banner)", inner.w, inner.h)
	}
	first := strings.SplitN(f.View(), "\n", 2)[0]
	if w := lipgloss.Width(first); w != 30 {
		t.Errorf("banner width %d, want 30: %q", w, first)
	}
	if !strings.HasPrefix(first, "server going down") || !strings.Contains(first, "…") {
		t.Errorf("banner %q, want the truncated notice", first)
	}
	f.Update(tea.WindowSizeMsg{Width: 40, Height: 5})
	if inner.h != 4 {
		t.Errorf("resize with banner: inner height %d, want 4", inner.h)
	}
	if _, notices, _, _ := rec.snapshot(); len(notices) != 1 {
		t.Errorf("inner saw %d notices, want 1", len(notices))
	}
}
