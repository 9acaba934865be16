//go:build unix

package sys

import "os"

// tempFile creates a temporary file in os.TempDir and unlinks it, so it
// lives only as long as its descriptors and mappings.
func tempFile(name string) (*os.File, error) {
	f, err := os.CreateTemp("", name+"-*")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
