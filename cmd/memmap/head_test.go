package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

func TestHead(t *testing.T) {
	dir := testutil.TempDir(t)
	// (2, 3, 4) '|u1' in Fortran order, v = 100i + 10j + k: each row of
	// 12 values flattened in C order and elided, read with strides.
	cube := make([]byte, 24)
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 4; k++ {
				cube[i+2*j+6*k] = byte(100*i + 10*j + k)
			}
		}
	}
	// (1, 9) records: one line each, elided in the middle.
	var recs []byte
	for j := 0; j < 9; j++ {
		recs = binary.BigEndian.AppendUint16(recs, uint16(int16(-j)))
	}
	tests := []struct {
		name string
		c    npyCase
		args []string
		want string
	}{
		{"float32", float32Case(), nil, `
0  0.5 1.5 2.5 ... 7.5 8.5 9.5
1  10.5 11.5 12.5 ... 17.5 18.5 19.5
2  20.5 21.5 22.5 ... 27.5 28.5 29.5
`},
		{"float32", float32Case(), []string{"-n", "2"}, `
0  0.5 1.5 2.5 ... 7.5 8.5 9.5
1  10.5 11.5 12.5 ... 17.5 18.5 19.5
`},
		{"float32", float32Case(), []string{"-n", "0"}, ``},
		{"int16-fortran", int16FortranCase(), nil, `
0  0 -1 -2 -3
1  100 99 98 97
2  200 199 198 197
`},
		{"big-float64", bigFloat64Case(), []string{"-n=4"}, `
0  1.5
1  -0.1
2  1e+300
3  -Inf
`},
		{"struct", structCase(), nil, `
   name     inner     v                  when
0  "alice"  {-1 0.1}  [[0 1] [2 3]]      1700000000 s
1  "b"      {-2 0.2}  [[10 11] [12 13]]  1700000001 s
`},
		{"struct", structCase(), []string{"-n", "0"}, `
  name  inner  v  when
`},
		{"struct-2d", npyCase{descr: "[('a', '>i2')]", shape: []int64{1, 9}, data: recs}, nil, `
     a
0,0  0
0,1  -1
0,2  -2
...
0,6  -6
0,7  -7
0,8  -8
`},
		{"0-d-struct", npyCase{descr: "[('a', '<i2'), ('bb', '|b1')]", data: []byte{0xff, 0xff, 1}}, nil, `
a   bb
-1  true
`},
		{"0-d", zeroDCase(), nil, `
(1.5-2j)
`},
		{"0-d", zeroDCase(), []string{"-n", "0"}, ``},
		{"empty", emptyCase(), nil, ``},
		{"cube-fortran", npyCase{descr: "'|u1'", fortran: true, shape: []int64{2, 3, 4}, data: cube}, nil, `
0  0 1 2 ... 21 22 23
1  100 101 102 ... 121 122 123
`},
		{"many-rows", npyCase{descr: "'<u2'", shape: []int64{12}, data: binary.LittleEndian.AppendUint16(make([]byte, 22), 65535)}, []string{"-n", "99"}, `
0   0
1   0
2   0
3   0
4   0
5   0
6   0
7   0
8   0
9   0
10  0
11  65535
`},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%s%q", tt.name, tt.args), func(t *testing.T) {
			path := tt.c.write(t, dir, fmt.Sprintf("%d.npy", i))
			got := runOK(t, append(append([]string{"head"}, tt.args...), path)...)
			want := strings.TrimPrefix(tt.want, "\n")
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("head (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUsageHeadInfo(t *testing.T) {
	path := float32Case().write(t, testutil.TempDir(t), "f.npy")
	for _, args := range [][]string{
		{"info"},
		{"info", "-x", path},
		{"head"},
		{"head", "-n", "-1", path},
		{"head", "-n", "x", path},
		{"head", "-x", path},
		{"head", path, path},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2; stderr: %s", args, code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "usage: memmap") || !strings.Contains(stderr.String(), "head [-n N] FILE") {
			t.Errorf("run(%q): stderr lacks the usage: %s", args, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("run(%q): stdout: %s", args, stdout.String())
		}
	}
}

// mustDType parses a descr.
func mustDType(t *testing.T, descr string) *layout.DType {
	t.Helper()
	dt, err := layout.ParseDescr(descr)
	if err != nil {
		t.Fatalf("ParseDescr(%s): %v", descr, err)
	}
	return dt
}

// rawNPY returns a version 1.0 .npy file with the header dict text as
// given (padded to 64 bytes) followed by data.
func rawNPY(dict string, data []byte) []byte {
	n := 10 + len(dict) + 1
	pad := (64 - n%64) % 64
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)+pad+1))
	b = append(b, dict...)
	b = append(b, bytes.Repeat([]byte(" "), pad)...)
	b = append(b, '\n')
	return append(b, data...)
}

