package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/npz"
	"github.com/gomemmap/memmap/table"
)

// point is a struct value, laid out alike on every host (no padding).
type point struct {
	Tag uint32   `npy:"tag"`
	V   [2]int16 `npy:"v"`
	Y   float64  `npy:"y"`
}

// tableFiles are the tables of each kind that buildTables writes.
type tableFiles struct {
	u string // uint64 keys -> float64 values, with user metadata
	i string // int64 keys -> struct values
	s string // string keys -> []byte values
	a string // string keys -> uint16 values
}

// buildTables builds a small table of each kind in dir, little-endian on
// every host, so that the output does not depend on the host.
func buildTables(t *testing.T, dir string) tableFiles {
	t.Helper()
	f := tableFiles{filepath.Join(dir, "u.table"), filepath.Join(dir, "i.table"), filepath.Join(dir, "s.table"), filepath.Join(dir, "a.table")}
	opt := &table.Options{ByteOrder: layout.Little}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(table.Build(f.u, []uint64{7, 1 << 63, 42}, []float64{0.5, -1.25, 1e300}, &table.Options{ByteOrder: layout.Little, Meta: []byte("schema v1")}))
	must(table.Build(f.i, []int64{-5, 9, 1 << 40}, []point{{1, [2]int16{1, -1}, 0.1}, {2, [2]int16{2, -2}, 0.2}, {3, [2]int16{3, -3}, 0.3}}, opt))
	long := make([]byte, 100)
	for k := range long {
		long[k] = 'a' + byte(k%26)
	}
	must(table.Build(f.s, []string{"alice", "", "b c", `quote"d`}, [][]byte{[]byte("A\x00B"), []byte("empty key"), long, nil}, opt))
	must(table.Build(f.a, []string{"x", "y"}, []uint16{1, 65535}, opt))
	return f
}

