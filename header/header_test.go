package header_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// mk builds a header of version major with the given text, padded with
// spaces and a newline to a multiple of 64 as NumPy does. Text is written
// as is (UTF-8 in Go, so callers give latin-1 bytes as \x escapes).
func mk(major byte, text string) []byte {
	pre := 12
	if major == 1 {
		pre = 10
	}
	body := []byte(text)
	pad := (64 - (pre+len(body)+1)%64) % 64
	body = append(body, bytes.Repeat([]byte(" "), pad)...)
	body = append(body, '\n')
	b := append([]byte(header.Magic), major, 0)
	if pre == 10 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(body)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	}
	return append(b, body...)
}

func dt(t testing.TB, descr string) *layout.DType {
	t.Helper()
	d, err := layout.ParseDescr(descr)
	if err != nil {
		t.Fatalf("layout.ParseDescr(%q): %v", descr, err)
	}
	return d
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want header.Header
	}{
		{"plain", mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }"),
			header.Header{Version: header.V1, FortranOrder: false, Shape: []int64{3, 4}}},
		{"key order and spacing", mk(2, "{ 'shape':(5,) ,\"fortran_order\" :True,'descr':'<f8'}"),
			header.Header{Version: header.V2, FortranOrder: true, Shape: []int64{5}}},
		{"python2 longs", mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3L, 0L), }"),
			header.Header{Version: header.V1, Shape: []int64{3, 0}}},
		{"0-d", mk(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }"),
			header.Header{Version: header.V3, Shape: []int64{}}},
		{"repeated key, last wins", mk(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (1,), 'fortran_order': False}"),
			header.Header{Version: header.V1, Shape: []int64{1}}},
		{"no padding, no newline", append(append([]byte(header.Magic), 1, 0, 57, 0), "{'descr': '<f8', 'fortran_order': False, 'shape': (7,), }"...),
			header.Header{Version: header.V1, Shape: []int64{7}, DataOffset: 67}},
		{"huge empty", mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 0), }"),
			header.Header{Version: header.V1, Shape: []int64{math.MaxInt64, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := header.Parse(append(tt.in, "data"...), nil)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.DType = dt(t, "'<f8'")
			if tt.want.DataOffset == 0 {
				tt.want.DataOffset = int64(len(tt.in))
			}
			if diff := cmp.Diff(&tt.want, got, dtypeEqual); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			checkRoundTrip(t, got)
		})
	}
}

func TestParseLatin1(t *testing.T) {
	// 'é' is the single byte 0xe9 in a 1.0 header, two bytes in 3.0.
	v1 := mk(1, "{'descr': [('\xe9', '<i4')], 'fortran_order': False, 'shape': (2,), }")
	v3 := mk(3, "{'descr': [('é', '<i4')], 'fortran_order': False, 'shape': (2,), }")
	for _, b := range [][]byte{v1, v3} {
		h, err := header.Parse(b, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.DType.Descr(); got != "[('é', '<i4')]" {
			t.Errorf("descr %q", got)
		}
		enc, err := h.Encode()
		if err != nil {
			t.Fatal(err)
		}
		name := []byte("'é'") // UTF-8 in 3.0
		if h.Version == header.V1 {
			name = []byte{'\'', 0xe9, '\''} // latin-1 in 1.0
		}
		if !bytes.Equal(enc, b) || !bytes.Contains(enc, name) {
			t.Errorf("version %v: Encode gave %q, want %q", h.Version, enc, b)
		}
	}
	// Offsets in errors are file offsets even after non-ASCII latin-1.
	bad := mk(1, "{'descr': [('\xe9\xe9', '<i4')], 'fortran_order': 3, 'shape': (2,), }")
	_, err := header.Parse(bad, nil)
	if want := fmt.Sprintf("offset %d:", bytes.Index(bad, []byte("3,"))); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want it to contain %q", err, want)
	}
}

