package record

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// rec is the record of the crash and concurrency tests: every field
// follows from Index, and Sum is a checksum of the others, so a record
// that is missing, zero, torn or out of place fails checkRec. Its layout
// has no implicit padding on any architecture.
type rec struct {
	Index int64
	Value float64
	Tag   [12]byte
	Small int32
	Sum   uint64
}

// makeRec returns the expected record i.
func makeRec(i int) rec {
	r := rec{Index: int64(i), Value: float64(i) * 0.25, Small: int32(i * 7)}
	r.Tag[0] = 'r'
	for j, v := 11, i; j > 0 && v > 0; j, v = j-1, v/10 {
		r.Tag[j] = byte('0' + v%10)
	}
	r.Sum = r.sum()
	return r
}

// sum is a checksum of every field but Sum, from their values (not their
// bytes, so it is the same in both byte orders). It is never 0 for a zero
// record.
func (r *rec) sum() uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	mix := func(x uint64) { h = (h ^ x) * 0x100000001b3 }
	mix(uint64(r.Index))
	mix(math.Float64bits(r.Value))
	for _, b := range r.Tag {
		mix(uint64(b))
	}
	mix(uint64(uint32(r.Small)))
	return h | 1
}

// checkRec returns an error unless r is the expected record i.
func checkRec(i int, r rec) error {
	if r != makeRec(i) {
		if r.Sum != r.sum() {
			return fmt.Errorf("record %d is torn or not written: %+v (checksum %#x, want %#x)", i, r, r.Sum, r.sum())
		}
		return fmt.Errorf("record %d holds %+v, want %+v", i, r, makeRec(i))
	}
	return nil
}

// checkAll checks the records [from, Len) of f and returns how many.
func checkAll(f *File[rec], from int) (int, error) {
	n := f.Len()
	for i := from; i < n; i++ {
		r, err := f.Get(i)
		if err != nil {
			return 0, err
		}
		if err := checkRec(i, r); err != nil {
			return 0, err
		}
	}
	return n - from, nil
}

// appendBatch appends k expected records to f, in one of four ways
// chosen by how: Append of the batch, Append one by one, growing the
// length (zero records) and then filling each record field by field
// through At, checksum last, so that a reader that read past the committed
// length would see incomplete records, or (how 3) Append of a batch of
// bulkRecs more, which the store writes with pwrite rather than through
// the map.
func appendBatch(f *File[rec], k, how int) error {
	n := f.Len()
	switch how % 4 {
	case 3:
		k += bulkRecs
		fallthrough
	case 0:
		batch := make([]rec, k)
		for j := range batch {
			batch[j] = makeRec(n + j)
		}
		_, err := f.Append(batch...)
		return err
	case 1:
		for j := range k {
			if _, err := f.Append(makeRec(n + j)); err != nil {
				return err
			}
		}
		return nil
	default:
		if err := f.Resize(n + k); err != nil {
			return err
		}
		for j := range k {
			want := makeRec(n + j)
			p, err := f.Row(n + j)
			if err != nil {
				return err
			}
			p.Index = want.Index
			p.Tag = want.Tag
			p.Value = want.Value
			p.Small = want.Small
			p.Sum = want.Sum
		}
		return nil
	}
}

// bulkRecs records make an Append of at least 64 KiB, which the store
// writes in bulk (pwrite) where it can. As many single-record appends
// fill the store's buffer of small appends (at least 64 KiB of whole
// records, where the store has one) at least once.
const bulkRecs = 64<<10/40 + 1

// crashMax bounds the records of a crash test's file: a crash child that
// reaches it stops appending and waits to be killed.
const crashMax = 1 << 20

// crashAck is what a crash child writes on its stdout after a commit
// returned: the committed length, and what the child did since its
// previous commit.
type crashAck struct {
	n       int // the committed length
	singles int // records appended one Append call each
	reads   int // read-backs of the newest records (At, Get, Rows)
}

