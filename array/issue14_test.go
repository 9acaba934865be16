package array_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// TestZeroSizeElements checks that element types of no bytes are refused
// with an error, not a division by zero, and that Create refuses them
// before it touches the disk (issue 14, item 3).
func TestZeroSizeElements(t *testing.T) {
	t.Run("New", func(t *testing.T) {
		a, err := array.New[[0]byte]([]int{3}, nil)
		if !errors.Is(err, layout.ErrType) {
			t.Errorf("New[[0]byte]: %v, want ErrType", err)
		}
		if a != nil {
			a.Close()
		}
		b, err := array.New[struct{}]([]int{3}, nil)
		if err == nil {
			b.Close()
			t.Errorf("New[struct{}]: no error")
		}
	})
	t.Run("Create", func(t *testing.T) {
		path := tempPath(t, "z.npy")
		a, err := array.Create[[0]byte](path, []int{3}, nil)
		if !errors.Is(err, layout.ErrType) {
			t.Errorf("Create[[0]byte]: %v, want ErrType", err)
		}
		if a != nil {
			a.Close()
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Create[[0]byte] left a file: Stat: %v", err)
		}
	})
	for _, descr := range []string{"'|S0'", "'|V0'"} {
		t.Run("Open"+descr, func(t *testing.T) {
			path := testutil.WriteFile(t, npy(descr, "(3,)", nil))
			for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite, memmap.CopyOnWrite} {
				a, err := array.Open[[0]byte](path, mode, nil)
				if err == nil {
					a.Close()
					t.Errorf("Open[[0]byte](%s, %v): no error", descr, mode)
				}
			}
		})
	}
}

// oddNpy returns a .npy file of a 1-d float64 array in the host's byte
// order whose data starts at an odd offset (a hand-made header, valid for
// NumPy), with room in the header for the shape to grow, holding vals.
func oddNpy(t *testing.T, vals []float64) []byte {
	t.Helper()
	descr := "'<f8'"
	var bo binary.AppendByteOrder = binary.LittleEndian
	if layout.HostOrder() == layout.Big {
		descr, bo = "'>f8'", binary.BigEndian
	}
	text := fmt.Sprintf("{'descr': %s, 'fortran_order': False, 'shape': (%d,), }", descr, len(vals))
	text += strings.Repeat(" ", 139-10-len(text)-1) + "\n"
	b := append([]byte(header.Magic), 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(text)))
	b = append(b, text...)
	if len(b) != 139 {
		t.Fatalf("header is %d bytes, want 139", len(b))
	}
	for _, v := range vals {
		b = bo.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// checkMisaligned checks that a's views refuse misaligned data with
// ErrAlign, and that the element accessors read want.
func checkMisaligned(t *testing.T, a *array.Array[float64], want []float64) {
	t.Helper()
	if a.Len() != len(want) {
		t.Fatalf("Len %d, want %d", a.Len(), len(want))
	}
	if d, err := a.Data(); !errors.Is(err, array.ErrAlign) {
		t.Errorf("Data: %d elements, error %v; want ErrAlign", len(d), err)
	}
	if r, err := a.Row(0); !errors.Is(err, array.ErrAlign) {
		t.Errorf("Row(0): %d elements, error %v; want ErrAlign", len(r), err)
	}
	if r, err := a.Rows(0, a.Len()); !errors.Is(err, array.ErrAlign) {
		t.Errorf("Rows: %d elements, error %v; want ErrAlign", len(r), err)
	}
	for i, w := range want {
		if got := a.At1(i); got != w {
			t.Errorf("At1(%d) = %v, want %v", i, got, w)
		}
		if got := a.At(i); got != w {
			t.Errorf("At(%d) = %v, want %v", i, got, w)
		}
	}
}

// TestMisalignedAfterGrowth opens an empty file whose data starts at an
// odd offset and appends to it, and refreshes a reader of it after a
// writer appended: the views must keep refusing the misaligned data, as
// they do on a fresh open (issue 14, item 8).
func TestMisalignedAfterGrowth(t *testing.T) {
	vals := []float64{0.5, 1.5, 2.5, 3.5, 4.5}
	t.Run("append", func(t *testing.T) {
		path := testutil.WriteFile(t, oddNpy(t, nil))
		a := mustOpen[float64](t, path, memmap.ReadWrite)
		checkMisaligned(t, a, nil)
		for range 20 {
			if _, err := a.Append(vals...); err != nil {
				t.Fatal(err)
			}
		}
		var want []float64
		for range 20 {
			want = append(want, vals...)
		}
		checkMisaligned(t, a, want)
		a.Set1(9, 3)
		want[3] = 9
		mustClose(t, a)
		checkMisaligned(t, mustOpen[float64](t, path, memmap.ReadOnly), want)
	})
	t.Run("refresh", func(t *testing.T) {
		path := testutil.WriteFile(t, oddNpy(t, nil))
		r := mustOpen[float64](t, path, memmap.ReadOnly)
		checkMisaligned(t, r, nil)
		w := mustOpen[float64](t, path, memmap.ReadWrite)
		if _, err := w.Append(vals...); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := r.Refresh(); err != nil {
			t.Fatal(err)
		}
		checkMisaligned(t, r, vals)
	})
	t.Run("fresh", func(t *testing.T) {
		path := filepath.Join(testutil.TempDir(t), "f.npy")
		if err := os.WriteFile(path, oddNpy(t, vals), 0o644); err != nil {
			t.Fatal(err)
		}
		checkMisaligned(t, mustOpen[float64](t, path, memmap.ReadOnly), vals)
	})
}
