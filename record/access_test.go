package record

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// vmAdvice returns the read-ahead advice of the mapping that holds p, from
// its VmFlags in /proc/self/smaps: "rr" (random), "sr" (sequential) or ""
// (normal). The caller skips the test where there is no smaps.
func vmAdvice(t *testing.T, p unsafe.Pointer) string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	addr := uint64(uintptr(p))
	in := false
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if r, _, ok := strings.Cut(line, " "); ok {
			if a, b, ok := strings.Cut(r, "-"); ok {
				lo, err1 := strconv.ParseUint(a, 16, 64)
				hi, err2 := strconv.ParseUint(b, 16, 64)
				if err1 == nil && err2 == nil {
					in = lo <= addr && addr < hi
					continue
				}
			}
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			var adv []string
			for _, fl := range strings.Fields(line[len("VmFlags:"):]) {
				if fl == "rr" || fl == "sr" {
					adv = append(adv, fl)
				}
			}
			return strings.Join(adv, " ")
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return ""
}

// TestAccessAdvice checks, on Linux, the advice of the maps behind Row and
// Data for each Options.Access, at open and after growth, and Advise.
func TestAccessAdvice(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skipf("the VmFlags of mappings are read from /proc/self/smaps, which %s has not", runtime.GOOS)
	}
	probe, err := memmap.Open(testutil.WriteFile(t, make([]byte, 1<<16)), memmap.ReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	if err := probe.Advise(memmap.Random); err != nil {
		t.Fatal(err)
	}
	if got := vmAdvice(t, unsafe.Pointer(&probe.Bytes()[0])); got != "rr" {
		t.Skipf("memmap.Map.Advise(Random) does not show in /proc/self/smaps (advice %q): madvise does not reach the kernel here (qemu-user?)", got)
	}
	two := strconv.IntSize == 64
	main, scan := "rr", "sr"
	if !two {
		main, scan = "", ""
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
			f := mustCreate(t, tempPath(t, "a.npy"), &Options{Access: tc.access})
			autoWriter := tc.access == memmap.AccessAuto && two
			check := func(when string) {
				t.Helper()
				s, err := f.Data()
				if err != nil {
					t.Fatal(err)
				}
				last := mustRow(t, f, f.Len()-1)
				// Under AccessAuto a writer's records appended since
				// the last growth lie in capacity it keeps Normal,
				// where appends write (store.adviseMain); the first is
				// Random once a growth has passed it.
				lastWant := tc.main
				if autoWriter {
					lastWant = ""
					if got := vmAdvice(t, unsafe.Pointer(mustRow(t, f, 0))); got != tc.main && f.Len() > 1000 {
						t.Errorf("%s: Row(0) has advice %q, want %q", when, got, tc.main)
					}
				}
				if got := vmAdvice(t, unsafe.Pointer(last)); got != lastWant {
					t.Errorf("%s: Row has advice %q, want %q", when, got, lastWant)
				}
				if got := vmAdvice(t, unsafe.Pointer(&s[len(s)-1])); got != tc.scan {
					t.Errorf("%s: Data has advice %q, want %q", when, got, tc.scan)
				}
				split := tc.access == memmap.AccessAuto && two
				if (&s[len(s)-1] != last) != split {
					t.Errorf("%s: Row at %p, Data at %p: want two maps %v", when, last, &s[len(s)-1], split)
				}
				n := 0
				for i, r := range f.All() {
					if i == f.Len()-1 && vmAdvice(t, unsafe.Pointer(r)) != tc.scan {
						t.Errorf("%s: All has advice %q, want %q", when, vmAdvice(t, unsafe.Pointer(r)), tc.scan)
					}
					n++
				}
				if n != f.Len() {
					t.Errorf("%s: All visited %d records of %d", when, n, f.Len())
				}
			}
			mustAppend(t, f, 0, 10)
			check("after 10 appends")
			mustAppend(t, f, 10, 5000)
			check("after 5000 appends")
			if err := f.Advise(memmap.Random); err != nil {
				t.Fatal(err)
			}
			autoWriter = false
			mustAppend(t, f, 5000, 10000)
			tc.main, tc.scan = "rr", "rr"
			check("after Advise(Random) and growth")
			if err := f.AdviseRows(0, 10, memmap.WillNeed); err != nil {
				t.Errorf("AdviseRows: %v", err)
			}
		})
	}
}