// TestTableInfo: info says that a table is a lookup table and what it
// holds, and lists its members; a plain .npz archive keeps its listing,
// even with a member named meta.
func TestTableInfo(t *testing.T) {
	dir := testutil.TempDir(t)
	f := buildTables(t, dir)
	got := runOK(t, "info", f.u, f.i, f.s, f.a)
	want := f.u + `
  format      lookup table, version 1 (an .npz archive: np.load opens its members)
  keys        3, uint64
  values      '<f8', go type float64
  index       18.67 bits/key (7 bytes: pilots and remap), 1 part, each of 3 buckets and 4 slots
  seed        0x0
  metadata    9 bytes (member user)
  members     5
  name     shape  offset  bytes
  meta     (1,)   384     64     the table's parameters
  pilots   (3,)   640     3      the index: a pilot per bucket
  remap    (1,)   832     4      the index: where the slots past the keys lead
  entries  (3,)   1024    48     keys (or their ends) and values (or their ends), in index order
  user     (9,)   1280    9      the user's metadata

` + f.i + `
  format      lookup table, version 1 (an .npz archive: np.load opens its members)
  keys        3, int64
  values      [('tag', '<u4'), ('v', '<i2', (2,)), ('y', '<f8')], go type struct { Tag uint32 ` + "`" + `npy:"tag"` + "`" + `; V [2]int16 ` + "`" + `npy:"v"` + "`" + `; Y float64 ` + "`" + `npy:"y"` + "`" + ` }
  index       18.67 bits/key (7 bytes: pilots and remap), 1 part, each of 3 buckets and 4 slots
  seed        0x0
  metadata    none
  members     4
  name     shape  offset  bytes
  meta     (1,)   384     64     the table's parameters
  pilots   (3,)   640     3      the index: a pilot per bucket
  remap    (1,)   832     4      the index: where the slots past the keys lead
  entries  (3,)   1088    72     keys (or their ends) and values (or their ends), in index order

` + f.s + `
  format      lookup table, version 1 (an .npz archive: np.load opens its members)
  keys        4, string
  values      []byte, of any length (member values)
  index       16.00 bits/key (8 bytes: pilots and remap), 1 part, each of 4 buckets and 5 slots
  seed        0x0
  metadata    none
  members     6
  name     shape   offset  bytes
  meta     (1,)    384     64     the table's parameters
  pilots   (4,)    640     4      the index: a pilot per bucket
  remap    (1,)    832     4      the index: where the slots past the keys lead
  entries  (4,)    1024    64     keys (or their ends) and values (or their ends), in index order
  keys     (15,)   1280    15     the string keys' bytes
  values   (112,)  1472    112    the []byte values' bytes

` + f.a + `
  format      lookup table, version 1 (an .npz archive: np.load opens its members)
  keys        2, string
  values      '<u2', go type uint16
`
	if diff := cmp.Diff(want, got[:min(len(want), len(got))]); diff != "" {
		t.Errorf("info (-want +got):\n%s", diff)
	}

	// An .npz archive with a member meta that is not a table's is listed
	// as an archive.
	arc := filepath.Join(dir, "meta.npz")
	w, err := npz.Create(arc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "meta", []int64{1, 2}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out := runOK(t, "info", arc); !strings.Contains(out, "format      npz (zip of .npy files)") || strings.Contains(out, "lookup table") {
		t.Errorf("info of an .npz archive with a member meta:\n%s", out)
	}
}

// TestTableGet: get prints a line per key, its value or "not found", with
// exit status 0 when every key is found, 1 when one is not, 2 for errors
// (bad key text, a file that is not a table) and usage errors.
func TestTableGet(t *testing.T) {
	dir := testutil.TempDir(t)
	f := buildTables(t, dir)
	npy := float32Case().write(t, dir, "x.npy")
	arc := filepath.Join(dir, "plain.npz")
	w, err := npz.Create(arc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "ids", []int64{1, 2}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string // a substring of the one line on stderr; "" for none
	}{
		{"uint64", []string{f.u, "7", "42", "9223372036854775808"}, 0, `
7                    0.5
42                   1e+300
9223372036854775808  -1.25
`, ""},
		{"uint64 absent", []string{f.u, "7", "3"}, 1, `
7  0.5
3  not found
`, ""},
		{"uint64 negative", []string{f.u, "-7", "7"}, 2, `
7  0.5
`, `u.table: key "-7": not a decimal uint64: invalid syntax`},
		{"uint64 text", []string{f.u, "x"}, 2, ``, `u.table: key "x": not a decimal uint64: invalid syntax`},
		{"uint64 range", []string{f.u, "18446744073709551616"}, 2, ``, `key "18446744073709551616": out of the range of uint64: value out of range`},
		{"int64 struct", []string{f.i, "-5", "1099511627776"}, 0, `
-5             {1 [1 -1] 0.1}
1099511627776  {3 [3 -3] 0.3}
`, ""},
		{"int64 absent", []string{f.i, "5", "9"}, 1, `
5  not found
9  {2 [2 -2] 0.2}
`, ""},
		{"int64 range", []string{f.i, "9223372036854775808"}, 2, ``, `not a decimal int64`[:0] + `out of the range of int64`},
		{"string bytes", []string{f.s, "alice", "", "b c", `quote"d`, "nope", "alice "}, 1, `
"alice"     "A\x00B"
""          "empty key"
"b c"       "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv"
"quote\"d"  ""
"nope"      not found
"alice "    not found
`, ""},
		{"string array", []string{f.a, "y", "7"}, 1, `
"y"  65535
"7"  not found
`, ""},
		{"plain npz", []string{arc, "1"}, 2, ``, "plain.npz: not a lookup table: an .npz archive without a table's member \"meta\""},
		{"npy", []string{npy, "1"}, 2, ``, "x.npy: not a lookup table: a .npy file"},
		{"missing", []string{filepath.Join(dir, "nope"), "1"}, 2, ``, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(append([]string{"get"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			if diff := cmp.Diff(strings.TrimPrefix(tt.stdout, "\n"), out); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			switch {
			case tt.stderr == "" && errOut != "":
				t.Errorf("stderr %q, want none", errOut)
			case tt.stderr != "" && (!strings.Contains(errOut, tt.stderr) || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "memmap: ")):
				t.Errorf("stderr %q, want one line with %q", errOut, tt.stderr)
			}
		})
	}

	// Usage errors: exit 2 with the usage; -h is the command's usage.
	for _, args := range [][]string{{"get"}, {"get", f.u}, {"get", "-x", f.u, "1"}} {
		code, _, errOut := runCmd(args...)
		if code != 2 || !strings.Contains(errOut, "usage: memmap") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and the usage", args, code, errOut)
		}
	}
	if code, out, _ := runCmd("get", "-h"); code != 0 || !strings.Contains(out, "usage: memmap get FILE KEY [KEY...]") {
		t.Errorf("get -h: exit %d, %q", code, out)
	}
}

// TestTableHead: head of a table prints its first entries in index
// order, keys and values (a struct value's fields as columns); a name
// still picks a member of its archive.
func TestTableHead(t *testing.T) {
	f := buildTables(t, testutil.TempDir(t))
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{f.u}, `
   key                  value
0  7                    0.5
1  9223372036854775808  -1.25
2  42                   1e+300
`},
		{[]string{"-n", "1", f.u}, `
   key  value
0  7    0.5
`},
		{[]string{"-n", "0", f.u}, `
  key  value
`},
		{[]string{f.i}, `
   key            tag  v       y
0  9              2    [2 -2]  0.2
1  1099511627776  3    [3 -3]  0.3
2  -5             1    [1 -1]  0.1
`},
		{[]string{f.s}, `
   key         value
0  "b c"       "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl"... (100 bytes)
1  "quote\"d"  ""
2  "alice"     "A\x00B"
3  ""          "empty key"
`},
		{[]string{f.a}, `
   key  value
0  "x"  1
1  "y"  65535
`},
		{[]string{f.s, "entries"}, `
   key_end  value_end
0  3        100
1  10       100
2  15       103
3  15       112
`},
	} {
		got := runOK(t, append([]string{"head"}, tt.args...)...)
		if diff := cmp.Diff(strings.TrimPrefix(tt.want, "\n"), got); diff != "" {
			t.Errorf("head %q (-want +got):\n%s", tt.args, diff)
		}
	}
}

