#!/usr/bin/env python3
"""Makes the corpus's damaged JPEGs from one clean photo, byte by byte, so that anyone can check how each
was made. Run from anywhere: python3 Tests/Fixtures/make-damaged-jpegs.py

Two kinds, each listed in corpus/MANIFEST.tsv:
- harmless damage, which libjpeg only warns about and which leaves every pixel as it was (junk bytes
  between marker segments or before the end marker, an unknown JFIF revision): img-thumb must accept
  these, and their thumbnails must equal the clean photo's;
- damage to the picture itself (scrambled entropy-coded data, a file cut inside its scan): img-thumb
  must refuse these, whatever else is wrong or right with the file.
"""
import os
import random

corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
clean = open(os.path.join(corpus, "exif/exif-orient-1.jpg"), "rb").read()


def segment(marker):
    """Offset of the first marker segment 0xFF<marker> before the scan."""
    offset = 2
    while clean[offset + 1] != 0xDA:
        if clean[offset + 1] == marker:
            return offset
        offset += 2 + int.from_bytes(clean[offset + 2:offset + 4], "big")
    return offset if marker == 0xDA else None


def scan_data():
    """Offset where the entropy-coded data of the first scan starts."""
    sos = segment(0xDA)
    return sos + 2 + int.from_bytes(clean[sos + 2:sos + 4], "big")


def write(rel, data):
    with open(os.path.join(corpus, rel), "wb") as out:
        out.write(data)


dqt = segment(0xDB)
junk = b"\x00\x13\x37\x42\x99"
write("jpeg/jpeg-junk-before-marker.jpg", clean[:dqt] + junk + clean[dqt:])

# Junk after the last scan, before the end-of-image marker (some phones pad their files this way).
assert clean.endswith(b"\xff\xd9")
write("jpeg/jpeg-junk-before-eoi.jpg", clean[:-2] + b"\x00" * 7 + b"\xff\xd9")

app0 = segment(0xE0)
assert clean[app0 + 4:app0 + 9] == b"JFIF\x00"
revised = bytearray(clean)
revised[app0 + 9] = 2  # JFIF major version 2: libjpeg warns "unknown JFIF revision number 2.01"
write("jpeg/jpeg-jfif-revision-2.jpg", bytes(revised))

scan = scan_data()
# 4,000 bytes of the scan replaced by random ones (never 0xFF, so no marker appears): "bad Huffman code".
scrambled = bytearray(clean)
noise = random.Random(7)
for index in range(scan + 20000, scan + 24000):
    scrambled[index] = noise.randrange(0, 255)
write("broken/broken-corrupt-huffman.jpg", bytes(scrambled))

# A restart marker where the file declares no restart interval: "premature end of data segment".
stray = bytearray(clean)
stray[scan + 20000:scan + 20002] = b"\xff\xd0"
write("broken/broken-marker-in-scan.jpg", bytes(stray))

# Harmless junk before a marker and then damaged scan data: the junk must not make the damage pass.
write("broken/broken-junk-and-corrupt-huffman.jpg", bytes(scrambled[:dqt]) + junk + bytes(scrambled[dqt:]))

write("broken/broken-cut-in-scan.jpg", clean[:scan + (len(clean) - scan) // 2])
