package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// This file is issue 18 items 1 and 2: a commit that meets a kill or an
// I/O error at any of its steps leaves a file that Go and NumPy open, at
// the last committed length or the new one; and a header whose length
// digits cross a page boundary (NumPy's layout of a long structured
// descr), where no in-place commit can be made whole, refuses length
// changes with an error that names Rewrite instead of leaving, on a kill
// between its writes, a header nothing parses ("(1X999,").

// faultBase is the committed length of the files of the fault tests; the
// scenario appends faultBulk rows in bulk (the pwrite path), then 7 rows,
// then flushes and closes.
const (
	faultBase = 1000
	faultBulk = 1 << 15 // 128 KiB of uint32
	faultNew  = faultBase + faultBulk + 7
)

// u32Rows returns k uint32 rows, row i (counting from base) holding i+1,
// as straddler writes them.
func u32Rows(base, k int) []byte {
	b := make([]byte, 0, 4*k)
	for i := base; i < base+k; i++ {
		b = binary.LittleEndian.AppendUint32(b, uint32(i+1))
	}
	return b
}

// faultFile writes a file of faultBase uint32 rows of the given kind:
// "small" (Create's header, one page), "long" (Create's header of a long
// field name, bigger than a page: Encode keeps the growth span in one
// page), "straddler" (NumPy's layout with the digits across offset 4096).
func faultFile(t testing.TB, kind, path string) {
	t.Helper()
	if kind == "straddler" {
		straddler(t, path, faultBase)
		return
	}
	name := "v"
	if kind == "long" {
		name = strings.Repeat("n", page)
	}
	dt, err := layout.ParseDescr("[('" + name + "', '<u4')]")
	must(t, err)
	s, err := Create(path, &header.Header{DType: dt, Shape: []int64{0}}, nil)
	must(t, err)
	must(t, s.Append(u32Rows(0, faultBase)))
	must(t, s.Close())
	if kind == "long" && s.DataOffset() <= page {
		t.Fatalf("the long header has %d bytes, not more than a page", s.DataOffset())
	}
}

