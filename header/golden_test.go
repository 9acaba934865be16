package header_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// entry is one file of testdata/golden/manifest.json (see gen.py).
type entry struct {
	Name         string  `json:"name"`
	Descr        string  `json:"descr"`
	DescrSHA256  string  `json:"descr_sha256"`
	FortranOrder bool    `json:"fortran_order"`
	Shape        []int64 `json:"shape"`
	Version      [2]int  `json:"version"`
	HeaderLen    int     `json:"header_len"`
	DataOffset   int64   `json:"data_offset"`
	ItemSize     int     `json:"itemsize"`
	Exact        bool    `json:"exact"`
	Error        string  `json:"error"`
}

type manifest struct {
	NumPyVersion string  `json:"numpy_version"`
	Files        []entry `json:"files"`
}

type golden struct {
	entry
	data []byte // the whole file
}

func (g golden) hdr() []byte { return g.data[:g.DataOffset] }

func readManifest(t testing.TB, dir string) manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if len(m.Files) == 0 {
		t.Fatal("manifest.json lists no files")
	}
	return m
}

// goldens loads the committed corpus.
func goldens(t testing.TB) []golden {
	t.Helper()
	dir := filepath.Join("testdata", "golden")
	var gs []golden
	for _, e := range readManifest(t, dir).Files {
		b, err := os.ReadFile(filepath.Join(dir, e.Name))
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(b)) < e.DataOffset {
			t.Fatalf("%s: %d bytes, shorter than its data offset %d", e.Name, len(b), e.DataOffset)
		}
		gs = append(gs, golden{e, b})
	}
	return gs
}

// dtypeEqual compares DTypes in cmp.Diff.
var dtypeEqual = cmp.Comparer(func(a, b *layout.DType) bool { return a.Equal(b) })

func descrMatches(e entry, descr string) bool {
	if e.DescrSHA256 != "" {
		sum := sha256.Sum256([]byte(descr))
		return hex.EncodeToString(sum[:]) == e.DescrSHA256
	}
	return descr == e.Descr
}

func checkEntry(t *testing.T, e entry, h *header.Header) {
	t.Helper()
	type summary struct {
		Version      header.Version
		FortranOrder bool
		Shape        []int64
		DataOffset   int64
		ItemSize     int
	}
	want := summary{header.Version(e.Version[0]), e.FortranOrder, e.Shape, e.DataOffset, e.ItemSize}
	got := summary{h.Version, h.FortranOrder, h.Shape, h.DataOffset, h.DType.Size()}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("header mismatch (-manifest +parsed):\n%s", diff)
	}
	if d := h.DType.Descr(); !descrMatches(e, d) {
		t.Errorf("descr %s, want %s", shorten(d), shorten(e.Descr))
	}
}

