// Package cold measures memmap cold, against its peers, in one run: the
// files are dropped from the page cache before each measurement, and each
// reader runs in a child process inside a memory cgroup smaller than the
// file (issue 11, "Out of core"; DESIGN.md, "Files bigger than memory").
//
// The parent (Run) makes the data files once (cached under Config.Dir),
// and for every cell of every scenario: drops the file from the page
// cache (fsync, then posix_fadvise DONTNEED while nothing maps it),
// checks the drop with mincore on a fresh map, makes a memory cgroup,
// starts a child (this same executable, which must call MaybeChild first
// thing in main or TestMain), moves it into the cgroup, and only then
// sends it the job over its stdin: the child opens the file after it is
// in the cgroup. The child measures the job (reads per second, bytes,
// page faults from getrusage and bytes read from /proc/self/io, around
// the timed part only), checks its result (sums of the values read) and
// prints one JSON line. The parent adds the cgroup's peak usage and
// removes it.
//
// Linux only; elsewhere Run returns an error.
package cold
