package server

import (
	"bufio"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// Measurement (loopback only, bounded), gated because it is slow-ish and timing-dependent:
//
//	ARSLAB_SERVE_MEASURE=1 go test -run TestMeasureServe -v ./app/server/
//
// The SSH clients run in a child process (this test binary re-executed) so that the server's
// heap is measured without the clients' memory. Figures:
//   - connect → first frame: from before the TCP dial until the app's first frame has arrived
//     (handshake, auth, pty-req, shell, model built, first render); median of 15 sequential
//     single sessions, and of 20 sessions started at once;
//   - memory per idle session: server HeapAlloc after GC with 20 idle sessions minus before, ÷ 20.

const (
	measureEnv = "ARSLAB_SERVE_MEASURE"
	childEnv   = "ARSLAB_SERVE_CHILD"
	firstFrame = "ARS Lab test · query: |"
)

// frameMarker is the text that marks the first rendered frame; ARSLAB_SERVE_FRAME overrides
// it when measuring an external server running the real app.
func frameMarker() string {
	if m := os.Getenv("ARSLAB_SERVE_FRAME"); m != "" {
		return m
	}
	return firstFrame
}

// TestMeasureExternalServe measures a running `arslab serve --open` (the real app):
//
//	ARSLAB_SERVE_ADDR=127.0.0.1:23299 ARSLAB_SERVE_PID=<pid> ARSLAB_SERVE_FRAME="ARS Lab" \
//	  go test -run TestMeasureExternalServe -v ./app/server/
//
// Memory per idle session is the server's resident set (VmRSS) with 20 idle sessions minus
// before, ÷ 20 (RSS, not heap: the server is another process).
func TestMeasureExternalServe(t *testing.T) {
	addr := os.Getenv("ARSLAB_SERVE_ADDR")
	if addr == "" {
		t.Skip("set ARSLAB_SERVE_ADDR (and ARSLAB_SERVE_PID, ARSLAB_SERVE_FRAME) to measure a running server")
	}
	pid := os.Getenv("ARSLAB_SERVE_PID")
	keyPath := writeClientKey(t, newTestKey(t, "measure"))
	single, _ := runClients(t, addr, keyPath, 1, 15, nil)
	time.Sleep(time.Second)
	const n = 20
	before := rssKiB(t, pid)
	var after int
	concurrent, _ := runClients(t, addr, keyPath, n, 1, func() {
		time.Sleep(time.Second) // let them go idle
		after = rssKiB(t, pid)
	})
	report := fmt.Sprintf("real app: connect→first frame: 1 session median %s (min %s, max %s, %d runs); "+
		"%d concurrent median %s (max %s); idle session: %.0f KiB RSS each (%d → %d KiB)",
		median(single), single[0], single[len(single)-1], len(single),
		n, median(concurrent), concurrent[len(concurrent)-1], float64(after-before)/n, before, after)
	t.Log(report)
	fmt.Println("MEASURE", report)
}

// rssKiB reads VmRSS of process pid from /proc (0 when pid is empty).
func rssKiB(t *testing.T, pid string) int {
	if pid == "" {
		return 0
	}
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatalf("reading server RSS: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return kb
		}
	}
	t.Fatalf("no VmRSS in /proc/%s/status", pid)
	return 0
}

func TestMeasureServe(t *testing.T) {
	if os.Getenv(measureEnv) == "" {
		t.Skipf("set %s=1 to measure", measureEnv)
	}
	k := newTestKey(t, "measure")
	ts := startServer(t, Config{AuthorizedKeys: writeAuthorized(t, k)})
	keyPath := writeClientKey(t, k)

	// 1 session at a time.
	single, _ := runClients(t, ts.addr, keyPath, 1, 15, nil)
	waitFor(t, 10*time.Second, "sessions closed", func() bool { return ts.Sessions() == 0 })
	time.Sleep(200 * time.Millisecond)

	// 20 at once, held idle while the server heap is measured.
	const n = 20
	base, gBase := heapAfterGC()
	var heapPer, gorPer float64
	concurrent, _ := runClients(t, ts.addr, keyPath, n, 1, func() {
		waitFor(t, 10*time.Second, "20 sessions", func() bool { return ts.Sessions() == n })
		time.Sleep(300 * time.Millisecond) // let them go idle
		after, gAfter := heapAfterGC()
		heapPer = float64(int64(after)-int64(base)) / n
		gorPer = float64(gAfter-gBase) / n
	})
	report := fmt.Sprintf("connect→first frame: 1 session median %s (min %s, max %s, %d runs); "+
		"%d concurrent median %s (max %s); idle session: %.1f KiB heap, %.1f goroutines each",
		median(single), single[0], single[len(single)-1], len(single),
		n, median(concurrent), concurrent[len(concurrent)-1], heapPer/1024, gorPer)
	t.Log(report)
	fmt.Println("MEASURE", report)
}

