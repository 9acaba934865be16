package safetensors_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/safetensors"
)

// writeModel writes a small model file for the examples.
func writeModel(path string) error {
	w, err := safetensors.Create(path, &safetensors.WriterOptions{Metadata: map[string]string{"format": "pt"}})
	if err != nil {
		return err
	}
	emb := []float32{0, 0.5, 1, 1.5, 2, 2.5}
	bias := []layout.BFloat16{layout.BFloat16From(0.1), layout.BFloat16From(-3)}
	if err := safetensors.Add(w, "wte.weight", emb, []int{3, 2}); err != nil {
		w.Abort()
		return err
	}
	if err := safetensors.Add(w, "ln.bias", bias, []int{2}); err != nil {
		w.Abort()
		return err
	}
	return w.Close() // writes the header, fsyncs, renames into place
}

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")
	if err := writeModel(path); err != nil {
		log.Fatal(err)
	}

	f, err := safetensors.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close() // the views below are valid until here
	for _, t := range f.Tensors() {
		fmt.Println(t.Name, t.DType, t.Shape)
	}
	wte, err := safetensors.Tensor[float32](f, "wte.weight") // a zero-copy view
	if err != nil {
		log.Fatal(err)
	}
	// Row(1) is a []float32 over the mapped pages on little-endian hosts;
	// CopyTo copies (and swaps on big-endian ones).
	row := make([]float32, 2)
	if _, err := wte.CopyTo(row, 2); err != nil {
		log.Fatal(err)
	}
	fmt.Println(row, wte.At(2, 1))
	bias, err := safetensors.Tensor[layout.BFloat16](f, "ln.bias")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bias.At(0), bias.At(1).Float32())
	fmt.Println(f.Metadata())
	// Output:
	// wte.weight F32 [3 2]
	// ln.bias BF16 [2]
	// [1 1.5] 2.5
	// 0.1 -3
	// map[format:pt]
}

// ExampleWriter_Write streams a tensor bigger than memory in pieces:
// declare every tensor first, then write each one's bytes as they come.
func ExampleWriter_Write() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "big.safetensors")

	w, err := safetensors.Create(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Declare("x", "F64", []int{4, 1000}); err != nil {
		log.Fatal(err)
	}
	for row := range 4 {
		chunk := make([]float64, 1000) // produced one row at a time
		for i := range chunk {
			chunk[i] = float64(row*1000 + i)
		}
		if err := safetensors.WriteTensor(w, "x", chunk); err != nil {
			log.Fatal(err) // a failed write aborts the writer: nothing is left behind
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	f, err := safetensors.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	x, err := safetensors.Tensor[float64](f, "x")
	if err != nil {
		log.Fatal(err)
	}
	info, err := f.Info("x")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(x.Shape(), x.At(3, 999), info.Offset%safetensors.DataAlign)
	// Output:
	// [4 1000] 3999 0
}
