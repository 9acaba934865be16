package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// npyOf returns a small valid .npy file of n int32 rows, as np.save would
// write it over an existing file.
func npyOf(t testing.TB, n int) []byte {
	t.Helper()
	h := &header.Header{DType: i4(t), Shape: []int64{int64(n)}}
	raw, err := h.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return append(raw, rows(0, n, 1)...)
}

// TestWriterUnderTruncation is issue 14 item 7: another process (not
// taking the lock) truncates or re-creates the file of a writer. Append
// (into spare capacity, and in bulk), Flush and Close must return an
// error wrapping ErrTruncated, never crash with SIGBUS and never report
// success over rows that are gone.
func TestWriterUnderTruncation(t *testing.T) {
	if !sys_TruncateMapped() {
		t.Skip("this OS cannot truncate a mapped file, so no other process can do it under a writer")
	}
	changes := []struct {
		name string
		do   func(t *testing.T, path string)
	}{
		{"truncate to 0", func(t *testing.T, path string) { must(t, os.Truncate(path, 0)) }},
		{"truncate into the data", func(t *testing.T, path string) { must(t, os.Truncate(path, 128+4*100)) }},
		{"re-created by np.save", func(t *testing.T, path string) { must(t, os.WriteFile(path, npyOf(t, 3), 0o644)) }},
	}
	ops := []struct {
		name string
		do   func(s *Store) error
	}{
		{"Append into capacity", func(s *Store) error { return s.Append(rows(0, 1, 1)) }},
		{"bulk Append", func(s *Store) error { return s.Append(rows(0, 1<<15, 1)) }},
		{"Flush", func(s *Store) error { return s.Flush() }},
		{"Commit", func(s *Store) error { return s.Commit() }},
		{"Close", func(s *Store) error { return s.Close() }},
		{"SetLen", func(s *Store) error { return s.SetLen(1 << 20) }},
	}
	for _, c := range changes {
		for _, op := range ops {
			t.Run(c.name+"/"+op.name, func(t *testing.T) {
				path := filepath.Join(testutil.TempDir(t), "w.npy")
				s := mustCreate(t, path, []int64{0}, false, &Options{Capacity: 1 << 16})
				must(t, s.Append(rows(0, 1000, 1)))
				must(t, s.Flush())
				must(t, s.Append(rows(1000, 10, 1))) // uncommitted
				c.do(t, path)
				err := op.do(s)
				if op.name != "Flush" && op.name != "Commit" && op.name != "Close" && err == nil {
					// The rows landed in pages the file still has; the
					// loss must show at the commit.
					err = s.Flush()
				}
				if !errors.Is(err, memmap.ErrTruncated) {
					t.Fatalf("%s after the file was changed under the writer: %v, want an error wrapping ErrTruncated", op.name, err)
				}
				if err := s.Close(); op.name != "Close" && err == nil {
					t.Fatalf("Close after the file was changed under the writer returned nil")
				}
			})
		}
	}
}

// TestRefreshUnderRecreate is issue 14 item 2: Refresh and Open of a file
// that another process re-creates or truncates return errors, never die
// of SIGBUS (np.save over the file in a loop crashed 6 runs of 6).
func TestRefreshUnderRecreate(t *testing.T) {
	if !sys_TruncateMapped() {
		t.Skip("this OS cannot truncate a mapped file")
	}
	path := filepath.Join(testutil.TempDir(t), "r.npy")
	must(t, os.WriteFile(path, npyOf(t, 1000), 0o644))
	r := mustOpen(t, path, memmap.ReadOnly)
	// Deterministic first: truncated to nothing and to inside the header.
	for _, size := range []int64{0, 10} {
		must(t, os.Truncate(path, size))
		if err := r.Refresh(); !errors.Is(err, header.ErrFormat) {
			t.Fatalf("Refresh of a file truncated to %d bytes: %v, want ErrFormat", size, err)
		}
	}
	// Then a writer that re-creates the file as fast as it can while the
	// reader refreshes and another opens.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%3 == 2 {
				os.Truncate(path, int64(i%200))
			} else {
				os.WriteFile(path, npyOf(t, 1000+i%5000), 0o644)
			}
		}
	}()
	var ok, failed int
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if err := r.Refresh(); err != nil {
			failed++
		} else {
			ok++
		}
		if s, err := Open(path, memmap.ReadOnly, nil, nil); err == nil {
			s.Close()
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d refreshes succeeded, %d returned errors, none crashed", ok, failed)
}

