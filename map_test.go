package memmap

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap/internal/testutil"
)

// pattern returns n bytes that differ at every nearby offset, so that a
// map at the wrong offset shows.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*131 + i>>8 + 7)
	}
	return b
}

// mustOpen opens path and closes the map when the test ends.
func mustOpen(t *testing.T, path string, mode Mode, opt *Options) *Map {
	t.Helper()
	m, err := Open(path, mode, opt)
	if err != nil {
		t.Fatalf("Open(%v): %v", mode, err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// diffBytes compares byte slices, summarizing large ones.
func diffBytes(got, want []byte) string {
	if bytes.Equal(got, want) {
		return ""
	}
	if len(got) > 64 || len(want) > 64 {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		return cmp.Diff(struct{ Len, FirstDiff int }{len(want), -1}, struct{ Len, FirstDiff int }{len(got), i})
	}
	return cmp.Diff(want, got)
}

func TestModes(t *testing.T) {
	data := pattern(3*PageSize() + 11)
	for _, tc := range []struct {
		mode       Mode
		fileChange bool // a write through Bytes reaches the file
	}{
		{ReadOnly, false},
		{ReadWrite, true},
		{CopyOnWrite, false},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			path := testutil.WriteFile(t, data)
			m := mustOpen(t, path, tc.mode, nil)
			if d := diffBytes(m.Bytes(), data); d != "" {
				t.Fatalf("Bytes differ from the file (-want +got):\n%s", d)
			}
			if got := cap(m.Bytes()); got != len(data) {
				t.Errorf("cap(Bytes()) = %d, want %d", got, len(data))
			}
			err := m.Resize(10)
			if tc.mode == ReadWrite {
				if err != nil {
					t.Fatalf("Resize: %v", err)
				}
				if err := m.Resize(int64(len(data))); err != nil {
					t.Fatalf("Resize back: %v", err)
				}
				copy(m.Bytes(), data) // the shrink zeroed the tail
			} else if !errors.Is(err, ErrReadOnly) {
				t.Fatalf("Resize on a %v map = %v, want ErrReadOnly", tc.mode, err)
			}
			want := append([]byte(nil), data...)
			if tc.mode != ReadOnly {
				b := m.Bytes()
				for _, i := range []int{0, PageSize(), len(b) - 1} {
					b[i] ^= 0x5a
					want[i] ^= 0x5a
				}
				if d := diffBytes(m.Bytes(), want); d != "" {
					t.Fatalf("map after writes (-want +got):\n%s", d)
				}
			}
			if err := m.Flush(); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			if err := m.FlushRange(1, 2); err != nil {
				t.Fatalf("FlushRange: %v", err)
			}
			wantFile := data
			if tc.fileChange {
				wantFile = want
			}
			if d := diffBytes(readFile(t, path), wantFile); d != "" {
				t.Fatalf("file after Flush (-want +got):\n%s", d)
			}
			if err := m.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if d := diffBytes(readFile(t, path), wantFile); d != "" {
				t.Fatalf("file after Close (-want +got):\n%s", d)
			}
		})
	}
}

func TestPartialMaps(t *testing.T) {
	const size = 3*65536 + 1000
	data := pattern(size)
	path := testutil.WriteFile(t, data)
	for _, mode := range []Mode{ReadOnly, ReadWrite, CopyOnWrite} {
		for _, tc := range []struct {
			off, length int64
		}{
			{0, 0}, {1, 0}, {1, 10}, {4095, 2}, {4096, 4096}, {4097, 0}, {4097, 5000},
			{65535, 3}, {65536, 1}, {65537, 0}, {65537, 65536}, {size - 1, 0}, {size - 1, 1}, {size, 0},
		} {
			t.Run(mode.String()+"/"+itoa(tc.off)+"+"+itoa(tc.length), func(t *testing.T) {
				m := mustOpen(t, path, mode, &Options{Offset: tc.off, Length: tc.length})
				end := int64(size)
				if tc.length != 0 {
					end = tc.off + tc.length
				}
				if d := diffBytes(m.Bytes(), data[tc.off:end]); d != "" {
					t.Fatalf("Bytes (-want +got):\n%s", d)
				}
				if m.Len() != int(end-tc.off) {
					t.Fatalf("Len = %d, want %d", m.Len(), end-tc.off)
				}
				if sz, err := m.Size(); err != nil || sz != size {
					t.Fatalf("Size = %d, %v; want %d", sz, err, size)
				}
				if err := m.Advise(Sequential); err != nil {
					t.Fatalf("Advise: %v", err)
				}
				if mode == ReadWrite && m.Len() > 0 {
					m.Bytes()[0] = 0xee
					if err := m.FlushRange(0, 1); err != nil {
						t.Fatalf("FlushRange: %v", err)
					}
					if got := readFile(t, path)[tc.off]; got != 0xee {
						t.Fatalf("file byte at %d = %#x, want 0xee", tc.off, got)
					}
					m.Bytes()[0] = data[tc.off]
					if err := m.Flush(); err != nil {
						t.Fatalf("Flush: %v", err)
					}
				}
			})
		}
	}
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestZeroLength(t *testing.T) {
	for _, mode := range []Mode{ReadOnly, ReadWrite, CopyOnWrite} {
		t.Run(mode.String(), func(t *testing.T) {
			path := testutil.WriteFile(t, nil)
			m, err := Open(path, mode, nil)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if m.Len() != 0 || m.Bytes() == nil || len(m.Bytes()) != 0 {
				t.Fatalf("Len = %d, Bytes = %v; want an empty, non-nil map", m.Len(), m.Bytes())
			}
			if err := m.Flush(); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			if err := m.Advise(WillNeed); err != nil {
				t.Fatalf("Advise: %v", err)
			}
			if mode == ReadWrite {
				if err := m.Resize(5); err != nil {
					t.Fatalf("Resize(5): %v", err)
				}
				copy(m.Bytes(), "hello")
				if err := m.Flush(); err != nil {
					t.Fatalf("Flush: %v", err)
				}
				if got := string(readFile(t, path)); got != "hello" {
					t.Fatalf("file = %q, want %q", got, "hello")
				}
			}
			if err := m.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}

func TestRangeErrors(t *testing.T) {
	path := testutil.WriteFile(t, pattern(100))
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"offset past end", Options{Offset: 101}},
		{"far offset", Options{Offset: 1 << 40}},
		{"length past end", Options{Length: 101}},
		{"offset+length past end", Options{Offset: 50, Length: 51}},
		{"huge length", Options{Offset: 1, Length: maxInt64}},
		{"negative offset", Options{Offset: -1}},
		{"negative length", Options{Length: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []Mode{ReadOnly, ReadWrite, CopyOnWrite} {
				m, err := Open(path, mode, &tc.opt)
				if !errors.Is(err, ErrRange) {
					if m != nil {
						m.Close()
					}
					t.Fatalf("Open(%v, %+v) = %v, want ErrRange", mode, tc.opt, err)
				}
				var pe *os.PathError
				if !errors.As(err, &pe) || pe.Path != path {
					t.Errorf("error %v does not name the path", err)
				}
			}
		})
	}
	t.Run("Create", func(t *testing.T) {
		dir := testutil.TempDir(t)
		for _, tc := range []struct {
			size int64
			opt  *Options
		}{{-1, nil}, {1, &Options{Offset: -1}}, {maxInt64, &Options{Offset: 1}}} {
			if _, err := Create(filepath.Join(dir, "c"), tc.size, tc.opt); !errors.Is(err, ErrRange) {
				t.Errorf("Create(%d, %+v) = %v, want ErrRange", tc.size, tc.opt, err)
			}
		}
	})
	t.Run("Anonymous", func(t *testing.T) {
		for _, tc := range []struct {
			size int64
			opt  *Options
		}{{-1, nil}, {10, &Options{Offset: 4096}}} {
			if _, err := Anonymous(tc.size, tc.opt); !errors.Is(err, ErrRange) {
				t.Errorf("Anonymous(%d, %+v) = %v, want ErrRange", tc.size, tc.opt, err)
			}
		}
	})
	t.Run("Resize", func(t *testing.T) {
		m := mustOpen(t, testutil.WriteFile(t, pattern(10)), ReadWrite, nil)
		if err := m.Resize(-1); !errors.Is(err, ErrRange) {
			t.Errorf("Resize(-1) = %v, want ErrRange", err)
		}
		// Too big for the address space (32-bit) or the filesystem.
		if err := m.Resize(maxInt64); err == nil {
			t.Errorf("Resize(maxInt64) succeeded")
		}
		if d := diffBytes(m.Bytes(), pattern(10)); d != "" {
			t.Errorf("failed Resize changed the map (-want +got):\n%s", d)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	dir := testutil.TempDir(t)
	if _, err := Open(filepath.Join(dir, "missing"), ReadOnly, nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want ErrNotExist", err)
	}
	path := testutil.WriteFile(t, []byte("x"))
	if _, err := Open(path, Mode(7), nil); !errors.Is(err, ErrRange) || errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "invalid mode 7") {
		t.Errorf("Open(Mode(7)) = %v, want ErrRange saying invalid mode 7", err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := OpenFile(f, Mode(-1), nil); !errors.Is(err, ErrRange) || !strings.Contains(err.Error(), "invalid mode -1") {
		t.Errorf("OpenFile(Mode(-1)) = %v, want ErrRange saying invalid mode -1", err)
	}
	if _, err := OpenFile(nil, ReadOnly, nil); err == nil {
		t.Errorf("OpenFile(nil) succeeded")
	}
}

func TestFlushAndAdviseRanges(t *testing.T) {
	m := mustOpen(t, testutil.WriteFile(t, pattern(3*PageSize())), ReadWrite, &Options{Offset: 1})
	n := int64(m.Len())
	for _, tc := range []struct {
		off, n int64
		ok     bool
	}{
		{0, 0, true}, {0, n, true}, {n, 0, true}, {1, n - 1, true}, {int64(PageSize()), 1, true},
		{-1, 1, false}, {0, -1, false}, {0, n + 1, false}, {n + 1, 0, false}, {1, maxInt64, false},
	} {
		err := m.FlushRange(tc.off, tc.n)
		if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, ErrRange)) {
			t.Errorf("FlushRange(%d, %d) = %v, want ok=%v or ErrRange", tc.off, tc.n, err, tc.ok)
		}
		for _, a := range []Advice{Normal, Sequential, Random, WillNeed, DontNeed} {
			err := m.AdviseRange(tc.off, tc.n, a)
			if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, ErrRange)) {
				t.Errorf("AdviseRange(%d, %d, %v) = %v, want ok=%v or ErrRange", tc.off, tc.n, a, err, tc.ok)
			}
		}
	}
	if err := m.Advise(Advice(42)); !errors.Is(err, ErrRange) || errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "invalid advice 42") {
		t.Errorf("Advise(42) = %v, want ErrRange saying invalid advice 42", err)
	}
	// DontNeed on a shared map keeps the data.
	if d := diffBytes(m.Bytes(), pattern(3 * PageSize())[1:]); d != "" {
		t.Errorf("data after advice (-want +got):\n%s", d)
	}
}

func TestCreate(t *testing.T) {
	dir := testutil.TempDir(t)
	for _, tc := range []struct {
		name string
		size int64
		opt  *Options
	}{
		{"empty", 0, nil},
		{"small", 10, nil},
		{"pages", 3*65536 + 5, nil},
		{"offset", 1000, &Options{Offset: 4097}},
		{"perm", 10, &Options{Perm: 0o600}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			// Create truncates an existing file.
			if err := os.WriteFile(path, pattern(70000), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := Create(path, tc.size, tc.opt)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			defer m.Close()
			var off int64
			if tc.opt != nil {
				off = tc.opt.Offset
			}
			if m.Len() != int(tc.size) {
				t.Fatalf("Len = %d, want %d", m.Len(), tc.size)
			}
			if d := diffBytes(m.Bytes(), make([]byte, tc.size)); d != "" {
				t.Fatalf("new map is not zero (-want +got):\n%s", d)
			}
			if sz, err := m.Size(); err != nil || sz != off+tc.size {
				t.Fatalf("Size = %d, %v; want %d", sz, err, off+tc.size)
			}
			if tc.size > 0 {
				m.Bytes()[tc.size-1] = 'z'
				if err := m.Flush(); err != nil {
					t.Fatalf("Flush: %v", err)
				}
				if got := readFile(t, path); got[off+tc.size-1] != 'z' {
					t.Fatalf("write did not reach the file")
				}
			}
		})
	}
}

func TestAnonymous(t *testing.T) {
	m, err := Anonymous(10000, nil)
	if err != nil {
		t.Fatalf("Anonymous: %v", err)
	}
	defer m.Close()
	if d := diffBytes(m.Bytes(), make([]byte, 10000)); d != "" {
		t.Fatalf("anonymous map is not zero (-want +got):\n%s", d)
	}
	if m.File() == nil {
		t.Fatal("File() = nil for an anonymous map")
	}
	copy(m.Bytes(), "anon")
	if err := m.Resize(1 << 20); err != nil {
		t.Fatalf("Resize: %v", err)
	}
	if got := string(m.Bytes()[:4]); got != "anon" {
		t.Fatalf("after Resize: %q", got)
	}
	if err := m.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if sz, err := m.Size(); err != nil || sz != 1<<20 {
		t.Fatalf("Size = %d, %v", sz, err)
	}
	if err := m.Resize(3); err != nil {
		t.Fatalf("shrinking Resize: %v", err)
	}
	if got := string(m.Bytes()); got != "ano" {
		t.Fatalf("after shrinking: %q", got)
	}
}

func TestClose(t *testing.T) {
	path := testutil.WriteFile(t, pattern(100))
	m, err := Open(path, ReadWrite, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Closed() {
		t.Error("Closed() = true on an open map")
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	checks := map[string]error{}
	_, checks["Size"] = m.Size()
	checks["Flush"] = m.Flush()
	checks["FlushRange"] = m.FlushRange(0, 0)
	checks["Advise"] = m.Advise(Normal)
	checks["AdviseRange"] = m.AdviseRange(0, 0, Normal)
	checks["Resize"] = m.Resize(10)
	checks["Guard"] = m.Guard(func() error { t.Error("Guard ran fn after Close"); return nil })
	for name, err := range checks {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	if !m.Closed() {
		t.Error("Closed() = false after Close")
	}
	if m.Bytes() != nil || m.Len() != 0 || m.File() != nil {
		t.Errorf("after Close: Bytes = %v, Len = %d, File = %v; want nil, 0, nil", m.Bytes(), m.Len(), m.File())
	}
	if sz := len(readFile(t, path)); sz != 100 {
		t.Errorf("file size after a failed Resize on a closed map = %d", sz)
	}
}

func TestLockOption(t *testing.T) {
	if runtime.GOOS == "aix" {
		t.Skip("no flock on aix")
	}
	path := testutil.WriteFile(t, pattern(10))
	w, err := Open(path, ReadWrite, &Options{Lock: true})
	if err != nil {
		t.Fatalf("first writer: %v", err)
	}
	for _, mode := range []Mode{ReadWrite, ReadOnly, CopyOnWrite} {
		if m, err := Open(path, mode, &Options{Lock: true}); !errors.Is(err, ErrLocked) {
			if m != nil {
				m.Close()
			}
			t.Errorf("Open(%v, Lock) beside a writer = %v, want ErrLocked", mode, err)
		}
	}
	// Without Lock there is no check, as in Python.
	r := mustOpen(t, path, ReadOnly, nil)
	r.Close()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r1 := mustOpen(t, path, ReadOnly, &Options{Lock: true})
	r2 := mustOpen(t, path, CopyOnWrite, &Options{Lock: true})
	if m, err := Open(path, ReadWrite, &Options{Lock: true}); !errors.Is(err, ErrLocked) {
		if m != nil {
			m.Close()
		}
		t.Errorf("writer beside readers = %v, want ErrLocked", err)
	}
	r1.Close()
	r2.Close()
	w2 := mustOpen(t, path, ReadWrite, &Options{Lock: true})
	// Create beside a writer fails with ErrLocked and leaves the file alone.
	if m, err := Create(path, 0, &Options{Lock: true}); !errors.Is(err, ErrLocked) {
		if m != nil {
			m.Close()
		}
		t.Errorf("Create(Lock) beside a writer = %v, want ErrLocked", err)
	}
	if got := readFile(t, path); !bytes.Equal(got, pattern(10)) {
		t.Errorf("a Create that failed to lock changed the file to %q", got)
	}
	w2.Close()
	c, err := Create(path, 5, &Options{Lock: true})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := Open(path, ReadOnly, &Options{Lock: true}); !errors.Is(err, ErrLocked) {
		if m != nil {
			m.Close()
		}
		t.Errorf("Open(Lock) beside a Create(Lock) = %v, want ErrLocked", err)
	}
	c.Close()
	if got := readFile(t, path); !bytes.Equal(got, make([]byte, 5)) {
		t.Errorf("Create over an existing file left %q, want 5 zero bytes", got)
	}
}

func TestPageSize(t *testing.T) {
	p, g := PageSize(), AllocationGranularity()
	if p <= 0 || p&(p-1) != 0 || g < p || g%p != 0 {
		t.Fatalf("PageSize = %d, AllocationGranularity = %d", p, g)
	}
	if runtime.GOOS == "windows" && g != 64<<10 {
		t.Errorf("AllocationGranularity on windows = %d, want 65536", g)
	}
}

func TestPopulate(t *testing.T) {
	data := pattern(2*65536 + 3)
	path := testutil.WriteFile(t, data)
	// ReadWrite last: it grows the file.
	for _, mode := range []Mode{ReadOnly, CopyOnWrite, ReadWrite} {
		m := mustOpen(t, path, mode, &Options{Populate: true, Offset: 4097})
		if d := diffBytes(m.Bytes(), data[4097:]); d != "" {
			t.Fatalf("%v map with Populate (-want +got):\n%s", mode, d)
		}
		if mode == ReadWrite {
			if err := m.Resize(int64(len(data))); err != nil {
				t.Fatalf("Resize with Populate: %v", err)
			}
		}
	}
}
