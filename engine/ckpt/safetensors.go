package ckpt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
)

// Tensor is one named float32 tensor of a safetensors file.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

type stEntry struct {
	Dtype       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// maxHeader bounds the JSON header we accept (the format caps it at 100 MB).
const maxHeader = 100 << 20

// EncodeSafetensors serialises tensors: 8-byte little-endian header length, the JSON
// header {name: {dtype: "F32", shape, data_offsets}} padded with spaces to a multiple
// of 8, then the raw little-endian data in the given order.
func EncodeSafetensors(ts []Tensor, meta map[string]string) ([]byte, error) {
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	var off int64
	for _, t := range ts {
		n := 1
		for _, s := range t.Shape {
			n *= s
		}
		if n != len(t.Data) {
			return nil, fmt.Errorf("safetensors: tensor %s: shape %v holds %d values, data has %d", t.Name, t.Shape, n, len(t.Data))
		}
		if _, dup := header[t.Name]; dup {
			return nil, fmt.Errorf("safetensors: tensor %s given twice", t.Name)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[t.Name] = stEntry{Dtype: "F32", Shape: shape, DataOffsets: [2]int64{off, off + int64(4*n)}}
		off += int64(4 * n)
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("safetensors: header: %w", err)
	}
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	buf := make([]byte, 8+len(hj)+int(off))
	binary.LittleEndian.PutUint64(buf, uint64(len(hj)))
	copy(buf[8:], hj)
	p := 8 + len(hj)
	for _, t := range ts {
		for _, v := range t.Data {
			binary.LittleEndian.PutUint32(buf[p:], math.Float32bits(v))
			p += 4
		}
	}
	return buf, nil
}

// DecodeSafetensors parses a safetensors file of floating-point tensors (F32, and F16,
// BF16 or F64 converted to float32), sorted by name.
func DecodeSafetensors(b []byte) ([]Tensor, map[string]string, error) {
	raw, meta, err := ParseSafetensors(b)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Tensor, 0, len(raw))
	for _, r := range raw {
		data, err := r.Float32()
		if err != nil {
			return nil, nil, fmt.Errorf("safetensors: %w", err)
		}
		out = append(out, Tensor{Name: r.Name, Shape: r.Shape, Data: data})
	}
	return out, meta, nil
}

// ReadMeta reads only the __metadata__ of the safetensors file at path.
func ReadMeta(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lb [8]byte
	if _, err := io.ReadFull(f, lb[:]); err != nil {
		return nil, fmt.Errorf("%s: safetensors: %w", path, err)
	}
	hl := binary.LittleEndian.Uint64(lb[:])
	if hl > maxHeader {
		return nil, fmt.Errorf("%s: safetensors: header length %d is too large", path, hl)
	}
	h := make([]byte, hl)
	if _, err := io.ReadFull(f, h); err != nil {
		return nil, fmt.Errorf("%s: safetensors: header: %w", path, err)
	}
	var raw struct {
		Meta map[string]string `json:"__metadata__"`
	}
	if err := json.Unmarshal(bytes.TrimRight(h, " "), &raw); err != nil {
		return nil, fmt.Errorf("%s: safetensors: header: %w", path, err)
	}
	return raw.Meta, nil
}
