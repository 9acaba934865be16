package record

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
)

// lockResult says how an open ended: "ok", "locked" or the error.
func lockResult(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, memmap.ErrLocked):
		return "locked"
	default:
		return err.Error()
	}
}

// lockChild tries a writable Open of the file at path (and, if that finds
// it locked, a Create, which must not truncate it), then a read-only Open,
// and prints what happened.
func lockChild(path string) error {
	w, err := Open[rec](path, memmap.ReadWrite, nil)
	fmt.Printf("open: %s\n", lockResult(err))
	if err == nil {
		if err := w.Close(); err != nil {
			return err
		}
	} else {
		c, err := Create[rec](path, nil)
		fmt.Printf("create: %s\n", lockResult(err))
		if err == nil {
			c.Close()
		}
	}
	r, err := Open[rec](path, memmap.ReadOnly, nil)
	if err != nil {
		return err
	}
	n, err := checkAll(r, 0)
	fmt.Printf("read: %d\n", n)
	if err != nil {
		return err
	}
	return r.Close()
}

// runLockChild runs lockChild on path and returns its output.
func runLockChild(t *testing.T, path string) string {
	t.Helper()
	c := startChild(t, "lock", path)
	out, err := io.ReadAll(c.stdout)
	if err != nil {
		t.Fatal(err)
	}
	c.wait(t)
	return string(out)
}

// TestLock checks that a file has one writer: while a File is open for
// writing, a second Create or writable Open fails with ErrLocked, in this
// process and in another, also after an unrelated descriptor of the file
// was opened and closed; readers are not locked out, and the lock goes
// with Close.
func TestLock(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "lock.npy")
	w, err := Create[rec](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := appendBatch(w, 10, 0); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}

	for name, open := range map[string]func() (*File[rec], error){
		"Create":         func() (*File[rec], error) { return Create[rec](path, nil) },
		"Open ReadWrite": func() (*File[rec], error) { return Open[rec](path, memmap.ReadWrite, nil) },
	} {
		f, err := open()
		if !errors.Is(err, memmap.ErrLocked) {
			if f != nil {
				f.Close()
			}
			t.Fatalf("%s while a writer holds the file: %v, want ErrLocked", name, err)
		}
	}
	r, err := Open[rec](path, memmap.ReadOnly, nil)
	if err != nil {
		t.Fatalf("Open ReadOnly while a writer holds the file: %v", err)
	}
	if n, err := checkAll(r, 0); err != nil || n != 10 {
		t.Fatalf("reader: %d records, %v; want 10 (the failed Create must not truncate)", n, err)
	}
	r.Close()

	// An unrelated descriptor of the same file, opened and closed in the
	// writer's process: with classic fcntl locks, this close would drop
	// the writer's lock.
	fd, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := fd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open[rec](path, memmap.ReadWrite, nil); !errors.Is(err, memmap.ErrLocked) {
		t.Fatalf("Open ReadWrite after closing another descriptor: %v, want ErrLocked", err)
	}

	want := "open: locked\ncreate: locked\nread: 10\n"
	if got := runLockChild(t, path); got != want {
		t.Fatalf("child while the parent writes:\n%s\nwant:\n%s", got, want)
	}

	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want = "open: ok\nread: 10\n"
	if got := runLockChild(t, path); got != want {
		t.Fatalf("child after the parent closed:\n%s\nwant:\n%s", got, want)
	}
	w2, err := Open[rec](path, memmap.ReadWrite, nil)
	if err != nil {
		t.Fatalf("Open ReadWrite after the writer closed: %v", err)
	}
	if err := w2.Close(); err != nil {
		t.Fatal(err)
	}
}

// readerChild follows the writer of TestConcurrentReader: it opens the
// file read-only, says "ready", and calls Refresh in a loop until the
// writer sends its final length on stdin. After every Refresh the length
// must not have shrunk and every new record must be complete and correct;
// a slice taken at the start must keep reading the same records across
// the remaps. It prints what it saw.
func readerChild(path string) error {
	f, err := Open[rec](path, memmap.ReadOnly, nil)
	if err != nil {
		return err
	}
	defer f.Close()
	first, err := f.Data()
	if err != nil {
		return err
	}
	final := make(chan int, 1)
	go func() {
		b, _ := io.ReadAll(os.Stdin)
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			n = -1
		}
		final <- n
	}()
	fmt.Println("ready")
	seen, lengths, refreshes := 0, 0, 0
	check := func() error {
		refreshes++
		if err := f.Refresh(); err != nil {
			return fmt.Errorf("Refresh %d: %w", refreshes, err)
		}
		n := f.Len()
		if n < seen {
			return fmt.Errorf("Refresh %d: length went from %d down to %d", refreshes, seen, n)
		}
		if n > seen {
			lengths++
		}
		if _, err := checkAll(f, seen); err != nil {
			return fmt.Errorf("Refresh %d, length %d: %w", refreshes, n, err)
		}
		seen = n
		return nil
	}
	for {
		select {
		case n := <-final:
			if err := check(); err != nil {
				return err
			}
			if f.Len() != n {
				return fmt.Errorf("final length %d, the writer committed %d", f.Len(), n)
			}
			for i, r := range first {
				if err := checkRec(i, r); err != nil {
					return fmt.Errorf("the first slice after the remaps: %w", err)
				}
			}
			fmt.Printf("%d %d %d %d\n", refreshes, lengths, seen, len(first))
			return nil
		default:
			if err := check(); err != nil {
				return err
			}
		}
	}
}

// TestConcurrentReader runs a writer (this process) and a reader (a child
// process) on one file at once for about a second: the writer appends
// records in batches, some filled in place field by field, and commits
// them with Flush or Commit; the reader calls Refresh in a loop and checks
// that the length never shrinks, that Refresh never fails (a torn header
// would give ErrFormat) and that every record below the length is complete
// (a length past the committed one would show zero or half-filled
// records).
func TestConcurrentReader(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "concurrent.npy")
	w, err := Create[rec](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := appendBatch(w, 100, 0); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, "reader", path)
	out := bufio.NewScanner(c.stdout)
	if !out.Scan() || out.Text() != "ready" {
		c.stdin.Close()
		c.cmd.Wait()
		t.Fatalf("reader did not start: %q\n%s", out.Text(), c.stderr)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	commits := 0
	for start := time.Now(); time.Since(start) < time.Second; commits++ {
		if err := appendBatch(w, 1+rng.IntN(200), rng.IntN(4)); err != nil {
			t.Fatal(err)
		}
		commit := w.Flush
		if commits%2 == 1 {
			commit = w.Commit
		}
		if err := commit(); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Fprintln(c.stdin, w.Len())
	c.stdin.Close()
	var report string
	if out.Scan() {
		report = out.Text()
	}
	c.wait(t)
	var refreshes, lengths, final, first int
	if _, err := fmt.Sscan(report, &refreshes, &lengths, &final, &first); err != nil {
		t.Fatalf("reader's report %q: %v", report, err)
	}
	if final != w.Len() || first < 100 || lengths < 2 {
		t.Fatalf("reader saw %d lengths up to %d (first %d); the writer committed %d", lengths, final, first, w.Len())
	}
	t.Logf("writer: %d commits, %d records; reader: %d refreshes, %d distinct lengths, %d grows of the writer",
		commits, w.Len(), refreshes, lengths, w.s.Grows())
}
