package record

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
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
// writes in bulk (pwrite) where it can.
const bulkRecs = 64<<10/40 + 1

// crashMax bounds the records a crash child appends, in case the parent
// is slow to kill it.
const crashMax = 1 << 20

// crashChild appends batches of expected records to the file at path and
// commits them (Flush or Commit), writing each committed length to stdout
// after the commit returned, until it is killed.
func crashChild(path string) error {
	f, err := Open[rec](path, memmap.ReadWrite, nil)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(time.Now().UnixNano())))
	out := bufio.NewWriter(os.Stdout)
	for i := 0; f.Len() < crashMax; i++ {
		if err := appendBatch(f, 1+rng.IntN(64), rng.IntN(4)); err != nil {
			return err
		}
		commit := f.Flush
		if i%2 == 1 {
			commit = f.Commit
		}
		if err := commit(); err != nil {
			return err
		}
		// Acknowledge only after the commit returned.
		fmt.Fprintln(out, f.Len())
		if err := out.Flush(); err != nil {
			return err
		}
	}
	io.Copy(io.Discard, os.Stdin) // wait to be killed
	return nil
}

// TestCrash is the kill test: a child process appends and commits records
// in a loop, acknowledging each commit on a pipe, and is killed (SIGKILL
// on unix) at a random moment after its first acknowledgement, at least
// crashKills times. After each kill the file must open, read-only and
// read-write, with at least the acknowledged records, every record below
// its length complete and correct; the next child appends to the same
// file.
func TestCrash(t *testing.T) {
	const crashKills = 50
	path := filepath.Join(testutil.TempDir(t), "crash.npy")
	f, err := Create[rec](path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	// Under qemu or the race detector a child runs slower; the kill
	// delay is random either way, up to a few milliseconds.
	maxDelay := 4 * time.Millisecond
	acked, checked, kills := 0, 0, 0
	for kills < crashKills {
		c := startChild(t, "crash", path)
		acks := make(chan int, 4096)
		go func() {
			defer close(acks)
			sc := bufio.NewScanner(c.stdout)
			for sc.Scan() {
				n, err := strconv.Atoi(sc.Text())
				if err != nil {
					n = -1
				}
				acks <- n
			}
		}()
		seen := acked
		take := func(n int) {
			if n < seen {
				t.Errorf("round %d: acknowledged length %d after %d", kills, n, seen)
			}
			seen = n
		}
		select {
		case n, ok := <-acks:
			if !ok {
				c.cmd.Wait()
				t.Fatalf("round %d: child exited before its first commit:\n%s", kills, c.stderr)
			}
			take(n)
		case <-time.After(2 * time.Minute):
			c.cmd.Process.Kill()
			c.cmd.Wait()
			t.Fatalf("round %d: no commit from the child in 2 minutes:\n%s", kills, c.stderr)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(maxDelay))))
		if err := c.cmd.Process.Kill(); err != nil {
			t.Fatalf("round %d: kill: %v", kills, err)
		}
		for n := range acks { // the acknowledgements written before it died
			take(n)
		}
		err := c.cmd.Wait()
		if err == nil || c.cmd.ProcessState.Success() {
			t.Fatalf("round %d: child was not killed (%v):\n%s", kills, err, c.stderr)
		}
		if t.Failed() {
			t.FailNow()
		}
		kills++
		acked = seen
		for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite} {
			f, err := Open[rec](path, mode, nil)
			if err != nil {
				t.Fatalf("round %d: Open(%v) after the kill: %v", kills, mode, err)
			}
			if f.Len() < acked {
				t.Fatalf("round %d: Open(%v): %d records, but %d were acknowledged", kills, mode, f.Len(), acked)
			}
			k, err := checkAll(f, 0)
			if err != nil {
				t.Fatalf("round %d: Open(%v), %d records, %d acknowledged: %v", kills, mode, f.Len(), acked, err)
			}
			checked += k
			if err := f.Close(); err != nil {
				t.Fatalf("round %d: Close(%v): %v", kills, mode, err)
			}
		}
	}
	t.Logf("%d kills (%s/%s, seed %d); %d records acknowledged at the end; %d records checked in %d reopenings",
		kills, runtime.GOOS, runtime.GOARCH, seed, acked, checked, 2*kills)
}
