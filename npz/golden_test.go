package npz_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/npz"
)

// goldens are the archives testdata/gen.py writes with NumPy, and the
// names np.load lists for each.
var goldens = []struct {
	file  string
	names []string
}{
	{"savez.npz", []string{"a", "b", "p", "f", "s", "e", "arr_0"}},
	{"savez_compressed.npz", []string{"a", "b", "p", "f", "s", "e", "arr_0"}},
	{"zip64.npz", []string{"arr_0", "a", "b", "p", "f", "s", "e"}}, // and README.txt, not listed
}

// TestGolden: the archives NumPy wrote into testdata (stored, deflated,
// and with Zip64 records everywhere) open with the values gen.py wrote.
func TestGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) { checkGolden(t, filepath.Join("testdata", g.file), g.names) })
	}
}

// TestGoldenNumPy: the archives gen.py writes with the NumPy and Python
// of this machine open as the checked-in ones do.
func TestGoldenNumPy(t *testing.T) {
	testutil.NumPy(t)
	script, err := os.ReadFile(filepath.Join("testdata", "gen.py"))
	if err != nil {
		t.Fatal(err)
	}
	dir := testutil.TempDir(t)
	testutil.RunPython(t, string(script), dir)
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) { checkGolden(t, filepath.Join(dir, g.file), g.names) })
	}
}

func checkGolden(t *testing.T, path string, names []string) {
	f, err := npz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if diff := cmp.Diff(names, f.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	if _, err := f.Info("README.txt"); err == nil {
		t.Errorf("Info of a member that is not .npy: no error")
	}
	for _, name := range names {
		if err := f.Verify(name); err != nil {
			t.Errorf("Verify(%s): %v", name, err)
		}
	}
	a, err := npz.Array[float32](f, "a")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{3, 4}, a.Shape()); diff != "" {
		t.Errorf("a: shape (-want +got):\n%s", diff)
	}
	for i := range 12 {
		if got := a.At(i/4, i%4); got != float32(i)/4 {
			t.Errorf("a[%d, %d] = %v, want %v", i/4, i%4, got, float32(i)/4)
		}
	}
	b, err := npz.Array[int64](f, "b")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if got := b.At(i); got != int64(-3*i) {
			t.Errorf("b[%d] = %v (big-endian), want %v", i, got, -3*i)
		}
	}
	// A view in the host's order where the host is big-endian and the
	// data aligned (always once decompressed); an error otherwise.
	switch d, err := b.Data(); {
	case err == nil && (layout.HostOrder() == layout.Little || len(d) != 5 || d[4] != -12):
		t.Errorf("b.Data() of a big-endian member = %v on a %v host", d, layout.HostOrder())
	case err != nil && !errors.Is(err, memmap.ErrByteOrder) && !errors.Is(err, memmap.ErrAlign):
		t.Errorf("b.Data() of a big-endian member: %v", err)
	}
	p, err := npz.Array[packedRec](f, "p")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if got, want := p.At(i), (packedRec{float32(i), float64(i) * 1.5, uint8(250 + i)}); got != want {
			t.Errorf("p[%d] = %v, want %v", i, got, want)
		}
	}
	if _, err := p.Data(); !errors.Is(err, memmap.ErrPacked) {
		t.Errorf("p.Data() of a packed struct: %v, want ErrPacked", err)
	}
	fo, err := npz.Array[int16](f, "f")
	if err != nil {
		t.Fatal(err)
	}
	if !fo.FortranOrder() {
		t.Errorf("f: not Fortran order")
	}
	for i := range 2 {
		for j := range 3 {
			if got := fo.At(i, j); got != int16(3*i+j) {
				t.Errorf("f[%d, %d] = %d, want %d", i, j, got, 3*i+j)
			}
		}
	}
	s, err := npz.Array[float64](f, "s")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.At(); s.Rank() != 0 || got != 7.25 {
		t.Errorf("s: rank %d, value %v; want a 0-d 7.25", s.Rank(), got)
	}
	e, err := f.Any("e")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{[]int{0, 3}, 0, "'<u2'"}, []any{e.Shape(), e.Size(), e.DType().Descr()}); diff != "" {
		t.Errorf("e (-want +got):\n%s", diff)
	}
	u, err := npz.Array[uint8](f, "arr_0")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := u.Data(); err != nil || string(d) != "\x01\x02\x03" {
		t.Errorf("arr_0.Data() = %v, %v", d, err)
	}
}
