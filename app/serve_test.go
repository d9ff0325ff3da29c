package app

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
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
	gossh "golang.org/x/crypto/ssh"

	"github.com/arslab/arslab/app/server"
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
