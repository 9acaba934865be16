package npytest

import (
	"errors"
	"runtime/debug"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
)

// CheckClosed calls every method of a that returns an error, after the
// owner of a's mapping (a map under a View, the parent of a Slice) was
// closed, and wants each to return an error wrapping memmap.ErrClosed.
// A method that touches the unmapped memory instead faults: the fault is
// turned into a panic (SetPanicOnFault) and reported, so that the test
// fails rather than kills the test binary.
func CheckClosed[T any](t *testing.T, a *array.Array[T]) {
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
	call("Commit", a.Commit)
	call("FlushRows", func() error { return a.FlushRows(0, 1) })
	call("Advise", func() error { return a.Advise(memmap.Random) })
	call("AdviseRows", func() error { return a.AdviseRows(0, 1, memmap.Random) })
	call("Refresh", a.Refresh)
	call("Guard", func() error { return a.Guard(func() error { return nil }) })
	call("Append", func() error { _, err := a.Append(buf[:0]...); return err })
	call("Grow", func() error { return a.Grow(1) })
	call("Resize", func() error { return a.Resize(1) })
	call("Truncate", func() error { return a.Truncate(0) })
	func() {
		defer func() {
			if err, _ := recover().(error); !errors.Is(err, memmap.ErrClosed) {
				t.Errorf("All after the owner's Close panicked with %v, want an error wrapping ErrClosed", err)
			}
		}()
		for range a.All() {
			t.Error("All after the owner's Close yielded a row")
		}
	}()
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
