package publish

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/replace"
	"github.com/gomemmap/memmap/internal/sys"
)

// Options configures Publish, Clean and Open. A nil *Options means the
// defaults; each field's zero value is its default.
type Options struct {
	// Keep is how many versions older than the current one Publish and
	// Clean leave on disk, the newest of them. Zero means 1: the previous
	// version stays, so that a reader that read the pointer just before
	// it moved can still open the version it names. Larger values keep
	// older versions for a rollback (by publishing a copy).
	Keep int

	// Perm is the permission bits, less the umask, of the pointer file
	// and the lock file where there is none yet (see "Perm" in the
	// Vocabulary of package memmap); zero means 0o644. The version files
	// are the write function's.
	Perm fs.FileMode

	// Retry bounds how long Open and Reload retry while the pointer names
	// a version that was removed after it was read, or (on Windows) the
	// pointer file is being replaced, and how long Publish retries
	// replacing the pointer file while a reader has it open (Windows).
	// Zero means one second for readers and ten for Publish, whose
	// attempts on Windows compete with every reader's.
	Retry time.Duration

	// Watch, if positive, makes Open start a goroutine that calls Reload
	// every Watch until Close.
	Watch time.Duration

	// OnError, if not nil, receives the errors of the Watch goroutine's
	// Reloads and of closing a version that is no longer current (in the
	// Release or Reload that drops its last reference). It may be called
	// concurrently, from the Watch goroutine and from any goroutine that
	// calls Release, and must not call the Handle's Close. Without it those errors are dropped: the
	// handle keeps serving the version it has.
	OnError func(error)
}

// withDefaults returns *opt with its zero fields set to their defaults.
func withDefaults(opt *Options) Options {
	var o Options
	if opt != nil {
		o = *opt
	}
	if o.Keep <= 0 {
		o.Keep = 1
	}
	if o.Perm == 0 {
		o.Perm = 0o644
	}
	return o
}

// The suffixes of the files beside NAME (see the package doc).
const (
	currentSuffix = ".current"
	lockSuffix    = ".lock"
	versionInfix  = ".v"
	minDigits     = 6
)

// retryErrors says whether an open or a rename that fails with an error
// other than "not found" may succeed when tried again: on Windows, a file
// being replaced or deleted cannot be opened for a moment, and a file that
// a reader has open cannot be replaced (sys.ReplaceOpen). Elsewhere such
// errors are final.
const retryErrors = !sys.ReplaceOpen

// VersionPath returns the path of version n of name: name, ".v" and n in
// decimal, zero-padded to 6 digits (more when n needs them).
func VersionPath(name string, n uint64) string {
	return name + versionInfix + pad(n)
}

// pad formats n in decimal, zero-padded to minDigits.
func pad(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) < minDigits {
		s = strings.Repeat("0", minDigits-len(s)) + s
	}
	return s
}

// parseVersion returns the version number of the file named file if it is
// a version of the name whose base name is base: base, ".v" and decimal
// digits, nothing else.
func parseVersion(base, file string) (uint64, bool) {
	digits, ok := strings.CutPrefix(file, base+versionInfix)
	if !ok || digits == "" || len(digits) > 20 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}

// maxPointer is the largest pointer file Current reads: one line naming
// a version, whose base name is at most 255 bytes on every file system.
const maxPointer = 512

// Current reads the pointer file of name and returns the number and the
// path of the current version. With no pointer file (nothing was ever
// published) the error is an *os.PathError matching fs.ErrNotExist; a
// pointer file that does not hold one line naming a version of name
// (name's base name, ".v" and decimal digits: never a path) gives an
// *os.PathError matching ErrPointer.
func Current(name string) (n uint64, path string, err error) {
	if err := checkName("open", name); err != nil {
		return 0, "", err
	}
	ptr := name + currentSuffix
	f, err := sys.OpenFile(ptr, os.O_RDONLY, 0)
	if err != nil {
		return 0, "", pathErr("open", ptr, err)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxPointer+1))
	f.Close()
	if err != nil {
		return 0, "", pathErr("read", ptr, err)
	}
	if len(b) > maxPointer {
		return 0, "", &os.PathError{Op: "open", Path: ptr, Err: fmt.Errorf("%w: more than %d bytes, not one line naming a version", ErrPointer, maxPointer)}
	}
	line := string(b)
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	base := filepath.Base(name)
	n, ok := parseVersion(base, line)
	if !ok {
		return 0, "", &os.PathError{Op: "open", Path: ptr, Err: fmt.Errorf("%w: it holds %q, want one line %q followed by decimal digits", ErrPointer, clip(string(b)), base+versionInfix)}
	}
	return n, filepath.Join(filepath.Dir(name), line), nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// Publish publishes a new version of name: it calls write with the path
