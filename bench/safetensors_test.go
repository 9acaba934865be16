package bench

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	nlp "github.com/nlpodyssey/safetensors"

	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/safetensors"
)

// leBytes returns the little-endian bytes of data, as the format stores
// them, encoded independently of the library (encoding/binary).
func leBytes(t testing.TB, data any) []byte {
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, data); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestNlpodysseyReadsOurs: github.com/nlpodyssey/safetensors, an
// independent Go reader, reads what our Writer writes, tensor by tensor:
// dtype, shape and bytes. It knows BOOL, U8, I8, I16, U16, F16, BF16,
// I32, U32, F32, F64, I64, U64 (not C64 nor the FP8 dtypes).
func TestNlpodysseyReadsOurs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ours.safetensors")
	w, err := safetensors.Create(path, &safetensors.WriterOptions{Metadata: map[string]string{"format": "pt", "k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	type tensor struct {
		name, dtype string
		shape       []int
		bytes       []byte
		add         func() error
	}
	var tensors []tensor
	add := func(name, dtype string, data any, shape []int, addFn func() error) {
		var b []byte
		if bs, ok := data.([]bool); ok {
			for _, v := range bs {
				if v {
					b = append(b, 1)
				} else {
					b = append(b, 0)
				}
			}
		} else {
			b = leBytes(t, data)
		}
		tensors = append(tensors, tensor{name, dtype, shape, b, addFn})
	}
	bools := []bool{true, false, true, true}
	u8 := []uint8{1, 2, 255}
	i8 := []int8{-1, 2, -128}
	i16 := []int16{-300, 301}
	u16 := []uint16{65535, 1, 2, 3, 4, 5}
	f16 := []layout.Float16{layout.Float16From(0.5), layout.Float16From(-7)}
	bf16 := []layout.BFloat16{layout.BFloat16From(3.5), layout.BFloat16From(-0.1), layout.BFloat16From(1e30)}
	i32 := []int32{math.MinInt32, 0, math.MaxInt32}
	u32 := []uint32{7}
	f32 := make([]float32, 24)
	for i := range f32 {
		f32[i] = float32(i) * 1.25
	}
	f64 := []float64{math.Pi, math.E}
	i64 := []int64{-1, 1 << 40}
	u64 := []uint64{math.MaxUint64}
	add("mask", "BOOL", bools, []int{2, 2}, func() error { return safetensors.Add(w, "mask", bools, []int{2, 2}) })
	add("u8", "U8", u8, []int{3}, func() error { return safetensors.Add(w, "u8", u8, []int{3}) })
	add("i8", "I8", i8, []int{3, 1}, func() error { return safetensors.Add(w, "i8", i8, []int{3, 1}) })
	add("i16", "I16", i16, []int{2}, func() error { return safetensors.Add(w, "i16", i16, []int{2}) })
	add("u16", "U16", u16, []int{2, 3}, func() error { return safetensors.Add(w, "u16", u16, []int{2, 3}) })
	add("f16", "F16", f16, []int{2}, func() error { return safetensors.Add(w, "f16", f16, []int{2}) })
	add("bf16", "BF16", bf16, []int{3}, func() error { return safetensors.Add(w, "bf16", bf16, []int{3}) })
	add("i32", "I32", i32, []int{3}, func() error { return safetensors.Add(w, "i32", i32, []int{3}) })
	add("u32", "U32", u32, nil, func() error { return safetensors.Add(w, "u32", u32, nil) })
	add("f32", "F32", f32, []int{2, 3, 4}, func() error { return safetensors.Add(w, "f32", f32, []int{2, 3, 4}) })
	add("f64", "F64", f64, []int{2}, func() error { return safetensors.Add(w, "f64", f64, []int{2}) })
	add("i64", "I64", i64, []int{1, 2}, func() error { return safetensors.Add(w, "i64", i64, []int{1, 2}) })
	add("u64", "U64", u64, []int{1}, func() error { return safetensors.Add(w, "u64", u64, []int{1}) })
	add("empty", "F32", []float32{}, []int{0, 5}, func() error { return safetensors.Add(w, "empty", []float32{}, []int{0, 5}) })
	for _, tt := range tensors {
		if err := tt.add(); err != nil {
			t.Fatalf("Add %s: %v", tt.name, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	buf, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := nlp.Deserialize(buf)
	if err != nil {
		t.Fatalf("nlpodyssey/safetensors refuses our file: %v", err)
	}
	if st.Len() != len(tensors) {
		t.Errorf("%d tensors, want %d", st.Len(), len(tensors))
	}
	for _, tt := range tensors {
		v, ok := st.Tensor(tt.name)
		if !ok {
			t.Errorf("no tensor %q", tt.name)
			continue
		}
		shape := make([]uint64, len(tt.shape))
		for i, d := range tt.shape {
			shape[i] = uint64(d)
		}
		if v.DType().String() != tt.dtype || !slices.Equal(v.Shape(), shape) || !bytes.Equal(v.Data(), tt.bytes) {
			t.Errorf("%s: nlpodyssey reads %s %v % x, want %s %v % x", tt.name, v.DType(), v.Shape(), v.Data(), tt.dtype, shape, tt.bytes)
		}
	}
	_, meta, err := nlp.ReadMetadata(buf)
	if err != nil || meta.Metadata()["format"] != "pt" || meta.Metadata()["k"] != "v" {
		t.Errorf("metadata %v, %v", meta.Metadata(), err)
	}
}

// stTensors is the number of tensors of the safetensors benchmark file.
const stTensors = 1000

// stFile writes the benchmark file: stTensors F32 tensors of 16x16
// elements (1 KiB each), named layer.N.weight, element [0, 0] of tensor
// N being N.
func stFile(b *testing.B) (string, []string) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "st1000.safetensors")
	w, err := safetensors.Create(path, nil)
	must(b, err)
	names := make([]string, stTensors)
	for i := range stTensors {
		names[i] = fmt.Sprintf("layer.%d.weight", i)
		data := make([]float32, 256)
		data[0] = float32(i)
		must(b, safetensors.Add(w, names[i], data, []int{16, 16}))
	}
	must(b, w.Close())
	return path, names
}

// BenchmarkSafetensors opens a safetensors file of 1,000 tensors and reads
// one element of each: memmap's safetensors (a map, typed views), against
// github.com/nlpodyssey/safetensors (reads the file into memory, parses
// with encoding/json) and against os.ReadFile with an encoding/json parse
// of the header by hand. One op is the open, the parse and the 1,000
// reads, from a warm page cache.
func BenchmarkSafetensors(b *testing.B) {
	path, names := stFile(b)
	want := float64(stTensors * (stTensors - 1) / 2)
	check := func(b *testing.B, got float64) {
		if got != want {
			b.Fatalf("sum %v, want %v", got, want)
		}
	}
	b.Run("memmap", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			f, err := safetensors.Open(path)
			must(b, err)
			var s float64
			for _, name := range names {
				a, err := safetensors.Tensor[float32](f, name)
				must(b, err)
				s += float64(a.At(0, 0))
			}
			must(b, f.Close())
			check(b, s)
		}
	})
	b.Run("nlpodyssey", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			buf, err := os.ReadFile(path)
			must(b, err)
			st, err := nlp.Deserialize(buf)
			must(b, err)
			var s float64
			for _, name := range names {
				v, ok := st.Tensor(name)
				if !ok || v.DType() != nlp.F32 {
					b.Fatalf("tensor %s", name)
				}
				s += float64(math.Float32frombits(binary.LittleEndian.Uint32(v.Data())))
			}
			check(b, s)
		}
	})
	b.Run("ReadFile+json", func(b *testing.B) {
		type entry struct {
			DType       string   `json:"dtype"`
			Shape       []int64  `json:"shape"`
			DataOffsets [2]int64 `json:"data_offsets"`
		}
		b.ReportAllocs()
		for range b.N {
			buf, err := os.ReadFile(path)
			must(b, err)
			n := binary.LittleEndian.Uint64(buf)
			var hdr map[string]json.RawMessage
			must(b, json.Unmarshal(buf[8:8+n], &hdr))
			data := buf[8+n:]
			var s float64
			for _, name := range names {
				var e entry
				must(b, json.Unmarshal(hdr[name], &e))
				if e.DType != "F32" {
					b.Fatalf("tensor %s is %s", name, e.DType)
				}
				s += float64(math.Float32frombits(binary.LittleEndian.Uint32(data[e.DataOffsets[0]:])))
			}
			check(b, s)
		}
	})
}
