package head

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Reg, the L2 penalty of the ARS head's weights (written "l2" or, as stored in
// config.json, "reg"):
//
//	L = ‖W_q‖² + ‖W_p‖² + ‖v‖²
//
// It is not the ARS paper's regulariser: that one, the spread of the scores within
// positives and within negatives, is std (regstd.go).
//
// No τ and no mask: it does not look at the scores. Biases and c are not penalised.
// Dot and cos heads have no weights, so the term is 0 there (left out of the graph,
// reported as 0). Its weight in the total is Weights.Weight(Reg); AdamW's decoupled
// weight decay is separate and applies to the encoders too.

func (gr *Graph) regTerm() (*G.Node, error) {
	if gr.regW == nil {
		return nil, nil // dot and cos have no head weights: the term is 0
	}
	return reg(gr.regW...)
}

// reg is Σ_k ‖w_k‖² (sum of squares of every given weight node).
func reg(ws ...*G.Node) (*G.Node, error) {
	if len(ws) == 0 {
		return nil, fmt.Errorf("reg: no weights given")
	}
	var total *G.Node
	for _, w := range ws {
		sq, err := G.Square(w)
		if err != nil {
			return nil, fmt.Errorf("reg: %w", err)
		}
		s, err := G.Sum(sq)
		if err != nil {
			return nil, fmt.Errorf("reg: %w", err)
		}
		if total == nil {
			total = s
			continue
		}
		if total, err = G.Add(total, s); err != nil {
			return nil, fmt.Errorf("reg: %w", err)
		}
	}
	return total, nil
}
