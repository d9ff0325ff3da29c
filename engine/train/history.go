package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/arslab/arslab/internal/atomicfile"
)

// The weight history of a mixture run (mixture.jsonl in the run folder): one JSON object a
// line, appended and fsynced as the run goes; a resumed run first drops the lines written
// after its checkpoint, then continues the file.

// historyLine is one line of mixture.jsonl. Kind "weights": the sampling weights in force
// before model step Step+1 (after an infdds round: with its rewards, the target-dev loss
// before the proxy steps and the round's seconds). Kind "dev": the target dev metrics after
// step Step.
type historyLine struct {
	Kind    string             `json:"kind"`
	Step    int                `json:"step"`
	Sampler string             `json:"sampler,omitempty"`
	Weights []float64          `json:"weights,omitempty"`
	Psi     []float64          `json:"psi,omitempty"`
	Rewards []float64          `json:"rewards,omitempty"`
	DevLoss *float64           `json:"dev_loss,omitempty"`
	Seconds float64            `json:"seconds,omitempty"`
	Counts  []int              `json:"counts,omitempty"`
	Dev     map[string]float64 `json:"dev,omitempty"`
}

// appendHistory appends one line to path and fsyncs it.
func appendHistory(path string, l historyLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("weight history: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("weight history: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("weight history: %w", err)
	}
	return f.Close()
}

// ReadHistory reads mixture.jsonl lines as raw JSON objects (a torn last line, from a crash
// mid-append, is skipped); errors name the file and line.
func ReadHistory(path string) ([]map[string]any, error) {
	lines, err := readHistory(path)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(lines))
	for _, l := range lines {
		var m map[string]any
		_ = json.Unmarshal(l.raw, &m)
		out = append(out, m)
	}
	return out, nil
}

type rawLine struct {
	historyLine
	raw []byte
}

func readHistory(path string) ([]rawLine, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("weight history: %w", err)
	}
	var out []rawLine
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var l historyLine
		if err := json.Unmarshal(line, &l); err != nil {
			if n == bytes.Count(b, []byte{'\n'})+1 { // unterminated last line: a torn append
				break
			}
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		out = append(out, rawLine{l, append([]byte(nil), line...)})
	}
	return out, sc.Err()
}

// truncateHistory rewrites path (atomically) with the lines keep accepts.
func truncateHistory(path string, keep func(historyLine) bool) error {
	lines, err := readHistory(path)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, l := range lines {
		if keep(l.historyLine) {
			buf.Write(l.raw)
			buf.WriteByte('\n')
		}
	}
	if err := atomicfile.WriteFile(path, buf.Bytes()); err != nil {
		return fmt.Errorf("weight history: %w", err)
	}
	return nil
}
