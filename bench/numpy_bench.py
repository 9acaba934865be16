"""NumPy column of bench/RESULTS.md: the workloads of scenarios 1 and 2 with
numpy.memmap (np.load(..., mmap_mode="r")), on the same files the Go
benchmarks read. cmd/report runs it with /usr/bin/python3 and reads the JSON
it prints: the median of --reps timed runs of each workload, in nanoseconds.

    python3 numpy_bench.py --array f64.npy --idx idx.npy --reps 5
"""

import argparse
import json
import sys
import time


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def timed(fn, reps):
    out = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        fn()
        out.append(time.perf_counter_ns() - t0)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--array", required=True, help="1-d float64 .npy file")
    ap.add_argument("--idx", required=True, help="1-d int64 .npy file of indexes into it")
    ap.add_argument("--sum", type=float, required=True, help="the array's exact sum")
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    try:
        import numpy as np
    except ImportError as e:
        json.dump({"error": "NumPy is not installed: %s" % e}, sys.stdout)
        return

    res = {"numpy": np.__version__, "python": sys.version.split()[0], "reps": args.reps}
    a = np.load(args.array, mmap_mode="r")
    idx = np.load(args.idx)
    want = float(a.sum())  # also maps every page, as the Go benchmarks do
    if want != args.sum:
        sys.exit("sum %r, want %r" % (want, args.sum))

    # Scenario 1: gather at the same random indexes (and sum, as Go does).
    a[idx].sum()
    ts = timed(lambda: a[idx].sum(), args.reps)
    res["gather_ns_per_elem"] = median(ts) / len(idx)
    res["gather_runs_ns"] = ts

    # Scenario 2: sum over the array, pages mapped.
    ts = timed(lambda: a.sum(), args.reps)
    res["sum_ns"] = median(ts)
    res["sum_runs_ns"] = ts

    # Scenario 2, first pass: open, sum, close (page cache warm).
    def first():
        b = np.load(args.array, mmap_mode="r")
        s = float(b.sum())
        b._mmap.close()
        if s != args.sum:
            sys.exit("first pass: sum %r, want %r" % (s, args.sum))

    ts = timed(first, args.reps)
    res["firstpass_ns"] = median(ts)
    res["firstpass_runs_ns"] = ts
    res["elems"] = int(a.shape[0])
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    main()
