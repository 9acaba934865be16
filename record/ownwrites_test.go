package record

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// The tests of this file check that a writer reads its own writes: rows
// appended one call at a time (which a writer may gather in a buffer
// before they reach the file) read back through every accessor, in the
// host's byte order, the other one, and in a packed file; Truncate,
// Resize, Grow and bulk appends while rows may be buffered; what other
// handles and processes see after Flush.

// own64 is a 64-byte record without padding: a 64 KiB buffer holds 1024.
type own64 struct {
	Index int64      `npy:"index"`
	V     [6]float64 `npy:"v"`
	Sum   uint64     `npy:"sum"`
}

func makeOwn64(i int) own64 {
	r := own64{Index: int64(i)}
	for j := range r.V {
		r.V[j] = float64(i)*8 + float64(j) + 0.25
	}
	r.Sum = uint64(i)*0x9e3779b97f4a7c15 | 1
	return r
}

// ownPacked is the Go type of a packed file whose records are 64 bytes
// (x at 0, y at 2, z at 10, tag at 58), 72 bytes in Go (68 on 386).
type ownPacked struct {
	X   int16      `npy:"x"`
	Y   float64    `npy:"y"`
	Z   [6]float64 `npy:"z"`
	Tag [6]byte    `npy:"tag"`
}

const ownPackedDescr = "[('x', '<i2'), ('y', '<f8'), ('z', '<f8', (6,)), ('tag', '|S6')]"

func makeOwnPacked(i int) ownPacked {
	r := ownPacked{X: int16(i), Y: float64(i)*1.5 - 3}
	for j := range r.Z {
		r.Z[j] = float64(i*7 + j)
	}
	copy(r.Tag[:], strconv.Itoa(i%1000000))
	return r
}

// ownCase is a kind of file the own-writes tests run on.
type ownCase[T comparable] struct {
	name    string
	create  func(t *testing.T, path string) *File[T] // an empty writer
	mk      func(i int) T                            // the record the tests append as record i
	viewErr error                                    // what Row, Rows and Data return; nil where they work
}

func own64Cases() []ownCase[own64] {
	mk := func(opt *Options) func(t *testing.T, path string) *File[own64] {
		return func(t *testing.T, path string) *File[own64] {
			t.Helper()
			f, err := Create[own64](path, opt)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		}
	}
	return []ownCase[own64]{
		{"host", mk(nil), makeOwn64, nil},
		{"other", mk(&Options{ByteOrder: otherOrder()}), makeOwn64, memmap.ErrByteOrder},
	}
}

