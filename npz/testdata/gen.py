"""Writes the golden archives of package npz's tests with NumPy.

    /usr/bin/python3 npz/testdata/gen.py npz/testdata

savez.npz             np.savez of the arrays below (stored members; NumPy
                      puts a Zip64 extra field in every local header).
savez_compressed.npz  np.savez_compressed of the same (deflated members).
zip64.npz             the same arrays, stored and deflated, written by
                      Python's zipfile with its Zip64 thresholds lowered to
                      0, so that every central entry has a Zip64 extra
                      field (sizes and local header offset) and the
                      archive ends with Zip64 end records, as a member over
                      4 GiB makes it; plus a README.txt member, not .npy.
"""
import io
import os
import sys
import zipfile

import numpy as np

packed = np.dtype([('x', '<f4'), ('y', '<f8'), ('z', 'u1')])


def arrays():
    return {
        'a': np.arange(12, dtype='<f4').reshape(3, 4) / 4,
        'b': (np.arange(5) * -3).astype('>i8'),
        'p': np.array([(i, i * 1.5, 250 + i) for i in range(3)], packed),
        'f': np.asfortranarray(np.arange(6, dtype='<i2').reshape(2, 3)),
        's': np.array(7.25),
        'e': np.zeros((0, 3), '<u2'),
    }


def main(d):
    first = np.array([1, 2, 3], 'u1')
    np.savez(os.path.join(d, 'savez.npz'), first, **arrays())
    np.savez_compressed(os.path.join(d, 'savez_compressed.npz'), first, **arrays())

    zipfile.ZIP64_LIMIT = 0
    zipfile.ZIP_FILECOUNT_LIMIT = 0
    with zipfile.ZipFile(os.path.join(d, 'zip64.npz'), 'w') as zf:
        items = [('arr_0', first)] + list(arrays().items())
        for i, (k, v) in enumerate(items):
            b = io.BytesIO()
            np.save(b, v)
            method = zipfile.ZIP_DEFLATED if i % 2 else zipfile.ZIP_STORED
            zi = zipfile.ZipInfo(k + '.npy', date_time=(2024, 1, 2, 3, 4, 6))
            zi.compress_type = method
            with zf.open(zi, 'w', force_zip64=True) as f:
                f.write(b.getvalue())
        zf.writestr(zipfile.ZipInfo('README.txt', date_time=(2024, 1, 2, 3, 4, 6)), b'not an array\n')


if __name__ == '__main__':
    main(sys.argv[1])
