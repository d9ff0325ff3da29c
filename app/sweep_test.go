package app

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arslab/arslab/engine/compare"
	"github.com/arslab/arslab/lab"
)

func TestSweepTrainsEachCellOnceAndCompares(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sweep")
	args := []string{"sweep", "--data", tiny, "--out", out, "--grid", "head=ars,dot", "--seeds", "1,2",
		"--set", "epochs=1,max-len=32,negatives=hard:2,batch=2", "--permutations", "500", "--format", "json"}
	code, stdout, errs := run(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var tab compare.Table
	if err := json.Unmarshal([]byte(stdout), &tab); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	var names []string
	for _, r := range tab.Rows {
		names = append(names, r.Name)
	}
	if strings.Join(names, " ") != "head=ars,seed=1 head=ars,seed=2 head=dot,seed=1 head=dot,seed=2" || tab.Baseline != "head=ars,seed=1" {
		t.Fatalf("rows %v, baseline %q", names, tab.Baseline)
	}
	done, err := lab.ReadSweep(out)
	if err != nil || len(done) != 4 {
		t.Fatalf("sweep.json: %d records, %v", len(done), err)
	}
	// A second run trains nothing and prints the same table.
	code, stdout2, errs := run(t, args...)
	if code != 0 || strings.Count(errs, "finished earlier, skipped") != 4 || stdout2 != stdout {
		t.Fatalf("rerun: exit %d, stderr %q", code, errs)
	}
	for _, tc := range []struct{ grid, want string }{
		{"head=ars,bm25", `head=bm25`},
		{"colour=red", `unknown setting "colour"`},
		{"tau=abc", "tau=abc: not a number"},
	} {
		code, _, errs := run(t, "sweep", "--data", tiny, "--out", out, "--grid", tc.grid)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("grid %q: exit %d, %q, want %q", tc.grid, code, errs, tc.want)
		}
	}
}