// of version N+1 (N the highest version on disk, current or left by a
// crashed publisher; N+1 is 1 for the first), which must create a
// complete file there and close it (the Creates of this module's packages
// followed by Close do), fsyncs that file and its directory, and makes it
// current by replacing the pointer file name+".current" atomically. It
// then removes what is no longer needed: the versions older than the
// current one but for the newest opt.Keep, versions newer than the
// current one and temporary files left by a crashed publisher. A removal
// that fails (on Windows, a version a reader still has open or mapped) is
// not an error: the next Publish or Clean tries again. Publish returns
// the new version's number.
//
// Publishers of the same name exclude each other, across processes, with
// a lock on name+".lock": a Publish that finds it held returns at once
// with an *os.PathError matching memmap.ErrLocked, changing nothing; the
// caller may try again later. write runs with the lock held: it must not
// publish name itself. Where the OS has no file locks, Publish returns an
// error matching memmap.ErrUnsupported.
//
// If write returns an error, or leaves no regular file at the path,
// Publish removes the file, leaves the current version as it was and
// returns the error. A crash (or SIGKILL) at any point leaves the pointer
// naming a complete version, the old one or the new one, or no pointer if
// nothing had been published; the next Publish clears what it left.
func Publish(name string, write func(path string) error, opt *Options) (uint64, error) {
	if err := checkName("publish", name); err != nil {
		return 0, err
	}
	o := withDefaults(opt)
	unlock, err := lock(name, o.Perm)
	if err != nil {
		return 0, err
	}
	defer unlock()

	dir, base := filepath.Dir(name), filepath.Base(name)
	cur, _, err := Current(name)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		cur = 0
	default:
		return 0, err
	}
	vers, _, err := scan(dir, base)
	if err != nil {
		return 0, err
	}
	last := cur
	if len(vers) > 0 {
		last = max(last, vers[len(vers)-1].n)
	}
	if last == ^uint64(0) {
		return 0, &os.PathError{Op: "publish", Path: name, Err: fmt.Errorf("%w: version number %d is the largest", memmap.ErrRange, last)}
	}
	n := last + 1
	path := VersionPath(name, n)
	if err := write(path); err != nil {
		_ = os.Remove(path)
		return 0, fmt.Errorf("publish: writing version %d of %s: %w", n, name, err)
	}
	if err := syncFile(path); err != nil {
		_ = os.Remove(path)
		return 0, err
	}
	_ = sys.SyncDir(dir) // best effort, as replace's: the fsyncs here are durability, not visibility
	if err := setCurrent(name, base+versionInfix+pad(n), o); err != nil {
		_ = os.Remove(path)
		return 0, err
	}
	_ = clean(name, n, cur, o.Keep)
	return n, nil
}

// Clean removes what Publish would remove after a publish: versions of
// name older than the current one but for the newest opt.Keep, versions
// newer than the current one and temporary files left by a crashed
// publisher. It takes the publishers' lock (an error matching
// memmap.ErrLocked while one runs) and returns the first removal error, if
// any (on Windows, a version that a reader still has open or mapped
// cannot be removed yet). With no pointer file it removes nothing and
// returns an error matching fs.ErrNotExist.
func Clean(name string, opt *Options) error {
	if err := checkName("clean", name); err != nil {
		return err
	}
	o := withDefaults(opt)
	unlock, err := lock(name, o.Perm)
	if err != nil {
		return err
	}
	defer unlock()
	cur, _, err := Current(name)
	if err != nil {
		return err
	}
	return clean(name, cur, cur, o.Keep)
}

// checkName refuses a name that names no file in a directory: empty, or
// ending in a separator, "." or "..".
func checkName(op, name string) error {
	if name == "" || os.IsPathSeparator(name[len(name)-1]) {
		return &os.PathError{Op: op, Path: name, Err: fmt.Errorf("%w: a published name must name a file in a directory", fs.ErrInvalid)}
	}
	if b := filepath.Base(name); b == "." || b == ".." {
		return &os.PathError{Op: op, Path: name, Err: fmt.Errorf("%w: a published name must name a file in a directory", fs.ErrInvalid)}
	}
	return nil
}

// lock takes the publishers' lock of name and returns the function that
// releases it.
func lock(name string, perm fs.FileMode) (func(), error) {
	path := name + lockSuffix
	f, err := sys.OpenFile(path, os.O_RDWR|os.O_CREATE, perm)
	if err != nil {
		return nil, pathErr("lock", path, err)
	}
	if err := sys.Lock(f, true); err != nil {
		f.Close()
		switch {
		case errors.Is(err, sys.ErrWouldBlock):
			err = memmap.ErrLocked
		case errors.Is(err, sys.ErrUnsupported):
			err = fmt.Errorf("%w (%w)", memmap.ErrUnsupported, err)
		}
		return nil, &os.PathError{Op: "lock", Path: path, Err: err}
	}
	return func() {
		_ = sys.Unlock(f)
		f.Close()
	}, nil
}

// syncFile fsyncs the regular file at path, which write made.
func syncFile(path string) error {
	f, err := sys.OpenFile(path, os.O_RDWR, 0) // Windows flushes only a handle open for writing
	if errors.Is(err, fs.ErrPermission) {
		f, err = sys.OpenFile(path, os.O_RDONLY, 0) // a read-only file: unix fsyncs it all the same
	}
	if err != nil {
		var nr *sys.NotRegularError
		if errors.As(err, &nr) {
			err = fmt.Errorf("%w: %s", memmap.ErrNotRegular, sys.Describe(nr.Mode))
		}
		return pathErr("publish", path, fmt.Errorf("the file written: %w", err))
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return pathErr("fsync", path, err)
	}
	return nil
}

