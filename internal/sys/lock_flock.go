//go:build unix && !aix

package sys

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// Lock takes a non-blocking lock on f: exclusive, or shared. It uses
// flock(2), whose locks belong to the open file description, so closing
// another descriptor of the same file does not release them (unlike classic
// fcntl locks). A conflicting lock held through another open of the file,
// in this process or another, gives ErrWouldBlock.
func Lock(f *os.File, exclusive bool) error {
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	for {
		err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EWOULDBLOCK), errors.Is(err, unix.EAGAIN):
			return ErrWouldBlock
		}
		return err
	}
}

// Unlock releases the lock Lock took on f.
func Unlock(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_UN)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
