package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/npz"
)

// TestUnknownFormat gives info and head files that are neither .npy, .npz
// nor safetensors, whatever they are named: the one line says the formats
// tried and points to array.OpenRaw for raw files, where it used to say
// only that the .npy magic was missing (issue 18).
func TestUnknownFormat(t *testing.T) {
	dir := testutil.TempDir(t)
	for name, data := range map[string]string{
		"x.safetensors": "hello world\n",
		"x.npz":         "hello world\n",
		"x.dat":         "\x00\x00\x80\x3f\x00\x00\x00\x40",
		"empty.npy":     "",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []string{"info", "head"} {
			code, out, errOut := runCmd(cmd, path)
			if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "memmap: "+path+": ") {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q; want exit 1 and one line on stderr", cmd, name, code, out, errOut)
			}
			for _, want := range []string{"not a .npy, .npz or safetensors file", `magic "\x93NUMPY"`, "array.OpenRaw"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("%s %s: stderr %q lacks %q", cmd, name, errOut, want)
				}
			}
		}
	}
}

// TestHeadNames: head of a container without a name, or with one it does
// not hold, lists the names it holds (the first maxListed) and names the
// file once; it said only "no such array in the file", and for a wrong
// name "PATH: open PATH:nope: ..." (issue 18).
func TestHeadNames(t *testing.T) {
	st := filepath.Join("..", "..", "safetensors", "testdata", "overall.safetensors")
	arc := filepath.Join(testutil.TempDir(t), "many.npz")
	w, err := npz.Create(arc, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		if err := npz.Add(w, fmt.Sprintf("a%02d", i), []int8{int8(i)}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"head", st}, ": name one of its 9 arrays: B, H, I, b, d, e, f, h, i\n"},
		{[]string{"head", st, "nope"}, `: no array "nope" in the file; it holds 9 arrays: B, H, I, b, d, e, f, h, i` + "\n"},
		{[]string{"head", arc}, ": name one of its 12 arrays: a00, a01, a02, a03, a04, a05, a06, a07, a08, a09, ... (memmap info lists them all)\n"},
		{[]string{"head", arc, "a12"}, `: no array "a12" in the file; it holds 12 arrays: a00, a01,`},
	} {
		path := tc.args[1]
		code, _, errOut := runCmd(tc.args...)
		if code != 1 || !strings.HasPrefix(errOut, "memmap: "+path+": ") || !strings.Contains(errOut, tc.want) ||
			strings.Count(errOut, path) != 1 || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want 1, the path once and %q", tc.args, code, errOut, tc.want)
		}
	}
}
