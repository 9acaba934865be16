#!/usr/bin/python3
"""Write the golden corpus of .npy files for package header's tests.

Run from anywhere with Debian's NumPy:

    /usr/bin/python3 header/testdata/gen.py [OUTDIR]

OUTDIR defaults to golden/ beside this script. Every file is written by NumPy
itself (np.save, np.lib.format.write_array, open_memmap), except the few
"legacy" files, hand-made to look like what older writers produced (no growth
padding, 16-byte alignment, Python 2 "3L" ints, another key order); those are
marked exact=false: our encoder is not expected to reproduce their bytes.

manifest.json lists, per file: name, descr (repr of
numpy.lib.format.dtype_to_descr, the text NumPy writes), fortran_order, shape,
version [major, minor], header_len (bytes of header text after the length
field), data_offset, itemsize, exact (Encode must give these very header
bytes), descr_sha256 (instead of descr when that is over 1000
characters: the SHA-256 of its UTF-8 text, in hex), and error ("" or the kind of error a reader must give: "dtype").
"""

import hashlib
import json
import os
import struct
import sys
import warnings

import numpy as np
import numpy.lib.format as fmt

warnings.simplefilter("ignore")  # "Stored array in format 2.0/3.0"

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
os.makedirs(out, exist_ok=True)
entries = []


