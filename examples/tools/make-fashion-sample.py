#!/usr/bin/env python3
"""Regenerates the embedded Fashion-MNIST sample shipped in nabla-examples.

Takes the first 6,000 training and the first 1,000 test examples of the full dataset
(by default the files of Debian's dataset-fashion-mnist package) and writes them as gzip IDX
files with headers holding the reduced counts. Output is reproducible (gzip mtime 0).

    python3 examples/tools/make-fashion-sample.py [SOURCE_DIR [TARGET_DIR]]
"""
import collections
import gzip
import pathlib
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist")
TARGET = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else \
    ROOT / "src/main/resources/nabla/datasets/fashion-mnist-sample"
SUBSETS = {"train": 6000, "t10k": 1000}


def subset(name, count):
    data = gzip.decompress((SOURCE / f"{name}.gz").read_bytes())
    magic, = struct.unpack(">I", data[:4])
    if magic >> 8 != 0x08:  # 0x0000 08 NN: unsigned bytes, NN dimensions
        sys.exit(f"{name}: not an unsigned-byte IDX file (magic {magic:#010x})")
    rank = magic & 0xFF
    dims = list(struct.unpack(f">{rank}I", data[4:4 + 4 * rank]))
    if dims[0] < count:
        sys.exit(f"{name}: has {dims[0]} examples, need {count}")
    row = 1
    for d in dims[1:]:
        row *= d
    header = struct.pack(f">I{rank}I", magic, count, *dims[1:])
    body = data[4 + 4 * rank:4 + 4 * rank + count * row]
    out = TARGET / f"{name}.gz"
    with open(out, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
        gz.write(header + body)
    return body


TARGET.mkdir(parents=True, exist_ok=True)
for split, count in SUBSETS.items():
    subset(f"{split}-images-idx3-ubyte", count)
    labels = subset(f"{split}-labels-idx1-ubyte", count)
    counts = collections.Counter(labels)
    print(f"{split}: {count} examples, per class {[counts[c] for c in range(10)]}")