// setCurrent replaces the pointer file of name with one naming the
// version file line, atomically (internal/replace): the new pointer is
// written and fsynced under a temporary name, then renamed over the old
// one. On Windows the rename fails while a reader has the pointer open;
// readers hold it for a moment each, so it is tried again often (every
// 1-2 ms, at random, not to keep in step with a reader's polls) rather
// than backing off, until the bound.
func setCurrent(name, line string, o Options) error {
	ptr := name + currentSuffix
	t, err := replace.Create(ptr, "publish", o.Perm)
	if err != nil {
		return err
	}
	if err := writeTemp(t, line); err != nil {
		_ = t.Abort()
		return pathErr("replace", ptr, err)
	}
	bound := o.Retry
	if bound <= 0 {
		bound = 10 * time.Second
	}
	deadline := time.Now().Add(bound)
	for {
		err := t.Rename(true)
		if err == nil {
			return nil
		}
		if !retryErrors || time.Now().After(deadline) {
			_ = t.Abort()
			return pathErr("replace", ptr, err)
		}
		time.Sleep(time.Millisecond + rand.N(time.Millisecond))
	}
}

// writeTemp writes line and a newline to the new pointer file, with the
// old one's permission bits, fsyncs and closes it.
func writeTemp(t *replace.Temp, line string) error {
	if _, err := t.File().WriteString(line + "\n"); err != nil {
		return err
	}
	if err := t.KeepMode(); err != nil {
		return err
	}
	if err := t.File().Sync(); err != nil {
		return err
	}
	return t.File().Close()
}

// version is a version file found in a directory.
type version struct {
	n    uint64
	name string // base name
}

// scan lists the version files of the name whose base name is base in
// dir, in increasing order of number, and the temporary files that
// writers of them (and of the pointer file) left.
func scan(dir, base string) (vers []version, temps []string, err error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, de := range des {
		file := de.Name()
		if n, ok := parseVersion(base, file); ok {
			vers = append(vers, version{n, file})
		} else if isTemp(base, file) {
			temps = append(temps, file)
		}
	}
	slices.SortFunc(vers, func(a, b version) int {
		if a.n != b.n {
			return cmpUint(a.n, b.n)
		}
		return strings.Compare(a.name, b.name)
	})
	return vers, temps, nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// isTemp reports whether file is a temporary file of internal/replace
// (a dot, the target's base name, a dot, a tag, a dash and a suffix) for
// a version of base or for its pointer file.
func isTemp(base, file string) bool {
	rest, ok := strings.CutPrefix(file, "."+base)
	if !ok {
		return false
	}
	if r, ok := strings.CutPrefix(rest, currentSuffix+"."); ok {
		return strings.Contains(r, "-")
	}
	r, ok := strings.CutPrefix(rest, versionInfix)
	if !ok {
		return false
	}
	i := 0
	for i < len(r) && r[i] >= '0' && r[i] <= '9' {
		i++
	}
	if i == 0 || i == len(r) || r[i] != '.' {
		return false
	}
	// The tag and the suffix. A name whose base itself ends in ".v" and
	// digits (base.v000001 as a name of its own) has versions
	// ".base.v000001.v000002...": not ours.
	tag := r[i+1:]
	if len(tag) > 1 && tag[0] == 'v' && tag[1] >= '0' && tag[1] <= '9' {
		return false
	}
	return strings.Contains(tag, "-")
}

// clean removes the versions of name older than cur but for the newest
// keep of those up to prev (the version current before cur), the
// versions newer than cur and the temporary files, and returns the first
// error of a removal. The versions between prev and cur were left by
// crashed publishers, never current. The caller holds the lock.
func clean(name string, cur, prev uint64, keep int) error {
	dir, base := filepath.Dir(name), filepath.Base(name)
	vers, temps, err := scan(dir, base)
	if err != nil {
		return err
	}
	curName := ""
	if _, p, err := Current(name); err == nil {
		curName = filepath.Base(p)
	}
	var first error
	remove := func(file string) {
		if err := os.Remove(filepath.Join(dir, file)); err != nil && !errors.Is(err, fs.ErrNotExist) && first == nil {
			first = err
		}
	}
	older := 0
	for i := len(vers) - 1; i >= 0; i-- {
		v := vers[i]
		switch {
		case v.name == curName || v.n == cur && curName == "":
		case v.n > cur:
			remove(v.name)
		case v.n == cur:
			remove(v.name) // another spelling of the current number, never current
		case v.n > prev:
			remove(v.name) // left by a crashed publisher
		case older < keep:
			older++
		default:
			remove(v.name)
		}
	}
	for _, file := range temps {
		remove(file)
	}
	return first
}

// pathErr returns err, or the error an *os.PathError in it wraps, as an
// *os.PathError of op on path.
func pathErr(op, path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &os.PathError{Op: op, Path: path, Err: err}
}