// TestScanViews checks that Data views taken before growth keep reading
// and writing the records, that writes through them are seen by Get and
// reach the file with Flush, whatever Options.Access.
func TestScanViews(t *testing.T) {
	for _, acc := range []memmap.Access{memmap.AccessAuto, memmap.AccessSequential} {
		t.Run(acc.String(), func(t *testing.T) {
			path := tempPath(t, "sv.npy")
			f := mustCreate(t, path, &Options{Access: acc})
			mustAppend(t, f, 0, 10)
			old, err := f.Data()
			if err != nil {
				t.Fatal(err)
			}
			for i := range 20 {
				mustAppend(t, f, 10+i*200, 10+(i+1)*200)
			}
			if err := f.Set(makeRec(103), 3); err != nil {
				t.Fatal(err)
			}
			if old[3] != makeRec(103) {
				t.Errorf("a Data view taken before growth reads %+v after Set, want record 103", old[3])
			}
			old[4] = makeRec(104)
			now, err := f.Data()
			if err != nil {
				t.Fatal(err)
			}
			now[len(now)-1] = makeRec(-1)
			if r, _ := f.Get(4); r != makeRec(104) {
				t.Errorf("Get(4) = %+v after a write through an old Data view", r)
			}
			if r, _ := f.Get(f.Len() - 1); r != makeRec(-1) {
				t.Errorf("Get(last) = %+v after a write through Data", r)
			}
			if err := f.Flush(); err != nil {
				t.Fatal(err)
			}
			g := mustOpen(t, path, memmap.ReadOnly)
			for i, want := range map[int]rec{3: makeRec(103), 4: makeRec(104), f.Len() - 1: makeRec(-1), 2000: makeRec(2000)} {
				if r, err := g.Get(i); err != nil || r != want {
					t.Errorf("reopened: Get(%d) = %+v, %v; want %+v", i, r, err, want)
				}
			}
		})
	}
}

// takePaths are the ways TakeRows can copy.
var takePaths = []store.TakePath{store.TakeAuto, store.TakeMap, store.TakeRead}