// straddler writes a .npy file of n uint32 rows (row i holding i+1) whose
// header is longer than a page and puts the digits of the length across
// file offset 4096, as NumPy writes a long structured dtype (the field
// name is what makes it long), with room for the length to grow.
func straddler(t testing.TB, path string, n int) {
	t.Helper()
	const digitsAt = page - 3 // "1000" covers 4093..4096
	head := func(name string) string {
		return "{'descr': [('" + name + "', '<u4')], 'fortran_order': False, 'shape': ("
	}
	name := strings.Repeat("n", digitsAt-10-len(head("")))
	text := head(name) + fmt.Sprint(n) + ",), }"
	if 10+strings.Index(text, fmt.Sprint(n)+",)") != digitsAt {
		t.Fatal("straddler: digits misplaced")
	}
	total := 10 + len(text) + header.GrowthAxisMaxDigits + 1
	total = (total + header.Align - 1) / header.Align * header.Align
	text += strings.Repeat(" ", total-10-len(text)-1) + "\n"
	b := []byte(header.Magic + "\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(text)))
	b = append(b, text...)
	for i := range n {
		b = binary.LittleEndian.AppendUint32(b, uint32(i+1))
	}
	must(t, os.WriteFile(path, b, 0o644))
}

// TestRefreshNeverTorn is issue 14 item 1: one writer commits lengths
// in a header longer than a page while three reader processes refresh;
// no reader ever sees a length that was not committed (the rows below
// every length a reader sees hold their values, never the zeros of
// capacity). The file is NumPy's layout with the digits across file
// offset 4096, rewritten (Rewrite) so that its growth span lies in one
// page, as a writer of it must (see checkSpan).
func TestRefreshNeverTorn(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "torn.npy")
	straddler(t, path, 1000)
	must(t, Rewrite(path))
	w := mustOpen(t, path, memmap.ReadWrite)
	const readers = 3
	want := 100000 // refreshes per reader
	if testing.Short() || raceEnabled || runtime.GOOS != "linux" || runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		want = 10000
	}
	type result struct {
		refreshes, lengths int
		err                error
	}
	results := make(chan result, readers)
	for range readers {
		c := testutil.StartSelf(t, roleEnv+"=refresher", pathEnv+"="+path, fmt.Sprintf("%s=%d", wantEnv, want))
		go func() {
			var r result
			out, _ := io.ReadAll(c.Stdout)
			if err := c.Cmd.Wait(); err != nil {
				r.err = fmt.Errorf("reader process: %v\n%s", err, c.Stderr)
			} else if _, err := fmt.Sscan(string(out), &r.refreshes, &r.lengths); err != nil {
				r.err = fmt.Errorf("reader process said %q: %v", out, err)
			}
			results <- r
		}()
	}
	// The writer: append a few rows, commit, until the readers are done.
	total, lengths, commits := 0, 0, 0
	for done := 0; done < readers; {
		select {
		case r := <-results:
			done++
			total += r.refreshes
			lengths += r.lengths
			if r.err != nil {
				t.Error(r.err)
			}
			continue
		default:
		}
		k := 1 + commits%13
		b := make([]byte, 0, 4*k)
		for j := range k {
			b = binary.LittleEndian.AppendUint32(b, uint32(int(w.Len())+j+1))
		}
		must(t, w.Append(b))
		must(t, w.Commit())
		commits++
	}
	t.Logf("%d commits (to %d rows); %d refreshes by %d reader processes saw %d lengths, none uncommitted", commits, w.Len(), total, readers, lengths)
	if total < readers*want {
		t.Fatalf("%d refreshes, want %d", total, readers*want)
	}
}

// The child processes of TestRefreshNeverTorn are this test binary run
// again with roleEnv naming the role, pathEnv the file and wantEnv the
// refreshes to make.
const (
	roleEnv = "MEMMAP_STORE_TEST_ROLE"
	pathEnv = "MEMMAP_STORE_TEST_PATH"
	wantEnv = "MEMMAP_STORE_TEST_WANT"
)

// TestMain runs a child role instead of the tests when the binary was
// started as a test's child process.
func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" {
		if role == "committer" {
			at, _ := strconv.Atoi(os.Getenv(wantEnv))
			committer(os.Getenv(pathEnv), at)
			os.Exit(0)
		}
		if role != "refresher" {
			fmt.Fprintf(os.Stderr, "unknown role %q\n", role)
			os.Exit(2)
		}
		want, _ := strconv.Atoi(os.Getenv(wantEnv))
		n, lengths, err := refreshLoop(os.Getenv(pathEnv), want)
		if err != nil {
			fmt.Fprintf(os.Stderr, "refresher: %v\n", err)
			os.Exit(1)
		}
		fmt.Println(n, lengths)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// refreshLoop opens the file read-only and refreshes it want times,
