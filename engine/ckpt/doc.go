// Package ckpt is the on-disk format of a run folder: the file names, safetensors
// encoding of float32 tensors, config/state JSON, and one atomic file write (temp file,
// fsync, rename, fsync of the folder) that every file of a run goes through, so a crash
// leaves either the old or the new version of each file, never a torn one.
//
// A run folder holds:
//
//	config.json            the training configuration (train.Config)
//	vocab.txt              the WordPiece vocabulary (engine/tok)
//	latest                 one line naming the current checkpoint folder, switched atomically
//	ckpt-000123/           one checkpoint, complete before latest names it:
//	  model.safetensors      every weight, encoders prefixed "query."/"passage." or "encoder.", head "head.*"
//	  optimizer.safetensors  AdamW moments (names as nn.AdamW.State)
//	  metrics.jsonl          one JSON line per step and per epoch
//	  state.json             where the run stands (State)
//
// Both safetensors files record their step in their metadata, and Open refuses a
// checkpoint whose files disagree. Runs written before checkpoint folders keep the four
// checkpoint files flat beside config.json (no latest pointer); Current and Open read
// them there, and the first Save into such a run moves it to the new layout.
package ckpt

// Run folder file names.
const (
	ConfigFile    = "config.json"
	WeightsFile   = "model.safetensors"
	OptimizerFile = "optimizer.safetensors"
	StateFile     = "state.json"
	MetricsFile   = "metrics.jsonl"
	LatestFile    = "latest"
	CkptPrefix    = "ckpt-"
)
