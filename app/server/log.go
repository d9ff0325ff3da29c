package server

import (
	"io"
	"log/slog"
	"net"
	"time"
)

// newLogger returns the server's structured log: one line per event in slog's text form,
// `time=… level=INFO msg=connect remote=… user=…`, the time in RFC 3339 UTC. slog quotes
// any value that could break the line (user names come from the client).
func newLogger(w io.Writer) *slog.Logger {
	if w == nil {
		w = io.Discard
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.String(slog.TimeKey, a.Value.Time().UTC().Format(time.RFC3339))
			}
			return a
		},
	}))
}

func addrString(a net.Addr) string {
	if a == nil {
		return "-"
	}
	return a.String()
}

func (s *Server) connFailed(conn net.Conn, err error) {
	s.log.Info("handshake-fail", "remote", addrString(conn.RemoteAddr()), "err", err)
}
