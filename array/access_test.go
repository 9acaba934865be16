package array_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/testutil"
)

// vmFlags returns the VmFlags of the mapping that holds p, read from
// /proc/self/smaps (Linux only: the test skips elsewhere).
func vmFlags(t *testing.T, p unsafe.Pointer) []string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps on %s: %v", runtime.GOOS, err)
	}
	defer f.Close()
	addr := uint64(uintptr(p))
	in := false
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := vmaRange(line); ok {
			in = lo <= addr && addr < hi
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.Fields(strings.TrimPrefix(line, "VmFlags:"))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("no mapping holds %#x in /proc/self/smaps", addr)
	return nil
}

// vmaRange parses the address range of a mapping's header line in
// /proc/self/smaps ("7f..-7f.. r--s ...").
func vmaRange(line string) (lo, hi uint64, ok bool) {
	r, _, found := strings.Cut(line, " ")
	if !found {
		return 0, 0, false
	}
	a, b, found := strings.Cut(r, "-")
	if !found {
		return 0, 0, false
	}
	lo, err1 := strconv.ParseUint(a, 16, 64)
	hi, err2 := strconv.ParseUint(b, 16, 64)
	return lo, hi, err1 == nil && err2 == nil
}

// advice names the advice of flags: "rr" (random), "sr" (sequential) or
// "" (normal).
func advice(flags []string) string {
	var got []string
	for _, f := range flags {
		if f == "rr" || f == "sr" {
			got = append(got, f)
		}
	}
	return strings.Join(got, " ")
}

// requireVisibleAdvice skips the test unless adviceVisible.
func requireVisibleAdvice(t *testing.T) {
	t.Helper()
	if ok, why := adviceVisible(t); !ok {
		t.Skip(why)
	}
}

// adviceVisible reports whether advice given to a plain memmap.Map shows
// in /proc/self/smaps, and why not: under qemu-user (the big-endian test
// runs) madvise never reaches the kernel.
func adviceVisible(t *testing.T) (bool, string) {
	t.Helper()
	path := testutil.WriteFile(t, make([]byte, 1<<16))
	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Advise(memmap.Random); err != nil {
		t.Fatal(err)
	}
	if got := advice(vmFlags(t, unsafe.Pointer(&m.Bytes()[0]))); got != "rr" {
		return false, fmt.Sprintf("memmap.Map.Advise(Random) does not show in /proc/self/smaps (VmFlags advice %q): madvise does not reach the kernel here (qemu-user?)", got)
	}
	return true, ""
}

// split reports whether AccessAuto gives a writable or read-only file
// array a second map for its views here.
func split() bool {
	return runtime.GOOS == "linux" && strconv.IntSize == 64
}

// TestAccessAdvice checks, on Linux, the advice each Options.Access gives
// the maps behind the element accessors (Row) and the views (Data): read
// from the VmFlags of the mappings, at open, after growth and after a
// reader's Refresh.
func TestAccessAdvice(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skipf("the VmFlags of mappings are read from /proc/self/smaps, which %s has not", runtime.GOOS)
	}
	requireVisibleAdvice(t)
	main, scan := "rr", "sr"
	if !split() {
		main, scan = "", "" // one map, Normal
	}
	for _, tc := range []struct {
		access     memmap.Access
		main, scan string
	}{
		{memmap.AccessAuto, main, scan},
		{memmap.AccessRandom, "rr", "rr"},
		{memmap.AccessSequential, "sr", "sr"},
		{memmap.AccessNormal, "", ""},
	} {
		t.Run(tc.access.String(), func(t *testing.T) {
			check := func(a *array.Array[float64], when string) {
				t.Helper()
				first, err := a.Row(0)
				if err != nil {
					t.Fatal(err)
				}
				last, err := a.Row(a.Len() - 1)
				if err != nil {
					t.Fatal(err)
				}
				d, err := a.Data()
				if err != nil {
					t.Fatal(err)
				}
				// Under AccessAuto a writer's rows appended since the
				// last growth lie in capacity it keeps Normal, where
				// appends write (store.adviseMain).
				lastWant := tc.main
				if tc.access == memmap.AccessAuto && split() && when == "after 20 appends" {
					lastWant = ""
				}
				for _, p := range []struct {
					what string
					p    *float64
					want string
				}{
					{"Row(0)", &first[0], tc.main},
					{"last Row", &last[0], lastWant},
					{"Data()[0]", &d[0], tc.scan},
					{"Data()[last]", &d[len(d)-1], tc.scan},
				} {
					if got := advice(vmFlags(t, unsafe.Pointer(p.p))); got != p.want {
						t.Errorf("%s: %s has advice %q, want %q", when, p.what, got, p.want)
					}
				}
				if two := tc.access == memmap.AccessAuto && split(); (&first[0] != &d[0]) != two {
					t.Errorf("%s: Row(0) at %p, Data at %p: want two maps %v", when, &first[0], &d[0], two)
				}
			}
			path := tempPath(t, "adv.npy")
			opt := &array.Options{Access: tc.access}
			w := mustCreate[float64](t, path, []int{1000}, opt)
			check(w, "after Create")
			for range 20 {
				if _, err := w.Append(make([]float64, 5000)...); err != nil {
					t.Fatal(err)
				}
			}
			check(w, "after 20 appends")
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			r, err := array.Open[float64](path, memmap.ReadOnly, opt)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			check(r, "after Open")
			if _, err := w.Append(make([]float64, 100000)...); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := r.Refresh(); err != nil {
				t.Fatal(err)
			}
			check(r, "after Refresh")
			if err := w.Advise(memmap.Sequential); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Append(make([]float64, 100000)...); err != nil {
				t.Fatal(err)
			}
			tc.main, tc.scan = "sr", "sr"
			check(w, "after Advise(Sequential) and growth")
		})
	}
}

