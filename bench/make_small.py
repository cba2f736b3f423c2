"""Small test images for the many-small-PUTs benchmark: COUNT distinct JPEGs of about 20 KB (noisy 200x200
gradients), 100 per folder, made once (an existing DIR/.complete-COUNT is reused).

With SIZE, avatar-like ones instead: COUNT distinct SIZExSIZE JPEGs (a gradient background, a head and
shoulders in one colour, soft grain; about 48 KB at 512), named avatar-N.jpg, 100 per folder, made once (an
existing DIR/.complete-COUNT-SIZE is reused). bench/from-bucket --avatars makes 512x512 ones.

usage: make_small.py DIR COUNT [SIZE]
"""
import os
import random
import shutil
import sys

from PIL import Image, ImageChops, ImageDraw, ImageFilter


def small(rng, path):
    size = 200
    image = Image.new("RGB", (size, size))
    # a gradient plus grain: every file differs, and JPEG lands near 20 KB at quality 93
    r, g, b = rng.randrange(256), rng.randrange(256), rng.randrange(256)
    noise = Image.effect_noise((size, size), 40).convert("RGB")
    image.putdata([((r + x) % 256, (g + y) % 256, (b + x + y) % 256) for y in range(size) for x in range(size)])
    Image.blend(image, noise, 0.33).save(path, "JPEG", quality=93)


def avatar(rng, size, path):
    # the same kind of gradient, made by PIL rather than pixel by pixel, a head and shoulders, and blurred grain:
    # JPEG lands near 48 KB at 512x512, quality 90
    r, g, b = rng.randrange(256), rng.randrange(256), rng.randrange(256)
    across = Image.linear_gradient("L").rotate(90).resize((size, size))
    down = Image.linear_gradient("L").resize((size, size))
    image = Image.merge("RGB", (across.point(lambda v: (v + r) % 256), down.point(lambda v: (v + g) % 256),
                                ImageChops.add_modulo(across, down).point(lambda v: (v + b) % 256)))
    draw = ImageDraw.Draw(image)
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    draw.ellipse([size * 0.3, size * 0.15, size * 0.7, size * 0.55], fill=colour)
    draw.ellipse([size * 0.15, size * 0.6, size * 0.85, size * 1.2], fill=colour)
    noise = Image.effect_noise((size, size), 40).convert("RGB").filter(ImageFilter.GaussianBlur(1.0))
    Image.blend(image, noise, 0.33).save(path, "JPEG", quality=90)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[-1])
    out, count = sys.argv[1], int(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) == 4 else None
    stamp = os.path.join(out, f".complete-{count}" if size is None else f".complete-{count}-{size}")
    if os.path.exists(stamp):
        print(f"make_small: reusing {out}", file=sys.stderr)
        return
    shutil.rmtree(out, ignore_errors=True)
    rng = random.Random(7)
    for index in range(count):
        folder = os.path.join(out, f"group{index // 100:02d}")
        os.makedirs(folder, exist_ok=True)
        if size is None:
            small(rng, os.path.join(folder, f"small-{index}.jpg"))
        else:
            avatar(rng, size, os.path.join(folder, f"avatar-{index}.jpg"))
    open(stamp, "w").close()
    print(f"make_small: {count} {'images' if size is None else f'{size}x{size} avatars'} in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
