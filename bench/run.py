"""The measurements behind bench/run: every contender on the same files and server, rounds alternating the
order, one table. Run by bench/run, which prepares the data, the build and the server.

usage: run.py --bin DIR --photos DIR --small DIR --env FILE [--rounds N] [--title TEXT] [--markdown FILE]
              [--section NAME] [--command TEXT] [--curve 1,2,4,...]

Client cost is the whole client process tree's: this process is a child subreaper, so every descendant (even
one its parent left behind) is reaped here, and CPU is the growth of getrusage(RUSAGE_CHILDREN) over the run.
Peak memory is sampled (every 0.25 s, /proc) as the PSS summed over the live tree, and also taken exactly
per process from wait4 (the largest single process's peak RSS). The server is not in the tree: bench/run starts it beforehand.
"""
import argparse
import ctypes
import json
import math
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV = os.path.join(ROOT, ".venv", "bin")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from s3tool import read_env  # noqa: E402



def become_subreaper():
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def tree_memory(root):
    """Proportional set size (shared pages split among their users) of every descendant of root, in bytes:
    /proc/*/stat for the tree, /proc/PID/smaps_rollup for the memory. Plain RSS summed over 40 processes
    would count libvips' shared libraries 40 times."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(name))  # fields[1]: ppid
    total, stack = 0, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith(b"Pss:")) * 1024
        except (OSError, StopIteration):
            continue
    return total


class Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0
        self.done = threading.Event()

    def run(self):
        waits = [0.01, 0.02, 0.04, 0.08, 0.15]  # short runs get samples too
        while not self.done.wait(waits.pop(0) if waits else 0.25):
            self.peak = max(self.peak, tree_memory(os.getpid()))


def measure(argv, cwd, env, log):
    """Runs argv; returns wall s, client CPU s, tree peak RSS MB, largest process RSS MB, exit code, output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler = Sampler()
    sampler.start()
    started = time.perf_counter()
    with open(log, "wb") as err:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=err, start_new_session=True)
        try:
            output = process.stdout.read()
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            os.killpg(process.pid, signal.SIGTERM)
            raise
    wall = time.perf_counter() - started
    largest = usage.ru_maxrss
    deadline = time.time() + 10
    while True:  # orphans of the run (process substitutions, killed helpers) came to us: reap them all
        try:
            pid, _, orphan = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            if time.time() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
            time.sleep(0.05)
            continue
        largest = max(largest, orphan.ru_maxrss)
    sampler.done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss": sampler.peak / 2**20, "rss1": largest / 1024,
            "code": os.waitstatus_to_exitcode(status), "output": output.decode(errors="replace")}


