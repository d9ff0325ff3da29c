package head

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LossName names one training loss term. Each has its own file with its formula, the
// scores it reads (S or S/τ), its masks and its gradient notes:
//
//	infonce     infonce.go     −log softmax(S/τ)₊
//	modinfonce  modinfonce.go  −(1 − p₊)·log p₊
//	dyn         dyn.go         binary cross-entropy on S
//	reg (l2)    reg.go         ‖W_q‖² + ‖W_p‖² + ‖v‖²  (L2 penalty of the head's weights)
//	std         regstd.go      std(σ(s⁺)) + std(σ(s⁻)) + std(s⁺) + std(s⁻)  (the ARS paper's
//	                           regulariser: spread of the scores within positives and
//	                           within negatives; `std=0.1` is the paper's λ)
//
// reg and std are the two regularisers: reg is an L2 penalty, std is the one the ARS
// authors' code uses. "l2" is the documented name of reg: ParseLossName resolves it to
// Reg ("reg" stays the stored name, so config.json files with "reg" load unchanged).
type LossName string

// The loss terms.
const (
	InfoNCE    LossName = "infonce"
	ModInfoNCE LossName = "modinfonce"
	Dyn        LossName = "dyn"
	Reg        LossName = "reg" // L2; also written "l2" (see lossAliases)
	Std        LossName = "std"
)

// lossAliases maps other accepted spellings to their term.
var lossAliases = map[LossName]LossName{"l2": Reg}

// lossList is the list of accepted names for error messages.
const lossList = "infonce, modinfonce, dyn, l2 (or reg), std"

// LossNames lists every term, in the order graphs add them up.
var LossNames = []LossName{Dyn, InfoNCE, ModInfoNCE, Reg, Std}

// ParseLossName accepts a term name in any case, with surrounding spaces; "l2" is
// resolved to Reg.
func ParseLossName(s string) (LossName, error) {
	n := LossName(strings.ToLower(strings.TrimSpace(s)))
	if a, ok := lossAliases[n]; ok {
		return a, nil
	}
	for _, k := range LossNames {
		if n == k {
			return n, nil
		}
	}
	return "", fmt.Errorf("unknown loss %q (want %s)", strings.TrimSpace(s), lossList)
}

// Scoring reports whether the term ranks passages (every term but the regularisers
// reg and std): a training needs at least one with a positive weight.
func (n LossName) Scoring() bool { return n != Reg && n != Std }

// Weights is a validated set of loss terms and their weights: names known, weights
// finite and ≥ 0, at least one scoring term with a positive weight. NewWeights and
// ParseWeights are the only ways to build one, so a Graph never re-checks it.
type Weights struct {
	w map[LossName]float64
}

// NewWeights validates a term → weight map (the form config.json stores). Names must
// be lower case; "l2" is stored as "reg", and giving both is an error.
func NewWeights(m map[string]float64) (Weights, error) {
	if len(m) == 0 {
		return Weights{}, fmt.Errorf("losses: none given (want some of %s)", lossList)
	}
	out := Weights{w: make(map[LossName]float64, len(m))}
	scoring := false
	for name, w := range m {
		n, err := ParseLossName(name)
		if err != nil || (string(n) != name && lossAliases[LossName(name)] != n) {
			return Weights{}, fmt.Errorf("losses: unknown term %q (want %s)", name, lossList)
		}
		if _, dup := out.w[n]; dup {
			return Weights{}, fmt.Errorf("losses: %s given twice (l2 and reg are one term)", n)
		}
		if !(w >= 0) || math.IsInf(w, 0) {
			return Weights{}, fmt.Errorf("losses: %s weight %g must be a number ≥ 0", name, w)
		}
		if n.Scoring() && w > 0 {
			scoring = true
		}
		out.w[n] = w
	}
	if !scoring {
		return Weights{}, errors.New("losses: need a positive weight on infonce, modinfonce or dyn")
	}
	return out, nil
}

// ParseWeights parses "infonce,dyn,l2" (weight 1 each) or "infonce=1,dyn=0.5,std=0.1"
// and validates the result like NewWeights ("l2" and "reg" are the same term).
func ParseWeights(s string) (Weights, error) {
	m := map[string]float64{}
	for _, part := range splitTerms(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, hasVal := strings.Cut(part, "=")
		n, err := ParseLossName(name)
		if err != nil {
			return Weights{}, err
		}
		w := 1.0
		if hasVal {
			v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			if err != nil {
				return Weights{}, fmt.Errorf("loss %q weight %q: %w", n, val, err)
			}
			if v < 0 {
				return Weights{}, fmt.Errorf("loss %q weight %g is negative", n, v)
			}
			w = v
		}
		if _, dup := m[string(n)]; dup {
			return Weights{}, fmt.Errorf("loss %q given twice", n)
		}
		m[string(n)] = w
	}
	if len(m) == 0 {
		return Weights{}, errors.New("no loss terms given")
	}
	return NewWeights(m)
}

