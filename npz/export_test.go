package npz

import (
	"io"

	"github.com/gomemmap/memmap"
)

// MapBytes returns the bytes of the archive's map, to check that views
// point into it.
func MapBytes(f *File) []byte { return f.m.Bytes() }

// ForceZip64 makes w write Zip64 records for every member and the end of
// the directory, as if the archive were over 4 GiB.
func ForceZip64(w *Writer) { w.zip64 = true }

// OpenMap opens the archive mapped by m (which it owns on success).
func OpenMap(m *memmap.Map, name string) (*File, error) { return newFile(m, name) }

// Hole skips n bytes of the member's data without writing them, leaving a
// hole in the (sparse) file that reads as zeros. The member's CRC-32 then
// covers only the bytes written: it is wrong unless they are all zero.
func Hole(mw any, n int64) error {
	m := mw.(*memberWriter)
	w := m.w
	if err := w.bw.Flush(); err != nil {
		return err
	}
	if _, err := w.tmp.File().Seek(n, io.SeekCurrent); err != nil {
		return err
	}
	w.pos += n
	m.left -= n
	return nil
}
