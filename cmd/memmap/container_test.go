package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/npz"
)

// runCmd runs the command line and returns its exit status and outputs.
func runCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestContainers: info lists the arrays of .npz archives and safetensors
// files, a line each; head prints the rows of the one it is given; bad
// uses and hostile files get one line on stderr (issue 13).
func TestContainers(t *testing.T) {
	dir := testutil.TempDir(t)
	arc := filepath.Join(dir, "a.npz")
	w, err := npz.Create(arc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "emb", []float32{0.5, 1, 1.5, 2, 2.5, 3}, []int{3, 2}, nil); err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "ids", []int64{7, 8, 9}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st := filepath.Join("..", "..", "safetensors", "testdata", "overall.safetensors")

	code, out, errOut := runCmd("info", arc, st)
	if code != 0 || errOut != "" {
		t.Fatalf("info: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"format      npz (zip of .npy files)", "arrays      2",
		"emb   '<f4'  float32  (3, 2)", "ids   '<i8'  int64    (3,)",
		"format      safetensors", `metadata    "test": "a"`, "arrays      9",
		"e     F16    layout.Float16  (6,)", "d     F64    float64         (6,)",
	} {
		if !strings.Contains(strings.ReplaceAll(out, "'>", "'<"), want) {
			t.Errorf("info output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = runCmd("head", "-n", "2", arc, "emb")
	if code != 0 || out != "0  0.5 1\n1  1.5 2\n" {
		t.Errorf("head of emb: exit %d:\n%s", code, out)
	}
	code, out, _ = runCmd("head", st, "b")
	if code != 0 || out != "0  -3\n1  -2\n2  -1\n3  0\n4  1\n5  2\n" {
		t.Errorf("head of b: exit %d:\n%s", code, out)
	}

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"head", arc}, 1, "name one of its 2 arrays"},
		{[]string{"head", arc, "nope"}, 1, "nope"},
		{[]string{"head", st, "nope"}, 1, "nope"},
		{[]string{"head", arc, "emb", "extra"}, 2, "head takes one file"},
	} {
		code, _, errOut := runCmd(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) || tc.code == 1 && strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q on one line", tc.args, code, errOut, tc.code, tc.msg)
		}
	}
	npy := filepath.Join(dir, "one.npy")
	if code, _, errOut := runCmd("demo", "-rows", "1", "-lines", "1", filepath.Join(dir, "demo")); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	ents, _ := filepath.Glob(filepath.Join(dir, "demo", "*.npy"))
	if len(ents) == 0 {
		t.Fatal("demo wrote no .npy file")
	}
	b, _ := os.ReadFile(ents[0])
	os.WriteFile(npy, b, 0o644)
	if code, _, errOut := runCmd("head", npy, "x"); code != 2 || !strings.Contains(errOut, "holds one array") {
		t.Errorf("head of a .npy with a name: exit %d, %q", code, errOut)
	}

	// Hostile files: every cut of both containers is one line on
	// stderr and exit 1, never a crash.
	for _, path := range []string{arc, st} {
		full, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cut := filepath.Join(dir, "cut"+filepath.Ext(path))
		for n := 9; n < len(full); n += 7 {
			os.WriteFile(cut, full[:n], 0o644)
			for _, args := range [][]string{{"info", cut}, {"head", cut, "emb"}} {
				code, _, errOut := runCmd(args...)
				if code != 1 || strings.Count(errOut, "\n") != 1 {
					t.Fatalf("%v of %d bytes of %s: exit %d, stderr %q", args, n, filepath.Base(path), code, errOut)
				}
			}
		}
	}
}