// crashChild appends expected records to the file at path in a random
// mix until it is killed (crashWriter.step): runs of single-record
// Append calls, some of several times the store's buffer of small
// appends, batches, bulk batches, Resize and a fill in place, and
// read-backs of its newest records, which must see its own writes
// whether they are committed, buffered or neither. It commits (Flush or
// Commit) after a third of the steps, at random, and acknowledges each
// commit on stdout after the commit returned, as "n singles reads"
// (crashAck).
func crashChild(path string) error {
	f, err := Open[rec](path, memmap.ReadWrite, nil)
	if err != nil {
		return err
	}
	w := &crashWriter{
		f:    f,
		rng:  rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(time.Now().UnixNano()))),
		view: f.ByteOrder() == layout.HostOrder(),
	}
	out := bufio.NewWriter(os.Stdout)
	for f.Len() < crashMax {
		if err := w.step(); err != nil {
			return err
		}
		if w.rng.IntN(3) != 0 {
			continue
		}
		commit := f.Flush
		if w.rng.IntN(2) == 0 {
			commit = f.Commit
		}
		if err := commit(); err != nil {
			return err
		}
		// Acknowledge only after the commit returned.
		fmt.Fprintln(out, f.Len(), w.singles, w.reads)
		if err := out.Flush(); err != nil {
			return err
		}
		w.singles, w.reads = 0, 0
	}
	io.Copy(io.Discard, os.Stdin) // wait to be killed
	return nil
}

// crashWriter is the state of a crash child.
type crashWriter struct {
	f     *File[rec]
	rng   *rand.Rand
	view  bool // the records are recs in the host's order: Row and Rows work
	reads int  // read-backs since the last commit
	// singles counts the records appended one call each since the last
	// commit.
	singles int
}

// step appends records in one of four ways, or reads the newest back.
func (w *crashWriter) step() error {
	switch p := w.rng.IntN(100); {
	case p < 45:
		return w.singleRun()
	case p < 60:
		return appendBatch(w.f, 1+w.rng.IntN(64), 0)
	case p < 70:
		return appendBatch(w.f, 1+w.rng.IntN(64), 3) // bulk
	case p < 82:
		return w.fill(1 + w.rng.IntN(64))
	default:
		return w.readBack()
	}
}

// singleRun appends records one Append call each: a few, up to a
// thousand, 64 to 256 KiB worth or (one run in eight) 256 KiB to 1 MiB
// worth (the store's buffer of small appends holds at least 64 KiB). Now and then it reads
// the newest record back (At) in the middle of the run.
func (w *crashWriter) singleRun() error {
	var k int
	switch p := w.rng.IntN(8); {
	case p < 2:
		k = 1 + w.rng.IntN(16)
	case p < 4:
		k = 1 + w.rng.IntN(1000)
	case p < 7:
		k = bulkRecs + w.rng.IntN(3*bulkRecs)
	default:
		k = 4*bulkRecs + w.rng.IntN(12*bulkRecs)
	}
	n := w.f.Len()
	for j := range k {
		if _, err := w.f.Append(makeRec(n + j)); err != nil {
			return err
		}
		w.singles++
		if w.rng.IntN(1024) == 0 {
			w.reads++
			if err := checkRec(n+j, w.f.At(n+j)); err != nil {
				return fmt.Errorf("At of the record just appended: %w", err)
			}
		}
	}
	return nil
}

// fill grows the file by k zero records (Resize) and fills them in
// place: field by field through Row, checksum last, where the records
// are recs in the host's order, else with Set.
func (w *crashWriter) fill(k int) error {
	if w.view {
		return appendBatch(w.f, k, 2)
	}
	n := w.f.Len()
	if err := w.f.Resize(n + k); err != nil {
		return err
	}
	for j := range k {
		if err := w.f.Set(makeRec(n+j), n+j); err != nil {
			return err
		}
	}
	return nil
}

