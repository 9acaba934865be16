package sys

import (
	"bytes"
	"errors"
	"os"
	"runtime"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
)

func openT(t *testing.T, path string, flag int) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestLock(t *testing.T) {
	if runtime.GOOS == "aix" {
		t.Skip("no flock on aix")
	}
	path := testutil.WriteFile(t, []byte("x"))
	f1 := openT(t, path, os.O_RDWR)
	f2 := openT(t, path, os.O_RDWR)
	if err := Lock(f1, true); err != nil {
		t.Fatalf("first exclusive lock: %v", err)
	}
	if err := Lock(f2, true); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("second exclusive lock = %v, want ErrWouldBlock", err)
	}
	// Closing an unrelated descriptor of the same file must not release
	// the lock (the classic fcntl pitfall).
	f3, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	f3.Close()
	if err := Lock(f2, true); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("exclusive lock after closing another descriptor = %v, want ErrWouldBlock", err)
	}
	if err := Lock(f2, false); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("shared lock under an exclusive one = %v, want ErrWouldBlock", err)
	}
	if err := Unlock(f1); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	if err := Lock(f2, false); err != nil {
		t.Fatalf("shared lock after unlock: %v", err)
	}
	if err := Lock(f1, false); err != nil {
		t.Fatalf("second shared lock: %v", err)
	}
	if err := Unlock(f1); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	if err := Unlock(f2); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	if err := Lock(f2, true); err != nil {
		t.Fatalf("exclusive lock after unlocks: %v", err)
	}
	if err := Unlock(f2); err != nil {
		t.Fatalf("unlock: %v", err)
	}
}

func TestGrow(t *testing.T) {
	path := testutil.WriteFile(t, []byte("abc"))
	f := openT(t, path, os.O_RDWR)
	for _, tc := range []struct {
		name string
		to   int64
		want int64
	}{
		{"grow", 5000, 5000},
		{"smaller is a no-op", 100, 5000},
		{"same", 5000, 5000},
		{"grow more", 1 << 20, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cur, err := fileSize(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := Grow(f, cur, tc.to); err != nil {
				t.Fatalf("Grow(%d): %v", tc.to, err)
			}
			fi, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() != tc.want {
				t.Fatalf("size = %d, want %d", fi.Size(), tc.want)
			}
		})
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 1<<20)
	copy(want, "abc")
	if !bytes.Equal(got, want) {
		t.Fatal("grown file does not hold the old bytes followed by zeros")
	}
}

func TestMapUnmap(t *testing.T) {
	size := 3*Granularity() + 123
	data := pattern(size)
	for _, tc := range []struct {
		name   string
		acc    Access
		flag   int
		off    int64
		length int
	}{
		{"read whole", Read, os.O_RDONLY, 0, size},
		{"read tail", Read, os.O_RDONLY, int64(Granularity()), size - Granularity()},
		{"write whole", Write, os.O_RDWR, 0, size},
		{"write part", Write, os.O_RDWR, int64(2 * Granularity()), 100},
		{"copy whole", Copy, os.O_RDONLY, 0, size},
		{"populate", Read, os.O_RDONLY, 0, size},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := testutil.WriteFile(t, data)
			f := openT(t, path, tc.flag)
			b, err := MapFile(f, tc.off, tc.length, tc.acc, tc.name == "populate")
			if err != nil {
				t.Fatalf("MapFile: %v", err)
			}
			want := data[tc.off : tc.off+int64(tc.length)]
			if !bytes.Equal(b, want) {
				t.Fatal("mapped bytes differ from the file")
			}
			if tc.acc != Read {
				b[0] ^= 0xff
				b[len(b)-1] ^= 0xff
				if tc.acc == Write {
					if err := Sync(b); err != nil {
						t.Fatalf("Sync: %v", err)
					}
					if err := SyncFile(f); err != nil {
						t.Fatalf("SyncFile: %v", err)
					}
				}
			}
			for _, a := range []Advice{Normal, Sequential, Random, WillNeed} {
				if err := Advise(b, a); err != nil {
					t.Fatalf("Advise(%d): %v", a, err)
				}
			}
			if err := Unmap(b); err != nil {
				t.Fatalf("Unmap: %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wantFile := append([]byte(nil), data...)
			if tc.acc == Write {
				wantFile[tc.off] ^= 0xff
				wantFile[tc.off+int64(tc.length)-1] ^= 0xff
			}
			if !bytes.Equal(got, wantFile) {
				t.Fatal("file content after unmap is wrong")
			}
		})
	}
}

