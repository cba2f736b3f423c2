"""The measurements behind bench/from-bucket: thumbnails for originals already in the bucket, made by
upload-images --from-bucket and by the obvious way, over the same 40 ms link, one table. Run by bench/from-bucket,
which prepares the images, the build, the server (with its bucket) and the link (bench/delay_proxy.py).

usage: from_bucket.py --bin DIR [--photos DIR] [--avatars DIR] --env FILE --proxy URL [--workers N[,N...]]
                      [--thumbnails SPEC[,SPEC...]] [--rounds N] [--markdown FILE] [--command TEXT]

Each set of originals (--photos, then --avatars) goes up once, straight to the server, by a normal
upload-images run, into an emptied bucket. Then, each round, for every --thumbnails spec (one thumbnail in the
toolkit's syntax, WxH[.FORMAT][:QUALITY]), every contender (ours once per --workers value) starts from a bucket
with nothing in the spec's folder (200x300's is avatar/thumbnail/, where the upload put 200x300 JPEGs) and talks
to the server through --proxy. Time, CPU and
memory are bench/run's (the whole client process tree; the server and the relay are not in it). Peak disk is the
most bytes (apparent sizes, as `du -sb` counts them) under the run's folder, sampled every 50 ms: for ours its
TMPDIR (where upload-images keeps its work and spaces-get its downloads) and its working folder (the log and
results files); for the obvious way the downloads and the thumbnails.
"""
import argparse
import functools
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import boto3
from botocore.config import Config

from multipart import version
from run import HERE, ROOT, VENV, become_subreaper, count_images, measure, say, write_markdown
from s3tool import read_env

ORIGINALS = "avatar/original/"
OURS = "upload-images --from-bucket"
OBVIOUS = "aws s3 cp --recursive, vipsthumbnail, s5cmd cp"
WHAT = {"photos": "photos of 8-16 MP", "avatars": "avatars of 512x512"}


class Spec:
    """One thumbnail, in the toolkit's syntax WxH[.FORMAT][:QUALITY] (docs/reference.md, Several thumbnails):
    its box, format and quality, its folder in the bucket, and what vipsthumbnail is told to write."""
    FORMATS = {"jpg": ("JPEG", 85, "jpegload"), "webp": ("WebP", 75, "webpload")}  # name, default quality, loader

    def __init__(self, text):
        match = re.fullmatch(r"([1-9]\d*)x([1-9]\d*)(?:\.(jpg|webp))?(?::([1-9]\d*))?", text)
        if not match or int(match[1]) > 4096 or int(match[2]) > 4096 or (match[4] and int(match[4]) > 100):
            raise argparse.ArgumentTypeError(f"{text}: not WxH[.jpg|.webp][:QUALITY]")
        self.text, self.box, self.ext = text, f"{match[1]}x{match[2]}", match[3] or "jpg"
        self.format, default, self.loader = self.FORMATS[self.ext]
        self.quality = int(match[4]) if match[4] else default
        self.folder = "avatar/thumbnail/" if self.box == "200x300" else f"avatar/thumbnail-{self.box}/"
        self.output = f"%s.{self.ext}[Q={self.quality},strip]"  # vipsthumbnail -o, in the image's folder

    def key(self, original):
        return self.folder + os.path.splitext(original[len(ORIGINALS):])[0] + "." + self.ext

    def describe(self):
        return f"a {self.box} centre-cropped {self.format} (q{self.quality}) to {self.folder}"


class Set:
    """One set of originals: its name (photos, avatars), folder, number and megabytes."""

    def __init__(self, name, folder):
        self.name, self.folder = name, os.path.abspath(folder)
        self.count = count_images(self.folder)
        self.mb = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(self.folder)
                      for f in fs if not f.startswith(".")) / 1e6

    def describe(self):
        return f"{self.count} {WHAT[self.name]} ({self.mb:.0f} MB)"


def disk_bytes(root):
    """The bytes of every file under root; files and folders may come and go meanwhile."""
    total, stack = 0, [root]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        else:
                            total += entry.stat(follow_symlinks=False).st_size
                    except OSError:
                        continue
        except OSError:
            continue
    return total


class DiskSampler(threading.Thread):
    def __init__(self, root):
        super().__init__(daemon=True)
        self.root = root
        self.peak = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.05):
            self.peak = max(self.peak, disk_bytes(self.root))

    def stop(self):
        self.done.set()
        self.join()
        return max(self.peak, disk_bytes(self.root))