// readBack checks the newest records: the last through At, four among
// the last two buffers' worth through Get, and the last few through
// Rows where the records are recs in the host's order.
func (w *crashWriter) readBack() error {
	f := w.f
	n := f.Len()
	if n == 0 {
		return nil
	}
	w.reads++
	if err := checkRec(n-1, f.At(n-1)); err != nil {
		return fmt.Errorf("At: %w", err)
	}
	for range 4 {
		i := n - 1 - w.rng.IntN(min(n, 2*bulkRecs))
		r, err := f.Get(i)
		if err != nil {
			return err
		}
		if err := checkRec(i, r); err != nil {
			return fmt.Errorf("Get: %w", err)
		}
	}
	if !w.view {
		return nil
	}
	k := min(n, 1+w.rng.IntN(64))
	rows, err := f.Rows(n-k, n)
	if err != nil {
		return err
	}
	for j, r := range rows {
		if err := checkRec(n-k+j, r); err != nil {
			return fmt.Errorf("Rows: %w", err)
		}
	}
	return nil
}

// followChild follows the file at path as a reader in another process
// follows a writer: it opens the file read-only, checks its records,
// says "ready", and calls Refresh in a loop, checking the records below
// every new length, until its stdin is closed; then it refreshes once
// more and prints how many times it refreshed and the lengths it saw, in
// order, on one line. A length that shrank, a failed Refresh or a record
// that is not the expected one is an error (on stderr, exit status 2).
func followChild(path string) error {
	f, err := Open[rec](path, memmap.ReadOnly, nil)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := checkAll(f, 0); err != nil {
		return fmt.Errorf("length %d at Open: %w", f.Len(), err)
	}
	lengths := []int{f.Len()}
	stop := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(stop)
	}()
	fmt.Println("ready")
	refreshes := 0
	refresh := func() error {
		refreshes++
		if err := f.Refresh(); err != nil {
			return fmt.Errorf("Refresh %d: %w", refreshes, err)
		}
		n, last := f.Len(), lengths[len(lengths)-1]
		switch {
		case n == last:
			return nil
		case n < last:
			return fmt.Errorf("Refresh %d: the length went from %d down to %d", refreshes, last, n)
		}
		if _, err := checkAll(f, last); err != nil {
			return fmt.Errorf("Refresh %d, length %d: %w", refreshes, n, err)
		}
		lengths = append(lengths, n)
		return nil
	}
	for {
		select {
		case <-stop:
			if err := refresh(); err != nil {
				return err
			}
			out := bufio.NewWriter(os.Stdout)
			fmt.Fprint(out, refreshes)
			for _, n := range lengths {
				fmt.Fprint(out, " ", n)
			}
			fmt.Fprintln(out)
			return out.Flush()
		default:
			if err := refresh(); err != nil {
				return err
			}
			if runtime.GOOS == "windows" {
				// Under Wine a follower that never pauses starves the
				// writer: it took seconds to commit.
				time.Sleep(time.Millisecond)
			}
		}
	}
}

// crashStats sums up what TestCrash did, for its log.
type crashStats struct {
	kills, files            int
	acks, singles, reads    int // over every child
	maxSingles              int // the most singles between two commits
	singles64K, singles256K int // commits with 64 KiB, 256 KiB of singles or more since the previous
	unacked                 int // kills after which the file held a commit the child had not acknowledged
	checked                 int // records checked in Go, over the reopenings
	pyFiles, pyRecords      int // files and records NumPy read and checked
	refreshes, lengths      int // the followers' Refresh calls and the distinct lengths they saw
}

