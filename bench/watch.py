"""upload-images --watch: how soon an image dropped into the watched folder is in the bucket, and the CPU the
watch uses while nothing arrives.

usage: watch.py --bin BIN --env SERVER_ENV --set LABEL=DIR [--set ...] [--markdown FILE] [--command TEXT]

For each set and each rate (1 and 20 images per second), a fresh bucket and a fresh watch: the images are
written into the folder at that rate (open, write, close, as a copy does), and the latency of each is the
time from its close until both its objects answer a HEAD (checked as soon as its result line appears). Then
the watch idles for 20 s with its CPU (every process of the tree, user + system) measured.
"""
import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import json

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from multipart import version  # noqa: E402  (one copy of each, in the other benches)
from run import write_markdown  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv", "bin")
SCRIPT = os.path.join(ROOT, "scripts", "upload-images")


def say(text):
    print(f"bench: {text}", file=sys.stderr, flush=True)


def read_env(path):
    values = {}
    for line in open(path):
        if "=" in line and not line.startswith("#"):
            key, value = line.strip().split("=", 1)
            values[key] = value
    return values


def tree_cpu(pid):
    """CPU seconds (user + system) of pid and every live process under it, plus what its finished children used."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = open(f"/proc/{current}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
            for task in os.listdir(f"/proc/{current}/task"):
                todo += [int(child) for child in open(f"/proc/{current}/task/{task}/children").read().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total / ticks


class Watch:
    """One upload-images --watch in its own folders, against one bucket."""

    def __init__(self, options, server, bucket, work):
        self.work = work
        self.folder = os.path.join(work, "inbox")
        os.makedirs(self.folder)
        self.env = os.path.join(work, "spaces.env")
        with open(os.open(self.env, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            for key in ("SPACES_ACCESS_KEY", "SPACES_SECRET_KEY", "SPACES_REGION", "SPACES_ENDPOINT"):
                f.write(f"{key}={server[key]}\n")
            f.write(f"SPACES_BUCKET={bucket}\n")
        self.errors = open(os.path.join(work, "stderr"), "w+")
        env = dict(os.environ, TMPDIR=work, UPLOAD_IMAGES_BIN=options.bin)
        self.process = subprocess.Popen([SCRIPT, self.folder, "--watch", "--env-file", self.env], cwd=work, env=env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.errors)
        deadline = time.monotonic() + 30
        while "watching" not in open(self.errors.name).read():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.process.kill()
                sys.exit(f"bench: the watch did not start: {open(self.errors.name).read()[-800:]}")
            time.sleep(0.05)

    def results(self):
        names = sorted(name for name in os.listdir(self.work) if name.startswith("upload_results_"))
        return os.path.join(self.work, names[-1]) if names else None

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            sys.exit("bench: the watch did not stop within 120 s of TERM")


def latencies(options, server, s3, label, source, rate, count):
    bucket = f"watch{int(time.time() * 1000) % 10**9}"
    s3.create_bucket(Bucket=bucket)
    work = tempfile.mkdtemp(dir=options.work, prefix="case.")
    watch = Watch(options, server, bucket, work)
    files = sorted(os.path.join(top, name) for top, _, names in os.walk(source) for name in names if name.lower().endswith(".jpg"))
    files = [files[i % len(files)] for i in range(count)]
    closed, ready = {}, {}
    done = threading.Event()

    def follow():
        offset, path = 0, None
        while not done.is_set():
            path = path or watch.results()
            if path:
                with open(path) as f:
                    f.seek(offset)
                    text = f.read()
                for line in text.splitlines(keepends=True):
                    if not line.endswith("\n"):
                        break
                    offset += len(line.encode())
                    record = json.loads(line)
                    if record.get("status") != "uploaded":
                        ready[record.get("rel")] = None
                        continue
                    for key in (record["key"], record["thumbnail_key"]):
                        s3.head_object(Bucket=bucket, Key=key)
                    ready[record["rel"]] = time.monotonic()
            time.sleep(0.005)

    follower = threading.Thread(target=follow)
    follower.start()
    started = time.monotonic()
    for number, file in enumerate(files):
        due = started + number / rate
        time.sleep(max(0, due - time.monotonic()))
        name = f"img-{number:05d}.jpg"
        with open(file, "rb") as src, open(os.path.join(watch.folder, name), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        closed[name] = time.monotonic()
    deadline = time.monotonic() + 300
    while len(ready) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    done.set()
    follower.join()
    code = watch.stop()
    failed = [name for name in closed if ready.get(name) is None]
    if failed:
        sys.exit(f"bench: {label} at {rate}/s: {len(failed)} images not uploaded (exit {code}): "
                 f"{open(watch.errors.name).read()[-800:]}")
    seconds = sorted(ready[name] - closed[name] for name in closed)
    p99 = seconds[min(len(seconds) - 1, int(round(0.99 * (len(seconds) - 1))))]
    size = statistics.mean(os.path.getsize(file) for file in files)
    say(f"{label} at {rate}/s: p50 {statistics.median(seconds):.2f} s, p99 {p99:.2f} s, max {seconds[-1]:.2f} s")
    return {"label": label, "rate": rate, "count": count, "size": size, "p50": statistics.median(seconds),
            "p99": p99, "max": seconds[-1]}


def idle(options, server, s3, seconds=20):
    bucket = f"watchidle{int(time.time() * 1000) % 10**9}"
    s3.create_bucket(Bucket=bucket)
    work = tempfile.mkdtemp(dir=options.work, prefix="idle.")
    watch = Watch(options, server, bucket, work)
    time.sleep(2)
    before = tree_cpu(watch.process.pid)
    time.sleep(seconds)
    used = tree_cpu(watch.process.pid) - before
    processes = len(subprocess.run(["pgrep", "-f", work], capture_output=True, text=True).stdout.split())
    watch.stop()
    say(f"idle: {used:.3f} CPU s in {seconds} s")
    return used, seconds, processes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--env", required=True)
    parser.add_argument("--set", action="append", required=True)
    parser.add_argument("--rates", default="1,20")
    parser.add_argument("--count", type=int, default=60, help="images per case at the higher rates (20 at 1/s)")
    parser.add_argument("--markdown", default="")
    parser.add_argument("--command", default="bench/watch")
    options = parser.parse_args()
    options.work = tempfile.mkdtemp(prefix="bench-watch.")
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    server = read_env(options.env)
    s3 = boto3.client("s3", endpoint_url=server["SPACES_ENDPOINT"], aws_access_key_id=server["SPACES_ACCESS_KEY"],
                      aws_secret_access_key=server["SPACES_SECRET_KEY"], region_name=server.get("SPACES_REGION", "us-east-1"),
                      config=Config(retries={"max_attempts": 0}))
    started = time.strftime("%Y-%m-%d %H:%M")
    rows = []
    try:
        for item in options.set:
            label, source = item.split("=", 1)
            for rate in [float(r) for r in options.rates.split(",")]:
                rows.append(latencies(options, server, s3, label, source, rate, 20 if rate <= 1 else options.count))
        used, seconds, processes = idle(options, server, s3)
    finally:
        shutil.rmtree(options.work, ignore_errors=True)

    lines = [
        "## Watch mode: from a file's close to its objects in the bucket",
        "",
        f"Command: `{options.command}`; started {started}.",
        "",
        f"- machine: {os.cpu_count()} CPUs, Linux {platform.release()}; load average when the run began: {load_before}; "
        f"when it ended: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- server: SeaweedFS {version([os.path.join(VENV, 'weed'), 'version']).replace('version ', '')}, same machine, loopback",
        "- latency: from the close of the file written into the watched folder until a HEAD of its original and one of "
        "its thumbnail both answer (asked as soon as its result line appears)",
        "",
        "| images | rate | images | mean size | p50 s | p99 s | max s | p99 target <= 2 s |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(f"| {row['label']} | {row['rate']:g}/s | {row['count']} | {row['size'] / 1e6:.2f} MB | {row['p50']:.2f} | "
                     f"{row['p99']:.2f} | {row['max']:.2f} | {'holds' if row['p99'] <= 2 else 'MISSED'} |")
    lines += [
        "",
        f"- idle: {used:.3f} CPU s in {seconds} s ({100 * used / seconds:.2f}% of one core) for the whole tree "
        f"({processes} processes: the script, img-scan and the stages waiting in poll, the progress "
        f"line's twice-a-second look at the results)",
    ]
    text = "\n".join(lines)
    print(text)
    if options.markdown:
        write_markdown(options.markdown, "watch", text)
        say(f"written to {options.markdown}")


if __name__ == "__main__":
    main()
