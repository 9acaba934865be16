package memmap

import (
	"errors"
	"os"
	"runtime"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
)

// TestResizeKeepsViews checks that a view taken before Resize still
// aliases the same bytes of the file after the map grew 10x and 1000x, in
// every way the map can grow: inside its reservation, into a new
// reservation when the first runs out, and with no reservation at all.
func TestResizeKeepsViews(t *testing.T) {
	const start = 3000
	kinds := []struct {
		name  string
		open  func(t *testing.T) (*Map, string) // the map, and its file ("" if anonymous)
		moves bool                              // growth must map new regions
	}{
		{"file", func(t *testing.T) (*Map, string) {
			path := testutil.WriteFile(t, pattern(start))
			return mustOpen(t, path, ReadWrite, nil), path
		}, false},
		{"file offset 4097", func(t *testing.T) (*Map, string) {
			path := testutil.WriteFile(t, append(make([]byte, 4097), pattern(start)...))
			return mustOpen(t, path, ReadWrite, &Options{Offset: 4097}), path
		}, false},
		{"small reservation", func(t *testing.T) (*Map, string) {
			path := testutil.WriteFile(t, pattern(start))
			return mustOpen(t, path, ReadWrite, &Options{Reserve: 1}), path
		}, true},
		{"no reservation", func(t *testing.T) (*Map, string) {
			path := testutil.WriteFile(t, pattern(start))
			return mustOpen(t, path, ReadWrite, &Options{Reserve: -1}), path
		}, true},
		{"created", func(t *testing.T) (*Map, string) {
			path := testutil.WriteFile(t, nil)
			m, err := Create(path, start, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { m.Close() })
			copy(m.Bytes(), pattern(start))
			return m, path
		}, false},
		{"anonymous", func(t *testing.T) (*Map, string) {
			m, err := Anonymous(start, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { m.Close() })
			copy(m.Bytes(), pattern(start))
			return m, ""
		}, false},
	}
	for _, k := range kinds {
		for _, factor := range []int{10, 1000} {
			t.Run(k.name+"/"+itoa(int64(factor)), func(t *testing.T) {
				m, path := k.open(t)
				off := m.st.off
				old := m.Bytes()
				if d := diffBytes(old, pattern(start)); d != "" {
					t.Fatalf("initial map (-want +got):\n%s", d)
				}
				// Grow in steps, as an appender would, then at once.
				for n := 2 * start; n < start*factor; n *= 2 {
					if err := m.Resize(int64(n)); err != nil {
						t.Fatalf("Resize(%d): %v", n, err)
					}
				}
				if err := m.Resize(int64(start * factor)); err != nil {
					t.Fatalf("Resize(%d): %v", start*factor, err)
				}
				cur := m.Bytes()
				if k.moves && len(m.st.old) == 0 {
					t.Fatal("growth past the reservation kept no old region")
				}
				if len(cur) != start*factor || len(old) != start {
					t.Fatalf("len(new) = %d, len(old) = %d", len(cur), len(old))
				}
				if d := diffBytes(cur[:start], pattern(start)); d != "" {
					t.Fatalf("grown map lost the old bytes (-want +got):\n%s", d)
				}
				if d := diffBytes(cur[start:], make([]byte, len(cur)-start)); d != "" {
					t.Fatalf("grown map is not zero past the old end (-want +got):\n%s", d)
				}
				// Write through the old view, read through the new, and back.
				for _, i := range []int{0, 1, start / 2, start - 1} {
					old[i] = 0xa1
					if cur[i] != 0xa1 {
						t.Fatalf("write to old view at %d not seen in the new one", i)
					}
					cur[i] = 0xb2
					if old[i] != 0xb2 {
						t.Fatalf("write to new view at %d not seen in the old one", i)
					}
				}
				cur[len(cur)-1] = 0xc3
				if err := m.Flush(); err != nil {
					t.Fatalf("Flush: %v", err)
				}
				if path != "" {
					got := readFile(t, path)
					if int64(len(got)) != off+int64(len(cur)) {
						t.Fatalf("file size = %d, want %d", len(got), off+int64(len(cur)))
					}
					if d := diffBytes(got[off:], cur); d != "" {
						t.Fatalf("file differs from the map (-want +got):\n%s", d)
					}
				}
			})
		}
	}
}

