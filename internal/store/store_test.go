package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

func i4(t testing.TB) *layout.DType {
	t.Helper()
	d, err := layout.ParseDescr("'<i4'")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// rows returns k rows of width int32s (little-endian), row r holding
// base+r*width+c.
func rows(base, k, width int) []byte {
	b := make([]byte, 0, k*width*4)
	for r := range k {
		for c := range width {
			b = binary.LittleEndian.AppendUint32(b, uint32(base+r*width+c))
		}
	}
	return b
}

func mustCreate(t *testing.T, path string, shape []int64, fortran bool, opt *Options) *Store {
	t.Helper()
	s, err := Create(path, &header.Header{DType: i4(t), Shape: shape, FortranOrder: fortran}, opt)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustOpen(t *testing.T, path string, mode memmap.Mode) *Store {
	t.Helper()
	s, err := Open(path, mode, nil, nil)
	if err != nil {
		t.Fatalf("Open(%v): %v", mode, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustClose(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// parseFile parses the header of the file at path.
func parseFile(t *testing.T, path string) *header.Header {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := header.Parse(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestAppendCommitClose follows one writer: appended rows are invisible in
// the file's header until Commit, the file keeps capacity while open, and
// Close leaves exactly the committed bytes.
func TestAppendCommitClose(t *testing.T) {
	path := testutil.TempDir(t) + "/a.npy"
	const width = 8
	s := mustCreate(t, path, []int64{2, width}, false, nil)
	copy(s.Data(), rows(0, 2, width))
	if err := s.Append(rows(2*width, 3, width)); err != nil {
		t.Fatal(err)
	}
	if s.Len() != 5 || s.Committed() != 2 {
		t.Fatalf("after Append: Len %d, Committed %d; want 5, 2", s.Len(), s.Committed())
	}
	if got := parseFile(t, path).Shape; got[0] != 2 {
		t.Fatalf("header shape %v before Commit; want the old length 2", got)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := parseFile(t, path).Shape; got[0] != 5 || got[1] != width {
		t.Fatalf("header shape %v after Commit; want [5 %d]", got, width)
	}
	if fileSize(t, path) <= s.DataOffset()+5*width*4 {
		t.Fatalf("file of %d bytes has no capacity past the %d committed rows", fileSize(t, path), 5)
	}
	if !bytes.Equal(s.Data(), rows(0, 5, width)) {
		t.Fatal("data differs from what was written")
	}
	mustClose(t, s)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := parseFile(t, path)
	if int64(len(b)) != h.DataOffset+5*width*4 || !bytes.Equal(b[h.DataOffset:], rows(0, 5, width)) {
		t.Fatalf("closed file: %d bytes, want exactly header + 5 rows (%d)", len(b), h.DataOffset+5*width*4)
	}
	want, _ := (&header.Header{DType: i4(t), Shape: []int64{5, width}}).Encode()
	if !bytes.Equal(b[:h.DataOffset], want) {
		t.Fatalf("header after growth\n%q\nwant what NumPy writes for the final shape\n%q", b[:h.DataOffset], want)
	}
	if err := s.Append(rows(0, 1, width)); !errors.Is(err, memmap.ErrClosed) {
		t.Fatalf("Append after Close: %v, want ErrClosed", err)
	}
	if s.Close() != nil || s.Data() != nil {
		t.Fatal("second Close must be a no-op and Data nil")
	}
}

// TestGeometricGrowth checks that appending row by row grows the capacity
// O(log n) times and that views taken early keep aliasing the file.
func TestGeometricGrowth(t *testing.T) {
	path := testutil.TempDir(t) + "/g.npy"
	s := mustCreate(t, path, []int64{0, 4}, false, nil)
	if err := s.Append(rows(0, 1, 4)); err != nil {
		t.Fatal(err)
	}
	early := s.Data()
	const n = 100000
	for i := 1; i < n; i++ {
		if err := s.Append(rows(i*4, 1, 4)); err != nil {
			t.Fatal(err)
		}
	}
	if s.Grows() > 20 {
		t.Errorf("%d capacity growths for %d appends; want O(log n)", s.Grows(), n)
	}
	copy(early, []byte{0xAA, 0xBB, 0xCC, 0xDD})
	if !bytes.Equal(s.Data()[:4], []byte{0xAA, 0xBB, 0xCC, 0xDD}) {
		t.Fatal("a view taken before growth no longer aliases the data")
	}
	mustClose(t, s)
	b, _ := os.ReadFile(path)
	h := parseFile(t, path)
	want := rows(0, n, 4)
	copy(want, []byte{0xAA, 0xBB, 0xCC, 0xDD})
	if h.Shape[0] != n || !bytes.Equal(b[h.DataOffset:], want) {
		t.Fatalf("file after %d appends: shape %v, data equal %v", n, h.Shape, bytes.Equal(b[h.DataOffset:], want))
	}
}

// TestFortranGrowth grows a Fortran-order (3, n) array along its last axis.
func TestFortranGrowth(t *testing.T) {
	path := testutil.TempDir(t) + "/f.npy"
	s := mustCreate(t, path, []int64{3, 2}, true, &Options{Capacity: 1})
	if s.Axis() != 1 || s.RowSize() != 12 || s.Len() != 2 || s.Cap() != 2 {
		t.Fatalf("axis %d, row size %d, len %d, cap %d; want 1, 12, 2, 2", s.Axis(), s.RowSize(), s.Len(), s.Cap())
	}
	copy(s.Data(), rows(0, 2, 3))
	if err := s.Append(rows(6, 4, 3)); err != nil {
		t.Fatal(err)
	}
	if got := s.Shape(); got[0] != 3 || got[1] != 6 {
		t.Fatalf("shape %v, want [3 6]", got)
	}
	mustClose(t, s)
	h := parseFile(t, path)
	if !h.FortranOrder || h.Shape[0] != 3 || h.Shape[1] != 6 {
		t.Fatalf("header %+v, want Fortran (3, 6)", h)
	}
}

// TestSetLen grows with zeros and shrinks, committing a shrink at once,
// and zeroes stale rows that a shrink left behind when it grows again.
func TestSetLen(t *testing.T) {
	path := testutil.TempDir(t) + "/s.npy"
	s := mustCreate(t, path, []int64{0, 2}, false, nil)
	if err := s.Append(rows(1, 10, 2)); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLen(4); err != nil {
		t.Fatal(err)
	}
	if got := parseFile(t, path).Shape[0]; got != 4 {
		t.Fatalf("header length %d after shrinking to 4; want it committed at once", got)
	}
	if err := s.SetLen(7); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Data()[4*8:], make([]byte, 3*8)) {
		t.Fatalf("rows regrown after a shrink read %x, want zeros", s.Data()[4*8:])
	}
	if err := s.SetLen(-1); !errors.Is(err, memmap.ErrRange) {
		t.Fatalf("SetLen(-1): %v, want ErrRange", err)
	}
	if err := s.Append(make([]byte, 5)); !errors.Is(err, memmap.ErrShape) {
		t.Fatalf("Append of a partial row: %v, want ErrShape", err)
	}
	mustClose(t, s)
	if got := parseFile(t, path).Shape[0]; got != 7 {
		t.Fatalf("closed file length %d, want 7", got)
	}
}

// TestStaleCapacityZeroed: a writer that reopens a file whose capacity
// holds bytes (rows written but never committed before a crash) must show
// zeros when it grows over them.
func TestStaleCapacityZeroed(t *testing.T) {
	hdr, _ := (&header.Header{DType: i4(t), Shape: []int64{1}}).Encode()
	data := append(append(hdr, 1, 0, 0, 0), bytes.Repeat([]byte{0xEE}, 40)...)
	path := testutil.WriteFile(t, data)
	s := mustOpen(t, path, memmap.ReadWrite)
	if s.Len() != 1 || s.Cap() != 11 {
		t.Fatalf("len %d cap %d, want 1, 11", s.Len(), s.Cap())
	}
	if err := s.SetLen(5); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Data(), []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) {
		t.Fatalf("grown rows read %x, want zeros after row 0", s.Data())
	}
	if err := s.AppendRows(2, func(b []byte) {
		if !bytes.Equal(b, make([]byte, 8)) {
			t.Errorf("AppendRows hands fill %x, want zeros", b)
		}
	}); err != nil {
		t.Fatal(err)
	}
}

// TestReaderRefresh: a reader sees the writer's length only once it is
// committed, and follows it with Refresh past its first mapping.
func TestReaderRefresh(t *testing.T) {
	path := testutil.TempDir(t) + "/r.npy"
	w := mustCreate(t, path, []int64{1, 16}, false, nil)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r := mustOpen(t, path, memmap.ReadOnly)
	first := r.Data()
	for step := 1; step <= 5; step++ {
		k := 1000 * step
		if err := w.Append(rows(0, k, 16)); err != nil {
			t.Fatal(err)
		}
		if err := r.Refresh(); err != nil {
			t.Fatal(err)
		}
		if r.Len() != w.Committed() {
			t.Fatalf("reader length %d before Commit, want the committed %d", r.Len(), w.Committed())
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := r.Refresh(); err != nil {
			t.Fatal(err)
		}
		if r.Len() != w.Len() || !bytes.Equal(r.Data(), w.Data()) {
			t.Fatalf("after Commit: reader length %d, writer %d, data equal %v", r.Len(), w.Len(), bytes.Equal(r.Data(), w.Data()))
		}
	}
	w.Data()[0] = 42
	if first[0] != 42 {
		t.Fatal("the reader's first view no longer sees the file")
	}
	if err := w.SetLen(3); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(); err != nil || r.Len() != 3 {
		t.Fatalf("Refresh after a truncation: %v, length %d; want 3", err, r.Len())
	}
	mustClose(t, w)
	if err := r.Refresh(); err != nil || r.Len() != 3 {
		t.Fatalf("Refresh after the writer closed: %v, length %d", err, r.Len())
	}
	c := mustOpen(t, path, memmap.CopyOnWrite)
	if err := c.Refresh(); !errors.Is(err, memmap.ErrUnsupported) {
		t.Fatalf("Refresh of a copy-on-write store: %v, want ErrUnsupported", err)
	}
}

// TestRefreshHeaderChanged: a reader whose file now describes another
// array gets ErrFormat, not a reinterpretation of its bytes.
func TestRefreshHeaderChanged(t *testing.T) {
	path := testutil.TempDir(t) + "/h.npy"
	w := mustCreate(t, path, []int64{4, 4}, false, nil)
	mustClose(t, w)
	r := mustOpen(t, path, memmap.ReadOnly)
	// Rewrite the second dim in place, as a foreign writer might.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	i := bytes.Index(b, []byte("(4, 4)"))
	if _, err := f.WriteAt([]byte("(2, 8)"), int64(i)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := r.Refresh(); !errors.Is(err, header.ErrFormat) {
		t.Fatalf("Refresh after the dims changed: %v, want ErrFormat", err)
	}
}

// TestLock: one writer per file, in this process; readers are free.
func TestLock(t *testing.T) {
	path := testutil.TempDir(t) + "/l.npy"
	w := mustCreate(t, path, []int64{3}, false, nil)
	copy(w.Data(), rows(7, 3, 1))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(path, memmap.ReadWrite, nil, nil); !errors.Is(err, memmap.ErrLocked) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("second writable Open: %v, want ErrLocked", err)
	}
	if s, err := Create(path, &header.Header{DType: i4(t), Shape: []int64{1}}, nil); !errors.Is(err, memmap.ErrLocked) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Create over a writer: %v, want ErrLocked", err)
	}
	r := mustOpen(t, path, memmap.ReadOnly)
	if !bytes.Equal(r.Data(), rows(7, 3, 1)) {
		t.Fatal("the failed Create changed the file")
	}
	mustClose(t, w)
	w2 := mustOpen(t, path, memmap.ReadWrite)
	mustClose(t, w2)
}

// TestModes: ReadOnly and CopyOnWrite stores cannot change their length;
// a copy-on-write store's writes never reach the file.
func TestModes(t *testing.T) {
	path := testutil.TempDir(t) + "/m.npy"
	w := mustCreate(t, path, []int64{4}, false, nil)
	copy(w.Data(), rows(1, 4, 1))
	mustClose(t, w)
	before, _ := os.ReadFile(path)
	for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.CopyOnWrite} {
		s := mustOpen(t, path, mode)
		for name, f := range map[string]func() error{
			"Append":  func() error { return s.Append(rows(0, 1, 1)) },
			"SetLen":  func() error { return s.SetLen(9) },
			"Reserve": func() error { return s.Reserve(100) },
		} {
			if err := f(); !errors.Is(err, memmap.ErrReadOnly) {
				t.Errorf("%v: %s: %v, want ErrReadOnly", mode, name, err)
			}
		}
		if mode == memmap.CopyOnWrite {
			s.Data()[0] = 99
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		mustClose(t, s)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a copy-on-write store changed the file")
	}
}

// TestNoGrowthRoom: a header written without growth room (NumPy < 1.23)
// opens for writing; it grows as far as its padding holds the shape (11
// spare bytes here: room_test.go tests the bounds) and keeps in-place
// writes.
func TestNoGrowthRoom(t *testing.T) {
	text := "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }"
	for (10+len(text)+1)%16 != 0 {
		text += " "
	}
	text += "\n"
	b := []byte(header.Magic + "\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(text)))
	b = append(append(b, text...), rows(5, 3, 1)...)
	path := testutil.WriteFile(t, b)
	s := mustOpen(t, path, memmap.ReadWrite)
	if !bytes.Equal(s.Data(), rows(5, 3, 1)) {
		t.Fatal("data of a legacy file reads wrong")
	}
	if err := s.Append(rows(0, 1, 1)); err != nil {
		t.Fatalf("Append to a file with 11 spare header bytes: %v", err)
	}
	if err := s.SetLen(3); err != nil {
		t.Fatalf("SetLen back to 3: %v", err)
	}
	s.Data()[0] = 7
	mustClose(t, s)
	after, _ := os.ReadFile(path)
	if len(after) != len(b) || after[len(after)-12] != 7 {
		t.Fatal("in-place write to a legacy file was lost or the file changed size")
	}
}

// TestZeroD: a 0-d array has one element and cannot grow.
func TestZeroD(t *testing.T) {
	path := testutil.TempDir(t) + "/z.npy"
	s := mustCreate(t, path, nil, false, nil)
	if s.Len() != 1 || len(s.Data()) != 4 || s.Axis() != -1 {
		t.Fatalf("0-d: len %d, data %d bytes, axis %d", s.Len(), len(s.Data()), s.Axis())
	}
	if err := s.Append(rows(0, 1, 1)); !errors.Is(err, memmap.ErrShape) {
		t.Fatalf("Append to 0-d: %v, want ErrShape", err)
	}
	copy(s.Data(), rows(9, 1, 1))
	mustClose(t, s)
	r := mustOpen(t, path, memmap.ReadOnly)
	if err := r.Refresh(); err != nil || !bytes.Equal(r.Data(), rows(9, 1, 1)) {
		t.Fatalf("0-d reopened: %v, %x", err, r.Data())
	}
}

// TestAnonymous: New keeps a header in memory that follows the length.
func TestAnonymous(t *testing.T) {
	s, err := New(&header.Header{DType: i4(t), Shape: []int64{0, 3}}, &Options{Capacity: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Append(rows(0, 5, 3)); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	h, err := header.Parse(s.Map().Bytes(), nil)
	if err != nil || h.Shape[0] != 5 {
		t.Fatalf("anonymous header after Flush: %v, %v", h, err)
	}
	if !bytes.Equal(s.Data(), rows(0, 5, 3)) {
		t.Fatal("anonymous data differs")
	}
}

// TestBadFiles: every bad file is a typed error naming the file.
func TestBadFiles(t *testing.T) {
	good, _ := (&header.Header{DType: i4(t), Shape: []int64{4, 2}}).Encode()
	overflow := bytes.Replace(good, []byte("(4, 2)"), []byte("(9223372036854775807, 2)"), 1)
	fix := func(b []byte) []byte { // keep the header length field true
		binary.LittleEndian.PutUint16(b[8:], uint16(bytes.IndexByte(b, '\n')+1-10))
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
		want []error
	}{
		{"empty", nil, []error{header.ErrFormat, io.ErrUnexpectedEOF}},
		{"not npy", []byte("PK\x03\x04 this is a zip file, not an array"), []error{header.ErrFormat}},
		{"header cut", good[:30], []error{header.ErrFormat, io.ErrUnexpectedEOF}},
		{"data short", append(append([]byte{}, good...), make([]byte, 31)...), []error{header.ErrFormat, io.ErrUnexpectedEOF}},
		{"shape overflow", fix(overflow), []error{header.ErrFormat}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := testutil.WriteFile(t, tc.data)
			for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite, memmap.CopyOnWrite} {
				s, err := Open(path, mode, nil, nil)
				if err == nil {
					s.Close()
					t.Fatalf("%v: opened a bad file", mode)
				}
				for _, w := range tc.want {
					if !errors.Is(err, w) {
						t.Errorf("%v: %v; want it to match %v", mode, err, w)
					}
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("%v: %v does not name the file", mode, err)
				}
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, tc.data) {
				t.Error("opening a bad file changed it")
			}
		})
	}
	t.Run("dtype mismatch", func(t *testing.T) {
		path := testutil.WriteFile(t, append(append([]byte{}, good...), make([]byte, 32)...))
		f8, _ := layout.ParseDescr("'<f8'")
		_, err := Open(path, memmap.ReadOnly, f8, nil)
		if !errors.Is(err, layout.ErrDType) || !strings.Contains(err.Error(), "<i4") {
			t.Fatalf("Open with a wrong dtype: %v; want ErrDType naming the file's type", err)
		}
		// The failed writable open released its lock.
		s := mustOpen(t, path, memmap.ReadWrite)
		mustClose(t, s)
	})
}

// TestNumPyLoadsGrown: NumPy loads what the store grew, in both orders.
func TestNumPyLoadsGrown(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	for _, fortran := range []bool{false, true} {
		path := fmt.Sprintf("%s/np_%v.npy", dir, fortran)
		s := mustCreate(t, path, []int64{0, 5}, false, nil)
		if fortran {
			mustClose(t, s)
			s = mustCreate(t, path, []int64{5, 0}, true, nil)
		}
		for i := range 7 {
			if err := s.Append(rows(i*100*5, 100, 5)); err != nil {
				t.Fatal(err)
			}
			if i == 3 {
				if err := s.Flush(); err != nil {
					t.Fatal(err)
				}
			}
		}
		mustClose(t, s)
		out := testutil.RunPython(t, `
import sys, numpy as np
a = np.load(sys.argv[1], mmap_mode="r")
flat = np.asarray(a).ravel(order="F" if a.flags.f_contiguous and a.ndim > 1 and not a.flags.c_contiguous else "C")
print(a.shape, a.dtype.str, bool(np.array_equal(flat, np.arange(3500, dtype="<i4"))))
`, path)
		want := "(700, 5) <i4 True\n"
		if fortran {
			want = "(5, 700) <i4 True\n"
		}
		if string(out) != want {
			t.Errorf("fortran=%v: NumPy says %q, want %q", fortran, out, want)
		}
	}
}
