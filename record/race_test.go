//go:build race

package record

// raceEnabled: the race detector instruments system calls, which makes
// the byte slice Append may hand to pwrite escape, so Append allocates
// its variadic argument under -race only.
const raceEnabled = true
