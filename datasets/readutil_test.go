package datasets

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestLineReader(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a"}},
		{"\xef\xbb\xbfa\r\nb\n\nc", []string{"a", "b", "", "c"}},                     // BOM dropped, CRLF, blank kept
		{"x\xef\xbb\xbf\n\xef\xbb\xbfy", []string{"x\xef\xbb\xbf", "\xef\xbb\xbfy"}}, // BOM only stripped at the start
	}
	for _, tc := range tests {
		lr := newLineReader(strings.NewReader(tc.in))
		var got []string
		for {
			line, err := lr.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, string(line))
			if lr.line != len(got) {
				t.Errorf("%q: line number %d after %d lines", tc.in, lr.line, len(got))
			}
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("%q: lines %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseGrade(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "2": 2, " 1 ": 1, "-1": -1, "1.0": 1, "3e0": 3} {
		if got, err := parseGrade(in); err != nil || got != want {
			t.Errorf("parseGrade(%q) = %d, %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "0.5", "NaN", "Inf", "1e12"} {
		if _, err := parseGrade(in); err == nil {
			t.Errorf("parseGrade(%q) succeeded", in)
		}
	}
}

func TestParseErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    ParseError
		want string
	}{
		{ParseError{File: "corpus.jsonl", Line: 17, Field: "_id", Msg: "missing"}, `corpus.jsonl:17: field "_id": missing`},
		{ParseError{File: "train-v1.json", Path: "data[3].paragraphs[0]", Field: "context", Msg: "not a string"},
			`train-v1.json: data[3].paragraphs[0]: field "context": not a string`},
		{ParseError{File: "x.tsv", Msg: "no rows"}, `x.tsv: no rows`},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
