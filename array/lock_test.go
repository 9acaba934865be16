package array_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
)

const (
	lockChildEnv = "MEMMAP_ARRAY_TEST_LOCK_CHILD" // "try" or "hold"
	lockPathEnv  = "MEMMAP_ARRAY_TEST_LOCK_PATH"
)

// TestMain runs lockChild instead of the tests when the binary was started
// as a child process of TestLockOtherProcess.
func TestMain(m *testing.M) {
	if role := os.Getenv(lockChildEnv); role != "" {
		os.Exit(lockChild(role, os.Getenv(lockPathEnv)))
	}
	os.Exit(m.Run())
}

// lockChild is the child process of TestLockOtherProcess. As "try" it
// checks that the parent's writer lock keeps it from writing the file at
// path, but not from reading it. As "hold" it opens the file as the
// writer, sets element 0 to 77, says "ready" and holds the lock until its
// standard input closes.
func lockChild(role, path string) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "child: "+format+"\n", args...)
		return 2
	}
	switch role {
	case "crash":
		return crashChild(path) // TestCrash's writer (crash_test.go)
	case "try":
		if a, err := array.Open[int64](path, memmap.ReadWrite, nil); !errors.Is(err, memmap.ErrLocked) {
			if err == nil {
				a.Close()
			}
			return fail("Open r+ while the parent writes: %v, want ErrLocked", err)
		}
		if a, err := array.Create[int64](path, []int{1}, nil); !errors.Is(err, memmap.ErrLocked) {
			if err == nil {
				a.Close()
			}
			return fail("Create while the parent writes: %v, want ErrLocked", err)
		}
		r, err := array.Open[int64](path, memmap.ReadOnly, nil)
		if err != nil {
			return fail("Open r while the parent writes: %v", err)
		}
		defer r.Close()
		if got := r.At(0); got != 42 {
			return fail("reader sees %d, want the parent's 42", got)
		}
		fmt.Println("checked")
		return 0
	case "hold":
		a, err := array.Open[int64](path, memmap.ReadWrite, nil)
		if err != nil {
			return fail("Open r+: %v", err)
		}
		a.Set(77, 0)
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
		if err := a.Close(); err != nil {
			return fail("Close: %v", err)
		}
		return 0
	}
	return fail("unknown role %q", role)
}

// childCmd returns a command that runs this test binary as a child in the
// given role: directly, or through the same emulator when the binary
// cannot run itself (go test -exec qemu-s390x-static without binfmt_misc:
// the exec fails with ENOEXEC).
func childCmd(t *testing.T, role, path string, start func(*exec.Cmd) error) *exec.Cmd {
	t.Helper()
	for _, argv := range [][]string{{os.Args[0]}, {"qemu-" + runtime.GOARCH + "-static", os.Args[0]}} {
		if len(argv) == 2 {
			if _, err := exec.LookPath(argv[0]); err != nil {
				t.Skipf("cannot run the test binary as a child, and no emulator: %v", err)
			}
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), lockChildEnv+"="+role, lockPathEnv+"="+path)
		err := start(cmd)
		var ee *exec.ExitError
		if err == nil || errors.As(err, &ee) {
			if err != nil {
				t.Fatalf("child %s: %v", role, err)
			}
			return cmd
		}
		t.Logf("starting %v: %v", argv, err)
	}
	t.Skip("cannot start the test binary as a child process")
	return nil
}

// TestLockSameProcess: a second writer in the same process gets ErrLocked,
// from Open r+ and from Create (which leaves the file alone); readers do
// not; after Close the file can be written again.
func TestLockSameProcess(t *testing.T) {
	path := tempPath(t, "lock.npy")
	w := mustCreate[int64](t, path, []int{4}, nil)
	w.Set(42, 0)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, path)
	if _, err := array.Open[int64](path, memmap.ReadWrite, nil); !errors.Is(err, memmap.ErrLocked) {
		t.Errorf("second Open r+: %v, want ErrLocked", err)
	}
	if _, err := array.Create[int64](path, []int{1}, nil); !errors.Is(err, memmap.ErrLocked) {
		t.Errorf("Create over an open writer: %v, want ErrLocked", err)
	}
	if !bytes.Equal(readFile(t, path), before) {
		t.Error("the refused Create changed the file")
	}
	r := mustOpen[int64](t, path, memmap.ReadOnly)
	if r.At(0) != 42 {
		t.Errorf("reader sees %d, want 42", r.At(0))
	}
	w.Set(43, 1)
	if r.At(1) != 43 {
		t.Errorf("reader sees %d after the writer's Set, want 43", r.At(1))
	}
	mustClose(t, w)
	w2 := mustOpen[int64](t, path, memmap.ReadWrite)
	if w2.At(1) != 43 {
		t.Errorf("reopened writer sees %d, want 43", w2.At(1))
	}
}

// TestLockOtherProcess: a writer in another process keeps this one from
// writing, and the other way round.
func TestLockOtherProcess(t *testing.T) {
	t.Run("parent holds", func(t *testing.T) {
		path := tempPath(t, "p.npy")
		w := mustCreate[int64](t, path, []int{4}, nil)
		w.Set(42, 0)
		var stdout bytes.Buffer
		childCmd(t, "try", path, func(cmd *exec.Cmd) error {
			var stderr bytes.Buffer
			stdout.Reset()
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("%w: %s", err, stderr.String())
			}
			return nil
		})
		if stdout.String() != "checked\n" {
			t.Errorf("the child said %q, want \"checked\"", stdout.String())
		}
	})

	t.Run("child holds", func(t *testing.T) {
		path := tempPath(t, "c.npy")
		mustClose(t, mustCreate[int64](t, path, []int{4}, nil))
		var stdin io.WriteCloser
		var stdout io.ReadCloser
		var stderr strings.Builder
		cmd := childCmd(t, "hold", path, func(cmd *exec.Cmd) error {
			var err error
			if stdin, err = cmd.StdinPipe(); err != nil {
				return err
			}
			if stdout, err = cmd.StdoutPipe(); err != nil {
				return err
			}
			cmd.Stderr = &stderr
			return cmd.Start()
		})
		defer func() {
			stdin.Close()
			cmd.Wait()
		}()
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if line != "ready\n" {
			t.Fatalf("child said %q, %v; stderr:\n%s", line, err, stderr.String())
		}
		if _, err := array.Open[int64](path, memmap.ReadWrite, nil); !errors.Is(err, memmap.ErrLocked) {
			t.Errorf("Open r+ while the child writes: %v, want ErrLocked", err)
		}
		if _, err := array.Create[int64](path, []int{1}, nil); !errors.Is(err, memmap.ErrLocked) {
			t.Errorf("Create while the child writes: %v, want ErrLocked", err)
		}
		r := mustOpen[int64](t, path, memmap.ReadOnly)
		if r.At(0) != 77 {
			t.Errorf("reader sees %d, want the child's 77", r.At(0))
		}
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child: %v\n%s", err, stderr.String())
		}
		w := mustOpen[int64](t, path, memmap.ReadWrite)
		if w.At(0) != 77 {
			t.Errorf("after the child closed: At(0) = %d, want 77", w.At(0))
		}
	})
}