// Every bad file is exit 1 with one line on stderr naming the file once,
// nothing on stdout, and no panic, for info and head alike.
func TestBadFiles(t *testing.T) {
	dir := testutil.TempDir(t)
	good := float32Case().write(t, dir, "good.npy")
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	dataEnd := len(goodBytes) - float32Case().spare
	files := map[string][]byte{
		"text":           []byte("hello, this is not a .npy file\n"),
		"empty":          nil,
		"version 9":      append([]byte("\x93NUMPY\x09\x00"), goodBytes[8:]...),
		"shape overflow": rawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", nil),
		"huge dim":       rawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (1152921504606846976,), }", nil),
		"negative dim":   rawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 3), }", nil),
		"unicode dtype":  rawNPY("{'descr': '<U5', 'fortran_order': False, 'shape': (1,), }", make([]byte, 20)),
		"object dtype":   rawNPY("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)),
		"unknown dtype":  rawNPY("{'descr': '<q9', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)),
		"bad order":      rawNPY("{'descr': '<f8', 'fortran_order': 'yes', 'shape': (1,), }", make([]byte, 8)),
		"no shape":       rawNPY("{'descr': '<f8', 'fortran_order': False, }", make([]byte, 8)),
		"short 0-d":      rawNPY("{'descr': '<c16', 'fortran_order': False, 'shape': (), }", make([]byte, 15)),
		"short struct":   rawNPY("{'descr': [('a', '<i4'), ('b', '|S9')], 'fortran_order': True, 'shape': (2, 2), }", make([]byte, 51)),
	}
	// Every truncation of a good file short of its data: the header cut
	// anywhere, then the data cut anywhere.
	for n := 0; n < dataEnd; n++ {
		files[fmt.Sprintf("truncated at %03d", n)] = goodBytes[:n]
	}
	var paths []string
	for name, b := range files {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".npy")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	paths = append(paths, filepath.Join(dir, "missing.npy"), dir)

	for _, path := range paths {
		for _, cmd := range []string{"info", "head"} {
			var stdout, stderr bytes.Buffer
			code := func() (code int) {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s %s panicked: %v", cmd, path, r)
						code = -1
					}
				}()
				return run([]string{cmd, path}, &stdout, &stderr)
			}()
			msg := stderr.String()
			if code != 1 {
				t.Errorf("%s %s: exit %d, want 1; stderr: %s", cmd, path, code, msg)
			}
			if stdout.Len() != 0 {
				t.Errorf("%s %s: stdout %q, want nothing", cmd, path, stdout.String())
			}
			if strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") ||
				!strings.HasPrefix(msg, "memmap: "+path+": ") || strings.Count(msg, path) != 1 ||
				strings.Contains(msg, "memmap: memmap") || strings.Contains(msg, "header: header") {
				t.Errorf("%s %s: stderr is not one line \"memmap: PATH: problem\": %q", cmd, path, msg)
			}
		}
	}

	// The messages say what is wrong.
	for name, want := range map[string]string{
		"text":           "magic",
		"version 9":      "version",
		"shape overflow": "overflows",
		"unicode dtype":  "U",
		"short struct":   "expected 52 bytes of data",
	} {
		var stdout, stderr bytes.Buffer
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".npy")
		run([]string{"head", path}, &stdout, &stderr)
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("head %s: stderr %q lacks %q", name, stderr.String(), want)
		}
	}
	var stdout, stderr bytes.Buffer
	run([]string{"head", dir}, &stdout, &stderr)
	if want := "memmap: " + dir + ": is a directory"; !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("head of a directory: stderr %q, want %q...", stderr.String(), want)
	}
}