func TestReserveMapFixed(t *testing.T) {
	page := PageSize()
	path := testutil.WriteFile(t, pattern(page))
	f := openT(t, path, os.O_RDWR)
	res, err := Reserve(64*page, 0)
	if errors.Is(err, ErrUnsupported) {
		t.Skipf("Reserve: %v (views are kept instead on %s)", err, runtime.GOOS)
	}
	if err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	defer func() {
		if err := Unmap(res); err != nil {
			t.Errorf("Unmap: %v", err)
		}
	}()
	if err := MapFixed(res[:page], f, 0, Write, false); err != nil {
		t.Fatalf("MapFixed: %v", err)
	}
	if !bytes.Equal(res[:page], pattern(page)) {
		t.Fatal("first page differs from the file")
	}
	view := res[:page]
	// Grow the file and map the new pages right after the old ones.
	if err := Grow(f, int64(page), int64(10*page)); err != nil {
		t.Fatal(err)
	}
	if err := MapFixed(res[page:10*page], f, int64(page), Write, true); err != nil {
		t.Fatalf("MapFixed tail: %v", err)
	}
	res[5*page] = 42
	view[1] = 43
	if err := Sync(res[:10*page]); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got[5*page] != 42 || got[1] != 43 {
		t.Fatalf("file bytes = %d, %d; want 42, 43", got[5*page], got[1])
	}
	// The unmapped rest of the reservation faults; Guard catches it.
	err = Guard(func() error {
		sink = res[20*page]
		return nil
	})
	var fe *FaultError
	if !errors.As(err, &fe) {
		t.Fatalf("touching reserved memory: err = %v, want *FaultError", err)
	}
}

// sink keeps a load from being optimized away.
var sink byte

func TestGuardPassesThrough(t *testing.T) {
	sentinel := errors.New("x")
	if err := Guard(func() error { return sentinel }); err != sentinel {
		t.Fatalf("Guard returned %v, want the function's error", err)
	}
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v, want the original panic", r)
		}
	}()
	_ = Guard(func() error { panic("boom") })
	t.Fatal("Guard swallowed a panic that is not a fault")
}

func TestAnonymousFile(t *testing.T) {
	f, err := AnonymousFile("memmap-test")
	if errors.Is(err, ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("AnonymousFile: %v", err)
	}
	defer f.Close()
	if err := Grow(f, 0, int64(Granularity())); err != nil {
		t.Fatalf("Grow: %v", err)
	}
	b, err := MapFile(f, 0, Granularity(), Write, false)
	if err != nil {
		t.Fatalf("MapFile: %v", err)
	}
	b[7] = 9
	buf := make([]byte, 1)
	if _, err := f.ReadAt(buf, 7); err != nil || buf[0] != 9 {
		t.Fatalf("ReadAt = %v, %v; want the mapped write", buf, err)
	}
	if err := Unmap(b); err != nil {
		t.Fatalf("Unmap: %v", err)
	}
}

func TestRoundUp(t *testing.T) {
	for _, tc := range []struct {
		n, unit, want int
		ok            bool
	}{
		{0, 4096, 0, true},
		{1, 4096, 4096, true},
		{4096, 4096, 4096, true},
		{4097, 4096, 8192, true},
		{int(^uint(0)>>1) - 10, 4096, 0, false},
	} {
		got, ok := RoundUp(tc.n, tc.unit)
		if got != tc.want || ok != tc.ok {
			t.Errorf("RoundUp(%d, %d) = %d, %v; want %d, %v", tc.n, tc.unit, got, ok, tc.want, tc.ok)
		}
	}
}