func ownPackedCase(big bool) ownCase[ownPacked] {
	descr := ownPackedDescr
	name := "packed little"
	if big {
		descr, name = strings.ReplaceAll(descr, "<", ">"), "packed big"
	}
	return ownCase[ownPacked]{name, func(t *testing.T, path string) *File[ownPacked] {
		t.Helper()
		dt, err := layout.ParseDescr(descr)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := (&header.Header{DType: dt, Shape: []int64{0}}).Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := Open[ownPacked](path, memmap.ReadWrite, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		if f.isize != 64 || f.conv == nil {
			t.Fatalf("packed file: %d-byte records, conv %v; want 64, converted", f.isize, f.conv != nil)
		}
		return f
	}, makeOwnPacked, memmap.ErrPacked}
}

// runOwn runs test on every kind of file.
func runOwn(t *testing.T, test64 func(*testing.T, ownCase[own64]), testPacked func(*testing.T, ownCase[ownPacked])) {
	for _, c := range own64Cases() {
		t.Run(c.name, func(t *testing.T) { test64(t, c) })
	}
	for _, big := range []bool{false, true} {
		c := ownPackedCase(big)
		t.Run(c.name, func(t *testing.T) { testPacked(t, c) })
	}
}

// ownAccessor reads (or sets and reads back) record i of f, which must
// hold want, through one accessor, and returns what differs.
type ownAccessor[T comparable] struct {
	name  string
	check func(f *File[T], c ownCase[T], want []T, i int) error
}

func ownAccessors[T comparable]() []ownAccessor[T] {
	same := func(what string, i int, got, want T) error {
		if got != want {
			return fmt.Errorf("%s: record %d = %+v, want %+v", what, i, got, want)
		}
		return nil
	}
	view := func(what string, err, want error) error {
		if !errors.Is(err, want) {
			return fmt.Errorf("%s: %v, want an error wrapping %v", what, err, want)
		}
		return nil
	}
	return []ownAccessor[T]{
		{"At", func(f *File[T], c ownCase[T], want []T, i int) error { return same("At", i, f.At(i), want[i]) }},
		{"Get", func(f *File[T], c ownCase[T], want []T, i int) error {
			v, err := f.Get(i)
			if err != nil {
				return fmt.Errorf("Get(%d): %w", i, err)
			}
			return same("Get", i, v, want[i])
		}},
		{"Row", func(f *File[T], c ownCase[T], want []T, i int) error {
			p, err := f.Row(i)
			if c.viewErr != nil {
				return view("Row", err, c.viewErr)
			}
			if err != nil {
				return fmt.Errorf("Row(%d): %w", i, err)
			}
			return same("Row", i, *p, want[i])
		}},
		{"Rows", func(f *File[T], c ownCase[T], want []T, i int) error {
			j := min(i+3, len(want))
			rs, err := f.Rows(i, j)
			if c.viewErr != nil {
				return view("Rows", err, c.viewErr)
			}
			if err != nil || len(rs) != j-i {
				return fmt.Errorf("Rows(%d, %d): %d records, %v", i, j, len(rs), err)
			}
			for k, v := range rs {
				if err := same("Rows", i+k, v, want[i+k]); err != nil {
					return err
				}
			}
			return nil
		}},
		{"Data", func(f *File[T], c ownCase[T], want []T, i int) error {
			d, err := f.Data()
			if c.viewErr != nil {
				return view("Data", err, c.viewErr)
			}
			if err != nil || len(d) != len(want) {
				return fmt.Errorf("Data: %d records, %v; want %d", len(d), err, len(want))
			}
			for k := range d {
				if err := same("Data", k, d[k], want[k]); err != nil {
					return err
				}
			}
			return nil
		}},
		{"All", func(f *File[T], c ownCase[T], want []T, i int) error {
			n := 0
			for k, p := range f.All() {
				if err := same("All", k, *p, want[k]); err != nil {
					return err
				}
				n++
			}
			if n != len(want) {
				return fmt.Errorf("All yielded %d records, want %d", n, len(want))
			}
			return nil
		}},
		{"Take", func(f *File[T], c ownCase[T], want []T, i int) error {
			idx := []int{i, 0, len(want) - 1, i, len(want) / 2}
			dst := make([]T, len(idx))
			if err := f.Take(idx, dst); err != nil {
				return fmt.Errorf("Take(%v): %w", idx, err)
			}
			for k, j := range idx {
				if err := same("Take", j, dst[k], want[j]); err != nil {
					return err
				}
			}
			return nil
		}},
		{"Set", func(f *File[T], c ownCase[T], want []T, i int) error {
			alt := c.mk(i + 1_000_000)
			if f.s.Mode() == memmap.ReadOnly {
				if err := f.Set(alt, i); !errors.Is(err, memmap.ErrReadOnly) {
					return fmt.Errorf("Set(%d) on a ReadOnly file: %v, want ErrReadOnly", i, err)
				}
				return same("At after a refused Set", i, f.At(i), want[i])
			}
			if err := f.Set(alt, i); err != nil {
				return fmt.Errorf("Set(%d): %w", i, err)
			}
			v, err := f.Get(i)
			if err := errors.Join(err, same("Get after Set", i, v, alt), same("At after Set", i, f.At(i), alt)); err != nil {
				return err
			}
			if err := f.Set(want[i], i); err != nil {
				return fmt.Errorf("Set(%d) back: %w", i, err)
			}
			return same("Get after Set back", i, f.At(i), want[i])
		}},
	}
}

// ownCheck checks the records of f against want through every accessor,
// the first of them (the one that meets rows appended since the last
// read) accessors[first%len]: the newest record, then earlier ones.
func ownCheck[T comparable](t *testing.T, f *File[T], c ownCase[T], want []T, first int) {
	t.Helper()
	if f.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", f.Len(), len(want))
	}
	if len(want) == 0 {
		return
	}
	acc := ownAccessors[T]()
	n := len(want)
	for k := range acc {
		a := acc[(first+k)%len(acc)]
		for nth, i := range []int{n - 1, 0, n / 2, max(n-2, 0)} {
			if nth > 0 && (a.name == "Data" || a.name == "All") {
				break // the whole file: once is enough
			}
			if err := a.check(f, c, want, i); err != nil {
				t.Fatalf("%d records, %s first: %s: %v", n, acc[first%len(acc)].name, a.name, err)
			}
		}
	}
}

