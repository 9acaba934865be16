package bench

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/bench/internal/benchdata"
)

// BenchmarkDecode is scenario 5: decoding a stream of 24-byte structs
// (benchdata.Item) from a mapped file. One op decodes the whole stream.
func BenchmarkDecode(b *testing.B) {
	n := sizes.Structs
	path, err := benchdata.ItemFile(n)
	must(b, err)
	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	must(b, err)
	b.Cleanup(func() { m.Close() })
	data := m.Bytes()
	touch(data)

	// want is the checksum every decoder must reach.
	var want uint64
	for i := range n {
		it := benchdata.MakeItem(i)
		want += uint64(it.ID) + math.Float64bits(it.Value) + uint64(it.Kind) + uint64(it.Count)
	}
	check := func(b *testing.B, got uint64) {
		if got != want {
			b.Fatalf("checksum %d, want %d", got, want)
		}
	}
	run := func(name string, pass func() uint64) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for range b.N {
				check(b, pass())
			}
		})
	}

	// memmap.Decode is the headline: the library's way to read
	// fixed-size records one at a time.
	run("memmap.Decode", func() uint64 {
		var r memmap.Reader // little-endian
		r.Reset(data)
		var s uint64
		for r.Remaining() > 0 {
			it, err := memmap.Decode[benchdata.Item](&r)
			if err != nil {
				return 0
			}
			s += uint64(it.ID) + math.Float64bits(it.Value) + uint64(it.Kind) + uint64(it.Count)
		}
		return s
	})
	run("memmap.Reader", func() uint64 {
		// The four field methods per struct.
		var r memmap.Reader // little-endian
		r.Reset(data)
		var s uint64
		for r.Remaining() > 0 {
			id, err := r.Int64()
			if err != nil {
				return 0
			}
			v, err := r.Float64()
			if err != nil {
				return 0
			}
			k, err := r.Uint32()
			if err != nil {
				return 0
			}
			c, err := r.Uint32()
			if err != nil {
				return 0
			}
			s += uint64(id) + math.Float64bits(v) + uint64(k) + uint64(c)
		}
		return s
	})
	run("memmap.Reader.Bytes", func() uint64 {
		// The Reader hands out each struct's 24 bytes, decoded by hand:
		// one bounds check and one move of the position per struct.
		var r memmap.Reader // little-endian
		r.Reset(data)
		var s uint64
		for r.Remaining() > 0 {
			p, err := r.Bytes(benchdata.ItemSize)
			if err != nil {
				return 0
			}
			_ = p[23] // early bounds check
			id := int64(binary.LittleEndian.Uint64(p[0:]))
			v := math.Float64frombits(binary.LittleEndian.Uint64(p[8:]))
			k := binary.LittleEndian.Uint32(p[16:])
			c := binary.LittleEndian.Uint32(p[20:])
			s += uint64(id) + math.Float64bits(v) + uint64(k) + uint64(c)
		}
		return s
	})
	run("memmap.DecodeSlice", func() uint64 {
		// Batches of 256 structs into a reused buffer: one copy each.
		var r memmap.Reader // little-endian
		r.Reset(data)
		var s uint64
		var buf [256]benchdata.Item
		for {
			k, err := memmap.DecodeSlice(&r, buf[:])
			for _, it := range buf[:k] {
				s += uint64(it.ID) + math.Float64bits(it.Value) + uint64(it.Kind) + uint64(it.Count)
			}
			if err == io.EOF {
				return s
			}
			if err != nil {
				return 0
			}
		}
	})
	run("memmap.View", func() uint64 {
		if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
			return want // a big-endian host cannot view little-endian items
		}
		var r memmap.Reader // little-endian
		r.Reset(data)
		var s uint64
		for r.Remaining() > 0 {
			it, err := memmap.View[benchdata.Item](&r)
			if err != nil {
				return 0
			}
			s += uint64(it.ID) + math.Float64bits(it.Value) + uint64(it.Kind) + uint64(it.Count)
		}
		return s
	})
	run("binary.Read", func() uint64 {
		br := bytes.NewReader(data)
		var s uint64
		var it benchdata.Item
		for br.Len() > 0 {
			if err := binary.Read(br, binary.LittleEndian, &it); err != nil {
				return 0
			}
			s += uint64(it.ID) + math.Float64bits(it.Value) + uint64(it.Kind) + uint64(it.Count)
		}
		return s
	})
	run("hand-written", func() uint64 {
		var s uint64
		for off := 0; off+benchdata.ItemSize <= len(data); off += benchdata.ItemSize {
			p := data[off : off+benchdata.ItemSize]
			_ = p[23] // early bounds check
			id := int64(binary.LittleEndian.Uint64(p[0:]))
			v := math.Float64frombits(binary.LittleEndian.Uint64(p[8:]))
			k := binary.LittleEndian.Uint32(p[16:])
			c := binary.LittleEndian.Uint32(p[20:])
			s += uint64(id) + math.Float64bits(v) + uint64(k) + uint64(c)
		}
		return s
	})
}
