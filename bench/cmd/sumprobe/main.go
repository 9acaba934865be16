//go:build linux

// Command sumprobe sums the 1 GiB float64 file of the benchmarks (section
// 2) through Array.Data in a process of its own, once per memmap.Access,
// and through a heap copy, and prints the best CPU time of 5 passes of
// each with the /proc/self/smaps lines of the map (Rss, FilePmdMapped,
// VmFlags): to tell whether a gap between Data and the heap in the report's
// run comes from the mapping or from the state of the benchmark process.
// Run the report (or go test -bench Sum) once first to make the file.
//
//	cd bench && go run ./cmd/sumprobe
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
)

var file = flag.String("file", filepath.Join(os.TempDir(), "memmap-bench", "full", "f64-134217728.npy"), "the float64 .npy file to sum")

// cpu returns the process's user and system CPU time.
func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sum is the loop of section 2.
//
//go:noinline
func sum(d []float64) (s float64) {
	for _, v := range d {
		s += v
	}
	return
}

// smaps returns the Rss, FilePmdMapped and VmFlags lines of the mapping
// that holds addr.
func smaps(addr uintptr) string {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return err.Error() + "\n"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in, out := false, ""
	for sc.Scan() {
		l := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(l, "%x-%x ", &lo, &hi); n == 2 && !strings.Contains(strings.Fields(l)[0], ":") {
			if in = addr >= lo && addr < hi; in {
				out += l + "\n"
			}
			continue
		}
		if in && (strings.HasPrefix(l, "FilePmdMapped") || strings.HasPrefix(l, "Rss") || strings.HasPrefix(l, "VmFlags")) {
			out += l + "\n"
		}
	}
	return out
}

func main() {
	flag.Parse()
	path := *file
	for _, acc := range []memmap.Access{memmap.AccessAuto, memmap.AccessNormal, memmap.AccessSequential} {
		a, err := array.Open[float64](path, memmap.ReadOnly, &array.Options{Access: acc})
		if err != nil {
			panic(err)
		}
		d, _ := a.Data()
		sum(d)
		best := time.Hour
		for range 5 {
			c := cpu()
			sum(d)
			best = min(best, cpu()-c)
		}
		// SAFETY: the pointer is only turned into an address to find its
		// mapping in smaps; nothing is read through it.
		p := uintptr(unsafe.Pointer(&d[0]))
		fmt.Printf("access %v: best %v addr %#x mod2M %#x\n%s", acc, best, p, p%(2<<20), smaps(p))
		a.Close()
	}
	h := make([]float64, 134217728)
	for i := range h {
		h[i] = 1
	}
	best := time.Hour
	for range 5 {
		c := cpu()
		sum(h)
		best = min(best, cpu()-c)
	}
	fmt.Println("heap", best)
}
