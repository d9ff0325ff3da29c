// Package fusion combines the ranked lists of several retrievers into one: reciprocal rank
// fusion (RRF), CombSUM and CombMNZ over normalised scores, and weighted sums. A fused model
// is named with the syntax Parse reads, e.g. "fuse:rrf(k=60):bm25+runs/dense".
// It imports no UI package.
package fusion

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Prefix starts every fused model name.
const Prefix = "fuse:"

// Method is a fusion method.
type Method string

// The fusion methods.
const (
	RRF     Method = "rrf"     // Σ w_i / (k + rank_i), rank from 1; scores ignored
	CombSUM Method = "combsum" // Σ w_i · norm(score_i)
	CombMNZ Method = "combmnz" // CombSUM × number of lists that retrieved the passage
	WSum    Method = "wsum"    // CombSUM with required weights
)

// Norm is a per-query, per-list score normalisation.
type Norm string

// The normalisations.
const (
	NormNone   Norm = "none"   // raw scores
	NormMinMax Norm = "minmax" // (s − min)/(max − min); 1 for every entry when max = min
	NormZScore Norm = "zscore" // (s − mean)/sd with the population sd; 0 for every entry when sd = 0
)

// DefaultK is RRF's k when none is given (Cormack, Clarke & Büttcher 2009).
const DefaultK = 60

// Spec is a parsed fusion: the method, its parameters and the member model names.
type Spec struct {
	Method  Method
	K       float64   // RRF constant (RRF only)
	Norm    Norm      // score normalisation (CombSUM, CombMNZ, WSum)
	Weights []float64 // one per member; nil means all 1
	Members []string  // model names as given: "bm25", "tfidf", "runs/NAME", "run:FILE", …
}

// IsFusion reports whether a model name asks for fusion (starts with "fuse:").
func IsFusion(name string) bool { return strings.HasPrefix(name, Prefix) }

// SyntaxError locates a mistake in a fusion spec.
type SyntaxError struct {
	Input string
	Pos   int    // byte offset in Input of the mistake
	Msg   string // what was expected or wrong
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("fusion: %q at column %d: %s", e.Input, e.Pos+1, e.Msg)
}

// ErrSpec is wrapped by every error of an invalid Spec (Parse errors are *SyntaxError and wrap it too).
var ErrSpec = errors.New("fusion: invalid spec")

// Unwrap makes errors.Is(err, ErrSpec) true for syntax errors.
func (e *SyntaxError) Unwrap() error { return ErrSpec }

// Parse reads a fused model name:
//
//	spec    = "fuse:" method [ "(" [ param { sep param } ] ")" ] ":" member { "+" member }
//	method  = "rrf" | "combsum" | "combmnz" | "wsum"          (any letter case)
//	param   = name "=" value { "," value }
//	sep     = ";" | ","      (a "," starts a new param only when "name=" follows)
//	member  = text without "+", not empty, not itself "fuse:…"; spaces around it are trimmed
//
// Parameters, each at most once:
//
//	k=NUMBER          RRF only: the constant k ≥ 0 (default 60)
//	norm=NAME         CombSUM, CombMNZ, WSum: none | minmax | zscore (default minmax)
//	w=NUM,NUM,…       one finite weight ≥ 0 per member, not all 0 (required by wsum; default all 1)
//
// At least two members are needed. Examples:
//
//	fuse:rrf:bm25+runs/dense
//	fuse:rrf(k=60):bm25+tfidf+run:out/ce.trec
//	fuse:combsum(norm=minmax):bm25+runs/dense
//	fuse:combmnz(norm=zscore):bm25+runs/dense
//	fuse:wsum(w=0.7,0.3;norm=minmax):bm25+runs/dense
//
// Errors are *SyntaxError naming the column and what was expected.
func Parse(s string) (Spec, error) {
	p := &parser{in: s}
	spec, err := p.spec()
	if err != nil {
		return Spec{}, err
	}
	return spec, nil
}

type parser struct {
	in  string
	pos int
}

func (p *parser) errf(pos int, format string, args ...any) error {
	return &SyntaxError{Input: p.in, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) peek() byte {
	if p.pos < len(p.in) {
		return p.in[p.pos]
	}
	return 0
}

// found describes the text at pos for error messages.
func (p *parser) found(pos int) string {
	if pos >= len(p.in) {
		return "end of input"
	}
	r := p.in[pos:]
	if len(r) > 12 {
		r = r[:12] + "…"
	}
	return strconv.Quote(r)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.in) && p.in[p.pos] == ' ' {
		p.pos++
	}
}

