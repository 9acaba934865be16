package store

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/gomemmap/memmap/header"
)

// script is a file whose header changes from read to read: each read of
// offset 0 (a new read of the header) takes the next of reads, the last
// one for good. calls counts every ReadAt (pread).
type script struct {
	reads [][]byte
	next  int // the read of offset 0 to come
	cur   []byte
	calls int
	err   error // returned by every ReadAt, if set
}

func (s *script) ReadAt(b []byte, off int64) (int, error) {
	s.calls++
	if s.err != nil {
		return 0, s.err
	}
	if off == 0 {
		s.cur = s.reads[min(s.next, len(s.reads)-1)]
		s.next++
	}
	if off >= int64(len(s.cur)) {
		return 0, io.EOF
	}
	n := copy(b, s.cur[off:])
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// npy returns the bytes of a .npy header of shape (n,) of i4, with pad
// more spaces of padding (a long header), and 8 bytes of data after it.
func npy(t *testing.T, n int64, pad int) []byte {
	t.Helper()
	raw, err := (&header.Header{DType: i4(t), Shape: []int64{n}}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	if pad > 0 { // a version 2.0 header with pad more spaces: longer than headerProbe
		text := string(raw[10:len(raw)-1]) + strings.Repeat(" ", pad) + "\n"
		for (12+len(text))%64 != 0 {
			text = " " + text
		}
		b := append([]byte(header.Magic), 2, 0, byte(len(text)), byte(len(text)>>8), 0, 0)
		raw = append(b, text...)
	}
	return append(raw, 1, 2, 3, 4, 5, 6, 7, 8)
}

// poisonedAt returns b with the first digit of its shape replaced by the
// poison byte, as writers of earlier versions left a commit across a
// page while it was under way.
func poisonedAt(b []byte) []byte {
	p := bytes.Clone(b)
	i := bytes.Index(p, []byte("'shape': (")) + len("'shape': (")
	p[i] = poison
	return p
}

// TestReadCommitted: the one loop that waits out a commit (Open, Stat,
// Refresh) takes a header a writer's read parses once, a reader's when two
// reads agree, waits while an old writer's poison byte is there, and
// fails at once on a header that stays malformed.
func TestReadCommitted(t *testing.T) {
	good, other := npy(t, 1000, 0), npy(t, 1001, 0)
	long := npy(t, 7, 1000)
	malformed := bytes.Replace(bytes.Clone(good), []byte("'descr'"), []byte("'dexcr'"), 1)
	for _, c := range []struct {
		name   string
		reads  [][]byte
		settle bool
		want   int64 // the length read; -1 for an error
		calls  int   // preads made
		errIs  []error
	}{
		{"writer", [][]byte{good}, false, 1000, 1, nil},
		{"reader", [][]byte{good}, true, 1000, 2, nil},
		{"writer, long header", [][]byte{long}, false, 7, 2, nil},
		{"reader, long header", [][]byte{long}, true, 7, 4, nil},
		{"reader, header changing", [][]byte{good, other, good, other, other}, true, 1001, 5, nil},
		{"reader, data changing", [][]byte{good, append(good[:len(good)-1:len(good)-1], 9)}, true, 1000, 3, nil},
		{"reader, poisoned then committed", [][]byte{poisonedAt(good), poisonedAt(good), poisonedAt(good), other}, true, 1001, 5, nil},
		{"writer, poisoned then committed", [][]byte{poisonedAt(good), poisonedAt(good), other}, false, 1001, 3, nil},
		{"torn read then committed", [][]byte{malformed, good}, false, 1000, 2, nil},
		{"malformed", [][]byte{malformed}, true, -1, 3, []error{header.ErrFormat}},
		{"truncated", [][]byte{good[:40]}, true, -1, 3, []error{header.ErrFormat, io.ErrUnexpectedEOF}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &script{reads: c.reads}
			h, b, err := readCommitted(r, headerProbe, 0, c.settle)
			switch {
			case c.want < 0:
				for _, target := range c.errIs {
					if !errors.Is(err, target) {
						t.Errorf("error %v, want one matching %v", err, target)
					}
				}
			case err != nil:
				t.Fatalf("error %v, want shape (%d,)", err, c.want)
			case h.Shape[0] != c.want || int64(len(b)) < h.DataOffset:
				t.Errorf("shape %v from %d bytes (header of %d), want (%d,)", h.Shape, len(b), h.DataOffset, c.want)
			}
			if r.calls != c.calls {
				t.Errorf("%d preads, want %d", r.calls, c.calls)
			}
		})
	}

	// The OS's error is returned at once.
	r := &script{reads: [][]byte{good}, err: syscall.EIO}
	if _, _, err := readCommitted(r, headerProbe, 0, true); !errors.Is(err, syscall.EIO) || r.calls != 1 {
		t.Errorf("EIO: %v after %d preads, want EIO after 1", err, r.calls)
	}
}