// ownAppend appends records [len(*want), len(*want)+k) one call each,
// with nothing read in between, and adds them to want.
func ownAppend[T comparable](t *testing.T, f *File[T], c ownCase[T], want *[]T, k int) {
	t.Helper()
	for range k {
		n := len(*want)
		v := c.mk(n)
		if first, err := f.Append(v); err != nil || first != n {
			t.Fatalf("Append(record %d) = %d, %v", n, first, err)
		}
		*want = append(*want, v)
	}
}

// ownSchedule: runs of single appends, fewer and more than a 64 KiB
// buffer of 64-byte records holds (1024), long enough that each accessor
// comes first after one.
var ownSchedule = []int{1, 2, 1, 1000, 1500, 3000, 1, 1023, 1, 1024, 1025, 7}

func TestOwnWrites(t *testing.T) {
	runOwn(t, testOwnWrites[own64], testOwnWrites[ownPacked])
}

// testOwnWrites appends the runs of ownSchedule and reads every record
// back through every accessor after each run, then appends single
// records, each read back at once by one accessor in turn; then closes
// and reopens the file and reads it all again.
func testOwnWrites[T comparable](t *testing.T, c ownCase[T]) {
	path := filepath.Join(testutil.TempDir(t), "own.npy")
	f := c.create(t, path)
	var want []T
	for r, k := range ownSchedule {
		ownAppend(t, f, c, &want, k)
		ownCheck(t, f, c, want, r)
	}
	acc := ownAccessors[T]()
	for k := range 3 * len(acc) {
		ownAppend(t, f, c, &want, 1)
		a := acc[k%len(acc)]
		if err := a.check(f, c, want, len(want)-1); err != nil {
			t.Fatalf("single append %d then %s: %v", k, a.name, err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open[T](path, memmap.ReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ownCheck(t, r, c, want, 0)
}

func TestOwnWritesResize(t *testing.T) {
	runOwn(t, testOwnWritesResize[own64], testOwnWritesResize[ownPacked])
}

// testOwnWritesResize interleaves single appends with a bulk append (of
// more than 64 KiB), Truncate, Resize and Grow while appended records may
// be buffered, checking Len and the records after each; a Truncate below
// the committed length commits at once, which a reader sees.
func testOwnWritesResize[T comparable](t *testing.T, c ownCase[T]) {
	path := filepath.Join(testutil.TempDir(t), "own.npy")
	f := c.create(t, path)
	var want []T
	var zero T
	step := 0
	check := func() { t.Helper(); ownCheck(t, f, c, want, step); step++ }

	ownAppend(t, f, c, &want, 100)
	if err := f.Truncate(60); err != nil {
		t.Fatal(err)
	}
	want = want[:60]
	check()

	ownAppend(t, f, c, &want, 140) // to 200
	if err := f.Resize(250); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		want = append(want, zero)
	}
	check()
	if err := f.Resize(230); err != nil {
		t.Fatal(err)
	}
	want = want[:230]
	ownAppend(t, f, c, &want, 5)
	check()

	ownAppend(t, f, c, &want, 10)
	bulk := make([]T, 2000) // 128 KB in the file
	for k := range bulk {
		bulk[k] = c.mk(len(want) + k)
	}
	if first, err := f.Append(bulk...); err != nil || first != len(want) {
		t.Fatalf("bulk Append = %d, %v; want %d", first, err, len(want))
	}
	want = append(want, bulk...)
	ownAppend(t, f, c, &want, 10)
	check()

	ownAppend(t, f, c, &want, 3)
	n := len(want)
	if err := f.Grow(5000); err != nil {
		t.Fatal(err)
	}
	if f.Len() != n || f.Cap() < n+5000 {
		t.Fatalf("after Grow(5000): Len %d, Cap %d; want %d and ≥ %d", f.Len(), f.Cap(), n, n+5000)
	}
	ownAppend(t, f, c, &want, 1500)
	check()

	// Commit, append singles, and truncate below the committed length:
	// the new length is committed at once.
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	committed := len(want)
	ownAppend(t, f, c, &want, 300)
	if err := f.Truncate(committed - 20); err != nil {
		t.Fatal(err)
	}
	want = want[:committed-20]
	r, err := Open[T](path, memmap.ReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Len() != len(want) {
		t.Errorf("a reader after Truncate below the committed length: Len %d, want %d", r.Len(), len(want))
	}
	check()
	ownAppend(t, f, c, &want, 40)
	check()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	ownCheck(t, r, c, want, 0)
}

func TestOwnWritesReaders(t *testing.T) {
	runOwn(t, testOwnWritesReaders[own64], testOwnWritesReaders[ownPacked])
}

// testOwnWritesReaders checks what a second handle (ReadOnly, in this
// process) sees: after Flush exactly the flushed records; after more
// single appends and Refresh still those; after the next Flush and
// Refresh all; after Close, every record, also in a new handle.
func testOwnWritesReaders[T comparable](t *testing.T, c ownCase[T]) {
	path := filepath.Join(testutil.TempDir(t), "own.npy")
	f := c.create(t, path)
	var want []T
	ownAppend(t, f, c, &want, 1500)
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := Open[T](path, memmap.ReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ownCheck(t, r, c, want, 0)
	flushed := len(want)
	for _, k := range []int{1, 700, 1024, 3} {
		ownAppend(t, f, c, &want, k)
		if err := r.Refresh(); err != nil {
			t.Fatal(err)
		}
		if r.Len() != flushed {
			t.Fatalf("reader after Refresh: Len %d, want the %d flushed records (the writer has %d)", r.Len(), flushed, len(want))
		}
	}
	ownCheck(t, r, c, want[:flushed], 3)
	commit := f.Commit
	for round := range 2 {
		if err := commit(); err != nil {
			t.Fatal(err)
		}
		flushed = len(want)
		if err := r.Refresh(); err != nil {
			t.Fatal(err)
		}
		ownCheck(t, r, c, want, round+5)
		ownAppend(t, f, c, &want, 999)
		commit = f.Flush
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	ownCheck(t, r, c, want, 1)
	r2, err := Open[T](path, memmap.ReadWrite, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	ownCheck(t, r2, c, want, 2)
}

func TestOwnWritesConcurrentReads(t *testing.T) {
	runOwn(t, testOwnWritesConcurrentReads[own64], testOwnWritesConcurrentReads[ownPacked])
}

// testOwnWritesConcurrentReads appends single records and then, with the
// writer no longer changing, reads the newest ones from several
// goroutines at once with At, Get and Take (run it under -race): the
// first reads may meet buffered records, which must reach every reader
// whole.
func testOwnWritesConcurrentReads[T comparable](t *testing.T, c ownCase[T]) {
	f := c.create(t, filepath.Join(testutil.TempDir(t), "own.npy"))
	var want []T
	for _, k := range []int{10, 1000, 1500} {
		ownAppend(t, f, c, &want, k)
		n := len(want)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dst := make([]T, 2)
				for j := range min(k, 200) {
					i := n - 1 - (j+g)%k
					var got T
					switch (g + j) % 3 {
					case 0:
						got = f.At(i)
					case 1:
						v, err := f.Get(i)
						if err != nil {
							errs <- err
							return
						}
						got = v
					default:
						if err := f.Take([]int{i, n - 1}, dst); err != nil {
							errs <- err
							return
						}
						got = dst[0]
					}
					if got != want[i] {
						errs <- fmt.Errorf("goroutine %d: record %d of %d = %+v, want %+v", g, i, n, got, want[i])
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
}

// The child process of TestOwnWritesFollower runs in the role
// "ownreader" (roleEnv), which this file's init starts before TestMain
// (whose roles are those of the other tests).
func init() {
	if os.Getenv(roleEnv) != "ownreader" {
		return
	}
	if err := ownReaderChild(os.Getenv(pathEnv)); err != nil {
		fmt.Fprintf(os.Stderr, "child ownreader: %v\n", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// ownReaderChild follows the writer of TestOwnWritesFollower: the writer
// writes each length on stdin before it commits it (Flush or Commit) and
// closes stdin after the last commit. The child opens the file ReadOnly,
// prints "ready" and calls Refresh in a loop; every length it sees must
// be one the writer announced (never a length the writer had not begun
// to commit), never below one seen before, and every record below it
// must pass checkRec. At the end its length must be the last announced.
// It prints its refreshes, the distinct lengths it saw and the last.
func ownReaderChild(path string) error {
	f, err := Open[rec](path, memmap.ReadOnly, nil)
	if err != nil {
		return err
	}
	defer f.Close()
	ann := make(chan int, 1024)
	go func() {
		defer close(ann)
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			n, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
			if err != nil {
				n = -1
			}
			ann <- n
		}
	}()
	announced := map[int]bool{}
	last, eof := -1, false
	take := func(n int, ok bool) {
		if !ok {
			eof = true
			return
		}
		announced[n], last = true, n
	}
	fmt.Println("ready")
	seen, lengths, refreshes := 0, 0, 0
	for {
		for more := true; more && !eof; { // what has been announced so far
			select {
			case n, ok := <-ann:
				take(n, ok)
			default:
				more = false
			}
		}
		done := eof
		refreshes++
		if err := f.Refresh(); err != nil {
			return fmt.Errorf("Refresh %d: %w", refreshes, err)
		}
		n := f.Len()
		for !announced[n] && !eof { // its announcement may still be in the pipe
			v, ok := <-ann
			take(v, ok)
		}
		if !announced[n] {
			return fmt.Errorf("Refresh %d: length %d, which the writer never committed (last %d)", refreshes, n, last)
		}
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
		if done {
			if n != last {
				return fmt.Errorf("final length %d, the writer committed %d", n, last)
			}
			fmt.Printf("%d %d %d\n", refreshes, lengths, seen)
			return nil
		}
	}
}

// TestOwnWritesFollower runs a writer (this process) that appends single
// records, with a bulk append now and then, and commits at random points,
// and a reader (a child process) that follows with Refresh: it only ever
// sees lengths the writer committed and records that pass their checksum.
// Under qemu and Wine it appends fewer records.
func TestOwnWritesFollower(t *testing.T) {
	for _, other := range []bool{false, true} {
		t.Run(fmt.Sprint("other order ", other), func(t *testing.T) {
			path := filepath.Join(testutil.TempDir(t), "follow.npy")
			opt := &Options{}
			if other {
				opt.ByteOrder = otherOrder()
			}
			w := mustCreate(t, path, opt)
			total := 30000
			if fewerRuns() {
				total = 4000
			}
			c := startChild(t, "ownreader", path)
			out := bufio.NewScanner(c.stdout)
			if !out.Scan() || out.Text() != "ready" {
				c.stdin.Close()
				c.cmd.Wait()
				t.Fatalf("reader did not start: %q\n%s", out.Text(), c.stderr)
			}
			fmt.Fprintln(c.stdin, 0) // the length Create committed
			seed := rand.Uint64()
			rng := rand.New(rand.NewPCG(seed, 7))
			commits := 0
			for w.Len() < total {
				if rng.IntN(300) == 0 {
					batch := make([]rec, bulkRecs)
					for j := range batch {
						batch[j] = makeRec(w.Len() + j)
					}
					if _, err := w.Append(batch...); err != nil {
						t.Fatal(err)
					}
				} else {
					mustAppend(t, w, w.Len(), w.Len()+1+rng.IntN(3))
				}
				if rng.IntN(40) == 0 {
					if _, err := fmt.Fprintln(c.stdin, w.Len()); err != nil {
						t.Fatal(err)
					}
					commit := w.Flush
					if commits%2 == 1 {
						commit = w.Commit
					}
					if err := commit(); err != nil {
						t.Fatal(err)
					}
					commits++
				}
			}
			fmt.Fprintln(c.stdin, w.Len())
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			c.stdin.Close()
			var report string
			if out.Scan() {
				report = out.Text()
			}
			c.wait(t)
			var refreshes, lengths, final int
			if _, err := fmt.Sscan(report, &refreshes, &lengths, &final); err != nil {
				t.Fatalf("reader's report %q: %v (seed %d)", report, err, seed)
			}
			if final != w.Len() {
				t.Fatalf("reader's final length %d, the writer committed %d (seed %d)", final, w.Len(), seed)
			}
			t.Logf("seed %d: writer %d records, %d commits; reader %d refreshes, %d distinct lengths", seed, w.Len(), commits, refreshes, lengths)
		})
	}
}

// fewerRuns reports whether this test binary runs where a process
// runs slowly: under qemu (the GOARCHes CI emulates), or under Wine.
func fewerRuns() bool {
	return runtime.GOOS == "windows" || runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" && runtime.GOARCH != "386"
}
