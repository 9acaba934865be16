// Command memmap is the command line of the memmap library.
//
// Usage:
//
//	memmap info FILE...        what the header of each .npy file says: dtype, Go type, shape, order, sizes;
//	                           for .npz and safetensors files, a line per array they hold; for a lookup
//	                           table, its keys, values and index, then its members
//	memmap head [-n N] FILE [NAME]
//	                           the first N rows (default 10) of a .npy file, or of the array NAME of a container;
//	                           of a lookup table (package table), the first N entries in index order
//	memmap get FILE KEY [KEY...]
//	                           look keys up in a lookup table: a line per key with its value, or "not found";
//	                           exit status 1 if a key is not found, 2 for a usage error or any other error
//	memmap demo [-rows N] [-lines N] [-keep] [DIR]
//	                           build a small feature store (embeddings array + record file + lookup table) and a log
//	                           in DIR (default: a new temp dir, removed at the end unless -keep),
//	                           read them back, print the NumPy one-liner
//
// Errors go to standard error as one line naming the file and the problem,
// with exit status 1; usage errors exit with status 2. get exits with
// status 1 when a key is not found, and 2 for every error, as grep does.
// -h after a command prints its usage and flags, with exit status 0.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks errors in the command line; run turns them into exit 2.
var errUsage = errors.New("usage")

const usage = `usage: memmap <command> [arguments]

commands:
  info FILE...        what the header of each .npy file says: dtype, Go type, shape, order, sizes;
                      for .npz and safetensors files, a line per array they hold; for a
                      lookup table, its keys, values and index, then its members
  head [-n N] FILE [NAME]
                      the first N rows (default 10) of a .npy file, or of the array NAME
                      of a container (.npz, safetensors); of a lookup table without NAME,
                      the first N entries (key and value) in index order
  get FILE KEY [KEY...]
                      look keys up in a lookup table (decimal integers for integer keys,
                      the text for string keys): a line per key with its value, or
                      "not found"; exit status 1 if a key is not found, 2 for errors
  demo [-rows N] [-lines N] [-keep] [DIR]
                      build a small feature store and a log in DIR (default: a new temp dir,
                      removed at the end unless -keep), read them back, and print the
                      NumPy one-liner that opens them

memmap COMMAND -h lists the flags of a command.
`

// run runs the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	failed := 1 // the exit status of an error
	switch args[0] {
	case "info":
		err = cmdInfo(args[1:], stdout, stderr)
		if errors.Is(err, errReported) {
			return 1 // each failed file has had its line on stderr
		}
	case "head":
		err = cmdHead(args[1:], stdout)
	case "get":
		err = cmdGet(args[1:], stdout, stderr)
		failed = 2 // 1 says that a key is not found
		switch {
		case errors.Is(err, errNotFound):
			return 1 // each key has had its line on stdout
		case errors.Is(err, errReported):
			return 2 // each failed key has had its line on stderr
		}
	case "demo":
		err = cmdDemo(args[1:], stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	var help *helpRequest
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		fmt.Fprint(stdout, help.usage) // asked for: not an error
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "memmap: %v\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "memmap: %v\n", err)
		return failed
	}
}

// parseFlags parses a subcommand's flags, reporting problems as usage
// errors; -h (or -help) is a request for the subcommand's usage: a
// *helpRequest with its synopsis (such as "head [-n N] FILE [NAME]") and
// its flags.
func parseFlags(fs *flag.FlagSet, args []string, synopsis string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, flag.ErrHelp):
		return fmt.Errorf("%w: %s: %w", errUsage, fs.Name(), err)
	}
	var b strings.Builder
	b.WriteString("usage: memmap " + synopsis + "\n")
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		b.WriteString("\nflags:\n")
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return &helpRequest{b.String()}
}

// helpRequest is a subcommand's -h: run prints usage on stdout and exits
// with status 0.
type helpRequest struct{ usage string }

func (h *helpRequest) Error() string { return flag.ErrHelp.Error() }
func (h *helpRequest) Unwrap() error { return flag.ErrHelp }
