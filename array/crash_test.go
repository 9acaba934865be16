package array_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// crashCols is the row length of TestCrash's arrays: rows of 64 bytes.
const crashCols = 8

// crashBulk rows make an Append of at least 64 KiB, which the store
// writes in bulk; as many single-row appends fill the store's buffer of
// small appends (at least 64 KiB of whole rows, where it has one).
const crashBulk = 64 << 10 / (crashCols * 8)

// crashElem is element (i, j) of TestCrash's arrays: never 0, and
// different in every element, so a row that is missing, zero, torn or out
// of place shows.
func crashElem(i, j int) float64 { return float64(i*crashCols+j) + 0.25 }

// crashRow fills row with row i.
func crashRow(row []float64, i int) {
	for j := range row {
		row[j] = crashElem(i, j)
	}
}

// checkRows checks the rows [from, Len) of a through At2 and returns how
// many.
func checkRows(a *array.Array[float64], from int) (int, error) {
	n := a.Len()
	for i := from; i < n; i++ {
		for j := range crashCols {
			if v := a.At2(i, j); v != crashElem(i, j) {
				return 0, fmt.Errorf("element (%d, %d) of %d rows is %v, want %v", i, j, n, v, crashElem(i, j))
			}
		}
	}
	return n - from, nil
}

// crashChild is the writer of TestCrash: it appends rows to the 2-d
// float64 array at path, one Append call per row in runs of up to 256
// KiB worth, one in eight of up to 1 MiB (the store's buffer of small appends
// holds at least 64 KiB), now and then a bulk Append, reads back its newest
// elements (At2, At) at random, commits (Flush or Commit) after a third
// of the steps, and writes the committed length on stdout after each
// commit returned, until it is killed. It returns the exit status.
func crashChild(path string) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "crash child: "+format+"\n", args...)
		return 2
	}
	a, err := array.Open[float64](path, memmap.ReadWrite, nil)
	if err != nil {
		return fail("Open: %v", err)
	}
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(time.Now().UnixNano())))
	out := bufio.NewWriter(os.Stdout)
	row := make([]float64, crashCols)
	for a.Len() < 1<<20 {
		n := a.Len()
		switch p := rng.IntN(10); {
		case p < 7:
			k := 1 + rng.IntN(4*crashBulk)
			if rng.IntN(8) == 0 {
				k = 4*crashBulk + rng.IntN(12*crashBulk)
			}
			for j := range k {
				crashRow(row, n+j)
				if _, err := a.Append(row...); err != nil {
					return fail("Append of row %d: %v", n+j, err)
				}
				if rng.IntN(1024) == 0 {
					if v := a.At2(n+j, crashCols-1); v != crashElem(n+j, crashCols-1) {
						return fail("At2(%d, %d) of the row just appended: %v, want %v", n+j, crashCols-1, v, crashElem(n+j, crashCols-1))
					}
				}
			}
		case p < 8:
			k := crashBulk + rng.IntN(64)
			bulk := make([]float64, k*crashCols)
			for j := range k {
				crashRow(bulk[j*crashCols:(j+1)*crashCols], n+j)
			}
			if _, err := a.Append(bulk...); err != nil {
				return fail("bulk Append of %d rows: %v", k, err)
			}
		default:
			if n == 0 {
				break
			}
			i, j := n-1-rng.IntN(min(n, 2*crashBulk)), rng.IntN(crashCols)
			if v := a.At(i, j); v != crashElem(i, j) {
				return fail("At(%d, %d) of %d rows: %v, want %v", i, j, n, v, crashElem(i, j))
			}
		}
		if rng.IntN(3) != 0 {
			continue
		}
		commit := a.Flush
		if rng.IntN(2) == 0 {
			commit = a.Commit
		}
		if err := commit(); err != nil {
			return fail("commit: %v", err)
		}
		// Acknowledge only after the commit returned.
		fmt.Fprintln(out, a.Len())
		if err := out.Flush(); err != nil {
			return fail("acknowledge: %v", err)
		}
	}
	io.Copy(io.Discard, os.Stdin) // wait to be killed
	return 0
}

