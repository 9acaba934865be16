package memmap

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
)

const (
	ipcEnv       = "MEMMAP_TEST_IPC_CHILD"
	ipcParent    = "written by the parent"
	ipcChildText = "written by the child"
	ipcSize      = 3*65536 + 100
	ipcChildAt   = 65536 + 7
)

// TestMain runs ipcChild instead of the tests when the binary was started
// as TestIPC's child process.
func TestMain(m *testing.M) {
	if os.Getenv(ipcEnv) != "" {
		ipcChild()
	}
	os.Exit(m.Run())
}

// ipcChild is the child process of TestIPC: it maps the descriptor it
// inherited (fd 3), checks the parent's bytes, writes its own and exits.
func ipcChild() {
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "child: "+format+"\n", args...)
		os.Exit(2)
	}
	f := os.NewFile(3, "inherited")
	m, err := OpenFile(f, ReadWrite, nil)
	if err != nil {
		fail("OpenFile: %v", err)
	}
	b := m.Bytes()
	if len(b) != ipcSize {
		fail("Len = %d, want %d", len(b), ipcSize)
	}
	if !bytes.HasPrefix(b, []byte(ipcParent)) {
		fail("the parent's bytes are missing: %q", b[:len(ipcParent)])
	}
	copy(b[ipcChildAt:], ipcChildText)
	b[len(b)-1] = '!'
	if err := m.Close(); err != nil {
		fail("Close: %v", err)
	}
	os.Exit(0)
}

// TestIPC shares a map with a child process (this test binary, run again)
// through exec.Cmd.ExtraFiles and checks that each sees the other's writes
// without any flush: for an anonymous map and for a file-backed one.
func TestIPC(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("exec.Cmd.ExtraFiles is not supported on windows")
	}
	for _, tc := range []struct {
		name string
		make func(t *testing.T) *Map
	}{
		{"anonymous", func(t *testing.T) *Map {
			m, err := Anonymous(ipcSize, nil)
			if err != nil {
				t.Fatalf("Anonymous: %v", err)
			}
			return m
		}},
		{"file", func(t *testing.T) *Map {
			m, err := Create(filepath.Join(testutil.TempDir(t), "shared"), ipcSize, nil)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			return m
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.make(t)
			defer m.Close()
			copy(m.Bytes(), ipcParent)
			run := func(argv ...string) ([]byte, error) {
				cmd := exec.Command(argv[0], argv[1:]...)
				cmd.Env = append(os.Environ(), ipcEnv+"=1")
				cmd.ExtraFiles = []*os.File{m.File()}
				return cmd.CombinedOutput()
			}
			out, err := run(os.Args[0])
			var ee *exec.ExitError
			if err != nil && !errors.As(err, &ee) {
				// The child did not start. Under qemu-user (go test
				// -exec qemu-s390x-static) without binfmt_misc the
				// binary cannot run itself (ENOEXEC): run it through
				// the same emulator.
				qemu, lerr := exec.LookPath("qemu-" + runtime.GOARCH + "-static")
				if lerr != nil {
					t.Skipf("cannot re-exec the test binary (%v) and no emulator: %v", err, lerr)
				}
				out, err = run(qemu, os.Args[0])
			}
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			b := m.Bytes()
			if got := string(b[ipcChildAt : ipcChildAt+len(ipcChildText)]); got != ipcChildText {
				t.Fatalf("the child's write is not in the map: %q", got)
			}
			if b[len(b)-1] != '!' {
				t.Fatalf("the child's last byte is not in the map: %q", b[len(b)-1])
			}
		})
	}
}
