package record

import "github.com/gomemmap/memmap"

// FlushRange makes records [i, j) durable (msync: on disk when it
// returns; FlushViewOfFile and FlushFileBuffers on Windows) without
// committing the length: for records changed in place with Set or through
// At and Slice, when flushing the whole file (Flush) would cost more. It
// is array's FlushRows for a record file. Records appended and not yet
// committed are made durable too but stay invisible to readers until
// Flush or Commit. A range outside [0, Len()] or with j < i gives an
// error wrapping memmap.ErrRange; after Close, memmap.ErrClosed. It does
// nothing for ReadOnly and CopyOnWrite files.
func (f *File[T]) FlushRange(i, j int) error {
	if f.closed {
		return f.err("flush", memmap.ErrClosed)
	}
	return f.s.FlushRows(int64(i), int64(j))
}
