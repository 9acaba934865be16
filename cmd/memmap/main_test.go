package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
)

func TestDemo(t *testing.T) {
	dir := filepath.Join(testutil.TempDir(t), "demo")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"demo", "-lines", "1000", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("demo exit %d, stderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"wrote 1000 lines",
		"first byte now '#'",
		"searched the map: 1000 lines, 20 ERROR lines",
		"line 0: 00000000 INFO  request served in 0ms",
		"a write to the read-only map is refused: memmap: map is read-only",
		`copy-on-write map reads "REDACTED", the file still reads "00000000"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q; output:\n%s", want, out)
		}
	}
	// The file holds exactly the lines, trimmed, with the first byte
	// restored and the copy-on-write change absent.
	var want []byte
	for i := 0; i < 1000; i++ {
		want = fmt.Appendf(want, "%08d %s request served in %dms\n", i, level(i), i%97)
	}
	got, err := os.ReadFile(filepath.Join(dir, "app.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("app.log: got %d bytes, want %d; first 40: %q", len(got), len(want), got[:min(40, len(got))])
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"bogus"},
		{"demo", "-nosuchflag"},
		{"demo", "-lines", "0"},
		{"demo", "a", "b"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2; stderr: %s", args, code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "usage: memmap") {
			t.Errorf("run(%q): stderr lacks the usage: %s", args, stderr.String())
		}
	}
}

func TestDemoBadDir(t *testing.T) {
	// A directory that cannot be made (a file is in the way) is exit 1
	// with a one-line error.
	file := filepath.Join(testutil.TempDir(t), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"demo", filepath.Join(file, "sub")}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr.String())
	}
	if got := strings.Count(stderr.String(), "\n"); got != 1 || !strings.Contains(stderr.String(), file) {
		t.Errorf("stderr is not one line naming %s: %q", file, stderr.String())
	}
}