func TestParseErrors(t *testing.T) {
	ok := mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }")
	with := func(i int, c byte) []byte { b := bytes.Clone(ok); b[i] = c; return b }
	big := append(append([]byte(header.Magic), 2, 0), 0xff, 0xff, 0xff, 0xff)
	tests := []struct {
		name string
		in   []byte
		is   []error
		msg  string // substring of the message
	}{
		{"empty", nil, []error{header.ErrFormat, io.ErrUnexpectedEOF}, "offset 0:"},
		{"bad magic", with(1, 'n'), []error{header.ErrFormat}, "offset 1: expected the .npy magic"},
		{"bad magic short", []byte("\x93NUX"), []error{header.ErrFormat}, "offset 3: expected the .npy magic"},
		{"version 4.0", with(6, 4), []error{header.ErrFormat, header.ErrVersion}, "offset 6: expected format version 1.0, 2.0 or 3.0"},
		{"version 0.0", with(6, 0), []error{header.ErrVersion}, "got major version 0"},
		{"version 1.1", with(7, 1), []error{header.ErrFormat, header.ErrVersion}, "offset 7: expected format version 1.0, got 1.1"},
		{"length too large", big, []error{header.ErrFormat, header.ErrTooLarge}, "offset 8: expected header length ≤ 1048576, got 4294967295"},
		{"text cut short", ok[:40], []error{header.ErrFormat, io.ErrUnexpectedEOF}, "offset 40: expected 118 bytes of header text, got 30"},
		{"not a literal", mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), } x"), []error{header.ErrFormat}, "offset 68: header text is not a Python literal"},
		{"not a dict", mk(1, "['descr', '<f8']"), []error{header.ErrFormat}, "offset 10: expected a dict, got a list"},
		{"missing key", mk(1, "{'descr': '<f8', 'shape': (3,), }"), []error{header.ErrFormat}, "expected the key 'fortran_order'"},
		{"extra key", mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}"), []error{header.ErrFormat}, "offset 66: expected only the keys"},
		{"int key", mk(1, "{1: '<f8', 'fortran_order': False, 'shape': (3,), }"), []error{header.ErrFormat}, "expected only the keys"},
		{"fortran_order int", mk(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (3,), }"), []error{header.ErrFormat}, "offset 44: expected fortran_order True or False, got 0"},
		{"shape list", mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': [3], }"), []error{header.ErrFormat}, "expected shape to be a tuple of ints, got [3]"},
		{"shape int", mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': 3, }"), []error{header.ErrFormat}, "expected shape to be a tuple"},
		{"shape str dim", mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, '4'), }"), []error{header.ErrFormat}, "expected shape[1] to be an int, got '4'"},
		{"shape bool dim", mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (True,), }"), []error{header.ErrFormat}, "expected shape[0] to be an int"},
		{"negative dim", mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, -1), }"), []error{header.ErrFormat}, "offset 64: expected shape[1] ≥ 0, got -1"},
		{"dim over int64", mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775808,), }"), []error{header.ErrFormat}, "out of int64 range"},
		{"size overflow", mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }"), []error{header.ErrFormat, header.ErrTooLarge}, "overflows int64"},
		{"count overflow", mk(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), []error{header.ErrFormat, header.ErrTooLarge}, "overflows int64"},
		{"bad descr", mk(1, "{'descr': '<x9', 'fortran_order': False, 'shape': (3,), }"), []error{header.ErrFormat, layout.ErrDType}, "offset 20: bad descr '<x9'"},
		{"object descr", mk(1, "{'descr': '|O', 'fortran_order': False, 'shape': (3,), }"), []error{header.ErrFormat, layout.ErrDType}, "bad descr '|O'"},
		{"bad utf-8 in 3.0", mk(3, "{'descr': [('\xff', '<f8')], 'fortran_order': False, 'shape': (3,), }"), []error{header.ErrFormat}, "offset 25: expected UTF-8 header text"},
		{"deep nesting", mk(1, "{'descr': "+strings.Repeat("[", 1000)+"}"), []error{header.ErrFormat}, "nesting deeper than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := header.Parse(tt.in, nil)
			if err == nil {
				t.Fatalf("Parse = %+v, want an error", h)
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("error %q does not match %v", err, target)
				}
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			_, rerr := header.Read(bytes.NewReader(tt.in), nil)
			if rerr == nil || rerr.Error() != err.Error() {
				t.Errorf("Read error %v differs from Parse error %v", rerr, err)
			}
		})
	}
}