// Has reports whether the term is part of the loss (possibly with weight 0).
func (w Weights) Has(n LossName) bool { _, ok := w.w[n]; return ok }

// Weight is the term's weight (0 when absent).
func (w Weights) Weight(n LossName) float64 { return w.w[n] }

// Names lists the terms present, in LossNames order.
func (w Weights) Names() []LossName {
	var out []LossName
	for _, n := range LossNames {
		if w.Has(n) {
			out = append(out, n)
		}
	}
	return out
}

// Map returns the weights keyed by name (a fresh map; the config.json form).
func (w Weights) Map() map[string]float64 {
	out := make(map[string]float64, len(w.w))
	for n, v := range w.w {
		out[string(n)] = v
	}
	return out
}

// String is "dyn=0.5,infonce=1" (sorted names).
func (w Weights) String() string {
	parts := make([]string, 0, len(w.w))
	for n, v := range w.w {
		parts = append(parts, string(n)+"="+strconv.FormatFloat(v, 'g', -1, 64))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// addLosses builds every term of gr.weights and their weighted sum
//
//	Total = Σ_term weight(term) · term
//
// the only place the weights meet the terms. Terms are added in LossNames order so the
// graph (and its float rounding) does not depend on map order. reg on a dot or cos head
// has no weights to penalise: it is left out of the graph and reported as 0.
func (gr *Graph) addLosses() error {
	for _, name := range gr.weights.Names() {
		var t *G.Node
		var err error
		switch name {
		case InfoNCE:
			t, err = gr.infoNCETerm()
		case ModInfoNCE:
			t, err = gr.modInfoNCETerm()
		case Dyn:
			t, err = gr.dynTerm()
		case Reg:
			t, err = gr.regTerm()
		case Std:
			t, err = gr.stdTerm()
		}
		if err != nil {
			return fmt.Errorf("loss %s: %w", name, err)
		}
		if t == nil {
			continue
		}
		gr.terms[name] = t
		w := G.NewConstant(gr.weights.Weight(name), G.WithName("w_"+string(name)))
		wt, err := G.HadamardProd(w, t)
		if err != nil {
			return fmt.Errorf("loss %s: %w", name, err)
		}
		if gr.total == nil {
			gr.total = wt
		} else if gr.total, err = G.Add(gr.total, wt); err != nil {
			return fmt.Errorf("loss %s: %w", name, err)
		}
	}
	return nil
}

// scaled returns S/τ (B×C), built once per graph. log τ enters as a B×C tensor filled
// with it (a layoutFill tie), not as a scalar — the no-broadcast layout of the gorgonia
// notes on Graph; TestGradientsFiniteDifferences checks the head.log_tau gradient.
func (gr *Graph) scaled() (*G.Node, error) {
	if gr.scaledNode != nil {
		return gr.scaledNode, nil
	}
	b, c := gr.st.B, gr.st.C
	lt := gr.newTie("logTau", gr.hd.LogTau, gr.hd.gLogTau, layoutFill, b*c, gr.learnTau, b, c)
	nlt, err := G.Neg(lt)
	if err != nil {
		return nil, err
	}
	invTau, err := G.Exp(nlt)
	if err != nil {
		return nil, err
	}
	gr.scaledNode, err = G.HadamardProd(gr.scores, invTau)
	return gr.scaledNode, err
}

// posColumn returns x_i0 per row as a B vector (Σ_j x_ij·[j=0]).
func posColumn(x *G.Node) (*G.Node, error) {
	shp := x.Shape()
	b, c := shp[0], shp[1]
	oh := make([]float64, b*c)
	for i := range b {
		oh[i*c] = 1
	}
	onehot := G.NewConstant(tensor.New(tensor.WithShape(b, c), tensor.WithBacking(oh)), G.WithName(fmt.Sprintf("onehot%dx%d", b, c)))
	h, err := G.HadamardProd(x, onehot)
	if err != nil {
		return nil, err
	}
	return G.Sum(h, 1)
}

func filled(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// splitTerms splits a loss list on "," and on a "+" that starts a term name
// ("infonce=1+dyn=0.5", the form a sweep grid needs, whose values are split on ","),
// leaving the "+" of an exponent ("1e+4") inside its number.
func splitTerms(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ',' || (c == '+' && i+1 < len(s) && (s[i+1] >= 'a' && s[i+1] <= 'z' || s[i+1] >= 'A' && s[i+1] <= 'Z')) {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}