class Bench:
    def __init__(self, options):
        self.o = options
        # upload-images takes the newer of the release and debug builds; the benchmark is of the release build.
        os.environ["UPLOAD_IMAGES_BIN"] = os.path.abspath(options.bin)
        self.server = read_env(options.env)
        self.s3 = boto3.client("s3", endpoint_url=self.server["SPACES_ENDPOINT"], region_name="us-east-1",
                               aws_access_key_id=self.server["SPACES_ACCESS_KEY"],
                               aws_secret_access_key=self.server["SPACES_SECRET_KEY"],
                               config=Config(s3={"addressing_style": "path"}, max_pool_connections=20))
        self.work = tempfile.mkdtemp(prefix="bench-run.")
        self.serial = 0
        self.photos = count_images(options.photos)
        self.small = count_images(options.small)
        self.many = count_images(options.many)

    # --- buckets: a fresh one per upload run, emptied and deleted after it, so the disk does not fill -----
    def bucket(self):
        self.serial += 1
        name = f"bench-{os.getpid()}-{self.serial}"
        self.s3.create_bucket(Bucket=name)
        return name

    def objects(self, bucket):
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def drop(self, bucket):
        keys = self.objects(bucket)
        for start in range(0, len(keys), 1000):
            self.s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[start:start + 1000]],
                                                          "Quiet": True})
        self.s3.delete_bucket(Bucket=bucket)

    def env_file(self, bucket):
        path = os.path.join(self.work, f"{bucket}.env")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            for key in ("SPACES_ACCESS_KEY", "SPACES_SECRET_KEY", "SPACES_ENDPOINT", "SPACES_REGION"):
                f.write(f"{key}={self.server[key]}\n")
            f.write(f"SPACES_BUCKET={bucket}\nSPACES_ACL=public-read\n")
        return path

    def tool_env(self, workers=None):
        """The environment for s5cmd and aws: credentials as variables, never arguments."""
        env = dict(os.environ, AWS_ACCESS_KEY_ID=self.server["SPACES_ACCESS_KEY"],
                   AWS_SECRET_ACCESS_KEY=self.server["SPACES_SECRET_KEY"], AWS_DEFAULT_REGION="us-east-1",
                   AWS_REGION="us-east-1", S3_ENDPOINT_URL=self.server["SPACES_ENDPOINT"])
        if workers:
            config = os.path.join(self.work, f"aws-{workers}.config")
            with open(config, "w") as f:
                f.write(f"[default]\ns3 =\n    max_concurrent_requests = {workers}\n")
            env["AWS_CONFIG_FILE"] = config
            env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        return env

    # --- one timed run --------------------------------------------------------------------------------
    def timed(self, argv, env=None, expect_objects=None, bucket=None, keep=False):
        run_dir = tempfile.mkdtemp(dir=self.work, prefix="run.")
        log = os.path.join(self.work, "last.log")
        result = measure(argv, run_dir, env or dict(os.environ, TMPDIR=run_dir), log)
        shutil.rmtree(run_dir, ignore_errors=True)
        problem = None
        if result["code"] != 0:
            problem = f"exit {result['code']}"
        elif expect_objects is not None and bucket:
            found = len(self.objects(bucket))
            if found != expect_objects:
                problem = f"{found} objects in the bucket, expected {expect_objects}"
        if problem:
            with open(log, errors="replace") as f:
                tail = f.read()[-1500:]
            sys.exit(f"bench: {' '.join(argv[:3])}...: {problem}\n{tail}")
        if bucket and not keep:
            self.drop(bucket)
        return result

    def ours(self, workers, batch=None):
        bucket = self.bucket()
        argv = [os.path.join(ROOT, "scripts", "upload-images"), self.o.photos, "--workers", str(workers),
                "--env-file", self.env_file(bucket)]
        if batch:
            argv += ["--batch-size", str(batch)]
        return self.timed(argv, expect_objects=2 * self.photos, bucket=bucket)

    def seed(self, workers):
        bucket = self.bucket()
        argv = [os.path.join(VENV, "python"), os.path.join(HERE, "seed_upload.py"), self.o.photos,
                "--env-file", self.env_file(bucket), "--workers", str(workers)]
        if workers >= 20:
            argv += ["--batch-size", "200"]  # the seed README's advice for 20 workers
        return self.timed(argv, expect_objects=2 * self.photos, bucket=bucket)

    def vips_s5cmd(self, workers):
        bucket = self.bucket()
        thumbs = tempfile.mkdtemp(dir=self.work, prefix="thumbs.")
        argv = [os.path.join(HERE, "vips-s5cmd"), self.o.photos, thumbs, str(workers), f"s3://{bucket}/avatar"]
        result = self.timed(argv, env=self.tool_env(), expect_objects=2 * self.photos, bucket=bucket)
        shutil.rmtree(thumbs, ignore_errors=True)
        return result

    def aws(self, workers):
        bucket = self.bucket()
        argv = [os.path.join(VENV, "aws"), "s3", "cp", "--recursive", "--only-show-errors", "--acl", "public-read", "--exclude", ".*",
                "--endpoint-url", self.server["SPACES_ENDPOINT"], self.o.photos, f"s3://{bucket}/avatar/original/"]
        return self.timed(argv, env=self.tool_env(workers), expect_objects=self.photos, bucket=bucket)

    def small_ours(self, workers):
        bucket = self.bucket()
        argv = [os.path.join(HERE, "put-many"), self.o.bin, self.o.small, str(workers), self.env_file(bucket)]
        return self.timed(argv, expect_objects=self.small, bucket=bucket)

    def small_s5cmd(self, workers):
        bucket = self.bucket()
        argv = [os.path.join(VENV, "s5cmd"), "--numworkers", str(workers), "cp", "--acl", "public-read", "--exclude", ".*",
                os.path.join(self.o.small, "*"), f"s3://{bucket}/avatar/original/"]
        return self.timed(argv, env=self.tool_env(), expect_objects=self.small, bucket=bucket)

    def resume_ours(self, bucket, folder):
        argv = [os.path.join(ROOT, "scripts", "upload-images"), folder, "--workers", "10",
                "--env-file", self.env_file(bucket)]
        return self.timed(argv)

    def resume_exists(self, bucket, folder):
        argv = ["bash", "-c", '"$1/img-scan" "$2" | "$1/spaces-exists" --env-file "$3" | grep -c \'"status":"skipped"\'',
                "exists", self.o.bin, folder, self.env_file(bucket)]
        return self.timed(argv)

    def resume_seed(self, bucket, folder, workers):
        argv = [os.path.join(VENV, "python"), os.path.join(HERE, "seed_upload.py"), folder,
                "--env-file", self.env_file(bucket), "--workers", str(workers)]
        if workers >= 20:
            argv += ["--batch-size", "200"]
        return self.timed(argv)

    # --- the whole comparison -------------------------------------------------------------------------
    def cases(self, resume):
        """(group, label, workers, function) in the order of an even round."""
        n = self.photos
        cases = []
        if not self.o.resume_only:
            for w in (1, 10, 20):
                cases.append(("upload", f"upload-images --workers {w}", w, lambda w=w: self.ours(w)))
                cases.append(("upload", f"seed (boto3 + Pillow) --workers {w}", w, lambda w=w: self.seed(w)))
            for w in (10, 20):
                cases.append(("upload", f"vipsthumbnail + s5cmd, {w} workers", w, lambda w=w: self.vips_s5cmd(w)))
            cases.append(("upload", "aws s3 cp --recursive, originals only, 10", 10, lambda: self.aws(10)))
        for group, folder in (("resume", self.o.photos), ("resume-small", self.o.small), ("resume-many", self.o.many)):
            if self.o.resume_only and group != "resume-many":
                continue
            what = {"resume": "", "resume-small": ", small", "resume-many": f", {self.many}"}[group]
            cases.append((group, f"upload-images --workers 10 (all there{what})", 10,
                          lambda f=folder: self.resume_ours(resume[f], f)))
            if group != "resume-small":
                cases.append((group, f"img-scan | spaces-exists{what}", 1,
                              lambda f=folder: self.resume_exists(resume[f], f)))
            for w in (10, 20):
                cases.append((group, f"seed, HEAD per image, --workers {w}{what}", w,
                              lambda w=w, f=folder: self.resume_seed(resume[f], f, w)))
        if self.o.resume_only:
            return cases
        cases.append(("small", "img-scan | spaces-put x10 (originals)", 10, lambda: self.small_ours(10)))
        cases.append(("small", "s5cmd cp, 10 workers", 10, lambda: self.small_s5cmd(10)))
        for w in self.o.curve:
            if w not in (1,):
                batch = math.ceil(n / w)
                cases.append(("curve", f"upload-images --workers {w} --batch-size {batch}", w,
                              lambda w=w, b=batch: self.ours(w, b)))
        return cases

    def run(self):
        resume = {}
        for folder, count in ((self.o.photos, self.photos), (self.o.small, self.small), (self.o.many, self.many)):
            if self.o.resume_only and folder != self.o.many:
                continue
            resume[folder] = self.bucket()
            say(f"uploading {count} images of {folder} once, for the resume case")
            self.timed([os.path.join(ROOT, "scripts", "upload-images"), folder, "--workers", "4",
                        "--env-file", self.env_file(resume[folder])], expect_objects=2 * count,
                       bucket=resume[folder], keep=True)
        cases = self.cases(resume)
        best = {}
        for round_index in range(self.o.rounds):
            order = cases if round_index % 2 == 0 else list(reversed(cases))
            for group, label, workers, function in order:
                say(f"round {round_index + 1}/{self.o.rounds}: {label}")
                result = function()
                say(f"  {result['wall']:.2f} s, CPU {result['cpu']:.2f} s, peak RSS {result['rss']:.0f} MB")
                if label not in best or result["wall"] < best[label]["wall"]:
                    best[label] = result
        for bucket in resume.values():
            self.drop(bucket)
        return cases, best

    def table(self, cases, best):
        n, small = self.photos, self.small
        ours = {"upload": "upload-images --workers 10", "resume": "upload-images --workers 10 (all there)",
                "resume-small": "upload-images --workers 10 (all there, small)",
                "resume-many": f"upload-images --workers 10 (all there, {self.many})",
                "small": "img-scan | spaces-put x10 (originals)", "curve": "upload-images --workers 10"}
        ours = {group: best[label] for group, label in ours.items() if label in best}
        heads = {"upload": f"end to end: {n} photos ({self.o.photos_mb:.0f} MB), originals + thumbnails",
                 "resume": f"resume: all {n} photos already uploaded, decide and skip",
                 "resume-small": f"resume: all {small} small images already uploaded, decide and skip",
                 "resume-many": f"resume: all {self.many} images already uploaded (a library of thousands), decide and skip",
                 "small": f"small PUTs: {small} x ~20 KB, originals only; CPU column is client CPU s per 1,000 objects",
                 "curve": "worker curve: upload-images, batch size = photos / workers so every worker has a batch"}
        lines = ["| case | wall s | images/s | client CPU s/image | peak memory MB (tree PSS / largest RSS) | its time / ours |",
                 "|---|---:|---:|---:|---:|---:|"]
        curve = [("upload-images --workers 1", 1)] + [(label, w) for group, label, w, _ in cases if group == "curve"]
        for group in ("upload", "resume", "resume-small", "resume-many", "small", "curve"):
            if group not in ours:
                continue
            lines.append(f"| **{heads[group]}** | | | | | |")
            labels = [label for g, label, _, _ in cases if g == group] if group != "curve" else [l for l, _ in curve]
            count = {"small": small, "resume-small": small, "resume-many": self.many}.get(group, n)
            for label in labels:
                r = best[label]
                cpu = r["cpu"] / count * (1000 if group == "small" else 1)
                ratio = f"{r['wall'] / ours[group]['wall']:.2f}x"
                if group == "small":
                    ratio += f" (CPU {r['cpu'] / ours[group]['cpu']:.2f}x)"
                lines.append(f"| {label} | {r['wall']:.2f} | {count / r['wall']:.1f} | {cpu:.{2 if group == 'small' else 3}f} "
                             f"| {r['rss']:.0f} / {r['rss1']:.0f} | {ratio} |".replace("| 0 /", "| - /"))
        return "\n".join(lines)

    def verdicts(self, best):
        if self.o.resume_only:
            resume_many = best[f"upload-images --workers 10 (all there, {self.many})"]["wall"]
            head_many = best[f"seed, HEAD per image, --workers 20, {self.many}"]["wall"]
            return (f"- resume: the seed's HEAD per image at 20 workers takes {head_many / resume_many:.1f}x our time on "
                    f"{self.many} images (issue 33's target at 40 ms: >= 40x): {'holds' if head_many / resume_many >= 40 else 'MISSED'}")
        ours = best["upload-images --workers 10"]["wall"]
        seed20 = best["seed (boto3 + Pillow) --workers 20"]["wall"]
        composed = best["vipsthumbnail + s5cmd, 10 workers"]["wall"]
        resume = best["upload-images --workers 10 (all there)"]["wall"]
        head = min(best[f"seed, HEAD per image, --workers {w}"]["wall"] for w in (10, 20))
        resume_small = best["upload-images --workers 10 (all there, small)"]["wall"]
        head_small = min(best[f"seed, HEAD per image, --workers {w}, small"]["wall"] for w in (10, 20))
        resume_many = best[f"upload-images --workers 10 (all there, {self.many})"]["wall"]
        head_many = min(best[f"seed, HEAD per image, --workers {w}, {self.many}"]["wall"] for w in (10, 20))
        small_ours = best["img-scan | spaces-put x10 (originals)"]["cpu"] / self.small * 1000
        small_s5 = best["s5cmd cp, 10 workers"]["cpu"] / self.small * 1000
        rates = [(1, self.photos / best["upload-images --workers 1"]["wall"])]
        for w in self.o.curve:
            if w != 1:
                rates.append((w, self.photos / best[f"upload-images --workers {w} --batch-size {math.ceil(self.photos / w)}"]["wall"]))

        def mark(ok):
            return "holds" if ok else "MISSED"
        return "\n".join([
            f"- the seed at 20 workers takes {seed20 / ours:.2f}x the time of upload-images at 10 (target >= 4x): "
            f"{mark(seed20 / ours >= 4)}",
            f"- vipsthumbnail + s5cmd at 10 takes {composed / ours:.2f}x our time (target >= 1x): {mark(composed >= ours)}",
            f"- small PUTs, client CPU per 1,000: ours {small_ours:.2f} s, s5cmd {small_s5:.2f} s (target ours <= s5cmd): "
            f"{mark(small_ours <= small_s5)}",
            f"- resume: the seed's HEAD per image (its best) takes {head_many / resume_many:.1f}x our time on "
            f"{self.many} images (target >= 20x): {mark(head_many / resume_many >= 20)}; on smaller sets, where "
            f"upload-images' fixed ~0.05 s (bash, its work folder, the summary) weighs more: {self.photos} photos "
            f"{head / resume:.1f}x, {self.small} small images {head_small / resume_small:.1f}x",
            "- worker curve, images/s: " + ", ".join(f"{w}: {r:.1f}" for w, r in rates),
        ])


