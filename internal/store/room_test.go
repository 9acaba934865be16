package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
)

// legacyHeader returns a version 1.0 header as NumPy < 1.23 wrote them:
// the dict padded to a multiple of 16 bytes, with exactly spare spaces
// after the dict (the only bytes a longer shape can take) and the rest of
// the padding inside it, before the closing brace.
func legacyHeader(descr string, fortran bool, shape string, spare int) []byte {
	dict := fmt.Sprintf("{'descr': %s, 'fortran_order': %v, 'shape': %s, ", descr, map[bool]string{false: "False", true: "True"}[fortran], shape)
	// magic(6) + version(2) + length(2) + dict + inner + "}" + spare + "\n"
	inner := (16 - (10+len(dict)+1+spare+1)%16) % 16
	text := dict + strings.Repeat(" ", inner) + "}" + strings.Repeat(" ", spare) + "\n"
	b := []byte(header.Magic + "\x01\x00")
	return append(binary.LittleEndian.AppendUint16(b, uint16(len(text))), text...)
}

// legacyFile writes a legacy '<i4' file of shape (n, width) (width 0: (n,))
// holding rows(0, n, width), with spare bytes of room.
func legacyFile(t *testing.T, n, width, spare int) string {
	t.Helper()
	shape := fmt.Sprintf("(%d,)", n)
	w := width
	if width > 0 {
		shape = fmt.Sprintf("(%d, %d)", n, width)
	} else {
		w = 1
	}
	b := append(legacyHeader("'<i4'", false, shape, spare), rows(0, n, w)...)
	return testutil.WriteFile(t, b)
}

// numpyShapeSum returns what NumPy says of the file: its shape and
// whether its data are arange(size).
func numpyShapeSum(t *testing.T, path string) string {
	t.Helper()
	return string(testutil.RunPython(t, `
import sys, numpy as np
a = np.load(sys.argv[1], mmap_mode="r")
print(a.shape, bool(np.array_equal(np.asarray(a).ravel(), np.arange(a.size, dtype="<i4"))))
`, path))
}

// TestLegacyGrowsWithinRoom: a file whose header has 2 spare bytes
// (shape (3,): room for 999 rows) takes appends up to 999 rows, which
// commit and which NumPy reads; it used to refuse any change of length,
// naming an absurd shape.
func TestLegacyGrowsWithinRoom(t *testing.T) {
	path := legacyFile(t, 3, 0, 2)
	s := mustOpen(t, path, memmap.ReadWrite)
	if err := s.Append(rows(3, 97, 1)); err != nil {
		t.Fatalf("Append to 100 rows: %v", err)
	}
	if err := s.Flush(); err != nil {
		t.Fatalf("Flush of 100 rows: %v", err)
	}
	if got := parseFile(t, path).Shape; len(got) != 1 || got[0] != 100 {
		t.Fatalf("committed shape %v, want [100]", got)
	}
	if err := s.SetLen(50); err != nil {
		t.Fatalf("SetLen(50) (a Truncate): %v", err)
	}
	if err := s.Append(rows(50, 949, 1)); err != nil {
		t.Fatalf("Append to 999 rows: %v", err)
	}
	mustClose(t, s)
	if got := numpyShapeSum(t, path); got != "(999,) True\n" {
		t.Errorf("NumPy reads %q, want (999,) True", got)
	}
}

