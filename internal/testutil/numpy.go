package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Python is the interpreter that sees Debian's NumPy (python3-numpy); the
// python3 first on PATH may be another one without it.
const Python = "/usr/bin/python3"

// NumPy returns the path of a Python interpreter that can import numpy.
// Without one the test is skipped with a message saying how to get it,
// unless MEMMAP_REQUIRE_NUMPY=1 (set in CI), which makes it a failure.
// On Windows it always skips: the Windows tests run under Wine in CI,
// where a Linux interpreter cannot be started, and the native run of the
// same tests covers the NumPy interop.
func NumPy(t testing.TB) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("NumPy interop tests run on the native host, not on windows (CI runs windows tests under Wine)")
	}
	out, err := exec.Command(Python, "-c", "import numpy; print(numpy.__version__)").CombinedOutput()
	if err == nil {
		return Python
	}
	msg := "NumPy not available (" + Python + " -c 'import numpy': " + err.Error() + ": " + string(out) +
		"); install it with: apt-get install -y python3-numpy"
	if os.Getenv("MEMMAP_REQUIRE_NUMPY") == "1" {
		t.Fatal(msg + " (MEMMAP_REQUIRE_NUMPY=1)")
	}
	t.Skip(msg)
	return ""
}

// RunPython runs a Python script with NumPy available (see NumPy) and
// returns its standard output; a failure of the script fails the test
// with its standard error.
func RunPython(t testing.TB, script string, args ...string) []byte {
	t.Helper()
	py := NumPy(t)
	cmd := exec.Command(py, append([]string{"-c", script}, args...)...)
	var stderr []byte
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	if err != nil {
		t.Fatalf("python failed: %v\n%s\nscript:\n%s", err, stderr, script)
	}
	return out
}

// FormatCorpus writes the arrays of NumPy's own .npy format tests
// (numpy.lib.tests.test_format, with header/testdata/numpy_test_format.py)
// into a new temporary directory, with their manifest.json, and returns
// the directory. It skips as NumPy does, and also when the test module
// cannot be imported (it needs python3-pytest), unless
// MEMMAP_REQUIRE_NUMPY=1.
func FormatCorpus(t testing.TB) string {
	t.Helper()
	_, here, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("FormatCorpus: cannot find its own source file")
	}
	gen := filepath.Join(filepath.Dir(here), "..", "..", "header", "testdata", "numpy_test_format.py")
	dir := TempDir(t)
	out := RunPython(t, "import runpy, sys; g = sys.argv[2]; sys.argv = ['numpy_test_format.py', sys.argv[1]]; runpy.run_path(g, run_name='__main__')", dir, gen)
	if msg, ok := strings.CutPrefix(string(out), "SKIP "); ok {
		if os.Getenv("MEMMAP_REQUIRE_NUMPY") == "1" {
			t.Fatalf("%s(MEMMAP_REQUIRE_NUMPY=1)", msg)
		}
		t.Skip(msg)
	}
	return dir
}
