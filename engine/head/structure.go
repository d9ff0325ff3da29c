package head

import "fmt"

// Structure fixes which passage rows each query is scored against. P has M rows;
// query i is scored against rows Cand[i*C : (i+1)*C], the first being its positive.
type Structure struct {
	Kind    string // "hard", "inbatch" or "both"
	B, C, M int
	Cand    []int
}

// HardStructure: query i owns P rows i(1+k) … i(1+k)+k, positive first; S is B×(1+k).
func HardStructure(b, k int) Structure {
	c := 1 + k
	st := Structure{Kind: "hard", B: b, C: c, M: b * c, Cand: make([]int, b*c)}
	for r := range st.Cand {
		st.Cand[r] = r
	}
	return st
}

// InBatchStructure: P holds the B positives; query i's candidates are row i then the
// other queries' positives in order; S is B×B.
func InBatchStructure(b int) Structure {
	st := Structure{Kind: "inbatch", B: b, C: b, M: b, Cand: make([]int, 0, b*b)}
	for i := range b {
		st.Cand = append(st.Cand, i)
		for j := range b {
			if j != i {
				st.Cand = append(st.Cand, j)
			}
		}
	}
	return st
}

// BothStructure: P holds the B positives (rows 0…B−1) then every query's k hard
// negatives (query i's at B+i·k … B+i·k+k−1). Every query is scored against all
// M = B + B·k rows, DPR style: its own positive first, the other positives, then all
// B·k hard negatives of the batch (its own and the other queries'); S is B×(B+B·k).
func BothStructure(b, k int) Structure {
	m := b + b*k
	st := Structure{Kind: "both", B: b, C: m, M: m, Cand: make([]int, 0, b*m)}
	for i := range b {
		st.Cand = append(st.Cand, i)
		for j := range m {
			if j != i {
				st.Cand = append(st.Cand, j)
			}
		}
	}
	return st
}

func (st Structure) validate() error {
	if st.B < 1 || st.C < 2 || st.M < 1 {
		return fmt.Errorf("head: structure needs B ≥ 1, C ≥ 2, M ≥ 1 (got B=%d C=%d M=%d)", st.B, st.C, st.M)
	}
	if len(st.Cand) != st.B*st.C {
		return fmt.Errorf("head: structure lists %d candidates, want B·C = %d", len(st.Cand), st.B*st.C)
	}
	for _, r := range st.Cand {
		if r < 0 || r >= st.M {
			return fmt.Errorf("head: candidate row %d outside P's %d rows", r, st.M)
		}
	}
	return nil
}

func (st Structure) identity() bool {
	if st.M != len(st.Cand) {
		return false
	}
	for i, r := range st.Cand {
		if r != i {
			return false
		}
	}
	return true
}
