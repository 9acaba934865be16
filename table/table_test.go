package table_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/table"
)

// Feature is a padded struct value: Go puts B at 8 (4 on 386) and C at 16.
type Feature struct {
	A uint8   `npy:"a"`
	B float64 `npy:"b"`
	C [3]int16
}

func featureOf(k uint64) Feature {
	return Feature{A: uint8(k), B: float64(k) / 3, C: [3]int16{int16(k), int16(k >> 16), -1}}
}

// randomKeys returns n distinct random uint64 keys.
func randomKeys(n int, seed uint64) []uint64 {
	r := rand.New(rand.NewPCG(seed, 1))
	seen := make(map[uint64]bool, n)
	keys := make([]uint64, 0, n)
	for len(keys) < n {
		k := r.Uint64()
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func buildFeatures(t testing.TB, n int, opt *table.Options) (string, []uint64) {
	t.Helper()
	keys := randomKeys(n, uint64(n))
	vals := make([]Feature, n)
	for i, k := range keys {
		vals[i] = featureOf(k)
	}
	path := filepath.Join(testutil.TempDir(t), "f.table")
	must(t, table.Build(path, keys, vals, opt))
	return path, keys
}

// probes is the number of absent keys TestUint64 looks up: 10M where
// lookups are fast, fewer under emulation and the race detector.
func probes() int {
	switch {
	case raceEnabled:
		return 200_000
	case runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" && runtime.GOARCH != "386":
		return 300_000 // s390x runs under qemu in CI
	}
	return 10_000_000
}

// TestUint64 builds tables of uint64 keys and padded struct values of
// several sizes: every key is found with its value, in both byte orders,
// and random absent keys never are.
func TestUint64(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 10, 1000, 100_000} {
		for _, bo := range []layout.ByteOrder{layout.NotApplicable, layout.Little, layout.Big} {
			t.Run(fmt.Sprintf("%d/%v", n, bo), func(t *testing.T) {
				path, keys := buildFeatures(t, n, &table.Options{ByteOrder: bo})
				tb, err := table.Open[uint64, Feature](path)
				must(t, err)
				defer tb.Close()
				if tb.Len() != n {
					t.Fatalf("Len %d, want %d", tb.Len(), n)
				}
				wantZC := bo == layout.NotApplicable || bo == layout.HostOrder()
				if tb.ZeroCopy() != wantZC {
					t.Errorf("ZeroCopy %v, want %v", tb.ZeroCopy(), wantZC)
				}
				for _, k := range keys {
					v, ok := tb.Get(k)
					if !ok || v != featureOf(k) {
						t.Fatalf("Get(%d) = %v, %v; want %v, true", k, v, ok, featureOf(k))
					}
					p, ok := tb.Ref(k)
					if !ok || *p != featureOf(k) {
						t.Fatalf("Ref(%d) = %v, %v", k, p, ok)
					}
				}
				in := map[uint64]bool{}
				for _, k := range keys {
					in[k] = true
				}
				r := rand.New(rand.NewPCG(7, uint64(n)))
				m := 1000
				if n == 100_000 && bo == layout.NotApplicable {
					m = probes()
				}
				for range m {
					k := r.Uint64()
					if in[k] {
						continue
					}
					if v, ok := tb.Get(k); ok {
						t.Fatalf("absent key %d found, with %v", k, v)
					}
				}
				must(t, tb.Verify())
			})
		}
	}
}

// TestKinds builds a table of each key and value kind and reads it all
// back with Get, GetMany and All.
func TestKinds(t *testing.T) {
	const n = 5000
	dir := testutil.TempDir(t)
	t.Run("int64/float64", func(t *testing.T) {
		keys := make([]int64, n)
		vals := make([]float64, n)
		for i := range keys {
			keys[i] = int64(i)*7919 - n*1000 // negative keys too
			vals[i] = float64(keys[i]) * 0.5
		}
		checkKind(t, filepath.Join(dir, "iv"), keys, vals, func(a, b float64) bool { return a == b }, int64(3))
	})
	t.Run("string/uint32", func(t *testing.T) {
		keys := make([]string, n)
		vals := make([]uint32, n)
		for i := range keys {
			keys[i] = "user/" + strconv.Itoa(i*31) + string(make([]byte, i%40)) // lengths 0..40 past the prefix
			vals[i] = uint32(i)
		}
		keys[0] = "" // the empty key
		checkKind(t, filepath.Join(dir, "sv"), keys, vals, func(a, b uint32) bool { return a == b }, "nope")
	})
	t.Run("uint64/bytes", func(t *testing.T) {
		keys := make([]uint64, n)
		vals := make([][]byte, n)
		for i := range keys {
			keys[i] = uint64(i) << 40
			vals[i] = []byte(strconv.Itoa(i) + "!")[:i%5]
		}
		checkKind(t, filepath.Join(dir, "ub"), keys, vals, bytesEq, uint64(1))
	})
	t.Run("string/bytes", func(t *testing.T) {
		keys := make([]string, n)
		vals := make([][]byte, n)
		for i := range keys {
			keys[i] = fmt.Sprintf("k%05d", i)
			vals[i] = []byte(fmt.Sprintf("value of %d", i))
		}
		checkKind(t, filepath.Join(dir, "sb"), keys, vals, bytesEq, "k99999")
	})
}

func bytesEq(a, b []byte) bool { return string(a) == string(b) }

func checkKind[K table.Key, V any](t *testing.T, path string, keys []K, vals []V, eq func(a, b V) bool, absent K) {
	must(t, table.Build(path, keys, vals, nil))
	tb, err := table.Open[K, V](path)
	must(t, err)
	defer tb.Close()
	for i, k := range keys {
		v, ok := tb.Get(k)
		if !ok || !eq(v, vals[i]) {
			t.Fatalf("Get(%v) = %v, %v; want %v", k, v, ok, vals[i])
		}
		if s, isStr := any(k).(string); isStr {
			if v, ok := tb.GetBytes([]byte(s)); !ok || !eq(v, vals[i]) {
				t.Fatalf("GetBytes(%q) = %v, %v; want %v", s, v, ok, vals[i])
			}
		}
	}
	if v, ok := tb.Get(absent); ok {
		t.Fatalf("absent key %v found with %v", absent, v)
	}
	// GetMany over the keys, with absent ones between.
	ks := make([]K, 0, 2*len(keys))
	for _, k := range keys {
		ks = append(ks, k, absent)
	}
	dst := make([]V, len(ks))
	found := make([]bool, len(ks))
	got, err := tb.GetMany(ks, dst, found)
	must(t, err)
	if got != len(keys) {
		t.Fatalf("GetMany found %d, want %d", got, len(keys))
	}
	for j := range ks {
		if found[j] != (j%2 == 0) || found[j] && !eq(dst[j], vals[j/2]) {
			t.Fatalf("GetMany[%d] (%v) = %v, %v", j, ks[j], dst[j], found[j])
		}
	}
	// All yields every entry once.
	seen := make(map[K]V)
	for k, v := range tb.All() {
		if _, dup := seen[k]; dup {
			t.Fatalf("All yields %v twice", k)
		}
		seen[k] = v
	}
	if len(seen) != len(keys) {
		t.Fatalf("All yields %d entries, want %d", len(seen), len(keys))
	}
	for i, k := range keys {
		if !eq(seen[k], vals[i]) {
			t.Fatalf("All: %v -> %v, want %v", k, seen[k], vals[i])
		}
	}
	must(t, tb.Verify())
}

// TestDuplicate: a key given twice is refused, naming it, and nothing is
// written.
func TestDuplicate(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "d.table")
	keys := randomKeys(1000, 3)
	keys[700] = keys[123]
	err := table.Build(path, keys, make([]uint32, len(keys)), nil)
	if !errors.Is(err, table.ErrDuplicate) || !containsStr(err.Error(), strconv.FormatUint(keys[123], 10)) {
		t.Fatalf("Build with a duplicate: %v; want ErrDuplicate naming %d", err, keys[123])
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed build left a file: %v", err)
	}
	w, err := table.Create[string, []byte](path, nil)
	must(t, err)
	must(t, w.Add("a", []byte("1")))
	must(t, w.Add("bb", nil))
	must(t, w.Add("a", []byte("2")))
	if err := w.Close(); !errors.Is(err, table.ErrDuplicate) || !containsStr(err.Error(), "a") {
		t.Fatalf("Writer with a duplicate: %v", err)
	}
	if err := w.Add("c", nil); !errors.Is(err, memmap.ErrClosed) {
		t.Fatalf("Add after Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("a second Close: %v, want nil (Close is idempotent)", err)
	}
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestWrongTypes: opening with the wrong key or value type is an error
// that says so.
func TestWrongTypes(t *testing.T) {
	path, _ := buildFeatures(t, 10, nil)
	if _, err := table.Open[int64, Feature](path); !errors.Is(err, table.ErrKeyType) {
		t.Errorf("Open with int64 keys: %v, want ErrKeyType", err)
	}
	if _, err := table.Open[string, Feature](path); !errors.Is(err, table.ErrKeyType) {
		t.Errorf("Open with string keys: %v, want ErrKeyType", err)
	}
	if _, err := table.Open[uint64, float64](path); !errors.Is(err, layout.ErrDType) {
		t.Errorf("Open with float64 values: %v, want layout.ErrDType", err)
	}
	if _, err := table.Open[uint64, []byte](path); !errors.Is(err, layout.ErrDType) {
		t.Errorf("Open with []byte values: %v, want layout.ErrDType", err)
	}
	if err := table.Build(path, []uint64{1}, []string{"x"}, nil); !errors.Is(err, layout.ErrType) {
		t.Errorf("Build with string values: %v, want layout.ErrType", err)
	}
	if err := table.Build(path, []uint64{1, 2}, []uint8{1}, nil); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Build with fewer values: %v, want memmap.ErrShape", err)
	}
	if err := table.BuildFunc(path, -1, func(int) uint64 { return 0 }, func(int) uint8 { return 0 }, nil); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("BuildFunc of -1 keys: %v, want memmap.ErrShape", err)
	}
	if err := table.Build(path, []uint64{1}, []uint8{1}, &table.Options{ByteOrder: layout.Mixed}); !errors.Is(err, memmap.ErrByteOrder) {
		t.Errorf("Build with ByteOrder Mixed: %v, want memmap.ErrByteOrder", err)
	}
}