// TestTake checks Take against a loop of Get, in both byte orders and
// every mode, on every path of TakeRows, and its errors.
func TestTake(t *testing.T) {
	for _, p := range takePaths {
		for _, bo := range []bool{false, true} {
			t.Run(fmt.Sprint("path ", p, " other order ", bo), func(t *testing.T) {
				old := seam.TakePath.Swap(int32(p))
				defer seam.TakePath.Store(old)
				opt := &Options{}
				if bo {
					opt.ByteOrder = otherOrder()
				}
				path := tempPath(t, "t.npy")
				w := mustCreate(t, path, opt)
				mustAppend(t, w, 0, 3000)
				idx := []int{2999, 0, 5, 5, 6, 7, 8, 1500, 1499, 1501, 12, 11, 10, 2999}
				for k := range 500 {
					idx = append(idx, (k*7919)%3000)
				}
				check := func(f *File[rec], name string) {
					t.Helper()
					got := make([]rec, len(idx)+1)
					if err := f.Take(idx, got); err != nil {
						t.Fatalf("%s: Take: %v", name, err)
					}
					for k, i := range idx {
						if want, _ := f.Get(i); got[k] != want {
							t.Fatalf("%s: Take: record %d (idx[%d]) = %+v, want %+v", name, i, k, got[k], want)
						}
					}
					if got[len(idx)] != (rec{}) {
						t.Errorf("%s: Take wrote past len(idx) records", name)
					}
				}
				check(w, "writer")
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.CopyOnWrite} {
					check(mustOpen(t, path, mode), mode.String())
				}
				f := mustOpen(t, path, memmap.ReadOnly)
				dst := make([]rec, 3)
				for _, bad := range [][]int{{0, 1, 3000}, {-1}} {
					err := f.Take(bad, dst)
					if !errors.Is(err, memmap.ErrRange) || !strings.Contains(err.Error(), fmt.Sprint("index ", bad[len(bad)-1])) {
						t.Errorf("Take(%v): %v, want an error wrapping ErrRange naming the index", bad, err)
					}
					for k, r := range dst {
						if r != (rec{}) {
							t.Errorf("Take(%v) failed but changed dst[%d]", bad, k)
						}
					}
				}
				if err := f.Take([]int{1, 2, 3, 4}, dst); !errors.Is(err, memmap.ErrShape) {
					t.Errorf("Take into a short dst: %v, want ErrShape", err)
				}
				all := make([]rec, len(idx))
				if n := testing.AllocsPerRun(50, func() {
					if err := f.Take(idx, all); err != nil {
						t.Fatal(err)
					}
				}); n != 0 && p != store.TakeRead {
					t.Errorf("Take: %v allocations, want 0", n)
				}
				f.Close()
				if err := f.Take([]int{0}, dst); !errors.Is(err, memmap.ErrClosed) {
					t.Errorf("Take after Close: %v, want ErrClosed", err)
				}
			})
		}
	}
}

// TestTakeMisaligned checks Take on a file whose data is misaligned for
// rec, where the views refuse it.
func TestTakeMisaligned(t *testing.T) {
	f := mustOpen(t, oddRecFile(t), memmap.ReadWrite)
	mustAppend(t, f, 0, 100)
	for _, p := range takePaths {
		old := seam.TakePath.Swap(int32(p))
		dst := make([]rec, 3)
		if err := f.Take([]int{99, 0, 50}, dst); err != nil {
			t.Fatal(err)
		}
		seam.TakePath.Store(old)
		if dst[0] != makeRec(99) || dst[1] != makeRec(0) || dst[2] != makeRec(50) {
			t.Errorf("path %v: Take = %+v", p, dst)
		}
	}
}

// TestSmallThings checks issue 12 item 6: Cap is 0 after Close, the
// byte-order error names the orders in words, Advise and AdviseRows
// check the file.
func TestSmallThings(t *testing.T) {
	path := tempPath(t, "s.npy")
	f := mustCreate(t, path, &Options{ByteOrder: otherOrder(), Capacity: 100})
	if f.Cap() < 100 {
		t.Errorf("Cap = %d, want at least 100", f.Cap())
	}
	_, err := f.Data()
	words := map[layout.ByteOrder]string{layout.Little: "little-endian", layout.Big: "big-endian"}
	want := "the file is " + words[otherOrder()]
	host := "the host " + words[layout.HostOrder()]
	if !errors.Is(err, memmap.ErrByteOrder) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), host) {
		t.Errorf("Data of a file in the other byte order: %v, want the orders in words (%q, %q)", err, want, host)
	}
	if err := f.AdviseRows(0, 1, memmap.Random); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("AdviseRows past Len: %v, want ErrRange", err)
	}
	if err := f.Advise(memmap.Advice(42)); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("Advise(42): %v, want ErrRange (an invalid advice)", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if f.Cap() != 0 {
		t.Errorf("Cap after Close = %d, want 0", f.Cap())
	}
	if err := f.Advise(memmap.Random); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Advise after Close: %v, want ErrClosed", err)
	}
	if _, err := Create[rec](tempPath(t, "x.npy"), &Options{Access: 17}); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("Create with Access(17): %v, want ErrRange", err)
	}
}
