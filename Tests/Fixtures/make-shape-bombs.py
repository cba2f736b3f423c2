#!/usr/bin/env python3
"""Makes the corpus's shape bombs: tiny images of extreme shapes, one pixel across and tens of thousands to a
million pixels long, in both directions. Run from anywhere: python3 Tests/Fixtures/make-shape-bombs.py
(the JPEGs need the `vips` command, from libvips-tools).

Each is far under the pixel limit, yet filling a 200x300 box from a single row or column means scaling it up
hundreds of times: made the ordinary way (scale to fill, then crop), a 50000x1 PNG becomes a 15,000,000x300
intermediate, which took img-thumb minutes and gigabytes. Each is listed in corpus/MANIFEST.tsv, and img-thumb
must make its thumbnail from the centre alone, in well under a second and a few tens of MB.

The pixels are an 8-bit grey ramp along the long side, 0 at one end and 255 at the other, so that a thumbnail
of the middle is mid-grey and one taken from an end is not.
"""
import os
import struct
import subprocess
import tempfile
import zlib

corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def ramp(length):
    """The grey level of each pixel along the long side: 0 to 255, evenly."""
    return bytes(index * 255 // (length - 1) for index in range(length))


def chunk(kind, data):
    """One PNG chunk: length, type, data and the CRC of type and data (PNG spec, section 5.3)."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width, height):
    """An 8-bit greyscale PNG (colour type 0), every row with filter type 0 (none)."""
    levels = ramp(max(width, height))
    if height == 1:
        rows = b"\x00" + levels
    else:
        rows = b"".join(b"\x00" + levels[row:row + 1] for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def write(rel, data):
    with open(os.path.join(corpus, rel), "wb") as out:
        out.write(data)


for width, height in [(50000, 1), (1, 50000), (1000000, 1), (1, 1000000)]:
    write(f"aspect/shape-bomb-{width}x{height}.png", png(width, height))

# JPEG allows at most 65535 pixels a side: the PNG ramps of 50000 saved by libvips, without metadata.
with tempfile.TemporaryDirectory() as scratch:
    for width, height in [(50000, 1), (1, 50000)]:
        source = os.path.join(scratch, "ramp.png")
        with open(source, "wb") as out:
            out.write(png(width, height))
        # -q90: the PNG of the same box beside it would otherwise share its thumbnail name.
        target = os.path.join(corpus, f"aspect/shape-bomb-{width}x{height}-q90.jpg")
        subprocess.run(["vips", "jpegsave", source, target, "--Q", "90", "--strip"], check=True)