func TestResizeShrink(t *testing.T) {
	size := 5*PageSize() + 7
	path := testutil.WriteFile(t, pattern(size))
	m := mustOpen(t, path, ReadWrite, nil)
	m.pos = size - 1
	if err := m.Resize(100); err != nil {
		t.Fatalf("Resize(100): %v", err)
	}
	if m.Len() != 100 || m.pos != 100 {
		t.Fatalf("Len = %d, pos = %d; want 100, 100", m.Len(), m.pos)
	}
	if sz, err := m.Size(); err != nil || sz != 100 {
		t.Fatalf("Size after shrink = %d, %v; want 100", sz, err)
	}
	// Windows cannot truncate a mapped file: Close does it there.
	if fi, err := os.Stat(path); runtime.GOOS != "windows" && (err != nil || fi.Size() != 100) {
		t.Fatalf("file size after shrink = %v, %v; want 100", fi.Size(), err)
	}
	// Growing again reads zeros past the old end, the start unchanged.
	if err := m.Resize(int64(size)); err != nil {
		t.Fatalf("Resize back: %v", err)
	}
	want := make([]byte, size)
	copy(want, pattern(100))
	if d := diffBytes(m.Bytes(), want); d != "" {
		t.Fatalf("regrown map (-want +got):\n%s", d)
	}
	if err := m.Resize(0); err != nil {
		t.Fatalf("Resize(0): %v", err)
	}
	if m.Len() != 0 || m.Bytes() == nil {
		t.Fatalf("Resize(0): Len = %d, Bytes = %v", m.Len(), m.Bytes())
	}
	if err := m.Resize(3); err != nil {
		t.Fatalf("Resize(3): %v", err)
	}
	if d := diffBytes(m.Bytes(), []byte{0, 0, 0}); d != "" {
		t.Fatalf("after Resize(0), Resize(3) (-want +got):\n%s", d)
	}
	m.Bytes()[1] = 'x'
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := diffBytes(readFile(t, path), []byte{0, 'x', 0}); d != "" {
		t.Fatalf("file after Close (-want +got):\n%s", d)
	}
}

// TestResizePartial checks that a map that ends before the end of its
// file leaves the file's tail alone when it shrinks, and grows into it.
func TestResizePartial(t *testing.T) {
	data := pattern(20000)
	path := testutil.WriteFile(t, data)
	m := mustOpen(t, path, ReadWrite, &Options{Offset: 1, Length: 1000})
	if err := m.Resize(10); err != nil {
		t.Fatalf("Resize(10): %v", err)
	}
	if err := m.Resize(5000); err != nil {
		t.Fatalf("Resize(5000): %v", err)
	}
	if d := diffBytes(m.Bytes(), data[1:5001]); d != "" {
		t.Fatalf("partial map after resizes (-want +got):\n%s", d)
	}
	if d := diffBytes(readFile(t, path), data); d != "" {
		t.Fatalf("file changed (-want +got):\n%s", d)
	}
	if err := m.Resize(30000); err != nil {
		t.Fatalf("Resize(30000): %v", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 30001 {
		t.Fatalf("file size = %d, %v; want 30001", fi.Size(), err)
	}
	if d := diffBytes(m.Bytes()[:19999], data[1:]); d != "" {
		t.Fatalf("grown partial map (-want +got):\n%s", d)
	}
}

func TestResizeReadOnly(t *testing.T) {
	path := testutil.WriteFile(t, pattern(10))
	for _, mode := range []Mode{ReadOnly, CopyOnWrite} {
		m := mustOpen(t, path, mode, nil)
		if err := m.Resize(20); !errors.Is(err, ErrReadOnly) {
			t.Errorf("Resize on %v = %v, want ErrReadOnly", mode, err)
		}
	}
	if d := diffBytes(readFile(t, path), pattern(10)); d != "" {
		t.Errorf("file changed (-want +got):\n%s", d)
	}
}
