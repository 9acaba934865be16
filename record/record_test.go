package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

func tempPath(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(testutil.TempDir(t), name)
}

func mustCreate(t testing.TB, path string, opt *Options) *File[rec] {
	t.Helper()
	f, err := Create[rec](path, opt)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func mustOpen(t testing.TB, path string, mode memmap.Mode) *File[rec] {
	t.Helper()
	f, err := Open[rec](path, mode, nil)
	if err != nil {
		t.Fatalf("Open(%v): %v", mode, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func mustAppend(t testing.TB, f *File[rec], from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		first, err := f.Append(makeRec(i))
		if err != nil || first != i {
			t.Fatalf("Append(record %d) = %d, %v", i, first, err)
		}
	}
}

// mustRow returns Row(i), failing the test on an error.
func mustRow[T any](t testing.TB, f *File[T], i int) *T {
	t.Helper()
	p, err := f.Row(i)
	if err != nil {
		t.Fatalf("Row(%d): %v", i, err)
	}
	return p
}

func mustCheck(t testing.TB, f *File[rec], n int) {
	t.Helper()
	if f.Len() != n {
		t.Fatalf("Len = %d, want %d", f.Len(), n)
	}
	if _, err := checkAll(f, 0); err != nil {
		t.Fatal(err)
	}
}

// hostChar is the character of the host's byte order in a descr: ' and
// < or >.
func hostChar() string {
	if layout.HostOrder() == layout.Big {
		return "'>"
	}
	return "'<"
}

// otherOrder is the byte order that is not the host's.
func otherOrder() layout.ByteOrder {
	if layout.HostOrder() == layout.Little {
		return layout.Big
	}
	return layout.Little
}

func TestAppendGetReopen(t *testing.T) {
	path := tempPath(t, "a.npy")
	f := mustCreate(t, path, nil)
	if f.Len() != 0 || f.Mode() != memmap.ReadWrite || f.Path() != path {
		t.Fatalf("new file: Len %d, Mode %v, Path %q", f.Len(), f.Mode(), f.Path())
	}
	if want, _ := layout.Of[rec](); !f.DType().Equal(want) || f.ByteOrder() != layout.HostOrder() {
		t.Fatalf("DType %v, ByteOrder %v; want %v, %v", f.DType(), f.ByteOrder(), want, layout.HostOrder())
	}
	mustAppend(t, f, 0, 3)
	batch := []rec{makeRec(3), makeRec(4), makeRec(5), makeRec(6)}
	if first, err := f.Append(batch...); err != nil || first != 3 {
		t.Fatalf("Append(batch) = %d, %v", first, err)
	}
	if first, err := f.Append(); err != nil || first != 7 {
		t.Fatalf("Append() = %d, %v", first, err)
	}
	mustCheck(t, f, 7)
	if got := f.At(4); got != makeRec(4) {
		t.Fatalf("At(4) = %+v", got)
	}
	if got := *mustRow(t, f, 4); got != makeRec(4) {
		t.Fatalf("Row(4) = %+v", got)
	}
	s, err := f.Data()
	if err != nil || len(s) != 7 || cap(s) != 7 {
		t.Fatalf("Data: len %d cap %d, %v", len(s), cap(s), err)
	}
	var got []int64
	for i, p := range f.All() {
		if p != &s[i] {
			t.Fatalf("All yields %p at %d, Data has %p", p, i, &s[i])
		}
		got = append(got, p.Index)
	}
	if diff := cmp.Diff([]int64{0, 1, 2, 3, 4, 5, 6}, got); diff != "" {
		t.Fatalf("All (-want +got):\n%s", diff)
	}

	// Writes through Set, Row and Data are writes of the file.
	r := makeRec(100)
	if err := f.Set(r, 1); err != nil {
		t.Fatal(err)
	}
	mustRow(t, f, 2).Small = -5
	s[3].Value = 1.5
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.CopyOnWrite, memmap.ReadWrite} {
		g := mustOpen(t, path, mode)
		if g.Len() != 7 || g.Mode() != mode {
			t.Fatalf("%v: Len %d, Mode %v", mode, g.Len(), g.Mode())
		}
		want := []rec{makeRec(0), r, makeRec(2), makeRec(3), makeRec(4), makeRec(5), makeRec(6)}
		want[2].Small = -5
		want[3].Value = 1.5
		gs, err := g.Data()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, gs); diff != "" {
			t.Fatalf("%v: records (-want +got):\n%s", mode, diff)
		}
		if err := g.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// The closed file is exactly header + records: the capacity is gone.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := header.Parse(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := h.DataOffset + 7*40; int64(len(raw)) != want || h.DataOffset%64 != 0 {
		t.Fatalf("closed file is %d bytes, data at %d; want %d", len(raw), h.DataOffset, want)
	}
}

func TestModes(t *testing.T) {
	path := tempPath(t, "m.npy")
	f := mustCreate(t, path, nil)
	mustAppend(t, f, 0, 4)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	ro := mustOpen(t, path, memmap.ReadOnly)
	for name, err := range map[string]error{
		"Append":       func() error { _, err := ro.Append(makeRec(4)); return err }(),
		"Set":          ro.Set(makeRec(9), 0),
		"Truncate":     ro.Truncate(1),
		"Resize(grow)": ro.Resize(9),
		"Grow":         ro.Grow(9),
	} {
		if !errors.Is(err, memmap.ErrReadOnly) {
			t.Errorf("ReadOnly %s: %v, want ErrReadOnly", name, err)
		}
	}
	if err := ro.Flush(); err != nil {
		t.Errorf("ReadOnly Flush: %v", err)
	}
	mustCheck(t, ro, 4)

	// CopyOnWrite: changes in memory, never in the file; the length is
	// fixed.
	cw := mustOpen(t, path, memmap.CopyOnWrite)
	if err := cw.Set(makeRec(9), 0); err != nil {
		t.Fatalf("CopyOnWrite Set: %v", err)
	}
	mustRow(t, cw, 1).Index = 42
	if r, _ := cw.Get(0); r != makeRec(9) || cw.At(1).Index != 42 {
		t.Fatalf("CopyOnWrite does not see its own writes: %+v", r)
	}
	if _, err := cw.Append(makeRec(4)); !errors.Is(err, memmap.ErrReadOnly) {
		t.Errorf("CopyOnWrite Append: %v, want ErrReadOnly", err)
	}
	if err := cw.Refresh(); !errors.Is(err, memmap.ErrUnsupported) {
		t.Errorf("CopyOnWrite Refresh: %v, want ErrUnsupported", err)
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, ro, 4)
	mustCheck(t, mustOpen(t, path, memmap.ReadOnly), 4)
}

func TestClosed(t *testing.T) {
	f := mustCreate(t, tempPath(t, "c.npy"), nil)
	mustAppend(t, f, 0, 2)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	_, getErr := f.Get(0)
	_, appendErr := f.Append(makeRec(2))
	_, sliceErr := f.Data()
	_, rowErr := f.Row(0)
	_, rowsErr := f.Rows(0, 1)
	for name, err := range map[string]error{
		"Get":       getErr,
		"Append":    appendErr,
		"Data":      sliceErr,
		"Row":       rowErr,
		"Rows":      rowsErr,
		"Grow":      f.Grow(1),
		"Resize":    f.Resize(1),
		"Set":       f.Set(makeRec(0), 0),
		"Truncate":  f.Truncate(0),
		"Flush":     f.Flush(),
		"Commit":    f.Commit(),
		"FlushRows": f.FlushRows(0, 0),
		"Refresh":   f.Refresh(),
		"Guard":     f.Guard(func() error { return nil }),
	} {
		if !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	for name, fn := range map[string]func(){
		"At": func() { f.At(0) },
		"All": func() {
			for range f.All() {
			}
		},
	} {
		if err := panicErr(fn); !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("%s after Close panics with %v, want ErrClosed", name, err)
		}
	}
}

// panicErr runs fn and returns the error it panicked with (nil if it did
// not panic; the value itself wrapped if it is not an error).
func panicErr(fn func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if e, ok := v.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("panic: %v", v)
			}
		}
	}()
	fn()
	return nil
}

