package server

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// defaultHostKeyPath is <user config dir>/arslab/ssh_host_ed25519_key.
func defaultHostKeyPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("server: no --host-key given and no user config dir: %w", err)
	}
	return filepath.Join(dir, "arslab", "ssh_host_ed25519_key"), nil
}

// loadOrCreateHostKey reads the OpenSSH private key at path, or creates a new ed25519 key there
// (mode 0600, parent directory 0700) when the file does not exist. created reports the latter.
func loadOrCreateHostKey(path string) (signer gossh.Signer, created bool, err error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		signer, err := gossh.ParsePrivateKey(data)
		if err != nil {
			return nil, false, fmt.Errorf("server: host key %s: %w", path, err)
		}
		return signer, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, false, fmt.Errorf("server: read host key: %w", err)
	}

	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, fmt.Errorf("server: generate host key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "arslab host key")
	if err != nil {
		return nil, false, fmt.Errorf("server: encode host key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("server: host key dir: %w", err)
	}
	// O_EXCL: never overwrite a key another process created meanwhile.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("server: create host key: %w", err)
	}
	if _, err := f.Write(pem.EncodeToMemory(block)); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, false, fmt.Errorf("server: write host key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("server: write host key: %w", err)
	}
	signer, err = gossh.NewSignerFromKey(priv)
	if err != nil {
		return nil, false, fmt.Errorf("server: host key signer: %w", err)
	}
	return signer, true, nil
}

// keyring is the set of keys from an authorized_keys file, keyed by their wire encoding.
type keyring struct {
	comments map[string]string // marshalled key → comment (e.g. "alice@laptop")
}

func (k *keyring) len() int {
	if k == nil {
		return 0
	}
	return len(k.comments)
}

// lookup reports whether key is authorized, and its comment.
func (k *keyring) lookup(key gossh.PublicKey) (string, bool) {
	if k == nil || key == nil {
		return "", false
	}
	c, ok := k.comments[string(key.Marshal())]
	return c, ok
}

// loadAuthorizedKeys parses an OpenSSH authorized_keys file. Invalid lines are skipped (as sshd
// does); key options (from=, command=, …) are ignored. A file without any key is an error.
func loadAuthorizedKeys(path string) (*keyring, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("server: --authorized-keys: %w", err)
	}
	k := &keyring{comments: make(map[string]string)}
	for rest := data; len(rest) > 0; {
		key, comment, _, next, err := gossh.ParseAuthorizedKey(rest)
		if err != nil {
			break // no further key in the file
		}
		k.comments[string(key.Marshal())] = comment
		rest = next
	}
	if len(k.comments) == 0 {
		return nil, fmt.Errorf("server: --authorized-keys %s: no valid public key in the file", path)
	}
	return k, nil
}

// checkKey is the public-key auth handler: any key when Open, else only authorized ones.
func (s *Server) checkKey(ctx ssh.Context, key ssh.PublicKey) bool {
	_, ok := s.keys.lookup(key)
	if s.cfg.Open || ok {
		ctx.SetValue(ctxKeyAuthed{}, true)
		return true
	}
	s.log.event("auth-fail", "remote", addrString(ctx.RemoteAddr()), "user", ctx.User(),
		"key", gossh.FingerprintSHA256(key), "type", key.Type(), "sessions", s.Sessions())
	return false
}

// ctxKeyAuthed marks a connection whose client key was accepted.
type ctxKeyAuthed struct{}

// guardHandshake closes the connection if the client has not authenticated within the
// handshake timeout (a stalled or port-scanning client would otherwise hold it forever).
func (s *Server) guardHandshake(ctx ssh.Context, conn net.Conn) net.Conn {
	time.AfterFunc(s.handshakeTimeout, func() {
		if ctx.Value(ctxKeyAuthed{}) == nil {
			s.log.event("handshake-timeout", "remote", addrString(conn.RemoteAddr()), "after", s.handshakeTimeout)
			_ = conn.Close()
		}
	})
	return conn
}