// TestLegacyNoRoom: an append past the header's room fails at once with
// an error wrapping header.ErrNoRoom that names the real shape, appends
// nothing, and leaves the committed file as it was: NumPy still reads it.
func TestLegacyNoRoom(t *testing.T) {
	for _, tc := range []struct {
		name         string
		width, spare int
		n            int // rows at the start
		most         int // rows the header holds
	}{
		{"1-d, 2 spare", 0, 2, 3, 999},
		{"2-d, no spare", 4, 0, 12, 99},
		{"2-d, 1 spare", 4, 1, 5, 99},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := max(tc.width, 1)
			path := legacyFile(t, tc.n, tc.width, tc.spare)
			before, _ := os.ReadFile(path)
			s := mustOpen(t, path, memmap.ReadWrite)
			err := s.Append(rows(tc.n*w, tc.most+1-tc.n, w))
			want := fmt.Sprintf("(%d,)", tc.most+1)
			if tc.width > 0 {
				want = fmt.Sprintf("(%d, %d)", tc.most+1, tc.width)
			}
			if !errors.Is(err, header.ErrNoRoom) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "Rewrite") {
				t.Fatalf("Append past the room = %v, want ErrNoRoom naming %s and Rewrite", err, want)
			}
			t.Log(err)
			if strings.Contains(err.Error(), "2305843009213693919") {
				t.Errorf("the error names the largest possible shape: %v", err)
			}
			if s.Len() != int64(tc.n) {
				t.Errorf("Len after a refused Append = %d, want %d", s.Len(), tc.n)
			}
			// The same through the other paths that change the length.
			if err := s.SetLen(int64(tc.most + 1)); !errors.Is(err, header.ErrNoRoom) {
				t.Errorf("SetLen past the room = %v, want ErrNoRoom", err)
			}
			if err := s.AppendRows(int64(tc.most+1-tc.n), nil); !errors.Is(err, header.ErrNoRoom) {
				t.Errorf("AppendRows past the room = %v, want ErrNoRoom", err)
			}
			big := rows(tc.n*w, bulkMin/(4*w)+tc.most, w) // through the pwrite path
			if err := s.Append(big); !errors.Is(err, header.ErrNoRoom) {
				t.Errorf("bulk Append past the room = %v, want ErrNoRoom", err)
			}
			// Up to the room it grows.
			if err := s.Append(rows(tc.n*w, tc.most-tc.n, w)); err != nil {
				t.Fatalf("Append up to %d rows: %v", tc.most, err)
			}
			if err := s.Append(rows(0, 1, w)); !errors.Is(err, header.ErrNoRoom) {
				t.Errorf("Append of one row past a full header = %v, want ErrNoRoom", err)
			}
			mustClose(t, s)
			if got := parseFile(t, path).Shape[0]; got != int64(tc.most) {
				t.Errorf("committed length %d, want %d", got, tc.most)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after[len(before):], rows(tc.n*w, tc.most-tc.n, w)) {
				t.Errorf("the file does not hold the old rows followed by the appended ones")
			}
			wantNP := fmt.Sprintf("(%d,) True\n", tc.most)
			if tc.width > 0 {
				wantNP = fmt.Sprintf("(%d, %d) True\n", tc.most, tc.width)
			}
			if got := numpyShapeSum(t, path); got != wantNP {
				t.Errorf("NumPy reads %q, want %q", got, wantNP)
			}
		})
	}
}

// TestCommitNoRoom: a commit whose shape does not fit (the backstop behind
// the checks of Append) fails with ErrNoRoom naming the shape, keeps the
// rows in the writer and the old length in the header.
func TestCommitNoRoom(t *testing.T) {
	path := legacyFile(t, 3, 0, 2)
	before, _ := os.ReadFile(path)
	s := mustOpen(t, path, memmap.ReadWrite)
	s.maxRows = 1 << 40 // as if the check at Append had let it through
	if err := s.Append(rows(3, 997, 1)); err != nil {
		t.Fatal(err)
	}
	err := s.Flush()
	if !errors.Is(err, header.ErrNoRoom) || !strings.Contains(err.Error(), "(1000,)") {
		t.Fatalf("Flush of 1000 rows = %v, want ErrNoRoom naming (1000,)", err)
	}
	if s.Len() != 1000 || s.Committed() != 3 || !bytes.Equal(s.Data(), rows(0, 1000, 1)) {
		t.Errorf("after the failed commit: Len %d, Committed %d; want the 1000 rows kept, 3 committed", s.Len(), s.Committed())
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after[:len(before)-12], before[:len(before)-12]) {
		t.Error("the failed commit changed the header")
	}
	if got := parseFile(t, path).Shape[0]; got != 3 {
		t.Errorf("header length after the failed commit = %d, want 3", got)
	}
	if err := s.Close(); !errors.Is(err, header.ErrNoRoom) {
		t.Errorf("Close = %v, want ErrNoRoom", err)
	}
	if got := numpyShapeSum(t, path); got != "(3,) True\n" {
		t.Errorf("NumPy reads %q, want (3,) True", got)
	}
}