func (p *parser) ident() string {
	start := p.pos
	for p.pos < len(p.in) {
		c := rune(p.in[p.pos])
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '_' {
			break
		}
		p.pos++
	}
	return p.in[start:p.pos]
}

func (p *parser) spec() (Spec, error) {
	if !strings.HasPrefix(p.in, Prefix) {
		return Spec{}, p.errf(0, "expected %q, found %s", Prefix, p.found(0))
	}
	p.pos = len(Prefix)
	mpos := p.pos
	name := strings.ToLower(p.ident())
	spec := Spec{Method: Method(name)}
	switch spec.Method {
	case RRF:
		spec.K = DefaultK
	case CombSUM, CombMNZ, WSum:
		spec.Norm = NormMinMax
	case "":
		return Spec{}, p.errf(mpos, "expected a method (rrf, combsum, combmnz, wsum), found %s", p.found(mpos))
	default:
		return Spec{}, p.errf(mpos, "unknown method %q (want rrf, combsum, combmnz or wsum)", name)
	}
	type weights struct {
		pos int
		w   []float64
	}
	var w *weights
	if p.peek() == '(' {
		p.pos++
		seen := map[string]bool{}
		p.skipSpace()
		for p.peek() != ')' {
			if len(seen) > 0 {
				if c := p.peek(); c != ';' && c != ',' {
					return Spec{}, p.errf(p.pos, "expected \";\" or \")\" after a parameter, found %s", p.found(p.pos))
				}
				p.pos++
				p.skipSpace()
			}
			ppos := p.pos
			key := strings.ToLower(p.ident())
			if key == "" {
				return Spec{}, p.errf(ppos, "expected a parameter name (k, norm, w), found %s", p.found(ppos))
			}
			if seen[key] {
				return Spec{}, p.errf(ppos, "parameter %q given twice", key)
			}
			seen[key] = true
			p.skipSpace()
			if p.peek() != '=' {
				return Spec{}, p.errf(p.pos, "expected \"=\" after %q, found %s", key, p.found(p.pos))
			}
			p.pos++
			vals, vpos := p.values()
			if len(vals) == 0 {
				return Spec{}, p.errf(p.pos, "expected a value for %q, found %s", key, p.found(p.pos))
			}
			switch key {
			case "k":
				if spec.Method != RRF {
					return Spec{}, p.errf(ppos, "parameter k is for rrf only")
				}
				if len(vals) != 1 {
					return Spec{}, p.errf(vpos[1]-1, "k takes one number")
				}
				k, err := strconv.ParseFloat(vals[0], 64)
				if err != nil || k < 0 || math.IsInf(k, 0) || math.IsNaN(k) {
					return Spec{}, p.errf(vpos[0], "expected a number ≥ 0 for k, found %q", vals[0])
				}
				spec.K = k
			case "norm":
				if spec.Method == RRF {
					return Spec{}, p.errf(ppos, "rrf uses ranks, not scores: no norm parameter")
				}
				if len(vals) != 1 {
					return Spec{}, p.errf(vpos[1]-1, "norm takes one name")
				}
				switch n := Norm(strings.ToLower(vals[0])); n {
				case NormNone, NormMinMax, NormZScore:
					spec.Norm = n
				default:
					return Spec{}, p.errf(vpos[0], "expected none, minmax or zscore for norm, found %q", vals[0])
				}
			case "w":
				w = &weights{pos: ppos}
				for i, v := range vals {
					x, err := strconv.ParseFloat(v, 64)
					if err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
						return Spec{}, p.errf(vpos[i], "expected a weight ≥ 0, found %q", v)
					}
					w.w = append(w.w, x)
				}
			default:
				return Spec{}, p.errf(ppos, "unknown parameter %q (want k, norm or w)", key)
			}
			p.skipSpace()
		}
		p.pos++ // ')'
	}
	if p.peek() != ':' {
		if p.pos >= len(p.in) {
			return Spec{}, p.errf(p.pos, "expected \":\" and the members, found end of input")
		}
		return Spec{}, p.errf(p.pos, "expected \"(\" or \":\" after the method, found %s", p.found(p.pos))
	}
	p.pos++
	start := p.pos
	for i, part := range strings.Split(p.in[start:], "+") {
		m := strings.TrimSpace(part)
		switch {
		case m == "":
			return Spec{}, p.errf(start, "expected a member model name (member %d is empty)", i+1)
		case IsFusion(m):
			return Spec{}, p.errf(start+strings.Index(part, m), "nested fusion is not supported")
		}
		spec.Members = append(spec.Members, m)
		start += len(part) + 1
	}
	if len(spec.Members) < 2 {
		return Spec{}, p.errf(len(p.in), "expected \"+\" and another member: fusion needs at least two")
	}
	if w != nil {
		if len(w.w) != len(spec.Members) {
			return Spec{}, p.errf(w.pos, "%d weights for %d members", len(w.w), len(spec.Members))
		}
		spec.Weights = w.w
	}
	if spec.Method == WSum && spec.Weights == nil {
		return Spec{}, p.errf(len(p.in), "wsum needs weights: fuse:wsum(w=…):…")
	}
	if err := spec.Validate(); err != nil {
		return Spec{}, &SyntaxError{Input: p.in, Pos: len(Prefix), Msg: strings.TrimPrefix(err.Error(), ErrSpec.Error()+": ")}
	}
	return spec, nil
}

