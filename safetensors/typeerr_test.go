package safetensors_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/safetensors"
)

// TestWrongTypeNamesGoType: Tensor[T] with a T that does not read the
// tensor's dtype gives an error matching layout.ErrDType that names the
// dtype as the file does and the Go type to use (layout's own message
// names only descrs: "file has '<bfloat16'").
func TestWrongTypeNamesGoType(t *testing.T) {
	use := map[string]string{
		"BOOL": "bool", "U8": "uint8", "I8": "int8", "U16": "uint16", "I16": "int16",
		"U32": "uint32", "I32": "int32", "U64": "uint64", "I64": "int64",
		"F16": "layout.Float16", "BF16": "layout.BFloat16", "F32": "float32", "F64": "float64",
		"C64": "complex64", "F8_E4M3": "layout.Float8E4M3", "F8_E5M2": "layout.Float8E5M2",
	}
	path := filepath.Join(testutil.TempDir(t), "types.safetensors")
	w, err := safetensors.Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for dtype := range use {
		if err := w.Declare(dtype, dtype, []int{0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for dtype, goType := range use {
		var err error
		wrong := "Tensor[float32]"
		if dtype == "F32" {
			_, err = safetensors.Tensor[layout.BFloat16](f, dtype)
			wrong = "Tensor[layout.BFloat16]"
		} else {
			_, err = safetensors.Tensor[float32](f, dtype)
		}
		var pe *os.PathError
		if !errors.Is(err, layout.ErrDType) || !errors.As(err, &pe) || pe.Path != path+":"+dtype {
			t.Errorf("%s: %v, want an *os.PathError matching layout.ErrDType", dtype, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "dtype "+dtype+":") || !strings.Contains(msg, "Tensor["+goType+"]") || !strings.Contains(msg, "not "+wrong) {
			t.Errorf("%s: %q does not name the dtype, Tensor[%s] to use and the %s given", dtype, msg, goType, wrong)
		}
	}
	if _, err := safetensors.Tensor[layout.BFloat16](f, "BF16"); err != nil {
		t.Errorf("the type named: %v", err)
	}
	_, err = safetensors.Tensor[layout.BFloat16](f, "F16")
	t.Log(err)
}