def values(dtype, shape):
    """Small deterministic values of any dtype: the bytes 0, 1, 2, ..."""
    dt = np.dtype(dtype)
    n = int(np.prod(shape, dtype=np.int64)) * dt.itemsize
    raw = (np.arange(n, dtype=np.int64) % 251).astype(np.uint8).tobytes()
    a = np.frombuffer(raw, dtype=dt, count=n // dt.itemsize if dt.itemsize else 0) if n else np.zeros(0, dt)
    a = a.reshape(shape)
    if dt.kind == "b":
        a = (np.arange(a.size) % 3 == 0).reshape(shape)
    elif dt.kind in "fc":
        a = np.arange(a.size).astype(dt).reshape(shape) / 4
        a = a.astype(dt)
    return a


def record(name, exact=True, error=""):
    path = os.path.join(out, name)
    with open(path, "rb") as f:
        major, minor = fmt.read_magic(f)
        if (major, minor) == (1, 0):
            (hlen,) = struct.unpack("<H", f.read(2))
        else:
            (hlen,) = struct.unpack("<I", f.read(4))
        f.seek(0)
        raw = f.read(10 + hlen) if (major, minor) == (1, 0) else f.read(12 + hlen)
        f.seek(8)
        if error:
            d = fmt.safe_eval(fmt._filter_header(raw[10 if major == 1 else 12:].decode("latin1")))
            shape, fortran, descr, itemsize = d["shape"], d["fortran_order"], repr(d["descr"]), 0
        else:
            shape, fortran, dtype = fmt._read_array_header(f, (major, minor), max_header_size=2**30)
            descr, itemsize = repr(fmt.dtype_to_descr(dtype)), dtype.itemsize
        offset = len(raw)
    entries.append(dict(name=name, descr=descr, fortran_order=fortran, shape=list(shape),
                        version=[major, minor], header_len=hlen, data_offset=offset,
                        itemsize=itemsize, exact=exact, error=error))


def save(name, a, version=None, **kw):
    with open(os.path.join(out, name), "wb") as f:
        fmt.write_array(f, a, version=version, **kw)
    record(name)


# Every scalar dtype, both byte orders, C order.
scalars = ["b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8", "c8", "c16", "S12", "V4"]
for code in scalars:
    for order in "<>":
        dt = np.dtype(order + code)
        if dt.byteorder == "|" and order == ">":
            continue  # one file for byte-order-free types
        tag = {"<": "le", ">": "be"}[order] if dt.byteorder != "|" else "na"
        save(f"scalar_{code}_{tag}.npy", values(dt, (2, 3)))

# Fortran order, 2-d and 3-d (the growth axis is the last one).
for code in ["<f8", ">i4", "|u1", "<c8"]:
    dt = np.dtype(code)
    save(f"fortran_{dt.str[1:]}_{'be' if dt.byteorder == '>' else 'le'}_2x3.npy", np.asfortranarray(values(dt, (2, 3))))
save("fortran_f4_3d.npy", np.asfortranarray(values("<f4", (2, 3, 4))))
save("fortran_i2_be_1x5.npy", np.asfortranarray(values(">i2", (1, 5))))

# 0-d and empty arrays; shapes whose growth axis has many digits.
save("zerod_f8.npy", np.array(1.5, dtype="<f8"))
save("zerod_struct.npy", np.zeros((), dtype=[("a", "<i4"), ("b", "|u1")]))
save("empty_0.npy", np.zeros((0,), dtype="<f8"))
save("empty_0x5.npy", np.zeros((0, 5), dtype="<i4"))
save("empty_5x0.npy", np.zeros((5, 0), dtype="<i4"))
save("empty_wide_axis0.npy", np.zeros((123456789012, 0), dtype="|u1"))
save("empty_wide_axis1.npy", np.zeros((0, 98765432109876), dtype="<f8"))
save("long_1d.npy", values("|u1", (1000,)))
save("shape_4d.npy", values("<u2", (1, 2, 1, 3)))

# Structured dtypes: packed, aligned (padding fields), nested, subarrays, titles.
save("struct_packed.npy", values([("a", "|u1"), ("b", "<f8"), ("c", "<i2")], (3,)))
save("struct_aligned.npy", values(np.dtype([("a", "|u1"), ("b", "<f8"), ("c", "<i2")], align=True), (3,)))
save("struct_aligned_be.npy", values(np.dtype([("a", "|u1"), ("b", ">f4"), ("c", ">i8"), ("d", "|b1")], align=True), (2,)))
save("struct_nested.npy", values([("x", [("a", "<i4"), ("b", "|u1")]), ("y", "<f8")], (2,)))
save("struct_nested_aligned.npy", values(np.dtype([("x", np.dtype([("a", "|u1"), ("b", "<i4")], align=True)), ("y", "|u1"), ("z", "<f8")], align=True), (2,)))
save("struct_subarray.npy", values([("m", "<f4", (2, 3)), ("v", "<i2", (4,)), ("s", "|S3")], (2,)))
save("struct_subarray_nested.npy", values([("p", [("q", "<u2", (2,))], (3,))], (1,)))
save("struct_titles.npy", values(np.dtype({"names": ["a", "b"], "formats": ["<i4", "<f8"], "titles": ["Title A", None]}), (2,)))
save("struct_offsets_gap.npy", values(np.dtype({"names": ["a", "b"], "formats": ["|u1", "<i2"], "offsets": [0, 4], "itemsize": 8}), (2,)))
save("struct_fortran.npy", np.asfortranarray(values([("a", "<i2"), ("b", "|u1")], (2, 2))))
save("struct_quotes.npy", values([("it's", "<i2"), ('say "x"', "|u1"), ("back\\slash", "|u1")], (1,)))

# Versions: NumPy picks 1.0, then 2.0 when the header does not fit a u16,
# then 3.0 when the text is not latin-1; explicit versions too.
save("v1_latin1_name.npy", values([("é", "<i4"), ("ß", "|u1")], (2,)))
save("v3_utf8_name.npy", values([("日本", "<i4"), ("x", "|u1")], (2,)))
save("v3_emoji_name.npy", values([("😀", "<f2")], (1,)))
save("v2_many_fields.npy", values([(f"f{i}", "|u1") for i in range(4000)], (1,)))
save("v2_explicit.npy", values("<f8", (2, 2)), version=(2, 0))
save("v3_explicit.npy", values("<i8", (3,)), version=(3, 0))
save("v2_explicit_fortran.npy", np.asfortranarray(values(">u4", (2, 3))), version=(2, 0))

# Files from open_memmap.
for name, dtype, shape, fortran in [
    ("memmap_f4.npy", "<f4", (4, 3), False),
    ("memmap_fortran_i8.npy", "<i8", (2, 3), True),
    ("memmap_struct.npy", np.dtype([("id", "<u4"), ("score", "<f8")], align=True), (3,), False),
    ("memmap_empty.npy", "<f8", (0, 4), False),
]:
    m = fmt.open_memmap(os.path.join(out, name), mode="w+", dtype=dtype, shape=shape, fortran_order=fortran)
    if m.size:
        m[...] = values(dtype, shape)
    m.flush()
    del m
    record(name)


# Legacy headers, hand-made as older writers made them.
def legacy(name, text, version=(1, 0), align=64, data=b""):
    pre = 10 if version == (1, 0) else 12
    body = text.encode("latin1" if version != (3, 0) else "utf8")
    pad = -(pre + len(body) + 1) % align
    body += b" " * pad + b"\n"
    hdr = fmt.magic(*version) + struct.pack("<H" if version == (1, 0) else "<I", len(body)) + body
    with open(os.path.join(out, name), "wb") as f:
        f.write(hdr + data)
    record(name, exact=False)


legacy("legacy_nogrowth.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
       data=np.arange(3, dtype="<i4").tobytes())
legacy("legacy_align16.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
       align=16, data=np.arange(4, dtype="<f8").tobytes())
legacy("legacy_py2_long.npy", "{'descr': '<u2', 'fortran_order': False, 'shape': (2L, 3L), }",
       align=16, data=np.arange(6, dtype="<u2").tobytes())
legacy("legacy_key_order.npy", "{'shape': (2,), 'fortran_order': True, 'descr': '>i2'}",
       data=np.arange(2, dtype=">i2").tobytes())
legacy("legacy_spacing.npy", "{'descr':'|u1','fortran_order':False,'shape':(4,)}",
       data=bytes(range(4)))

# Dtypes a reader must refuse (with a dtype error, after parsing the header).
save("unsupported_object.npy", np.array([1, "a"], dtype=object), allow_pickle=True)
entries[-1]["error"] = "dtype"
entries[-1]["itemsize"] = 0

entries.sort(key=lambda e: e["name"])
for e in entries:
    # Keep the manifest small: a long descr is given by its SHA-256 (hex of
    # the UTF-8 text) instead.
    e["descr_sha256"] = ""
    if len(e["descr"]) > 1000:
        e["descr_sha256"] = hashlib.sha256(e["descr"].encode("utf-8")).hexdigest()
        e["descr"] = ""
with open(os.path.join(out, "manifest.json"), "w") as f:
    # One entry per line, so that diffs stay readable.
    f.write('{"numpy_version": %s, "files": [\n' % json.dumps(np.__version__))
    f.write(",\n".join(json.dumps(e, ensure_ascii=False) for e in entries))
    f.write("\n]}\n")
print(f"wrote {len(entries)} files to {out}")
