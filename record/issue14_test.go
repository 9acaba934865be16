package record

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
)

// oddRecFile returns a record file for rec with no records whose data
// starts at an offset misaligned for rec (a hand-made header, valid for
// NumPy), with room in the header for the shape to grow.
func oddRecFile(t *testing.T) string {
	t.Helper()
	dt := recDType(t)
	text := fmt.Sprintf("{'descr': %s, 'fortran_order': False, 'shape': (0,), }", dt.Descr())
	for (10+len(text)+1)%8 != 2 { // misaligned for 4- and 8-byte alignment
		text += " "
	}
	text += strings.Repeat(" ", 32) + "\n" // room to grow the shape
	hdr := append([]byte("\x93NUMPY\x01\x00"), byte(len(text)), byte(len(text)>>8))
	hdr = append(hdr, text...)
	return testutil.WriteFile(t, hdr)
}

// checkNoViews checks that f's views refuse misaligned data with
// ErrAlign, and that All and Get read the records.
func checkNoViews(t *testing.T, f *File[rec], n int) {
	t.Helper()
	if s, err := f.Data(); !errors.Is(err, ErrAlign) {
		t.Errorf("Data: %d records, error %v; want ErrAlign", len(s), err)
	}
	if _, err := f.Row(0); !errors.Is(err, ErrAlign) {
		t.Errorf("Row(0): %v, want ErrAlign", err)
	}
	checkAllCopies(t, f, n)
	mustCheck(t, f, n)
}

// TestMisalignedAfterGrowth opens an empty record file whose data is
// misaligned for rec and appends to it, and refreshes a reader of it after
// a writer appended: the views keep refusing the data (issue 14, item 8).
func TestMisalignedAfterGrowth(t *testing.T) {
	t.Run("append", func(t *testing.T) {
		f := mustOpen(t, oddRecFile(t), memmap.ReadWrite)
		checkNoViews(t, f, 0)
		mustAppend(t, f, 0, 300)
		checkNoViews(t, f, 300)
	})
	t.Run("refresh", func(t *testing.T) {
		path := oddRecFile(t)
		r := mustOpen(t, path, memmap.ReadOnly)
		checkNoViews(t, r, 0)
		w := mustOpen(t, path, memmap.ReadWrite)
		mustAppend(t, w, 0, 300)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := r.Refresh(); err != nil {
			t.Fatal(err)
		}
		checkNoViews(t, r, 300)
	})
}

// checkAllCopies checks that All, on a file whose records cannot be
// views, yields the n records makeRec makes, as copies: writing through
// the pointer does not change the file.
func checkAllCopies(t *testing.T, f *File[rec], n int) {
	t.Helper()
	seen := 0
	for i, p := range f.All() {
		if *p != makeRec(i) {
			t.Fatalf("All: record %d is %+v, want %+v", i, *p, makeRec(i))
		}
		p.Index = -1 // a copy: the file keeps its record
		if got := f.At(i); got != makeRec(i) {
			t.Fatalf("At(%d) = %+v, want %+v", i, got, makeRec(i))
		}
		seen++
	}
	if seen != n {
		t.Errorf("All yielded %d records, want %d", seen, n)
	}
	if n > 0 {
		if r, err := f.Get(0); err != nil || r != makeRec(0) {
			t.Errorf("Get(0) after writing through All's pointer: %+v, %v", r, err)
		}
	}
}
