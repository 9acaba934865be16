package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/seam"
	"github.com/gomemmap/memmap/internal/testutil"
)

// The tests of write combining (combine.go): small appends gather in the
// store's buffer, the writer reads them back through every path, and
// nothing of them reaches a reader before a commit.

// width16 is the row of these tests: 16 int32s, 64 bytes, so that the
// buffer (combineSize) holds 4096 rows.
const width16 = 16

// bufRows is the number of 64-byte rows the buffer holds.
const bufRows = combineSize / (width16 * 4)

// appendOnes appends rows [from, to) (rows(…) numbering) one call each.
func appendOnes(t testing.TB, s *Store, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if err := s.Append(rows(i*width16, 1, width16)); err != nil {
			t.Fatalf("Append of row %d: %v", i, err)
		}
	}
}

// fileRow reads row i of the file at path with a plain read, as another
// process would see the file's bytes.
func fileRow(t testing.TB, path string, off int64, i int) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, width16*4)
	if _, err := f.ReadAt(b, off+int64(i)*width16*4); err != nil {
		t.Fatalf("reading row %d of the file: %v", i, err)
	}
	return b
}

func TestCombineOwnWrites(t *testing.T) {
	if !sys_WriteCoherent() {
		t.Skip("appends are not combined where pwrite and the map do not share the page cache")
	}
	path := filepath.Join(testutil.TempDir(t), "c.npy")
	s := mustCreate(t, path, []int64{0, width16}, false, nil)
	appendOnes(t, s, 0, 10)
	if s.Len() != 10 || s.Settled() != 0 {
		t.Fatalf("after 10 single appends: Len %d, Settled %d; want 10 rows, all buffered", s.Len(), s.Settled())
	}
	// Not in the file yet: the file holds zeros (capacity) there.
	if got := fileRow(t, path, s.DataOffset(), 3); !bytes.Equal(got, make([]byte, len(got))) {
		t.Fatalf("a buffered row is in the file before any read or commit: % x", got[:8])
	}
	// The writer reads them: Data writes them out first.
	if got, want := s.Data(), rows(0, 10, width16); !bytes.Equal(got, want) {
		t.Fatalf("Data after single appends differs from the rows appended")
	}
	if s.Settled() != 10 {
		t.Fatalf("Settled after Data = %d, want 10", s.Settled())
	}
	if got := fileRow(t, path, s.DataOffset(), 3); !bytes.Equal(got, rows(3*width16, 1, width16)) {
		t.Fatal("after Data the row is not in the file")
	}
	// Each reading path drains: Rows, ScanData, TakeRows, Settle.
	reads := map[string]func() []byte{
		"Rows": func() []byte {
			b, err := s.Rows(0, s.Len())
			must(t, err)
			return b
		},
		"ScanData": s.ScanData,
		"TakeRows": func() []byte {
			idx := make([]int, s.Len())
			for i := range idx {
				idx[i] = i
			}
			b := make([]byte, int(s.Len())*width16*4)
			must(t, s.TakeRows(idx, b))
			return b
		},
		"Settle": func() []byte { s.Settle(); return s.Map().Bytes()[s.DataOffset() : s.DataOffset()+s.Len()*64] },
	}
	n := 10
	for _, name := range []string{"Rows", "ScanData", "TakeRows", "Settle"} {
		appendOnes(t, s, n, n+7)
		n += 7
		if got := reads[name](); !bytes.Equal(got, rows(0, n, width16)) {
			t.Errorf("%s after single appends differs from the rows appended", name)
		}
	}
	// Many: the buffer fills and is written whole, several times; then
	// a bulk append after buffered rows keeps the order.
	appendOnes(t, s, n, 3*bufRows+5)
	n = 3*bufRows + 5
	if s.Settled() <= int64(n-bufRows) || s.Settled() == s.Len() {
		t.Errorf("after %d single appends %d rows are in the file; want all but the last partial buffer (fewer than %d rows)", n, s.Settled(), bufRows)
	}
	must(t, s.Append(rows(n*width16, 2000, width16)))
	n += 2000
	appendOnes(t, s, n, n+3)
	n += 3
	if got := s.Data(); !bytes.Equal(got, rows(0, n, width16)) {
		t.Fatal("Data after single, bulk and single appends differs from the rows appended")
	}
	// Nothing is committed until Flush; then a reader sees every row.
	if h := parseFile(t, path); h.Shape[0] != 0 {
		t.Fatalf("the header says %d rows before any commit", h.Shape[0])
	}
	appendOnes(t, s, n, n+5) // buffered at the Flush
	n += 5
	must(t, s.Flush())
	r := mustOpen(t, path, memmap.ReadOnly)
	if r.Len() != int64(n) || !bytes.Equal(r.Data(), rows(0, n, width16)) {
		t.Fatalf("a reader after Flush sees %d rows, or other bytes; want the %d appended", r.Len(), n)
	}
}

func TestCombineSetLen(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "c.npy")
	s := mustCreate(t, path, []int64{0, width16}, false, nil)
	appendOnes(t, s, 0, 20)
	must(t, s.SetLen(15)) // below the buffered rows
	must(t, s.SetLen(18)) // the rows come back as zeros
	want := append(rows(0, 15, width16), make([]byte, 3*64)...)
	if got := s.Data(); !bytes.Equal(got, want) {
		t.Fatal("SetLen below buffered rows and back: the rows past the cut are not zero")
	}
	appendOnes(t, s, 18, 25)
	must(t, s.SetLen(30))
	want = append(want, rows(18*width16, 7, width16)...)
	want = append(want, make([]byte, 5*64)...)
	if got := s.Data(); !bytes.Equal(got, want) {
		t.Fatal("SetLen past buffered rows lost them")
	}
	mustClose(t, s)
	r := mustOpen(t, path, memmap.ReadOnly)
	if !bytes.Equal(r.Data(), want) {
		t.Fatal("the closed file differs from what the writer read")
	}
}

