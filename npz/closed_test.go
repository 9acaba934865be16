package npz_test

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/npytest"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/npz"
)

// closedArchive writes an archive of two members of values 0..n-1 (int32,
// shape (n/4, 4)): "s", stored by npz.Writer, and "d", deflated (which
// npz.Writer does not write) by archive/zip from a .npy file array.Save
// wrote.
func closedArchive(t *testing.T, n int) string {
	t.Helper()
	dir := testutil.TempDir(t)
	vals := make([]int32, n)
	for i := range vals {
		vals[i] = int32(i)
	}
	stored := filepath.Join(dir, "s.npz")
	w, err := npz.Create(stored, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "s", vals, []int{n / 4, 4}, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// The same archive with a deflated copy of the member added.
	npy := filepath.Join(dir, "d.npy")
	if err := array.Save(npy, vals, []int{n / 4, 4}, nil); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(npy)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(stored)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	path := filepath.Join(dir, "both.npz")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil { // stored, at its offset: aligned or not, it maps
			t.Fatal(err)
		}
	}
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: "d.npy", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestArrayAfterClose closes a File under arrays of a stored and of a
// deflated member: every method of the arrays that returns an error says
// memmap.ErrClosed, and none touches the unmapped pages. Before issue 18
// (item 7) Get read them and faulted; here a fault becomes a panic
// (SetPanicOnFault), reported as a failure.
func TestArrayAfterClose(t *testing.T) {
	f, err := npz.Open(closedArchive(t, 64))
	if err != nil {
		t.Fatal(err)
	}
	var arrays []*array.Array[int32]
	for _, name := range []string{"s", "d"} {
		if info, err := f.Info(name); err != nil || info.Compressed != (name == "d") {
			t.Fatalf("Info(%q) = %+v, %v; want Compressed only for d", name, info, err)
		}
		a, err := npz.Array[int32](f, name)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := a.Get(15, 3); v != 63 || err != nil {
			t.Fatalf("%s: Get(15, 3) before Close = %v, %v", name, v, err)
		}
		sl, err := a.Slice(2, 5)
		if err != nil {
			t.Fatal(err)
		}
		arrays = append(arrays, a, sl)
	}
	u, err := f.Any("d")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for k, name := range []string{"stored", "stored slice", "deflated", "deflated slice"} {
		t.Run(name, func(t *testing.T) { npytest.CheckClosed(t, arrays[k]) })
	}
	if _, err := u.At(0, 0); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Any.At after Close = %v, want ErrClosed", err)
	}
}
