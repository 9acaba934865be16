package publish_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/publish"
)

// The child processes of the tests are this test binary run again, with
// roleEnv naming the role, nameEnv the published name and finalEnv the
// version at which a reader stops.
const (
	roleEnv  = "MEMMAP_PUBLISH_TEST_ROLE"
	nameEnv  = "MEMMAP_PUBLISH_TEST_NAME"
	finalEnv = "MEMMAP_PUBLISH_TEST_FINAL"
)

// The files of the multi-process tests: arrays of readerElems int64s
// (64 KiB), and of crashElems (512 KiB) for the publisher that is killed,
// whose writes then take long enough to be cut in the middle.
const (
	readerElems = 8192
	crashElems  = 65536
)

// TestMain runs a child role instead of the tests when the binary was
// started as a test's child process.
func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" {
		name := os.Getenv(nameEnv)
		var err error
		switch role {
		case "reader":
			final, _ := strconv.ParseUint(os.Getenv(finalEnv), 10, 64)
			err = readerChild(name, final)
		case "publisher":
			err = publisherChild(name)
		default:
			err = fmt.Errorf("unknown role %q", role)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "child %s: %v\n", role, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// readerStats is what a reader process reports: lookups made, lookups
// that failed (Acquire or the view), values that were wrong, the versions
// it switched to, reloads that failed, and at the end, once every Ref is
// released, the versions it has open and mapped (-1: cannot tell).
type readerStats struct {
	lookups, failed, wrong, switches, reloadErrs int64
	open, mapped                                 int64
}

func (s readerStats) String() string {
	return fmt.Sprintf("%d %d %d %d %d %d %d", s.lookups, s.failed, s.wrong, s.switches, s.reloadErrs, s.open, s.mapped)
}

func parseStats(line string) (s readerStats, err error) {
	_, err = fmt.Sscan(line, &s.lookups, &s.failed, &s.wrong, &s.switches, &s.reloadErrs, &s.open, &s.mapped)
	return s, err
}

// readerChild follows name until it serves version final: two goroutines
// acquire the current version, check every element and release it, while
// the main goroutine reloads. It prints "ready" once open, then its
// readerStats.
func readerChild(name string, final uint64) error {
	var live atomic.Int64
	h, err := publish.Open(name, openCounted(&live), &publish.Options{Retry: 10 * time.Second})
	if err != nil {
		return err
	}
	fmt.Println("ready")
	var s readerStats
	var stop atomic.Bool
	var wg sync.WaitGroup
	var firstWrong atomic.Pointer[string]
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				r, err := h.Acquire()
				if err != nil {
					atomic.AddInt64(&s.failed, 1)
					continue
				}
				if err := checkArray(r.Value().Array, r.Version(), readerElems); err != nil {
					atomic.AddInt64(&s.wrong, 1)
					msg := err.Error()
					firstWrong.CompareAndSwap(nil, &msg)
				}
				r.Release()
				atomic.AddInt64(&s.lookups, 1)
			}
		}()
	}
	// A reload every 100 µs, every millisecond on Windows, where each
	// read of the pointer delays a publisher's replacing it.
	poll := 100 * time.Microsecond
	if runtime.GOOS == "windows" {
		poll = time.Millisecond
	}
	deadline := time.Now().Add(5 * time.Minute)
	for h.Version() < final && time.Now().Before(deadline) {
		changed, err := h.Reload()
		if err != nil {
			s.reloadErrs++
			fmt.Fprintln(os.Stderr, "reload:", err)
		}
		if changed {
			s.switches++
		}
		time.Sleep(poll)
	}
	stop.Store(true)
	wg.Wait()
	if h.Version() < final {
		return fmt.Errorf("reached version %d, not %d, in 5 minutes", h.Version(), final)
	}
	if msg := firstWrong.Load(); msg != nil {
		fmt.Fprintln(os.Stderr, "first wrong value:", *msg)
	}
	s.open, s.mapped = live.Load(), int64(mappedVersions(name))
	fmt.Println(s)
	return h.Close()
}

