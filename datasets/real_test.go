package datasets

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// realData is the shared data folder beside the repository (absent on most machines).
const realData = "../../shared/datasets"

// maxRealFile skips files too large for a unit test run.
const maxRealFile = 1 << 30

// TestRealDatasets loads every candidate under ../shared/datasets and validates it.
// Files in no supported format are logged, not failed.
func TestRealDatasets(t *testing.T) {
	if _, err := os.Stat(realData); err != nil {
		t.Skipf("no real data at %s", realData)
	}
	if testing.Short() {
		t.Skip("-short: skipping real data")
	}
	var candidates []string
	err := filepath.WalkDir(realData, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(p, "corpus.jsonl")); err == nil {
				candidates = append(candidates, p)
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".jsonl", ".tsv", ".csv", ".xml":
			if info, err := e.Info(); err == nil && info.Size() > maxRealFile {
				t.Logf("skip %s: %d MiB", p, info.Size()>>20)
				return nil
			}
			candidates = append(candidates, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range candidates {
		start := time.Now()
		d, err := Load(p)
		if errors.Is(err, ErrUnknownFormat) {
			t.Logf("skip %s: %v", p, err)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		t.Logf("%s: %s, %d passages, %d queries, splits %v, %v", p, d.Format, len(d.Passages), len(d.Queries), d.Splits(), time.Since(start).Round(time.Millisecond))
	}
}

// writeSyntheticBEIR writes a seeded BEIR folder with n passages (≈60 words each),
// n/10 queries and one judgement per query. It stands in for real data here.
func writeSyntheticBEIR(dir string, n int) error {
	rng := rand.New(rand.NewSource(1))
	words := []string{"cairo", "nile", "river", "capital", "egypt", "القاهرة", "مصر", "hà", "nội", "thủ", "đô", "city", "north", "delta", "history"}
	sentence := func(k int) string {
		var b strings.Builder
		for i := 0; i < k; i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.Intn(len(words))])
		}
		return b.String()
	}
	var corpus, queries, qrels strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&corpus, "{\"_id\": \"doc%d\", \"title\": %q, \"text\": %q}\n", i, sentence(3), sentence(60))
	}
	qrels.WriteString("query-id\tcorpus-id\tscore\n")
	for i := 0; i < n/10; i++ {
		fmt.Fprintf(&queries, "{\"_id\": \"q%d\", \"text\": %q}\n", i, sentence(8))
		fmt.Fprintf(&qrels, "q%d\tdoc%d\t1\n", i, rng.Intn(n))
	}
	if err := os.MkdirAll(filepath.Join(dir, "qrels"), 0o755); err != nil {
		return err
	}
	for name, s := range map[string]string{"corpus.jsonl": corpus.String(), "queries.jsonl": queries.String(), "qrels/test.tsv": qrels.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// TestSyntheticBEIR checks a generated corpus round-trips (counts and one passage).
func TestSyntheticBEIR(t *testing.T) {
	dir := t.TempDir()
	if err := writeSyntheticBEIR(dir, 2000); err != nil {
		t.Fatal(err)
	}
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Passages) != 2000 || len(d.Queries) != 200 || len(d.Qrels[Test]) > 200 || d.Passages[1999].ID != "doc1999" {
		t.Errorf("got %d passages, %d queries, %d judged, last id %q", len(d.Passages), len(d.Queries), len(d.Qrels[Test]), d.Passages[1999].ID)
	}
	if got := countTokens(d.Passages[7].Text); got != 60 {
		t.Errorf("passage 7 has %d tokens, want 60", got)
	}
}

// BenchmarkLoadBEIR100k loads a synthetic 100k-passage BEIR folder (real data when present is
// covered by TestRealDatasets). Run: go test ./datasets -run '^$' -bench LoadBEIR -benchtime 3x
func BenchmarkLoadBEIR100k(b *testing.B) {
	dir := b.TempDir()
	if err := writeSyntheticBEIR(dir, 100000); err != nil {
		b.Fatal(err)
	}
	info, _ := os.Stat(filepath.Join(dir, "corpus.jsonl"))
	b.SetBytes(info.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := Load(dir)
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Passages) != 100000 {
			b.Fatalf("%d passages", len(d.Passages))
		}
	}
}

// BenchmarkStats100k measures ComputeStats (token counts, language detection) on the same corpus.
func BenchmarkStats100k(b *testing.B) {
	dir := b.TempDir()
	if err := writeSyntheticBEIR(dir, 100000); err != nil {
		b.Fatal(err)
	}
	d, err := Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = ComputeStats(d)
	}
}
