package text

import (
	"fmt"
	"strings"
)

// LangSet is a set of the languages that have per-language resources: Arabic, English and
// Vietnamese. The zero value is empty.
type LangSet uint8

// The members of a LangSet.
const (
	ArabicSet     LangSet = 1 << iota // ar
	EnglishSet                        // en
	VietnameseSet                     // vi

	// AllLangs holds every language with a stopword list.
	AllLangs = ArabicSet | EnglishSet | VietnameseSet
	// StemLangs holds the languages with a stemmer.
	StemLangs = ArabicSet
)

// setLangs lists the members in their canonical order (the order String writes). Read-only.
var setLangs = [...]struct {
	lang Lang
	bit  LangSet
}{{Arabic, ArabicSet}, {English, EnglishSet}, {Vietnamese, VietnameseSet}}

func langBit(l Lang) LangSet {
	for _, m := range setLangs {
		if m.lang == l {
			return m.bit
		}
	}
	return 0
}

// Has reports whether l is in s (never for Other).
func (s LangSet) Has(l Lang) bool { return s != 0 && s&langBit(l) != 0 }

// Langs returns the members of s in the order ar, en, vi.
func (s LangSet) Langs() []Lang {
	var out []Lang
	for _, m := range setLangs {
		if s&m.bit != 0 {
			out = append(out, m.lang)
		}
	}
	return out
}

// String writes s as the spec value ParseAnalyzer reads: the members joined by "+" in the order
// ar, en, vi ("ar+vi"), or "off" when s is empty.
func (s LangSet) String() string {
	var parts []string
	for _, l := range s.Langs() {
		parts = append(parts, string(l))
	}
	if len(parts) == 0 {
		return "off"
	}
	return strings.Join(parts, "+")
}

// optionFlags names the switches of Options in the order String writes them. Read-only.
var optionFlags = [...]struct {
	name string
	of   func(*Options) *bool
}{
	{"nfkc", func(o *Options) *bool { return &o.NFKC }},
	{"lower", func(o *Options) *bool { return &o.Lower }},
	{"diacritics", func(o *Options) *bool { return &o.ArabicDiacritics }},
	{"tatweel", func(o *Options) *bool { return &o.ArabicTatweel }},
	{"alef", func(o *Options) *bool { return &o.ArabicAlef }},
	{"yaa", func(o *Options) *bool { return &o.ArabicYaa }},
	{"taa", func(o *Options) *bool { return &o.ArabicTaaMarbuta }},
	{"digits", func(o *Options) *bool { return &o.Digits }},
	{"vitone", func(o *Options) *bool { return &o.VietTone }},
}

func flagIndex(name string) int {
	for i, f := range optionFlags {
		if f.name == name {
			return i
		}
	}
	return -1
}

