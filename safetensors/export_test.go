package safetensors

import "github.com/gomemmap/memmap/internal/seam"

// Parse checks a whole safetensors file in memory, as Open does, and
// returns the names of its tensors in file order, for the tests of
// package safetensors_test.
func Parse(b []byte) ([]string, error) {
	p, err := parse(b)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(p.tensors))
	for i := range p.tensors {
		names[i] = p.tensors[i].Name
	}
	return names, nil
}

// SetOpenHook makes Open call fn with the file's path after it has mapped
// the file and taken its size, before it reads the header, until the
// returned restore is called.
func SetOpenHook(fn func(path string)) (restore func()) {
	seam.SafetensorsOpen = fn
	return func() { seam.SafetensorsOpen = nil }
}