// checking after each that the last rows below the length hold their
// values: a length that was never committed shows zeros there.
func refreshLoop(path string, want int) (refreshes, lengths int, err error) {
	r, err := Open(path, memmap.ReadOnly, nil, nil)
	if err != nil {
		return 0, 0, err
	}
	defer r.Close()
	last := int64(-1)
	for refreshes < want {
		if err := r.Refresh(); err != nil {
			return refreshes, lengths, fmt.Errorf("refresh %d: %w", refreshes, err)
		}
		refreshes++
		n := r.Len()
		if n < last {
			return refreshes, lengths, fmt.Errorf("length went back from %d to %d", last, n)
		}
		if n != last {
			lengths++
			last = n
		}
		d := r.Data()
		for i := max(n-16, 0); i < n; i++ {
			if v := binary.LittleEndian.Uint32(d[4*i:]); v != uint32(i+1) {
				return refreshes, lengths, fmt.Errorf("refresh %d: length %d, but row %d holds %d: the length was never committed", refreshes, n, i, v)
			}
		}
	}
	return refreshes, lengths, nil
}

// TestNumPyNeverTorn is the NumPy half of issue 14 item 1: a file the
// store creates with a header bigger than a page (a long field name) is
// appended to and committed in a loop while NumPy loads it in a loop; no
// load sees a shape that was not committed. Encode keeps the bytes a
// commit changes inside one page, so each commit is one write the kernel
// copies in one go.
func TestNumPyNeverTorn(t *testing.T) {
	py := testutil.NumPy(t)
	path := filepath.Join(testutil.TempDir(t), "np.npy")
	// A field name of the length that would put the digits of the
	// length at offset 4093, across the page, in NumPy's layout.
	descr := func(l int) *layout.DType {
		dt, err := layout.ParseDescr("[('" + strings.Repeat("n", l) + "', '<u4')]")
		must(t, err)
		return dt
	}
	probe, err := (&header.Header{DType: descr(page), Shape: []int64{990}}).Encode()
	must(t, err)
	at := strings.Index(string(probe), "'shape': (") + len("'shape': (")
	w, err := Create(path, &header.Header{DType: descr(page - (at - (page - 3))), Shape: []int64{0}}, nil)
	must(t, err)
	t.Cleanup(func() { w.Close() })
	if w.DataOffset() <= page {
		t.Fatalf("header of %d bytes: the test needs one bigger than a page", w.DataOffset())
	}
	appendRows := func(k int) {
		b := make([]byte, 0, 4*k)
		for j := range k {
			b = binary.LittleEndian.AppendUint32(b, uint32(int(w.Len())+j+1))
		}
		must(t, w.Append(b))
		must(t, w.Commit())
	}
	appendRows(1000) // 4 digits from 4093: most commits change 4095 and 4096
	cmd := exec.Command(py, "-c", `
import sys, time, numpy as np
path, secs = sys.argv[1], float(sys.argv[2])
loads = torn = errors = 0
end = time.time() + secs
while time.time() < end:
    try:
        a = np.load(path, mmap_mode="r")
    except Exception as e:
        errors += 1
        continue
    loads += 1
    n = a.shape[0]
    tail = np.asarray(a[max(n - 16, 0):n]).view("<u4").ravel()
    if not np.array_equal(tail, np.arange(max(n - 16, 0) + 1, n + 1, dtype="<u4")):
        torn += 1
        print("torn", n, tail.tolist(), file=sys.stderr)
    del a
print(loads, torn, errors)
`, path, "3")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out := make(chan []byte, 1)
	go func() {
		b, err := cmd.Output()
		if err != nil {
			b = []byte(fmt.Sprintf("error %v", err))
		}
		out <- b
	}()
	commits := 0
	var res []byte
	for res == nil {
		select {
		case res = <-out:
		default:
			appendRows(1 + commits%17)
			commits++
		}
	}
	var loads, torn, errs int
	if _, err := fmt.Sscan(string(res), &loads, &torn, &errs); err != nil {
		t.Fatalf("NumPy loop: %q: %v\n%s", res, err, stderr.String())
	}
	t.Logf("%d commits (to %d rows); NumPy: %d loads, %d torn shapes, %d load errors", commits, w.Len(), loads, torn, errs)
	if torn != 0 || errs != 0 || loads == 0 {
		t.Fatalf("NumPy saw %d torn shapes and %d load errors in %d loads:\n%s", torn, errs, loads, stderr.String())
	}
}

