package publish_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/npz"
	"github.com/gomemmap/memmap/publish"
)

// TestArray publishes three versions of an array file while a handle
// follows them: a Ref taken before a Reload reads the old data after it,
// the old array is closed only by its last Release, and old files go.
func TestArray(t *testing.T) {
	dir := testutil.TempDir(t)
	name := inDir(dir, "features.npy")
	const elems = 1000
	write := writeArray(elems)

	n1, err := publish.Publish(name, write, nil)
	must(t, err)
	if n1 != 1 {
		t.Fatalf("first Publish returned version %d, want 1", n1)
	}
	if b, err := os.ReadFile(name + ".current"); err != nil || string(b) != "features.npy.v000001\n" {
		t.Fatalf("the pointer holds %q, %v; want %q", b, err, "features.npy.v000001\n")
	}

	var live atomic.Int64
	h, err := publish.Open(name, openCounted(&live), nil)
	must(t, err)
	defer h.Close()
	if h.Version() != 1 {
		t.Fatalf("Version %d, want 1", h.Version())
	}
	r1, err := h.Acquire()
	must(t, err)
	must(t, checkArray(r1.Value().Array, r1.Version(), elems))

	n2, err := publish.Publish(name, write, nil)
	must(t, err)
	if n2 != 2 || h.Version() != 1 {
		t.Fatalf("Publish returned %d (want 2); the handle serves %d before Reload (want 1)", n2, h.Version())
	}
	changed, err := h.Reload()
	if err != nil || !changed || h.Version() != 2 {
		t.Fatalf("Reload = %v, %v; Version %d; want a change to version 2", changed, err, h.Version())
	}
	if changed, err := h.Reload(); err != nil || changed {
		t.Fatalf("a second Reload = %v, %v; want no change", changed, err)
	}
	// The Ref taken before the Reload still reads version 1.
	must(t, checkArray(r1.Value().Array, 1, elems))
	r2, err := h.Acquire()
	must(t, err)
	if r2.Version() != 2 {
		t.Fatalf("Acquire after Reload gave version %d", r2.Version())
	}
	must(t, checkArray(r2.Value().Array, 2, elems))
	if got := live.Load(); got != 2 {
		t.Fatalf("%d arrays open with a Ref on each of two versions, want 2", got)
	}
	r1.Release()
	if got := live.Load(); got != 1 {
		t.Fatalf("%d arrays open after the last Release of version 1, want 1", got)
	}
	if _, err := r1.Value().Get(0); !errors.Is(err, memmap.ErrClosed) {
		t.Fatalf("version 1's array after its last Release: Get = %v, want memmap.ErrClosed", err)
	}
	r2.Release()
	if got := live.Load(); got != 1 {
		t.Fatalf("%d arrays open after releasing a Ref of the current version, want 1", got)
	}

	n3, err := publish.Publish(name, write, nil)
	must(t, err)
	if n3 != 3 {
		t.Fatalf("third Publish returned %d", n3)
	}
	// Version 1 is gone; 2 is kept (Options.Keep's default), 3 is current.
	want := []string{"features.npy.current", "features.npy.lock", "features.npy.v000002", "features.npy.v000003"}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files after 3 publishes: %q, want %q", got, want)
	}
	_, err = h.Reload()
	must(t, err)
	must(t, h.Do(func(c *counted) error { return checkArray(c.Array, 3, elems) }))
	must(t, h.Close())
	if got := live.Load(); got != 0 {
		t.Fatalf("%d arrays open after Close, want 0", got)
	}
}

