package train

import (
	"encoding/base64"
	"fmt"
	"math"
	randv2 "math/rand/v2"
	"strconv"
	"strings"
)

// Sampling over the M training sets of a mixture run: every batch comes from one dataset i
// drawn with probability P(i) = softmax(ψ)ᵢ. The static samplers fix ψ once; infdds
// (infdds.go) updates it during training.

// Sampler names (Mixture.Sampler). "fixed:w1,w2,…" carries its weights.
const (
	SamplerUniform      = "uniform"      // P(i) = 1/M
	SamplerProportional = "proportional" // P(i) ∝ nᵢ^(1/T), nᵢ the labelled pairs of dataset i
	SamplerFixed        = "fixed"        // P(i) ∝ wᵢ as given
	SamplerInfDDS       = "infdds"       // learned: see InfDDS
)

// InitialPsi returns ψ for a static sampler spec over datasets of sizes n (labelled pairs):
// "uniform" → ψ = 0; "proportional" → ψᵢ = log(nᵢ)/T (so P(i) ∝ nᵢ^(1/T): T = 1 is
// size-proportional, larger T flattens towards uniform, as multilingual models sample
// languages); "fixed:w1,…,wM" → ψᵢ = log(wᵢ / Σw) (a zero weight gives ExcludedPsi: never
// drawn, never updated).
func InitialPsi(spec string, n []int, temperature float64) ([]float64, error) {
	m := len(n)
	if m == 0 {
		return nil, fmt.Errorf("sampler %q: no datasets", spec)
	}
	psi := make([]float64, m)
	kind, arg, hasArg := strings.Cut(strings.TrimSpace(spec), ":")
	switch kind {
	case SamplerUniform:
		if hasArg {
			return nil, fmt.Errorf("sampler %q: uniform takes no weights", spec)
		}
	case SamplerProportional:
		if hasArg {
			return nil, fmt.Errorf("sampler %q: proportional takes no weights (set --temperature)", spec)
		}
		if !(temperature > 0) || math.IsInf(temperature, 0) {
			return nil, fmt.Errorf("temperature %g: must be a positive number", temperature)
		}
		for i, c := range n {
			if c < 1 {
				return nil, fmt.Errorf("sampler proportional: dataset %d has no training pairs", i+1)
			}
			psi[i] = math.Log(float64(c)) / temperature
		}
	case SamplerFixed:
		parts := strings.Split(arg, ",")
		if !hasArg || len(parts) != m {
			return nil, fmt.Errorf("sampler %q: want fixed:w1,…,w%d (one weight per --data, in order)", spec, m)
		}
		sum := 0.0
		w := make([]float64, m)
		for i, s := range parts {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
				return nil, fmt.Errorf("sampler %q: weight %d %q must be a number ≥ 0", spec, i+1, s)
			}
			w[i], sum = v, sum+v
		}
		if !(sum > 0) {
			return nil, fmt.Errorf("sampler %q: the weights sum to 0", spec)
		}
		for i := range w {
			psi[i] = ExcludedPsi
			if w[i] > 0 {
				psi[i] = math.Log(w[i] / sum)
			}
		}
	default:
		return nil, fmt.Errorf("sampler %q: want uniform, proportional, fixed:w1,…,wM or infdds", spec)
	}
	return psi, nil
}

// ExcludedPsi is the logit of a dataset given weight 0: finite, so it can be written as JSON,
// and exp(ExcludedPsi − max ψ) is exactly 0.
const ExcludedPsi = -1e300

// Softmax returns P = softmax(ψ) (ExcludedPsi entries get 0).
func Softmax(psi []float64) []float64 {
	mx := math.Inf(-1)
	for _, v := range psi {
		mx = math.Max(mx, v)
	}
	p := make([]float64, len(psi))
	sum := 0.0
	for i, v := range psi {
		p[i] = math.Exp(v - mx)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// pick returns the index i with CDF(i−1) ≤ u < CDF(i) for u in [0, 1) (the last positive
// weight when rounding leaves u past the end).
func pick(p []float64, u float64) int {
	acc, last := 0.0, 0
	for i, v := range p {
		if v <= 0 {
			continue
		}
		acc += v
		last = i
		if u < acc {
			return i
		}
	}
	return last
}

// samplerRNG is the mixture's random stream (dataset draws, proxy batches): a PCG whose state
// is saved with each checkpoint, so a resumed run draws exactly what the uninterrupted one would.
type samplerRNG struct {
	src *randv2.PCG
	r   *randv2.Rand
}

func newSamplerRNG(seed int64) *samplerRNG {
	src := randv2.NewPCG(uint64(seed), 0x696e66646473) // "infdds"
	return &samplerRNG{src: src, r: randv2.New(src)}
}

func (s *samplerRNG) Float64() float64 { return s.r.Float64() }
func (s *samplerRNG) IntN(n int) int   { return s.r.IntN(n) }

// state is the PCG state, base64-encoded for JSON.
func (s *samplerRNG) state() string {
	b, _ := s.src.MarshalBinary() // never fails for a PCG
	return base64.StdEncoding.EncodeToString(b)
}

func (s *samplerRNG) restore(state string) error {
	b, err := base64.StdEncoding.DecodeString(state)
	if err != nil {
		return fmt.Errorf("sampler rng state: %w", err)
	}
	if err := s.src.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("sampler rng state: %w", err)
	}
	return nil
}
