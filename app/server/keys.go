package server

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
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

// hostKey returns wish's host-key option for path, which creates an ed25519 key there
// (mode 0600, with a .pub beside it) when none exists, and the key's signer for its
// fingerprint. created says whether this call made the key.
func hostKey(path string) (opt ssh.Option, signer gossh.Signer, created bool, err error) {
	_, statErr := os.Stat(path)
	created = errors.Is(statErr, fs.ErrNotExist)
	if created {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, nil, false, fmt.Errorf("server: host key dir: %w", err)
		}
	}
	opt = wish.WithHostKeyPath(path)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, false, fmt.Errorf("server: host key %s: %w", path, err)
	}
	signer, err = gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, nil, false, fmt.Errorf("server: host key %s: %w", path, err)
	}
	return opt, signer, created, nil
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
	s.log.Info("auth-fail", "remote", addrString(ctx.RemoteAddr()), "user", ctx.User(),
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
			s.log.Info("handshake-timeout", "remote", addrString(conn.RemoteAddr()), "after", s.handshakeTimeout)
			_ = conn.Close()
		}
	})
	return conn
}