// TestNPZ publishes three versions of an npz archive and follows them.
func TestNPZ(t *testing.T) {
	dir := testutil.TempDir(t)
	name := inDir(dir, "model.npz")
	write := func(path string) error {
		n, err := versionOf(path)
		if err != nil {
			return err
		}
		w, err := npz.Create(path, nil)
		if err != nil {
			return err
		}
		if err := npz.Add(w, "weights", []int64{value(n, 0), value(n, 1), value(n, 2)}, nil, nil); err != nil {
			w.Abort()
			return err
		}
		return w.Close()
	}
	check := func(f *npz.File, n uint64) error {
		a, err := npz.Array[int64](f, "weights")
		if err != nil {
			return err
		}
		defer a.Close()
		d, err := a.Data()
		if err != nil {
			return err
		}
		if !slices.Equal(d, []int64{value(n, 0), value(n, 1), value(n, 2)}) {
			return fmt.Errorf("version %d holds %v", n, d)
		}
		return nil
	}
	_, err := publish.Publish(name, write, nil)
	must(t, err)
	h, err := publish.Open(name, npz.Open, nil)
	must(t, err)
	defer h.Close()
	old, err := h.Acquire()
	must(t, err)
	for v := uint64(2); v <= 3; v++ {
		n, err := publish.Publish(name, write, nil)
		must(t, err)
		if changed, err := h.Reload(); err != nil || !changed || n != v || h.Version() != v {
			t.Fatalf("version %d: Publish returned %d; Reload = %v, %v; Version %d", v, n, changed, err, h.Version())
		}
		must(t, h.Do(func(f *npz.File) error { return check(f, v) }))
		must(t, check(old.Value(), 1)) // the Ref of version 1 still reads it
	}
	old.Release()
	want := []string{"model.npz.current", "model.npz.lock", "model.npz.v000002", "model.npz.v000003"}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files after 3 publishes: %q, want %q", got, want)
	}
}

// fake is a value whose Close is counted, and which checks that it is
// never used after it.
type fake struct {
	n      uint64
	closes atomic.Int32
}

func (f *fake) Close() error {
	f.closes.Add(1)
	return nil
}

// fakes publishes small files holding their version number, and opens
// them as fakes, keeping every fake it made.
type fakes struct {
	mu   sync.Mutex
	all  []*fake
	fail bool // open fails
}

func writeFake(path string) error {
	n, err := versionOf(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, fmt.Append(nil, n), 0o644)
}

func (fs *fakes) open(path string) (*fake, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f fake
	if _, err := fmt.Sscan(string(b), &f.n); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.fail {
		return nil, errors.New("open refused")
	}
	fs.all = append(fs.all, &f)
	return &f, nil
}

// closes returns how many times each fake was closed.
func (fs *fakes) closes() []int32 {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	c := make([]int32, len(fs.all))
	for i, f := range fs.all {
		c[i] = f.closes.Load()
	}
	return c
}

// TestRefCount checks when a version's value is closed: by the last of
// its Refs and the handle's reference, exactly once.
func TestRefCount(t *testing.T) {
	name := inDir(testutil.TempDir(t), "f")
	var fs fakes
	publishN(t, name, 1, writeFake, nil)
	h, err := publish.Open(name, fs.open, nil)
	must(t, err)
	a, err := h.Acquire()
	must(t, err)
	b := a // a copy of a Ref is the same reference
	publishN(t, name, 1, writeFake, nil)
	if _, err := h.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := fs.closes(); !slices.Equal(got, []int32{0, 0}) {
		t.Fatalf("closes %v after a Reload with a Ref on version 1, want [0 0]", got)
	}
	b.Release()
	if got := fs.closes(); !slices.Equal(got, []int32{1, 0}) {
		t.Fatalf("closes %v after the Release of version 1, want [1 0]", got)
	}
	if a.Value().n != 1 || a.Version() != 1 {
		t.Fatalf("the Ref says version %d, value %d", a.Version(), a.Value().n)
	}

	c, err := h.Acquire()
	must(t, err)
	must(t, h.Close())
	if got := fs.closes(); !slices.Equal(got, []int32{1, 0}) {
		t.Fatalf("closes %v after Close with a Ref on version 2, want [1 0]", got)
	}
	if _, err := h.Acquire(); !errors.Is(err, memmap.ErrClosed) {
		t.Fatalf("Acquire after Close: %v, want memmap.ErrClosed", err)
	}
	if _, err := h.Reload(); !errors.Is(err, memmap.ErrClosed) {
		t.Fatalf("Reload after Close: %v, want memmap.ErrClosed", err)
	}
	if err := h.Do(func(*fake) error { return nil }); !errors.Is(err, memmap.ErrClosed) {
		t.Fatalf("Do after Close: %v, want memmap.ErrClosed", err)
	}
	c.Release()
	if got := fs.closes(); !slices.Equal(got, []int32{1, 1}) {
		t.Fatalf("closes %v after the last Release, want [1 1]", got)
	}
	must(t, h.Close()) // a second Close does nothing
	if got := fs.closes(); !slices.Equal(got, []int32{1, 1}) {
		t.Fatalf("closes %v after a second Close, want [1 1]", got)
	}
	var zero publish.Ref[*fake]
	zero.Release() // does nothing
	if zero.Value() != nil || zero.Version() != 0 {
		t.Fatal("the zero Ref has a value")
	}
}

