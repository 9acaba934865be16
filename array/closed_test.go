package array_test

import (
	"errors"
	"runtime/debug"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
)

// checkClosed calls every method of a that returns an error, after the
// owner of a's mapping (a map under a View, the parent of a Slice) was
// closed, and wants each to return an error wrapping memmap.ErrClosed.
// A method that touches the unmapped memory instead faults: the fault is
// turned into a panic (SetPanicOnFault) and reported, so that the test
// fails rather than kills the test binary.
func checkClosed[T any](t *testing.T, a *array.Array[T]) {
	t.Helper()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	call := func(name string, fn func() error) {
		t.Helper()
		defer func() {
			if v := recover(); v != nil {
				t.Errorf("%s after the owner's Close panicked: %v", name, v)
			}
		}()
		if err := fn(); !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("%s after the owner's Close = %v, want ErrClosed", name, err)
		}
	}
	idx := make([]int, a.Rank()) // element (0, ..., 0)
	buf := make([]T, a.Size()+1)
	call("Get", func() error { _, err := a.Get(idx...); return err })
	call("CopyTo", func() error { _, err := a.CopyTo(buf, 0); return err })
	call("CopyFrom", func() error { _, err := a.CopyFrom(buf[:1], 0); return err })
	call("Take", func() error { return a.Take([]int{0, 0}, buf) })
	call("Data", func() error { _, err := a.Data(); return err })
	call("Row", func() error { _, err := a.Row(0); return err })
	call("Rows", func() error { _, err := a.Rows(0, 1); return err })
	call("Slice", func() error { _, err := a.Slice(0, 1); return err })
	call("Flush", a.Flush)
	call("FlushRows", func() error { return a.FlushRows(0, 1) })
	call("Advise", func() error { return a.Advise(memmap.Random) })
	call("AdviseRows", func() error { return a.AdviseRows(0, 1, memmap.Random) })
	call("Refresh", a.Refresh)
	call("Guard", func() error { return a.Guard(func() error { return nil }) })
	call("Append", func() error { return a.Append(buf[:0]) })
	call("Grow", func() error { return a.Grow(1) })
	call("Resize", func() error { return a.Resize(1) })
	call("Truncate", func() error { return a.Truncate(0) })
	for range a.All() {
		t.Error("All after the owner's Close yielded a row")
	}
	if c := a.Cap(); c != 0 {
		t.Errorf("Cap after the owner's Close = %d, want 0", c)
	}
	// The array's own Close still works, once and again.
	if err := a.Close(); err != nil {
		t.Errorf("Close after the owner's Close: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	call("Get after Close", func() error { _, err := a.Get(idx...); return err })
}

// TestViewAfterMapClose closes the map under views (of a read-only and a
// read-write map, in either byte order, 1-d and 2-d): the views' methods
// that return errors say ErrClosed, none touches the unmapped pages.
func TestViewAfterMapClose(t *testing.T) {
	for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite} {
		for _, descr := range []string{"'<i4'", "'>i4'"} {
			t.Run(mode.Name()+" "+descr, func(t *testing.T) {
				path := testutil.WriteFile(t, make([]byte, 3*4096))
				m, err := memmap.Open(path, mode, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				dt := mustDescr(t, descr)
				v1, err := array.View[int32](m, "m:v1", &header.Header{DType: dt, Shape: []int64{100}, DataOffset: 64})
				if err != nil {
					t.Fatal(err)
				}
				v2, err := array.View[int32](m, "m:v2", &header.Header{DType: dt, Shape: []int64{10, 20}, DataOffset: 4096})
				if err != nil {
					t.Fatal(err)
				}
				va, err := array.ViewAny(m, "m:any", &header.Header{DType: dt, Shape: []int64{8}, DataOffset: 8192})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := v1.Get(99); err != nil {
					t.Fatalf("Get before the map's Close: %v", err)
				}
				if err := m.Close(); err != nil {
					t.Fatal(err)
				}
				t.Run("1-d", func(t *testing.T) { checkClosed(t, v1) })
				t.Run("2-d", func(t *testing.T) { checkClosed(t, v2) })
				if _, err := va.At(0); !errors.Is(err, memmap.ErrClosed) {
					t.Errorf("Any.At after the map's Close = %v, want ErrClosed", err)
				}
				if _, err := va.Bytes(); !errors.Is(err, memmap.ErrClosed) {
					t.Errorf("Any.Bytes after the map's Close = %v, want ErrClosed", err)
				}
			})
		}
	}
}

// TestSliceAfterParentClose closes the array under slices (of a file in
// the host's byte order and of one in the other, a writer and a reader):
// the slices' methods that return errors say ErrClosed, none touches the
// unmapped pages.
func TestSliceAfterParentClose(t *testing.T) {
	for _, order := range []string{"host", "other"} {
		for _, mode := range []memmap.Mode{memmap.ReadWrite, memmap.ReadOnly} {
			t.Run(order+" "+mode.Name(), func(t *testing.T) {
				var opt *array.Options
				if order == "other" {
					opt = &array.Options{ByteOrder: otherOrder()}
				}
				path := tempPath(t, "s.npy")
				w, err := array.Create[float64](path, []int{50, 3}, opt)
				if err != nil {
					t.Fatal(err)
				}
				a := w
				if mode == memmap.ReadOnly {
					mustClose(t, w)
					a = mustOpen[float64](t, path, mode)
				}
				s, err := a.Slice(10, 40)
				if err != nil {
					t.Fatal(err)
				}
				ss, err := s.Slice(1, 2)
				if err != nil {
					t.Fatal(err)
				}
				mustClose(t, a)
				t.Run("slice", func(t *testing.T) { checkClosed(t, s) })
				t.Run("slice of slice", func(t *testing.T) { checkClosed(t, ss) })
			})
		}
	}
}
