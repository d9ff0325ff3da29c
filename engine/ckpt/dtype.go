package ckpt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// RawTensor is one tensor of a safetensors file as stored: its dtype, shape and bytes
// (little-endian), not yet converted.
type RawTensor struct {
	Name  string
	Dtype string // "F32", "F16", "BF16", "F64", "I64", …
	Shape []int
	Bytes []byte // aliases the file's buffer
}

// dtypeSize is the byte size of each dtype the format defines (those we can convert and
// those we can only skip).
var dtypeSize = map[string]int{
	"F64": 8, "F32": 4, "F16": 2, "BF16": 2,
	"I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1,
}

// ParseSafetensors splits a safetensors file into its tensors (sorted by name, bytes
// unconverted) and its __metadata__. Each tensor's offsets must hold exactly its shape.
func ParseSafetensors(b []byte) ([]RawTensor, map[string]string, error) {
	if len(b) < 8 {
		return nil, nil, fmt.Errorf("safetensors: file of %d bytes is too short", len(b))
	}
	hl := binary.LittleEndian.Uint64(b)
	if hl > maxHeader || hl > uint64(len(b)-8) {
		return nil, nil, fmt.Errorf("safetensors: header length %d does not fit a %d-byte file", hl, len(b))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimRight(b[8:8+hl], " "), &raw); err != nil {
		return nil, nil, fmt.Errorf("safetensors: header: %w", err)
	}
	data := b[8+hl:]
	var meta map[string]string
	out := make([]RawTensor, 0, len(raw))
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, nil, fmt.Errorf("safetensors: metadata: %w", err)
			}
			continue
		}
		var e stEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %s: %w", name, err)
		}
		size, ok := dtypeSize[e.Dtype]
		if !ok {
			return nil, nil, fmt.Errorf("safetensors: tensor %s has unknown dtype %q", name, e.Dtype)
		}
		n := int64(1)
		for _, s := range e.Shape {
			if s < 0 {
				return nil, nil, fmt.Errorf("safetensors: tensor %s has negative shape %v", name, e.Shape)
			}
			n *= int64(s)
		}
		lo, hi := e.DataOffsets[0], e.DataOffsets[1]
		if lo < 0 || hi < lo || hi > int64(len(data)) || hi-lo != int64(size)*n {
			return nil, nil, fmt.Errorf("safetensors: tensor %s: offsets [%d,%d) do not hold %s shape %v in %d data bytes", name, lo, hi, e.Dtype, e.Shape, len(data))
		}
		shape := e.Shape
		if shape == nil {
			shape = []int{}
		}
		out = append(out, RawTensor{Name: name, Dtype: e.Dtype, Shape: shape, Bytes: data[lo:hi]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, meta, nil
}

// Float32 converts a floating-point tensor (F32, F16, BF16 or F64) to float32. F16 and
// BF16 widen exactly; F64 rounds to nearest.
func (t RawTensor) Float32() ([]float32, error) {
	size, ok := dtypeSize[t.Dtype]
	if !ok {
		return nil, fmt.Errorf("tensor %s: unknown dtype %q", t.Name, t.Dtype)
	}
	n := len(t.Bytes) / size
	out := make([]float32, n)
	b := t.Bytes
	switch t.Dtype {
	case "F32":
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case "F64":
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
		}
	case "BF16":
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
		}
	case "F16":
		for i := range out {
			out[i] = HalfToFloat32(binary.LittleEndian.Uint16(b[2*i:]))
		}
	default:
		return nil, fmt.Errorf("tensor %s has dtype %s; only F32, F16, BF16 and F64 are read", t.Name, t.Dtype)
	}
	return out, nil
}

// HalfToFloat32 widens an IEEE 754 binary16 value (subnormals, infinities and NaN included).
func HalfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac·2⁻²⁴
		v := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}