func shorten(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// TestGolden parses every golden file, from bytes and from a reader.
func TestGolden(t *testing.T) {
	for _, g := range goldens(t) {
		t.Run(g.Name, func(t *testing.T) {
			h, err := header.Parse(g.data, nil)
			r := bytes.NewReader(g.data)
			hr, rerr := header.Read(r, nil)
			if g.Error != "" {
				for _, err := range []error{err, rerr} {
					if !errors.Is(err, header.ErrFormat) || !errors.Is(err, layout.ErrDType) {
						t.Errorf("got %v, want an error matching ErrFormat and layout.ErrDType", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if rerr != nil {
				t.Fatalf("Read: %v", rerr)
			}
			checkEntry(t, g.entry, h)
			if diff := cmp.Diff(h, hr, dtypeEqual); diff != "" {
				t.Errorf("Read differs from Parse (-Parse +Read):\n%s", diff)
			}
			if pos := int64(len(g.data)) - int64(r.Len()); pos != g.DataOffset {
				t.Errorf("Read left the reader at %d, want the data offset %d", pos, g.DataOffset)
			}
			if err := h.Validate(int64(len(g.data))); err != nil {
				t.Errorf("Validate(%d): %v", len(g.data), err)
			}
		})
	}
}

// TestGoldenEncode re-encodes every golden header: NumPy's bytes exactly
// for the files NumPy wrote, and a header that parses back the same for
// the hand-made legacy ones.
func TestGoldenEncode(t *testing.T) {
	for _, g := range goldens(t) {
		if g.Error != "" {
			continue
		}
		t.Run(g.Name, func(t *testing.T) {
			h, err := header.Parse(g.data, nil)
			if err != nil {
				t.Fatal(err)
			}
			enc, err := h.Encode()
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if g.Exact && !bytes.Equal(enc, g.hdr()) {
				t.Errorf("Encode differs from NumPy's header:\n got %q\nwant %q", shorten(string(enc)), shorten(string(g.hdr())))
			}
			if len(enc)%header.Align != 0 {
				t.Errorf("Encode gave %d bytes, not a multiple of %d", len(enc), header.Align)
			}
			h2, err := header.Parse(enc, nil)
			if err != nil {
				t.Fatalf("Parse(Encode()): %v", err)
			}
			h.DataOffset = int64(len(enc))
			if diff := cmp.Diff(h, h2, dtypeEqual); diff != "" {
				t.Errorf("Parse(Encode()) mismatch (-want +got):\n%s", diff)
			}
			// Auto picks the version NumPy picked.
			auto := *h
			auto.Version = header.Auto
			enc, err = auto.Encode()
			if err != nil {
				t.Fatal(err)
			}
			wantV := g.Version[0]
			if strings.HasPrefix(g.Name, "v2_explicit") || strings.HasPrefix(g.Name, "v3_explicit") {
				wantV = 1
			}
			if int(enc[6]) != wantV {
				t.Errorf("Auto encoded version %d, want %d", enc[6], wantV)
			}
		})
	}
}

// prefixLens returns the prefix lengths to try for a header of n bytes:
// all of them for small headers, a sample for large ones.
func prefixLens(n int) []int {
	var ls []int
	for i := 0; i < n; i++ {
		if n <= 4096 || i < 512 || i > n-512 || i%509 == 0 {
			ls = append(ls, i)
		}
	}
	return ls
}

// TestGoldenPrefixes: every prefix of every golden header is an error
// matching ErrFormat and io.ErrUnexpectedEOF, from bytes and from a reader.
func TestGoldenPrefixes(t *testing.T) {
	for _, g := range goldens(t) {
		t.Run(g.Name, func(t *testing.T) {
			for _, n := range prefixLens(int(g.DataOffset)) {
				_, err := header.Parse(g.data[:n], nil)
				if !errors.Is(err, header.ErrFormat) || !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("Parse of the first %d bytes: %v, want ErrFormat and io.ErrUnexpectedEOF", n, err)
				}
				_, err = header.Read(bytes.NewReader(g.data[:n]), nil)
				if !errors.Is(err, header.ErrFormat) || !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("Read of the first %d bytes: %v, want ErrFormat and io.ErrUnexpectedEOF", n, err)
				}
			}
		})
	}
}

// corruptions are the byte values written at each position.
var corruptions = []byte{0x00, ' ', '\t', '\n', '\'', '"', '(', ')', ',', ':', '0', '9', '-', 'L', 'x', '<', '>', 0x7f, 0xe9, 0xff}

// TestGoldenCorruption changes single bytes of every golden header: each
// result is an error matching ErrFormat or parses to a header that
// re-encodes and parses back the same.
func TestGoldenCorruption(t *testing.T) {
	for _, g := range goldens(t) {
		t.Run(g.Name, func(t *testing.T) {
			buf := append([]byte(nil), g.hdr()...)
			valid := 0
			positions, values := prefixLens(len(buf)), corruptions
			if len(buf) > 4096 {
				// Each parse of a large header costs milliseconds: sample.
				positions, values = nil, []byte{0x00, '\''}
				for i := 0; i < len(buf); i++ {
					if i < 24 || i >= len(buf)-24 || i%7001 == 0 {
						positions = append(positions, i)
					}
				}
			}
			for _, pos := range positions {
				orig := buf[pos]
				for _, c := range append(values, orig^1) {
					if c == orig {
						continue
					}
					buf[pos] = c
					h, err := header.Parse(buf, nil)
					if err != nil {
						if !errors.Is(err, header.ErrFormat) {
							t.Fatalf("byte %d = %#x: error %v does not match ErrFormat", pos, c, err)
						}
						if !strings.HasPrefix(err.Error(), "header: offset ") {
							t.Fatalf("byte %d = %#x: error %q does not give the offset", pos, c, err)
						}
						continue
					}
					valid++
					checkRoundTrip(t, h)
				}
				buf[pos] = orig
			}
			t.Logf("%d corruptions still parse", valid)
		})
	}
}

// checkRoundTrip checks that h encodes and parses back to itself.
func checkRoundTrip(t testing.TB, h *header.Header) {
	t.Helper()
	enc, err := h.Encode()
	if err != nil {
		t.Fatalf("Encode of parsed header %+v: %v", h, err)
	}
	h2, err := header.Parse(enc, nil)
	if err != nil {
		t.Fatalf("Parse(Encode()) of %q: %v", enc, err)
	}
	want := *h
	want.DataOffset = int64(len(enc))
	if want.Version == header.Auto {
		want.Version = header.Version(enc[6])
	}
	if diff := cmp.Diff(&want, h2, dtypeEqual, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("Parse(Encode()) mismatch (-want +got):\n%s", diff)
	}
}

// TestGoldenRegenerate runs gen.py (when NumPy is present) and checks the
// committed corpus against what NumPy writes today: byte for byte with the
// same NumPy version, header fields only with another one.
func TestGoldenRegenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs NumPy; skipped with -short")
	}
	dir := testutil.TempDir(t)
	testutil.RunPython(t, "import runpy, sys; sys.argv = ['gen.py', sys.argv[1]]; runpy.run_path('testdata/gen.py', run_name='__main__')", dir)
	committed := readManifest(t, filepath.Join("testdata", "golden"))
	fresh := readManifest(t, dir)
	sameVersion := committed.NumPyVersion == fresh.NumPyVersion
	if !sameVersion {
		t.Logf("corpus written by NumPy %s, this is NumPy %s: comparing header fields only", committed.NumPyVersion, fresh.NumPyVersion)
		for i := range committed.Files {
			committed.Files[i].HeaderLen, committed.Files[i].DataOffset, committed.Files[i].Version = 0, 0, [2]int{}
		}
		for i := range fresh.Files {
			fresh.Files[i].HeaderLen, fresh.Files[i].DataOffset, fresh.Files[i].Version = 0, 0, [2]int{}
		}
	}
	if diff := cmp.Diff(committed.Files, fresh.Files); diff != "" {
		t.Errorf("manifest differs (-committed +regenerated):\n%s", diff)
	}
	if !sameVersion {
		return
	}
	for _, e := range committed.Files {
		a, err := os.ReadFile(filepath.Join("testdata", "golden", e.Name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: committed file differs from the one NumPy writes now", e.Name)
		}
	}
}
