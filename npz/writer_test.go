package npz_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/npytest"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/npz"
)

// Rec is a Go struct member: NumPy's aligned structured dtype.
type Rec struct {
	ID    int64   `npy:"id"`
	Score float32 `npy:"score"`
	Flag  uint8   `npy:"flag"`
}

func seq[T any](n int, f func(i int) T) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = f(i)
	}
	return s
}

// writeSample writes an archive of many kinds of members with Add and
// Create, and returns, for each member, the values as NumPy's leaves
// (see numpyCorpus) in C order of the indexes.
func writeSample(t *testing.T, path string, zip64 bool) (names []string, values map[string][][]string) {
	t.Helper()
	w, err := npz.Create(path, &npz.WriterOptions{Modified: time.Date(2024, 5, 6, 7, 8, 10, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if zip64 {
		npz.ForceZip64(w)
	}
	values = map[string][][]string{}
	f := func(x float64) []string { return []string{"f:" + strconvG(x)} }
	add := func(name string, err error, vals [][]string) {
		t.Helper()
		if err != nil {
			t.Fatalf("Add %s: %v", name, err)
		}
		names = append(names, name)
		values[name] = vals
	}
	emb := seq(12, func(i int) float32 { return float32(i)/4 - 1 })
	add("emb", npz.Add(w, "emb", emb, []int{3, 4}, nil), seq(12, func(i int) []string { return f(float64(emb[i])) }))
	ids := seq(5, func(i int) int64 { return int64(i)*1e15 - 3 })
	add("ids", npz.Add(w, "ids", ids, nil, nil), seq(5, func(i int) []string { return []string{itoa(ids[i])} }))
	// Fortran order: data in column-major order; values listed in C order.
	fort := seq(6, func(i int) int16 { return int16(i*100 - 250) })
	add("fortran", npz.Add(w, "fortran", fort, []int{2, 3}, &array.Options{FortranOrder: true}),
		seq(6, func(k int) []string { i, j := k/3, k%3; return []string{itoa(int64(fort[j*2+i]))} }))
	be := seq(4, func(i int) float64 { return math.Pi * float64(i-2) })
	add("big_endian", npz.Add(w, "big_endian", be, nil, &array.Options{ByteOrder: layout.Big}), seq(4, func(i int) []string { return f(be[i]) }))
	le := seq(3, func(i int) uint32 { return uint32(i) * 0x01020304 })
	add("little_endian", npz.Add(w, "little_endian", le, nil, &array.Options{ByteOrder: layout.Little}), seq(3, func(i int) []string { return []string{itoa(int64(le[i]))} }))
	recs := seq(3, func(i int) Rec { return Rec{int64(i) - 1, float32(i) / 2, uint8(200 + i)} })
	add("recs", npz.Add(w, "recs", recs, nil, nil), seq(3, func(i int) []string {
		return []string{itoa(recs[i].ID), "f:" + strconvG(float64(recs[i].Score)), itoa(int64(recs[i].Flag))}
	}))
	bs := []bool{true, false, true}
	add("flags", npz.Add(w, "flags", bs, nil, nil), [][]string{{"1"}, {"0"}, {"1"}})
	add("scalar", npz.Add(w, "scalar", []complex128{complex(1.5, -2)}, []int{}, nil), [][]string{{"f:1.5", "f:-2"}})
	add("empty", npz.Add(w, "empty", []float32{}, []int{0, 5}, nil), nil)
	h16 := []layout.Float16{layout.Float16From(0.5), layout.Float16From(-65504)}
	add("half", npz.Add(w, "half", h16, nil, nil), [][]string{{"f:0.5"}, {"f:-65504"}})
	// Streamed: a member written in pieces through Create.
	mw, err := w.Create("strömed", &header.Header{DType: mustDType[uint16](t), Shape: []int64{1000}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i += 250 {
		chunk := seq(250, func(k int) uint16 { return uint16(i + k) })
		if _, err := mw.Write(bytesOf(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	add("strömed", nil, seq(1000, func(i int) []string { return []string{itoa(int64(i))} }))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return names, values
}

func mustDType[T any](t *testing.T) *layout.DType {
	dt, err := layout.Of[T]()
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

// TestWriterRoundTrip: what the Writer writes opens here, with every
// member's data at a multiple of 64 in the archive, zero-copy (Data is
// the archive's map) for members in the host's order, values equal, CRCs
// right, and the archive's entries what the Writer meant (stored, the
// time given, names in order).
func TestWriterRoundTrip(t *testing.T) {
	for _, zip64 := range []bool{false, true} {
		t.Run(map[bool]string{false: "zip32", true: "zip64"}[zip64], func(t *testing.T) {
			path := filepath.Join(testutil.TempDir(t), "out.npz")
			names, values := writeSample(t, path, zip64)
			f, err := npz.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if diff := cmp.Diff(names, f.Names()); diff != "" {
				t.Errorf("Names (-want +got):\n%s", diff)
			}
			archive := npz.MapBytes(f)
			for _, name := range names {
				in, err := f.Info(name)
				if err != nil {
					t.Fatalf("Info(%s): %v", name, err)
				}
				if in.DataOffset%npz.Alignment != 0 || in.Offset%npz.Alignment != 0 || in.Compressed || in.Size != in.CompressedSize {
					t.Errorf("%s: Info %+v: data not aligned to %d, or not stored", name, in, npz.Alignment)
				}
				if err := f.Verify(name); err != nil {
					t.Errorf("Verify(%s): %v", name, err)
				}
				a, err := f.Any(name)
				if err != nil {
					t.Fatalf("Any(%s): %v", name, err)
				}
				b, err := a.Bytes()
				if err != nil || int64(len(b)) != in.DataSize || len(b) > 0 && &b[0] != &archive[in.DataOffset] {
					t.Errorf("%s: Bytes (%d bytes, %v) is not the archive's map at %d", name, len(b), err, in.DataOffset)
				}
				n := 0
				npytest.ForEach(a.Shape(), func(idx []int) {
					v, err := a.At(idx...)
					if err != nil {
						t.Fatalf("%s.At%v: %v", name, idx, err)
					}
					if n < len(values[name]) && !npytest.SameLeaves(npytest.Leaves(v), values[name][n]) {
						t.Errorf("%s.At%v = %q, want %q", name, idx, npytest.Leaves(v), values[name][n])
					}
					n++
				})
				if n != len(values[name]) {
					t.Errorf("%s: %d elements, want %d", name, n, len(values[name]))
				}
			}
			// Zero-copy typed views of the members in the host's order.
			emb, err := npz.Array[float32](f, "emb")
			if err != nil {
				t.Fatal(err)
			}
			d, err := emb.Data()
			if err != nil || len(d) != 12 || !inside(d, archive) || d[5] != 0.25 {
				t.Errorf("emb.Data() = %v, %v: not a view of the archive", d, err)
			}
			recs, err := npz.Array[Rec](f, "recs")
			if err != nil {
				t.Fatal(err)
			}
			r, err := recs.Row(2)
			if err != nil || !inside(r, archive) || r[0] != (Rec{1, 1, 202}) {
				t.Errorf("recs.Row(2) = %v, %v", r, err)
			}
			if be, err := npz.Array[float64](f, "big_endian"); err != nil || be.At(3) != math.Pi {
				t.Errorf("big_endian: %v", err)
			} else if _, err := be.Data(); (err == nil) != (layout.HostOrder() == layout.Big) {
				t.Errorf("big_endian.Data(): %v", err)
			}
		})
	}
}

// TestNumPyReadsWriter: np.load reads what the Writer writes, member for
// member, with the values written; Python's zipfile finds every CRC right
// (testzip) and reads the entries as the Writer meant them, with Zip64
// records too.
func TestNumPyReadsWriter(t *testing.T) {
	testutil.NumPy(t)
	for _, zip64 := range []bool{false, true} {
		t.Run(map[bool]string{false: "zip32", true: "zip64"}[zip64], func(t *testing.T) {
			path := filepath.Join(testutil.TempDir(t), "out.npz")
			names, values := writeSample(t, path, zip64)
			var got struct {
				Names   []string
				Testzip *string
				Entries [][]any
				Values  map[string][][]string
			}
			out := testutil.RunPython(t, `
import json, sys, zipfile
import numpy as np
`+npytest.PyLeaves+`
z = np.load(sys.argv[1])
with zipfile.ZipFile(sys.argv[1]) as zf:
    tz = zf.testzip()
    ents = [[i.filename, i.compress_type, list(i.date_time), i.file_size, i.header_offset] for i in zf.infolist()]
vals = {}
for k in z.files:
    a = z[k]
    vals[k] = [leaves(a[idx], a.dtype) for idx in np.ndindex(a.shape)]
print(json.dumps({'names': z.files, 'testzip': tz, 'entries': ents, 'values': vals}))
`, path)
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("python output %s: %v", out, err)
			}
			if diff := cmp.Diff(names, got.Names); diff != "" {
				t.Errorf("np.load names (-want +numpy):\n%s", diff)
			}
			if got.Testzip != nil {
				t.Errorf("zipfile.testzip: bad CRC in %q", *got.Testzip)
			}
			f, err := npz.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for i, e := range got.Entries {
				in, err := f.Info(names[i])
				if err != nil {
					t.Fatal(err)
				}
				want := []any{names[i] + ".npy", 0.0, []any{2024.0, 5.0, 6.0, 7.0, 8.0, 10.0}, float64(in.Size), float64(in.HeaderOffset)}
				if diff := cmp.Diff(want, e); diff != "" {
					t.Errorf("zipfile entry %d (-want +python):\n%s", i, diff)
				}
			}
			for _, name := range names {
				g, w := got.Values[name], values[name]
				ok := len(g) == len(w)
				for i := 0; ok && i < len(g); i++ {
					ok = npytest.SameLeaves(g[i], w[i])
				}
				if !ok {
					t.Errorf("np.load(...)[%q] = %q, want %q", name, g, w)
				}
			}
		})
	}
}

// TestWriterErrors: bad names, shapes and types change nothing and leave
// the Writer usable; a short streamed member breaks it, and Close then
// removes the temporary file and leaves the path alone; an abandoned
// Writer leaves no file behind.
func TestWriterErrors(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "x.npz")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := npz.Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		err  error
		want error
	}{
		{"empty name", npz.Add(w, "", []int32{1}, nil, nil), npz.ErrName},
		{"NUL", npz.Add(w, "a\x00b", []int32{1}, nil, nil), npz.ErrName},
		{"bad UTF-8", npz.Add(w, "a\xff", []int32{1}, nil, nil), npz.ErrName},
		{"long", npz.Add(w, strings.Repeat("n", 70000), []int32{1}, nil, nil), npz.ErrName},
		{"shape", npz.Add(w, "a", []int32{1, 2, 3}, []int{2, 2}, nil), memmap.ErrShape},
		{"negative", npz.Add(w, "a", []int32{}, []int{-1}, nil), memmap.ErrShape},
		{"type", npz.Add(w, "a", []string{"x"}, nil, nil), layout.ErrType},
		{"order", npz.Add(w, "a", []int32{1}, nil, &array.Options{ByteOrder: layout.Mixed}), memmap.ErrByteOrder},
	} {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
	if err := npz.Add(w, "a", []int32{1}, nil, nil); err != nil {
		t.Fatalf("Add after refused ones: %v", err)
	}
	if err := npz.Add(w, "a", []int32{2}, nil, nil); !errors.Is(err, npz.ErrName) {
		t.Errorf("duplicate name: %v, want ErrName", err)
	}
	mw, err := w.Create("s", &header.Header{DType: mustDType[int32](t), Shape: []int64{4}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mw.Write(make([]byte, 17)); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Write past the data: %v, want ErrShape", err)
	}
	if _, err := mw.Write(make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "b", []int32{1}, nil, nil); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Add after a short member: %v, want ErrShape", err)
	}
	if _, err := mw.Write(make([]byte, 8)); err == nil {
		t.Errorf("Write to an ended member: no error")
	}
	if err := w.Close(); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Close of a broken writer: %v, want its error", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v, want nil", err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
		t.Errorf("path after a failed Close: %q, %v; want the old file", b, err)
	}
	checkNoTemp(t, dir, 1)

	// Abort, and a Writer dropped without Close.
	w, err = npz.Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "a", []int32{1}, nil, nil); err != nil {
		t.Fatal(err)
	}
	checkNoTemp(t, dir, 2)
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "b", []int32{1}, nil, nil); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Add after Abort: %v, want ErrClosed", err)
	}
	checkNoTemp(t, dir, 1)
	func() {
		w, err := npz.Create(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = npz.Add(w, "a", []int32{1}, nil, nil)
	}()
	for i := 0; i < 10 && countFiles(t, dir) > 1; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	checkNoTemp(t, dir, 1)
	if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
		t.Errorf("path after Abort: %q, %v; want the old file", b, err)
	}

	// An empty archive is a valid one.
	w, err = npz.Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := npz.Open(path)
	if err != nil {
		t.Fatalf("empty archive: %v", err)
	}
	if len(f.Names()) != 0 {
		t.Errorf("empty archive has %v", f.Names())
	}
	f.Close()
	checkNoTemp(t, dir, 1)
}

func countFiles(t *testing.T, dir string) int {
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func checkNoTemp(t *testing.T, dir string, want int) {
	t.Helper()
	if n := countFiles(t, dir); n != want {
		ents, _ := os.ReadDir(dir)
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %q, want %d files", names, want)
	}
}

// TestFileErrors: a missing name is fs.ErrNotExist, a closed File says
// memmap.ErrClosed, and Close is idempotent.
func TestFileErrors(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "x.npz")
	w, err := npz.Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "a", []float64{1, 2}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm()&0o600 != 0o600 {
		t.Errorf("archive mode: %v, %v", fi, err)
	}
	f, err := npz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Info("b"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Info of a missing member: %v, want fs.ErrNotExist", err)
	}
	if _, err := npz.Array[float64](f, "a.npy"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Array of \"a.npy\": %v, want fs.ErrNotExist (names have no .npy)", err)
	}
	a, err := npz.Array[float64](f, "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append([]float64{3}...); !errors.Is(err, memmap.ErrShape) && !errors.Is(err, memmap.ErrReadOnly) {
		t.Errorf("Append to a member: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := f.Any("a"); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Any after Close: %v, want ErrClosed", err)
	}
	if _, err := npz.Open(filepath.Join(filepath.Dir(path), "none.npz")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open of a missing file: %v", err)
	}
}