// TestMetaInfo: the caller's metadata comes back, and Stat and Info say
// what the table is.
func TestMetaInfo(t *testing.T) {
	path, _ := buildFeatures(t, 100_000, &table.Options{Meta: []byte(`{"schema":1}`)})
	tb, err := table.Open[uint64, Feature](path)
	must(t, err)
	defer tb.Close()
	if string(tb.Meta()) != `{"schema":1}` {
		t.Errorf("Meta %q", tb.Meta())
	}
	in, err := table.Stat(path)
	must(t, err)
	in2, err := tb.Info()
	must(t, err)
	if in.Keys != 100_000 || in.KeyKind != "uint64" || in.Value == nil || in.Value.Kind() != layout.Struct || in2.Keys != in.Keys {
		t.Errorf("Info %+v", in)
	}
	if in.IndexBits <= 0 || in.IndexBits > 3 {
		t.Errorf("index bits per key %.2f, want (0, 3]", in.IndexBits)
	}
	t.Logf("index: %.2f bits/key", in.IndexBits)
}

// TestClosed: a closed table finds nothing and its batch and Verify say
// it is closed.
func TestClosed(t *testing.T) {
	path, keys := buildFeatures(t, 10, nil)
	tb, err := table.Open[uint64, Feature](path)
	must(t, err)
	must(t, tb.Close())
	must(t, tb.Close())
	if _, ok := tb.Get(keys[0]); ok {
		t.Error("Get on a closed table found a key")
	}
	if _, err := tb.GetMany(keys, make([]Feature, len(keys)), nil); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("GetMany: %v", err)
	}
	if err := tb.Verify(); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Verify: %v", err)
	}
}

