package memmap

import (
	"bytes"
	"errors"
	"runtime"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
)

// TestRemapFollowsWriter checks that a ReadOnly map follows a file that a
// writer grows, with and without a reservation, and that views taken
// before stay valid and keep reading the file.
func TestRemapFollowsWriter(t *testing.T) {
	for _, reserve := range []int64{0, 1 << 24} {
		path := testutil.WriteFile(t, pattern(3000))
		r := mustOpen(t, path, ReadOnly, &Options{Reserve: reserve})
		w := mustOpen(t, path, ReadWrite, nil)
		early := r.Bytes()
		for _, n := range []int64{5000, 70000, 300000} {
			if err := w.Resize(n); err != nil {
				t.Fatal(err)
			}
			copy(w.Bytes()[n-10:], "0123456789")
			copy(w.Bytes()[:4], "head")
			if err := r.Remap(n); err != nil {
				t.Fatalf("reserve %d: Remap(%d): %v", reserve, n, err)
			}
			if r.Len() != int(n) || !bytes.Equal(r.Bytes()[n-10:], []byte("0123456789")) {
				t.Fatalf("reserve %d: after Remap(%d): len %d, tail %q", reserve, n, r.Len(), r.Bytes()[r.Len()-10:])
			}
			if string(early[:4]) != "head" {
				t.Fatalf("reserve %d: early view reads %q, want the writer's bytes", reserve, early[:4])
			}
		}
		if reserve > 0 && runtime.GOOS != "windows" && &r.Bytes()[0] != &early[0] {
			t.Errorf("reserve %d: the map moved; want growth in place", reserve)
		}
		// Narrow, then past the end of the file.
		if err := r.Remap(100); err != nil || r.Len() != 100 {
			t.Fatalf("Remap(100): %v, len %d", err, r.Len())
		}
		if err := r.Remap(300001); !errors.Is(err, ErrRange) {
			t.Fatalf("Remap past the end: %v, want ErrRange", err)
		}
		if err := r.Remap(-1); !errors.Is(err, ErrRange) {
			t.Fatalf("Remap(-1): %v, want ErrRange", err)
		}
		if r.Len() != 100 {
			t.Fatalf("failed Remap changed the length to %d", r.Len())
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if err := r.Remap(10); !errors.Is(err, ErrClosed) {
			t.Fatalf("Remap after Close: %v, want ErrClosed", err)
		}
	}
}

func TestRemapCopyOnWrite(t *testing.T) {
	path := testutil.WriteFile(t, pattern(3000))
	m := mustOpen(t, path, CopyOnWrite, nil)
	if err := m.Remap(100); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("Remap of a copy-on-write map: %v, want ErrUnsupported", err)
	}
}
