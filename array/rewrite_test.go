package array_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
)

// TestLegacyFortranGrowth: a Fortran-order (3, 5) '<i4' file with a NumPy
// 1.x header and no spare byte grows along its last axis up to (3, 9),
// which NumPy reads; (3, 10) fails with ErrNoRoom naming that shape; after
// Rewrite it grows to any length.
func TestLegacyFortranGrowth(t *testing.T) {
	dict := "{'descr': '<i4', 'fortran_order': True, 'shape': (3, 5), "
	inner := (16 - (10+len(dict)+2)%16) % 16
	text := dict + strings.Repeat(" ", inner) + "}\n"
	b := binary.LittleEndian.AppendUint16([]byte(header.Magic+"\x01\x00"), uint16(len(text)))
	b = append(b, text...)
	for i := range 15 {
		b = binary.LittleEndian.AppendUint32(b, uint32(i))
	}
	path := testutil.WriteFile(t, b)
	numpy := func() string {
		return string(testutil.RunPython(t, `
import sys, numpy as np
a = np.load(sys.argv[1], mmap_mode="r")
print(a.shape, bool(np.array_equal(a.ravel(order="F"), np.arange(a.size))))
`, path))
	}
	col := func(from, n int) []int32 {
		v := make([]int32, 3*n)
		for i := range v {
			v[i] = int32(3*from + i)
		}
		return v
	}
	a, err := array.Open[int32](path, memmap.ReadWrite, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(col(5, 4)...); err != nil {
		t.Fatalf("Append to (3, 9): %v", err)
	}
	if _, err := a.Append(col(9, 1)...); !errors.Is(err, header.ErrNoRoom) || !strings.Contains(err.Error(), "(3, 10)") {
		t.Fatalf("Append to (3, 10) = %v, want ErrNoRoom naming (3, 10)", err)
	}
	if err := a.Resize(10); !errors.Is(err, header.ErrNoRoom) {
		t.Errorf("Resize(10) = %v, want ErrNoRoom", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if got := numpy(); got != "(3, 9) True\n" {
		t.Errorf("NumPy reads %q, want (3, 9) True", got)
	}
	if err := array.Rewrite(path); err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	a, err = array.Open[int32](path, memmap.ReadWrite, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(col(9, 991)...); err != nil {
		t.Fatalf("Append after Rewrite: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if got := numpy(); got != fmt.Sprintf("(3, %d) True\n", 1000) {
		t.Errorf("NumPy reads %q after Rewrite, want (3, 1000) True", got)
	}
}

// TestRewriteLocked: array.Rewrite of a file an array holds for writing
// fails with ErrLocked and changes nothing.
func TestRewriteLocked(t *testing.T) {
	path := tempPath(t, "locked.npy")
	a := mustCreate[float64](t, path, []int{4}, nil)
	before, _ := os.ReadFile(path)
	if err := array.Rewrite(path); !errors.Is(err, memmap.ErrLocked) {
		t.Errorf("Rewrite of an open writer's file = %v, want ErrLocked", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the refused Rewrite changed the file")
	}
	mustClose(t, a)
	if err := array.Rewrite(path); err != nil {
		t.Errorf("Rewrite after Close: %v", err)
	}
}