// TestAllocs: Get, Ref and GetMany allocate nothing.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	path, keys := buildFeatures(t, 1000, nil)
	tb, err := table.Open[uint64, Feature](path)
	must(t, err)
	defer tb.Close()
	dst := make([]Feature, len(keys))
	found := make([]bool, len(keys))
	tb.GetMany(keys, dst, found)
	if a := testing.AllocsPerRun(100, func() { tb.Get(keys[5]); tb.Ref(keys[6]) }); a != 0 {
		t.Errorf("Get and Ref: %v allocations", a)
	}
	if a := testing.AllocsPerRun(100, func() { tb.GetMany(keys, dst, found) }); a != 0 {
		t.Errorf("GetMany: %v allocations", a)
	}
}

// TestAny looks keys up given as text in tables of every key kind.
func TestAny(t *testing.T) {
	dir := testutil.TempDir(t)
	p1 := filepath.Join(dir, "i")
	must(t, table.Build(p1, []int64{-5, 9}, []Feature{featureOf(1), featureOf(2)}, nil))
	a, err := table.OpenAny(p1)
	must(t, err)
	e, ok, err := a.Get("-5")
	must(t, err)
	t.Logf("value %s", e.Value)
	if b, _ := e.Value.FieldByName("b"); !ok || b.String() != "0.3333333333333333" {
		t.Errorf("Any.Get(-5) = %v, %v", e.Value, ok)
	}
	if _, ok, err := a.Get("6"); ok || err != nil {
		t.Errorf("Any.Get(6) = %v, %v", ok, err)
	}
	if _, _, err := a.Get("x"); err == nil {
		t.Error("Any.Get(x) on integer keys: no error")
	}
	must(t, a.Close())
	p2 := filepath.Join(dir, "s")
	must(t, table.Build(p2, []string{"a", "bb"}, [][]byte{[]byte("1"), []byte("22")}, nil))
	a, err = table.OpenAny(p2)
	must(t, err)
	defer a.Close()
	if e, ok, err := a.Get("bb"); err != nil || !ok || string(e.Bytes) != "22" {
		t.Errorf("Any.Get(bb) = %q, %v, %v", e.Bytes, ok, err)
	}
	if _, ok, _ := a.Get("c"); ok {
		t.Error("Any.Get(c) found")
	}
}

