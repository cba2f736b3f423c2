#!/usr/bin/env python3
"""Makes the corpus's junk folder: what a real photo folder holds besides photos, copied from a Mac, a NAS
or a Linux desktop. Run from anywhere: python3 Tests/Fixtures/make-junk.py (needs the `vips` command).

- junk/IMG_0001.jpg: the one photo (a copy of photos/photo-exif-zero-length-string.jpg), which img-scan must find;
- junk/._IMG_0001.jpg: the AppleDouble file macOS writes beside it on a disk without its metadata (RFC 1740,
  AppleDouble version 2: a Finder Info entry holding an extended-attribute block with a quarantine flag, and
  an empty resource fork). It carries .jpg and holds no image;
- junk/@eaDir/IMG_0001.jpg/SYNOPHOTO_THUMB_S.jpg: the thumbnail Synology's NAS keeps of it (a real JPEG,
  240 pixels on the long side), which would otherwise go up as an original;
- junk/.thumbnails/normal/<md5 of the file URI>.png: the freedesktop.org thumbnail cache a Linux desktop
  keeps (a real PNG, 128 pixels on the long side), in a hidden folder;
- junk/.IMG_0001.jpg.swp-like hidden image: junk/.hidden-copy.jpg, a hidden file.
img-scan must find IMG_0001.jpg only and count the rest; img-thumb refuses the AppleDouble file if given it.
"""
import hashlib
import os
import shutil
import struct
import subprocess

corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
junk = os.path.join(corpus, "junk")
photo = os.path.join(corpus, "photos", "photo-exif-zero-length-string.jpg")


def apple_double():
    """An AppleDouble header file as macOS (copyfile(3)) writes it: 4096 bytes, two entries."""
    attribute_name = b"com.apple.quarantine\0"
    attribute_value = b"0083;00000000;Safari;"
    # The extended-attribute block (`ATTR`) that follows the 32 bytes of Finder info.
    entry_offset = 0x78  # where the first attribute entry starts, counted from the file's start
    data_offset = entry_offset + ((11 + len(attribute_name) + 3) & ~3)
    total = 4096 - 286
    attr = b"ATTR" + struct.pack(">IIIIIIIHH", 0, total, data_offset, len(attribute_value), 0, 0, 0, 0, 1)
    attr += struct.pack(">IIHB", data_offset, len(attribute_value), 0, len(attribute_name)) + attribute_name
    header = struct.pack(">II16sH", 0x00051607, 0x00020000, b"Mac OS X        ", 2)
    finder_info_offset = len(header) + 2 * 12
    entries = struct.pack(">III", 9, finder_info_offset, total - finder_info_offset)
    entries += struct.pack(">III", 2, total, 286)
    body = header + entries + bytes(32) + b"\0\0" + attr
    body = body.ljust(data_offset, b"\0") + attribute_value
    body = body.ljust(total, b"\0")
    # An empty resource fork: a 256-byte header, then a map with no types.
    fork = struct.pack(">IIII", 256, 256, 0, 30).ljust(256, b"\0")
    fork += struct.pack(">IIII", 256, 256, 0, 30) + bytes(6) + struct.pack(">HHHH", 0, 28, 30, 0xFFFF)
    return (body + fork).ljust(4096, b"\0")


def thumbnail(source, size, target):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    subprocess.run(["vips", "thumbnail", source, target, str(size)], check=True)


def main():
    shutil.rmtree(junk, ignore_errors=True)
    os.makedirs(junk)
    shutil.copyfile(photo, os.path.join(junk, "IMG_0001.jpg"))
    shutil.copyfile(photo, os.path.join(junk, ".hidden-copy.jpg"))
    with open(os.path.join(junk, "._IMG_0001.jpg"), "wb") as out:
        out.write(apple_double())
    thumbnail(photo, 240, os.path.join(junk, "@eaDir", "IMG_0001.jpg", "SYNOPHOTO_THUMB_S.jpg") + "[strip,Q=80]")
    uri = "file:///home/user/Pictures/IMG_0001.jpg"
    thumbnail(photo, 128, os.path.join(junk, ".thumbnails", "normal", hashlib.md5(uri.encode()).hexdigest() + ".png"))


if __name__ == "__main__":
    main()
