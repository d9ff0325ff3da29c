package app

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyRun copies the figures package's fixture run folder into a temporary folder.
func copyRun(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run-a")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"metrics.jsonl", "config.json"} {
		b, err := os.ReadFile(filepath.Join("../figures/testdata/run", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPlotRun(t *testing.T) {
	dir := copyRun(t)
	// Default: an SVG inside the run folder.
	code, out, errs := run(t, "plot", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	svg := filepath.Join(dir, DefaultRunFigure)
	if !strings.Contains(out, "wrote "+svg+" (12 steps, 2 epochs)") {
		t.Errorf("stdout %q", out)
	}
	b, err := os.ReadFile(svg)
	if err != nil || !bytes.Contains(b, []byte("Score separation")) || !bytes.Contains(b, []byte("</svg>")) {
		t.Fatalf("%s: %v, %d bytes", svg, err, len(b))
	}
	// --out FILE.png, flags after the folder.
	pngPath := filepath.Join(t.TempDir(), "curves.png")
	if code, _, errs := run(t, "plot", dir, "--out", pngPath); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() != 1500 || img.Bounds().Dy() != 1125 {
		t.Fatalf("PNG: %v %v", err, img)
	}
}

func TestPlotUsageErrors(t *testing.T) {
	dir := copyRun(t)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"plot"}, 2, "want one run folder"},
		{[]string{"plot", dir, dir}, 2, "want one run folder"},
		{[]string{"plot", dir, "--out", "x.pdf"}, 2, "want a .svg or .png file"},
		{[]string{"plot", "--compare"}, 2, "name the models to compare"},
		{[]string{"plot", "--compare", "--data", tiny, "nosuch"}, 2, `unknown model "nosuch"`},
		{[]string{"plot", "--model", "bm25", dir}, 2, "--model is for --compare"},
		{[]string{"plot", filepath.Dir(dir)}, 1, "has no metrics.jsonl"},
	} {
		code, _, errs := run(t, tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d, %q", tt.args, code, errs, tt.code, tt.want)
		}
	}
}

func TestPlotCompare(t *testing.T) {
	out := filepath.Join(t.TempDir(), "topk.svg")
	code, stdout, errs := run(t, "plot", "--compare", "--data", tiny, "--split", "test", "--out", out, "bm25", "--model", "tfidf")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "wrote "+out+" (2 models)") {
		t.Errorf("stdout %q", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Top-k accuracy on beir_tiny (test)", ">BM25<", ">TF-IDF<", "k (log scale)"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}