// NumPy writes the files; head prints the values NumPy prints for the same
// rows, compared numerically.
func TestHeadNumPy(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	const script = `
import sys
import numpy as np
d, n = sys.argv[1], 3
dt = np.dtype([('id', '<i8'), ('name', 'S7'), ('flag', '?'), ('pos', '<f4', (2, 3)),
               ('inner', [('a', 'u1'), ('b', '<f8'), ('h', '<f2')]), ('z', '<c8'), ('t', '<M8[ms]')], align=True)
rng = np.random.default_rng(7)
a = np.zeros(5, dt)
a['id'] = [1, -2, 1 << 40, -(1 << 62), 5]
a['name'] = [b'alpha', b'', b'delta12', b'd', b'e']
a['flag'] = [True, False, True, False, True]
a['pos'] = rng.standard_normal((5, 2, 3)).astype('f4')
a['inner']['a'] = [0, 255, 7, 8, 9]
a['inner']['b'] = rng.standard_normal(5) * 1e10
a['inner']['h'] = rng.standard_normal(5).astype('f2')
a['z'] = (rng.standard_normal(5) + 1j * rng.standard_normal(5)).astype('c8')
a['t'] = [0, 1700000000123, -5, 3, 4]
np.save(d + '/struct.npy', a)
b = np.array([-0.1, np.inf, np.nan, 1e-300, -0.0, 2 ** 0.5], dtype='>f8')
np.save(d + '/big.npy', b)
c = np.asfortranarray((np.arange(30, dtype='<i2') * 1237 - 9000).reshape(5, 6))
np.save(d + '/fortran.npy', c)

def leaves(v, dt):
    if dt.names:
        for name in dt.names:
            yield from leaves(v[name], dt.fields[name][0])
    elif dt.subdtype is not None:
        for x in np.asarray(v).flat:
            yield from leaves(x, dt.subdtype[0])
    elif dt.kind == 'S':
        yield v.decode()
    elif dt.kind == 'b':
        yield 'true' if v else 'false'
    elif dt.kind in 'Mm':
        yield str(v.astype('int64'))
        yield np.datetime_data(dt)[0]
    else:
        yield str(v)

assert a.dtype.isalignedstruct and b.dtype.byteorder == '>' and c.flags.f_contiguous
for name, arr in [('struct', a), ('big', b), ('fortran', c)]:
    print('==', name)
    for row in arr[:n]:
        for x in (row.flat if isinstance(row, np.ndarray) else [row]):
            for leaf in leaves(x, arr.dtype):
                print(leaf)
`
	out := string(testutil.RunPython(t, script, dir))
	sections := strings.Split(out, "== ")[1:]
	if len(sections) != 3 {
		t.Fatalf("python printed %d sections, want 3:\n%s", len(sections), out)
	}
	for _, sec := range sections {
		name, body, _ := strings.Cut(sec, "\n")
		want := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
		got := runOK(t, "head", "-n", "3", filepath.Join(dir, name+".npy"))
		lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		if name == "struct" {
			if got := strings.Join(strings.Fields(lines[0]), " "); got != "id name flag pos inner z t" {
				t.Errorf("struct header line %q", lines[0])
			}
			lines = lines[1:]
		}
		if len(lines) != 3 {
			t.Errorf("%s: head -n 3 printed %d rows:\n%s", name, len(lines), got)
		}
		var tokens []string
		for i, line := range lines {
			index, rest, _ := strings.Cut(line, " ")
			if index != strconv.Itoa(i) {
				t.Errorf("%s: line %d has index %q: %q", name, i, index, line)
			}
			toks, err := valueTokens(rest)
			if err != nil {
				t.Fatalf("%s: line %q: %v", name, line, err)
			}
			tokens = append(tokens, toks...)
		}
		if len(tokens) != len(want) {
			t.Fatalf("%s: head printed %d values, NumPy %d\nhead:\n%s\nnumpy:\n%s", name, len(tokens), len(want), got, body)
		}
		for i := range want {
			if !sameValue(tokens[i], want[i]) {
				t.Errorf("%s: value %d: head %q, NumPy %q", name, i, tokens[i], want[i])
			}
		}
	}
}