def count_images(folder):
    return sum(1 for _, _, names in os.walk(folder) for name in names if not name.startswith("."))


def say(text):
    print(f"bench: {text}", file=sys.stderr, flush=True)


def machine(options):
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))

    def version(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"
    import PIL
    return "\n".join([
        f"- machine: {os.cpu_count()} CPUs ({model}), {memory / 2**20:.1f} GiB memory, Linux {platform.release()}",
        f"- load average when the run began: {options.load_before}; when it ended: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- server: SeaweedFS {version([os.path.join(VENV, 'weed'), 'version']).replace('version ', '')}, {options.where}",
        f"- ours: {version(['swift', '--version'])}; release build; libvips {version(['vips', '--version'])}",
        f"- peers: Python {platform.python_version()}, boto3 {boto3.__version__}, Pillow {PIL.__version__}; "
        f"s5cmd {version([os.path.join(VENV, 's5cmd'), 'version'])}; {version([os.path.join(VENV, 'aws'), '--version'])}; "
        f"vipsthumbnail {version(['vipsthumbnail', '--vips-version'])}",
    ])


def write_markdown(path, section, text):
    start, end = f"<!-- bench:{section} -->", f"<!-- /bench:{section} -->"
    body = open(path).read() if os.path.exists(path) else (
        "# Benchmarks\n\nWritten by `bench/run` (see docs/benchmarks.md). Each section is replaced by "
        "the run that made it.\n")
    block = f"{start}\n{text}\n{end}"
    if start in body and end in body:
        body = body[:body.index(start)] + block + body[body.index(end) + len(end):]
    else:
        body = body.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--photos", required=True)
    parser.add_argument("--small", required=True)
    parser.add_argument("--many", required=True)
    parser.add_argument("--env", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--curve", default="1,2,4,8,16,20")
    parser.add_argument("--title", default="Loopback")
    parser.add_argument("--where", default="same machine, loopback")
    parser.add_argument("--section", default="loopback")
    parser.add_argument("--markdown", default="")
    parser.add_argument("--command", default="bench/run")
    parser.add_argument("--resume-only", action="store_true")
    options = parser.parse_args()
    options.curve = [int(w) for w in options.curve.split(",")]
    options.photos = os.path.abspath(options.photos)
    options.small = os.path.abspath(options.small)
    options.many = os.path.abspath(options.many)
    options.photos_mb = 0 if options.resume_only else sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(options.photos)
                            for f in fs if not f.startswith(".")) / 1e6
    options.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    options.started = time.strftime("%Y-%m-%d %H:%M")
    become_subreaper()
    bench = Bench(options)
    try:
        cases, best = bench.run()
        text = "\n\n".join([
            f"## {options.title}",
            f"Command: `{options.command}`; best of {options.rounds} round(s), order alternating each round; "
            f"started {options.started}.",
            machine(options),
            bench.table(cases, best),
            "Targets:\n\n" + bench.verdicts(best),
        ])
        print(text)
        if options.markdown:
            write_markdown(options.markdown, options.section, text)
            say(f"written to {options.markdown}")
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    main()