func flagNames() string {
	names := make([]string, len(optionFlags))
	for i, f := range optionFlags {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// DefaultAnalyzerSpec is NewAnalyzer().String(): every normalisation step, no stopwords, no stemming.
const DefaultAnalyzerSpec = "stem=off,stop=off,norm=all"

// String describes a exactly, in the spec syntax ParseAnalyzer reads, so it can be recorded
// with results (eval JSON, bench rows) and parsed back to the same Analyzer:
//
//	stem=<langs|off>,stop=<langs|off>,norm=<all|none|flag+flag…>
//
// Languages are written ar, en, vi in that order; Stem lists only languages with a stemmer (the
// others have no effect). norm lists the enabled Options in the order nfkc, lower, diacritics,
// tatweel, alef, yaa, taa, digits, vitone, or says all or none. NewAnalyzer gives
// DefaultAnalyzerSpec; the Lucene-like Arabic setting is "stem=ar,stop=ar,norm=all".
func (a Analyzer) String() string {
	return "stem=" + (a.Stem & StemLangs).String() + ",stop=" + (a.Stop & AllLangs).String() + ",norm=" + normString(a.Opts)
}

func normString(o Options) string {
	var on []string
	for _, f := range optionFlags {
		if *f.of(&o) {
			on = append(on, f.name)
		}
	}
	switch len(on) {
	case 0:
		return "none"
	case len(optionFlags):
		return "all"
	}
	return strings.Join(on, "+")
}

// ParseAnalyzer builds an Analyzer from a spec (the --analyzer flag). A spec is a comma-separated
// list of key=value settings applied to the default analyzer (NewAnalyzer); "" and "default"
// give the default itself. Keys:
//
//	stem=on|off|LANGS   light stemming; on = every language with a stemmer (ar)
//	stop=on|off|LANGS   stopword removal; on = ar+en+vi
//	norm=all|none|FLAGS the normalisation steps, exactly: all (on) or none (off), or the
//	                    steps to enable joined by +, e.g. norm=nfkc+lower
//	FLAG=on|off         one normalisation step, applied after norm whatever the order
//
// LANGS joins language codes with +: ar, en, vi ("stop=ar+en"). FLAG is one of nfkc (NFKC
// instead of NFC), lower, diacritics (Arabic harakat and marks), tatweel, alef (أ إ آ ٱ → ا),
// yaa (ى → ي), taa (ة → ه), digits (Arabic-Indic → 0-9), vitone (Vietnamese tone placement).
// Spaces around settings are ignored. Examples: "stem=ar,stop=ar+en+vi", "stem=on,stop=off",
// "stop=en,lower=off", "norm=none". A key given twice, an unknown key, language or value is an
// error naming it.
func ParseAnalyzer(spec string) (Analyzer, error) {
	a := NewAnalyzer()
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "default" {
		return a, nil
	}
	fail := func(format string, args ...any) (Analyzer, error) {
		return Analyzer{}, fmt.Errorf("text: analyzer %q: %s", spec, fmt.Sprintf(format, args...))
	}
	seen := make(map[string]bool, 4)
	var flags [len(optionFlags)]int8 // 0 unset, 1 on, -1 off
	for item := range strings.SplitSeq(spec, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return fail("%q is not key=value (want e.g. stem=ar,stop=ar+en)", strings.TrimSpace(item))
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if seen[key] {
			return fail("%s given twice", key)
		}
		seen[key] = true
		switch key {
		case "stem":
			s, err := parseLangSet(val, StemLangs, "stemmer")
			if err != nil {
				return fail("stem: %v", err)
			}
			a.Stem = s
		case "stop":
			s, err := parseLangSet(val, AllLangs, "stopword list")
			if err != nil {
				return fail("stop: %v", err)
			}
			a.Stop = s
		case "norm":
			o, err := parseNorm(val)
			if err != nil {
				return fail("norm: %v", err)
			}
			a.Opts = o
		default:
			i := flagIndex(key)
			if i < 0 {
				return fail("unknown key %q (want stem, stop, norm or one of %s)", key, flagNames())
			}
			switch val {
			case "on":
				flags[i] = 1
			case "off":
				flags[i] = -1
			default:
				return fail("%s = %q, want on or off", key, val)
			}
		}
	}
	for i, f := range flags {
		if f != 0 {
			*optionFlags[i].of(&a.Opts) = f > 0
		}
	}
	return a, nil
}

// parseLangSet reads on, off or languages joined by + from avail, the languages that have a what.
func parseLangSet(val string, avail LangSet, what string) (LangSet, error) {
	switch val {
	case "on":
		return avail, nil
	case "off":
		return 0, nil
	}
	var s LangSet
	for code := range strings.SplitSeq(val, "+") {
		code = strings.TrimSpace(code)
		bit := langBit(Lang(code))
		switch {
		case bit == 0:
			return 0, fmt.Errorf("unknown language %q (want on, off or languages from %s joined by +)", code, avail)
		case bit&avail == 0:
			return 0, fmt.Errorf("no %s for %q (have: %s)", what, code, avail)
		}
		s |= bit
	}
	return s, nil
}

// parseNorm reads all, none, on, off or flag names joined by +.
func parseNorm(val string) (Options, error) {
	switch val {
	case "all", "on":
		return DefaultOptions(), nil
	case "none", "off":
		return Options{}, nil
	}
	var o Options
	for name := range strings.SplitSeq(val, "+") {
		name = strings.TrimSpace(name)
		i := flagIndex(name)
		if i < 0 {
			return Options{}, fmt.Errorf("unknown step %q (want all, none or steps from %s joined by +)", name, flagNames())
		}
		*optionFlags[i].of(&o) = true
	}
	return o, nil
}