// TestTableCorrupt: a table file cut short, or with any one byte
// changed, gives info, head and get an error (one line on stderr) or an
// answer, never a crash; a table whose entries' offsets are out of
// order gives head an error matching table.ErrFormat.
func TestTableCorrupt(t *testing.T) {
	dir := testutil.TempDir(t)
	f := buildTables(t, dir)
	bad := filepath.Join(dir, "bad.table")
	for _, tc := range []struct{ path, key string }{{f.u, "7"}, {f.i, "9"}, {f.s, "alice"}} {
		full, err := os.ReadFile(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < len(full); n += 7 {
			if err := os.WriteFile(bad, full[:n], 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"info", bad}, {"head", bad}, {"get", bad, tc.key}} {
				code, _, errOut := runCmd(args...)
				want := 1
				if args[0] == "get" {
					want = 2
				}
				if code != want || strings.Count(errOut, "\n") != 1 {
					t.Fatalf("%v of %d bytes of %s: exit %d, stderr %q", args, n, filepath.Base(tc.path), code, errOut)
				}
			}
		}
		if tc.path == f.u {
			continue // laid out as f.i
		}
		// Every byte of the members' data that steers a lookup (all but
		// the []byte values' bytes), every 29th byte elsewhere (the
		// archive's and the .npy headers, which the npz tests change
		// byte by byte).
		flip := make([]bool, len(full))
		for i := 0; i < len(full); i += 29 {
			flip[i] = true
		}
		zf, err := npz.Open(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range zf.Names() {
			if name == "values" {
				continue
			}
			in, err := zf.Info(name)
			if err != nil {
				t.Fatal(err)
			}
			for i := in.DataOffset; i < in.DataOffset+in.DataSize; i++ {
				flip[i] = true
			}
		}
		zf.Close()
		c := make([]byte, len(full))
		for i := range full {
			if !flip[i] {
				continue
			}
			copy(c, full)
			c[i] ^= 0xa5
			if err := os.WriteFile(bad, c, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"info", bad}, {"head", bad}, {"get", bad, tc.key}} {
				code, _, errOut := runCmd(args...)
				failed := 1
				if args[0] == "get" {
					failed = 2 // and 1 for a key no longer found
				}
				if code != 0 && (code != failed && code != 1 || code == failed && strings.Count(errOut, "\n") != 1) {
					t.Fatalf("%v of %s with byte %d changed: exit %d, stderr %q", args, filepath.Base(tc.path), i, code, errOut)
				}
			}
		}
	}

	// The string table's key ends out of order: entry 1's key would end
	// before entry 0's.
	zf, err := npz.Open(f.s)
	if err != nil {
		t.Fatal(err)
	}
	ents, err := zf.Info("entries")
	zf.Close()
	if err != nil {
		t.Fatal(err)
	}
	c, err := os.ReadFile(f.s)
	if err != nil {
		t.Fatal(err)
	}
	c[ents.DataOffset+16] = 1 // entry 1's key_end, little-endian: 1 < entry 0's 3
	if err := os.WriteFile(bad, c, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd("head", bad)
	if code != 1 || !strings.Contains(errOut, `bad.table: entry: table: malformed table file: entry 1: its key lies outside member "keys"`) {
		t.Errorf("head of key ends out of order: exit %d, stderr %q", code, errOut)
	}
	if out != "" { // the lines are written once all are read
		t.Errorf("head of key ends out of order: stdout %q", out)
	}
	err = headTable(io.Discard, bad, 2)
	if !errors.Is(err, table.ErrFormat) {
		t.Errorf("the entries of key ends out of order: %v, want table.ErrFormat", err)
	}
}
