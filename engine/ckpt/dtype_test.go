package ckpt

import (
	"encoding/binary"
	"math"
	"testing"
)

// TestHalfAndBFloat16: hand-computed binary16 and bfloat16 values decode exactly.
func TestHalfAndBFloat16(t *testing.T) {
	half := map[uint16]float32{
		0x3c00: 1, 0xc000: -2, 0x3555: 0.333251953125, 0x7bff: 65504, 0x0001: 1.0 / (1 << 24),
		0x03ff: 1023.0 / (1 << 24), 0x0400: 1.0 / (1 << 14), 0x8000: float32(math.Copysign(0, -1)), 0x3800: 0.5,
	}
	for h, want := range half {
		if got := HalfToFloat32(h); got != want || math.Signbit(float64(got)) != math.Signbit(float64(want)) {
			t.Errorf("half %#04x = %g, want %g", h, got, want)
		}
	}
	if !math.IsInf(float64(HalfToFloat32(0x7c00)), 1) || !math.IsInf(float64(HalfToFloat32(0xfc00)), -1) || !math.IsNaN(float64(HalfToFloat32(0x7e00))) {
		t.Error("half Inf/NaN")
	}
	// One file holding the same three values as F16, BF16 and F64.
	vals := []float32{1, -2, 0.5}
	f16 := []uint16{0x3c00, 0xc000, 0x3800}
	var data []byte
	for _, h := range f16 {
		data = binary.LittleEndian.AppendUint16(data, h)
	}
	for _, v := range vals { // bfloat16: the top half of the float32 bits
		data = binary.LittleEndian.AppendUint16(data, uint16(math.Float32bits(v)>>16))
	}
	for _, v := range vals {
		data = binary.LittleEndian.AppendUint64(data, math.Float64bits(float64(v)))
	}
	header := `{"a":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[6,12]},"c":{"dtype":"F64","shape":[3],"data_offsets":[12,36]}}`
	for len(header)%8 != 0 {
		header += " "
	}
	file := append(binary.LittleEndian.AppendUint64(nil, uint64(len(header))), header...)
	file = append(file, data...)
	ts, _, err := DecodeSafetensors(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range ts {
		for i, v := range tt.Data {
			if v != vals[i] {
				t.Errorf("%s[%d] = %g, want %g", tt.Name, i, v, vals[i])
			}
		}
	}
}
