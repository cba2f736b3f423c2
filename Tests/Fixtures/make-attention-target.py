#!/usr/bin/env python3
"""Makes the corpus's test image for --crop attention: a bright, detailed object off-centre on a flat field.
Run from anywhere: python3 Tests/Fixtures/make-attention-target.py (Python's standard library only).

crop/attention-subject-left-1200x800.png is 1200x800, a flat slate-blue field (RGB 96,120,140, every pixel
alike) with one disc of radius 110 centred at (230, 420): rings of saturated red and yellow crossed by 24 dark
spokes, and a white highlight. A 200x300 thumbnail scales the image to 450x300 and keeps 200 columns of it:
the centre crop keeps columns 125-324 and misses the disc (columns 45-127 at that scale) all but its edge;
libvips' attention crop (edges, skin tones, saturation) must keep the disc. Nothing here is random, so the
file is the same on every run.
"""
import math
import os
import struct
import zlib

corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

WIDTH, HEIGHT = 1200, 800
FIELD = (96, 120, 140)
CENTRE_X, CENTRE_Y, RADIUS = 230, 420, 110
RED, YELLOW, DARK, WHITE = (230, 40, 30), (250, 220, 40), (40, 20, 10), (255, 255, 255)


def pixel(x, y):
    """The colour at (x, y): the field, or the disc's rings, spokes and highlight."""
    dx, dy = x - CENTRE_X, y - CENTRE_Y
    distance = math.hypot(dx, dy)
    if distance > RADIUS:
        return FIELD
    if math.hypot(dx + 35, dy + 35) < 14:
        return WHITE
    angle = math.atan2(dy, dx) % (2 * math.pi)
    if distance > 12 and (angle * 24 / (2 * math.pi)) % 1 < 0.18:
        return DARK
    return RED if int(distance // 9) % 2 == 0 else YELLOW


def chunk(kind, data):
    """One PNG chunk: length, type, data and the CRC of type and data (PNG spec, section 5.3)."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png():
    """An 8-bit RGB PNG (colour type 2), every row with filter type 0 (none)."""
    rows = bytearray()
    for y in range(HEIGHT):
        rows.append(0)
        for x in range(WIDTH):
            rows.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
            + chunk(b"IEND", b""))


with open(os.path.join(corpus, "crop", "attention-subject-left-1200x800.png"), "wb") as out:
    out.write(png())