// TestCrash is the kill test of a 2-d array appended one row per call: a
// child process (crashChild) appends rows of 8 float64s, commits at random
// points and acknowledges each commit on a pipe; it is killed (SIGKILL on
// unix, TerminateProcess on Windows) at a random moment after its first
// acknowledgement. After each kill the file opens, read-only and
// read-write, with at least the acknowledged rows, every element below
// its length the one its index gives. The next child appends to the same
// file; every five kills a new file starts, in the other byte order than
// the last.
func TestCrash(t *testing.T) {
	kills := 60
	switch {
	case runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" && runtime.GOARCH != "386":
		kills = 20 // under qemu (s390x in CI) a child takes 0.4 s to start
	case runtime.GOOS == "windows":
		kills = 30 // under Wine a child takes 0.2 s to start
	}
	if testing.Short() {
		kills = 10
	}
	const fileKills = 5
	dir := testutil.TempDir(t)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	var path string
	files, acks, acked, checked := 0, 0, 0, 0
	for kill := 0; kill < kills; kill++ {
		if kill%fileKills == 0 {
			order := layout.HostOrder()
			if files%2 == 1 {
				order = layout.Little
				if layout.HostOrder() == layout.Little {
					order = layout.Big
				}
			}
			path = filepath.Join(dir, fmt.Sprintf("crash%d-%s.npy", files, order.Name()))
			a, err := array.Create[float64](path, []int{0, crashCols}, &array.Options{ByteOrder: order})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			files++
			acked = 0
		}
		var stdout io.ReadCloser
		stderr := new(bytes.Buffer)
		cmd := childCmd(t, "crash", path, func(cmd *exec.Cmd) error {
			var err error
			cmd.Stderr = stderr
			// The child waits on its stdin once it is done; Wait closes
			// the pipe.
			if _, err = cmd.StdinPipe(); err != nil {
				return err
			}
			if stdout, err = cmd.StdoutPipe(); err != nil {
				return err
			}
			return cmd.Start()
		})
		lengths := make(chan int, 4096)
		go func() {
			defer close(lengths)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				n, err := strconv.Atoi(sc.Text())
				if err != nil {
					n = -1
				}
				lengths <- n
			}
		}()
		seen := acked
		take := func(n int) {
			if n < seen {
				t.Errorf("kill %d: acknowledged length %d after %d", kill, n, seen)
			}
			seen = n
			acks++
		}
		select {
		case n, ok := <-lengths:
			if !ok {
				cmd.Wait()
				t.Fatalf("kill %d: the child exited before its first commit:\n%s", kill, stderr)
			}
			take(n)
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("kill %d: no commit from the child in 2 minutes:\n%s", kill, stderr)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(20 * time.Millisecond))))
		if err := cmd.Process.Kill(); err != nil {
			cmd.Wait()
			t.Fatalf("kill %d: %v (did the child fail?)\n%s", kill, err, stderr)
		}
		for n := range lengths { // the acknowledgements written before it died
			take(n)
		}
		if err := cmd.Wait(); err == nil || cmd.ProcessState.Success() || stderr.Len() > 0 {
			t.Fatalf("kill %d: the child was not killed, or failed (%v):\n%s", kill, err, stderr)
		}
		if t.Failed() {
			t.FailNow()
		}
		acked = seen
		for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite} {
			a, err := array.Open[float64](path, mode, nil)
			if err != nil {
				t.Fatalf("kill %d: Open(%v) after the kill: %v", kill, mode, err)
			}
			if sh := a.Shape(); len(sh) != 2 || sh[1] != crashCols || a.Len() < acked {
				t.Fatalf("kill %d: Open(%v): shape %v, but %d rows of %d were acknowledged", kill, mode, sh, acked, crashCols)
			}
			k, err := checkRows(a, 0)
			if err != nil {
				t.Fatalf("kill %d: Open(%v), %d acknowledged: %v", kill, mode, acked, err)
			}
			checked += k
			if err := a.Close(); err != nil {
				t.Fatalf("kill %d: Close(%v): %v", kill, mode, err)
			}
		}
	}
	t.Logf("%d kills (%s/%s, seed %d) over %d files, %d commits acknowledged; %d rows checked in %d reopenings",
		kills, runtime.GOOS, runtime.GOARCH, seed, files, acks, checked, 2*kills)
}
