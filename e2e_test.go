package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxSession drives the real binary in a detached tmux session on a private socket.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func (s tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s tmuxSession) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		s.run("send-keys", "-t", "e2e", k)
		time.Sleep(60 * time.Millisecond)
	}
}

func (s tmuxSession) screen() string { return s.run("capture-pane", "-p", "-t", "e2e") }

// waitFor polls the screen until it contains every want, or fails after d.
func (s tmuxSession) waitFor(d time.Duration, wants ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		scr := s.screen()
		missing := ""
		for _, w := range wants {
			if !strings.Contains(scr, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q within %s; last screen:\n%s", missing, d, scr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestEndToEndTmux starts the real app under tmux, asks an English and an Arabic question,
// trains a short ARS run from the training pane and quits, checking the screen as a person would.
func TestEndToEndTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed (.ci/run installs it)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "arslab")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	s := tmuxSession{t: t, socket: fmt.Sprintf("arslab-e2e-%d", os.Getpid())}
	cmd := fmt.Sprintf("cd %s && XDG_CONFIG_HOME=%s TERM=xterm-256color %s --runs %s; echo arslab exited $?; sleep 60", dir, filepath.Join(dir, "config"), bin, filepath.Join(dir, "runs"))
	s.run("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", cmd)
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })

	// The first screen already answers a query with BM25 on the demo set.
	s.waitFor(20*time.Second, "ARS Lab", "demo · 242 passages", "BM25", "judged query")

	// A judged English query: its relevant passage is marked ✓.
	s.keys("3", "/", "C-u", "why does Mars appear red", "Enter")
	scr := s.waitFor(10*time.Second, "judged query q-en-astro-001", "en-astro-001 · Mars")
	if !strings.Contains(scr, "✓") {
		t.Errorf("relevant passage not marked:\n%s", scr)
	}

	// An Arabic query: the passage title نهر النيل is shaped and reordered for display
	// (presentation forms in visual order: final lam, medial ya, medial nun, initial lam, alef,
	// then the noun), not printed in logical order.
	s.keys("/", "C-u", "ما هو أطول نهر في العالم", "Enter")
	s.waitFor(10*time.Second, "judged query q-ar-geo-001", "ar-geo-001 · \ufede\ufef4\ufee8\ufedf\ufe8d \ufeae\ufeec\ufee7")

	// A 5,000-character bracketed paste lands in the query at once (cut to the field's
	// limit, line breaks as spaces), and the keys after it drive the panes again.
	paste := filepath.Join(dir, "paste.txt")
	if err := os.WriteFile(paste, []byte(strings.Repeat("which planet is red\n", 250)), 0o644); err != nil {
		t.Fatal(err)
	}
	s.keys("/")
	s.run("load-buffer", paste)
	start := time.Now()
	s.run("paste-buffer", "-p", "-t", "e2e")
	s.waitFor(5*time.Second, "pasted text cut to the query limit")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the paste took %v", d)
	}
	s.keys("Enter", "4")
	s.waitFor(5*time.Second, "Top-k accuracy")

	// Metrics: b makes BM25 (test) the baseline and TF-IDF is tested against it in the
	// background; the selected TF-IDF cell shows its test; d lists the test queries by the
	// difference of the two runs; esc goes back to the table.
	s.keys("b")
	s.waitFor(20*time.Second, "BM25 (base)", "baseline BM25 on test · 33 queries")
	s.keys("j")
	s.waitFor(5*time.Second, "MRR@10 TF-IDF − BM25: Δ", "W/T/L", "p (rand)")
	s.keys("d")
	s.waitFor(10*time.Second, "Per query · MRR@10", "A = BM25 (baseline) · B = TF-IDF", "rank B")
	s.keys("Escape")
	s.waitFor(5*time.Second, "Top-k accuracy")

	// Training pane: negatives hard:3, 1 epoch, max_len 32, then start.
	s.keys("Escape", "2")
	s.waitFor(5*time.Second, "Training config")
	s.keys("Down", "Down", "Down", "Down", "Down", "Down", "Enter", "C-u", "hard:3", "Enter")
	s.keys("Down", "Enter", "C-u", "1", "Enter")
	s.keys("Down", "Down", "Down", "Enter", "C-u", "32", "Enter")
	s.waitFor(5*time.Second, "hard:3", "max_len    ‹ 32 ›")
	s.keys("s")
	scr = s.waitFor(45*time.Second, "✓ finished", "epoch 1/1", "Dev metrics per epoch", "100%")
	for _, w := range []string{"Loss (weighted terms)", "infonce", "dyn", "σ score", "pos", "neg", "LR"} {
		if !strings.Contains(scr, w) {
			t.Errorf("training pane lacks %q:\n%s", w, scr)
		}
	}

	// The trained run is now the current model: the query pane shows its sigmoid scores
	// beside BM25.
	s.keys("3")
	scr = s.waitFor(10*time.Second, "tiny-ars", "BM25")
	// A checkpoint is a folder behind the run's atomic "latest" pointer.
	runs, err := filepath.Glob(filepath.Join(dir, "runs", "*", "ckpt-*", "model.safetensors"))
	if err != nil || len(runs) != 1 {
		t.Fatalf("want one checkpoint in runs/, got %v (%v)\n%s", runs, err, scr)
	}

	// The Runs pane lists the run just trained, finished, with its loss sparkline; ? shows
	// the Runs keymap first.
	s.keys("5")
	scr = s.waitFor(10*time.Second, "Runs  1 in", "tiny·ars", "✓", "Loss of", "best dev MRR@10")
	s.keys("?")
	s.waitFor(5*time.Second, "Runs (this pane)", "open as model", "trash (asks)")
	s.keys("?")

	// The Datasets pane's chooser: recent datasets and the file picker at the working directory.
	s.keys("1", "o")
	s.waitFor(5*time.Second, "Browse", "runs")
	s.keys("Escape")

	s.keys("q")
	s.waitFor(10*time.Second, "arslab exited 0")
}
