package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
)

func TestDemo(t *testing.T) {
	dir := filepath.Join(testutil.TempDir(t), "demo")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"demo", "-lines", "1000", "-rows", "2500", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("demo exit %d, stderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"1. A feature store: 2500 embeddings of 64 float32s and 2500 item records",
		"reopened read-only: shape [2500 64], dtype ",
		"; 2500 records, dtype [('ID', ",
		"nearest neighbour of a noisy copy of item 1666: item 1666 (item-001666",
		"a lookup table from name to row, 2500 keys (index ",
		`names.table["item-001666"] = 1666 (found true); names.table["no-such-item"] found false; from the shell: memmap get ` + filepath.Join(dir, "names.table") + " item-001666\n",
		"python3 -c \"import numpy as np; e = np.load('" + filepath.Join(dir, "embeddings.npy"),
		"wrote 1000 lines",
		"first byte now '#'",
		"searched the map: 1000 lines, 20 ERROR lines",
		"line 0: 00000000 INFO  request served in 0ms",
		"a write to the read-only map is refused: memmap: map is read-only",
		`copy-on-write map reads "REDACTED", the file still reads "00000000"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q; output:\n%s", want, out)
		}
	}
	// memmap get finds the names in the demo's table.
	if code, out, errOut := runCmd("get", filepath.Join(dir, "names.table"), "item-001666", "item-000000", "item-002500"); code != 1 ||
		out != "\"item-001666\"  1666\n\"item-000000\"  0\n\"item-002500\"  not found\n" || errOut != "" {
		t.Errorf("get in the demo's names.table: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// The file holds exactly the lines, trimmed, with the first byte
	// restored and the copy-on-write change absent.
	var want []byte
	for i := 0; i < 1000; i++ {
		want = fmt.Appendf(want, "%08d %s request served in %dms\n", i, level(i), i%97)
	}
	got, err := os.ReadFile(filepath.Join(dir, "app.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("app.log: got %d bytes, want %d; first 40: %q", len(got), len(want), got[:min(40, len(got))])
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"bogus"},
		{"demo", "-nosuchflag"},
		{"demo", "-lines", "0"},
		{"demo", "-rows", "0"},
		{"demo", "a", "b"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2; stderr: %s", args, code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "usage: memmap") {
			t.Errorf("run(%q): stderr lacks the usage: %s", args, stderr.String())
		}
	}
}

func TestDemoBadDir(t *testing.T) {
	// A directory that cannot be made (a file is in the way) is exit 1
	// with a one-line error.
	file := filepath.Join(testutil.TempDir(t), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"demo", filepath.Join(file, "sub")}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr.String())
	}
	if got := strings.Count(stderr.String(), "\n"); got != 1 || !strings.Contains(stderr.String(), file) {
		t.Errorf("stderr is not one line naming %s: %q", file, stderr.String())
	}
}

// TestDemoNumPy: NumPy loads the demo's feature store and sees the values
// the demo wrote.
func TestDemoNumPy(t *testing.T) {
	testutil.NumPy(t)
	dir := filepath.Join(testutil.TempDir(t), "demo")
	var stdout, stderr bytes.Buffer
	const rows = 3100
	if code := run([]string{"demo", "-lines", "10", "-rows", fmt.Sprint(rows), dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("demo exit %d, stderr:\n%s", code, stderr.String())
	}
	// Go's expected values, as text NumPy can compare against.
	var want bytes.Buffer
	v := make([]float32, dim)
	for _, i := range []int{0, 1, 1234, rows - 1} {
		embedding(i, v)
		it := item(i)
		fmt.Fprintf(&want, "%d %d %d %v %s", i, it.ID, it.Clicks, it.Score, cstring(it.Name[:]))
		for _, x := range v {
			fmt.Fprintf(&want, " %v", x)
		}
		want.WriteByte('\n')
	}
	expected := filepath.Join(testutil.TempDir(t), "expected.txt")
	if err := os.WriteFile(expected, want.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := testutil.RunPython(t, `
import sys, numpy as np
e = np.load(sys.argv[1] + "/embeddings.npy", mmap_mode="r")
r = np.load(sys.argv[1] + "/items.npy", mmap_mode="r")
assert e.shape == (int(sys.argv[2]), 64) and e.dtype.kind == "f" and e.dtype.itemsize == 4, (e.shape, e.dtype)
assert r.shape == (int(sys.argv[2]),) and r.dtype.names == ("ID", "Clicks", "Score", "Name"), (r.shape, r.dtype)
for line in open(sys.argv[3]):
    f = line.split()
    i = int(f[0])
    rec = r[i]
    ok = (int(rec["ID"]) == int(f[1]) and int(rec["Clicks"]) == int(f[2])
          and rec["Score"] == np.float32(f[3]) and rec["Name"] == f[4].encode()
          and np.array_equal(e[i], np.array(f[5:], dtype=np.float32)))
    print(i, ok)
`, dir, fmt.Sprint(rows), expected)
	if got := string(out); got != "0 True\n1 True\n1234 True\n3099 True\n" {
		t.Errorf("NumPy's comparison with Go's values:\n%s", got)
	}
}