// values reads "v{,v}" up to ";", ")", ":" or a "," followed by "name=", returning the values
// and their positions (plus the end position).
func (p *parser) values() ([]string, []int) {
	var vals []string
	var pos []int
	for {
		p.skipSpace()
		start := p.pos
		for p.pos < len(p.in) && !strings.ContainsRune(",;):", rune(p.in[p.pos])) {
			p.pos++
		}
		v := strings.TrimSpace(p.in[start:p.pos])
		if v == "" {
			return vals, append(pos, p.pos)
		}
		vals, pos = append(vals, v), append(pos, start)
		if p.peek() != ',' || p.paramFollows(p.pos+1) {
			return vals, append(pos, p.pos+1)
		}
		p.pos++
	}
}

// paramFollows reports whether "name =" starts at i (after spaces).
func (p *parser) paramFollows(i int) bool {
	for i < len(p.in) && p.in[i] == ' ' {
		i++
	}
	j := i
	for j < len(p.in) && (unicode.IsLetter(rune(p.in[j])) || p.in[j] == '_') {
		j++
	}
	for j < len(p.in) && p.in[j] == ' ' {
		j++
	}
	return j > i && j < len(p.in) && p.in[j] == '='
}

// Validate checks a Spec built by hand (Parse returns only valid ones).
func (s Spec) Validate() error {
	switch s.Method {
	case RRF:
		if !(s.K >= 0) || math.IsInf(s.K, 0) {
			return fmt.Errorf("%w: rrf k = %v, want a number ≥ 0", ErrSpec, s.K)
		}
	case CombSUM, CombMNZ, WSum:
		switch s.Norm {
		case NormNone, NormMinMax, NormZScore:
		default:
			return fmt.Errorf("%w: unknown norm %q", ErrSpec, s.Norm)
		}
	default:
		return fmt.Errorf("%w: unknown method %q", ErrSpec, s.Method)
	}
	if len(s.Members) < 2 {
		return fmt.Errorf("%w: %d members, need at least 2", ErrSpec, len(s.Members))
	}
	if s.Weights != nil {
		if len(s.Weights) != len(s.Members) {
			return fmt.Errorf("%w: %d weights for %d members", ErrSpec, len(s.Weights), len(s.Members))
		}
		sum := 0.0
		for _, w := range s.Weights {
			if !(w >= 0) || math.IsInf(w, 0) {
				return fmt.Errorf("%w: weight %v, want a finite number ≥ 0", ErrSpec, w)
			}
			sum += w
		}
		if sum == 0 {
			return fmt.Errorf("%w: all weights are 0", ErrSpec)
		}
	} else if s.Method == WSum {
		return fmt.Errorf("%w: wsum needs weights", ErrSpec)
	}
	return nil
}

// String is the canonical name of s, which Parse reads back to s:
// "fuse:rrf(k=60):A+B", "fuse:combsum(norm=minmax):A+B", "fuse:wsum(w=0.7,0.3;norm=minmax):A+B".
func (s Spec) String() string {
	var params []string
	if s.Weights != nil {
		ws := make([]string, len(s.Weights))
		for i, w := range s.Weights {
			ws[i] = strconv.FormatFloat(w, 'g', -1, 64)
		}
		params = append(params, "w="+strings.Join(ws, ","))
	}
	if s.Method == RRF {
		params = append(params, "k="+strconv.FormatFloat(s.K, 'g', -1, 64))
	} else {
		params = append(params, "norm="+string(s.Norm))
	}
	return Prefix + string(s.Method) + "(" + strings.Join(params, ";") + "):" + strings.Join(s.Members, "+")
}
