package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
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