// TestBulkAppendVisible: rows appended in bulk (the pwrite path) are seen
// through a view of the capacity taken before, by a fresh reader after
// the commit, and survive a reopen.
func TestBulkAppendVisible(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "bulk.npy")
	s := mustCreate(t, path, []int64{0, 16}, false, &Options{Capacity: 1 << 14})
	before := s.Map().Bytes() // covers the capacity
	first := rows(0, 1<<12, 16)
	must(t, s.Append(first)) // 256 KiB: bulk
	if got := before[s.DataOffset() : s.DataOffset()+int64(len(first))]; string(got) != string(first) {
		t.Fatal("a view taken before a bulk append does not see its rows")
	}
	second := rows(len(first)/4, 1<<14, 16) // grows the map: 1 MiB
	must(t, s.Append(second))
	all := append(append([]byte(nil), first...), second...)
	if string(s.Data()) != string(all) {
		t.Fatal("Data after bulk appends differs from the rows appended")
	}
	must(t, s.Commit())
	// The pwrite path (where the page cache is shared) allocates nothing,
	// growth included; elsewhere growth maps new views, which allocates.
	// The race detector makes the bytes handed to pwrite escape.
	if sys_WriteCoherent() && !raceEnabled {
		if got := testing.AllocsPerRun(5, func() { must(t, s.Append(first)) }); got != 0 {
			t.Errorf("a bulk Append allocates %v times, want 0", got)
		}
		must(t, s.SetLen(int64(len(all)/64)))
	}
	r := mustOpen(t, path, memmap.ReadOnly)
	if string(r.Data()) != string(all) {
		t.Fatalf("a fresh reader sees %d bytes that differ from the %d appended", len(r.Data()), len(all))
	}
	off := s.DataOffset()
	mustClose(t, s)
	// The file may keep its capacity past the rows (Windows, where a
	// reader's map stops Close from shrinking it).
	if got, _ := os.ReadFile(path); int64(len(got)) < off+int64(len(all)) || string(got[off:off+int64(len(all))]) != string(all) {
		t.Fatal("the closed file does not hold the rows appended in bulk")
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestFailuresLeaveNoDamage is issue 14 item 6 for the store: a Create
// that fails (a capacity no disk holds) leaves an existing file with its
// bytes and no partial file beside it, and a growth that fails leaves the
// file and the length as they were.
func TestFailuresLeaveNoDamage(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "keep.npy")
	good := npyOf(t, 1000)
	must(t, os.WriteFile(path, good, 0o644))
	huge := int64(1) << 45 // rows of 4 bytes: 128 TiB
	if _, err := Create(path, &header.Header{DType: i4(t), Shape: []int64{0}}, &Options{Capacity: huge}); err == nil {
		t.Fatal("Create with a capacity of 128 TiB succeeded")
	}
	if got, _ := os.ReadFile(path); string(got) != string(good) {
		t.Fatalf("a failed Create changed the existing file: %d bytes, want the %d it had", len(got), len(good))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("a failed Create left %d files in the directory, want 1", len(ents))
	}

	s := mustCreate(t, filepath.Join(dir, "grow.npy"), []int64{0}, false, nil)
	must(t, s.Append(rows(0, 100, 1)))
	must(t, s.Flush())
	before := fileSize(t, filepath.Join(dir, "grow.npy"))
	if err := s.SetLen(huge); err == nil {
		t.Fatal("growing to 128 TiB succeeded")
	}
	if s.Len() != 100 {
		t.Fatalf("after a failed growth Len is %d, want 100", s.Len())
	}
	if after := fileSize(t, filepath.Join(dir, "grow.npy")); after != before {
		t.Fatalf("a failed growth left the file at %d bytes, it had %d", after, before)
	}
	must(t, s.Append(rows(100, 1, 1)))
	must(t, s.Close())
	if h := parseFile(t, filepath.Join(dir, "grow.npy")); h.Shape[0] != 101 {
		t.Fatalf("after the failed growth the file commits %v, want (101,)", h.Shape)
	}
}

