package memmap_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/gomemmap/memmap"
)

// tempDir makes a directory for an example and returns it with a function
// that removes it.
func tempDir() (string, func()) {
	dir, err := os.MkdirTemp("", "memmap-example-")
	if err != nil {
		log.Fatal(err)
	}
	return dir, func() { os.RemoveAll(dir) }
}

// Open a file read-only and look at its bytes without copying them.
func ExampleOpen() {
	dir, cleanup := tempDir()
	defer cleanup()
	path := filepath.Join(dir, "greeting.txt")
	if err := os.WriteFile(path, []byte("hello, mapped world\n"), 0o644); err != nil {
		log.Fatal(err)
	}

	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	fmt.Printf("%d bytes: %q\n", m.Len(), m.Bytes()[:5])

	// A window of the file at any offset: the library aligns the mapping.
	w, err := memmap.Open(path, memmap.ReadOnly, &memmap.Options{Offset: 7, Length: 6})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	fmt.Printf("window: %q\n", w.Bytes())
	// Output:
	// 20 bytes: "hello"
	// window: "mapped"
}

// A copy-on-write map can be changed freely; the file never is.
func ExampleOpen_copyOnWrite() {
	dir, cleanup := tempDir()
	defer cleanup()
	path := filepath.Join(dir, "data")
	if err := os.WriteFile(path, []byte("original"), 0o644); err != nil {
		log.Fatal(err)
	}

	m, err := memmap.Open(path, memmap.CopyOnWrite, nil)
	if err != nil {
		log.Fatal(err)
	}
	copy(m.Bytes(), "modified")
	fmt.Printf("map:  %s\n", m.Bytes())
	if err := m.Close(); err != nil {
		log.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("file: %s\n", file)
	// Output:
	// map:  modified
	// file: original
}

// Create a file, write through the map, grow it, and make the writes
// durable. Slices taken before Resize stay valid.
func ExampleCreate() {
	dir, cleanup := tempDir()
	defer cleanup()
	path := filepath.Join(dir, "log.bin")

	m, err := memmap.Create(path, 4, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	head := m.Bytes()
	copy(head, "abcd")
	if err := m.Resize(8); err != nil {
		log.Fatal(err)
	}
	copy(m.Bytes()[4:], "efgh")
	head[0] = 'A' // the old view still aliases the file
	if err := m.Flush(); err != nil {
		log.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", file)
	// Output:
	// Abcdefgh
}

// Guard turns the crash of touching a page of a file that another process
// truncated into an error.
func ExampleMap_Guard() {
	dir, cleanup := tempDir()
	defer cleanup()
	path := filepath.Join(dir, "shrinking")
	if err := os.WriteFile(path, make([]byte, 4*memmap.PageSize()), 0o644); err != nil {
		log.Fatal(err)
	}
	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	var sum int
	err = m.Guard(func() error {
		for _, b := range m.Bytes() {
			sum += int(b)
		}
		return nil
	})
	fmt.Println(sum, err)
	// Were the file truncated meanwhile, err would wrap memmap.ErrFault:
	fmt.Println(errors.Is(err, memmap.ErrFault))
	// Output:
	// 0 <nil>
	// false
}

// Share anonymous memory with a child process: the child maps the
// descriptor it inherits, and both see each other's writes at once.
// (Not on Windows, where exec.Cmd.ExtraFiles is unsupported.)
func ExampleAnonymous() {
	m, err := memmap.Anonymous(1<<20, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	copy(m.Bytes(), "job: resize images\n")

	cmd := exec.Command("./worker") // calls memmap.OpenFile(os.NewFile(3, "shm"), memmap.ReadWrite, nil)
	cmd.ExtraFiles = []*os.File{m.File()}
	if err := cmd.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s", m.Bytes()[:20]) // what the worker wrote back
}

// The worker side of ExampleAnonymous: map the inherited descriptor.
func ExampleOpenFile() {
	f := os.NewFile(3, "shm") // the first of the parent's ExtraFiles
	m, err := memmap.OpenFile(f, memmap.ReadWrite, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close() // after m.Close: OpenFile does not take f over
	defer m.Close()
	copy(m.Bytes(), "done: 42 images\n")
}
