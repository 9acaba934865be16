//go:build linux

package cold

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	MaybeChild() // the smoke test's children are this test binary
	os.Exit(m.Run())
}

func TestMountsOf(t *testing.T) {
	v1 := `tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
`
	if m1, m2 := mountsOf(v1); m1 != "/sys/fs/cgroup/memory" || m2 != "/sys/fs/cgroup/unified" {
		t.Errorf("hybrid: %q %q", m1, m2)
	}
	v2 := "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n"
	if m1, m2 := mountsOf(v2); m1 != "" || m2 != "/sys/fs/cgroup" {
		t.Errorf("unified: %q %q", m1, m2)
	}
	if m1, m2 := mountsOf("cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\n"); m1 != "" || m2 != "" {
		t.Errorf("no memory controller: %q %q", m1, m2)
	}
}

func TestOwnCgroups(t *testing.T) {
	v1 := "5:devices:/\n4:memory:/process_api/e819\n3:cpuset:/\n0::/\n"
	if c1, c2 := ownCgroups(v1); c1 != "/process_api/e819" || c2 != "/" {
		t.Errorf("hybrid: %q %q", c1, c2)
	}
	if c1, c2 := ownCgroups("0::/user.slice/user-0.slice/session-1.scope\n"); c1 != "" || c2 != "/user.slice/user-0.slice/session-1.scope" {
		t.Errorf("unified: %q %q", c1, c2)
	}
	if c1, _ := ownCgroups("7:cpu,memory:/a/b\n"); c1 != "/a/b" {
		t.Errorf("joined controllers: %q", c1)
	}
}