func TestRange(t *testing.T) {
	f := mustCreate(t, tempPath(t, "r.npy"), nil)
	mustAppend(t, f, 0, 3)
	for _, i := range []int{-1, 3, math.MaxInt} {
		if _, err := f.Get(i); !errors.Is(err, memmap.ErrRange) {
			t.Errorf("Get(%d): %v, want ErrRange", i, err)
		}
		if err := f.Set(makeRec(0), i); !errors.Is(err, memmap.ErrRange) {
			t.Errorf("Set(%d): %v, want ErrRange", i, err)
		}
		// At panics as indexing a slice does, with the library's
		// message and an error wrapping ErrRange.
		err := panicErr(func() { f.At(i) })
		want := fmt.Sprintf("record: index %d out of range for 3 records", i)
		if !errors.Is(err, memmap.ErrRange) || !strings.Contains(err.Error(), want) {
			t.Errorf("At(%d) panics with %v, want an error wrapping ErrRange saying %q", i, err, want)
		}
	}
	if err := f.Truncate(-1); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("Truncate(-1): %v, want ErrRange", err)
	}
	mustCheck(t, f, 3)
}

func TestOtherByteOrder(t *testing.T) {
	for _, order := range []layout.ByteOrder{layout.Little, layout.Big} {
		t.Run(order.String(), func(t *testing.T) {
			path := tempPath(t, "o.npy")
			f := mustCreate(t, path, &Options{ByteOrder: order})
			if f.ByteOrder() != order {
				t.Fatalf("ByteOrder %v, want %v", f.ByteOrder(), order)
			}
			mustAppend(t, f, 0, 2)
			if _, err := f.Append(makeRec(2), makeRec(3)); err != nil {
				t.Fatal(err)
			}
			if err := f.Resize(5); err != nil { // a zero record: the same in both orders
				t.Fatal(err)
			}
			if err := f.Set(makeRec(4), 4); err != nil {
				t.Fatal(err)
			}
			mustCheck(t, f, 5)
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}

			// The bytes in the file are in the order asked for.
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			h, err := header.Parse(raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			var bo binary.ByteOrder = binary.LittleEndian
			if order == layout.Big {
				bo = binary.BigEndian
			}
			for i := range 5 {
				b := raw[h.DataOffset+int64(i)*40:]
				if got := int64(bo.Uint64(b)); got != int64(i) {
					t.Fatalf("record %d: Index field reads %d in %v order", i, got, order)
				}
				if got := int32(bo.Uint32(b[28:])); got != makeRec(i).Small {
					t.Fatalf("record %d: Small field reads %d in %v order", i, got, order)
				}
			}

			g := mustOpen(t, path, memmap.ReadWrite)
			mustCheck(t, g, 5)
			_, sliceErr := g.Data()
			_, rowErr := g.Row(0)
			_, rowsErr := g.Rows(0, 1)
			allErr := panicErr(func() {
				for range g.All() {
				}
			})
			if order == layout.HostOrder() {
				if sliceErr != nil || rowErr != nil || rowsErr != nil || allErr != nil {
					t.Fatalf("host order: Data %v, Row %v, Rows %v, All %v", sliceErr, rowErr, rowsErr, allErr)
				}
				return
			}
			if allErr != nil {
				t.Errorf("All on a %v file panics with %v; it yields copies", order, allErr)
			}
			checkAllCopies(t, g, 5)
			for name, err := range map[string]error{"Data": sliceErr, "Row": rowErr, "Rows": rowsErr} {
				if !errors.Is(err, memmap.ErrByteOrder) {
					t.Errorf("%s on a %v file: %v, want ErrByteOrder", name, order, err)
				}
			}
		})
	}
	if _, err := Create[rec](tempPath(t, "x.npy"), &Options{ByteOrder: layout.Mixed}); !errors.Is(err, memmap.ErrByteOrder) {
		t.Errorf("Create with ByteOrder Mixed: %v, want ErrByteOrder", err)
	}
}