// TestReaderProcesses has readers in two child processes, two goroutines
// each, look up continuously while this process publishes many versions:
// no lookup fails or reads a wrong value, and once they have released
// their Refs, each reader holds one version open and mapped.
func TestReaderProcesses(t *testing.T) {
	dir := testutil.TempDir(t)
	name := inDir(dir, "live.npy")
	publishes := 200
	switch {
	case testing.Short() || runtime.GOOS == "windows":
		publishes = 30 // under Wine the readers' checks starve the publisher: 0.6 s a publish
	case runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64":
		publishes = 60 // under qemu, likewise: 0.3 s a publish
	}
	if s := os.Getenv("MEMMAP_PUBLISH_TEST_PUBLISHES"); s != "" {
		publishes, _ = strconv.Atoi(s) // the figure: 1000
	}
	write := writeArray(readerElems)
	publishN(t, name, 1, write, nil)
	final := uint64(1 + publishes)
	const readers = 2
	type result struct {
		s   readerStats
		err error
	}
	results := make(chan result, readers)
	ready := make(chan bool, readers)
	for range readers {
		c := testutil.StartSelf(t, roleEnv+"=reader", nameEnv+"="+name, finalEnv+"="+strconv.FormatUint(final, 10))
		go func() {
			var r result
			sc := bufio.NewScanner(c.Stdout)
			ok := sc.Scan() && sc.Text() == "ready"
			ready <- ok
			if ok && sc.Scan() {
				r.s, r.err = parseStats(sc.Text())
			}
			io.Copy(io.Discard, c.Stdout)
			if err := c.Cmd.Wait(); err != nil {
				r.err = fmt.Errorf("reader process: %v\n%s", err, c.Stderr)
			} else if r.err != nil || !ok {
				r.err = fmt.Errorf("reader process printed no stats (%v)\n%s", r.err, c.Stderr)
			}
			results <- r
		}()
	}
	for range readers {
		if !<-ready {
			t.Fatalf("a reader did not start: %v", (<-results).err)
		}
	}
	start := time.Now()
	publishN(t, name, publishes, write, nil)
	elapsed := time.Since(start)
	var total readerStats
	for range readers {
		r := <-results
		if r.err != nil {
			t.Error(r.err)
			continue
		}
		s := r.s
		total.lookups += s.lookups
		total.failed += s.failed
		total.wrong += s.wrong
		total.switches += s.switches
		total.reloadErrs += s.reloadErrs
		if s.open != 1 || s.mapped > 1 {
			t.Errorf("a reader holds %d versions open and %d mapped after releasing its Refs, want 1", s.open, s.mapped)
		}
		if s.lookups == 0 {
			t.Error("a reader made no lookup")
		}
	}
	t.Logf("%d publishes in %v while %d reader processes × 2 goroutines made %d lookups (%d failed, %d wrong), switched versions %d times (%d reload errors)",
		publishes, elapsed.Round(time.Millisecond), readers, total.lookups, total.failed, total.wrong, total.switches, total.reloadErrs)
	if total.failed != 0 || total.wrong != 0 || total.reloadErrs != 0 {
		t.Errorf("%d failed lookups, %d wrong values, %d failed reloads; want none", total.failed, total.wrong, total.reloadErrs)
	}
	// Old versions are gone (on Windows, once the readers let go of them).
	must(t, publish.Clean(name, nil))
	want := []string{"live.npy.current", "live.npy.lock", publish.VersionPath("live.npy", final-1), publish.VersionPath("live.npy", final)}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("files left: %q, want %q", got, want)
	}
}

// publisherChild publishes versions of name for ever, printing each
// number, until it is killed.
func publisherChild(name string) error {
	w := bufio.NewWriter(os.Stdout)
	for {
		n, err := publish.Publish(name, writeArray(crashElems), nil)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, n)
		w.Flush()
	}
}

// TestPublisherKilled kills a publishing child process with SIGKILL at
// random points, again and again: each time, the current version opens
// and is complete, and the next Publish works and clears what the
// killed one left.
func TestPublisherKilled(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL on Windows")
	}
	dir := testutil.TempDir(t)
	name := inDir(dir, "crash.npy")
	kills := 20
	switch {
	case testing.Short():
		kills = 5
	case runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64":
		kills = 10 // qemu starts a child in 0.3 s
	}
	var cut struct{ temp, partial int } // what the kills left
	var last uint64                     // the newest version known to be current
	published := 0                      // versions the children said they published
	for k := range kills {
		c := testutil.StartSelf(t, roleEnv+"=publisher", nameEnv+"="+name)
		sc := bufio.NewScanner(c.Stdout)
		// Kill it after 0-3 completed publishes, at a random moment of
		// the next: time a publish by the first one.
		wantDone := rand.IntN(4)
		done := 0
		startAt := time.Now()
		var per time.Duration
		for done < wantDone && sc.Scan() {
			done++
			if done == 1 {
				per = time.Since(startAt)
			}
		}
		if per == 0 {
			per = 20 * time.Millisecond
		}
		time.Sleep(time.Duration(rand.Int64N(int64(per) + 1)))
		must(t, c.Cmd.Process.Kill())
		for sc.Scan() {
			done++
		}
		err := c.Cmd.Wait()
		var ee interface{ ExitCode() int }
		if !errors.As(err, &ee) || ee.ExitCode() != -1 {
			t.Fatalf("kill %d: the publisher ended with %v, not by the kill\n%s", k, err, c.Stderr)
		}
		published += done

		n, path, err := publish.Current(name)
		if errors.Is(err, fs.ErrNotExist) && last == 0 && done == 0 {
			t.Logf("kill %d: before the first publish completed: no current version", k)
		} else {
			if err != nil {
				t.Fatalf("kill %d: %v", k, err)
			}
			if n < last {
				t.Fatalf("kill %d: the current version went back from %d to %d", k, last, n)
			}
			a, err := openArray(path)
			must(t, err)
			if err := checkArray(a, n, crashElems); err != nil {
				t.Fatalf("kill %d: the current version is not complete: %v", k, err)
			}
			must(t, a.Close())
			last = n
		}
		left := files(t, dir)
		for _, f := range left {
			if strings.HasPrefix(f, ".") {
				cut.temp++
			} else if v, err := versionOf(f); err == nil && v > last {
				cut.partial++
			}
		}
		m, err := publish.Publish(name, writeArray(crashElems), nil)
		if err != nil || m <= last {
			t.Fatalf("kill %d: Publish after the kill = %d, %v (the current was %d; files %q)", k, m, err, last, left)
		}
		h, err := publish.Open(name, openArray, nil)
		must(t, err)
		if err := h.Do(func(a *arrayT) error { return checkArray(a, m, crashElems) }); err != nil || h.Version() != m {
			t.Fatalf("kill %d: version %d after the kill: %v", k, h.Version(), err)
		}
		must(t, h.Close())
		last = m
		// What the killed publisher left (a partial version, temporary
		// files) is gone: the current version, the previous one, the
		// pointer and the lock remain.
		if got := files(t, dir); len(got) > 4 {
			t.Fatalf("kill %d: files after the next Publish: %q (before it: %q)", k, got, left)
		}
	}
	t.Logf("%d kills after %d completed publishes; the current version was complete each time; the kills left %d temporary files and %d partial versions",
		kills, published, cut.temp, cut.partial)
}