// TestCrash is the kill test: a child process appends records to a file
// in a random mix, single-record appends (many of them between commits,
// so that the store's buffer of small appends fills and is written
// several times, and is partly full when the child dies) with batches,
// bulk batches and fills in place, commits at random points and
// acknowledges each commit on a pipe (crashChild); it is killed (SIGKILL
// on unix, TerminateProcess on Windows) at a random moment after its first
// acknowledgement, at least 100 times natively. Meanwhile another child
// follows the file with Refresh (followChild). After each kill:
//   - NumPy loads the file as the kill left it (np.load with
//     mmap_mode="r") and checks every record, where NumPy is installed;
//   - the file opens read-only and read-write with at least the
//     acknowledged records, every record below its length complete and
//     correct;
//   - every length the follower saw is one the writer committed: the
//     length the round started with, an acknowledged one, or the file's
//     length after the kill (a commit the child made but did not live to
//     acknowledge), and every record below it was correct.
//
// The next child appends to the same file; every five kills a new file
// starts, in the other byte order than the last.
func TestCrash(t *testing.T) {
	kills := 120
	switch {
	case runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" && runtime.GOARCH != "386":
		kills = 40 // under qemu (s390x in CI) a child takes 0.4 s to start, and a round starts two
	case runtime.GOOS == "windows":
		kills = 60 // under Wine a child takes 0.2 s to start, and a round starts two
	case raceEnabled:
		kills = 100 // a round takes 0.5 s, four times as long
	}
	if testing.Short() {
		kills = 20
	}
	const fileKills = 5 // kills per file
	py := startNumPyCheck(t)
	dir := testutil.TempDir(t)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	// A commit takes a few milliseconds, and a run of single appends up
	// to a few: the kill lands after 0 to a few commits.
	const maxDelay = 20 * time.Millisecond
	var st crashStats
	var path string
	committed := 0 // the file's length when the round starts
	for st.kills < kills {
		if st.kills%fileKills == 0 {
			order := layout.HostOrder()
			if st.files%2 == 1 {
				order = otherOrder()
			}
			path = filepath.Join(dir, fmt.Sprintf("crash%d-%s.npy", st.files, order.Name()))
			f, err := Create[rec](path, &Options{ByteOrder: order})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			st.files++
			committed = 0
		}
		committed = crashRound(t, &st, py, path, committed, time.Duration(rng.Int64N(int64(maxDelay))))
	}
	t.Logf("%d kills (%s/%s, seed %d) over %d files, %d commits acknowledged; "+
		"%d records appended one call each (at most %d between two commits; %d commits had 64 KiB of them or more, %d 256 KiB), %d read-backs",
		st.kills, runtime.GOOS, runtime.GOARCH, seed, st.files, st.acks,
		st.singles, st.maxSingles, st.singles64K, st.singles256K, st.reads)
	t.Logf("%d kills left a commit the child had not acknowledged; %d records checked in Go in %d reopenings; "+
		"NumPy read %d files (%d records); the followers made %d refreshes and saw %d lengths (the ones each round started with included)",
		st.unacked, st.checked, 2*st.kills, st.pyFiles, st.pyRecords, st.refreshes, st.lengths)
	if py == nil {
		t.Log("NumPy did not read the files: see the NumPy subtest")
	}
}