func TestMaxHeaderLen(t *testing.T) {
	b := mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }")
	for _, max := range []int{0, 118, 1000} {
		if _, err := header.Parse(b, &header.Options{MaxHeaderLen: max}); err != nil {
			t.Errorf("MaxHeaderLen %d: %v", max, err)
		}
	}
	_, err := header.Parse(b, &header.Options{MaxHeaderLen: 117})
	if !errors.Is(err, header.ErrTooLarge) || !strings.Contains(err.Error(), "expected header length ≤ 117, got 118") {
		t.Errorf("MaxHeaderLen 117: %v", err)
	}
	// Read refuses before allocating: a reader claiming 4 GiB of text
	// gives the error without being read further.
	r := io.MultiReader(bytes.NewReader(append([]byte(header.Magic), 2, 0, 0xff, 0xff, 0xff, 0xff)), iotest.ErrReader(errors.New("read too far")))
	if _, err := header.Read(r, nil); !errors.Is(err, header.ErrTooLarge) {
		t.Errorf("Read of a 4 GiB header: %v", err)
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	b := mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }")
	for _, n := range []int{0, 5, 10, 30} {
		r := io.MultiReader(bytes.NewReader(b[:n]), iotest.ErrReader(boom))
		_, err := header.Read(r, nil)
		if !errors.Is(err, boom) || errors.Is(err, header.ErrFormat) {
			t.Errorf("Read failing after %d bytes: %v, want the reader's error, not ErrFormat", n, err)
		}
	}
	// One byte at a time works.
	if _, err := header.Read(iotest.OneByteReader(bytes.NewReader(b)), nil); err != nil {
		t.Error(err)
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name  string
		h     header.Header
		want  string // header text before the padding
		ver   byte
		total int
	}{
		{"c order", header.Header{DType: dt(t, "'<f8'"), Shape: []int64{3, 4}},
			"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }" + strings.Repeat(" ", 20), 1, 128},
		{"fortran grows the last axis", header.Header{DType: dt(t, "'>i2'"), FortranOrder: true, Shape: []int64{3, 12345}},
			"{'descr': '>i2', 'fortran_order': True, 'shape': (3, 12345), }" + strings.Repeat(" ", 16), 1, 128},
		{"1-d", header.Header{DType: dt(t, "'|u1'"), Shape: []int64{7}},
			"{'descr': '|u1', 'fortran_order': False, 'shape': (7,), }" + strings.Repeat(" ", 20), 1, 128},
		{"0-d has no growth room", header.Header{DType: dt(t, "'|b1'"), Shape: nil},
			"{'descr': '|b1', 'fortran_order': False, 'shape': (), }", 1, 128},
		{"utf-8 names need 3.0", header.Header{DType: dt(t, "[('日', '<f4')]"), Shape: []int64{1}},
			"{'descr': [('日', '<f4')], 'fortran_order': False, 'shape': (1,), }" + strings.Repeat(" ", 20), 3, 128},
		{"explicit 2.0", header.Header{Version: header.V2, DType: dt(t, "'<f8'"), Shape: []int64{2}},
			"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }" + strings.Repeat(" ", 20), 2, 128},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.h.Encode()
			if err != nil {
				t.Fatal(err)
			}
			pre := 12
			if tt.ver == 1 {
				pre = 10
			}
			if b[6] != tt.ver || len(b) != tt.total || b[len(b)-1] != '\n' {
				t.Errorf("version %d, %d bytes, last %q; want %d, %d, '\\n'", b[6], len(b), b[len(b)-1], tt.ver, tt.total)
			}
			text := strings.TrimRight(string(b[pre:]), " \n")
			if diff := cmp.Diff(strings.TrimRight(tt.want, " "), text); diff != "" {
				t.Errorf("text mismatch (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(string(b[pre:]), tt.want) {
				t.Errorf("growth room: got %q, want prefix %q", b[pre:], tt.want)
			}
			checkRoundTrip(t, &tt.h)
		})
	}
}