// TestAdvise: every advice applies to an open table and lookups still
// answer; a closed table says so.
func TestAdvise(t *testing.T) {
	dir := testutil.TempDir(t)
	p := filepath.Join(dir, "a.table")
	must(t, table.Build(p, []string{"a", "b"}, [][]byte{[]byte("1"), []byte("2")}, nil))
	tb, err := table.Open[string, []byte](p)
	must(t, err)
	for _, adv := range []memmap.Advice{memmap.Sequential, memmap.WillNeed, memmap.Normal, memmap.Random} {
		must(t, tb.Advise(adv))
		if v, ok := tb.Get("b"); !ok || string(v) != "2" {
			t.Fatalf("after Advise(%v): Get(b) = %q, %v", adv, v, ok)
		}
	}
	tb.Close()
	if err := tb.Advise(memmap.Random); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Advise on a closed table: %v", err)
	}
}

// TestAnyEntry lists a table's entries without its Go types, as memmap
// head does, and finds the same keys and values as Get.
func TestAnyEntry(t *testing.T) {
	dir := testutil.TempDir(t)
	p := filepath.Join(dir, "e")
	keys := []string{"x", "", "yy", "zzz"}
	vals := []uint16{1, 2, 3, 4}
	must(t, table.Build(p, keys, vals, nil))
	a, err := table.OpenAny(p)
	must(t, err)
	defer a.Close()
	seen := map[string]string{}
	for i := range a.Len() {
		e, err := a.Entry(i)
		must(t, err)
		g, ok, err := a.Get(string(e.KeyBytes))
		if err != nil || !ok || g.Index != i || g.Value.String() != e.Value.String() || string(g.KeyBytes) != string(e.KeyBytes) {
			t.Fatalf("entry %d (%q = %v): Get gives %+v, %v, %v", i, e.KeyBytes, e.Value, g, ok, err)
		}
		seen[string(e.KeyBytes)] = e.Value.String()
	}
	for i, k := range keys {
		if seen[k] != strconv.Itoa(int(vals[i])) {
			t.Errorf("Entry lists %q -> %q, want %d", k, seen[k], vals[i])
		}
	}
	if _, err := a.Entry(4); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("Entry(4) of 4: %v, want ErrRange", err)
	}
	p2 := filepath.Join(dir, "i")
	must(t, table.Build(p2, []int64{-3}, [][]byte{[]byte("v")}, nil))
	b, err := table.OpenAny(p2)
	must(t, err)
	defer b.Close()
	if e, err := b.Entry(0); err != nil || e.Key.String() != "-3" || string(e.Bytes) != "v" {
		t.Errorf("Entry(0) = %v %q, %v", e.Key, e.Bytes, err)
	}
}