// faultScenario is the writer's work: bulk append, small append, Flush,
// Close. It returns the first error, having run Close in any case.
func faultScenario(path string) error {
	s, err := Open(path, memmap.ReadWrite, nil, nil)
	if err != nil {
		return err
	}
	err = s.Append(u32Rows(faultBase, faultBulk))
	if err == nil {
		err = s.Append(u32Rows(faultBase+faultBulk, 7))
	}
	if err == nil {
		err = s.Flush()
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkFaulted checks that the file at path opens (read-only, and then
// read-write) with the old or the new length, and that every row below
// the length holds its value.
func checkFaulted(t *testing.T, path string) int64 {
	t.Helper()
	r, err := Open(path, memmap.ReadOnly, nil, nil)
	if err != nil {
		t.Fatalf("the file does not open after the fault: %v", err)
	}
	n := r.Len()
	if n != faultBase && n != faultNew {
		r.Close()
		t.Fatalf("the file opens with %d rows, want the committed %d or the new %d", n, faultBase, faultNew)
	}
	if !bytes.Equal(r.Data(), u32Rows(0, int(n))) {
		r.Close()
		t.Fatalf("the %d rows of the file do not hold their values", n)
	}
	must(t, r.Close())
	w, err := Open(path, memmap.ReadWrite, nil, nil)
	if err != nil {
		t.Fatalf("a writer cannot open the file after the fault: %v", err)
	}
	must(t, w.Close())
	return n
}

// TestCommitFaultsEIO injects an I/O error at each step of the writer's
// work in turn (seam.Fault), in every kind of file.
func TestCommitFaultsEIO(t *testing.T) {
	for _, kind := range []string{"small", "long", "straddler"} {
		t.Run(kind, func(t *testing.T) {
			dir := testutil.TempDir(t)
			for at := 1; ; at++ {
				path := filepath.Join(dir, fmt.Sprintf("eio%d.npy", at))
				faultFile(t, kind, path)
				var steps []string
				seam.Fault = func(step string) error {
					steps = append(steps, step)
					if len(steps) == at {
						return syscall.EIO
					}
					return nil
				}
				err := faultScenario(path)
				seam.Fault = nil
				if len(steps) < at {
					// Every step has had its fault: this run had none.
					if kind == "straddler" {
						checkStraddlerRefused(t, err)
					} else if err != nil {
						t.Fatalf("the writer's work without a fault: %v", err)
					}
					if n := checkFaulted(t, path); kind != "straddler" && n != faultNew {
						t.Fatalf("without a fault the file has %d rows, want %d", n, faultNew)
					}
					t.Logf("%d steps: %s", len(steps), strings.Join(steps, ", "))
					return
				}
				retried := steps[at-1] == "grow" && len(steps) > at && steps[at] == "grow to the size needed"
				switch {
				case kind == "straddler":
					checkStraddlerRefused(t, err)
				case retried && err == nil:
					// A failed geometric step is retried at the size
					// the rows need (item 5), which worked.
				case !errors.Is(err, syscall.EIO):
					t.Errorf("EIO at step %d (%s): the writer returned %v, want an error wrapping EIO", at, steps[at-1], err)
				}
				n := checkFaulted(t, path)
				t.Logf("EIO at step %d (%s): the file has %d rows", at, steps[at-1], n)
			}
		})
	}
}

// checkStraddlerRefused checks the error of the writer's work on a
// straddler: an error wrapping header.ErrNoRoom that names Rewrite.
func checkStraddlerRefused(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, header.ErrNoRoom) || !strings.Contains(err.Error(), "Rewrite") {
		t.Fatalf("a length change of a file whose length digits cross a page: %v, want an error wrapping ErrNoRoom that names Rewrite", err)
	}
}

// TestCommitFaultsKill kills the writer (a child process, exiting at once
// with no cleanup) at each step of its work in turn.
func TestCommitFaultsKill(t *testing.T) {
	for _, kind := range []string{"small", "long", "straddler"} {
		t.Run(kind, func(t *testing.T) {
			dir := testutil.TempDir(t)
			for at := 1; ; at++ {
				path := filepath.Join(dir, fmt.Sprintf("kill%d.npy", at))
				faultFile(t, kind, path)
				c := testutil.StartSelf(t, roleEnv+"=committer", pathEnv+"="+path, wantEnv+"="+strconv.Itoa(at))
				out, _ := readAll(c)
				err := c.Cmd.Wait()
				killed := err != nil
				if killed && !strings.Contains(c.Stderr.String(), "killed at step") {
					t.Fatalf("the writer process failed: %v\n%s", err, c.Stderr)
				}
				n := checkFaulted(t, path)
				if !killed {
					if kind == "straddler" && !strings.Contains(out, "ErrNoRoom") {
						t.Fatalf("the writer of a straddler said %q, want a refusal wrapping ErrNoRoom", out)
					}
					t.Logf("%d steps; without a kill: %s", at-1, strings.TrimSpace(out))
					return
				}
				t.Logf("killed at step %d (%s): the file has %d rows", at, strings.TrimSpace(c.Stderr.String()), n)
			}
		})
	}
}

func readAll(c *testutil.Child) (string, error) {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := c.Stdout.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String(), nil
		}
	}
}

// committer is the child role of TestCommitFaultsKill: the writer's work
// on the file at path, exiting at once (as a kill would: no deferred
// function, no Close) before the step numbered at.
func committer(path string, at int) {
	steps := 0
	seam.Fault = func(step string) error {
		steps++
		if steps == at {
			fmt.Fprintf(os.Stderr, "killed at step %d: %s\n", at, step)
			os.Exit(3)
		}
		return nil
	}
	err := faultScenario(path)
	switch {
	case errors.Is(err, header.ErrNoRoom) && strings.Contains(err.Error(), "Rewrite"):
		fmt.Println("ErrNoRoom naming Rewrite")
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	default:
		fmt.Println("committed")
	}
}