// TestCloseNoRefs closes the value in Close when no Ref holds it, and
// returns the error of that Close; a closed version's Close error in a
// Release goes to OnError.
func TestCloseErrors(t *testing.T) {
	name := inDir(testutil.TempDir(t), "f")
	publishN(t, name, 1, writeFake, nil)
	bad := errors.New("close failed")
	var got []error
	open := func(path string) (failCloser, error) { return failCloser{bad}, nil }
	h, err := publish.Open(name, open, &publish.Options{OnError: func(err error) { got = append(got, err) }})
	must(t, err)
	r, err := h.Acquire()
	must(t, err)
	publishN(t, name, 1, writeFake, nil)
	_, err = h.Reload()
	must(t, err)
	r.Release() // closes version 1: OnError
	if len(got) != 1 || !errors.Is(got[0], bad) {
		t.Fatalf("OnError got %v, want the Close error of version 1", got)
	}
	if err := h.Close(); !errors.Is(err, bad) {
		t.Fatalf("Close = %v, want the Close error of version 2", err)
	}
}

type failCloser struct{ err error }

func (f failCloser) Close() error { return f.err }

// fastPublish makes fake version n of name current as Publish would, but
// without fsyncs and without removing old versions.
func fastPublish(t testing.TB, name string, n uint64) {
	t.Helper()
	path := publish.VersionPath(name, n)
	must(t, writeFake(path))
	tmp := name + ".current.tmp"
	must(t, os.WriteFile(tmp, []byte(filepath.Base(path)+"\n"), 0o644))
	must(t, os.Rename(tmp, name+".current"))
}

// TestAcquireRace has many goroutines acquire, check and release while
// another reloads through many versions: no Acquire fails, no value is
// used after its Close, every value is closed exactly once. Run it with
// -race.
func TestAcquireRace(t *testing.T) {
	name := inDir(testutil.TempDir(t), "f")
	var fs fakes
	publishN(t, name, 1, writeFake, nil)
	h, err := publish.Open(name, fs.open, nil)
	must(t, err)
	versions := 300
	if testing.Short() || runtime.GOOS == "windows" {
		versions = 100 // Wine is slow to switch goroutines
	}
	var stop atomic.Bool
	var acquires atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last uint64
			for !stop.Load() {
				r, err := h.Acquire()
				if err != nil {
					errs <- err
					return
				}
				v := r.Value()
				if v.closes.Load() != 0 || v.n != r.Version() || r.Version() < last {
					errs <- fmt.Errorf("acquired version %d (after %d): value %d closed %d times", r.Version(), last, v.n, v.closes.Load())
					r.Release()
					return
				}
				last = r.Version()
				runtime.Gosched()
				if v.closes.Load() != 0 {
					errs <- fmt.Errorf("version %d closed while referenced", r.Version())
				}
				r.Release()
				acquires.Add(1)
			}
		}()
	}
	for v := range versions {
		fastPublish(t, name, uint64(v+2))
		if changed, err := h.Reload(); err != nil || !changed {
			t.Errorf("Reload = %v, %v", changed, err)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	must(t, h.Close())
	for i, c := range fs.closes() {
		if c != 1 {
			t.Errorf("version %d closed %d times, want 1", i+1, c)
		}
	}
	t.Logf("%d acquires over %d versions", acquires.Load(), versions+1)
}

// TestAcquireAllocs: Acquire and Release allocate nothing.
func TestAcquireAllocs(t *testing.T) {
	name := inDir(testutil.TempDir(t), "f")
	var fs fakes
	publishN(t, name, 1, writeFake, nil)
	h, err := publish.Open(name, fs.open, nil)
	must(t, err)
	defer h.Close()
	allocs := testing.AllocsPerRun(100, func() {
		r, err := h.Acquire()
		if err != nil {
			panic(err)
		}
		r.Release()
	})
	if allocs != 0 {
		t.Errorf("Acquire and Release: %v allocations, want 0", allocs)
	}
}

// TestOpenNotPublished: Open of a name never published matches
// fs.ErrNotExist.
func TestOpenNotPublished(t *testing.T) {
	name := inDir(testutil.TempDir(t), "none.npy")
	_, err := publish.Open(name, openArray, nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open of an unpublished name: %v, want fs.ErrNotExist", err)
	}
	if _, _, err := publish.Current(name); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Current of an unpublished name: %v, want fs.ErrNotExist", err)
	}
	if err := publish.Clean(name, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Clean of an unpublished name: %v, want fs.ErrNotExist", err)
	}
}

