package memmap

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap/internal/testutil"
)

// The io interfaces a Map implements.
var (
	_ io.ReaderAt    = (*Map)(nil)
	_ io.WriterAt    = (*Map)(nil)
	_ io.ReadWriter  = (*Map)(nil)
	_ io.Seeker      = (*Map)(nil)
	_ io.ByteReader  = (*Map)(nil)
	_ io.ByteWriter  = (*Map)(nil)
	_ io.WriterTo    = (*Map)(nil)
	_ io.ReadSeeker  = (*Map)(nil)
	_ io.WriteSeeker = (*Map)(nil)
)

const digits = "0123456789"

// errIs reports whether err matches want, with a nil want meaning no error.
func errIs(err, want error) bool {
	if want == nil {
		return err == nil
	}
	return errors.Is(err, want)
}

func TestReadAt(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		off     int64
		n       int
		want    string
		wantErr error
	}{
		{"start", digits, 0, 4, "0123", nil},
		{"middle", digits, 3, 4, "3456", nil},
		{"to the end", digits, 6, 4, "6789", nil},
		{"whole", digits, 0, 10, digits, nil},
		{"across the end", digits, 8, 4, "89", io.EOF},
		{"longer than the map", digits, 0, 20, digits, io.EOF},
		{"at the end", digits, 10, 4, "", io.EOF},
		{"past the end", digits, 11, 4, "", io.EOF},
		{"far past the end", digits, 1 << 62, 4, "", io.EOF},
		{"empty at the start", digits, 0, 0, "", nil},
		{"empty in the middle", digits, 5, 0, "", nil},
		{"empty at the end", digits, 10, 0, "", io.EOF},
		{"negative", digits, -1, 4, "", ErrRange},
		{"most negative", digits, -1 << 63, 4, "", ErrRange},
		{"empty map", "", 0, 4, "", io.EOF},
		{"empty map empty read", "", 0, 0, "", io.EOF},
		{"empty map negative", "", -1, 0, "", ErrRange},
	}
	for _, k := range mapKinds {
		for _, tt := range tests {
			t.Run(k.name+"/"+tt.name, func(t *testing.T) {
				m := k.make(t, []byte(tt.data), ReadOnly)
				p := make([]byte, tt.n)
				n, err := m.ReadAt(p, tt.off)
				if !errIs(err, tt.wantErr) {
					t.Errorf("ReadAt(%d bytes, %d) error = %v, want %v", tt.n, tt.off, err, tt.wantErr)
				}
				if diff := cmp.Diff(tt.want, string(p[:n])); diff != "" {
					t.Errorf("ReadAt(%d bytes, %d) read (-want +got):\n%s", tt.n, tt.off, diff)
				}
				if m.Tell() != 0 {
					t.Errorf("ReadAt moved the position to %d", m.Tell())
				}
			})
		}
	}
}

func TestWriteAt(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		p       string
		off     int64
		want    string // the map afterwards
		wantN   int
		wantErr error
	}{
		{"start", digits, "ab", 0, "ab23456789", 2, nil},
		{"middle", digits, "abc", 4, "0123abc789", 3, nil},
		{"to the end", digits, "abc", 7, "0123456abc", 3, nil},
		{"whole", digits, "abcdefghij", 0, "abcdefghij", 10, nil},
		{"across the end", digits, "abc", 8, digits, 0, ErrRange},
		{"longer than the map", digits, "abcdefghijk", 0, digits, 0, ErrRange},
		{"at the end", digits, "a", 10, digits, 0, ErrRange},
		{"past the end", digits, "a", 11, digits, 0, ErrRange},
		{"far past the end", digits, "a", 1<<63 - 1, digits, 0, ErrRange},
		{"empty at the end", digits, "", 10, digits, 0, nil},
		{"empty past the end", digits, "", 11, digits, 0, ErrRange},
		{"negative", digits, "a", -1, digits, 0, ErrRange},
		{"empty negative", digits, "", -1, digits, 0, ErrRange},
		{"most negative", digits, "a", -1 << 63, digits, 0, ErrRange},
		{"empty map", "", "a", 0, "", 0, ErrRange},
		{"empty map empty write", "", "", 0, "", 0, nil},
	}
	for _, k := range mapKinds {
		for _, mode := range []Mode{ReadWrite, CopyOnWrite} {
			for _, tt := range tests {
				t.Run(k.name+"/"+mode.String()+"/"+tt.name, func(t *testing.T) {
					m := k.make(t, []byte(tt.data), mode)
					n, err := m.WriteAt([]byte(tt.p), tt.off)
					if n != tt.wantN || !errIs(err, tt.wantErr) {
						t.Errorf("WriteAt(%q, %d) = %d, %v, want %d, %v", tt.p, tt.off, n, err, tt.wantN, tt.wantErr)
					}
					if diff := cmp.Diff(tt.want, string(m.data)); diff != "" {
						t.Errorf("map after WriteAt(%q, %d) (-want +got):\n%s", tt.p, tt.off, diff)
					}
					if m.Tell() != 0 {
						t.Errorf("WriteAt moved the position to %d", m.Tell())
					}
				})
			}
		}
	}
}

