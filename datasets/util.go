package datasets

import (
	"slices"
	"sort"
)

// sortedStrings returns s sorted (in place) for stable messages.
func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}

// splitOrder ranks the standard splits first, then others by name.
func splitOrder(a, b Split) int {
	rank := func(s Split) int {
		switch s {
		case Train:
			return 0
		case Dev:
			return 1
		case Test:
			return 2
		}
		return 3
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra - rb
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortedSplits lists the splits of m in train, dev, test, others order.
func sortedSplits[V any](m map[Split]V) []Split {
	out := make([]Split, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	slices.SortFunc(out, splitOrder)
	return out
}

// sortedKeys lists map keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