// TestOpenAfterReplace: a writer that locked a file which a Create
// replaced meanwhile (rename over its path) opens the new file instead of
// writing rows into the unlinked old one.
func TestOpenAfterReplace(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows cannot rename over a file that is open: there Create fails instead of replacing it")
	}
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "r.npy")
	must(t, os.WriteFile(path, npyOf(t, 3), 0o644))
	must(t, os.WriteFile(path+".new", npyOf(t, 7), 0o644))
	seam.StoreOpen = func(try int) {
		if try == 0 {
			must(t, os.Rename(path+".new", path))
		}
	}
	defer func() { seam.StoreOpen = nil }()
	s := mustOpen(t, path, memmap.ReadWrite)
	if s.Len() != 7 {
		t.Fatalf("the writer opened a file of %d rows, want the new one of 7", s.Len())
	}
	seam.StoreOpen = func(int) {
		must(t, os.WriteFile(path+".x", npyOf(t, 1), 0o644))
		must(t, os.Rename(path+".x", path))
	}
	mustClose(t, s)
	if _, err := Open(path, memmap.ReadWrite, nil, nil); !errors.Is(err, memmap.ErrLocked) {
		t.Fatalf("Open of a file replaced at every try: %v, want ErrLocked", err)
	}
}

// TestOpenAfterGrowth: a reader whose file a writer grows and commits
// between the map and the read of the header opens the new length, its
// rows mapped, instead of a length its map does not hold.
func TestOpenAfterGrowth(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "g.npy")
	small, big := npyOf(t, 3), npyOf(t, 4000)
	must(t, os.WriteFile(path, small, 0o644))
	off := len(small) - 3*4
	seam.StoreOpen = func(int) {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		must(t, err)
		defer f.Close()
		_, err = f.WriteAt(big[len(small):], int64(len(small))) // grow and write the rows
		must(t, err)
		_, err = f.WriteAt(big[:off], 0) // commit
		must(t, err)
	}
	defer func() { seam.StoreOpen = nil }()
	s, err := Open(path, memmap.ReadOnly, nil, nil)
	seam.StoreOpen = nil
	must(t, err)
	defer mustClose(t, s)
	if s.Len() != 4000 || s.Cap() < 4000 {
		t.Fatalf("Len %d, Cap %d, want 4000 rows mapped", s.Len(), s.Cap())
	}
	if d := s.Data(); !bytes.Equal(d, big[off:]) {
		t.Fatalf("Data has %d bytes, not the %d of the 4000 rows written", len(d), len(big)-off)
	}
}

// TestNumPyLoadsBulk: NumPy loads a file grown by bulk appends (the
// pwrite path) mixed with small ones, value for value.
func TestNumPyLoadsBulk(t *testing.T) {
	testutil.NumPy(t)
	path := filepath.Join(testutil.TempDir(t), "bulk.npy")
	s := mustCreate(t, path, []int64{0, 16}, false, nil)
	n := 0
	for _, k := range []int{5000, 3, 20000, 1} { // 320 KB, 192 B, 1.3 MB, 64 B
		must(t, s.Append(rows(n*16, k, 16)))
		n += k
	}
	mustClose(t, s)
	out := testutil.RunPython(t, `
import sys, numpy as np
a = np.load(sys.argv[1], mmap_mode="r")
print(a.shape, bool(np.array_equal(np.asarray(a).ravel(), np.arange(a.size, dtype="<i4"))))
`, path)
	if want := fmt.Sprintf("(%d, 16) True\n", n); string(out) != want {
		t.Fatalf("NumPy says %q, want %q", out, want)
	}
}

// TestOpenDuringCommit: an Open that reads a header in the middle of a
// cross-page commit (the poison byte in its shape) reads it again until
// the commit is over, as Refresh does; a header that stays so is an error.
func TestOpenDuringCommit(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "c.npy")
	straddler(t, path, 1000)
	good, err := os.ReadFile(path)
	must(t, err)
	at := strings.Index(string(good), "1000,)")
	bad := append([]byte(nil), good...)
	bad[at] = poison
	must(t, os.WriteFile(path, bad, 0o644))
	if _, err := Open(path, memmap.ReadOnly, nil, nil); !errors.Is(err, header.ErrFormat) {
		t.Fatalf("Open of a header that stays poisoned: %v, want ErrFormat", err)
	}
	done := make(chan error, 1)
	go func() {
		time.Sleep(2 * time.Millisecond)
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteAt(good[at:at+1], int64(at))
			f.Close()
		}
		done <- err
	}()
	s, err := Open(path, memmap.ReadOnly, nil, nil)
	must(t, <-done)
	if err != nil {
		t.Fatalf("Open during a commit: %v, want it to wait for the commit", err)
	}
	if s.Len() != 1000 {
		t.Fatalf("Open during a commit: %d rows, want 1000", s.Len())
	}
	mustClose(t, s)
}