// TestStraddlerRefusesLengthChanges is issue 18 items 1 and 2: a writer of
// a NumPy-written file whose length digits cross file offset 4096 refuses
// Append, AppendRows and SetLen (grow and shrink) with an error wrapping
// header.ErrNoRoom that names Rewrite, changes nothing in the file, and
// still writes in place; after Rewrite the file grows and commits. Before,
// such commits went in three writes across the page, which NumPy readers
// saw torn (lengths never committed) and a kill between them left a
// header nothing opens.
func TestStraddlerRefusesLengthChanges(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "s.npy")
	straddler(t, path, faultBase)
	before, err := os.ReadFile(path)
	must(t, err)
	s := mustOpen(t, path, memmap.ReadWrite)
	for name, op := range map[string]func() error{
		"Append":      func() error { return s.Append(u32Rows(faultBase, 1)) },
		"bulk Append": func() error { return s.Append(u32Rows(faultBase, faultBulk)) },
		"AppendRows":  func() error { return s.AppendRows(1, nil) },
		"SetLen grow": func() error { return s.SetLen(faultBase + 1) },
		"SetLen cut":  func() error { return s.SetLen(faultBase - 1) },
		"Reserve":     func() error { return s.Reserve(faultBase * 2) },
	} {
		if err := op(); !errors.Is(err, header.ErrNoRoom) || !strings.Contains(err.Error(), "Rewrite") || !strings.Contains(err.Error(), "4096") {
			t.Errorf("%s on a file whose length digits cross a page: %v, want an error wrapping ErrNoRoom that names the offset and Rewrite", name, err)
		}
	}
	if s.Len() != faultBase {
		t.Fatalf("after the refused changes Len is %d, want %d", s.Len(), faultBase)
	}
	s.Data()[0] = 0x55 // in place: allowed
	must(t, s.Close())
	after, err := os.ReadFile(path)
	must(t, err)
	before[s.DataOffset()] = 0x55
	if !bytes.Equal(after, before) {
		t.Fatal("the file changed beyond the byte written in place")
	}

	must(t, Rewrite(path))
	w := mustOpen(t, path, memmap.ReadWrite)
	must(t, w.Append(u32Rows(faultBase, 10)))
	must(t, w.Close())
	if h := parseFile(t, path); h.Shape[0] != faultBase+10 {
		t.Fatalf("after Rewrite and an append the file commits %v", h.Shape)
	}
}

// TestFaultNumPy: NumPy opens the files of the fault tests after an I/O
// error at each step, with the length Go sees.
func TestFaultNumPy(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	var paths []string
	want := map[string]int64{}
	for _, kind := range []string{"small", "long", "straddler"} {
		for at := 1; at < 12; at++ {
			path := filepath.Join(dir, fmt.Sprintf("%s%d.npy", kind, at))
			faultFile(t, kind, path)
			steps := 0
			seam.Fault = func(string) error {
				if steps++; steps == at {
					return syscall.EIO
				}
				return nil
			}
			faultScenario(path)
			seam.Fault = nil
			want[path] = checkFaulted(t, path)
			paths = append(paths, path)
		}
	}
	out := testutil.RunPython(t, `
import sys, numpy as np
for p in sys.argv[1:]:
    a = np.load(p, mmap_mode="r")
    v = np.asarray(a).view("<u4").ravel()
    ok = np.array_equal(v, np.arange(1, len(v) + 1, dtype="<u4"))
    print(p, a.shape[0], ok)
`, paths...)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var p string
		var n int64
		var ok bool
		if _, err := fmt.Sscan(line, &p, &n, &ok); err != nil {
			t.Fatalf("NumPy said %q: %v", line, err)
		}
		if n != want[p] || !ok {
			t.Errorf("NumPy loads %s with %d rows (values right: %v); Go sees %d", filepath.Base(p), n, ok, want[p])
		}
	}
}

// TestBulkAppendAfterTruncate is issue 18 item 4 for the store: another
// process truncates the file into its committed rows just before a bulk
// append's pwrite (seam.Fault stands for it). Append, Flush and Close
// return errors wrapping ErrTruncated; before, the pwrite regrew the file
// and all three returned nil over committed rows that read back as zeros.
func TestBulkAppendAfterTruncate(t *testing.T) {
	if !sys_TruncateMapped() {
		t.Skip("this OS cannot truncate a mapped file")
	}
	for _, fill := range []bool{false, true} {
		t.Run(fmt.Sprintf("fills the capacity %v", fill), func(t *testing.T) {
			path := filepath.Join(testutil.TempDir(t), "t.npy")
			faultFile(t, "small", path)
			s := mustOpen(t, path, memmap.ReadWrite)
			if fill {
				// The bulk rows end exactly where the capacity does.
				must(t, s.Reserve(faultBase+faultBulk))
			}
			seam.Fault = func(step string) error {
				if step == "pwrite data" {
					must(t, os.Truncate(path, s.DataOffset()+50*4))
				}
				return nil
			}
			defer func() { seam.Fault = nil }()
			if err := s.Append(u32Rows(faultBase, faultBulk)); !errors.Is(err, memmap.ErrTruncated) {
				t.Errorf("bulk Append after the file was truncated into its rows: %v, want ErrTruncated", err)
			}
			seam.Fault = nil
			if err := s.Flush(); !errors.Is(err, memmap.ErrTruncated) {
				t.Errorf("Flush after the file was truncated into its rows: %v, want ErrTruncated", err)
			}
			if err := s.Close(); err == nil {
				t.Error("Close after the file was truncated into its rows returned nil")
			}
		})
	}
}