// TestCombineFills: AppendRows (the path of swapped and packed rows)
// buffers too, and fill gets zeroed rows.
func TestCombineFills(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "c.npy")
	s := mustCreate(t, path, []int64{0, width16}, false, nil)
	for i := range 100 {
		must(t, s.AppendRows(1, func(dst []byte) {
			if !bytes.Equal(dst, make([]byte, len(dst))) {
				t.Fatalf("AppendRows: fill got rows that are not zero")
			}
			copy(dst[:8], rows(i*width16, 1, width16)) // the first two values only
		}))
	}
	for i := range 100 {
		want := append(rows(i*width16, 1, width16)[:8:8], make([]byte, 56)...)
		b, err := s.Rows(int64(i), int64(i+1))
		must(t, err)
		if !bytes.Equal(b, want) {
			t.Fatalf("row %d: % x, want % x", i, b[:12], want[:12])
		}
	}
}

// TestCombineAllocs: a single append into the buffer allocates nothing.
func TestCombineAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's instrumentation allocates")
	}
	path := filepath.Join(testutil.TempDir(t), "c.npy")
	s := mustCreate(t, path, []int64{0, width16}, false, nil)
	must(t, s.Reserve(1<<16))
	row := rows(0, 1, width16)
	must(t, s.Append(row)) // the buffer is made here
	if a := testing.AllocsPerRun(20000, func() { must(t, s.Append(row)) }); a != 0 {
		t.Errorf("a single-row Append allocates %v times", a)
	}
}

// TestCombinePwriteFails: a drain whose pwrite fails copies the rows
// into the map instead; nothing is lost.
func TestCombinePwriteFails(t *testing.T) {
	if !sys_WriteCoherent() {
		t.Skip("appends are not combined here")
	}
	path := filepath.Join(testutil.TempDir(t), "c.npy")
	s := mustCreate(t, path, []int64{0, width16}, false, nil)
	failed := 0
	seam.Fault = func(step string) error {
		if step == "pwrite buffered rows" {
			failed++
			return syscall.EIO
		}
		return nil
	}
	t.Cleanup(func() { seam.Fault = nil })
	n := 2*bufRows + 10
	appendOnes(t, s, 0, n)
	if failed < 2 {
		t.Fatalf("the buffer's pwrite was tried %d times for %d rows, want at least 2", failed, n)
	}
	must(t, s.Flush())
	seam.Fault = nil
	mustClose(t, s)
	r := mustOpen(t, path, memmap.ReadOnly)
	if r.Len() != int64(n) || !bytes.Equal(r.Data(), rows(0, n, width16)) {
		t.Fatalf("after failed pwrites the file has %d rows or other bytes; want the %d appended", r.Len(), n)
	}
}

// TestCombineTruncatedUnderWriter: another process truncates the file
// while rows are buffered; the writer's Flush says so, and nothing
// crashes.
func TestCombineTruncatedUnderWriter(t *testing.T) {
	if !sys_TruncateMapped() || !sys_WriteCoherent() {
		t.Skip("this OS cannot truncate a mapped file, or does not combine appends")
	}
	for _, k := range []int{10, bufRows - 1} {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			path := filepath.Join(testutil.TempDir(t), "c.npy")
			s := mustCreate(t, path, []int64{0, width16}, false, nil)
			appendOnes(t, s, 0, 100)
			must(t, s.Flush())
			appendOnes(t, s, 100, 100+k)
			must(t, os.Truncate(path, s.DataOffset()+50*64))
			if err := s.Flush(); !errors.Is(err, memmap.ErrTruncated) {
				t.Errorf("Flush of buffered rows after the file was truncated: %v, want ErrTruncated", err)
			}
			s.Close()
		})
	}
}

// TestCombineConcurrentReaders: the first of many concurrent readers
// drains; every reader sees every row (run with -race).
func TestCombineConcurrentReaders(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "c.npy")
	s := mustCreate(t, path, []int64{0, width16}, false, nil)
	for round := range 20 {
		n := int(s.Len())
		appendOnes(t, s, n, n+37)
		want := rows(0, n+37, width16)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var got []byte
				switch g % 3 {
				case 0:
					got = s.Data()
				case 1:
					got = s.ScanData()
				default:
					s.Settle()
					got = s.Map().Bytes()[s.DataOffset() : s.DataOffset()+int64(len(want))]
				}
				if !bytes.Equal(got, want) {
					errs <- fmt.Errorf("round %d, reader %d: the rows differ", round, g)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}

// TestCombineEmptyRows: rows of 0 bytes are never buffered, and an empty
// Append adds none, however many appends went before.
func TestCombineEmptyRows(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "c.npy")
	s := mustCreate(t, path, []int64{0, 0}, false, nil)
	for range 5 {
		must(t, s.Append(nil))
	}
	if s.Len() != 0 {
		t.Fatalf("5 empty Appends to rows of 0 bytes: Len %d, want 0", s.Len())
	}
	// And after buffered rows of a store with bytes per row, an empty
	// Append adds nothing either.
	s2 := mustCreate(t, filepath.Join(testutil.TempDir(t), "d.npy"), []int64{0, width16}, false, nil)
	appendOnes(t, s2, 0, 3)
	if err := s2.Append(nil); err != nil || s2.Len() != 3 {
		t.Fatalf("an empty Append after 3 rows: Len %d, %v; want 3, nil", s2.Len(), err)
	}
}
