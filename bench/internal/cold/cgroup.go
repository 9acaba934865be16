//go:build linux

package cold

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Cgroup is a memory cgroup made for one child process: its directory and
// the files that set and report its limit, for cgroup v1 or v2.
type Cgroup struct {
	Dir     string // the cgroup's directory
	Version int    // 1 or 2
	Limit   int64  // bytes
}

// mountsOf parses /proc/self/mounts: it returns where the v1 memory
// controller and the v2 unified hierarchy are mounted ("" if not).
func mountsOf(mounts string) (v1mem, v2 string) {
	for _, l := range strings.Split(mounts, "\n") {
		f := strings.Fields(l)
		if len(f) < 4 {
			continue
		}
		switch f[2] {
		case "cgroup":
			for _, o := range strings.Split(f[3], ",") {
				if o == "memory" && v1mem == "" {
					v1mem = f[1]
				}
			}
		case "cgroup2":
			if v2 == "" || f[1] == "/sys/fs/cgroup" {
				v2 = f[1]
			}
		}
	}
	return v1mem, v2
}

// ownCgroups parses /proc/self/cgroup: it returns the process's v1 memory
// cgroup (the line whose controllers include memory) and its v2 cgroup
// (the "0::" line), each "" if absent.
func ownCgroups(procCgroup string) (v1mem, v2 string) {
	for _, l := range strings.Split(procCgroup, "\n") {
		id, rest, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		ctrls, path, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		if id == "0" && ctrls == "" {
			v2 = path
			continue
		}
		for _, c := range strings.Split(ctrls, ",") {
			if c == "memory" {
				v1mem = path
			}
		}
	}
	return v1mem, v2
}

// cgroupParent finds the directory under which this process may make a
// memory cgroup: its own memory cgroup in the v1 memory hierarchy if the
// controller is mounted, else, in the v2 hierarchy, its own cgroup or the
// hierarchy's root, whichever delegates the memory controller to its
// children. It returns the directory and the version, or an error that
// says why there is none.
func cgroupParent() (string, int, error) {
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return "", 0, err
	}
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", 0, err
	}
	return pickParent(string(mounts), string(self))
}

func pickParent(mounts, self string) (string, int, error) {
	m1, m2 := mountsOf(mounts)
	c1, c2 := ownCgroups(self)
	// The own cgroup's path is relative to the hierarchy's root; inside a
	// cgroup namespace the mount is that root already.
	pick := func(mount, own string) string {
		if d := filepath.Join(mount, own); isDir(d) {
			return d
		}
		return mount
	}
	if m1 != "" && c1 != "" {
		return pick(m1, c1), 1, nil
	}
	if m2 != "" && c2 != "" {
		// v2's no-internal-process rule: a cgroup that holds processes
		// (as our own does) cannot enable controllers for children,
		// unless it is the root; so try our own, then the root.
		var why []string
		for _, d := range []string{pick(m2, c2), m2} {
			err := delegatesMemory(d)
			if err == nil {
				return d, 2, nil
			}
			if !slicesContains(why, err.Error()) {
				why = append(why, err.Error())
			}
		}
		return "", 0, fmt.Errorf("cgroup v2: %s", strings.Join(why, "; "))
	}
	return "", 0, errors.New("no cgroup memory controller: neither a v1 memory hierarchy nor a v2 hierarchy with this process's cgroup in /proc/self/cgroup")
}

// delegatesMemory makes sure the v2 cgroup d gives its children the memory
// controller, enabling it if it can.
func delegatesMemory(d string) error {
	sub := filepath.Join(d, "cgroup.subtree_control")
	has := func() bool {
		b, _ := os.ReadFile(sub)
		return slicesContains(strings.Fields(string(b)), "memory")
	}
	if has() {
		return nil
	}
	ctrl, err := os.ReadFile(filepath.Join(d, "cgroup.controllers"))
	if err != nil {
		return err
	}
	if !slicesContains(strings.Fields(string(ctrl)), "memory") {
		return fmt.Errorf("%s offers no memory controller (cgroup.controllers: %q)", d, strings.TrimSpace(string(ctrl)))
	}
	if err := os.WriteFile(sub, []byte("+memory"), 0); err != nil {
		return fmt.Errorf("cannot enable the memory controller for the children of %s: %w", d, err)
	}
	if !has() {
		return fmt.Errorf("%s: memory not in cgroup.subtree_control after enabling it", d)
	}
	return nil
}

func slicesContains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// NewCgroup makes a memory cgroup named name under this process's own
// cgroup, limited to limit bytes. It fails (and leaves nothing behind)
// when the process may not make one: not root, no memory controller, or
// (v2) a parent whose subtree does not delegate the memory controller.
func NewCgroup(name string, limit int64) (*Cgroup, error) {
	parent, v, err := cgroupParent()
	if err != nil {
		return nil, err
	}
	return newCgroupIn(parent, v, name, limit)
}

func newCgroupIn(parent string, v int, name string, limit int64) (*Cgroup, error) {
	d := filepath.Join(parent, name)
	if err := os.Mkdir(d, 0o755); err != nil && !os.IsExist(err) {
		return nil, fmt.Errorf("making the cgroup: %w", err)
	}
	c := &Cgroup{Dir: d, Version: v, Limit: limit}
	if err := os.WriteFile(filepath.Join(d, c.limitFile()), []byte(strconv.FormatInt(limit, 10)), 0); err != nil {
		os.Remove(d)
		return nil, fmt.Errorf("setting the limit of cgroup %s: %w", d, err)
	}
	got, err := c.read(c.limitFile())
	if err != nil || got > limit || got < limit-65536 { // v1 rounds down to pages
		os.Remove(d)
		return nil, fmt.Errorf("cgroup %s: limit %d after writing %d (%v)", d, got, limit, err)
	}
	return c, nil
}

func (c *Cgroup) limitFile() string {
	if c.Version == 2 {
		return "memory.max"
	}
	return "memory.limit_in_bytes"
}

func (c *Cgroup) read(name string) (int64, error) {
	b, err := os.ReadFile(filepath.Join(c.Dir, name))
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(string(b))
	if s == "max" {
		return -1, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// Add moves the process pid into the cgroup.
func (c *Cgroup) Add(pid int) error {
	return os.WriteFile(filepath.Join(c.Dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0)
}

// Has reports whether pid is in the cgroup.
func (c *Cgroup) Has(pid int) bool {
	f, err := os.Open(filepath.Join(c.Dir, "cgroup.procs"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sc.Text() == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}

// Peak returns the most memory the cgroup has been charged (page cache
// included) since it was made: memory.max_usage_in_bytes (v1) or
// memory.peak (v2, Linux 5.19 and later); -1 if the kernel does not say.
func (c *Cgroup) Peak() int64 {
	name := "memory.max_usage_in_bytes"
	if c.Version == 2 {
		name = "memory.peak"
	}
	v, err := c.read(name)
	if err != nil {
		return -1
	}
	return v
}

// Remove deletes the cgroup; it must hold no process. Its page cache
// stays cached (charged to the parent).
func (c *Cgroup) Remove() error {
	return os.Remove(c.Dir)
}

// CgroupOf returns the memory cgroup of process pid as /proc says: the v1
// memory line if there is one, else the v2 line.
func CgroupOf(pid string) string {
	b, err := os.ReadFile("/proc/" + pid + "/cgroup")
	if err != nil {
		return ""
	}
	v1, v2 := ownCgroups(string(b))
	if v1 != "" {
		return v1
	}
	return v2
}
