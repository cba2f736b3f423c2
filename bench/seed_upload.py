"""The seed's upload_images.py, rebuilt from its README for the benchmark (its source is not ours to copy).

usage: seed_upload.py DIR --env-file FILE [--workers N] [--batch-size N] [--prefix NAME] [--no-skip-existing]

What the README describes, and only that: scan DIR recursively for .jpg .jpeg .png .webp .gif .bmp .tiff .tif;
for each image, unless --no-skip-existing, one HEAD request for its original and skip it when present (the
README: "only a HEAD request is made"); otherwise upload the original, make a 200x300 thumbnail with Pillow
(`ImageOps.fit`, LANCZOS, center-cropped, RGB, JPEG quality 85) and upload it; each upload retried up to 3
times; with --workers N > 1 the images go in batches of --batch-size through a ThreadPoolExecutor of N. One
boto3 client shared by the threads, its connection pool sized to the workers (the default of 10 would
throttle 20 workers; this favours the seed). Logs to a file, a summary at the end. No progress bar: the
README's is cosmetic, and drawing it only costs the seed time.
"""
import argparse
import io
import logging
import mimetypes
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from PIL import Image, ImageOps

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from s3tool import read_env  # noqa: E402

EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tiff", ".tif"}
THUMBNAIL_SIZE = (200, 300)
RETRIES = 3


class Uploader:
    def __init__(self, env, prefix, skip_existing, workers):
        self.bucket = env["SPACES_BUCKET"]
        self.acl = env.get("SPACES_ACL", "public-read")
        self.prefix = prefix
        self.skip_existing = skip_existing
        self.s3 = boto3.client(
            "s3", region_name=env.get("SPACES_REGION", "us-east-1"), endpoint_url=env["SPACES_ENDPOINT"],
            aws_access_key_id=env["SPACES_ACCESS_KEY"], aws_secret_access_key=env["SPACES_SECRET_KEY"],
            config=Config(max_pool_connections=max(10, workers)))
        self.counts = {"uploaded": 0, "skipped": 0, "failed": 0}

    def exists(self, key):
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError:
            return False

    def put(self, key, body, content_type):
        for attempt in range(1, RETRIES + 1):
            try:
                self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ACL=self.acl, ContentType=content_type)
                return
            except Exception as error:  # the seed retries whatever went wrong
                if attempt == RETRIES:
                    raise
                logging.warning("retry %d for %s: %s", attempt, key, error)
                time.sleep(2 ** (attempt - 1))
                if hasattr(body, "seek"):
                    body.seek(0)

    @staticmethod
    def thumbnail(path):
        with Image.open(path) as image:
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, (255, 255, 255))
                background.paste(image, mask=image.split()[-1])
                image = background
            elif image.mode != "RGB":
                image = image.convert("RGB")
            thumb = ImageOps.fit(image, THUMBNAIL_SIZE, Image.LANCZOS, centering=(0.5, 0.5))
            out = io.BytesIO()
            thumb.save(out, "JPEG", quality=85)
            out.seek(0)
            return out

    def process(self, root, path):
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        original_key = f"{self.prefix}/original/{rel}"
        thumbnail_key = f"{self.prefix}/thumbnail/{os.path.splitext(rel)[0]}.jpg"
        try:
            if self.skip_existing and self.exists(original_key):
                logging.debug("skip %s: already uploaded", rel)
                return "skipped"
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as f:
                self.put(original_key, f, content_type)
            self.put(thumbnail_key, self.thumbnail(path), "image/jpeg")
            logging.info("uploaded %s", rel)
            return "uploaded"
        except Exception as error:
            logging.error("failed %s: %s", rel, error)
            return "failed"


def scan(root):
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            if os.path.splitext(name)[1].lower() in EXTENSIONS:
                found.append(os.path.join(folder, name))
    return sorted(found)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--env-file", required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--prefix", default="avatar")
    parser.add_argument("--no-skip-existing", action="store_true")
    parser.add_argument("--log", default=os.devnull)
    options = parser.parse_args()
    logging.basicConfig(filename=options.log, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    uploader = Uploader(read_env(options.env_file), options.prefix, not options.no_skip_existing, options.workers)
    uploader.s3.head_bucket(Bucket=uploader.bucket)  # "Failed to authenticate" otherwise
    started = time.time()
    images = scan(options.directory)
    if options.workers <= 1:
        results = [uploader.process(options.directory, path) for path in images]
    else:
        results = []
        with ThreadPoolExecutor(max_workers=options.workers) as pool:
            for start in range(0, len(images), options.batch_size):
                batch = images[start:start + options.batch_size]
                results += pool.map(lambda path: uploader.process(options.directory, path), batch)
    for result in results:
        uploader.counts[result] += 1
    elapsed = time.time() - started
    print(f"found {len(images)}, uploaded {uploader.counts['uploaded']}, skipped {uploader.counts['skipped']}, "
          f"failed {uploader.counts['failed']}, {elapsed:.1f} s", file=sys.stderr)
    return 1 if uploader.counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
