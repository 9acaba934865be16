package array_test

import (
	"errors"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/npytest"
	"github.com/gomemmap/memmap/internal/testutil"
)

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
				v1, err := array.View[int32](m, "m:v1", array.Desc{DType: dt, Shape: []int{100}, Offset: 64})
				if err != nil {
					t.Fatal(err)
				}
				v2, err := array.View[int32](m, "m:v2", array.Desc{DType: dt, Shape: []int{10, 20}, Offset: 4096})
				if err != nil {
					t.Fatal(err)
				}
				va, err := array.ViewAny(m, "m:any", array.Desc{DType: dt, Shape: []int{8}, Offset: 8192})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := v1.Get(99); err != nil {
					t.Fatalf("Get before the map's Close: %v", err)
				}
				if err := m.Close(); err != nil {
					t.Fatal(err)
				}
				t.Run("1-d", func(t *testing.T) { npytest.CheckClosed(t, v1) })
				t.Run("2-d", func(t *testing.T) { npytest.CheckClosed(t, v2) })
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
				t.Run("slice", func(t *testing.T) { npytest.CheckClosed(t, s) })
				t.Run("slice of slice", func(t *testing.T) { npytest.CheckClosed(t, ss) })
			})
		}
	}
}