func TestReadWriteIotest(t *testing.T) {
	// iotest.TestReader checks Read, ReadAt and Seek against the content.
	for _, k := range mapKinds {
		for _, data := range []string{"", "x", digits, string(bytes.Repeat([]byte("memmap\n"), 1000))} {
			t.Run(k.name, func(t *testing.T) {
				m := k.make(t, []byte(data), ReadOnly)
				if err := iotest.TestReader(m, []byte(data)); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

func TestRead(t *testing.T) {
	for _, k := range mapKinds {
		for _, size := range []int{0, 1, 3, 10, 11} {
			t.Run(k.name, func(t *testing.T) {
				m := k.make(t, []byte(digits), ReadOnly)
				var got []byte
				buf := make([]byte, size)
				for range 20 {
					n, err := m.Read(buf)
					got = append(got, buf[:n]...)
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatalf("Read: %v", err)
					}
					if size > 0 && n == 0 {
						t.Fatalf("Read(%d bytes) = 0, nil", size)
					}
				}
				want := digits
				if size == 0 {
					want = ""
				}
				if diff := cmp.Diff(want, string(got)); diff != "" {
					t.Errorf("Read in %d-byte steps (-want +got):\n%s", size, diff)
				}
				if size > 0 {
					if m.Tell() != 10 {
						t.Errorf("position after reading all = %d, want 10", m.Tell())
					}
					if n, err := m.Read(buf); n != 0 || err != io.EOF {
						t.Errorf("Read at the end = %d, %v, want 0, EOF", n, err)
					}
				}
			})
		}
	}
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name    string
		pos     int64
		p       string
		want    string
		wantN   int
		wantPos int64
		wantErr error
	}{
		{"start", 0, "ab", "ab23456789", 2, 2, nil},
		{"middle", 4, "abc", "0123abc789", 3, 7, nil},
		{"to the end", 7, "abc", "0123456abc", 3, 10, nil},
		{"across the end", 8, "abc", digits, 0, 8, ErrRange},
		{"at the end", 10, "a", digits, 0, 10, ErrRange},
		{"empty at the end", 10, "", digits, 0, 10, nil},
		{"empty", 3, "", digits, 0, 3, nil},
	}
	for _, k := range mapKinds {
		for _, tt := range tests {
			t.Run(k.name+"/"+tt.name, func(t *testing.T) {
				m := k.make(t, []byte(digits), ReadWrite)
				if _, err := m.Seek(tt.pos, io.SeekStart); err != nil {
					t.Fatal(err)
				}
				n, err := m.Write([]byte(tt.p))
				if n != tt.wantN || !errIs(err, tt.wantErr) {
					t.Errorf("Write(%q) at %d = %d, %v, want %d, %v", tt.p, tt.pos, n, err, tt.wantN, tt.wantErr)
				}
				if diff := cmp.Diff(tt.want, string(m.data)); diff != "" {
					t.Errorf("map after Write (-want +got):\n%s", diff)
				}
				if m.Tell() != tt.wantPos {
					t.Errorf("position after Write = %d, want %d", m.Tell(), tt.wantPos)
				}
			})
		}
	}
}

func TestWriteSequence(t *testing.T) {
	// Writes in steps fill the map like a file; the write that does not fit
	// changes nothing.
	for _, k := range mapKinds {
		t.Run(k.name, func(t *testing.T) {
			m := k.make(t, make([]byte, 10), ReadWrite)
			for _, s := range []string{"abc", "", "defg", "hij"} {
				if n, err := m.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
			}
			if n, err := m.Write([]byte("k")); n != 0 || !errors.Is(err, ErrRange) {
				t.Errorf("Write past the end = %d, %v, want 0, ErrRange", n, err)
			}
			if diff := cmp.Diff("abcdefghij", string(m.data)); diff != "" {
				t.Errorf("map (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSeek(t *testing.T) {
	tests := []struct {
		name    string
		start   int64 // the position before
		offset  int64
		whence  int
		want    int64 // the position after
		wantErr error
	}{
		{"start", 5, 0, io.SeekStart, 0, nil},
		{"start middle", 5, 3, io.SeekStart, 3, nil},
		{"start end", 5, 10, io.SeekStart, 10, nil},
		{"start past the end", 5, 11, io.SeekStart, 5, ErrRange},
		{"start negative", 5, -1, io.SeekStart, 5, ErrRange},
		{"start max", 5, 1<<63 - 1, io.SeekStart, 5, ErrRange},
		{"current", 5, 0, io.SeekCurrent, 5, nil},
		{"current forward", 5, 2, io.SeekCurrent, 7, nil},
		{"current back", 5, -5, io.SeekCurrent, 0, nil},
		{"current to the end", 5, 5, io.SeekCurrent, 10, nil},
		{"current before the start", 5, -6, io.SeekCurrent, 5, ErrRange},
		{"current past the end", 5, 6, io.SeekCurrent, 5, ErrRange},
		{"current max", 5, 1<<63 - 1, io.SeekCurrent, 5, ErrRange},
		{"current min", 5, -1 << 63, io.SeekCurrent, 5, ErrRange},
		{"end", 5, 0, io.SeekEnd, 10, nil},
		{"end back", 5, -3, io.SeekEnd, 7, nil},
		{"end to the start", 5, -10, io.SeekEnd, 0, nil},
		{"end before the start", 5, -11, io.SeekEnd, 5, ErrRange},
		{"end past the end", 5, 1, io.SeekEnd, 5, ErrRange},
		{"end min", 5, -1 << 63, io.SeekEnd, 5, ErrRange},
		{"bad whence", 5, 0, 3, 5, ErrRange},
		{"negative whence", 5, 0, -1, 5, ErrRange},
	}
	for _, k := range mapKinds {
		for _, tt := range tests {
			t.Run(k.name+"/"+tt.name, func(t *testing.T) {
				m := k.make(t, []byte(digits), ReadOnly)
				if _, err := m.Seek(tt.start, io.SeekStart); err != nil {
					t.Fatal(err)
				}
				got, err := m.Seek(tt.offset, tt.whence)
				if !errIs(err, tt.wantErr) {
					t.Errorf("Seek(%d, %d) error = %v, want %v", tt.offset, tt.whence, err, tt.wantErr)
				}
				if err != nil && strings.Count(err.Error(), "memmap:") != 1 {
					t.Errorf("Seek(%d, %d) error %q repeats or lacks the memmap: prefix", tt.offset, tt.whence, err)
				}
				if err == nil && got != tt.want {
					t.Errorf("Seek(%d, %d) = %d, want %d", tt.offset, tt.whence, got, tt.want)
				}
				if m.Tell() != tt.want {
					t.Errorf("Tell() after Seek(%d, %d) = %d, want %d", tt.offset, tt.whence, m.Tell(), tt.want)
				}
			})
		}
	}
	t.Run("empty map", func(t *testing.T) {
		m := newTestMap(nil, ReadOnly)
		if got, err := m.Seek(0, io.SeekEnd); got != 0 || err != nil {
			t.Errorf("Seek(0, SeekEnd) = %d, %v, want 0, nil", got, err)
		}
		if _, err := m.Seek(1, io.SeekStart); !errors.Is(err, ErrRange) {
			t.Errorf("Seek(1, SeekStart) error = %v, want ErrRange", err)
		}
	})
}

func TestReadByteWriteByte(t *testing.T) {
	for _, k := range mapKinds {
		t.Run(k.name, func(t *testing.T) {
			m := k.make(t, []byte(digits), ReadWrite)
			var got []byte
			for {
				c, err := m.ReadByte()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("ReadByte: %v", err)
				}
				got = append(got, c)
			}
			if diff := cmp.Diff(digits, string(got)); diff != "" {
				t.Errorf("ReadByte sequence (-want +got):\n%s", diff)
			}
			if c, err := m.ReadByte(); c != 0 || err != io.EOF {
				t.Errorf("ReadByte at the end = %d, %v, want 0, EOF", c, err)
			}
			if err := m.WriteByte('x'); !errors.Is(err, ErrRange) {
				t.Errorf("WriteByte at the end = %v, want ErrRange", err)
			}
			if _, err := m.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			for _, c := range []byte("abcdefghij") {
				if err := m.WriteByte(c); err != nil {
					t.Fatalf("WriteByte(%q) at %d: %v", c, m.Tell(), err)
				}
			}
			if err := m.WriteByte('k'); !errors.Is(err, ErrRange) {
				t.Errorf("WriteByte at the end = %v, want ErrRange", err)
			}
			if diff := cmp.Diff("abcdefghij", string(m.data)); diff != "" {
				t.Errorf("map after WriteByte (-want +got):\n%s", diff)
			}
			if m.Tell() != 10 {
				t.Errorf("position = %d, want 10", m.Tell())
			}
		})
	}
	t.Run("empty map", func(t *testing.T) {
		m := newTestMap(nil, ReadWrite)
		if _, err := m.ReadByte(); err != io.EOF {
			t.Errorf("ReadByte = %v, want EOF", err)
		}
		if err := m.WriteByte(1); !errors.Is(err, ErrRange) {
			t.Errorf("WriteByte = %v, want ErrRange", err)
		}
	})
}

// lineTexts are texts for the line tests: with and without a final
// newline, with "\r\n", with empty lines.
var lineTexts = []string{
	"",
	"a",
	"a\n",
	"\n",
	"\n\n\n",
	"one\ntwo\nthree",
	"one\ntwo\nthree\n",
	"one\n\ntwo\n\n",
	"\none\n",
	"dos\r\nlines\r\n",
	"dos\r\nno final\r",
	"\r\n\r\n",
	"\r",
	"mixed\r\nunix\nold mac\rlast",
	"no newline at all",
	"utf-8 \u00e9\u4e16\n\xff\xfe\n",
}

func TestReadLine(t *testing.T) {
	// ReadLine yields the lines of bufio.Reader.ReadBytes('\n'), with nil
	// errors, then io.EOF.
	for _, k := range mapKinds {
		for _, text := range lineTexts {
			t.Run(k.name, func(t *testing.T) {
				var want []string
				br := bufio.NewReader(bytes.NewReader([]byte(text)))
				for {
					line, err := br.ReadBytes('\n')
					if len(line) > 0 {
						want = append(want, string(line))
					}
					if err != nil {
						break
					}
				}
				m := k.make(t, []byte(text), ReadOnly)
				var got []string
				for range len(text) + 2 {
					line, err := m.ReadLine()
					if err == io.EOF {
						if line != nil {
							t.Errorf("ReadLine at the end = %q, EOF, want nil", line)
						}
						break
					}
					if err != nil {
						t.Fatalf("ReadLine: %v", err)
					}
					if cap(line) != len(line) {
						t.Errorf("ReadLine = %q with capacity %d, want capped", line, cap(line))
					}
					got = append(got, string(line))
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("ReadLine sequence of %q (-bufio.ReadBytes +got):\n%s", text, diff)
				}
				if m.Tell() != int64(len(text)) {
					t.Errorf("position = %d, want %d", m.Tell(), len(text))
				}
			})
		}
	}
}

func TestReadLineAliases(t *testing.T) {
	m := newTestMap([]byte("ab\ncd\n"), ReadWrite)
	if _, err := m.Seek(3, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	line, err := m.ReadLine()
	if err != nil || string(line) != "cd\n" {
		t.Fatalf("ReadLine = %q, %v", line, err)
	}
	line[0] = 'X'
	if got := string(m.data); got != "ab\nXd\n" {
		t.Errorf("map after writing through the line = %q, want the change", got)
	}
	// Appending copies instead of writing past the line.
	m2 := newTestMap([]byte("ab\ncd\n"), ReadWrite)
	first, _ := m2.ReadLine()
	_ = append(first, '!')
	if got := string(m2.data); got != "ab\ncd\n" {
		t.Errorf("append to a line changed the map: %q", got)
	}
}

// shortWriter writes at most max bytes a call, with a nil error.
type shortWriter struct {
	buf bytes.Buffer
	max int
}

func (w *shortWriter) Write(p []byte) (int, error) {
	if len(p) > w.max {
		p = p[:w.max]
	}
	return w.buf.Write(p)
}

// badWriter returns a count it did not write.
type badWriter struct{ n int }

func (w badWriter) Write(p []byte) (int, error) { return w.n, nil }

func TestWriteTo(t *testing.T) {
	for _, k := range mapKinds {
		for _, pos := range []int64{0, 1, 5, 9, 10} {
			t.Run(k.name, func(t *testing.T) {
				m := k.make(t, []byte(digits), ReadOnly)
				if _, err := m.Seek(pos, io.SeekStart); err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				n, err := m.WriteTo(&buf)
				if err != nil || n != 10-pos {
					t.Errorf("WriteTo from %d = %d, %v, want %d, nil", pos, n, err, 10-pos)
				}
				if diff := cmp.Diff(digits[pos:], buf.String()); diff != "" {
					t.Errorf("WriteTo from %d wrote (-want +got):\n%s", pos, diff)
				}
				if m.Tell() != 10 {
					t.Errorf("position after WriteTo = %d, want 10", m.Tell())
				}
			})
		}
		t.Run(k.name+"/io.Copy", func(t *testing.T) {
			m := k.make(t, []byte(digits), ReadOnly)
			var buf bytes.Buffer
			if n, err := io.Copy(&buf, m); n != 10 || err != nil || buf.String() != digits {
				t.Errorf("io.Copy = %d, %v, %q", n, err, buf.String())
			}
		})
		t.Run(k.name+"/short write", func(t *testing.T) {
			m := k.make(t, []byte(digits), ReadOnly)
			w := &shortWriter{max: 4}
			n, err := m.WriteTo(w)
			if n != 4 || err != io.ErrShortWrite || w.buf.String() != "0123" {
				t.Errorf("WriteTo a short writer = %d, %v, %q; want 4, ErrShortWrite, 0123", n, err, w.buf.String())
			}
			if m.Tell() != 4 {
				t.Errorf("position after a short write = %d, want 4", m.Tell())
			}
		})
		t.Run(k.name+"/writer error", func(t *testing.T) {
			m := k.make(t, []byte(digits), ReadOnly)
			n, err := m.WriteTo(errWriter{})
			if n != 0 || !errors.Is(err, errWrite) {
				t.Errorf("WriteTo a failing writer = %d, %v, want 0, errWrite", n, err)
			}
		})
		t.Run(k.name+"/bad writer", func(t *testing.T) {
			for _, bad := range []int{-1, 11} {
				m := k.make(t, []byte(digits), ReadOnly)
				n, err := m.WriteTo(badWriter{bad})
				if n != 0 || err == nil {
					t.Errorf("WriteTo a writer returning %d = %d, %v, want 0 and an error", bad, n, err)
				}
				if m.Tell() != 0 {
					t.Errorf("position after a bad writer = %d, want 0", m.Tell())
				}
			}
		})
	}
}

var errWrite = errors.New("write failed")

type errWriter struct{}

func (errWriter) Write(p []byte) (int, error) { return 0, errWrite }

func TestMove(t *testing.T) {
	tests := []struct {
		name          string
		dst, src, n   int64
		wantErr       error
		wantUnchanged bool
	}{
		{"forward overlapping", 2, 0, 6, nil, false},
		{"backward overlapping", 0, 2, 6, nil, false},
		{"forward disjoint", 6, 0, 4, nil, false},
		{"backward disjoint", 0, 6, 4, nil, false},
		{"onto itself", 3, 3, 5, nil, false},
		{"to the end", 7, 0, 3, nil, false},
		{"whole", 0, 0, 10, nil, false},
		{"nothing", 4, 2, 0, nil, false},
		{"nothing at the end", 10, 10, 0, nil, false},
		{"dst past the end", 8, 0, 3, ErrRange, true},
		{"src past the end", 0, 8, 3, ErrRange, true},
		{"dst beyond", 11, 0, 0, ErrRange, true},
		{"src beyond", 0, 11, 0, ErrRange, true},
		{"negative dst", -1, 0, 1, ErrRange, true},
		{"negative src", 0, -1, 1, ErrRange, true},
		{"negative n", 0, 1, -1, ErrRange, true},
		{"huge n", 0, 0, 1<<63 - 1, ErrRange, true},
		{"huge dst", 1<<63 - 1, 0, 1, ErrRange, true},
		{"most negative", -1 << 63, -1 << 63, -1 << 63, ErrRange, true},
	}
	for _, k := range mapKinds {
		for _, tt := range tests {
			t.Run(k.name+"/"+tt.name, func(t *testing.T) {
				m := k.make(t, []byte(digits), ReadWrite)
				want := []byte(digits)
				if !tt.wantUnchanged {
					copy(want[tt.dst:tt.dst+tt.n], want[tt.src:tt.src+tt.n])
				}
				err := m.Move(tt.dst, tt.src, tt.n)
				if !errIs(err, tt.wantErr) {
					t.Errorf("Move(%d, %d, %d) = %v, want %v", tt.dst, tt.src, tt.n, err, tt.wantErr)
				}
				if diff := cmp.Diff(string(want), string(m.data)); diff != "" {
					t.Errorf("map after Move(%d, %d, %d) (-copy +got):\n%s", tt.dst, tt.src, tt.n, diff)
				}
			})
		}
	}
}

func TestReadOnlyRejectsWrites(t *testing.T) {
	for _, k := range mapKinds {
		t.Run(k.name, func(t *testing.T) {
			m := k.make(t, []byte(digits), ReadOnly)
			if _, err := m.Seek(3, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			checks := map[string]error{}
			_, checks["WriteAt"] = m.WriteAt([]byte("ab"), 0)
			_, checks["WriteAt empty"] = m.WriteAt(nil, 0)
			_, checks["WriteAt out of range"] = m.WriteAt([]byte("ab"), 100)
			_, checks["Write"] = m.Write([]byte("ab"))
			_, checks["Write empty"] = m.Write(nil)
			checks["WriteByte"] = m.WriteByte('x')
			checks["Move"] = m.Move(0, 1, 2)
			checks["Move out of range"] = m.Move(0, 100, 2)
			for name, err := range checks {
				if !errors.Is(err, ErrReadOnly) {
					t.Errorf("%s on a read-only map = %v, want ErrReadOnly", name, err)
				}
			}
			if diff := cmp.Diff(digits, string(m.data)); diff != "" {
				t.Errorf("read-only map changed (-want +got):\n%s", diff)
			}
			if m.Tell() != 3 {
				t.Errorf("position = %d, want 3", m.Tell())
			}
			// Reads still work.
			if c, err := m.ReadByte(); c != '3' || err != nil {
				t.Errorf("ReadByte = %q, %v", c, err)
			}
		})
	}
}

func TestClosed(t *testing.T) {
	m := newClosedMap()
	buf := make([]byte, 4)
	checks := map[string]error{}
	var n int
	n, checks["ReadAt"] = m.ReadAt(buf, 0)
	if n != 0 {
		t.Errorf("ReadAt after Close read %d bytes", n)
	}
	_, checks["WriteAt"] = m.WriteAt(buf, 0)
	_, checks["Read"] = m.Read(buf)
	_, checks["Write"] = m.Write(buf)
	_, checks["Seek"] = m.Seek(0, io.SeekStart)
	_, checks["ReadByte"] = m.ReadByte()
	checks["WriteByte"] = m.WriteByte(1)
	var line []byte
	line, checks["ReadLine"] = m.ReadLine()
	if line != nil {
		t.Errorf("ReadLine after Close = %q", line)
	}
	var buf2 bytes.Buffer
	_, checks["WriteTo"] = m.WriteTo(&buf2)
	checks["Move"] = m.Move(0, 0, 0)
	for name, err := range checks {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	if m.Tell() != 0 {
		t.Errorf("Tell after Close = %d, want 0", m.Tell())
	}
	if buf2.Len() != 0 {
		t.Errorf("WriteTo after Close wrote %q", buf2.String())
	}
}

// TestErrorPrefixOnce checks that the errors of the file-like methods and
// of Reader say "memmap:" once, however they wrap their sentinel.
func TestErrorPrefixOnce(t *testing.T) {
	m := newTestMap([]byte(digits), ReadWrite)
	r := NewReader([]byte(digits), nil)
	errs := map[string]error{}
	_, errs["ReadAt"] = m.ReadAt(make([]byte, 1), -1)
	_, errs["WriteAt"] = m.WriteAt([]byte("ab"), 100)
	_, errs["Seek whence"] = m.Seek(0, 7)
	_, errs["Seek offset"] = m.Seek(100, io.SeekStart)
	errs["Move"] = m.Move(0, 100, 2)
	_, errs["Reader.Seek"] = r.Seek(0, 7)
	errs["Reader.Skip"] = r.Skip(-1)
	_, errs["Reader.Bytes"] = r.Bytes(-1)
	m.pos = len(m.data)
	_, errs["Write"] = m.Write([]byte("x"))
	errs["WriteByte"] = m.WriteByte('x')
	for name, err := range errs {
		if !errors.Is(err, ErrRange) {
			t.Errorf("%s = %v, want ErrRange", name, err)
			continue
		}
		if n := strings.Count(err.Error(), "memmap:"); n != 1 {
			t.Errorf("%s error %q says memmap: %d times, want once", name, err, n)
		}
	}
}

func TestClosedKeepsData(t *testing.T) {
	// Even if Close left the old slice in m.data, no method touches it.
	data := []byte(digits)
	m := newTestMap(data, ReadWrite)
	m.pos = 2
	m.closed = true
	if _, err := m.WriteAt([]byte("x"), 0); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteAt = %v", err)
	}
	if err := m.Move(0, 1, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Move = %v", err)
	}
	if err := m.WriteByte('x'); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteByte = %v", err)
	}
	if string(data) != digits {
		t.Errorf("closed map changed: %q", data)
	}
	if n, err := m.ReadAt(make([]byte, 2), 0); n != 0 || !errors.Is(err, ErrClosed) {
		t.Errorf("ReadAt = %d, %v", n, err)
	}
	// The searches panic after Close rather than search the old slice
	// (TestSearchClosed checks the panics).
	func() {
		defer func() { _ = recover() }()
		if m.Find([]byte("1")) >= 0 {
			t.Errorf("Find after Close found something")
		}
	}()
}

func TestPositionPastShrunkEnd(t *testing.T) {
	// Resize may leave the position past the new end: reads see the end,
	// writes fail, Seek from the current position fails, until a Seek.
	m := newTestMap([]byte(digits), ReadWrite)
	if _, err := m.Seek(8, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	m.data = m.data[:5:5] // what a shrinking Resize does
	if n, err := m.Read(make([]byte, 3)); n != 0 || err != io.EOF {
		t.Errorf("Read = %d, %v, want 0, EOF", n, err)
	}
	if _, err := m.ReadByte(); err != io.EOF {
		t.Errorf("ReadByte = %v, want EOF", err)
	}
	if line, err := m.ReadLine(); line != nil || err != io.EOF {
		t.Errorf("ReadLine = %q, %v, want nil, EOF", line, err)
	}
	var buf bytes.Buffer
	if n, err := m.WriteTo(&buf); n != 0 || err != nil {
		t.Errorf("WriteTo = %d, %v, want 0, nil", n, err)
	}
	if n, err := m.Write(nil); n != 0 || !errors.Is(err, ErrRange) {
		t.Errorf("Write(nil) = %d, %v, want 0, ErrRange", n, err)
	}
	if err := m.WriteByte('x'); !errors.Is(err, ErrRange) {
		t.Errorf("WriteByte = %v, want ErrRange", err)
	}
	if _, err := m.Seek(0, io.SeekCurrent); !errors.Is(err, ErrRange) {
		t.Errorf("Seek(0, SeekCurrent) = %v, want ErrRange", err)
	}
	if m.Tell() != 8 {
		t.Errorf("Tell = %d, want 8", m.Tell())
	}
	if got, err := m.Seek(-3, io.SeekCurrent); got != 5 || err != nil {
		t.Errorf("Seek(-3, SeekCurrent) = %d, %v, want 5, nil", got, err)
	}
}

func TestIOAllocs(t *testing.T) {
	for _, k := range mapKinds {
		t.Run(k.name, func(t *testing.T) {
			m := k.make(t, []byte(digits+"\n"+digits), ReadWrite)
			buf := make([]byte, 4)
			tests := map[string]func(){
				"ReadAt":     func() { _, _ = m.ReadAt(buf, 3) },
				"ReadAt EOF": func() { _, _ = m.ReadAt(buf, 100) },
				"WriteAt":    func() { _, _ = m.WriteAt(buf, 3) },
				"Read": func() {
					m.pos = 0
					_, _ = m.Read(buf)
				},
				"Write": func() {
					m.pos = 0
					_, _ = m.Write(buf)
				},
				"ReadByte": func() {
					m.pos = 0
					_, _ = m.ReadByte()
				},
				"WriteByte": func() {
					m.pos = 0
					_ = m.WriteByte('0')
				},
				"Seek": func() { _, _ = m.Seek(3, io.SeekStart) },
				"Tell": func() { _ = m.Tell() },
				"ReadLine": func() {
					m.pos = 0
					_, _ = m.ReadLine()
				},
				"WriteTo": func() {
					m.pos = 0
					_, _ = m.WriteTo(io.Discard)
				},
				"Move": func() { _ = m.Move(1, 0, 5) },
			}
			for name, f := range tests {
				if got := testing.AllocsPerRun(100, f); got != 0 {
					t.Errorf("%s allocates %v times a call, want 0", name, got)
				}
			}
		})
	}
}

func TestFileModes(t *testing.T) {
	// The file-like writes on real file maps: ReadWrite changes reach the
	// file, CopyOnWrite changes stay in memory, ReadOnly rejects them.
	const orig = "0123456789abcdef"
	const changed = "ABc34CDE89abcdef" // after the writes below
	for _, mode := range []Mode{ReadWrite, CopyOnWrite, ReadOnly} {
		t.Run(mode.String(), func(t *testing.T) {
			m := newFileMap(t, []byte(orig), mode)
			var errs []error
			_, err := m.WriteAt([]byte("AB"), 0)
			errs = append(errs, err)
			_, err = m.Seek(5, io.SeekStart)
			errs = append(errs, err)
			_, err = m.Write([]byte("CD"))
			errs = append(errs, err)
			errs = append(errs, m.WriteByte('E'))
			errs = append(errs, m.Move(2, 12, 1), m.Move(2, 2, 1)) // 'c' over '2', then onto itself
			errs = append(errs, m.Move(3, 3, 0))
			wantMap, wantFile, wantErr := changed, changed, error(nil)
			switch mode {
			case CopyOnWrite:
				wantFile = orig
			case ReadOnly:
				wantMap, wantFile, wantErr = orig, orig, ErrReadOnly
			}
			for i, err := range errs {
				if i == 1 { // Seek
					if err != nil {
						t.Errorf("Seek: %v", err)
					}
					continue
				}
				if !errIs(err, wantErr) {
					t.Errorf("write %d = %v, want %v", i, err, wantErr)
				}
			}
			if err := m.Flush(); err != nil {
				t.Errorf("Flush: %v", err)
			}
			if diff := cmp.Diff(wantMap, string(m.Bytes())); diff != "" {
				t.Errorf("map (-want +got):\n%s", diff)
			}
			file, err := os.ReadFile(m.path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantFile, string(file)); diff != "" {
				t.Errorf("file (-want +got):\n%s", diff)
			}
			// Reads see the map.
			got, err := io.ReadAll(io.NewSectionReader(m, 0, int64(m.Len())))
			if err != nil || string(got) != wantMap {
				t.Errorf("ReadAt through a SectionReader = %q, %v, want %q", got, err, wantMap)
			}
		})
	}
}

func TestClosedFileMap(t *testing.T) {
	// A real map after Close: every method returns ErrClosed and touches
	// nothing (the memory is unmapped: a touch would crash the test).
	m := newFileMap(t, []byte("line one\nline two\n"), ReadWrite)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	checks := map[string]error{}
	_, checks["ReadAt"] = m.ReadAt(buf, 0)
	_, checks["WriteAt"] = m.WriteAt(buf, 0)
	_, checks["Read"] = m.Read(buf)
	_, checks["Write"] = m.Write(buf)
	_, checks["Seek"] = m.Seek(0, io.SeekStart)
	_, checks["ReadByte"] = m.ReadByte()
	checks["WriteByte"] = m.WriteByte(1)
	_, checks["ReadLine"] = m.ReadLine()
	_, checks["WriteTo"] = m.WriteTo(io.Discard)
	checks["Move"] = m.Move(0, 1, 2)
	for name, err := range checks {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	sub := []byte("line")
	// The searches panic with ErrClosed, without touching the memory.
	for name, fn := range map[string]func(){
		"Find": func() { m.Find(sub) }, "RFind": func() { m.RFind(sub) }, "FindRange": func() { m.FindRange(nil, 0, 5) },
		"Count": func() { m.Count(sub) }, "CountRange": func() { m.CountRange(nil, 0, 5) },
		"CountOverlapping": func() { m.CountOverlapping(sub) },
		// The iterators too, at their first step.
		"All":            func() { drain(m.All(sub)) },
		"AllOverlapping": func() { drain(m.AllOverlapping(sub)) },
		"Lines":          func() { drain2(m.Lines()) },
	} {
		func() {
			defer func() {
				err, _ := recover().(error)
				if !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), m.path) {
					t.Errorf("%s after Close: recovered %v, want a panic with ErrClosed naming the path", name, err)
				}
			}()
			fn()
		}()
	}
	if m.Tell() != 0 {
		t.Errorf("Tell after Close = %d", m.Tell())
	}
}

// TestBulkWrite: writes of bulkWrite bytes and more (pwrite where the page
// cache is shared) land in the map and the file alike, in views taken
// before them, after a Resize as on pages already mapped, and through
// Write as WriteAt; an anonymous map gets them too.
func TestBulkWrite(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "bulk.bin")
	m, err := Create(path, 4096, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Resize(4 << 20); err != nil {
		t.Fatal(err)
	}
	view := m.Bytes()
	p := make([]byte, 1<<20)
	for i := range p {
		p[i] = byte(i*7 + i>>12)
	}
	if n, err := m.WriteAt(p, 4096+3); err != nil || n != len(p) {
		t.Fatalf("WriteAt: %d, %v", n, err)
	}
	if _, err := m.Seek(2<<20, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if n, err := m.Write(p); err != nil || n != len(p) {
		t.Fatalf("Write: %d, %v", n, err)
	}
	if m.Tell() != 3<<20 {
		t.Fatalf("position after Write: %d, want %d", m.Tell(), 3<<20)
	}
	if !bytes.Equal(view[4096+3:4096+3+len(p)], p) || !bytes.Equal(view[2<<20:3<<20], p) {
		t.Fatal("a view taken before the writes does not see them")
	}
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file[4096+3:4096+3+len(p)], p) || !bytes.Equal(file[2<<20:3<<20], p) || file[4096+2] != 0 {
		t.Fatal("the file does not hold what was written")
	}
	a, err := Anonymous(2<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.WriteAt(p, 5); err != nil || !bytes.Equal(a.Bytes()[5:5+len(p)], p) {
		t.Fatalf("bulk WriteAt to an anonymous map: %v, or its bytes differ", err)
	}
}
