package views

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"

	"github.com/arslab/arslab/internal/atomicfile"
)

// recentMax is how many recently loaded dataset paths are kept.
const recentMax = 8

// recentFile is where they are kept, in the user's config dir (ARS Lab's own folder).
const recentFile = "recent.json"

// configDir is the folder of the user's ARS Lab settings: Options.ConfigDir, else
// os.UserConfigDir()/arslab ("" when there is none).
func (a *App) configDir() string {
	if a.opts.ConfigDir != "" {
		return a.opts.ConfigDir
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "arslab")
}

// loadRecent reads the recent dataset paths, newest first (none when unreadable).
func (a *App) loadRecent() []string {
	dir := a.configDir()
	if dir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, recentFile))
	if err != nil {
		return nil
	}
	var v struct {
		Datasets []string `json:"datasets"`
	}
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	return v.Datasets
}

// rememberRecent puts path first in the recent list and saves it (atomically). Read-only
// sessions (the SSH demo) remember nothing.
func (a *App) rememberRecent(path string) ([]string, error) {
	rs := a.loadRecent()
	if abs, err := filepath.Abs(path); err == nil && path != "demo" {
		path = abs
	}
	rs = slices.DeleteFunc(rs, func(s string) bool { return s == path })
	rs = append([]string{path}, rs...)
	if len(rs) > recentMax {
		rs = rs[:recentMax]
	}
	dir := a.configDir()
	if a.opts.ReadOnly || dir == "" {
		return rs, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return rs, err
	}
	b, _ := json.MarshalIndent(struct {
		Datasets []string `json:"datasets"`
	}{rs}, "", "  ")
	if err := atomicfile.WriteFile(filepath.Join(dir, recentFile), append(b, '\n')); err != nil {
		return rs, err
	}
	return rs, nil
}