// crashRound starts a follower and a crash child on the file at path,
// whose committed length is committed, kills the child delay after its
// first acknowledgement, and checks the file and what the follower saw.
// It returns the file's length after the kill.
func crashRound(t *testing.T, st *crashStats, py *numpyCheck, path string, committed int, delay time.Duration) int {
	t.Helper()
	round := st.kills
	fc := startChild(t, "follow", path)
	fout := bufio.NewScanner(fc.stdout)
	fout.Buffer(nil, 1<<24)
	if !fout.Scan() || fout.Text() != "ready" {
		fc.stdin.Close()
		fc.cmd.Wait()
		t.Fatalf("round %d: the follower did not start: %q\n%s", round, fout.Text(), fc.stderr)
	}
	c := startChild(t, "crash", path)
	acks := make(chan crashAck, 4096)
	go func() {
		defer close(acks)
		sc := bufio.NewScanner(c.stdout)
		for sc.Scan() {
			var a crashAck
			if _, err := fmt.Sscan(sc.Text(), &a.n, &a.singles, &a.reads); err != nil {
				a.n = -1
			}
			acks <- a
		}
	}()
	allowed := map[int]bool{committed: true} // the lengths the writer committed
	seen := committed
	take := func(a crashAck) {
		if a.n < seen {
			t.Errorf("round %d: acknowledged length %d after %d", round, a.n, seen)
		}
		seen = a.n
		allowed[a.n] = true
		st.acks++
		st.singles += a.singles
		st.reads += a.reads
		st.maxSingles = max(st.maxSingles, a.singles)
		if a.singles >= bulkRecs {
			st.singles64K++
		}
		if a.singles >= 4*bulkRecs {
			st.singles256K++
		}
	}
	died := func(what string) {
		c.cmd.Wait()
		fc.stdin.Close()
		fc.cmd.Wait()
		t.Fatalf("round %d: %s:\n%s", round, what, c.stderr)
	}
	select {
	case a, ok := <-acks:
		if !ok {
			died("the child exited before its first commit")
		}
		take(a)
	case <-time.After(2 * time.Minute):
		c.cmd.Process.Kill()
		died("no commit from the child in 2 minutes")
	}
	time.Sleep(delay)
	if err := c.cmd.Process.Kill(); err != nil {
		died(fmt.Sprintf("kill: %v (did the child fail?)", err))
	}
	for a := range acks { // the acknowledgements written before it died
		take(a)
	}
	err := c.cmd.Wait()
	if err == nil || c.cmd.ProcessState.Success() || c.stderr.Len() > 0 {
		t.Fatalf("round %d: the child was not killed, or failed (%v):\n%s", round, err, c.stderr)
	}
	st.kills++

	// Stop the follower before the checks: on Windows its map would keep
	// the read-write Close below from shrinking the file.
	fc.stdin.Close()
	var report string
	if fout.Scan() {
		report = fout.Text()
		if raceEnabled {
			// It has reported: the race runtime would sleep a second
			// before it exits (GORACE's atexit_sleep_ms).
			fc.cmd.Process.Kill()
		}
	}
	if err := fc.cmd.Wait(); (err != nil && !raceEnabled) || fc.stderr.Len() > 0 {
		t.Fatalf("round %d: follower: %v\n%s", round, err, fc.stderr)
	}
	var followed []int
	for i, s := range strings.Fields(report) {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("round %d: the follower's report %q: %v", round, report, err)
		}
		if i == 0 {
			st.refreshes += n
			continue
		}
		followed = append(followed, n)
	}
	if len(followed) == 0 {
		t.Fatalf("round %d: the follower's report %q has no length", round, report)
	}
	st.lengths += len(followed)

	// NumPy first, on the file as the kill left it.
	final := -1
	if py != nil {
		final = py.check(t, path)
		st.pyFiles++
		st.pyRecords += final
	}
	for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite} {
		f, err := Open[rec](path, mode, nil)
		if err != nil {
			t.Fatalf("round %d: Open(%v) after the kill: %v", round, mode, err)
		}
		if f.Len() < seen {
			t.Fatalf("round %d: Open(%v): %d records, but %d were acknowledged", round, mode, f.Len(), seen)
		}
		if final >= 0 && f.Len() != final {
			t.Fatalf("round %d: Open(%v): %d records, NumPy (or the read-only Open) found %d", round, mode, f.Len(), final)
		}
		final = f.Len()
		k, err := checkAll(f, 0)
		if err != nil {
			t.Fatalf("round %d: Open(%v), %d records, %d acknowledged: %v", round, mode, f.Len(), seen, err)
		}
		st.checked += k
		if err := f.Close(); err != nil {
			t.Fatalf("round %d: Close(%v): %v", round, mode, err)
		}
	}
	if final > seen {
		st.unacked++
	}
	allowed[final] = true
	for _, n := range followed {
		if !allowed[n] {
			t.Fatalf("round %d: the follower saw length %d, which the writer did not commit (it started at %d, acknowledged up to %d; the file has %d after the kill); the follower saw %v",
				round, n, committed, seen, final, followed)
		}
	}
	return final
}

// numpyCheck is a Python process that loads crash test files with NumPy
// and checks their records, one file per request: one process for the
// whole test, as starting Python for each file would take longer than
// the test.
type numpyCheck struct {
	in     io.WriteCloser
	out    *bufio.Scanner
	stderr *bytes.Buffer
}

