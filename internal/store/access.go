package store

// accessState holds what the store needs to advise the OS by intent and to
// keep a second, read-ahead view for scans (see memmap.Access).
type accessState struct{}

// viewsChanged is called after the map grew or was remapped (capRows
// changed), so that advice and extra views follow.
func (s *Store) viewsChanged() error { return nil }

// closeViews releases extra views before the main map closes.
func (s *Store) closeViews() error { return nil }

// flushViews flushes (msync) the n bytes at file offset off in the extra
// views, where some systems keep dirty bits per mapping; the main map is
// flushed after it.
func (s *Store) flushViews(off, n int64) error { return nil }
