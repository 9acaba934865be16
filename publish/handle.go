package publish

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomemmap/memmap"
)

// Handle follows the current version of a published name in a reader: it
// holds the opened value of one version (an *array.Array, a *npz.File,
// anything with a Close method), hands out references to it, and swaps
// in the newest version on Reload.
//
// Every method is safe for concurrent use. Acquire and Ref's methods make
// no system call and allocate nothing (but for the Release that closes a
// version, below); Reload, Close and the Watch goroutine of Options
// serialize with each other.
//
// A version's value is closed exactly once, when its last reference goes:
// the handle's own, dropped by the Reload that replaces it or by Close,
// or that of the last Ref, dropped by Release. Values and views obtained
// from a Ref (slices into a map, rows, members) stay valid until that Ref
// is released, and not after.
type Handle[T io.Closer] struct {
	cur  atomic.Pointer[entry[T]] // nil after Close
	ver  atomic.Uint64            // the number of the version in cur, kept after Close
	mu   sync.Mutex               // serializes Reload and Close
	name string
	open func(path string) (T, error)
	opt  Options

	stopOnce sync.Once
	stop     chan struct{} // closed by Close to stop the watcher; nil without one
	done     chan struct{} // closed by the watcher as it returns
}

// entry is one opened version and its reference count: one reference
// held by the Handle while the version is current, one per Ref. The count
// starts at 1 and, once it has reached 0, never rises again: the value is
// then closed, exactly once.
type entry[T io.Closer] struct {
	val   T
	n     uint64
	refs  atomic.Int64
	onErr func(error)
}

// release drops one reference, and closes the value if it was the last;
// it returns the error of that Close.
func (e *entry[T]) release() error {
	if e.refs.Add(-1) != 0 {
		return nil
	}
	return e.val.Close()
}

// Ref is a reference to the version a Handle was serving when Acquire
// returned it. The version's value stays open until Release. A Ref is a
// small value: copy it freely, but call Release exactly once, and use
// neither the value nor anything obtained from it after.
type Ref[T io.Closer] struct {
	e *entry[T]
}

// Value returns the version's value: the zero T for the zero Ref.
func (r Ref[T]) Value() T {
	if r.e == nil {
		var zero T
		return zero
	}
	return r.e.val
}

// Version returns the version's number: 0 for the zero Ref.
func (r Ref[T]) Version() uint64 {
	if r.e == nil {
		return 0
	}
	return r.e.n
}

// Release drops the reference. If the version is no longer current and
// this was its last reference, its value is closed here; an error of that
// Close goes to Options.OnError. Release of the zero Ref does nothing.
func (r Ref[T]) Release() {
	if r.e == nil {
		return
	}
	if err := r.e.release(); err != nil && r.e.onErr != nil {
		r.e.onErr(err)
	}
}

// Open opens the current version of name in a new Handle: it reads the
// pointer file name+".current" and calls open with the path of the
// version it names (open opens it and returns the value the Handle hands
// out, e.g. a closure around array.Open or npz.Open). If open fails and
// the pointer names another version by then (a publisher moved on and
// removed the one it named), it opens that one, and on Windows it reads
// the pointer again while it is being replaced, until opt.Retry has
// passed; other errors are returned at once.
//
// With no pointer file (nothing was published) the error is an
// *os.PathError matching fs.ErrNotExist; a pointer file that does not
// name a version of name gives one matching ErrPointer. With opt.Watch,
// a goroutine calls Reload every opt.Watch until Close.
func Open[T io.Closer](name string, open func(path string) (T, error), opt *Options) (*Handle[T], error) {
	h := &Handle[T]{name: name, open: open, opt: withDefaults(opt)}
	e, err := h.openCurrent(0)
	if err != nil {
		return nil, err
	}
	h.cur.Store(e)
	h.ver.Store(e.n)
	if h.opt.Watch > 0 {
		h.stop, h.done = make(chan struct{}), make(chan struct{})
		go h.watch()
	}
	return h, nil
}

