package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
)

// legacyRecords writes n records to path in a file with the header NumPy
// < 1.23 wrote: version 1.0, padded to 16 bytes, with spare spaces after
// the dict (room for as many more digits of the length).
func legacyRecords(t *testing.T, path string, n, spare int) {
	t.Helper()
	f := mustCreate(t, path, nil)
	mustAppend(t, f, 0, n)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := header.Parse(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	dict := fmt.Sprintf("{'descr': %s, 'fortran_order': False, 'shape': (%d,), ", h.DType.Descr(), n)
	inner := (16 - (10+len(dict)+1+spare+1)%16) % 16
	text := dict + strings.Repeat(" ", inner) + "}" + strings.Repeat(" ", spare) + "\n"
	out := binary.LittleEndian.AppendUint16([]byte(header.Magic+"\x01\x00"), uint16(len(text)))
	out = append(append(out, text...), b[h.DataOffset:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// numpyIndexes returns what NumPy reads of a file of recs: the shape and
// whether the Index field counts from 0.
func numpyIndexes(t *testing.T, path string) string {
	t.Helper()
	return string(testutil.RunPython(t, `
import sys, numpy as np
a = np.load(sys.argv[1], mmap_mode="r")
print(a.shape, bool(np.array_equal(a["Index"], np.arange(len(a)))))
`, path))
}

// TestLegacyRecords: a record file whose header has room for one digit of
// length (NumPy 1.x style, structured descr) takes appends up to 9
// records, which NumPy reads; the 10th fails with ErrNoRoom naming (10,)
// and leaves the committed file alone; after Rewrite it grows without
// bound; Rewrite of a file a writer holds fails with ErrLocked.
func TestLegacyRecords(t *testing.T) {
	path := tempPath(t, "legacy.npy")
	legacyRecords(t, path, 5, 0)
	f := mustOpen(t, path, memmap.ReadWrite)
	mustAppend(t, f, 5, 9)
	if err := f.Flush(); err != nil {
		t.Fatalf("Flush of 9 records: %v", err)
	}
	_, err := f.Append(makeRec(9))
	if !errors.Is(err, header.ErrNoRoom) || !strings.Contains(err.Error(), "(10,)") {
		t.Fatalf("Append of the 10th record = %v, want ErrNoRoom naming (10,)", err)
	}
	if err := f.Resize(10); !errors.Is(err, header.ErrNoRoom) {
		t.Errorf("Resize(10) = %v, want ErrNoRoom", err)
	}
	if f.Len() != 9 {
		t.Fatalf("Len after the refused Append = %d, want 9", f.Len())
	}
	if got := numpyIndexes(t, path); got != "(9,) True\n" {
		t.Errorf("NumPy reads %q, want (9,) True", got)
	}
	before, _ := os.ReadFile(path)
	if err := Rewrite(path); !errors.Is(err, memmap.ErrLocked) {
		t.Errorf("Rewrite with the writer open = %v, want ErrLocked", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the refused Rewrite changed the file")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Rewrite(path); err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	g := mustOpen(t, path, memmap.ReadWrite)
	mustCheck(t, g, 9)
	mustAppend(t, g, 9, 1234)
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if got := numpyIndexes(t, path); got != "(1234,) True\n" {
		t.Errorf("NumPy reads %q after Rewrite, want (1234,) True", got)
	}
	mustCheck(t, mustOpen(t, path, memmap.ReadOnly), 1234)
}
