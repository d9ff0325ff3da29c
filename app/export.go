package app

import (
	"context"
	"fmt"

	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/hf"
)

// export writes a run's encoders in Hugging Face layout (engine/hf.Export).
func (e env) export(_ context.Context, args []string) error {
	fs := e.newFlags("export")
	out := fs.String("out", "", "folder to write (required): config.json, model.safetensors, vocab.txt, tokenizer_config.json "+
		"(dual mode: query/ and passage/ folders), head.safetensors and arslab.json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"export: give one run folder (arslab export runs/NAME --out DIR)"}
	}
	if *out == "" {
		return usageError{"export: --out is required"}
	}
	m, err := dense.Load(pos[0])
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := hf.Export(m, *out); err != nil {
		return err
	}
	where := *out
	if !m.Shared() {
		where = *out + "/query and " + *out + "/passage"
	}
	fmt.Fprintf(e.stdout, "exported %s (%s, %s head, %d parameters per encoder) → %s (BertModel, fp32); head in %s/%s, scoring and text preparation in %s/%s\n",
		m.Name(), m.Arch.Mode, m.Arch.Head, m.EncQ.NumParams(), where, *out, hf.HeadFile, *out, hf.ExportInfoFile)
	return nil
}
