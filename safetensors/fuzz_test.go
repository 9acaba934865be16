package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen parses arbitrary bytes as a safetensors file: parse must
// never panic, and either refuse them with ErrFormat or return tensors
// that tile the data area exactly. About one valid input in sixteen is
// also written to a file and opened, and every tensor of it read through
// Bytes and Any.
func FuzzOpen(f *testing.F) {
	// Seeds: the reference's samples and a few shapes of the format.
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.safetensors"))
	if len(paths) == 0 {
		f.Fatalf("no reference samples in testdata (see testdata/README.md)")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	seed := func(h string, data int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
		return append(append(b, h...), make([]byte, data)...)
	}
	f.Add(seed(`{}`, 0))
	f.Add(seed(`{"__metadata__":{"a":"b"},"t":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,12]}}`, 12))
	f.Add(seed(`{"a":{"dtype":"F8_E4M3","shape":[3],"data_offsets":[0,3]},"b":{"dtype":"C64","shape":[],"data_offsets":[3,11]}}`, 11))
	f.Add(seed(`{"t":{"dtype":"F4","shape":[4],"data_offsets":[0,2]},"x":{"dtype":"BOOL","shape":[0,5],"data_offsets":[2,2]}}`, 2))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parse(b)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error not matching ErrFormat: %v", err)
			}
			return
		}
		off := p.dataOff
		for _, ti := range p.tensors {
			if ti.Offset != off || ti.Size < 0 {
				t.Fatalf("tensor %q at %d (+%d), want %d", ti.Name, ti.Offset, ti.Size, off)
			}
			off += ti.Size
		}
		if off != int64(len(b)) {
			t.Fatalf("tensors end at %d of %d", off, len(b))
		}
		if crc32.ChecksumIEEE(b)%16 != 0 {
			return
		}
		tf, err := os.CreateTemp("", "memmap-fuzz-*.safetensors")
		if err != nil {
			t.Fatal(err)
		}
		path := tf.Name()
		defer os.Remove(path)
		_, err = tf.Write(b)
		if cerr := tf.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		file, err := Open(path)
		if err != nil {
			t.Fatalf("parse accepts, Open refuses: %v", err)
		}
		defer file.Close()
		for _, ti := range file.Tensors() {
			raw, err := file.Bytes(ti.Name)
			if err != nil || !bytes.Equal(raw, b[ti.Offset:ti.Offset+ti.Size]) {
				t.Fatalf("Bytes(%q): %v", ti.Name, err)
			}
			if ti.Type == nil {
				continue
			}
			a, err := file.Any(ti.Name)
			if err != nil {
				// Shapes that array refuses (too many dims, too large
				// for this host) are errors, not panics.
				continue
			}
			if a.Len() > 0 {
				if v, err := a.At(make([]int, len(ti.Shape))...); err == nil {
					_ = v.String()
				}
			}
			a.Close()
		}
	})
}