// TestBadPointer: a pointer file that does not name a version of the
// name, in that directory, is refused with ErrPointer, naming what it
// holds; Publish refuses to go on from it.
func TestBadPointer(t *testing.T) {
	dir := testutil.TempDir(t)
	name := inDir(dir, "t.npy")
	must(t, writeArray(10)(name+".v000001"))
	for _, ptr := range []string{
		"../x\n",
		"../t.npy.v000001\n",
		"sub/t.npy.v000001\n",
		"/etc/passwd\n",
		"garbage",
		"",
		"\n",
		"t.npy.v\n",
		"t.npy.v12a\n",
		"t.npy.v-1\n",
		"t.npy.v+1\n",
		"t.npy.v 1\n",
		"t.npy.v000001\n\n",
		"t.npy.v000001\nt.npy.v000002\n",
		"other.v000001\n",
		"t.npy.v99999999999999999999999\n",
		strings.Repeat("t", 600),
	} {
		must(t, os.WriteFile(name+".current", []byte(ptr), 0o644))
		_, err := publish.Open(name, openArray, nil)
		var pe *os.PathError
		if !errors.Is(err, publish.ErrPointer) || !errors.As(err, &pe) || pe.Path != name+".current" {
			t.Errorf("pointer %q: Open = %v, want an *os.PathError for the pointer matching ErrPointer", ptr, err)
			continue
		}
		if _, err := publish.Publish(name, writeArray(10), nil); !errors.Is(err, publish.ErrPointer) {
			t.Errorf("pointer %q: Publish = %v, want ErrPointer", ptr, err)
		}
	}
	must(t, os.WriteFile(name+".current", []byte("../x\n"), 0o644))
	_, err := publish.Open(name, openArray, nil)
	t.Logf("for example: %v", err)
	// A pointer without its newline, or with Windows' line end, is good.
	for _, ptr := range []string{"t.npy.v000001", "t.npy.v000001\r\n", "t.npy.v1\n"} {
		must(t, os.WriteFile(name+".current", []byte(ptr), 0o644))
		n, path, err := publish.Current(name)
		if err != nil || n != 1 || filepath.Base(path) != strings.TrimSpace(ptr) {
			t.Errorf("pointer %q: Current = %d, %q, %v", ptr, n, path, err)
		}
	}
}

// TestPointerMissingVersion: a pointer naming a version that is not there
// (removed by hand) gives an error matching fs.ErrNotExist.
func TestPointerMissingVersion(t *testing.T) {
	name := inDir(testutil.TempDir(t), "t.npy")
	must(t, os.WriteFile(name+".current", []byte("t.npy.v000004\n"), 0o644))
	if _, err := publish.Open(name, openArray, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open with the current version missing: %v, want fs.ErrNotExist", err)
	}
}

// TestVersionRemovedWhileOpening: the pointer moves on and the version it
// named is removed between reading the pointer and opening the version;
// Open reads the pointer again and opens the new one.
func TestVersionRemovedWhileOpening(t *testing.T) {
	name := inDir(testutil.TempDir(t), "t.npy")
	publishN(t, name, 1, writeArray(10), nil)
	calls := 0
	open := func(path string) (*array.Array[int64], error) {
		calls++
		if calls == 1 {
			// Two publishes: version 1 goes (Keep 1 keeps 2).
			publishN(t, name, 2, writeArray(10), nil)
		}
		return openArray(path)
	}
	h, err := publish.Open(name, open, nil)
	must(t, err)
	defer h.Close()
	if calls != 2 || h.Version() != 3 {
		t.Fatalf("%d opens, version %d; want 2 opens ending at version 3", calls, h.Version())
	}
	must(t, h.Do(func(a *array.Array[int64]) error { return checkArray(a, 3, 10) }))
}

