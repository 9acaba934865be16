package header_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/header"
)

// FuzzParseHeader checks that Parse never panics, that every error matches
// ErrFormat, and that whatever parses re-encodes and parses back to the
// same Header. It is seeded with every golden header.
func FuzzParseHeader(f *testing.F) {
	dir := filepath.Join("testdata", "golden")
	for _, e := range readManifest(f, dir).Files {
		b, err := os.ReadFile(filepath.Join(dir, e.Name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:e.DataOffset])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := header.Parse(b, nil)
		if err != nil {
			if !errors.Is(err, header.ErrFormat) {
				t.Fatalf("error %v does not match ErrFormat", err)
			}
			return
		}
		if h.DataOffset > int64(len(b)) {
			t.Fatalf("DataOffset %d beyond the %d input bytes", h.DataOffset, len(b))
		}
		checkRoundTrip(t, h)
	})
}
