package publish_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/npz"
	"github.com/gomemmap/memmap/publish"
)

// A writer publishes versions of an array file: each is a complete file
// of its own, and the pointer file names the current one.
func ExamplePublish() {
	dir, err := os.MkdirTemp("", "publish-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "scores.npy")

	for day := range 3 {
		n, err := publish.Publish(name, func(path string) error {
			a, err := array.Create[float64](path, []int{4}, nil)
			if err != nil {
				return err
			}
			for i := range 4 {
				if err := a.Set(float64(10*day+i), i); err != nil {
					a.Close()
					return err
				}
			}
			return a.Close()
		}, nil)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("published version", n)
	}
	ptr, err := os.ReadFile(name + ".current")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("scores.npy.current: %q\n", ptr)
	// Output:
	// published version 1
	// published version 2
	// published version 3
	// scores.npy.current: "scores.npy.v000003\n"
}

// A reader serves the current version of an array file: each lookup
// holds a Ref, so a Reload in the meantime cannot close the array under
// it.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "publish-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "prices.npy")
	publishPrices := func(prices ...float32) {
		_, err := publish.Publish(name, func(path string) error {
			a, err := array.Create[float32](path, []int{0}, nil)
			if err != nil {
				return err
			}
			if _, err := a.Append(prices...); err != nil {
				a.Close()
				return err
			}
			return a.Close()
		}, nil)
		if err != nil {
			log.Fatal(err)
		}
	}
	publishPrices(1.5, 2.5, 3.5)

	h, err := publish.Open(name, func(path string) (*array.Array[float32], error) {
		return array.Open[float32](path, memmap.ReadOnly, nil)
	}, nil) // &publish.Options{Watch: time.Second} would reload by itself
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()

	r, err := h.Acquire() // no system call, no allocation
	if err != nil {
		log.Fatal(err)
	}
	old, err := r.Value().Data() // a view into version 1's map
	if err != nil {
		log.Fatal(err)
	}

	publishPrices(1.75, 2.75, 3.75, 4.75)
	if _, err := h.Reload(); err != nil {
		log.Fatal(err)
	}
	err = h.Do(func(a *array.Array[float32]) error {
		fmt.Println("version", h.Version(), "price 3:", a.At1(3))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("the Ref of version", r.Version(), "still reads", old)
	r.Release() // the last user of version 1: its array is closed, old is not to be used
	// Output:
	// version 2 price 3: 4.75
	// the Ref of version 1 still reads [1.5 2.5 3.5]
}

// Any file type publishes the same way: here an npz archive, opened by
// npz.Open.
func ExampleOpen_npz() {
	dir, err := os.MkdirTemp("", "publish-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "model.npz")
	_, err = publish.Publish(name, func(path string) error {
		w, err := npz.Create(path, nil)
		if err != nil {
			return err
		}
		if err := npz.Add(w, "bias", []float32{0.5, -0.5}, nil, nil); err != nil {
			w.Abort()
			return err
		}
		return w.Close()
	}, nil)
	if err != nil {
		log.Fatal(err)
	}

	h, err := publish.Open(name, npz.Open, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	err = h.Do(func(f *npz.File) error {
		bias, err := npz.Array[float32](f, "bias")
		if err != nil {
			return err
		}
		defer bias.Close()
		fmt.Println(f.Names(), bias.At1(1))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// [bias] -0.5
}