// TestRewrite: Rewrite gives a legacy file a header with room for any
// length, keeping its data and the file's permission bits; appends then
// grow it past what the old header held, and NumPy reads every row.
func TestRewrite(t *testing.T) {
	for _, width := range []int{0, 3} {
		t.Run(fmt.Sprint("width ", width), func(t *testing.T) {
			w := max(width, 1)
			path := legacyFile(t, 7, width, 0)
			if err := os.Chmod(path, 0o640); err != nil {
				t.Fatal(err)
			}
			if err := Rewrite(path); err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			h := parseFile(t, path)
			if h.DataOffset%64 != 0 || !bytes.Equal(b[h.DataOffset:], rows(0, 7, w)) {
				t.Fatalf("rewritten file: data offset %d, data differ: %v", h.DataOffset, !bytes.Equal(b[h.DataOffset:], rows(0, 7, w)))
			}
			// Windows keeps only a read-only bit: 0640 reads back as 0666.
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 && runtime.GOOS != "windows" {
				t.Errorf("rewritten file's mode %v, %v; want 0640 as before", fi.Mode(), err)
			}
			s := mustOpen(t, path, memmap.ReadWrite)
			if s.maxRows < (1<<62)/int64(4*w) {
				t.Errorf("room after Rewrite: %d rows", s.maxRows)
			}
			if err := s.Append(rows(7*w, 100_000-7, w)); err != nil {
				t.Fatalf("Append after Rewrite: %v", err)
			}
			mustClose(t, s)
			want := "(100000,) True\n"
			if width > 0 {
				want = fmt.Sprintf("(100000, %d) True\n", width)
			}
			if got := numpyShapeSum(t, path); got != want {
				t.Errorf("NumPy reads %q, want %q", got, want)
			}
			entries, _ := os.ReadDir(path[:strings.LastIndexByte(path, '/')])
			if len(entries) != 1 {
				t.Errorf("Rewrite left %d files in the directory, want 1", len(entries))
			}
		})
	}
}

// TestRewriteLocked: Rewrite of a file a writer holds fails with
// ErrLocked and leaves the file as it was; after the writer's Close it
// succeeds.
func TestRewriteLocked(t *testing.T) {
	path := legacyFile(t, 5, 2, 0)
	before, _ := os.ReadFile(path)
	s := mustOpen(t, path, memmap.ReadWrite)
	if err := Rewrite(path); !errors.Is(err, memmap.ErrLocked) {
		t.Fatalf("Rewrite of a file a writer holds = %v, want ErrLocked", err)
	}
	mustClose(t, s)
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Fatal("a refused Rewrite changed the file")
	}
	if err := Rewrite(path); err != nil {
		t.Fatalf("Rewrite after Close: %v", err)
	}
}

// TestRewriteChanged: a writer that commits between Rewrite's first read
// and its lock makes Rewrite fail with ErrLocked, changing nothing.
func TestRewriteChanged(t *testing.T) {
	path := legacyFile(t, 5, 0, 3)
	var hookErr error
	seam.Rewrite = func() {
		seam.Rewrite = nil
		s, err := Open(path, memmap.ReadWrite, nil, nil)
		if err != nil {
			hookErr = err
			return
		}
		if err := s.Append(rows(5, 1, 1)); err != nil {
			hookErr = err
		}
		if err := s.Close(); err != nil {
			hookErr = err
		}
	}
	t.Cleanup(func() { seam.Rewrite = nil })
	err := Rewrite(path)
	if hookErr != nil {
		t.Fatal(hookErr)
	}
	if !errors.Is(err, memmap.ErrLocked) {
		t.Fatalf("Rewrite over a commit = %v, want ErrLocked", err)
	}
	if got := parseFile(t, path).Shape[0]; got != 6 {
		t.Errorf("length after the refused Rewrite = %d, want the writer's 6", got)
	}
}

// TestRewriteErrors: Rewrite of what is not a valid .npy file fails with
// the error Open gives and creates nothing.
func TestRewriteErrors(t *testing.T) {
	dir := testutil.TempDir(t)
	if err := Rewrite(dir + "/missing.npy"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Rewrite of a missing file = %v, want ErrNotExist", err)
	}
	if err := Rewrite(dir); !errors.Is(err, memmap.ErrNotRegular) {
		t.Errorf("Rewrite of a directory = %v, want ErrNotRegular", err)
	}
	bad := dir + "/bad.npy"
	if err := os.WriteFile(bad, []byte("not a npy file"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Rewrite(bad); !errors.Is(err, header.ErrFormat) {
		t.Errorf("Rewrite of a malformed file = %v, want ErrFormat", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the failed Rewrites left %d files, want 1", len(entries))
	}
}