// TestReloadFails: a new version that does not open leaves the handle
// serving the old one.
func TestReloadFails(t *testing.T) {
	name := inDir(testutil.TempDir(t), "t.npy")
	publishN(t, name, 1, writeArray(10), nil)
	h, err := publish.Open(name, openArray, nil)
	must(t, err)
	defer h.Close()
	publishN(t, name, 1, func(path string) error { return os.WriteFile(path, []byte("not an npy file"), 0o644) }, nil)
	changed, err := h.Reload()
	if err == nil || changed {
		t.Fatalf("Reload to a corrupt version = %v, %v; want an error", changed, err)
	}
	if h.Version() != 1 {
		t.Fatalf("after a failed Reload the handle serves version %d, want 1", h.Version())
	}
	must(t, h.Do(func(a *array.Array[int64]) error { return checkArray(a, 1, 10) }))
	publishN(t, name, 1, writeArray(10), nil)
	if changed, err := h.Reload(); err != nil || !changed || h.Version() != 3 {
		t.Fatalf("Reload to a good version = %v, %v, version %d", changed, err, h.Version())
	}
	must(t, h.Do(func(a *array.Array[int64]) error { return checkArray(a, 3, 10) }))
}

// TestWriteFails: an error of write comes back, wrapped, and leaves no
// file and the current version as it was; so does a write that makes no
// file.
func TestWriteFails(t *testing.T) {
	dir := testutil.TempDir(t)
	name := inDir(dir, "t.npy")
	publishN(t, name, 1, writeArray(10), nil)
	before := files(t, dir)
	bad := errors.New("no data today")
	_, err := publish.Publish(name, func(path string) error {
		must(t, os.WriteFile(path, []byte("half"), 0o644))
		return bad
	}, nil)
	if !errors.Is(err, bad) {
		t.Fatalf("Publish with a failing write = %v, want its error", err)
	}
	_, err = publish.Publish(name, func(string) error { return nil }, nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Publish with a write that makes no file = %v, want fs.ErrNotExist", err)
	}
	_, err = publish.Publish(name, func(path string) error { return os.Mkdir(path, 0o755) }, nil)
	if !errors.Is(err, memmap.ErrNotRegular) {
		t.Fatalf("Publish with a write that makes a directory = %v, want memmap.ErrNotRegular", err)
	}
	if got := files(t, dir); !slices.Equal(got, before) {
		t.Errorf("files after failed publishes: %q, want %q", got, before)
	}
	if n, _, err := publish.Current(name); err != nil || n != 1 {
		t.Fatalf("Current = %d, %v after failed publishes; want 1", n, err)
	}
	// A failed version was never current, and its file is gone: its
	// number is free.
	n, err := publish.Publish(name, writeArray(10), nil)
	if err != nil || n != 2 {
		t.Fatalf("Publish after failures = %d, %v; want version 2", n, err)
	}
}

// TestLocked: a Publish (or Clean) while another publisher of the name
// holds the lock gets memmap.ErrLocked at once and changes nothing.
func TestLocked(t *testing.T) {
	dir := testutil.TempDir(t)
	name := inDir(dir, "t.npy")
	var inner, clean error
	n, err := publish.Publish(name, func(path string) error {
		_, inner = publish.Publish(name, writeArray(10), nil)
		clean = publish.Clean(name, nil)
		return writeArray(10)(path)
	}, nil)
	if err != nil || n != 1 {
		t.Fatalf("the outer Publish = %d, %v", n, err)
	}
	if !errors.Is(inner, memmap.ErrLocked) {
		t.Fatalf("a Publish during a Publish = %v, want memmap.ErrLocked", inner)
	}
	if !errors.Is(clean, memmap.ErrLocked) {
		t.Fatalf("a Clean during a Publish = %v, want memmap.ErrLocked", clean)
	}
	if got := files(t, dir); !slices.Equal(got, []string{"t.npy.current", "t.npy.lock", "t.npy.v000001"}) {
		t.Errorf("files: %q", got)
	}
}

