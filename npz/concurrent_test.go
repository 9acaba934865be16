package npz_test

import (
	"sync"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/npz"
)

// TestConcurrentOpen: goroutines opening the same compressed member at
// once share one decompressed copy (their views have the same bytes), and
// Info, Verify and Any may run alongside (go test -race).
func TestConcurrentOpen(t *testing.T) {
	b := zipArchive(t, deflated(t, "a.npy", npyBytes(t, 5000)), stored("b.npy", npyBytes(t, 10)))
	f, err := npz.Open(testutil.WriteFile(t, b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const n = 8
	ptrs := make([]*byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := f.Any("a")
			if err != nil {
				t.Error(err)
				return
			}
			d, err := a.Bytes()
			if err != nil || len(d) != 20000 {
				t.Errorf("Bytes: %d, %v", len(d), err)
				return
			}
			ptrs[i] = &d[0]
			if _, err := f.Info("b"); err != nil {
				t.Error(err)
			}
			if err := f.Verify("b"); err != nil {
				t.Error(err)
			}
			x, err := npz.Array[int32](f, "a")
			if err != nil || x.At(4999) != 4999 {
				t.Errorf("a[4999]: %v", err)
			}
		}()
	}
	wg.Wait()
	for i := range ptrs {
		if ptrs[i] != ptrs[0] {
			t.Fatalf("goroutine %d got another copy of the member", i)
		}
	}
}
