#!/usr/bin/env python3
"""Zips or unzips one release archive without needing zip/unzip installed.

  zip.py pack ZIP FILE    ZIP holds FILE (by its base name), executable, with a fixed
                          time, so the archive and its zh: hash depend on FILE only
  zip.py unpack ZIP DIR   extracts ZIP into DIR, keeping the executable bit
"""
import os
import sys
import zipfile


def pack(archive, path):
    info = zipfile.ZipInfo(os.path.basename(path), date_time=(2000, 1, 1, 0, 0, 0))
    info.external_attr = (0o100755 & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(path, "rb") as f, zipfile.ZipFile(archive, "w") as z:
        z.writestr(info, f.read(), compresslevel=9)


def unpack(archive, folder):
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            out = z.extract(info, folder)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(out, mode)


if __name__ == "__main__":
    {"pack": pack, "unpack": unpack}[sys.argv[1]](sys.argv[2], sys.argv[3])
