package mph

import (
	"errors"
	"fmt"
)

var (
	// ErrDuplicate is returned by a build given two equal hashes. The error is a
	// *DuplicateError naming the hash.
	ErrDuplicate = errors.New("mph: duplicate hash")

	// ErrRetry is returned by a build that could not place every hash with
	// these hashes (a part got more hashes than it has slots, or the pilot
	// search gave up). The caller hashes its keys again with another seed.
	ErrRetry = errors.New("mph: placement failed, rehash with another seed")

	// ErrParams is returned for Params that are not sane (Validate, NewParams
	// with too many keys, NewIndex) and for arrays whose lengths do not match
	// them.
	ErrParams = errors.New("mph: invalid parameters")

	// ErrInput is returned for a misuse of the Builder: a hash given to the
	// wrong part, a part out of range, a Remap before every part is built, more
	// or fewer hashes in all than Params.Keys.
	ErrInput = errors.New("mph: invalid build input")
)

// DuplicateError is the error of a build given the same hash twice; it matches
// ErrDuplicate with errors.Is.
type DuplicateError struct {
	Hash uint64 // the hash given twice
}

// Error describes the duplicate.
func (e *DuplicateError) Error() string {
	return fmt.Sprintf("mph: duplicate hash %#016x", e.Hash)
}

// Unwrap returns ErrDuplicate.
func (e *DuplicateError) Unwrap() error { return ErrDuplicate }