// TestLeftovers: Publish removes what crashed publishers left (partial
// versions above the current one, temporary files) and versions older
// than Keep allows, and nothing else.
func TestLeftovers(t *testing.T) {
	dir := testutil.TempDir(t)
	name := inDir(dir, "t.npy")
	publishN(t, name, 3, writeArray(10), &publish.Options{Keep: 5})
	others := []string{
		"t.npy",                      // the name itself: not ours
		"t.npy.v000002.bak",          // not a version
		"t.npy.vx",                   // not a version
		"u.npy.v000001",              // another name's
		".t.npy.v000001.v000002.x-1", // a temporary file of the name t.npy.v000001
		".t.npy.backup",              // not a temporary file of ours
	}
	leftovers := []string{
		"t.npy.v000007",                // a crashed publisher's partial version
		".t.npy.v000008.npy-abc123",    // a crashed writer's temporary file
		".t.npy.current.publish-xyz89", // a crashed pointer replacement
	}
	for _, f := range append(slices.Clone(others), leftovers...) {
		must(t, os.WriteFile(inDir(dir, f), []byte("x"), 0o644))
	}
	n, err := publish.Publish(name, writeArray(10), nil) // Keep 1
	if err != nil || n != 8 {
		t.Fatalf("Publish = %d, %v; want version 8, after the leftover 7", n, err)
	}
	want := append(slices.Clone(others), "t.npy.current", "t.npy.lock", "t.npy.v000003", "t.npy.v000008")
	slices.Sort(want)
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files after Publish: %q\nwant %q", got, want)
	}
	// Clean with Keep 0 (the default, 1) changes nothing more.
	must(t, publish.Clean(name, nil))
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files after Clean: %q\nwant %q", got, want)
	}
}

// TestKeep keeps Options.Keep versions before the current one.
func TestKeep(t *testing.T) {
	dir := testutil.TempDir(t)
	name := inDir(dir, "k")
	publishN(t, name, 6, writeFake, &publish.Options{Keep: 3})
	want := []string{"k.current", "k.lock", "k.v000003", "k.v000004", "k.v000005", "k.v000006"}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files with Keep 3: %q, want %q", got, want)
	}
	must(t, publish.Clean(name, &publish.Options{Keep: 1}))
	want = []string{"k.current", "k.lock", "k.v000005", "k.v000006"}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files after Clean with Keep 1: %q, want %q", got, want)
	}
}

// TestManyDigits: past 999999 the version names take more digits, and
// readers and publishers order them by number.
func TestManyDigits(t *testing.T) {
	dir := testutil.TempDir(t)
	name := inDir(dir, "big")
	must(t, writeFake(name+".v999999"))
	must(t, os.WriteFile(name+".current", []byte("big.v999999\n"), 0o644))
	h, err := publish.Open(name, (&fakes{}).open, nil)
	must(t, err)
	defer h.Close()
	n, err := publish.Publish(name, writeFake, nil)
	if err != nil || n != 1000000 {
		t.Fatalf("Publish after 999999 = %d, %v", n, err)
	}
	if _, err := os.Stat(name + ".v1000000"); err != nil {
		t.Fatal(err)
	}
	if changed, err := h.Reload(); err != nil || !changed || h.Version() != 1000000 {
		t.Fatalf("Reload = %v, %v, version %d", changed, err, h.Version())
	}
	if got, want := publish.VersionPath(name, 17), name+".v000017"; got != want {
		t.Errorf("VersionPath(17) = %q, want %q", got, want)
	}
}

// TestOlderPointer: a pointer naming an older version than the handle
// serves (a hand-made rollback) changes nothing.
func TestOlderPointer(t *testing.T) {
	name := inDir(testutil.TempDir(t), "f")
	publishN(t, name, 2, writeFake, nil)
	h, err := publish.Open(name, (&fakes{}).open, nil)
	must(t, err)
	defer h.Close()
	must(t, os.WriteFile(name+".current", []byte("f.v000001\n"), 0o644))
	if changed, err := h.Reload(); err != nil || changed || h.Version() != 2 {
		t.Fatalf("Reload to an older version = %v, %v, version %d; want no change", changed, err, h.Version())
	}
}

// TestWatch: with Options.Watch the handle follows new versions by
// itself, and errors go to OnError.
func TestWatch(t *testing.T) {
	name := inDir(testutil.TempDir(t), "f")
	publishN(t, name, 1, writeFake, nil)
	var fs fakes
	errs := make(chan error, 100)
	h, err := publish.Open(name, fs.open, &publish.Options{Watch: time.Millisecond, OnError: func(err error) {
		select {
		case errs <- err:
		default:
		}
	}})
	must(t, err)
	wait := func(v uint64) {
		t.Helper()
		for start := time.Now(); h.Version() != v; time.Sleep(time.Millisecond) {
			if time.Since(start) > 30*time.Second {
				t.Fatalf("the watcher did not reach version %d in 30 s (at %d)", v, h.Version())
			}
		}
	}
	publishN(t, name, 1, writeFake, nil)
	wait(2)
	fs.mu.Lock()
	fs.fail = true
	fs.mu.Unlock()
	publishN(t, name, 1, writeFake, nil)
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), "open refused") {
			t.Errorf("OnError got %v, want the open's error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no error reported in 30 s")
	}
	fs.mu.Lock()
	fs.fail = false
	fs.mu.Unlock()
	wait(3)
	must(t, h.Close())
	if got := fs.closes(); !slices.Equal(got, []int32{1, 1, 1}) {
		t.Errorf("closes %v after Close, want [1 1 1]", got)
	}
}