func TestEncodeVersionChoice(t *testing.T) {
	// A 1.0 header holds at most 65535 bytes; NumPy switches to 2.0 above.
	fields := func(n int) string {
		var sb strings.Builder
		sb.WriteString("[")
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "('f%d', '|u1')", i)
		}
		return sb.String() + "]"
	}
	h := header.Header{DType: dt(t, fields(3000)), Shape: []int64{1}}
	b, err := h.Encode()
	if err != nil || b[6] != 1 {
		t.Fatalf("3000 fields: version %d, err %v; want 1.0", b[6], err)
	}
	h.DType = dt(t, fields(4000))
	if b, err = h.Encode(); err != nil || b[6] != 2 {
		t.Fatalf("4000 fields: err %v; want 2.0", err)
	}
	h.Version = header.V1
	if _, err := h.Encode(); !errors.Is(err, header.ErrTooLarge) {
		t.Errorf("4000 fields in 1.0: %v, want ErrTooLarge", err)
	}
	h = header.Header{Version: header.V2, DType: dt(t, "[('日', '<f4')]"), Shape: []int64{1}}
	if _, err := h.Encode(); !errors.Is(err, header.ErrVersion) {
		t.Errorf("UTF-8 in 2.0: %v, want ErrVersion", err)
	}
	for _, h := range []header.Header{
		{Version: 4, DType: dt(t, "'<f8'")},
		{DType: dt(t, "'<f8'"), Shape: []int64{-1}},
		{DType: dt(t, "'<f8'"), Shape: []int64{math.MaxInt64 / 4}},
		{Shape: []int64{1}},
	} {
		if _, err := h.Encode(); !errors.Is(err, header.ErrFormat) {
			t.Errorf("Encode(%+v): %v, want ErrFormat", h, err)
		}
	}
}

