package cold

import "time"

// Scenarios, as the report names them.
const (
	Random     = "random"      // 1: random single reads
	Gather     = "gather"      // 2: cold gather of random rows
	GatherWarm = "gather-warm" // 2: warm gather against a heap loop
	Scan       = "scan"        // 3: sequential scan
	Append     = "append"      // 4: bulk append
	AppendOne  = "append-one"  // 5: one record (or array row) per call
)

// Job is what the parent asks a child to measure.
type Job struct {
	Scenario   string
	Impl       string
	Path       string // the file to read, or to write (appends)
	Goroutines int
	Budget     time.Duration // time to spend per cell (reads, gathers)
	MaxOps     int64         // per goroutine (reads) or in all (gathers); 0: no cap
	Seed       uint64
	Rows       int   // rows per gather
	WarmRows   int   // rows of the file the warm gather reads
	Batch      int   // bytes per Append batch
	Total      int64 // bytes to append
}

// Result is one measured cell, as the child printed it and the parent
// completed it.
type Result struct {
	Scenario   string `json:"scenario"`
	Impl       string `json:"impl"`
	Goroutines int    `json:"g,omitempty"`
	Batch      int    `json:"batch,omitempty"`

	Ops      int64   `json:"ops"`               // reads, rows gathered, records or bytes appended
	Bytes    int64   `json:"bytes"`             // bytes delivered to the caller
	Seconds  float64 `json:"s"`                 // timed part (to the page cache, for appends)
	Durable  float64 `json:"durable_s"`         // appends: until on the disk
	MajFlt   int64   `json:"majflt"`            // getrusage deltas over the timed part
	MinFlt   int64   `json:"minflt"`            //
	ReadB    int64   `json:"read_bytes"`        // /proc/self/io deltas over the timed part
	WriteB   int64   `json:"write_bytes"`       //
	SysR     int64   `json:"syscr"`             // read system calls (read, pread), from /proc/self/io
	SysW     int64   `json:"syscw,omitempty"`   // write system calls (write, pwrite), from /proc/self/io
	UserS    float64 `json:"utime_s,omitempty"` // user CPU seconds (getrusage), over the same span
	SysS     float64 `json:"stime_s,omitempty"` // system CPU seconds
	Check    string  `json:"check,omitempty"`   // what the child verified
	Err      string  `json:"err,omitempty"`     // failure, or "not measured: why"
	Skipped  bool    `json:"skipped,omitempty"`
	ChildCg  string  `json:"child_cgroup,omitempty"` // the memory cgroup the child saw itself in
	Cgroup   string  `json:"cgroup,omitempty"`       // the cgroup the parent made ("" = none)
	Limit    int64   `json:"limit,omitempty"`        // its limit, bytes
	Peak     int64   `json:"peak,omitempty"`         // its peak usage, bytes (-1 unknown)
	Resident float64 `json:"resident"`               // fraction of the file cached when the child started
	Before   float64 `json:"resident_before"`        // ... before the drop
	Cold     bool    `json:"cold"`                   // dropped and (if possible) in a cgroup
	Round    int     `json:"round,omitempty"`
}

// Rate is Ops per second of the timed part (NaN-free: 0 if not measured).
func (r Result) Rate() float64 {
	if r.Seconds <= 0 || r.Err != "" {
		return 0
	}
	return float64(r.Ops) / r.Seconds
}

// DurableRate is Ops per second until the data was on the disk.
func (r Result) DurableRate() float64 {
	if r.Durable <= 0 || r.Err != "" {
		return 0
	}
	return float64(r.Ops) / r.Durable
}

// Info is what a run found about the machine, for the report.
type Info struct {
	FSType     string  `json:"fs"`
	Droppable  bool    `json:"droppable"`
	Cgroup     string  `json:"cgroup"`      // parent directory of the cgroups made, "" if none
	CgroupV    int     `json:"cgroup_v"`    // 1 or 2
	NoCgroup   string  `json:"no_cgroup"`   // why no cgroup could be made
	FileBytes  int64   `json:"file_bytes"`  //
	Limit      int64   `json:"limit"`       //
	AppendB    int64   `json:"append"`      //
	BudgetS    float64 `json:"budget_s"`    //
	GatherRows int     `json:"gather_rows"` //
	GatherG    int     `json:"gather_g"`    //
	WarmBytes  int64   `json:"warm"`        //
	Count      int     `json:"count"`       //
}
