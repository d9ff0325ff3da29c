package ckpt

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/arslab/arslab/engine/nn"
)

func TestSafetensorsRoundTrip(t *testing.T) {
	in := []Tensor{
		{Name: "b", Shape: []int{2, 3}, Data: []float32{1, -2, 3.5, 0, float32(math.Inf(1)), 6}},
		{Name: "a", Shape: []int{1}, Data: []float32{42}},
	}
	b, err := EncodeSafetensors(in, map[string]string{"step": "7"})
	if err != nil {
		t.Fatal(err)
	}
	// Layout: 8-byte LE header length, header padded to 8, then data in input order.
	hl := binary.LittleEndian.Uint64(b)
	if hl%8 != 0 || int(8+hl+4*7) != len(b) {
		t.Fatalf("header length %d, file %d bytes", hl, len(b))
	}
	if !bytes.Contains(b[8:8+hl], []byte(`"b":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}`)) {
		t.Errorf("header %s", b[8:8+hl])
	}
	out, meta, err := DecodeSafetensors(b)
	if err != nil {
		t.Fatal(err)
	}
	if meta["step"] != "7" || len(out) != 2 || out[0].Name != "a" || out[0].Data[0] != 42 || out[1].Data[2] != 3.5 || !math.IsInf(float64(out[1].Data[4]), 1) {
		t.Errorf("decoded %+v meta %v", out, meta)
	}
	bad := map[string][]byte{
		"short":          {1, 2},
		"header too big": append(binary.LittleEndian.AppendUint64(nil, 1<<40), '{', '}'),
		"bad json":       append(binary.LittleEndian.AppendUint64(nil, 2), '{', 'x'),
		"out of range":   append(binary.LittleEndian.AppendUint64(nil, 56), []byte(`{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`)...),
		"integer dtype":  append(binary.LittleEndian.AppendUint64(nil, 56), []byte(`{"t":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`+"\x00\x00\x00\x00\x00\x00\x00\x00")...),
		"unknown dtype":  append(binary.LittleEndian.AppendUint64(nil, 56), []byte(`{"t":{"dtype":"X16","shape":[2],"data_offsets":[0,4]}}`+"\x00\x00\x00\x00")...),
		"F16 too short":  append(binary.LittleEndian.AppendUint64(nil, 56), []byte(`{"t":{"dtype":"F16","shape":[3],"data_offsets":[0,4]}}`+"\x00\x00\x00\x00")...),
	}
	for name, b := range bad {
		if _, _, err := DecodeSafetensors(b); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	if _, err := EncodeSafetensors([]Tensor{{Name: "x", Shape: []int{3}, Data: []float32{1}}}, nil); err == nil {
		t.Error("shape/data mismatch: want an error")
	}
}

// TestWriteFileAtomic: the file has the new content and mode 0644, no temp file is
// left, and an overwrite replaces the content.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.json")
	for _, content := range []string{"first", "second, longer"} {
		if err := WriteFile(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || string(b) != content {
			t.Fatalf("read %q, %v; want %q", b, err, content)
		}
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", fi.Mode().Perm(), err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("folder holds %d entries, want only x.json", len(es))
	}
	if err := WriteFile(filepath.Join(dir, "missing", "y"), nil); err == nil {
		t.Error("write into a missing folder: want an error")
	}
}

// TestParamsRoundTrip: SaveParams then LoadParams restores the weights; a missing
// tensor or a size mismatch is an error naming the file.
func TestParamsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), WeightsFile)
	a := &nn.Param{Name: "a", Shape: []int{2}, W: []float32{1, 2}}
	b := &nn.Param{Name: "b", Shape: []int{1}, W: []float32{3}}
	if err := SaveParams(path, []*nn.Param{a, b}, nil); err != nil {
		t.Fatal(err)
	}
	a2 := &nn.Param{Name: "a", Shape: []int{2}, W: make([]float32, 2)}
	if err := LoadParams(path, []*nn.Param{a2}); err != nil || a2.W[1] != 2 {
		t.Errorf("loaded %v, %v", a2.W, err)
	}
	c := &nn.Param{Name: "c", Shape: []int{1}, W: make([]float32, 1)}
	if err := LoadParams(path, []*nn.Param{c}); err == nil || !bytes.Contains([]byte(err.Error()), []byte(WeightsFile)) {
		t.Errorf("missing tensor: %v", err)
	}
	big := &nn.Param{Name: "b", Shape: []int{2}, W: make([]float32, 2)}
	if err := LoadParams(path, []*nn.Param{big}); err == nil {
		t.Error("size mismatch: want an error")
	}
}
