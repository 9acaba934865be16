package memmap

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
)

// sink keeps loads in tests from being optimized away.
var sink byte

// TestGuard truncates a mapped file through another handle and touches a
// page past the new end inside Guard: the fault must come back as an
// error wrapping ErrFault, and the process must live on.
func TestGuard(t *testing.T) {
	page := PageSize()
	for _, mode := range []Mode{ReadOnly, ReadWrite, CopyOnWrite} {
		t.Run(mode.String(), func(t *testing.T) {
			path := testutil.WriteFile(t, pattern(4*page))
			m := mustOpen(t, path, mode, nil)
			b := m.Bytes()
			if err := m.Guard(func() error { sink = b[3*page]; return nil }); err != nil {
				t.Fatalf("Guard on live pages = %v", err)
			}
			if err := os.Truncate(path, int64(page)); err != nil {
				if runtime.GOOS == "windows" {
					t.Skipf("windows refuses to truncate a mapped file (%v), so the fault cannot happen", err)
				}
				t.Fatal(err)
			}
			err := m.Guard(func() error {
				sink = b[2*page+5]
				t.Error("the load past the end of the file did not fault")
				return nil
			})
			if !errors.Is(err, ErrFault) {
				t.Fatalf("Guard = %v, want ErrFault", err)
			}
			var pe *os.PathError
			if !errors.As(err, &pe) || pe.Path != path {
				t.Errorf("error %v does not name the path", err)
			}
			// The message says what happened and where, not "nil pointer
			// dereference".
			wants := []string{"truncated under the map", "address 0x"}
			if runtime.GOARCH != "s390x" {
				// s390x reports fault addresses by page only (and
				// qemu-user garbles them): the byte is unknown there.
				wants = append(wants, fmt.Sprintf("byte %d of the map", 2*page+5))
			}
			for _, want := range wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Guard error %q does not say %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "nil pointer") {
				t.Errorf("Guard error %q speaks of a nil pointer", err)
			}
			// The first page is still in the file and reads fine.
			if err := m.Guard(func() error { sink = b[page-1]; return nil }); err != nil {
				t.Fatalf("Guard on the remaining page = %v", err)
			}
			// The fault guard is off again outside Guard; fn's own errors
			// pass through.
			want := errors.New("mine")
			if err := m.Guard(func() error { return want }); err != want {
				t.Fatalf("Guard returned %v, want fn's error", err)
			}
		})
	}
}
