package npz_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/npz"
)

var le = binary.LittleEndian

// npyBytes returns a .npy file of n little-endian int32s 0, 1, 2 ...
func npyBytes(t testing.TB, n int) []byte {
	t.Helper()
	dt, err := layout.ParseDescr("'<i4'")
	if err != nil {
		t.Fatal(err)
	}
	h := &header.Header{DType: dt, Shape: []int64{int64(n)}}
	b, err := h.Encode()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		b = le.AppendUint32(b, uint32(i))
	}
	return b
}

// writerArchive returns an archive of two members the Writer wrote.
func writerArchive(t testing.TB, zip64 bool) []byte {
	t.Helper()
	path := filepath.Join(testutil.TempDir(t), "w.npz")
	w, err := npz.Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if zip64 {
		npz.ForceZip64(w)
	}
	if err := npz.Add(w, "a", seq(100, func(i int) float64 { return float64(i) }), nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "b", seq(12, func(i int) int32 { return int32(i) }), []int{3, 4}, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawMember is a member that zipArchive writes as given, lies included.
type rawMember struct {
	name         string
	method       uint16
	data         []byte // the member's bytes in the archive (compressed or not)
	crc          uint32
	csize, usize uint64
}

// zipArchive writes an archive with archive/zip's CreateRaw, which takes
// the CRC and sizes as given.
func zipArchive(t testing.TB, ms ...rawMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range ms {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: m.name, Method: m.method, CRC32: m.crc, CompressedSize64: m.csize, UncompressedSize64: m.usize})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// stored is a truthful stored member.
func stored(name string, b []byte) rawMember {
	return rawMember{name, zip.Store, b, crc32.ChecksumIEEE(b), uint64(len(b)), uint64(len(b))}
}

// deflated is a truthful deflated member.
func deflated(t testing.TB, name string, b []byte) rawMember {
	var c bytes.Buffer
	zw, _ := flate.NewWriter(&c, flate.BestCompression)
	zw.Write(b)
	zw.Close()
	return rawMember{name, zip.Deflate, c.Bytes(), crc32.ChecksumIEEE(b), uint64(c.Len()), uint64(len(b))}
}

// openAll opens the archive b and every member of it, typed and untyped,
// and verifies it, and returns the first error.
func openAll(t testing.TB, b []byte) error {
	t.Helper()
	path := testutil.WriteFile(t, b)
	f, err := npz.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, name := range f.Names() {
		if _, err := f.Info(name); err != nil {
			return err
		}
		a, err := f.Any(name)
		if err != nil {
			return err
		}
		if _, err := a.Bytes(); err != nil {
			return err
		}
		if err := f.Verify(name); err != nil {
			return err
		}
	}
	return nil
}

// dirEntries returns the offsets of the central directory entries of b.
func dirEntries(b []byte) []int {
	var out []int
	for i := 0; ; {
		k := bytes.Index(b[i:], []byte("PK\x01\x02"))
		if k < 0 {
			return out
		}
		out = append(out, i+k)
		i += k + 4
	}
}

// patch returns a copy of b changed by fn.
func patch(b []byte, fn func(b []byte)) []byte {
	c := append([]byte(nil), b...)
	fn(c)
	return c
}

// TestMalformed: each kind of broken archive gives an error matching
// ErrFormat (and the other sentinels listed), never a panic.
func TestMalformed(t *testing.T) {
	good := writerArchive(t, false)
	good64 := writerArchive(t, true)
	if err := openAll(t, good); err != nil {
		t.Fatalf("good archive: %v", err)
	}
	if err := openAll(t, good64); err != nil {
		t.Fatalf("good zip64 archive: %v", err)
	}
	npy := npyBytes(t, 1000)
	c0 := dirEntries(good)[0]
	c1 := dirEntries(good)[1]
	lho1 := int(le.Uint32(good[c1+42:]))
	eocd := len(good) - 22
	c64 := dirEntries(good64)[0] // its zip64 extra: usize, csize, offset
	x64 := c64 + 46 + len("a.npy")
	end64 := len(good64) - 22 - 20 - 56
	withTail := append(append([]byte(nil), npy...), make([]byte, 5000)...)
	bomb := deflated(t, "a.npy", withTail)
	bomb.usize = uint64(len(npy)) // the stream holds more than this
	huge := deflated(t, "a.npy", npy)
	huge.usize = 1 << 50
	short := deflated(t, "a.npy", npy)
	short.usize = uint64(len(npy)) + 4000 // within deflate's ratio, more than the stream holds
	badCRC := deflated(t, "a.npy", npy)
	badCRC.crc ^= 1
	storedBadCRC := stored("a.npy", npy)
	storedBadCRC.crc ^= 1
	cut := deflated(t, "a.npy", npy)
	cut.data = cut.data[:len(cut.data)/2]
	cut.csize = uint64(len(cut.data))
	lying := stored("a.npy", npy)
	lying.usize-- // a stored member whose sizes differ
	bzip2 := stored("a.npy", npy)
	bzip2.method = 12
	tooBig := npyBytes(t, 10)
	tooBig = tooBig[:len(tooBig)-1] // the header says more data than the member holds

	for _, c := range []struct {
		name string
		b    []byte
		also []error // matched besides ErrFormat
	}{
		{"not a zip", bytes.Repeat([]byte("not a zip archive "), 10), nil},
		{"empty", nil, []error{io.ErrUnexpectedEOF}},
		{"only an end record", []byte("PK\x05\x06" + string(make([]byte, 18))), nil}, // an empty archive: no error
		{"npy file", npy, nil},
		{"bad local header signature", patch(good, func(b []byte) { b[0] = 'X' }), nil},
		{"bad central signature", patch(good, func(b []byte) { b[c1+3] = 9 }), nil},
		{"local name differs", patch(good, func(b []byte) { b[30] = 'c' }), nil},
		{"local method differs", patch(good, func(b []byte) { b[8] = 8 }), nil},
		{"local CRC differs", patch(good, func(b []byte) { b[14] ^= 1 }), nil},
		{"local size differs", patch(good, func(b []byte) { b[22]++ }), nil},
		{"local header offset past the end", patch(good, func(b []byte) { le.PutUint32(b[c1+42:], uint32(len(b)+10)) }), []error{io.ErrUnexpectedEOF}},
		{"local header offset into the directory", patch(good, func(b []byte) { le.PutUint32(b[c1+42:], uint32(c0)) }), nil},
		{"member past the end", patch(good, func(b []byte) {
			le.PutUint32(b[lho1+18:], 1<<30)
			le.PutUint32(b[lho1+22:], 1<<30)
			le.PutUint32(b[c1+20:], 1<<30)
			le.PutUint32(b[c1+24:], 1<<30)
		}), []error{io.ErrUnexpectedEOF}},
		{"member into the directory", patch(good, func(b []byte) {
			n := uint32(c0 - lho1)
			le.PutUint32(b[lho1+18:], n)
			le.PutUint32(b[lho1+22:], n)
			le.PutUint32(b[c1+20:], n)
			le.PutUint32(b[c1+24:], n)
		}), nil},
		{"members overlap", patch(good, func(b []byte) {
			n := uint32(lho1) // member a's data covers b's local header
			le.PutUint32(b[18:], n)
			le.PutUint32(b[22:], n)
			le.PutUint32(b[c0+20:], n)
			le.PutUint32(b[c0+24:], n)
		}), nil},
		{"directory past the end", patch(good, func(b []byte) { le.PutUint32(b[eocd+16:], uint32(len(b))) }), []error{io.ErrUnexpectedEOF}},
		{"directory size lying", patch(good, func(b []byte) { le.PutUint32(b[eocd+12:], le.Uint32(b[eocd+12:])+30) }), nil},
		{"entry count lying", patch(good, func(b []byte) { le.PutUint16(b[eocd+8:], 3); le.PutUint16(b[eocd+10:], 3) }), nil},
		{"entry count huge", patch(good, func(b []byte) { le.PutUint16(b[eocd+8:], 60000); le.PutUint16(b[eocd+10:], 60000) }), nil},
		{"multi-disk", patch(good, func(b []byte) { le.PutUint16(b[eocd+4:], 1) }), nil},
		{"name flagged UTF-8 invalid", zipArchiveUTF8(t), nil},
		{"encrypted", patch(good, func(b []byte) { b[6] |= 1; b[c0+8] |= 1 }), nil},
		{"method 12", zipArchive(t, bzip2), nil},
		{"stored sizes differ", zipArchive(t, lying), nil},
		{"duplicate names", zipArchive(t, stored("a.npy", npy), stored("a.npy", npy)), nil},
		{"duplicate non-npy names", zipArchive(t, stored("x", npy), stored("x", npy)), nil},
		{"member not .npy", zipArchive(t, stored("a.npy", []byte("hello, world"))), []error{header.ErrFormat}},
		{"deflated member not .npy", zipArchive(t, deflated(t, "a.npy", bytes.Repeat([]byte("hello, world"), 100))), []error{header.ErrFormat}},
		{"npy shorter than its header says", zipArchive(t, stored("a.npy", tooBig)), []error{header.ErrFormat, io.ErrUnexpectedEOF}},
		{"deflated npy shorter than its header says", zipArchive(t, deflated(t, "a.npy", tooBig)), []error{header.ErrFormat, io.ErrUnexpectedEOF}},
		{"deflate stream longer than its size", zipArchive(t, bomb), nil},
		{"deflate size huge", zipArchive(t, huge), nil},
		{"deflate stream shorter than its size", zipArchive(t, short), []error{io.ErrUnexpectedEOF}},
		{"deflate stream cut", zipArchive(t, cut), []error{io.ErrUnexpectedEOF}},
		{"deflate stream corrupt", zipArchive(t, rawMember{"a.npy", zip.Deflate, bytes.Repeat([]byte{0xff}, 100), 0, 100, 1000}), nil},
		{"deflated CRC wrong", zipArchive(t, badCRC), nil},
		{"stored CRC wrong (Verify)", zipArchive(t, storedBadCRC), nil},
		{"zip64 size lying", patch(good64, func(b []byte) { le.PutUint64(b[x64+4:], 1<<40); le.PutUint64(b[x64+12:], 1<<40) }), nil},
		{"zip64 size negative", patch(good64, func(b []byte) { le.PutUint64(b[x64+4:], 1<<63); le.PutUint64(b[x64+12:], 1<<63) }), nil},
		{"zip64 offset lying", patch(good64, func(b []byte) { le.PutUint64(b[x64+20:], 1<<40) }), []error{io.ErrUnexpectedEOF}},
		{"zip64 offset wrong", patch(good64, func(b []byte) { le.PutUint64(b[x64+20:], 64) }), nil},
		{"zip64 extra short", patch(good64, func(b []byte) { le.PutUint16(b[x64+2:], 8) }), nil},
		{"zip64 extra missing", patch(good64, func(b []byte) { le.PutUint16(b[x64:], 0x7777) }), nil},
		{"zip64 record signature", patch(good64, func(b []byte) { b[end64] = 'X' }), nil},
		{"zip64 record count huge", patch(good64, func(b []byte) { le.PutUint64(b[end64+24:], 1<<60); le.PutUint64(b[end64+32:], 1<<60) }), nil},
		{"zip64 directory offset huge", patch(good64, func(b []byte) { le.PutUint64(b[end64+48:], 1<<62) }), []error{io.ErrUnexpectedEOF}},
		{"zip64 directory size huge", patch(good64, func(b []byte) { le.PutUint64(b[end64+40:], 1<<63-1) }), []error{io.ErrUnexpectedEOF}},
		{"zip64 locator offset huge", patch(good64, func(b []byte) { le.PutUint64(b[len(b)-22-20+8:], 1<<63) }), nil},
		{"zip64 locator disks", patch(good64, func(b []byte) { le.PutUint32(b[len(b)-22-20+16:], 2) }), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := openAll(t, c.b)
			if c.name == "only an end record" {
				if err != nil {
					t.Errorf("an empty archive: %v", err)
				}
				return
			}
			if !errors.Is(err, npz.ErrFormat) {
				t.Fatalf("got %v, want ErrFormat", err)
			}
			for _, e := range c.also {
				if !errors.Is(err, e) {
					t.Errorf("got %v, want it to match %v too", err, e)
				}
			}
			t.Log(err)
		})
	}
}

// zipArchiveUTF8 is an archive whose member name is flagged UTF-8 but is not.
func zipArchiveUTF8(t *testing.T) []byte {
	b := zipArchive(t, stored("\xff\xfe.npy", npyBytes(t, 1)))
	for _, off := range append(dirEntries(b), 0) {
		k := 6
		if off != 0 {
			k = 8
		}
		b[off+k+1] |= 0x08 // flag bit 11
	}
	return b
}

// TestTruncated: an archive cut at every length fails to open with an
// error matching ErrFormat and io.ErrUnexpectedEOF.
func TestTruncated(t *testing.T) {
	b64, err := os.ReadFile(filepath.Join("testdata", "zip64.npz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"writer", writerArchive(t, false)},
		{"deflated", zipArchive(t, deflated(t, "a.npy", npyBytes(t, 50)), deflated(t, "b.npy", npyBytes(t, 7)))},
		{"zip64", b64},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(testutil.TempDir(t), "cut.npz")
			for n := range len(c.b) {
				if err := os.WriteFile(path, c.b[:n], 0o644); err != nil {
					t.Fatal(err)
				}
				f, err := npz.Open(path)
				if err == nil {
					f.Close()
				}
				if !errors.Is(err, npz.ErrFormat) || !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("cut at %d of %d bytes: %v, want ErrFormat and io.ErrUnexpectedEOF", n, len(c.b), err)
				}
			}
		})
	}
}
