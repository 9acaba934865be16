package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// readAheadKB returns the read-ahead window, in KiB, of the block device
// holding the file at path (its queue/read_ahead_kb in sysfs, or its
// parent's for a partition): the most a fault's read-around reads.
func readAheadKB(path string) (int, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, err
	}
	major, minor := (st.Dev>>8)&0xfff|(st.Dev>>32)&^0xfff, st.Dev&0xff|(st.Dev>>12)&^0xff
	dev := fmt.Sprintf("/sys/dev/block/%d:%d", major, minor)
	for _, p := range []string{filepath.Join(dev, "queue", "read_ahead_kb"), filepath.Join(dev, "..", "queue", "read_ahead_kb")} {
		if b, err := os.ReadFile(p); err == nil {
			return strconv.Atoi(strings.TrimSpace(string(b)))
		}
	}
	return 0, fmt.Errorf("no read_ahead_kb for device %d:%d", major, minor)
}