// TestCommitVisibility checks what readers see: the records committed by
// the writer's last Flush, Commit or Close, not those appended since.
func TestCommitVisibility(t *testing.T) {
	path := tempPath(t, "v.npy")
	w := mustCreate(t, path, nil)
	mustAppend(t, w, 0, 5)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, w, 5, 8)
	r := mustOpen(t, path, memmap.ReadOnly)
	mustCheck(t, r, 5)
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, r, 5)
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, r, 8)

	// Truncating commits at once; appending after it reuses the space.
	if err := w.Truncate(2); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, r, 2)
	mustAppend(t, w, 2, 4)
	if err := w.Resize(6); err != nil { // grows with zero records
		t.Fatal(err)
	}
	if z, err := w.Get(5); err != nil || z != (rec{}) {
		t.Fatalf("record past the old length after growing: %+v, %v; want zero", z, err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	if r.Len() != 6 {
		t.Fatalf("reader Len %d after Flush, want 6", r.Len())
	}
	if _, err := checkAll(r, 4); err == nil {
		t.Fatal("records 4 and 5 should be zero")
	}
	// (Close after the reader's: on Windows, the writer's Close cannot
	// shrink a file another map still maps, and says so.)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestGrowthKeepsViews appends records one at a time past many growths,
// with and without address space reserved, and checks that growth is
// geometric and that a pointer and a slice taken at the start keep
// aliasing the file.
func TestGrowthKeepsViews(t *testing.T) {
	for _, reserve := range []int64{0, -1} {
		t.Run(fmt.Sprintf("Reserve=%d", reserve), func(t *testing.T) {
			f := mustCreate(t, tempPath(t, "g.npy"), &Options{Reserve: reserve})
			mustAppend(t, f, 0, 2)
			p := mustRow(t, f, 0)
			s, err := f.Data()
			if err != nil {
				t.Fatal(err)
			}
			const n = 50000 // 2 MB of records
			for i := 2; i < n; i++ {
				if _, err := f.Append(makeRec(i)); err != nil {
					t.Fatal(err)
				}
			}
			// From 64 KiB, doubling up to 2 MB: about log2(2M/64K)+1 growths.
			grows := f.s.Grows()
			if max := bits.Len(uint(n*40/(64<<10))) + 2; grows < 3 || grows > max {
				t.Fatalf("%d growths for %d records, want 3..%d (geometric)", grows, n, max)
			}
			p.Small = 12345
			s[1].Small = 54321
			if r, _ := f.Get(0); r.Small != 12345 {
				t.Fatalf("write through the early pointer not seen: %+v", r)
			}
			if r, _ := f.Get(1); r.Small != 54321 {
				t.Fatalf("write through the early slice not seen: %+v", r)
			}
			if err := f.Set(makeRec(0), 0); err != nil {
				t.Fatal(err)
			}
			if *p != makeRec(0) {
				t.Fatalf("the early pointer does not see Set: %+v", *p)
			}
			mustRow(t, f, 1).Small = makeRec(1).Small
			mustCheck(t, f, n)
			t.Logf("%d records, %d growths (Reserve %d)", n, grows, reserve)
		})
	}
}

// TestAllocs checks that the hot paths allocate nothing, in both byte
// orders.
func TestAllocs(t *testing.T) {
	for _, order := range []layout.ByteOrder{layout.NotApplicable, otherOrder()} {
		f := mustCreate(t, tempPath(t, "z.npy"), &Options{Capacity: 10000, ByteOrder: order})
		mustAppend(t, f, 0, 10)
		r := makeRec(3)
		var sink rec
		for name, fn := range map[string]func(){
			"Append": func() { f.Append(r) },
			"Get":    func() { sink, _ = f.Get(3) },
			"Set":    func() { f.Set(r, 3) },
			"At":     func() { sink = f.At(3) },
			"Len":    func() { sink.Index += int64(f.Len()) },
		} {
			if name == "Append" && raceEnabled {
				continue // see raceEnabled
			}
			if got := testing.AllocsPerRun(100, fn); got != 0 {
				t.Errorf("%v order: %s allocates %v times", order, name, got)
			}
		}
		if order == layout.NotApplicable {
			if got := testing.AllocsPerRun(100, func() { p, _ := f.Row(3); sink = *p }); got != 0 {
				t.Errorf("Row allocates %v times", got)
			}
			if got := testing.AllocsPerRun(100, func() {
				for _, p := range f.All() {
					sink.Small += p.Small
				}
			}); got != 0 {
				t.Errorf("All allocates %v times", got)
			}
		}
		if sink.Index == 0 {
			t.Log() // keep sink alive
		}
	}
}

// writeFile writes a .npy file with header h and data, and returns its
// path.
func writeFile(t *testing.T, h *header.Header, data []byte) string {
	t.Helper()
	raw, err := h.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return testutil.WriteFile(t, append(raw, data...))
}

func recDType(t *testing.T) *layout.DType {
	t.Helper()
	d, err := layout.Of[rec]()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// otherRec differs from rec in its second field's type.
type otherRec struct {
	Index int64
	Value float32
	_     [4]byte
	Tag   [12]byte
	Small int32
	Sum   uint64
}

// renamedRec differs from rec in its third field's name.
type renamedRec struct {
	Index int64
	Value float64
	Label [12]byte
	Small int32
	Sum   uint64
}

// TestBadFiles opens files that are not record files for rec: each gives
// a typed error, and none panics.
func TestBadFiles(t *testing.T) {
	dt := recDType(t)
	good := make([]byte, 0, 3*40)
	for i := range 3 {
		r := makeRec(i)
		good = append(good, bytesOf([]rec{r})...)
	}
	i4, _ := layout.ParseDescr("'<i4'")
	longer := func() string { // a header claiming 1000 records over 3
		p := writeFile(t, &header.Header{DType: dt, Shape: []int64{3}}, good)
		raw, _ := os.ReadFile(p)
		h, _ := header.Parse(raw, nil)
		if err := header.RewriteShape(raw[:h.DataOffset], []int64{1000}); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(p, raw, 0o644)
		return p
	}
	for _, tc := range []struct {
		name  string
		path  string
		want  []error
		open  func(string) error
		inMsg []string
	}{
		{name: "empty", path: testutil.WriteFile(t, nil), want: []error{header.ErrFormat}},
		{name: "not npy", path: testutil.WriteFile(t, []byte("hello, world\n")), want: []error{header.ErrFormat}},
		{name: "shape larger than data", path: longer(), want: []error{header.ErrFormat, io.ErrUnexpectedEOF}},
		{name: "2-d", path: writeFile(t, &header.Header{DType: dt, Shape: []int64{1, 3}}, good), want: []error{memmap.ErrShape}},
		{name: "0-d", path: writeFile(t, &header.Header{DType: dt}, good[:40]), want: []error{memmap.ErrShape}},
		{name: "scalar dtype", path: writeFile(t, &header.Header{DType: i4, Shape: []int64{30}}, good), want: []error{layout.ErrDType}},
		{
			name: "field type", path: writeFile(t, &header.Header{DType: dt, Shape: []int64{3}}, good),
			open: func(p string) error { f, err := Open[otherRec](p, memmap.ReadOnly, nil); closeIf(f); return err },
			want: []error{layout.ErrDType}, inMsg: []string{"Value", hostChar() + "f8'", "float32"},
		},
		{
			name: "field name", path: writeFile(t, &header.Header{DType: dt, Shape: []int64{3}}, good),
			open: func(p string) error { f, err := Open[renamedRec](p, memmap.ReadOnly, nil); closeIf(f); return err },
			want: []error{layout.ErrDType}, inMsg: []string{"Tag", "Label"},
		},
		{
			name: "Go type", path: writeFile(t, &header.Header{DType: dt, Shape: []int64{3}}, good),
			open: func(p string) error {
				f, err := Open[struct{ A, B, C, D, E int }](p, memmap.ReadOnly, nil)
				closeIf(f)
				return err
			},
			want: []error{layout.ErrType}, inMsg: []string{"int64"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			open := tc.open
			if open == nil {
				open = func(p string) error { f, err := Open[rec](p, memmap.ReadOnly, nil); closeIf(f); return err }
			}
			err := open(tc.path)
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Fatalf("open: %v, want an error matching %v", err, w)
				}
			}
			var pe *os.PathError
			if !errors.As(err, &pe) || pe.Path != tc.path {
				t.Errorf("%v is not an *os.PathError naming the file", err)
			}
			for _, s := range tc.inMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%v does not say %q", err, s)
				}
			}
			// A writer is refused the same way.
			f, err := Open[rec](tc.path, memmap.ReadWrite, nil)
			if err == nil && tc.open == nil {
				f.Close()
				t.Fatalf("Open ReadWrite succeeded")
			}
		})
	}
	if _, err := Create[struct{ A int }](tempPath(t, "int.npy"), nil); !errors.Is(err, layout.ErrType) {
		t.Errorf("Create of a struct with int: %v, want ErrType", err)
	}
}

