package testutil

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// Child is this test binary started again as a child process (its
// TestMain picks the role from the environment).
type Child struct {
	Cmd    *exec.Cmd
	Stdout io.ReadCloser
	Stderr *bytes.Buffer // read it only after the child exited
}

// StartSelf starts this test binary again with env added to its
// environment and -test.run matching nothing, so that only its TestMain
// role runs. Under qemu-user (go test -exec qemu-s390x-static) without
// binfmt_misc the binary cannot start itself (ENOEXEC): then it runs
// through the same emulator. It skips the test where no child process can
// start.
func StartSelf(t testing.TB, env ...string) *Child {
	t.Helper()
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" || runtime.GOOS == "plan9" {
		t.Skipf("no child processes on %s", runtime.GOOS)
	}
	start := func(argv ...string) (*Child, error) {
		cmd := exec.Command(argv[0], append(argv[1:], "-test.run=^$")...)
		cmd.Env = append(os.Environ(), env...)
		c := &Child{Cmd: cmd, Stderr: new(bytes.Buffer)}
		cmd.Stderr = c.Stderr
		var err error
		if c.Stdout, err = cmd.StdoutPipe(); err != nil {
			return nil, err
		}
		return c, cmd.Start()
	}
	c, err := start(os.Args[0])
	if err != nil {
		qemu, lerr := exec.LookPath("qemu-" + runtime.GOARCH + "-static")
		if lerr != nil {
			t.Skipf("cannot re-exec the test binary (%v) and no emulator: %v", err, lerr)
		}
		if c, err = start(qemu, os.Args[0]); err != nil {
			t.Fatalf("starting child: %v", err)
		}
	}
	return c
}
