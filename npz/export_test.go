package npz

import "github.com/gomemmap/memmap"

// MapBytes returns the bytes of the archive's map, to check that views
// point into it.
func MapBytes(f *File) []byte { return f.m.Bytes() }

// ForceZip64 makes w write Zip64 records for every member and the end of
// the directory, as if the archive were over 4 GiB.
func ForceZip64(w *Writer) { w.zip64 = true }

// OpenMap opens the archive mapped by m (which it owns on success).
func OpenMap(m *memmap.Map, name string) (*File, error) { return newFile(m, name) }
