package mph

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

// fuzzIndex decodes the fuzzer's bytes into Params and arrays: a mode byte,
// then Params (small fields in mode 0, so that most are valid; four raw
// uint64 otherwise), then the bytes the pilots and the remap entries are
// cut from, cycled when too few.
func fuzzIndex(data []byte) (Params, []uint8, []uint32) {
	take := func(n int) []byte {
		b := make([]byte, n)
		copy(b, data)
		data = data[min(n, len(data)):]
		return b
	}
	var p Params
	if take(1)[0]%2 == 0 {
		b := take(6)
		p = Params{
			Keys:    uint64(binary.LittleEndian.Uint16(b)),
			Parts:   uint64(b[2]),
			Buckets: uint64(b[3]),
			Slots:   uint64(binary.LittleEndian.Uint16(b[4:])),
		}
	} else {
		b := take(32)
		p = Params{
			Keys:    binary.LittleEndian.Uint64(b),
			Parts:   binary.LittleEndian.Uint64(b[8:]),
			Buckets: binary.LittleEndian.Uint64(b[16:]),
			Slots:   binary.LittleEndian.Uint64(b[24:]),
		}
	}
	const most = 1 << 16 // entries the fuzzer may make us allocate
	if p.Validate() != nil || p.PilotsLen() > most || p.RemapLen() > most {
		return p, nil, nil
	}
	pilots := make([]uint8, p.PilotsLen())
	remap := make([]uint32, p.RemapLen())
	if len(data) > 0 {
		for i := range pilots {
			pilots[i] = data[i%len(data)]
		}
		for i := range remap {
			j := 4 * i % len(data)
			remap[i] = uint32(data[j]) | uint32(data[(j+1)%len(data)])<<8 |
				uint32(data[(j+2)%len(data)])<<16 | uint32(data[(j+3)%len(data)])<<24
		}
	}
	return p, pilots, remap
}

// FuzzIndex: on any Params and arrays, NewIndex refuses what does not fit and
// Lookup never panics on what it accepts.
func FuzzIndex(f *testing.F) {
	f.Add([]byte{0, 10, 0, 3, 5, 4, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{1})
	f.Add([]byte{0, 0, 0, 1, 1, 1, 0})
	hs := randomHashes(100, 1)
	p, pilots, remap, err := Build(hs, nil)
	if err != nil {
		f.Fatal(err)
	}
	seed := []byte{0}
	seed = binary.LittleEndian.AppendUint16(seed, uint16(p.Keys))
	seed = append(seed, byte(p.Parts), byte(p.Buckets))
	seed = binary.LittleEndian.AppendUint16(seed, uint16(p.Slots))
	seed = append(seed, pilots...)
	for _, r := range remap {
		seed = binary.LittleEndian.AppendUint32(seed, r)
	}
	f.Add(seed)
	big := []byte{1}
	for _, v := range []uint64{MaxKeys, 1 << 20, 1 << 44, 1} {
		big = binary.LittleEndian.AppendUint64(big, v)
	}
	f.Add(big)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, pilots, remap := fuzzIndex(data)
		x, err := NewIndex(p, pilots, remap)
		valid := p.Validate() == nil
		if err != nil {
			if !errors.Is(err, ErrParams) {
				t.Fatalf("NewIndex(%+v): %v, not ErrParams", p, err)
			}
			if valid && pilots != nil {
				t.Fatalf("NewIndex(%+v) refuses arrays of the right lengths: %v", p, err)
			}
			return
		}
		if !valid {
			t.Fatalf("NewIndex accepts %+v, which Validate refuses", p)
		}
		probe := []uint64{0, 1, math.MaxUint64, 1 << 63}
		for i := range uint64(64) {
			probe = append(probe, splitmix(i))
		}
		for i := 0; i+8 <= len(data); i += 8 {
			probe = append(probe, binary.LittleEndian.Uint64(data[i:]))
		}
		out := make([]uint64, len(probe))
		x.LookupMany(probe, out)
		for i, h := range probe {
			got := x.Lookup(h)
			if got != out[i] {
				t.Fatalf("Lookup(%#x) = %d, LookupMany %d", h, got, out[i])
			}
			// Within the slots or an entry of the remap array.
			if got >= p.Parts*p.Slots && got > math.MaxUint32 {
				t.Fatalf("Lookup(%#x) = %d, beyond every slot and remap value", h, got)
			}
		}
		if len(pilots) > 0 {
			if _, err := NewIndex(p, pilots[1:], remap); !errors.Is(err, ErrParams) {
				t.Fatalf("NewIndex with a pilot short: %v", err)
			}
		}
		if _, err := NewIndex(p, pilots, append(remap, 0)); !errors.Is(err, ErrParams) {
			t.Fatalf("NewIndex with a remap entry too many: %v", err)
		}
	})
}
