"""Write every array of NumPy's own .npy format tests as .npy files.

Usage: numpy_test_format.py OUTDIR

numpy.lib.tests.test_format defines the arrays NumPy checks its format
code with: basic_arrays, record_arrays, dt1 to dt6 (padded, offset,
nested, titled and empty structs), the dtypes of test_descr_to_dtype
(subarrays of subarrays, of structs), and, inside test functions, the
500-field version 2.0 header, unicode field names in version 3.0 and
test_long_str's long unicode item. This script writes each of them with
numpy.lib.format.write_array into OUTDIR and lists them in
OUTDIR/manifest.json with the descr NumPy wrote and, for dtypes the Go
library cannot map (object, unicode), the field whose dtype it refuses.

It needs python3-pytest (the test module imports it); without it, it
prints a line starting with SKIP and writes nothing.
"""

import json
import os
import sys
import warnings

import numpy as np
from numpy.lib import format

try:
    from numpy.lib.tests import test_format as tf
except ImportError as e:  # pytest missing
    print("SKIP cannot import numpy.lib.tests.test_format (%s); install python3-pytest" % e)
    sys.exit(0)


def unsupported(dt, name=None):
    """Return (True, field name) for the first field, depth first, whose
    scalar dtype is object or unicode; (False, None) when there is none."""
    if dt.subdtype is not None:
        return unsupported(dt.subdtype[0], name)
    if dt.names is not None:
        for n in dt.names:
            bad, where = unsupported(dt.fields[n][0], n)
            if bad:
                return bad, where
        return False, None
    return dt.kind in "OU", name


def arrays():
    for i, a in enumerate(tf.basic_arrays):
        yield "basic_%d" % i, a, None
    for i, a in enumerate(tf.record_arrays):
        yield "record_%d" % i, a, None
    for i, dt in enumerate([tf.dt1, tf.dt2, tf.dt3, tf.dt4, tf.dt5, tf.dt6]):
        yield "dt%d" % (i + 1), np.zeros(3, dt), None
    marks = [m for m in tf.test_descr_to_dtype.pytestmark if m.name == "parametrize"]
    for i, dt in enumerate(marks[0].args[1]):
        yield "descr_to_dtype_%d" % i, np.zeros(3, dt), None
    # test_version_2_0
    dt = [(("%d" % i) * 100, float) for i in range(500)]
    yield "version_2_0", np.ones(1000, dtype=dt), (2, 0)
    # test_unicode_field_names
    yield "unicode_field_names", np.array(
        [(1, 3), (1, 2), (1, 3), (1, 2)],
        dtype=[("int", int), ("\N{CJK UNIFIED IDEOGRAPH-6574}\N{CJK UNIFIED IDEOGRAPH-5F62}", int)],
    ), (3, 0)
    # test_long_str
    yield "long_str", np.ones(1, dtype=np.dtype((str, format.BUFFER_SIZE + 1))), None


def main():
    out = sys.argv[1]
    files = []
    for name, a, version in arrays():
        path = os.path.join(out, name + ".npy")
        with open(path, "wb") as f, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            format.write_array(f, a, version=version, allow_pickle=True)
        bad, where = unsupported(a.dtype)
        files.append({
            "name": name + ".npy",
            "descr": repr(format.dtype_to_descr(a.dtype)),
            "shape": list(a.shape),
            "fortran_order": bool(a.flags.f_contiguous and not a.flags.c_contiguous),
            "unsupported": bad,
            "field": where,
        })
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"numpy_version": np.__version__, "files": files}, f, indent=1)
    print("wrote %d files" % len(files))


main()
