#!/usr/bin/env python3
"""Makes the corpus's AVIF and JPEG XL photos from exif/exif-orient-1.jpg (a camera-style JPEG, 1800x1200,
EXIF orientation 1). Run from anywhere: python3 Tests/Fixtures/make-modern-formats.py (needs the `vips`
command, from libvips-tools; Debian 12's libvips 8.14 encodes AVIF through libheif with libaom, and JPEG XL
through libjxl 0.7).

- heif/avif-photo-1800x1200.avif: `vips heifsave --compression av1 --bitdepth 8 --Q 50` (8 bits, as cameras
  and browsers write AVIF; libvips would pick 12 otherwise), with the JPEG's EXIF;
- jxl/jxl-photo-1800x1200.jxl: `vips jxlsave --Q 75`, a bare JPEG XL codestream (it starts FF 0A).

Both carry the source's licence (MIT, recurser/exif-orientation-examples). The encoders are deterministic
for a given version; another version may write other bytes for the same picture.
"""
import os
import subprocess

corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
source = os.path.join(corpus, "exif", "exif-orient-1.jpg")

subprocess.run(["vips", "heifsave", source, os.path.join(corpus, "heif", "avif-photo-1800x1200.avif"),
                "--compression", "av1", "--bitdepth", "8", "--Q", "50"], check=True)
subprocess.run(["vips", "jxlsave", source, os.path.join(corpus, "jxl", "jxl-photo-1800x1200.jxl"), "--Q", "75"],
               check=True)