func heapAfterGC() (uint64, int) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, runtime.NumGoroutine()
}

func median(d []time.Duration) time.Duration { return d[len(d)/2] }

// writeClientKey writes k's private key (OpenSSH PEM, mode 0600) for the child process.
func writeClientKey(t testing.TB, k testKey) string {
	t.Helper()
	block, err := gossh.MarshalPrivateKey(k.priv, "")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "client_ed25519")
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// runClients runs the child: n concurrent sessions, repeated rounds times (sequentially);
// with hold != nil the sessions of the (single) round stay open while hold runs.
// It returns the sorted connect→first-frame durations.
func runClients(t testing.TB, addr, keyPath string, n, rounds int, hold func()) ([]time.Duration, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMeasureClientChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1", "ARSLAB_CHILD_ADDR="+addr, "ARSLAB_CHILD_KEY="+keyPath,
		"ARSLAB_CHILD_N="+strconv.Itoa(n), "ARSLAB_CHILD_ROUNDS="+strconv.Itoa(rounds),
		"ARSLAB_CHILD_HOLD="+strconv.FormatBool(hold != nil))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killer := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	defer killer.Stop()

	var durs []time.Duration
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "RESULT ") {
			continue
		}
		for _, f := range strings.Split(strings.TrimPrefix(line, "RESULT "), ",") {
			us, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				t.Fatalf("child result %q: %v", line, err)
			}
			durs = append(durs, time.Duration(us)*time.Microsecond)
		}
		break
	}
	if len(durs) != n*rounds {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child reported %d timings, want %d", len(durs), n*rounds)
	}
	if hold != nil {
		hold()
	}
	stdin.Close() // child closes its sessions and exits
	go io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	slices.Sort(durs)
	return durs, nil
}

// TestMeasureClientChild is the client side of TestMeasureServe (runs only as its child).
func TestMeasureClientChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("child process of TestMeasureServe")
	}
	addr := os.Getenv("ARSLAB_CHILD_ADDR")
	pemBytes, err := os.ReadFile(os.Getenv("ARSLAB_CHILD_KEY"))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(os.Getenv("ARSLAB_CHILD_N"))
	rounds, _ := strconv.Atoi(os.Getenv("ARSLAB_CHILD_ROUNDS"))
	hold := os.Getenv("ARSLAB_CHILD_HOLD") == "true"

	var all []string
	var keep []*gossh.Client
	for r := 0; r < rounds; r++ {
		durs := make([]time.Duration, n)
		conns := make([]*gossh.Client, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				conns[i], durs[i], errs[i] = timeFirstFrame(addr, signer)
			}(i)
		}
		wg.Wait()
		for i := 0; i < n; i++ {
			if errs[i] != nil {
				t.Fatalf("session %d: %v", i, errs[i])
			}
			all = append(all, strconv.FormatInt(durs[i].Microseconds(), 10))
		}
		if hold {
			keep = append(keep, conns...)
		} else {
			for _, c := range conns {
				c.Close()
			}
		}
	}
	fmt.Println("RESULT " + strings.Join(all, ","))
	if hold {
		_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes our stdin
		for _, c := range keep {
			c.Close()
		}
	}
}

// frameWatch is a session stdout that notes when the first frame has arrived.
type frameWatch struct {
	mu    sync.Mutex
	buf   []byte
	found chan struct{}
	at    time.Time
}

func (w *frameWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.at.IsZero() {
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	if strings.Contains(ansi.Strip(string(w.buf)), frameMarker()) {
		w.at = time.Now()
		close(w.found)
	}
	return len(p), nil
}

func timeFirstFrame(addr string, signer gossh.Signer) (*gossh.Client, time.Duration, error) {
	start := time.Now()
	conn, err := dial(addr, "measure", nil, gossh.PublicKeys(signer))
	if err != nil {
		return nil, 0, err
	}
	sess, err := conn.NewSession()
	if err != nil {
		conn.Close()
		return nil, 0, err
	}
	w := &frameWatch{found: make(chan struct{})}
	sess.Stdout = w
	// Keep stdin open like a terminal does (a nil Stdin would send EOF at once).
	if _, err := sess.StdinPipe(); err != nil {
		conn.Close()
		return nil, 0, err
	}
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		conn.Close()
		return nil, 0, err
	}
	if err := sess.Shell(); err != nil {
		conn.Close()
		return nil, 0, err
	}
	select {
	case <-w.found:
	case <-time.After(20 * time.Second):
		conn.Close()
		return nil, 0, fmt.Errorf("no frame after 20s")
	}
	w.mu.Lock()
	d := w.at.Sub(start)
	w.mu.Unlock()
	return conn, d, nil
}
