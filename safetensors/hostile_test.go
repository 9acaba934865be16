package safetensors_test

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/safetensors"
)

// stfile builds a file: the header length, the header, the data.
func stfile(header string, data int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, make([]byte, data)...)
}

const okEntry = `{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}`

// TestHostile: every rule of the format, broken one at a time, gives an
// error matching ErrFormat (never a panic, hang or huge allocation); the
// valid variants open.
func TestHostile(t *testing.T) {
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	for _, c := range []struct {
		name  string
		file  []byte
		ok    bool
		short bool // io.ErrUnexpectedEOF too
	}{
		{"valid", stfile(`{"t":`+okEntry+`}`, 16), true, false},
		{"valid padded", stfile(`{"t":`+okEntry+`}    `, 16), true, false},
		{"valid leading whitespace (as the reference reads it)", stfile("\t\n {}\r ", 0), true, false},
		{"valid empty", stfile(`{}`, 0), true, false},
		{"valid metadata null", stfile(`{"__metadata__":null}`, 0), true, false},
		{"valid metadata", stfile(`{"__metadata__":{"a":"b","c":""}}`, 0), true, false},
		{"valid 0-d", stfile(`{"t":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}`, 4), true, false},
		{"valid zero-size", stfile(`{"t":{"dtype":"I32","shape":[2,0],"data_offsets":[0,0]}}`, 0), true, false},
		{"valid zero-size twins", stfile(`{"a":{"dtype":"I32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F64","shape":[0],"data_offsets":[0,0]},"c":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, 1), true, false},
		{"valid unknown key", stfile(`{"t":{"dtype":"U8","extra":{"x":[1,{"y":null}]},"shape":[1],"data_offsets":[0,1]}}`, 1), true, false},
		{"valid unicode name", stfile(`{"名前\u00e9":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, 1), true, false},
		{"valid F4 even", stfile(`{"t":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}}`, 2), true, false},
		{"valid unordered", stfile(`{"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, 2), true, false},

		{"empty file", nil, false, true},
		{"7 bytes", []byte{2, 0, 0, 0, 0, 0, 0}, false, true},
		{"header length 2^63", binary.LittleEndian.AppendUint64(nil, 1<<63), false, false},
		{"header length 2^64-1", binary.LittleEndian.AppendUint64(nil, 1<<64-1), false, false},
		{"header length over 100 MB", append(binary.LittleEndian.AppendUint64(nil, 100_000_001), "{}"...), false, false},
		{"header past the end", append(binary.LittleEndian.AppendUint64(nil, 100), "{}"...), false, true},
		{"empty header", stfile(``, 0), false, false},
		{"not UTF-8", stfile("{\"\xff\":1}", 0), false, false},
		{"not JSON", stfile(`{`, 0), false, false},
		{"not an object", stfile(`[]`, 0), false, false},
		{"a string", stfile(`"x"`, 0), false, false},
		{"trailing JSON", stfile(`{}{}`, 0), false, false},
		{"trailing garbage", stfile(`{} x`, 0), false, false},
		{"NUL padding", stfile("{}\x00\x00", 0), false, false},
		{"deeply nested", stfile(`{"t":`+deep+`}`, 0), false, false},
		{"deeply nested unknown key", stfile(`{"t":{"x":`+deep+`,"dtype":"U8","shape":[],"data_offsets":[0,1]}}`, 1), false, false},
		{"duplicate tensor", stfile(`{"t":`+okEntry+`,"t":`+okEntry+`}`, 16), false, false},
		{"duplicate metadata", stfile(`{"__metadata__":{},"__metadata__":{}}`, 0), false, false},
		{"duplicate metadata key", stfile(`{"__metadata__":{"a":"1","a":"2"}}`, 0), false, false},
		{"duplicate dtype", stfile(`{"t":{"dtype":"I32","dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}`, 16), false, false},
		{"duplicate shape", stfile(`{"t":{"dtype":"I32","shape":[4],"shape":[2,2],"data_offsets":[0,16]}}`, 16), false, false},
		{"metadata number", stfile(`{"__metadata__":{"a":1}}`, 0), false, false},
		{"metadata null value", stfile(`{"__metadata__":{"a":null}}`, 0), false, false},
		{"metadata object value", stfile(`{"__metadata__":{"a":{}}}`, 0), false, false},
		{"metadata array", stfile(`{"__metadata__":["a"]}`, 0), false, false},
		{"metadata string", stfile(`{"__metadata__":"a"}`, 0), false, false},
		{"tensor not an object", stfile(`{"t":[1]}`, 0), false, false},
		{"tensor null", stfile(`{"t":null}`, 0), false, false},
		{"no dtype", stfile(`{"t":{"shape":[2,2],"data_offsets":[0,16]}}`, 16), false, false},
		{"no shape", stfile(`{"t":{"dtype":"I32","data_offsets":[0,16]}}`, 16), false, false},
		{"no offsets", stfile(`{"t":{"dtype":"I32","shape":[2,2]}}`, 16), false, false},
		{"unknown dtype", stfile(`{"t":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}`, 16), false, false},
		{"lower-case dtype", stfile(`{"t":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}`, 4), false, false},
		{"dtype number", stfile(`{"t":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}`, 4), false, false},
		{"negative dim", stfile(`{"t":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}`, 0), false, false},
		{"float dim", stfile(`{"t":{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}}`, 1), false, false},
		{"exponent dim", stfile(`{"t":{"dtype":"U8","shape":[1e0],"data_offsets":[0,1]}}`, 1), false, false},
		{"string dim", stfile(`{"t":{"dtype":"U8","shape":["1"],"data_offsets":[0,1]}}`, 1), false, false},
		{"dim 2^64", stfile(`{"t":{"dtype":"U8","shape":[18446744073709551616],"data_offsets":[0,1]}}`, 1), false, false},
		{"shape overflow", stfile(`{"t":{"dtype":"I32","shape":[2,18446744073709551614],"data_offsets":[0,16]}}`, 16), false, false},
		{"bytes overflow", stfile(`{"t":{"dtype":"I32","shape":[2,9223372036854775807],"data_offsets":[0,16]}}`, 16), false, false},
		{"overflow before a zero dim", stfile(`{"t":{"dtype":"U8","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}}`, 0), false, false},
		{"huge dim times zero", stfile(`{"t":{"dtype":"U8","shape":[18446744073709551615,0],"data_offsets":[0,0]}}`, 0), false, false},
		{"negative offset", stfile(`{"t":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}}`, 1), false, false},
		{"one offset", stfile(`{"t":{"dtype":"U8","shape":[1],"data_offsets":[0]}}`, 1), false, false},
		{"three offsets", stfile(`{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}`, 1), false, false},
		{"offsets object", stfile(`{"t":{"dtype":"U8","shape":[1],"data_offsets":{"a":0}}}`, 1), false, false},
		{"end before begin", stfile(`{"t":{"dtype":"U8","shape":[0],"data_offsets":[1,0]}}`, 1), false, false},
		{"hole at the start", stfile(`{"t":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, 2), false, false},
		{"hole between", stfile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}`, 3), false, false},
		{"overlap", stfile(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}`, 3), false, false},
		{"same offsets (the reference's JSON attack)", stfile(`{"a":`+okEntry+`,"b":`+okEntry+`}`, 16), false, false},
		{"size mismatch", stfile(`{"t":{"dtype":"I32","shape":[2,2],"data_offsets":[0,4]}}`, 4), false, false},
		{"F4 half byte", stfile(`{"t":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}`, 2), false, false},
		{"trailing bytes", stfile(`{"t":`+okEntry+`}`, 17), false, false},
		{"missing bytes", stfile(`{"t":`+okEntry+`}`, 14), false, true},
		{"bytes without tensors", stfile(`{}`, 1), false, false},
		{"offsets past a huge file", stfile(`{"t":{"dtype":"U8","shape":[1152921504606846976],"data_offsets":[0,1152921504606846976]}}`, 0), false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := safetensors.Parse(c.file)
			if c.ok {
				if err != nil {
					t.Fatalf("valid file refused: %v", err)
				}
				return
			}
			if !errors.Is(err, safetensors.ErrFormat) {
				t.Fatalf("got %v, want ErrFormat", err)
			}
			if errors.Is(err, io.ErrUnexpectedEOF) != c.short {
				t.Errorf("%v: matches io.ErrUnexpectedEOF: %v, want %v", err, !c.short, c.short)
			}
			t.Log(err)
		})
	}
}

// TestHostileOpen: Open gives the same errors, as *os.PathError values.
func TestHostileOpen(t *testing.T) {
	dir := testutil.TempDir(t)
	for name, b := range map[string][]byte{
		"dup":   stfile(`{"t":`+okEntry+`,"t":`+okEntry+`}`, 16),
		"short": stfile(`{"t":`+okEntry+`}`, 10),
		"empty": nil,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := safetensors.Open(path)
		var pe *os.PathError
		if !errors.Is(err, safetensors.ErrFormat) || !errors.As(err, &pe) || pe.Path != path {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := safetensors.Open(dir); err == nil {
		t.Error("Open of a directory")
	}
	if _, err := safetensors.Open(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestTruncated cuts a valid file (of the reference's samples) at every
// length: each gives an error matching ErrFormat and io.ErrUnexpectedEOF
// (the header length is checked against the file's before the JSON is
// read).
func TestTruncated(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtures, "overall.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(b) {
		_, err := safetensors.Parse(b[:i])
		if !errors.Is(err, safetensors.ErrFormat) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d of %d: %v, want ErrFormat and io.ErrUnexpectedEOF", i, len(b), err)
		}
	}
	if _, err := safetensors.Parse(b); err != nil {
		t.Fatal(err)
	}
}