func closeIf[T any](f *File[T]) {
	if f != nil {
		f.Close()
	}
}

// TestTruncated opens every prefix of a valid record file: all but the
// whole file give an error matching header.ErrFormat, without panicking.
func TestTruncated(t *testing.T) {
	path := tempPath(t, "t.npy")
	f := mustCreate(t, path, nil)
	mustAppend(t, f, 0, 3)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(testutil.TempDir(t), "cut.npy")
	for n := range len(raw) {
		if err := os.WriteFile(cut, raw[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		g, err := Open[rec](cut, memmap.ReadOnly, nil)
		if !errors.Is(err, header.ErrFormat) {
			closeIf(g)
			t.Fatalf("Open of the first %d of %d bytes: %v, want ErrFormat", n, len(raw), err)
		}
	}
	mustCheck(t, mustOpen(t, path, memmap.ReadOnly), 3)
}

// TestMisaligned opens a hand-made file whose data starts at an offset
// that is not even: Get, Set and Append copy, and the views
// refuse with ErrAlign.
func TestMisaligned(t *testing.T) {
	dt := recDType(t)
	text := fmt.Sprintf("{'descr': %s, 'fortran_order': False, 'shape': (2,), }", dt.Descr())
	for (10+len(text)+1)%8 != 2 { // misaligned for 4- and 8-byte alignment
		text += " "
	}
	text += strings.Repeat(" ", 32) + "\n" // room to grow the shape
	hdr := append([]byte("\x93NUMPY\x01\x00"), byte(len(text)), byte(len(text)>>8))
	hdr = append(hdr, text...)
	data := append(bytesOf([]rec{makeRec(0)}), bytesOf([]rec{makeRec(1)})...)
	path := testutil.WriteFile(t, append(hdr, data...))

	f := mustOpen(t, path, memmap.ReadWrite)
	mustCheck(t, f, 2)
	mustAppend(t, f, 2, 5)
	if err := f.Set(makeRec(0), 0); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, f, 5)
	if _, err := f.Data(); !errors.Is(err, ErrAlign) {
		t.Errorf("Data: %v, want ErrAlign", err)
	}
	if _, err := f.Row(0); !errors.Is(err, ErrAlign) {
		t.Errorf("Row: %v, want ErrAlign", err)
	}
	if got := f.At(0); got != makeRec(0) {
		t.Errorf("At(0) = %+v, want record 0 (a copy)", got)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, mustOpen(t, path, memmap.ReadOnly), 5)
}

// TestCloseCommits checks that Close without Flush commits: the records
// are there when the file is opened again.
func TestCloseCommits(t *testing.T) {
	path := tempPath(t, "cl.npy")
	f := mustCreate(t, path, &Options{Capacity: 1000})
	if f.Cap() < 1000 {
		t.Fatalf("Cap %d, want at least 1000", f.Cap())
	}
	mustAppend(t, f, 0, 10)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	g := mustOpen(t, path, memmap.ReadOnly)
	mustCheck(t, g, 10)
	if g.Cap() != 10 {
		t.Fatalf("Cap after Close shrank the file: %d, want 10", g.Cap())
	}
	raw, _ := os.ReadFile(path)
	if !bytes.HasPrefix(raw, []byte("\x93NUMPY")) {
		t.Fatalf("not a .npy file: %q", raw[:10])
	}
}

func benchFile(b *testing.B, capacity int) *File[rec] {
	f, err := Create[rec](filepath.Join(b.TempDir(), "bench.npy"), &Options{Capacity: capacity})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}

// BenchmarkAppend appends one 40-byte record per op, growing the file as
// needed; remaps/op reports the capacity growths.
func BenchmarkAppend(b *testing.B) {
	f := benchFile(b, 0)
	r := makeRec(1)
	b.SetBytes(40)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Append(r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(f.s.Grows())/float64(b.N), "remaps/op")
}

// BenchmarkFlush measures what durability costs: one record appended and
// committed per op, by Flush (msync of the whole data range, header
// rewrite, msync of the header page) and by Commit (msync of the new
// records only), on a small file and on one of 1M records (40 MB).
func BenchmarkFlush(b *testing.B) {
	for _, size := range []int{1000, 1 << 20} {
		for _, how := range []string{"Flush", "Commit"} {
			b.Run(fmt.Sprintf("%s/records=%d", how, size), func(b *testing.B) {
				f := benchFile(b, 0)
				batch := make([]rec, size)
				for i := range batch {
					batch[i] = makeRec(i)
				}
				if _, err := f.Append(batch...); err != nil {
					b.Fatal(err)
				}
				if err := f.Flush(); err != nil {
					b.Fatal(err)
				}
				commit := f.Flush
				if how == "Commit" {
					commit = f.Commit
				}
				r := makeRec(1)
				for b.Loop() {
					f.Append(r)
					if err := commit(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkGet(b *testing.B) {
	f := benchFile(b, 1024)
	for i := range 1024 {
		f.Append(makeRec(i))
	}
	var sink int64
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r, _ := f.Get(i & 1023)
		sink += r.Index
		i++
	}
	_ = sink
}

func BenchmarkAt(b *testing.B) {
	f := benchFile(b, 1024)
	for i := range 1024 {
		f.Append(makeRec(i))
	}
	var sink int64
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sink += f.At(i & 1023).Index
		i++
	}
	_ = sink
}

// BenchmarkRow is BenchmarkAt through Row's pointer (what At returned
// before issue 19): no copy of the record.
func BenchmarkRow(b *testing.B) {
	f := benchFile(b, 1024)
	for i := range 1024 {
		f.Append(makeRec(i))
	}
	var sink int64
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p, _ := f.Row(i & 1023)
		sink += p.Index
		i++
	}
	_ = sink
}

// TestGuard truncates a record file under a reader (as another program
// might) and reads a record past the new end inside Guard: the fault
// comes back as an error wrapping memmap.ErrFault.
func TestGuard(t *testing.T) {
	path := tempPath(t, "guard.npy")
	w := mustCreate(t, path, nil)
	const n = 1000 // 40 kB: several pages
	mustAppend(t, w, 0, n)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := mustOpen(t, path, memmap.ReadOnly)
	if err := r.Guard(func() error { _, err := checkAll(r, 0); return err }); err != nil {
		t.Fatalf("Guard over the whole file: %v", err)
	}
	if err := os.Truncate(path, 128); err != nil {
		if runtime.GOOS == "windows" {
			t.Skipf("windows refuses to truncate a mapped file (%v), so the fault cannot happen", err)
		}
		t.Fatal(err)
	}
	err := r.Guard(func() error {
		got, err := r.Get(n - 1)
		t.Errorf("Get past the end of the truncated file did not fault: %+v, %v", got, err)
		return err
	})
	if !errors.Is(err, memmap.ErrFault) {
		t.Fatalf("Guard = %v, want ErrFault", err)
	}
}

// FuzzOpen opens arbitrary bytes as a record file: Open fails with an
// error or gives a File whose records all read, and nothing panics.
func FuzzOpen(f *testing.F) {
	dir := testutil.TempDir(f)
	for _, k := range []int{0, 1, 3} {
		path := filepath.Join(dir, fmt.Sprintf("seed%d.npy", k))
		w, err := Create[rec](path, nil)
		if err != nil {
			f.Fatal(err)
		}
		for i := range k {
			w.Append(makeRec(i))
		}
		if err := w.Close(); err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	path := filepath.Join(dir, "fuzz.npy")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite} {
			g, err := Open[rec](path, mode, nil)
			if err != nil {
				continue
			}
			if need := int64(g.s.DataOffset()) + int64(g.Len())*40; need > int64(len(b)) {
				t.Fatalf("Open(%v) accepted %d records at offset %d in %d bytes", mode, g.Len(), g.s.DataOffset(), len(b))
			}
			for i := range g.Len() {
				if _, err := g.Get(i); err != nil {
					t.Fatalf("Get(%d) of %d: %v", i, g.Len(), err)
				}
			}
			if mode == memmap.ReadWrite {
				if _, err := g.Append(makeRec(0)); err != nil && !errors.Is(err, header.ErrNoRoom) {
					t.Fatalf("Append: %v", err)
				}
			}
			if err := g.Close(); err != nil {
				t.Fatalf("Close(%v): %v", mode, err)
			}
		}
	})
}