// TestEncodeNumPyLoads writes files with headers we encode and data, and
// has NumPy load them with mmap_mode="r".
func TestEncodeNumPyLoads(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	type file struct {
		Name, Descr string
		Fortran     bool
		Shape       []int64
		Version     header.Version
	}
	files := []file{
		{"f8.npy", "'<f8'", false, []int64{3, 4}, 0},
		{"i2be_f.npy", "'>i2'", true, []int64{3, 5}, 0},
		{"u1_1d.npy", "'|u1'", false, []int64{17}, 0},
		{"c16_0d.npy", "'<c16'", false, nil, 0},
		{"empty.npy", "'<f4'", false, []int64{0, 3}, 0},
		{"s12.npy", "'|S12'", false, []int64{2}, 0},
		{"struct.npy", "[('a', '|u1'), ('', '|V7'), ('b', '<f8'), ('c', '<i2', (2, 3)), ('', '|V4')]", false, []int64{2}, 0},
		{"nested.npy", "[('x', [('a', '<i4'), ('b', '|u1')]), (('T', 'y'), '>f8')]", false, []int64{2}, 0},
		{"utf8.npy", "[('日本', '<i4'), ('é', '|u1')]", false, []int64{2}, 0},
		{"latin1.npy", "[('é', '<i4')]", false, []int64{2}, 0},
		{"v2.npy", "'<u4'", true, []int64{2, 3}, header.V2},
		{"v3.npy", "'<i8'", false, []int64{3}, header.V3},
	}
	var script strings.Builder
	script.WriteString("import sys, numpy as np, numpy.lib.format as fmt\nfor p in sys.argv[1:]:\n" +
		"    a = np.load(p, mmap_mode='r')\n" +
		"    print(repr(fmt.dtype_to_descr(a.dtype)), a.shape, a.flags.f_contiguous and not a.flags.c_contiguous, a.tobytes(order='A').hex())\n")
	var args, want []string
	for _, f := range files {
		h := header.Header{Version: f.Version, DType: dt(t, f.Descr), FortranOrder: f.Fortran, Shape: f.Shape}
		b, err := h.Encode()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		size, err := h.DataSize()
		if err != nil {
			t.Fatal(err)
		}
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i*7 + 1)
		}
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, append(b, data...), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
		shape := "("
		for i, d := range f.Shape {
			if i > 0 {
				shape += ", "
			}
			shape += fmt.Sprint(d)
		}
		if len(f.Shape) == 1 {
			shape += ","
		}
		shape += ")"
		pyFortran := "False"
		if f.Fortran && len(f.Shape) > 1 {
			pyFortran = "True"
		}
		want = append(want, fmt.Sprintf("%s %s %s %x", h.DType.Descr(), shape, pyFortran, data))
	}
	out := testutil.RunPython(t, script.String(), args...)
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NumPy sees (-want +got):\n%s", diff)
	}
}

