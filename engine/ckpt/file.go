package ckpt

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/arslab/arslab/internal/atomicfile"
)

// WriteFile writes data to path atomically (internal/atomicfile: temp file, 0644, fsync,
// rename, folder fsync), then calls AfterWrite.
func WriteFile(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data); err != nil {
		return err
	}
	if AfterWrite != nil {
		AfterWrite(path)
	}
	return nil
}

// AfterWrite, when set, is called after each WriteFile has made its file durable. It is
// for tests only: the crash tests exit the process from it at the n-th write.
var AfterWrite func(path string)

// WriteJSON writes v as indented JSON (with a final newline) through WriteFile.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return WriteFile(path, append(b, '\n'))
}

// ReadJSON decodes path into v; errors name the file.
func ReadJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