// TestScanViews checks the views of each Options.Access across growth:
// views from Data taken before 20 appends still read and write the right
// elements, writes through Data are seen by At1 and reach the file with
// Flush.
func TestScanViews(t *testing.T) {
	for _, acc := range []memmap.Access{memmap.AccessAuto, memmap.AccessRandom} {
		for _, reserve := range []int64{0, -1} {
			t.Run(fmt.Sprint(acc, " reserve=", reserve), func(t *testing.T) {
				path := tempPath(t, "sv.npy")
				a := mustCreate[float64](t, path, []int{100}, &array.Options{Access: acc, Reserve: reserve})
				old, err := a.Data()
				if err != nil {
					t.Fatal(err)
				}
				rows, err := a.Rows(10, 20)
				if err != nil {
					t.Fatal(err)
				}
				batch := make([]float64, 3000) // 24 KB: the file grows
				for i := range 20 {
					for j := range batch {
						batch[j] = float64(100 + i*len(batch) + j)
					}
					if _, err := a.Append(batch...); err != nil {
						t.Fatal(err)
					}
				}
				a.Set1(7, 7)
				a.Set1(15, 15)
				if old[7] != 7 || rows[5] != 15 {
					t.Errorf("views taken before growth read %v, %v; want 7, 15", old[7], rows[5])
				}
				old[8] = 8
				rows[6] = 16
				if a.At1(8) != 8 || a.At1(16) != 16 {
					t.Errorf("At1 reads %v, %v after writes through old views; want 8, 16", a.At1(8), a.At1(16))
				}
				now, err := a.Data()
				if err != nil {
					t.Fatal(err)
				}
				n := len(now)
				if n != 100+20*len(batch) || now[n-1] != float64(n-1) || now[150] != 150 {
					t.Fatalf("Data after growth: %d elements, [150] %v, [last] %v", n, now[150], now[n-1])
				}
				now[n-1] = -1
				now[150] = -150
				if a.At1(n-1) != -1 || a.At1(150) != -150 {
					t.Errorf("At1 reads %v, %v after writes through Data; want -1, -150", a.At1(n-1), a.At1(150))
				}
				if err := a.Flush(); err != nil {
					t.Fatal(err)
				}
				d := data(t, path) // the file, read with read(2)
				f := func(i int) float64 {
					var v float64
					copy(unsafe.Slice((*byte)(unsafe.Pointer(&v)), 8), d[8*i:])
					return v
				}
				for _, c := range []struct {
					i    int
					want float64
				}{{7, 7}, {8, 8}, {15, 15}, {16, 16}, {150, -150}, {n - 1, -1}, {n - 2, float64(n - 2)}} {
					if got := f(c.i); got != c.want {
						t.Errorf("file element %d = %v after Flush, want %v", c.i, got, c.want)
					}
				}
				mustClose(t, a)
			})
		}
	}
}

// mappingsOf counts the mappings of the file at path in
// /proc/self/maps (Linux only).
func mappingsOf(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skipf("no /proc/self/maps on %s: %v", runtime.GOOS, err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasSuffix(line, " "+path) {
			n++
		}
	}
	return n
}

