package record

import "github.com/gomemmap/memmap"

// FlushRows makes records [i, j) durable (msync: on disk when it
// returns; FlushViewOfFile and FlushFileBuffers on Windows) without
// committing the length: for records changed in place with Set or through
// Row, Rows and Data, when flushing the whole file (Flush) would cost
// more. Records appended and not yet committed are made durable too but
// stay invisible to readers until Flush or Commit. A range outside
// [0, Len()] or with j < i gives an error wrapping memmap.ErrRange; after
// Close, memmap.ErrClosed. It does nothing for ReadOnly and CopyOnWrite
// files.
func (f *File[T]) FlushRows(i, j int) error {
	if f.closed {
		return f.err("flush", memmap.ErrClosed)
	}
	return f.s.FlushRows(int64(i), int64(j))
}
