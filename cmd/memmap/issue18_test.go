package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
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

// TestCommandHelp: -h after a command prints its usage with its flags on
// stdout and exits 0, as the flag package's convention is; demo -h said
// "memmap: usage: demo: flag: help requested" and exited 2 (issue 18).
func TestCommandHelp(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		wants []string
	}{
		{[]string{"demo", "-h"}, []string{"usage: memmap demo [-rows N] [-lines N] [-keep] [DIR]", "-rows int", "-lines int", "-keep"}},
		{[]string{"head", "-help"}, []string{"usage: memmap head [-n N] FILE [NAME]", "-n int", "rows to print (default 10)"}},
		{[]string{"info", "-h"}, []string{"usage: memmap info FILE..."}},
	} {
		code, out, errOut := runCmd(tc.args...)
		if code != 0 || errOut != "" {
			t.Errorf("%q: exit %d, stderr %q; want 0 and nothing", tc.args, code, errOut)
		}
		for _, want := range tc.wants {
			if !strings.Contains(out, want) {
				t.Errorf("%q: stdout lacks %q:\n%s", tc.args, want, out)
			}
		}
	}
	// A bad flag is still a usage error, whose usage says how to list
	// the flags.
	if code, _, errOut := runCmd("demo", "-nosuchflag"); code != 2 || !strings.Contains(errOut, "memmap COMMAND -h lists the flags") {
		t.Errorf("demo -nosuchflag: exit %d, stderr %q; want 2 and the -h hint", code, errOut)
	}
}

// TestDemoTempDir: a demo without a DIR removes its temp dir at the end
// and says so, or with -keep keeps it and says where; it left about 32 MB
// behind without a word (issue 18).
func TestDemoTempDir(t *testing.T) {
	tmp := testutil.TempDir(t)
	for _, env := range []string{"TMPDIR", "TMP", "TEMP"} { // os.TempDir's, on unix and Windows
		t.Setenv(env, tmp)
	}
	code, out, errOut := runCmd("demo", "-rows", "10", "-lines", "10")
	if runtime.GOOS == "windows" && strings.Contains(errOut, "removing the demo's temp dir") {
		t.Skipf("os.RemoveAll fails here (Wine 8 does): %s", errOut)
	}
	ents, _ := os.ReadDir(tmp)
	if code != 0 || len(ents) != 0 || !strings.Contains(out, "\nRemoved "+tmp) || !strings.Contains(out, "-keep") {
		t.Errorf("demo: exit %d, stderr %q, %d entries left in the temp dir; output ends %q", code, errOut, len(ents), out[max(len(out)-200, 0):])
	}
	code, out, errOut = runCmd("demo", "-keep", "-rows", "10", "-lines", "10")
	ents, _ = os.ReadDir(tmp)
	if code != 0 || len(ents) != 1 || !strings.Contains(out, "The files are kept in "+filepath.Join(tmp, ents[0].Name())) {
		t.Errorf("demo -keep: exit %d, stderr %q, %d entries in the temp dir; output ends %q", code, errOut, len(ents), out[max(len(out)-200, 0):])
	}
}

// TestNPZOtherMembers: info lists the members of an .npz that are not
// arrays, with their sizes: a member named x.npy that is not a .npy file
// (np.load returns its bytes) and one not named .npy; it said "arrays 0"
// and nothing of them (issue 18). The archive is written with
// archive/zip, since the npz Writer writes only .npy members.
func TestNPZOtherMembers(t *testing.T) {
	dir := testutil.TempDir(t)
	npy := filepath.Join(dir, "emb.npy")
	if err := array.Save(npy, []float32{1, 2, 3, 4}, []int{2, 2}, &array.Options{ByteOrder: layout.Little}); err != nil {
		t.Fatal(err)
	}
	embBytes, err := os.ReadFile(npy)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range []struct {
		name   string
		data   []byte
		method uint16
	}{
		{"emb.npy", embBytes, zip.Store},
		{"x.npy", []byte("hello world\n"), zip.Store},
		{"y.npy", []byte("not numpy either"), zip.Deflate},
		{"notes.txt", []byte("twelve bytes"), zip.Store},
	} {
		data := m.data
		if m.method == zip.Deflate {
			var z bytes.Buffer
			fl, _ := flate.NewWriter(&z, flate.BestSpeed)
			fl.Write(data)
			fl.Close()
			data = z.Bytes()
		}
		fw, err := zw.CreateRaw(&zip.FileHeader{Name: m.name, Method: m.method, CRC32: crc32.ChecksumIEEE(m.data),
			CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(m.data))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	arc := filepath.Join(dir, "mixed.npz")
	if err := os.WriteFile(arc, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd("info", arc)
	if code != 0 || errOut != "" {
		t.Fatalf("info: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"  arrays      1\n",
		"  emb   '<f4'  float32  (2, 2)",
		"  other       3 members, not arrays memmap opens\n",
		"  x.npy      12     not a .npy file: np.load returns its bytes\n",
		"  y.npy      16     not a .npy file: np.load returns its bytes\n",
		"  notes.txt  12     not named .npy: np.load returns its bytes\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("info lacks %q:\n%s", want, out)
		}
	}
}