// TestMemoryReturned: while Refs hold several versions, each stays
// mapped; once they are released, only the current one is.
func TestMemoryReturned(t *testing.T) {
	name := inDir(testutil.TempDir(t), "m.npy")
	const elems = 4096
	publishN(t, name, 1, writeArray(elems), nil)
	var live atomic.Int64
	h, err := publish.Open(name, openCounted(&live), nil)
	must(t, err)
	defer h.Close()
	var refs []publish.Ref[*counted]
	for range 5 {
		r, err := h.Acquire()
		must(t, err)
		must(t, checkArray(r.Value().Array, r.Version(), elems)) // maps it
		refs = append(refs, r)
		publishN(t, name, 1, writeArray(elems), nil)
		_, err = h.Reload()
		must(t, err)
	}
	must(t, h.Do(func(c *counted) error { return checkArray(c.Array, 6, elems) }))
	if got := live.Load(); got != 6 {
		t.Fatalf("%d versions open with Refs on 5 old ones, want 6", got)
	}
	if m := mappedVersions(name); m >= 0 && m != 6 {
		t.Errorf("%d version files mapped with Refs on 5 old ones, want 6", m)
	}
	for _, r := range refs {
		r.Release()
	}
	if got := live.Load(); got != 1 {
		t.Fatalf("%d versions open after the Refs' release, want 1", got)
	}
	m := mappedVersions(name)
	if m > 1 {
		t.Errorf("%d version files mapped after the Refs' release, want 1", m)
	}
	t.Logf("after release: %d version open, %d mapped (-1: cannot tell here)", live.Load(), m)
}

// TestRemoveHeld: a version a reader holds when Publish would remove it
// does not fail the Publish. On unix it is removed at once (its map stays
// valid); on Windows, where a mapped file cannot be removed, it stays
// until the reader lets go of it and a later Publish or Clean runs.
func TestRemoveHeld(t *testing.T) {
	dir := testutil.TempDir(t)
	name := inDir(dir, "h.npy")
	publishN(t, name, 1, writeArray(100), nil)
	h, err := publish.Open(name, openArray, nil)
	must(t, err)
	defer h.Close()
	r, err := h.Acquire()
	must(t, err)
	must(t, checkArray(r.Value(), 1, 100)) // maps version 1
	publishN(t, name, 2, writeArray(100), nil)
	_, err = os.Stat(name + ".v000001")
	held := err == nil
	t.Logf("version 1, mapped by a Ref, after two more publishes: present %v (%v)", held, err)
	if held && runtime.GOOS != "windows" {
		t.Errorf("version 1 was not removed on %s", runtime.GOOS)
	}
	must(t, checkArray(r.Value(), 1, 100)) // the map of a removed file stays valid
	_, err = h.Reload()
	must(t, err)
	r.Release()
	must(t, publish.Clean(name, nil))
	want := []string{"h.npy.current", "h.npy.lock", "h.npy.v000002", "h.npy.v000003"}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files after the release and Clean: %q, want %q", got, want)
	}
}

// TestBadName: a name that names no file is refused with fs.ErrInvalid.
func TestBadName(t *testing.T) {
	dir := testutil.TempDir(t)
	sep := string(os.PathSeparator)
	for _, name := range []string{"", dir + sep, dir + sep + ".", dir + sep + ".."} {
		if _, err := publish.Publish(name, writeFake, nil); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Publish(%q) = %v, want fs.ErrInvalid", name, err)
		}
		if _, err := publish.Open(name, (&fakes{}).open, nil); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%q) = %v, want fs.ErrInvalid", name, err)
		}
		if err := publish.Clean(name, nil); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Clean(%q) = %v, want fs.ErrInvalid", name, err)
		}
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("files made: %q", got)
	}
}