class Bench:
    def __init__(self, options):
        self.o = options
        # upload-images takes the newer of the release and debug builds; the benchmark is of the release build.
        os.environ["UPLOAD_IMAGES_BIN"] = os.path.abspath(options.bin)
        self.server = read_env(options.env)
        self.bucket = self.server["SPACES_BUCKET"]
        self.s3 = boto3.client("s3", endpoint_url=self.server["SPACES_ENDPOINT"], region_name="us-east-1",
                               aws_access_key_id=self.server["SPACES_ACCESS_KEY"],
                               aws_secret_access_key=self.server["SPACES_SECRET_KEY"],
                               config=Config(s3={"addressing_style": "path"}))
        self.work = tempfile.mkdtemp(prefix="bench-from-bucket.")
        self.proxied_env = os.path.join(self.work, "proxied.env")
        with open(os.open(self.proxied_env, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            for key in ("SPACES_ACCESS_KEY", "SPACES_SECRET_KEY", "SPACES_REGION", "SPACES_BUCKET"):
                f.write(f"{key}={self.server[key]}\n")
            f.write(f"SPACES_ENDPOINT={options.proxy}\n")
        self.set = None  # the set in the bucket
        self.originals = {}  # key -> (ETag, LastModified) after the upload

    def listing(self, prefix):
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return {item["Key"]: item for page in pages for item in page.get("Contents", [])}

    def delete(self, keys):
        keys = list(keys)
        for start in range(0, len(keys), 1000):
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in keys[start:start + 1000]],
                                                               "Quiet": True})

    # --- setup: the originals, straight to the server, the way a user uploaded them -------------------------
    def upload_originals(self, image_set):
        self.delete(self.listing(""))  # the set before, if any
        self.set = image_set
        say(f"uploading {image_set.count} {image_set.name} of {image_set.folder} (no delay, not timed)")
        run_dir = tempfile.mkdtemp(dir=self.work, prefix="upload.")
        argv = [os.path.join(ROOT, "scripts", "upload-images"), image_set.folder, "--workers", "4",
                "--env-file", self.o.env]
        result = measure(argv, run_dir, dict(os.environ, TMPDIR=run_dir), os.path.join(self.work, "last.log"))
        shutil.rmtree(run_dir, ignore_errors=True)
        originals = self.listing(ORIGINALS)
        if result["code"] != 0 or len(originals) != image_set.count:
            self.fail("upload-images (the originals)", f"exit {result['code']}, {len(originals)} originals")
        self.originals = {key: (item["ETag"], item["LastModified"]) for key, item in originals.items()}
        say(f"  {result['wall']:.1f} s, {sum(item['Size'] for item in originals.values()) / 1e6:.0f} MB of originals")

    def clear_thumbnails(self, spec):
        self.delete(self.listing(spec.folder))

    def check(self, label, spec):
        """Every original has its thumbnail of spec, nothing else is in the spec's folder (emptied before the run)
        and nothing was written under avatar/ outside original/, thumbnail/ and the --thumbnails folders (the other
        specs' rows leave theirs); one thumbnail is looked at (its size and format)."""
        everything = self.listing("avatar/")
        expected = {spec.key(key) for key in self.originals}
        made = {key for key in everything if key.startswith(spec.folder)}
        allowed = (ORIGINALS, "avatar/thumbnail/", *(other.folder for other in self.o.thumbnails))
        stray = {key for key in everything if not key.startswith(allowed)}
        changed = [key for key, seen in self.originals.items()
                   if key not in everything or (everything[key]["ETag"], everything[key]["LastModified"]) != seen]
        problems = []
        if made != expected:
            missing, extra = expected - made, made - expected
            problems.append(f"{len(made)} thumbnails for {len(expected)} originals; missing {sorted(missing)[:3]}, "
                            f"unexpected {sorted(extra)[:3]}")
        if stray:
            problems.append(f"objects outside original/, thumbnail/ and the --thumbnails folders: {sorted(stray)[:3]}")
        if changed:
            problems.append(f"{len(changed)} originals changed or gone: {changed[:3]}")
        if not problems:
            key = min(made)
            got = self.s3.get_object(Bucket=self.bucket, Key=key)
            sample = os.path.join(self.work, "sample." + spec.ext)
            with open(sample, "wb") as f:
                f.write(got["Body"].read())
            header = subprocess.run(["vipsheader", sample], capture_output=True, text=True).stdout
            if f": {spec.box} " not in header or spec.loader not in header:
                problems.append(f"{key}: {header.strip() or 'not an image'} (content type {got.get('ContentType')})")
        if problems:
            self.fail(label, "; ".join(problems))

    def fail(self, label, problem):
        with open(os.path.join(self.work, "last.log"), errors="replace") as f:
            tail = f.read()[-3000:]
        sys.exit(f"bench: {label}: {problem}\n{tail}")

    # --- the contenders: argv and environment for a run in run_dir, and the folder its disk use is counted in ----
    def tools_env(self):
        """For aws and s5cmd: credentials as variables, never arguments, and no user configuration."""
        return dict(os.environ, AWS_ACCESS_KEY_ID=self.server["SPACES_ACCESS_KEY"],
                    AWS_SECRET_ACCESS_KEY=self.server["SPACES_SECRET_KEY"], AWS_DEFAULT_REGION="us-east-1",
                    AWS_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)

    def ours(self, workers, spec, run_dir):
        tmp = os.path.join(run_dir, "tmp")
        os.mkdir(tmp)
        argv = [os.path.join(ROOT, "scripts", "upload-images"), "--from-bucket", "--thumbnails", spec.text,
                "--workers", str(workers), "--env-file", self.proxied_env]
        return argv, dict(os.environ, TMPDIR=tmp)

    def obvious(self, spec, run_dir):
        argv = [os.path.join(HERE, "from-bucket"), "--obvious", self.o.proxy, self.bucket,
                os.path.join(run_dir, "down"), os.path.join(run_dir, "thumbs"), spec.box, spec.output, spec.folder]
        return argv, dict(self.tools_env(), TMPDIR=run_dir)

    def contenders(self):
        """(label, make(spec, run_dir)); the first is the one the others' time is compared with."""
        return [(f"{OURS} --workers {w}", functools.partial(self.ours, w)) for w in self.o.workers] + \
            [(OBVIOUS, self.obvious)]

    def once(self, label, spec, make):
        self.clear_thumbnails(spec)
        run_dir = tempfile.mkdtemp(dir=self.work, prefix="run.")
        argv, env = make(spec, run_dir)
        log = os.path.join(self.work, "last.log")
        disk = DiskSampler(run_dir)
        disk.start()
        try:
            result = measure(argv, run_dir, env, log)
        finally:
            result_disk = disk.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
        if result["code"] != 0:
            self.fail(label, f"exit {result['code']}")
        self.check(label, spec)
        result["disk"] = result_disk / 1e6
        with open(log, errors="replace") as f:
            marks = dict((name, float(at)) for name, at in re.findall(r"^obvious: (\w+) ([\d.]+)$", f.read(), re.M))
        if marks:
            result["phases"] = {phase: marks[phase] - marks[before] for before, phase in
                                (("start", "downloaded"), ("downloaded", "thumbnailed"), ("thumbnailed", "uploaded"))}
        return result

    def run(self, image_set):
        """The best run of each contender and spec on one set of originals: {(spec text, label): result}."""
        self.upload_originals(image_set)
        best = {}
        cases = [(spec, label, make) for spec in self.o.thumbnails for label, make in self.contenders()]
        for round_index in range(self.o.rounds):
            for spec, label, make in (cases if round_index % 2 == 0 else list(reversed(cases))):
                say(f"{image_set.name}, {spec.text}, round {round_index + 1}/{self.o.rounds}: {label}")
                result = self.once(label, spec, make)
                phases = ", ".join(f"{k} {v:.1f} s" for k, v in result.get("phases", {}).items())
                say(f"  {result['wall']:.2f} s, CPU {result['cpu']:.2f} s, peak disk {result['disk']:.0f} MB"
                    f"{f' ({phases})' if phases else ''}")
                if (spec.text, label) not in best or result["wall"] < best[spec.text, label]["wall"]:
                    best[spec.text, label] = result
        return best

    def table(self, results):
        """results: [(Set, best)]; a row per set, spec and contender, the time against ours at the first --workers
        on the same set and spec."""
        lines = ["| originals | thumbnail | contender | wall s | images/s | client CPU s | peak memory MB (tree PSS) "
                 "| peak disk MB | its time / ours |",
                 "|---|---|---|---:|---:|---:|---:|---:|---:|"]
        for image_set, best in results:
            for spec in self.o.thumbnails:
                ours = best[spec.text, self.contenders()[0][0]]["wall"]
                for label, _ in self.contenders():
                    r = best[spec.text, label]
                    lines.append(f"| {image_set.count} {image_set.name} | {spec.text} | {label} | {r['wall']:.2f} "
                                 f"| {image_set.count / r['wall']:.1f} | {r['cpu']:.2f} | {r['rss']:.0f} "
                                 f"| {r['disk']:.0f} | {r['wall'] / ours:.2f}x |")
        return "\n".join(lines)

    def verdicts(self, image_set, best):
        lines = []
        for spec in self.o.thumbnails:
            ours, obvious = best[spec.text, self.contenders()[0][0]], best[spec.text, OBVIOUS]
            ratio = obvious["wall"] / ours["wall"]
            phases = obvious.get("phases", {})
            what = f"{image_set.name}, {spec.text}"
            lines += [
                f"- {what}: the obvious way takes {ratio:.2f}x our time end to end (target >= 1.5x): "
                f"{'holds' if ratio >= 1.5 else 'MISSED'}",
                f"- {what}: peak disk: ours {ours['disk']:.0f} MB, the obvious way {obvious['disk']:.0f} MB (the "
                f"originals are {image_set.mb:.0f} MB)",
                f"- {what}: the obvious way's best run, by phase: "
                + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()),
            ]
        return "\n".join(lines)