// valueTokens splits a line of head values into scalars: separators are
// spaces, braces and brackets; quoted strings are one (unquoted) token.
func valueTokens(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '{' || c == '}' || c == '[' || c == ']':
			i++
		case c == '"':
			q, err := strconv.QuotedPrefix(s[i:])
			if err != nil {
				return nil, err
			}
			u, _ := strconv.Unquote(q)
			toks = append(toks, u)
			i += len(q)
		default:
			j := strings.IndexAny(s[i:], " {}[]")
			if j < 0 {
				j = len(s) - i
			}
			toks = append(toks, s[i:i+j])
			i += j
		}
	}
	return toks, nil
}

// sameValue compares a head token and a NumPy str() as numbers when both
// are (NaN equal to NaN, complex written (a+bj)), else as strings.
func sameValue(got, want string) bool {
	if g, err := strconv.ParseFloat(got, 64); err == nil {
		w, err := strconv.ParseFloat(want, 64)
		return err == nil && (g == w || math.IsNaN(g) && math.IsNaN(w))
	}
	if strings.HasSuffix(got, "j)") {
		g, err1 := strconv.ParseComplex(strings.ReplaceAll(got, "j", "i"), 128)
		w, err2 := strconv.ParseComplex(strings.ReplaceAll(want, "j", "i"), 128)
		return err1 == nil && err2 == nil && g == w
	}
	return got == want
}

// A file truncated under the map is an error wrapping ErrFault, not a
// crash (SIGBUS).
func TestHeadTruncatedUnderMap(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("windows cannot truncate a mapped file")
	}
	data := make([]byte, 4*1000*10) // (1000, 10) float32 over several pages
	for i := range data {
		data[i] = 0x3f
	}
	path := npyCase{descr: "'<f4'", shape: []int64{1000, 10}, data: data}.write(t, testutil.TempDir(t), "f.npy")
	a, err := openAny(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = headFile(&out, a, 1000)
	if !errors.Is(err, memmap.ErrFault) {
		t.Fatalf("head of a file truncated under the map: %v, want ErrFault; output %d bytes", err, out.Len())
	}
	if msg := err.Error(); !strings.HasPrefix(msg, path+": ") || strings.Count(msg, path) != 1 {
		t.Errorf("error %q does not name %s once", msg, path)
	}
}

// Print the first rows of a .npy file: a float32 matrix with 12 columns,
// elided in the middle as NumPy does.
func Example_head() {
	dir, err := os.MkdirTemp("", "memmap-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	dt, err := layout.ParseDescr("'<f4'")
	if err != nil {
		fmt.Println(err)
		return
	}
	h := header.Header{DType: dt, Shape: []int64{100, 12}}
	b, err := h.Encode()
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < 100*12; i++ {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(i)/4))
	}
	path := filepath.Join(dir, "m.npy")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		fmt.Println(err)
		return
	}
	run([]string{"head", "-n", "3", path}, os.Stdout, os.Stderr)
	// Output:
	// 0  0 0.25 0.5 ... 2.25 2.5 2.75
	// 1  3 3.25 3.5 ... 5.25 5.5 5.75
	// 2  6 6.25 6.5 ... 8.25 8.5 8.75
}

// FuzzHead runs info and head over arbitrary files, seeded with the test
// files: they exit 0 with nothing on stderr, or 1 with one line naming the
// file, and never panic.
func FuzzHead(f *testing.F) {
	dir := testutil.TempDir(f)
	for i, c := range []npyCase{float32Case(), int16FortranCase(), bigFloat64Case(), structCase(), zeroDCase(), emptyCase()} {
		b, err := os.ReadFile(c.write(f, dir, fmt.Sprintf("%d.npy", i)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := testutil.WriteFile(t, b)
		for _, args := range [][]string{{"info", path}, {"head", "-n", "3", path}} {
			var stdout, stderr bytes.Buffer
			switch code := run(args, &stdout, &stderr); {
			case code == 0 && stderr.Len() == 0:
			case code == 1 && strings.Count(stderr.String(), "\n") == 1 && strings.HasPrefix(stderr.String(), "memmap: "+path+": "):
			default:
				t.Errorf("run(%q) = %d, stderr %q", args, code, stderr.String())
			}
		}
	})
}