// TestCloseUnmapsViews checks, on Linux, that Close unmaps the scan map as
// well as the main one.
func TestCloseUnmapsViews(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skipf("mappings are counted in /proc/self/maps, which %s has not", runtime.GOOS)
	}
	path := tempPath(t, "cl.npy")
	a := mustCreate[int64](t, path, []int{5000}, nil)
	r, _ := a.Row(0)
	before := mappingsOf(t, path)
	d, err := a.Data()
	if err != nil {
		t.Fatal(err)
	}
	after := mappingsOf(t, path)
	if split() && (after <= before || &d[0] == &r[0]) {
		t.Errorf("mappings of the file: %d before Data, %d after; Data at %p, Row(0) at %p: want a second map", before, after, &d[0], &r[0])
	}
	mustClose(t, a)
	if n := mappingsOf(t, path); n != 0 {
		t.Errorf("%d mappings of the file after Close, want 0", n)
	}
}

// TestCopyOnWriteOneMap checks that a CopyOnWrite array serves its views
// and its accessors from one map, so that Set is seen through Data.
func TestCopyOnWriteOneMap(t *testing.T) {
	path := tempPath(t, "cow.npy")
	w := mustCreate[float64](t, path, []int{1000}, nil)
	w.Set1(1, 1)
	mustClose(t, w)
	c := mustOpen[float64](t, path, memmap.CopyOnWrite)
	d, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Row(0)
	if err != nil {
		t.Fatal(err)
	}
	if &d[0] != &r[0] {
		t.Errorf("Data at %p, Row(0) at %p: want one map", &d[0], &r[0])
	}
	c.Set1(5, 1)
	if d[1] != 5 {
		t.Errorf("Data()[1] = %v after Set1(5, 1), want 5", d[1])
	}
	if runtime.GOOS == "linux" {
		if ok, why := adviceVisible(t); !ok {
			t.Log(why)
		} else if got := advice(vmFlags(t, unsafe.Pointer(&d[0]))); got != "" {
			t.Errorf("a CopyOnWrite array's map has advice %q, want Normal", got)
		}
	}
}

// TestAccessOptionErrors checks that an unknown Options.Access is refused
// before Create touches the disk, and by Open and New.
func TestAccessOptionErrors(t *testing.T) {
	bad := &array.Options{Access: memmap.Access(99)}
	path := tempPath(t, "bad.npy")
	if _, err := array.Create[float64](path, []int{3}, bad); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("Create with Access(99): %v, want ErrRange", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Create with Access(99) left a file: %v", err)
	}
	if _, err := array.New[float64]([]int{3}, bad); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("New with Access(99): %v, want ErrRange", err)
	}
	mustClose(t, mustCreate[float64](t, path, []int{3}, nil))
	if _, err := array.Open[float64](path, memmap.ReadOnly, bad); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("Open with Access(99): %v, want ErrRange", err)
	}
	// The store checks the access pattern after the open: a refused
	// writer leaves the writer lock free.
	if _, err := array.Open[float64](path, memmap.ReadWrite, bad); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("Open ReadWrite with Access(99): %v, want ErrRange", err)
	}
	mustClose(t, mustOpen[float64](t, path, memmap.ReadWrite))
	a := mustOpen[float64](t, path, memmap.ReadOnly)
	mustClose(t, a)
	if a.Cap() != 0 {
		t.Errorf("Cap after Close = %d, want 0", a.Cap())
	}
}

// TestConcurrentFirstViews takes the first views of an array (which make
// its scan map) from many goroutines at once, alongside At1 and Take: run
// under -race, it checks that the scan map is made once and safely.
func TestConcurrentFirstViews(t *testing.T) {
	path := tempPath(t, "cv.npy")
	w := mustCreate[int64](t, path, []int{10000}, nil)
	for i := range 10000 {
		w.Set1(int64(i), i)
	}
	mustClose(t, w)
	for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite} {
		a := mustOpen[int64](t, path, mode)
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				idx := []int{g, 9999 - g, 5000, g, 1, 2, 3, 4, 5}
				dst := make([]int64, len(idx))
				for range 50 {
					d, err := a.Data()
					if err != nil {
						errs <- err
						return
					}
					r, err := a.Rows(g, g+10)
					if err != nil {
						errs <- err
						return
					}
					if err := a.Take(idx, dst); err != nil {
						errs <- err
						return
					}
					if d[g] != int64(g) || r[0] != int64(g) || a.At1(9999-g) != int64(9999-g) || dst[1] != int64(9999-g) {
						errs <- fmt.Errorf("goroutine %d read %d, %d, %d, %d", g, d[g], r[0], a.At1(9999-g), dst[1])
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		mustClose(t, a)
	}
}