func TestRewriteShape(t *testing.T) {
	for _, g := range goldens(t) {
		if g.Error != "" {
			continue
		}
		t.Run(g.Name, func(t *testing.T) {
			h, err := header.Parse(g.data, nil)
			if err != nil {
				t.Fatal(err)
			}
			ax := h.GrowthAxis()
			if ax < 0 {
				buf := bytes.Clone(g.hdr())
				if err := header.RewriteShape(buf, nil); err != nil || !bytes.Equal(buf, g.hdr()) {
					t.Errorf("rewriting () to (): %v", err)
				}
				return
			}
			for _, n := range []int64{0, 1, 9, 10, 999, 1000, 123456789012, math.MaxInt64 / int64(max(h.DType.Size(), 1)) / 1000} {
				buf := bytes.Clone(g.hdr())
				nh := *h
				nh.Shape = append([]int64(nil), h.Shape...)
				nh.Shape[ax] = n
				err := header.RewriteShape(buf, nh.Shape)
				if errors.Is(err, header.ErrTooLarge) {
					continue
				}
				if errors.Is(err, header.ErrNoRoom) {
					if g.Exact {
						t.Errorf("shape %v: %v, but NumPy's header has growth room", nh.Shape, err)
					} else if !bytes.Equal(buf, g.hdr()) {
						t.Errorf("shape %v: header changed despite %v", nh.Shape, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("shape %v: %v", nh.Shape, err)
				}
				got, err := header.Parse(buf, nil)
				if err != nil {
					t.Fatalf("Parse after RewriteShape(%v): %v", nh.Shape, err)
				}
				nh.DataOffset = h.DataOffset
				if diff := cmp.Diff(&nh, got, dtypeEqual); diff != "" {
					t.Errorf("after RewriteShape (-want +got):\n%s", diff)
				}
				if g.Exact {
					enc, err := nh.Encode()
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(enc, buf) {
						t.Errorf("RewriteShape(%v) differs from NumPy's header for that shape:\n got %q\nwant %q", nh.Shape, shorten(string(buf)), shorten(string(enc)))
					}
				}
			}
		})
	}
}

func TestRewriteShapeErrors(t *testing.T) {
	old := mk(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }")
	room := len(old) - 1 - bytes.LastIndexByte(old, '}') - 1 // padding spaces
	// zeros returns a shape of n dims, k of them 10, whose repr has 3n+k bytes.
	zeros := func(n, k int) []int64 {
		s := make([]int64, n)
		for i := 0; i < k; i++ {
			s[i] = 10
		}
		s[n-1] = 0
		return s
	}
	fit := len("(3,)") + room
	tests := []struct {
		shape []int64
		is    error
	}{
		{[]int64{3, 4}, nil},
		{zeros(fit/3, fit%3), nil},
		{zeros((fit+1)/3, (fit+1)%3), header.ErrNoRoom},
		{[]int64{-1}, header.ErrFormat},
		{[]int64{math.MaxInt64}, header.ErrTooLarge},
	}
	for _, tt := range tests {
		buf := bytes.Clone(old)
		err := header.RewriteShape(buf, tt.shape)
		if tt.is == nil {
			if err != nil {
				t.Errorf("RewriteShape(%v): %v", tt.shape, err)
			}
			if h, err := header.Parse(buf, nil); err != nil || !cmp.Equal(h.Shape, tt.shape) {
				t.Errorf("after RewriteShape(%v): %v, %v", tt.shape, h, err)
			}
			continue
		}
		if !errors.Is(err, tt.is) {
			t.Errorf("RewriteShape(%v): %v, want %v", tt.shape, err, tt.is)
		}
		if !bytes.Equal(buf, old) {
			t.Errorf("RewriteShape(%v) changed the header despite the error", tt.shape)
		}
	}
	if err := header.RewriteShape(old[:30], []int64{1}); !errors.Is(err, header.ErrFormat) {
		t.Errorf("RewriteShape of a truncated header: %v", err)
	}
}

// TestRewriteShapeNumPy grows a file in place and has NumPy read it.
func TestRewriteShapeNumPy(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	for _, fortran := range []bool{false, true} {
		h := header.Header{DType: dt(t, "'<u2'"), FortranOrder: fortran, Shape: []int64{1000, 64}}
		newShape := []int64{3000, 64}
		if fortran {
			h.Shape, newShape = []int64{64, 1000}, []int64{64, 3000}
		}
		b, err := h.Encode()
		if err != nil {
			t.Fatal(err)
		}
		data := make([]byte, 3000*64*2) // capacity for the new shape
		for i := 0; i < len(data); i += 2 {
			binary.LittleEndian.PutUint16(data[i:], uint16(i/2))
		}
		if err := header.RewriteShape(b, newShape); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("grown_%v.npy", fortran))
		if err := os.WriteFile(p, append(b, data...), 0o644); err != nil {
			t.Fatal(err)
		}
		out := testutil.RunPython(t, `
import sys, numpy as np
a = np.load(sys.argv[1], mmap_mode="r")
flat = a.ravel(order="F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C")
print(a.shape, a.dtype.str, bool((flat == (np.arange(a.size) % 65536)).all()))
`, p)
		want := fmt.Sprintf("(%d, %d) <u2 True\n", newShape[0], newShape[1])
		if string(out) != want {
			t.Errorf("fortran=%v: NumPy read %q, want %q", fortran, out, want)
		}
	}
}

func TestValidate(t *testing.T) {
	b := mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }")
	h, err := header.Parse(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		shape    []int64
		fileSize int64
		is       []error
	}{
		{"exact", []int64{3, 4}, 128 + 96, nil},
		{"capacity past the data", []int64{3, 4}, 1 << 20, nil},
		{"truncated data", []int64{3, 4}, 128 + 95, []error{header.ErrFormat, io.ErrUnexpectedEOF}},
		{"truncated header", []int64{3, 4}, 10, []error{header.ErrFormat, io.ErrUnexpectedEOF}},
		{"empty", []int64{0, 4}, 128, nil},
		{"0-d", nil, 136, nil},
		{"0-d truncated", nil, 135, []error{io.ErrUnexpectedEOF}},
		{"negative dim", []int64{-1}, 1 << 20, []error{header.ErrFormat}},
		{"count overflow", []int64{1 << 32, 1 << 32}, 1 << 62, []error{header.ErrTooLarge}},
		{"size overflow", []int64{1 << 61}, 1 << 62, []error{header.ErrTooLarge}},
		{"huge but fits int64", []int64{1 << 59}, 1 << 62, []error{io.ErrUnexpectedEOF}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := *h
			h.Shape = tt.shape
			err := h.Validate(tt.fileSize)
			if tt.is == nil && err != nil {
				t.Errorf("Validate(%d): %v", tt.fileSize, err)
			}
			if tt.is != nil && err == nil {
				t.Errorf("Validate(%d) = nil, want %v", tt.fileSize, tt.is)
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("Validate(%d): %v does not match %v", tt.fileSize, err, target)
				}
			}
		})
	}
}

