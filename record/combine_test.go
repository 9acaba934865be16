package record

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// TestAppendOneAllocs: appending one record per call allocates nothing,
// in the host's byte order and in the other (whose records are encoded
// into the store's buffer), once the capacity is there.
func TestAppendOneAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's instrumentation allocates")
	}
	for _, order := range []layout.ByteOrder{layout.HostOrder(), otherOrder()} {
		t.Run(fmt.Sprint(order), func(t *testing.T) {
			path := filepath.Join(testutil.TempDir(t), "a.npy")
			f := mustCreate(t, path, &Options{ByteOrder: order})
			if err := f.Grow(1 << 16); err != nil {
				t.Fatal(err)
			}
			r := makeRec(1)
			if _, err := f.Append(r); err != nil {
				t.Fatal(err)
			}
			if a := testing.AllocsPerRun(20000, func() {
				if _, err := f.Append(r); err != nil {
					t.Fatal(err)
				}
			}); a != 0 {
				t.Errorf("Append of one record allocates %v times", a)
			}
			for i := range f.Len() {
				if got := f.At(i); got != r {
					t.Fatalf("record %d: %+v, want %+v", i, got, r)
				}
			}
		})
	}
}
