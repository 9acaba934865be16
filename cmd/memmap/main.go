// Command memmap is the command line of the memmap library.
//
// Usage:
//
//	memmap info FILE...        what the header of each .npy file says: dtype, Go type, shape, order, sizes;
//	                           for .npz and safetensors files, a line per array they hold
//	memmap head [-n N] FILE [NAME]
//	                           the first N rows (default 10) of a .npy file, or of the array NAME of a container
//	memmap demo [-rows N] [-lines N] [DIR]
//	                           build a small feature store (embeddings array + record file) and a log
//	                           in DIR (default: a new temp dir), read them back, print the NumPy one-liner
//
// Errors go to standard error as one line naming the file and the problem,
// with exit status 1; usage errors exit with status 2.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks errors in the command line; run turns them into exit 2.
var errUsage = errors.New("usage")

const usage = `usage: memmap <command> [arguments]

commands:
  info FILE...        what the header of each .npy file says: dtype, Go type, shape, order, sizes;
                      for .npz and safetensors files, a line per array they hold
  head [-n N] FILE [NAME]
                      the first N rows (default 10) of a .npy file, or of the array NAME
                      of a container (.npz, safetensors)
  demo [-rows N] [-lines N] [DIR]
                      build a small feature store and a log in DIR (default: a new temp dir),
                      read them back, and print the NumPy one-liner that opens them
`

// run runs the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "info":
		err = cmdInfo(args[1:], stdout, stderr)
		if errors.Is(err, errReported) {
			return 1 // each failed file has had its line on stderr
		}
	case "head":
		err = cmdHead(args[1:], stdout)
	case "demo":
		err = cmdDemo(args[1:], stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "memmap: %v\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "memmap: %v\n", err)
		return 1
	}
}

// parseFlags parses a subcommand's flags, reporting problems as usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %s: %w", errUsage, fs.Name(), err)
	}
	return nil
}