// openCurrent opens the version the pointer names if its number is above
// after; it returns nil, nil if it is not.
func (h *Handle[T]) openCurrent(after uint64) (*entry[T], error) {
	bound := h.opt.Retry
	if bound <= 0 {
		bound = time.Second
	}
	deadline := time.Now().Add(bound)
	wait := time.Millisecond
	retry := func() bool {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(wait)
		wait = min(2*wait, 20*time.Millisecond)
		return true
	}
	// current reads the pointer, again while Windows is replacing it.
	current := func() (uint64, string, error) {
		for {
			n, path, err := Current(h.name)
			if err != nil && retryErrors && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, ErrPointer) && retry() {
				continue
			}
			return n, path, err
		}
	}
	for {
		n, path, err := current()
		if err != nil {
			return nil, err
		}
		if n <= after {
			return nil, nil
		}
		val, err := h.open(path)
		if err != nil {
			// A publisher may have moved the pointer on and removed
			// (or, on Windows, be removing) the version it named: then
			// open the one it names now.
			if m, _, perr := current(); perr == nil && m != n && retry() {
				continue
			}
			return nil, fmt.Errorf("publish: opening version %d of %s: %w", n, h.name, err)
		}
		e := &entry[T]{val: val, n: n, onErr: h.opt.OnError}
		e.refs.Store(1)
		return e, nil
	}
}

// Acquire returns a reference to the current version, which stays open
// until the Ref is released. It makes no system call and allocates
// nothing: it only increments the version's reference count. After Close
// it returns an error matching memmap.ErrClosed.
func (h *Handle[T]) Acquire() (Ref[T], error) {
	for {
		e := h.cur.Load()
		if e == nil {
			return Ref[T]{}, fmt.Errorf("publish: Acquire on %s: %w", h.name, memmap.ErrClosed)
		}
		// A count of 0 means that e was replaced and its last reference
		// dropped after the Load: h.cur no longer holds it, so load again.
		// Only a positive count may be incremented.
		for n := e.refs.Load(); n > 0; n = e.refs.Load() {
			if e.refs.CompareAndSwap(n, n+1) {
				return Ref[T]{e}, nil
			}
		}
	}
}

// Do calls fn with the current version's value, which stays open until fn
// returns, and returns fn's error, or Acquire's.
func (h *Handle[T]) Do(fn func(T) error) error {
	r, err := h.Acquire()
	if err != nil {
		return err
	}
	defer r.Release()
	return fn(r.e.val)
}

// Reload reads the pointer file and, if it names a version newer than the
// one the handle serves, opens it (retrying as Open does) and makes it
// the one Acquire returns, and reports true. The version it replaces is
// closed when its last Ref is released (at once if there is none). A
// pointer that names the same or an older version changes nothing.
//
// If the new version cannot be opened, Reload returns the error and the
// handle keeps serving the version it had. After Close it returns an error
// matching memmap.ErrClosed.
func (h *Handle[T]) Reload() (changed bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	old := h.cur.Load()
	if old == nil {
		return false, fmt.Errorf("publish: Reload of %s: %w", h.name, memmap.ErrClosed)
	}
	e, err := h.openCurrent(old.n)
	if err != nil || e == nil {
		return false, err
	}
	h.cur.Store(e)
	h.ver.Store(e.n)
	if err := old.release(); err != nil && h.opt.OnError != nil {
		h.opt.OnError(err)
	}
	return true, nil
}

// Version returns the number of the version the handle serves (after
// Close, the last one it served).
func (h *Handle[T]) Version() uint64 { return h.ver.Load() }

// Close stops the Watch goroutine and drops the handle's reference to the
// current version, whose value is closed now if no Ref holds it, or else
// by the last Release (whose error goes to Options.OnError). It returns
// the error of a Close made here. Acquire and Reload then return errors
// matching memmap.ErrClosed; a second Close does nothing and returns nil.
func (h *Handle[T]) Close() error {
	if h.stop != nil {
		h.stopOnce.Do(func() { close(h.stop) })
		<-h.done
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.cur.Swap(nil)
	if e == nil {
		return nil
	}
	return e.release()
}

// watch calls Reload every opt.Watch until Close.
func (h *Handle[T]) watch() {
	defer close(h.done)
	t := time.NewTicker(h.opt.Watch)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			if _, err := h.Reload(); err != nil && h.opt.OnError != nil {
				h.opt.OnError(err)
			}
		}
	}
}