// fakeCgroup makes the files of a cgroup directory in a fake hierarchy.
func fakeCgroup(t *testing.T, dir, controllers, subtree string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]string{"cgroup.controllers": controllers, "cgroup.subtree_control": subtree} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPickParent(t *testing.T) {
	root := t.TempDir()
	v2 := filepath.Join(root, "unified")
	own := filepath.Join(v2, "user.slice", "session-1.scope")
	mounts := "cgroup2 " + v2 + " cgroup2 rw,relatime 0 0\n"
	self := "0::/user.slice/session-1.scope\n"

	// v1 memory hierarchy first, when there is one.
	v1 := filepath.Join(root, "memory")
	if err := os.MkdirAll(filepath.Join(v1, "process_api", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	d, v, err := pickParent("cgroup "+v1+" cgroup rw,memory 0 0\n"+mounts, "4:memory:/process_api/x\n"+self)
	if err != nil || v != 1 || d != filepath.Join(v1, "process_api", "x") {
		t.Errorf("v1: %q %d %v", d, v, err)
	}

	// v2, own cgroup delegating memory.
	fakeCgroup(t, v2, "cpu memory io", "memory")
	fakeCgroup(t, own, "cpu memory", "memory")
	if d, v, err := pickParent(mounts, self); err != nil || v != 2 || d != own {
		t.Errorf("v2 own: %q %d %v", d, v, err)
	}
	// v2, own cgroup that cannot delegate memory (a fake file does not
	// take "+memory" as the kernel does): the root instead.
	fakeCgroup(t, own, "cpu memory", "")
	if d, v, err := pickParent(mounts, self); err != nil || v != 2 || d != v2 {
		t.Errorf("v2 root: %q %d %v", d, v, err)
	}
	// v2 without a memory controller anywhere: an error naming why.
	fakeCgroup(t, own, "cpu", "")
	fakeCgroup(t, v2, "cpu io", "")
	if d, _, err := pickParent(mounts, self); err == nil || !strings.Contains(err.Error(), "no memory controller") {
		t.Errorf("v2 without memory: %q %v", d, err)
	}
	// Nothing mounted.
	if _, _, err := pickParent("", self); err == nil {
		t.Error("no hierarchy: no error")
	}
}

func TestParseProcIO(t *testing.T) {
	s := "rchar: 100\nwchar: 200\nsyscr: 3\nsyscw: 4\nread_bytes: 8192\nwrite_bytes: 4096\ncancelled_write_bytes: 0\n"
	if r, w, sr, sw := parseProcIO(s); r != 8192 || w != 4096 || sr != 3 || sw != 4 {
		t.Errorf("read %d write %d syscr %d syscw %d", r, w, sr, sw)
	}
}

func TestRotate(t *testing.T) {
	cells := []Cell{
		{Scenario: Random, Impl: "a", G: 1}, {Scenario: Random, Impl: "b", G: 1},
		{Scenario: Random, Impl: "a", G: 4}, {Scenario: Random, Impl: "b", G: 4},
		{Scenario: Scan, Impl: "x"},
		{Scenario: Append, Impl: "w", Batch: 1}, {Scenario: Append, Impl: "m", Batch: 1}, {Scenario: Append, Impl: "r", Batch: 1},
	}
	name := func(cs []Cell) string {
		var s []string
		for _, c := range cs {
			s = append(s, c.Impl)
		}
		return strings.Join(s, " ")
	}
	for round, want := range []string{"a b a b x w m r", "b a b a x m r w", "a b a b x r w m"} {
		if got := name(rotate(cells, round)); got != want {
			t.Errorf("round %d: %q, want %q", round, got, want)
		}
	}
}

func TestRng(t *testing.T) {
	a, b := newRng(7, 0), newRng(7, 1)
	seen := map[int]bool{}
	for range 1000 {
		x := a.below(100)
		if x < 0 || x >= 100 {
			t.Fatalf("below(100) = %d", x)
		}
		seen[x] = true
		if a.next() == b.next() {
			t.Fatal("two goroutines draw the same numbers")
		}
	}
	if len(seen) < 90 {
		t.Errorf("only %d of 100 values drawn in 1000 draws", len(seen))
	}
}

// dataDir returns a directory for test files on a filesystem whose page
// cache can be dropped, or skips.
func dataDir(t *testing.T) string {
	d := t.TempDir()
	if !Droppable(d) {
		t.Skipf("%s is on %s: its page cache is the file and cannot be dropped", d, FSType(d))
	}
	return d
}

func TestDropResident(t *testing.T) {
	p := filepath.Join(dataDir(t), "f")
	if err := os.WriteFile(p, bytes.Repeat([]byte{1}, 8<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(p); err != nil { // cache every page
		t.Fatal(err)
	}
	if r, err := Resident(p); err != nil || r < 0.9 {
		t.Fatalf("after reading the file: resident %v, %v; want nearly all", r, err)
	}
	if err := Drop(p); err != nil {
		t.Fatal(err)
	}
	if r, err := Resident(p); err != nil || r > 0.05 {
		t.Fatalf("after Drop: resident %v, %v; want nearly none", r, err)
	}
	// Drop must also write dirty pages first: a file just written.
	if err := os.WriteFile(p, bytes.Repeat([]byte{2}, 4<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Drop(p); err != nil {
		t.Fatal(err)
	}
	if r, err := Resident(p); err != nil || r > 0.05 {
		t.Fatalf("after Drop of a dirty file: resident %v, %v", r, err)
	}
	b, err := os.ReadFile(p)
	if err != nil || len(b) != 4<<20 || b[len(b)-1] != 2 {
		t.Fatalf("file changed by Drop: %d bytes, %v", len(b), err)
	}
}

// newTestCgroup makes a cgroup for a test, or skips saying why not.
func newTestCgroup(t *testing.T, limit int64) *Cgroup {
	if os.Geteuid() != 0 {
		t.Skip("not root: cannot make memory cgroups")
	}
	cg, err := NewCgroup("memmap-cold-test-"+strings.ReplaceAll(t.Name(), "/", "-"), limit)
	if err != nil {
		t.Skipf("no memory cgroup: %v", err)
	}
	t.Cleanup(func() { cg.Remove() })
	return cg
}

// TestNoCgroupSkips checks that without a cgroup the cold cells are
// reported as not measured, saying why, and the others are measured.
func TestNoCgroupSkips(t *testing.T) {
	if !hostLittle() {
		t.Skip("Run refuses big-endian hosts: the cold run never measures there")
	}
	cfg := Config{Dir: t.TempDir(), FileBytes: 1 << 20, Limit: 1 << 20, Budget: time.Millisecond, AppendBytes: 1 << 20,
		Goroutines: []int{1}, GatherRows: 16, GatherG: 2, WarmBytes: 1 << 20, Count: 1, MaxOps: 4,
		Scenarios: regexp.MustCompile("^(scan|append-one)$")}
	info := Info{NoCgroup: "not root"}
	var rs []Result
	runCells(cfg, info, func(r Result) { rs = append(rs, r) })
	if len(rs) == 0 {
		t.Fatal("no results")
	}
	for _, r := range rs {
		switch r.Scenario {
		case Scan:
			if !r.Skipped || r.Err != "not measured: no memory cgroup (not root)" {
				t.Errorf("%s/%s: %q, skipped %v", r.Scenario, r.Impl, r.Err, r.Skipped)
			}
		case AppendOne:
			if r.Skipped || r.Err != "" || r.Ops == 0 {
				t.Errorf("%s/%s needs no cgroup: %q, %d ops", r.Scenario, r.Impl, r.Err, r.Ops)
			}
		}
	}
}

func TestCgroup(t *testing.T) {
	cg := newTestCgroup(t, 64<<20)
	if got, err := cg.read(cg.limitFile()); err != nil || got != 64<<20 {
		t.Fatalf("limit %d, %v; want %d", got, err, 64<<20)
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skipf("no sleep command: %v", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := cmd.Process.Pid
	if cg.Has(pid) {
		t.Fatal("the child is in the cgroup before Add")
	}
	if err := cg.Add(pid); err != nil {
		t.Fatal(err)
	}
	if !cg.Has(pid) {
		t.Fatal("the child is not in the cgroup after Add")
	}
	if in := CgroupOf(strconv.Itoa(pid)); !strings.HasSuffix(cg.Dir, in) || in == "" {
		t.Fatalf("/proc/%d/cgroup says %q, want the end of %s", pid, in, cg.Dir)
	}
	if err := cg.Remove(); err == nil {
		t.Fatal("Remove of a cgroup holding a process succeeded")
	}
	cmd.Process.Kill()
	cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for cg.Remove() != nil {
		if time.Now().After(deadline) {
			t.Fatal("cannot remove the cgroup after its process exited")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSmoke runs every scenario at small sizes (32 MiB files, 4 MiB
// appends), each in a child of this test binary, in a cgroup smaller than
// the file when the test may make one, and checks that every cell ran,
// read the right values (the children check their sums) and, where the
// page cache can be dropped, started cold. It measures nothing: speed is
// the report's business.
func TestSmoke(t *testing.T) {
	if !hostLittle() {
		t.Skip("Run refuses big-endian hosts (the cold files and peers are little-endian)")
	}
	dir := t.TempDir()
	cfg := Config{
		Dir: dir, FileBytes: 32 << 20, Limit: 24 << 20, Budget: 20 * time.Millisecond, AppendBytes: 4 << 20,
		Goroutines: []int{1, 4}, GatherRows: 256, GatherG: 8, WarmBytes: 4 << 20, Count: 1, MaxOps: 64,
		WithoutCgroup: true, // still check what the cold cells read
	}
	if testing.Short() {
		cfg.Scenarios = regexp.MustCompile("^(random|scan)$")
	}
	var rs []Result
	info, err := Run(cfg, func(r Result) { rs = append(rs, r) })
	if err != nil {
		t.Fatal(err)
	}
	if info.Cgroup == "" {
		t.Logf("no memory cgroup, the cold cells ran without one: %s", info.NoCgroup)
	}
	if len(rs) != len(Plan(cfg)) {
		t.Errorf("%d results for %d cells", len(rs), len(Plan(cfg)))
	}
	measured := 0
	for _, r := range rs {
		name := r.Scenario + "/" + r.Impl
		switch {
		case r.Skipped: // every implementation is built in since Take and Access are on main
			t.Errorf("%s (g=%d) not measured: %q", name, r.Goroutines, r.Err)
			continue
		case r.Err != "":
			t.Errorf("%s (g=%d): %s", name, r.Goroutines, r.Err)
			continue
		}
		measured++
		if r.Ops <= 0 || r.Seconds <= 0 || r.Check == "" {
			t.Errorf("%s: %d ops in %v s, check %q", name, r.Ops, r.Seconds, r.Check)
		}
		if r.Scenario == Append || r.Scenario == AppendOne {
			if r.Durable < r.Seconds {
				t.Errorf("%s: durable after %v s, before the page cache's %v s", name, r.Durable, r.Seconds)
			}
		}
		// The 64 KiB bufio.Writer makes a write(2) per 64 KiB: the child
		// counts them (syscw), as the report's reasons need.
		if r.Scenario == AppendOne && r.Impl == "bufio+LittleEndian" && r.SysW < r.Bytes/(64<<10) {
			t.Errorf("%s: %d write system calls counted for %d bytes through a 64 KiB buffer", name, r.SysW, r.Bytes)
		}
		if !r.Cold {
			continue
		}
		if info.Droppable && r.Resident > 0.05 {
			t.Errorf("%s: %.1f%% of the file cached at the start of a cold cell", name, 100*r.Resident)
		}
		if info.Cgroup != "" {
			if r.Cgroup == "" || !strings.HasSuffix(r.Cgroup, r.ChildCg) || r.Limit != cfg.Limit {
				t.Errorf("%s: ran in cgroup %q (child saw %q, limit %d)", name, r.Cgroup, r.ChildCg, r.Limit)
			}
			// The kernel charges in batches of pages per CPU: a peak a
			// little over the limit is normal, one far over it is not.
			if r.Peak > r.Limit+1<<20 {
				t.Errorf("%s: cgroup peak %d over its limit %d", name, r.Peak, r.Limit)
			}
		}
	}
	if measured == 0 {
		t.Fatal("no cell measured")
	}
}
