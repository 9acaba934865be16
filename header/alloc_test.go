package header_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
)

// maxAllocRatio bounds the bytes header.Parse may allocate per byte of
// header (issue 14).
const maxAllocRatio = 16

// bigDescrHeader returns a version 2.0 header of shape (0,) whose descr
// is the given text.
func bigDescrHeader(descr string) []byte {
	return mk(2, "{'descr': "+descr+", 'fortran_order': False, 'shape': (0,), }")
}

// fill returns the text of a list built from items item(0), item(1), ...
// up to about n bytes.
func fill(n int, item func(i int) string) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i := 0; ; i++ {
		it := item(i)
		if sb.Len()+len(it)+3 > n {
			break
		}
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(it)
	}
	sb.WriteByte(']')
	return sb.String()
}

// nested returns a struct descr nested depth deep, with width scalar
// fields at each level.
func nested(depth, width int) string {
	var sb strings.Builder
	for d := 0; d < depth; d++ {
		sb.WriteByte('[')
		for i := 0; i < width; i++ {
			sb.WriteString("('f" + strconv.Itoa(i) + "', '<i4'), ")
		}
		sb.WriteString("('n', ")
	}
	sb.WriteString("'<f8'")
	for d := 0; d < depth; d++ {
		sb.WriteString(")]")
	}
	return sb.String()
}

// parseAlloc returns the bytes allocated by one header.Parse of b.
func parseAlloc(b []byte) (uint64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := header.Parse(b, nil)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, err
}

// fields40k returns the descr of a dtype of 40,000 '<i4' fields f0,
// f1, ...
func fields40k() string {
	return fill(header.DefaultMaxHeaderLen, func(i int) string {
		if i >= 40000 {
			return strings.Repeat(" ", header.DefaultMaxHeaderLen) // stop
		}
		return "('f" + strconv.Itoa(i) + "', '<i4')"
	})
}

// checkParseAlloc checks the allocation bound on one header.
func checkParseAlloc(t *testing.T, hdr []byte, valid bool) {
	t.Helper()
	n, err := parseAlloc(hdr)
	if (err == nil) != valid {
		t.Fatalf("Parse: %v, want valid %v", err, valid)
	}
	ratio := float64(n) / float64(len(hdr))
	t.Logf("%d-byte header: %d bytes allocated, %.1f× its length", len(hdr), n, ratio)
	if ratio > maxAllocRatio {
		t.Errorf("Parse of a %d-byte header allocated %d bytes, %.1f× its length; want at most %d×", len(hdr), n, ratio, maxAllocRatio)
	}
}

// TestParseAllocNumPy checks the allocation bound on the header NumPy
// writes for a dtype of 40,000 fields, which is the one
// TestParseAllocBound builds.
func TestParseAllocNumPy(t *testing.T) {
	p := filepath.Join(testutil.TempDir(t), "f40k.npy")
	testutil.RunPython(t, `
import sys, warnings, numpy as np
warnings.simplefilter("ignore")  # "Stored array in format 2.0"
np.save(sys.argv[1], np.zeros(0, dtype=[("f%d" % i, "<i4") for i in range(40000)]))
`, p)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := bigDescrHeader(fields40k()); string(b) != string(want) {
		t.Errorf("NumPy's 40,000-field header differs from the one TestParseAllocBound builds")
	}
	checkParseAlloc(t, b, true)
}

// TestParseAllocBound checks that parsing a header, valid or not,
// allocates at most maxAllocRatio times its length (issue 14: a 1 MiB
// list descr allocated 477 MiB, NumPy's 40,000-field header 85 MiB).
func TestParseAllocBound(t *testing.T) {
	const size = header.DefaultMaxHeaderLen - 256
	fields40k := fields40k()
	longName := strings.Repeat("n", size-64)
	tests := []struct {
		name  string
		hdr   []byte
		valid bool
	}{
		{"list of ints", bigDescrHeader(fill(size, func(int) string { return "1" })), false},
		{"list of empty tuples", bigDescrHeader(fill(size, func(int) string { return "()" })), false},
		{"40000 fields", bigDescrHeader(fields40k), true},
		{"fields of 4 types", bigDescrHeader(fill(size, func(i int) string {
			return "('f" + strconv.Itoa(i) + "', '" + []string{"<i4", "|u1", ">f8", "<c8"}[i%4] + "')"
		})), true},
		{"subarray fields with titles", bigDescrHeader(fill(size, func(i int) string {
			return "(('t" + strconv.Itoa(i) + "', 'f" + strconv.Itoa(i) + "'), '<i2', (2, 3))"
		})), true},
		{"long field name", bigDescrHeader("[('" + longName + "', '<f8')]"), true},
		{"long field names with escapes", bigDescrHeader(fill(size, func(i int) string {
			return "('" + strconv.Itoa(i) + strings.Repeat(`\t\x41é`, 1000) + "', '<f8')"
		})), true},
		{"latin-1 field names", bigDescrHeader(fill(size, func(i int) string {
			return "('\xe9" + strconv.Itoa(i) + "', '<f8')" // latin-1 bytes: é
		})), true},
		{"long junk key", mk(2, "{'"+longName+"': 1, 'descr': '<f8', 'fortran_order': False, 'shape': (0,), }"), false},
		{"deep nesting, wide levels", bigDescrHeader(nested(31, 1800)), true},
		{"deep nesting repeated", bigDescrHeader(fill(size, func(i int) string {
			return "('x" + strconv.Itoa(i) + "', " + nested(30, 3) + ")"
		})), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkParseAlloc(t, tt.hdr, tt.valid)
		})
	}
}
