package hf

import (
	"os"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/dense"
	"github.com/arslab/arslab/engine/nn"
)

const miniLMDir = "../../../shared/models/all-MiniLM-L6-v2-tokenizer-only"

// TestMiniLMFolder: the real all-MiniLM-L6-v2 sentence-transformers folder (staged without
// its weights): config.json, modules.json and 1_Pooling read as the model card says, and
// the missing model.safetensors is named.
func TestMiniLMFolder(t *testing.T) {
	if _, err := os.Stat(miniLMDir); err != nil {
		t.Skipf("MiniLM files not here: %v", err)
	}
	size, types, _, err := readConfig(miniLMDir)
	want := dense.EncoderSize{Vocab: 30522, Hidden: 384, Layers: 6, Heads: 12, FFN: 1536, Positions: 512, Act: nn.ActGELUErf, LNEps: 1e-12}
	if err != nil || size != want || types != 2 {
		t.Errorf("config: %+v types %d (%v), want %+v", size, types, err, want)
	}
	c := &Checkpoint{Dir: miniLMDir, ModelDir: miniLMDir}
	if err := c.readModules(); err != nil || c.Pooling != "mean" || c.MaxSeqLen != 256 || c.ModelDir != miniLMDir {
		t.Errorf("modules: pooling %q max_seq %d dir %s (%v)", c.Pooling, c.MaxSeqLen, c.ModelDir, err)
	}
	if _, err := Open(miniLMDir); err == nil || !strings.Contains(err.Error(), "no model.safetensors") {
		t.Errorf("Open without weights: %v", err)
	}
}