func TestCountAndGrowthAxis(t *testing.T) {
	tests := []struct {
		shape   []int64
		fortran bool
		count   int64
		axis    int
	}{
		{nil, false, 1, -1},
		{[]int64{5}, true, 5, 0},
		{[]int64{2, 3, 4}, false, 24, 0},
		{[]int64{2, 3, 4}, true, 24, 2},
		{[]int64{math.MaxInt64, 0}, false, 0, 0},
	}
	for _, tt := range tests {
		h := header.Header{Shape: tt.shape, FortranOrder: tt.fortran}
		n, err := h.Count()
		if err != nil || n != tt.count || h.GrowthAxis() != tt.axis {
			t.Errorf("%v fortran=%v: Count %d, %v, GrowthAxis %d; want %d, %d", tt.shape, tt.fortran, n, err, h.GrowthAxis(), tt.count, tt.axis)
		}
	}
	if header.V1.String() != "1.0" || header.V3.String() != "3.0" || header.Auto.String() != "auto" {
		t.Error("Version.String")
	}
}

// TestMaxDims: Parse, Encode and RewriteShape accept MaxDims dims and
// refuse more with ErrTooLarge (issue 14: 1345 dims were accepted, which
// NumPy refuses to load).
func TestMaxDims(t *testing.T) {
	ones := func(n int) []int64 {
		s := make([]int64, n)
		for i := range s {
			s[i] = 1
		}
		return s
	}
	for _, n := range []int{header.MaxDims, header.MaxDims + 1, 1345} {
		h := header.Header{DType: dt(t, "'<f8'"), Shape: ones(n)}
		text := "{'descr': '<f8', 'fortran_order': False, 'shape': (" + strings.Repeat("1, ", n) + "), }"
		_, perr := header.Parse(mk(1, text), nil)
		enc, eerr := h.Encode()
		small := header.Header{DType: h.DType, Shape: []int64{1}}
		buf, err := small.Encode()
		if err != nil {
			t.Fatal(err)
		}
		rerr := header.RewriteShape(buf, ones(n)) // ErrNoRoom at most, if n ≤ MaxDims
		if n <= header.MaxDims {
			if perr != nil || eerr != nil || rerr != nil && !errors.Is(rerr, header.ErrNoRoom) {
				t.Errorf("%d dims: Parse %v, Encode %v, RewriteShape %v; want them accepted", n, perr, eerr, rerr)
			}
			if h2, err := header.Parse(enc, nil); err != nil || len(h2.Shape) != n {
				t.Errorf("%d dims: Parse(Encode()) = %v, %v", n, h2, err)
			}
			continue
		}
		for what, err := range map[string]error{"Parse": perr, "Encode": eerr, "RewriteShape": rerr} {
			if !errors.Is(err, header.ErrTooLarge) || !errors.Is(err, header.ErrFormat) || !strings.Contains(err.Error(), "64") {
				t.Errorf("%s of %d dims: %v, want an error matching ErrTooLarge and ErrFormat that gives the limit", what, n, err)
			}
		}
	}
}
