package server

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// logger writes one line per event: RFC 3339 UTC time, event name, then key=value pairs.
// Values that could break the line (spaces, quotes, control characters — user names come
// from the client) are quoted.
type logger struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

func newLogger(w io.Writer) *logger {
	if w == nil {
		w = io.Discard
	}
	return &logger{w: w, now: time.Now}
}

// event logs name followed by the key/value pairs kv (k1, v1, k2, v2, …).
func (l *logger) event(name string, kv ...any) {
	var b strings.Builder
	b.WriteString(l.now().UTC().Format(time.RFC3339))
	b.WriteString(" arslab-serve ")
	b.WriteString(name)
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteByte(' ')
		fmt.Fprint(&b, kv[i])
		b.WriteByte('=')
		b.WriteString(logValue(fmt.Sprint(kv[i+1])))
	}
	b.WriteByte('\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, b.String())
}

func logValue(v string) string {
	if v == "" {
		return `""`
	}
	for _, r := range v {
		if r == '"' || r == '=' || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return strconv.Quote(v)
		}
	}
	return v
}

func addrString(a net.Addr) string {
	if a == nil {
		return "-"
	}
	return a.String()
}

func (s *Server) connFailed(conn net.Conn, err error) {
	s.log.event("handshake-fail", "remote", addrString(conn.RemoteAddr()), "err", err)
}
