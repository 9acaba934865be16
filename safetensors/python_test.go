package safetensors_test

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/safetensors"
)

// pyReader reads a safetensors file by hand with NumPy, as the format's
// README describes it: an independent reader. It prints one line per
// tensor in file order: name, dtype, shape, offset mod 64, and the values
// (bit patterns for dtypes NumPy lacks), then the metadata.
const pyReader = `
import json, struct, sys
import numpy as np
b = open(sys.argv[1], "rb").read()
n, = struct.unpack("<Q", b[:8])
h = json.loads(b[8:8+n].decode("utf-8"))
meta = h.pop("__metadata__", None)
np_types = {"BOOL": "?", "U8": "u1", "I8": "i1", "U16": "<u2", "I16": "<i2", "F16": "<f2", "BF16": "<u2",
            "U32": "<u4", "I32": "<i4", "F32": "<f4", "C64": "<c8", "F64": "<f8", "I64": "<i8", "U64": "<u8",
            "F8_E4M3": "u1", "F8_E5M2": "u1"}
for name, t in sorted(h.items(), key=lambda kv: kv[1]["data_offsets"]):
    s, e = t["data_offsets"]
    a = np.frombuffer(b[8+n+s:8+n+e], dtype=np_types[t["dtype"]]).reshape(t["shape"])
    print(name, t["dtype"], list(t["shape"]), (8+n+s) % 64 == 0 or (8+n+s) % a.dtype.itemsize == 0, a.ravel().tolist())
print("meta", json.dumps(meta, sort_keys=True))
`

// TestNumPyReadsOurs: NumPy, reading the format by hand, sees what our
// writer wrote.
func TestNumPyReadsOurs(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "w.safetensors")
	w, err := safetensors.Create(path, &safetensors.WriterOptions{Metadata: map[string]string{"k": "v ✓"}})
	must(t, err)
	must(t, safetensors.Add(w, "f", []float32{1.5, -2}, []int{2, 1}))
	must(t, safetensors.Add(w, "bf", []layout.BFloat16{layout.BFloat16From(1), layout.BFloat16From(-2)}, []int{2}))
	must(t, safetensors.Add(w, "e4", []layout.Float8E4M3{layout.Float8E4M3From(448)}, []int{1}))
	must(t, safetensors.Add(w, "c", []complex64{1 - 1i}, nil))
	must(t, safetensors.Add(w, "z", []int64{}, []int{0}))
	must(t, safetensors.Add(w, "b", []bool{true, false}, []int{2}))
	must(t, w.Close())
	out := string(testutil.RunPython(t, pyReader, path))
	want := strings.Join([]string{
		"z I64 [0] True []", // the reference's order: by dtype (I64 > C64 > F32 > BF16 > F8_E4M3 > BOOL)
		"c C64 [] True [(1-1j)]",
		"f F32 [2, 1] True [1.5, -2.0]",
		"bf BF16 [2] True [16256, 49152]",
		"e4 F8_E4M3 [1] True [126]",
		"b BOOL [2] True [True, False]",
		`meta {"k": "v \u2713"}`,
	}, "\n") + "\n"
	if out != want {
		t.Errorf("NumPy read:\n%s\nwant:\n%s", out, want)
	}
}

// TestNumPyWritesOurs: a file written by hand in Python, with json.dumps'
// default separators, unaligned, opens here.
func TestNumPyWritesOurs(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "p.safetensors")
	testutil.RunPython(t, `
import json, struct, sys
import numpy as np
x = np.arange(6, dtype="<f8").reshape(2, 3)
y = np.array([7, -8, 9], dtype="<i2")
hdr = {"y": {"dtype": "I16", "shape": [3], "data_offsets": [0, 6]},
       "x": {"dtype": "F64", "shape": [2, 3], "data_offsets": [6, 54]},
       "__metadata__": {"who": "python"}}
h = json.dumps(hdr).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + y.tobytes() + x.tobytes())
`, path)
	f, err := safetensors.Open(path)
	must(t, err)
	defer f.Close()
	if !slices.Equal(f.Names(), []string{"y", "x"}) || f.Metadata()["who"] != "python" {
		t.Errorf("names %q, metadata %v", f.Names(), f.Metadata())
	}
	x, err := safetensors.Tensor[float64](f, "x")
	must(t, err)
	y, err := safetensors.Tensor[int16](f, "y")
	must(t, err)
	if x.At(1, 2) != 5 || x.At(0, 1) != 1 || y.At(1) != -8 {
		t.Errorf("x[1,2] %v x[0,1] %v y[1] %v", x.At(1, 2), x.At(0, 1), y.At(1))
	}
}

// TestPythonSafetensors cross-checks with the reference implementation's
// Python package, when /usr/bin/python3 can import it.
func TestPythonSafetensors(t *testing.T) {
	testutil.NumPy(t)
	if out, err := exec.Command(testutil.Python, "-c", "import safetensors.numpy").CombinedOutput(); err != nil {
		t.Skipf("the reference's Python package is not available (%v: %s); pip install safetensors to run this cross-check", err, strings.TrimSpace(string(out)))
	}
	dir := testutil.TempDir(t)
	ours := filepath.Join(dir, "ours.safetensors")
	w, err := safetensors.Create(ours, nil)
	must(t, err)
	must(t, safetensors.Add(w, "a", []float32{1, 2, 3}, []int{3}))
	must(t, safetensors.Add(w, "b", []uint16{4, 5}, []int{1, 2}))
	must(t, w.Close())
	theirs := filepath.Join(dir, "theirs.safetensors")
	out := string(testutil.RunPython(t, `
import sys
import numpy as np
from safetensors.numpy import load_file, save_file
d = load_file(sys.argv[1])
print(d["a"].tolist(), d["b"].tolist(), d["b"].dtype)
save_file({"x": np.arange(5, dtype=np.int32), "y": np.ones((2, 2), dtype=np.float64)}, sys.argv[2], metadata={"m": "n"})
`, ours, theirs))
	if out != "[1.0, 2.0, 3.0] [[4, 5]] uint16\n" {
		t.Errorf("the reference read %q", out)
	}
	f, err := safetensors.Open(theirs)
	must(t, err)
	defer f.Close()
	x, err := safetensors.Tensor[int32](f, "x")
	must(t, err)
	y, err := safetensors.Tensor[float64](f, "y")
	must(t, err)
	if x.At(4) != 4 || y.At(1, 1) != 1 || f.Metadata()["m"] != "n" {
		t.Errorf("x[4] %v y[1,1] %v meta %v", x.At(4), y.At(1, 1), f.Metadata())
	}
}