// numpyCheckScript reads a path per line of its stdin and answers with a
// line: "ok n" when np.load(path, mmap_mode="r") gives n records, each
// the one makeRec gives for its index (with rec.sum's checksum), or
// "bad n what".
const numpyCheckScript = `
import sys
import numpy as np

P = np.uint64(0x100000001b3)

def check(path):
    a = np.load(path, mmap_mode="r")
    if a.ndim != 1 or a.dtype.names != ("Index", "Value", "Tag", "Small", "Sum"):
        return "bad -1 dtype %s, shape %s" % (a.dtype, a.shape)
    n = a.shape[0]
    i = np.arange(n, dtype=np.int64)
    index = np.asarray(a["Index"], dtype=np.int64)
    value = np.asarray(a["Value"], dtype=np.float64)
    small = np.asarray(a["Small"], dtype=np.int32)
    total = np.asarray(a["Sum"], dtype=np.uint64)
    tag = np.ascontiguousarray(a["Tag"]).view(np.uint8).reshape(n, 12)
    want = np.zeros((n, 12), dtype=np.uint8)
    want[:, 0] = ord("r")
    v = i.copy()
    for j in range(11, 0, -1):
        want[:, j] = np.where(v > 0, 48 + v % 10, 0)
        v //= 10
    h = np.full(n, 0x9e3779b97f4a7c15, dtype=np.uint64)
    for x in [index.view(np.uint64), value.view(np.uint64)] + [tag[:, j].astype(np.uint64) for j in range(12)] + [small.view(np.uint32).astype(np.uint64)]:
        h = (h ^ x) * P
    h |= np.uint64(1)
    bad = (index != i) | (value != i * 0.25) | (small != (i * 7).astype(np.int32)) | (tag != want).any(axis=1) | (total != h)
    if bad.any():
        k = int(np.argmax(bad))
        return "bad %d %d records wrong, the first %d: Index %d, Value %r, Tag %r, Small %d, Sum %#x (checksum %#x)" % (
            n, int(bad.sum()), k, index[k], float(value[k]), bytes(tag[k]), small[k], int(total[k]), int(h[k]))
    return "ok %d" % n

for line in sys.stdin:
    try:
        print(check(line.rstrip("\n")), flush=True)
    except Exception as e:
        print("bad -1 %s: %s" % (type(e).__name__, e), flush=True)
`

// startNumPyCheck starts a numpyCheck, after a subtest "NumPy" that
// skips where NumPy is missing (and fails where MEMMAP_REQUIRE_NUMPY=1, as
// in CI): then it returns nil, and the crash test runs without NumPy.
func startNumPyCheck(t *testing.T) *numpyCheck {
	t.Helper()
	var py string
	t.Run("NumPy", func(t *testing.T) { py = testutil.NumPy(t) })
	if t.Failed() {
		t.FailNow()
	}
	if py == "" {
		return nil
	}
	cmd := exec.Command(py, "-c", numpyCheckScript)
	c := &numpyCheck{stderr: new(bytes.Buffer)}
	cmd.Stderr = c.stderr
	var err error
	if c.in, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.out = bufio.NewScanner(out)
	c.out.Buffer(nil, 1<<20)
	t.Cleanup(func() {
		c.in.Close()
		cmd.Wait()
	})
	return c
}

// check has NumPy load the file at path and check its records, failing
// the test unless every record is the expected one; it returns the
// number of records NumPy found.
func (c *numpyCheck) check(t *testing.T, path string) int {
	t.Helper()
	if _, err := fmt.Fprintln(c.in, path); err != nil {
		t.Fatalf("NumPy check of %s: %v\n%s", path, err, c.stderr)
	}
	if !c.out.Scan() {
		t.Fatalf("NumPy check of %s: no answer (%v)\n%s", path, c.out.Err(), c.stderr)
	}
	answer := c.out.Text()
	var n int
	if _, err := fmt.Sscanf(answer, "ok %d", &n); err != nil {
		t.Fatalf("NumPy check of %s: %s", path, answer)
	}
	return n
}