def machine(options):
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return "\n".join([
        f"- machine: {os.cpu_count()} CPUs ({model}), {memory / 2**20:.1f} GiB memory, Linux {platform.release()}",
        f"- load average when the run began: {options.load_before}; when it ended: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- server: SeaweedFS {version([os.path.join(VENV, 'weed'), 'version']).replace('version ', '')}, same machine, "
        f"behind bench/delay_proxy.py: 20 ms each way, no window (this kernel has no sch_netem)",
        f"- ours: {version(['swift', '--version'])}; release build; libvips {version(['vips', '--version'])}",
        f"- peers: {version([os.path.join(VENV, 'aws'), '--version'])} (its defaults: 10 requests at once); "
        f"vipsthumbnail {version(['vipsthumbnail', '--vips-version'])} ({os.cpu_count()} processes of 16 files); "
        f"s5cmd {version([os.path.join(VENV, 's5cmd'), 'version'])} (its defaults: 256 workers)",
    ])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--photos")
    parser.add_argument("--avatars")
    parser.add_argument("--env", required=True)
    parser.add_argument("--proxy", required=True)
    parser.add_argument("--workers", type=lambda text: [int(w) for w in text.split(",")], default=[10])
    parser.add_argument("--thumbnails", default=[Spec("400x600.webp")],
                        type=lambda text: [Spec(item) for item in text.split(",")])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--markdown", default="")
    parser.add_argument("--command", default="bench/from-bucket")
    options = parser.parse_args()
    sets = [Set(name, folder) for name, folder in (("photos", options.photos), ("avatars", options.avatars)) if folder]
    if not sets:
        parser.error("--photos, --avatars or both")
    if len({spec.text for spec in options.thumbnails}) != len(options.thumbnails) or \
            len({spec.folder + spec.ext for spec in options.thumbnails}) != len(options.thumbnails):
        parser.error("--thumbnails: a thumbnail twice")
    options.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    started = time.strftime("%Y-%m-%d %H:%M")
    become_subreaper()
    bench = Bench(options)
    try:
        results = [(image_set, bench.run(image_set)) for image_set in sets]
        thumbnails = "; ".join(f"{spec.text}: {spec.describe()}" for spec in options.thumbnails)
        uploaded = " (avatar/thumbnail/ too, where the upload of the originals put 200x300 JPEGs)" \
            if any(spec.folder == "avatar/thumbnail/" for spec in options.thumbnails) else ""
        text = "\n\n".join([
            "## Thumbnails for originals already in the bucket, at a 40 ms round trip",
            f"Command: `{options.command}`; {' and then '.join(s.describe() for s in sets)} already uploaded"
            f"{' (one set at a time, the bucket emptied between)' if len(sets) > 1 else ''}; each contender makes "
            f"and uploads, for every one, the thumbnail of its row ({thumbnails}), each run starting with that "
            f"folder emptied{uploaded}; best of {options.rounds} round(s), order reversed every other round; "
            f"started {started}.",
            machine(options),
            bench.table(results),
            "Targets:\n\n" + "\n".join(bench.verdicts(image_set, best) for image_set, best in results),
            "Peak disk is the most bytes under the run's folders (TMPDIR and working folder; the downloads and "
            "the thumbnails), sampled every 50 ms; MB are 10^6 bytes.",
        ])
        print(text)
        if options.markdown:
            write_markdown(options.markdown, "from-bucket", text)
            say(f"written to {options.markdown}")
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    main()
