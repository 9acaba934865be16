package record

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// The child processes of the crash, lock and reader tests are this test
// binary run again, with roleEnv naming the role and pathEnv the file.
const (
	roleEnv = "MEMMAP_RECORD_TEST_ROLE"
	pathEnv = "MEMMAP_RECORD_TEST_PATH"
)

// TestMain runs a child role instead of the tests when the binary was
// started as a test's child process.
func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" {
		path := os.Getenv(pathEnv)
		var err error
		switch role {
		case "crash":
			err = crashChild(path)
		case "follow":
			err = followChild(path)
		case "lock":
			err = lockChild(path)
		case "reader":
			err = readerChild(path)
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

// child is a running child process with pipes to its stdin and stdout.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	stderr *bytes.Buffer // read it only after the child exited
}

// startChild starts this test binary again in role on path. Under
// qemu-user (go test -exec qemu-s390x-static) without binfmt_misc the
// binary cannot start itself (ENOEXEC): then it runs through the same
// emulator, as the memmap package's TestIPC does. It skips the test where
// no child process can start.
func startChild(t testing.TB, role, path string) *child {
	t.Helper()
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" || runtime.GOOS == "plan9" {
		t.Skipf("no child processes on %s", runtime.GOOS)
	}
	start := func(argv ...string) (*child, error) {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), roleEnv+"="+role, pathEnv+"="+path)
		c := &child{cmd: cmd, stderr: new(bytes.Buffer)}
		cmd.Stderr = c.stderr
		var err error
		if c.stdin, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
		if c.stdout, err = cmd.StdoutPipe(); err != nil {
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		return c, nil
	}
	c, err := start(os.Args[0])
	if err != nil {
		qemu, lerr := exec.LookPath("qemu-" + runtime.GOARCH + "-static")
		if lerr != nil {
			t.Skipf("cannot re-exec the test binary (%v) and no emulator: %v", err, lerr)
		}
		if c, err = start(qemu, os.Args[0]); err != nil {
			t.Fatalf("starting child %s: %v", role, err)
		}
	}
	return c
}

// wait closes the child's stdin and waits for it to exit, failing the test
// with its stderr if it failed.
func (c *child) wait(t testing.TB) {
	t.Helper()
	c.stdin.Close()
	io.Copy(io.Discard, c.stdout)
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("child %v: %v\n%s", c.cmd.Args, err, c.stderr)
	}
}
