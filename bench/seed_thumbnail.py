"""The seed's thumbnail step, as its README describes it: Pillow, convert to RGB, ImageOps.fit to 200x300 with
LANCZOS, JPEG quality 85. One process, one image after another. usage: seed_thumbnail.py OUTDIR FILE..."""
import os
import sys

from PIL import Image, ImageOps


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for index, path in enumerate(sys.argv[2:]):
        with Image.open(path) as image:
            image = image.convert("RGB")
            thumb = ImageOps.fit(image, (200, 300), Image.LANCZOS)
            thumb.save(os.path.join(out, f"{index}.jpg"), "JPEG", quality=85)


if __name__ == "__main__":
    main()
