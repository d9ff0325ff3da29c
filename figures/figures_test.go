package figures

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixture = "testdata/run"

func TestReadRun(t *testing.T) {
	r, err := ReadRun(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "run" || len(r.Steps) != 12 || len(r.Epochs) != 2 {
		t.Fatalf("name %q, %d steps, %d epochs; want run, 12, 2", r.Name, len(r.Steps), len(r.Epochs))
	}
	for i, s := range r.Steps {
		if s.Step != i+1 {
			t.Fatalf("steps out of order: %d at %d", s.Step, i)
		}
	}
	if s := r.Steps[0]; s.Terms["infonce"] != 1.7 || s.Pos != 0.56 || s.Neg != 0.54 || s.Loss != 1.9 {
		t.Errorf("step 1 = %+v", s)
	}
	if e := r.Epochs[1]; e.Epoch != 2 || e.Step != 12 || e.Dev["mrr@10"] != 0.31 {
		t.Errorf("epoch 2 = %+v", e)
	}
	if r.Weights["dyn"] != 0.5 || r.Weights["reg"] != 1e-4 || !strings.Contains(r.Summary, "tiny ars") {
		t.Errorf("config: weights %v summary %q", r.Weights, r.Summary)
	}
}

func TestReadRunResumedKeepsLastRecord(t *testing.T) {
	dir := t.TempDir()
	lines := `{"kind":"step","step":1,"epoch":1,"loss":3,"pos":0.5,"neg":0.5,"lr":1e-4}
{"kind":"step","step":2,"epoch":1,"loss":2,"pos":0.5,"neg":0.5,"lr":1e-4}
{"kind":"step","step":2,"epoch":1,"loss":1.5,"pos":0.5,"neg":0.5,"lr":1e-4}
`
	if err := os.WriteFile(filepath.Join(dir, MetricsFile), []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Steps) != 2 || r.Steps[1].Loss != 1.5 || r.Weights != nil {
		t.Errorf("steps %+v weights %v", r.Steps, r.Weights)
	}
	// No config.json and no epoch: the figure still draws, saying there are no dev metrics.
	f, err := Training(r)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := f.Encode(".svg")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "Dev metrics: none recorded") {
		t.Error("no note about the missing dev metrics")
	}
}

func TestReadRunErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	os.Mkdir(bad, 0o755)
	os.WriteFile(filepath.Join(bad, MetricsFile), []byte(`{"kind":"step","step":1,"loss":1}`+"\n{oops\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	os.WriteFile(filepath.Join(empty, MetricsFile), nil, 0o600)
	for path, want := range map[string]string{
		filepath.Join(dir, "absent"): "no such file",
		dir:                          "has no metrics.jsonl",
		bad:                          "metrics.jsonl:2:",
		empty:                        "no step recorded yet",
	} {
		_, err := ReadRun(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadRun(%s) = %v, want %q", path, err, want)
		}
	}
}

// wellFormed parses b as XML to the end.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
	}
}

// svgText is every <text> element's content.
func svgText(t *testing.T, b []byte) string {
	t.Helper()
	var out strings.Builder
	d := xml.NewDecoder(bytes.NewReader(b))
	in := false
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			in = tk.Name.Local == "text"
		case xml.EndElement:
			in = false
		case xml.CharData:
			if in {
				out.Write(tk)
				out.WriteByte('\n')
			}
		}
	}
	return out.String()
}

func TestTrainingSVG(t *testing.T) {
	r, err := ReadRun(fixture)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Training(r)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "fig.svg")
	if err := f.Write(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b)
	text := svgText(t, b)
	for _, want := range []string{
		"Training run run", "tiny ars", // heading, config summary
		"Loss", "weighted loss", "total", "infonce × 1", "dyn × 0.5", "reg × 0.0001", // loss panel
		"Score separation", "mean σ(score)", "positives", "negatives",
		"Learning rate", "learning rate",
		"Dev metrics", "epoch", "Top-1", "Top-10", "MRR@10", "nDCG@10",
		"step",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("SVG text lacks %q; text:\n%s", want, text)
		}
	}
}

func TestTrainingPNG(t *testing.T) {
	r, err := ReadRun(fixture)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Training(r)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "fig.PNG")
	if err := f.Write(path); err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	w, h := f.PixelSize()
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h || w != 1500 || h != 1125 {
		t.Errorf("PNG is %dx%d, want %dx%d (1500x1125)", b.Dx(), b.Dy(), w, h)
	}
}

func TestWriteAtomicAndFormats(t *testing.T) {
	r, err := ReadRun(fixture)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Training(r)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := f.Write(filepath.Join(dir, "fig.pdf")); err == nil || !strings.Contains(err.Error(), "want .svg or .png") {
		t.Errorf("Write(.pdf) = %v", err)
	}
	if err := f.Write(filepath.Join(dir, "no-such-dir", "fig.svg")); err == nil {
		t.Error("Write into a missing folder succeeded")
	}
	// An existing figure is replaced whole; no temporary file is left behind.
	path := filepath.Join(dir, "fig.svg")
	os.WriteFile(path, []byte("old"), 0o644)
	if err := f.Write(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "fig.svg" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want only fig.svg", names)
	}
	if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, []byte("<?xml")) {
		t.Errorf("fig.svg starts %q", b[:min(len(b), 20)])
	}
}

func TestTopK(t *testing.T) {
	curves := []Curve{
		{Name: "BM25", Metrics: map[string]float64{"top1": 0.85, "top5": 1, "top10": 1, "top20": 1, "top50": 1, "top100": 1}},
		{Name: "tiny-ars", Metrics: map[string]float64{"top1": 0.06, "top5": 0.24, "top10": 0.33, "top20": 0.42, "top50": 0.64, "top100": 0.82}},
	}
	f, err := TopK("Top-k accuracy on demo (test)", "33 queries", curves)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Encode(".svg")
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b)
	text := svgText(t, b)
	for _, want := range []string{"Top-k accuracy on demo (test)", "BM25", "tiny-ars", "Top-k accuracy", "k (log scale)", "1\n", "100\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("SVG text lacks %q; text:\n%s", want, text)
		}
	}
	pb, err := f.Encode(".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pb))
	if err != nil {
		t.Fatal(err)
	}
	if w, h := f.PixelSize(); img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Errorf("PNG %v, want %dx%d", img.Bounds(), w, h)
	}
	if _, err := TopK("t", "", []Curve{{Name: "x", Metrics: map[string]float64{"mrr@10": 1}}}); err == nil {
		t.Error("TopK without Top-k metrics succeeded")
	}
}
