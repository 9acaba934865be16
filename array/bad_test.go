package array_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/npytest"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// npy returns a version 1.0 .npy file with the given descr and shape
// texts (as they stand in the header) followed by data.
func npy(descr, shape string, data []byte) []byte {
	text := fmt.Sprintf("{'descr': %s, 'fortran_order': False, 'shape': %s, }", descr, shape)
	pad := 64 - (10+len(text)+1)%64
	text += strings.Repeat(" ", pad%64) + "\n"
	b := append([]byte(header.Magic), 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(text)))
	b = append(b, text...)
	return append(b, data...)
}

// XY is a struct of two float32s.
type XY struct {
	X float32 `npy:"x"`
	Y float32 `npy:"y"`
}

func TestBadFiles(t *testing.T) {
	valid := npy("'<f8'", "(10,)", make([]byte, 80))
	for _, tc := range []struct {
		name string
		file []byte
		open func(path string, mode memmap.Mode) error
		want []error
		msg  string // in the error message
	}{
		{"short data", npy("'<f8'", "(10,)", make([]byte, 79)), openAs[float64],
			[]error{header.ErrFormat, io.ErrUnexpectedEOF}, "expected 80 bytes of data"},
		{"empty file", nil, openAs[float64],
			[]error{header.ErrFormat, io.ErrUnexpectedEOF}, ""},
		{"truncated header", valid[:30], openAs[float64],
			[]error{header.ErrFormat, io.ErrUnexpectedEOF}, ""},
		{"not npy", []byte("PK\x03\x04 this is a zip file, not a .npy file at all....................."), openAs[float64],
			[]error{header.ErrFormat}, "magic"},
		{"shape product overflow", npy("'<f8'", "(4294967296, 4294967296)", nil), openAs[float64],
			[]error{header.ErrFormat}, ""},
		{"shape times item size overflow", npy("'<f8'", "(2305843009213693952,)", nil), openAs[float64],
			[]error{header.ErrFormat}, ""},
		{"scalar dtype mismatch", npy("'<i4'", "(2,)", make([]byte, 8)), openAs[float32],
			[]error{layout.ErrDType}, "<i4"},
		{"struct field mismatch", npy("[('a', '<i2'), ('', '|V2'), ('b', '<f4'), ('c', '<i8'), ('tag', '|S4'), ('d', '<i4')]", "(1,)", make([]byte, 24)), openAs[Rec],
			[]error{layout.ErrDType}, `"c"`},
		{"struct field renamed", npy("[('x', '<f4'), ('z', '<f4')]", "(1,)", make([]byte, 8)), openAs[XY],
			[]error{layout.ErrDType}, `"z"`},
		{"unsupported dtype", npy("'<U4'", "(1,)", make([]byte, 16)), openAs[[16]byte],
			[]error{header.ErrFormat, layout.ErrDType}, ""},
		{"negative dim", npy("'<f8'", "(-1,)", nil), openAs[float64],
			[]error{header.ErrFormat}, ""},
		{"missing file", nil, func(string, memmap.Mode) error {
			_, err := array.Open[float64](filepath.Join(testutil.TempDir(t), "nope.npy"), memmap.ReadOnly, nil)
			return err
		}, []error{os.ErrNotExist}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := testutil.WriteFile(t, tc.file)
			for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite, memmap.CopyOnWrite} {
				err := tc.open(path, mode)
				if err == nil {
					t.Fatalf("Open(%v) succeeded", mode)
				}
				for _, w := range tc.want {
					if !errors.Is(err, w) {
						t.Errorf("Open(%v): %v; want it to match %v", mode, err, w)
					}
				}
				if !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("Open(%v): %q does not say %q", mode, err, tc.msg)
				}
				if mode == memmap.ReadOnly {
					t.Log(err)
				}
				if tc.name != "missing file" && !strings.Contains(err.Error(), path) {
					t.Errorf("Open(%v): %q does not name the file", mode, err)
				}
			}
		})
	}
}

// openAs opens path as an Array[T] and closes it.
func openAs[T any](path string, mode memmap.Mode) error {
	a, err := array.Open[T](path, mode, nil)
	if err == nil {
		a.Close()
	}
	return err
}

// TestOpenTruncated opens every proper prefix of a valid file: each fails
// with an error matching header.ErrFormat and io.ErrUnexpectedEOF.
func TestOpenTruncated(t *testing.T) {
	path := tempPath(t, "full.npy")
	a := mustCreate[Rec](t, path, []int{3}, nil)
	a.Set(recAt(2), 2)
	mustClose(t, a)
	full := readFile(t, path)
	if _, err := array.Open[Rec](testutil.WriteFile(t, full), memmap.ReadOnly, nil); err != nil {
		t.Fatalf("the full file does not open: %v", err)
	}
	for n := range len(full) {
		p := filepath.Join(testutil.TempDir(t), "cut.npy")
		if err := os.WriteFile(p, full[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		err := openAs[Rec](p, memmap.ReadOnly)
		if !errors.Is(err, header.ErrFormat) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%d of %d bytes: %v; want ErrFormat and ErrUnexpectedEOF", n, len(full), err)
		}
	}
}

// FuzzOpen opens arbitrary bytes as arrays of a scalar and of a struct
// type: Open never panics, and when it succeeds every element reads.
func FuzzOpen(f *testing.F) {
	f.Add(npy("'<f8'", "(3,)", make([]byte, 24)))
	f.Add(npy("'>f8'", "(2, 1)", make([]byte, 16)))
	f.Add(npy("[('x', '<f4'), ('y', '<f4')]", "(2,)", make([]byte, 16)))
	f.Add(npy("[('x', '<f4'), ('y', '>f4')]", "(1,)", make([]byte, 8)))
	f.Add(npy("'<f8'", "(0, 5)", nil))
	f.Add(npy("'<f8'", "()", make([]byte, 8)))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(testutil.TempDir(t), "f.npy")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		readAll[float64](t, path)
		readAll[XY](t, path)
	})
}

func readAll[T any](t *testing.T, path string) {
	a, err := array.Open[T](path, memmap.ReadOnly, nil)
	if err != nil {
		return
	}
	defer a.Close()
	if a.Size() > 1<<20 {
		return
	}
	n := 0
	npytest.ForEach(a.Shape(), func(idx []int) { a.At(idx...); n++ })
	if n != a.Size() {
		t.Fatalf("read %d elements, Size %d", n, a.Size())
	}
	if d, err := a.Data(); err == nil && len(d) != a.Size() {
		t.Fatalf("Data has %d elements, Size %d", len(d), a.Size())
	}
}
