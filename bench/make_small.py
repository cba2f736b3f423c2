"""Small test images for the many-small-PUTs benchmark: COUNT distinct JPEGs of about 20 KB (noisy 200x200
gradients), 100 per folder, made once (an existing DIR/.complete-COUNT is reused).

usage: make_small.py DIR COUNT
"""
import os
import random
import shutil
import sys

from PIL import Image


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    stamp = os.path.join(out, f".complete-{count}")
    if os.path.exists(stamp):
        print(f"make_small: reusing {out}", file=sys.stderr)
        return
    shutil.rmtree(out, ignore_errors=True)
    rng = random.Random(7)
    size = 200
    for index in range(count):
        folder = os.path.join(out, f"group{index // 100:02d}")
        os.makedirs(folder, exist_ok=True)
        image = Image.new("RGB", (size, size))
        # a gradient plus grain: every file differs, and JPEG lands near 20 KB at quality 93
        r, g, b = rng.randrange(256), rng.randrange(256), rng.randrange(256)
        noise = Image.effect_noise((size, size), 40).convert("RGB")
        image.putdata([((r + x) % 256, (g + y) % 256, (b + x + y) % 256) for y in range(size) for x in range(size)])
        Image.blend(image, noise, 0.33).save(os.path.join(folder, f"small-{index}.jpg"), "JPEG", quality=93)
    open(stamp, "w").close()
    print(f"make_small: {count} images in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
