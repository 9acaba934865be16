//go:build linux

package cold

import (
	"testing"
	"time"
)

// TestTableSmoke runs the cold table lookups once at 48 MiB (in a 20 MiB
// cgroup when one can be made, room for a child built with -race) and checks that every cell looked keys up
// and found each with its value.
func TestTableSmoke(t *testing.T) {
	cfg := Config{Dir: t.TempDir(), Limit: 20 << 20, Budget: 20 * time.Millisecond, Count: 1, MaxOps: 200, WithoutCgroup: true}
	var rs []Result
	info, err := RunTable(cfg, 48<<20, func(r Result) { rs = append(rs, r) })
	if err != nil {
		t.Fatal(err)
	}
	if info.Cgroup == "" {
		t.Logf("no memory cgroup, the cells ran without one: %s", info.NoCgroup)
	}
	seen := map[string]bool{}
	for _, r := range rs {
		seen[r.Impl] = true
		if r.Scenario != TableRandom || r.Err != "" || r.Ops <= 0 || r.Check == "" {
			t.Errorf("%s/%s: %d lookups, check %q, error %q", r.Scenario, r.Impl, r.Ops, r.Check, r.Err)
		}
		if info.Cgroup != "" && r.Limit != cfg.Limit {
			t.Errorf("%s: ran in cgroup %q of limit %d", r.Impl, r.Cgroup, r.Limit)
		}
	}
	for _, im := range []string{TableGet, TableGetResident, TablePread} {
		if !seen[im] {
			t.Errorf("%s not measured", im)
		}
	}
	if _, err := RunTable(cfg, 30<<20, func(Result) {}); err == nil {
		t.Error("a table smaller than twice the cgroup's limit: no error")
	}
}
