"""The measurements behind bench/multipart: one big file uploaded by each contender over each link, one table.
Run by bench/multipart, which prepares the file, the build, the server and the links (bench/delay_proxy.py).

usage: multipart.py --bin DIR --file FILE --env FILE --links WINDOW=URL,... [--rounds N] [--markdown FILE]
                    [--command TEXT]

Client cost as in bench/run: the whole client process tree's CPU (this process is a child subreaper) and its peak
memory sampled as summed PSS. For spaces-put also its own exact peak (VmHWM, from its --debug line): wait4's
ru_maxrss would count the forking Python's pages from before the exec. The server is not in the tree.
"""
import argparse
import hashlib
import json
import os
import re
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import boto3
from botocore.config import Config

from run import VENV, become_subreaper, measure, say, write_markdown
from s3tool import read_env

PART_MEMORY_MB = 16 * 10 * 1.048576  # 16 MiB parts x 10 in flight, in MB


class Bench:
    def __init__(self, options):
        self.o = options
        self.server = read_env(options.env)
        self.s3 = boto3.client("s3", endpoint_url=self.server["SPACES_ENDPOINT"], region_name="us-east-1",
                               aws_access_key_id=self.server["SPACES_ACCESS_KEY"],
                               aws_secret_access_key=self.server["SPACES_SECRET_KEY"],
                               config=Config(s3={"addressing_style": "path"}))
        self.work = tempfile.mkdtemp(prefix="bench-multipart.")
        self.size = os.path.getsize(options.file)
        self.serial = 0
        self.key = "bench/original/" + os.path.basename(options.file)

    def bucket(self):
        self.serial += 1
        name = f"bench-mp-{os.getpid()}-{self.serial}"
        self.s3.create_bucket(Bucket=name)
        return name

    def drop(self, bucket):
        for page in self.s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
            for upload in page.get("Uploads", []):
                self.s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                self.s3.delete_object(Bucket=bucket, Key=item["Key"])
        self.s3.delete_bucket(Bucket=bucket)

    # --- the contenders: each gets a fresh bucket and the link's endpoint ---------------------------------------
    def ours(self, bucket, endpoint, *options):
        env_file = os.path.join(self.work, f"{bucket}.env")
        with open(os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            for key in ("SPACES_ACCESS_KEY", "SPACES_SECRET_KEY", "SPACES_REGION"):
                f.write(f"{key}={self.server[key]}\n")
            f.write(f"SPACES_ENDPOINT={endpoint}\nSPACES_BUCKET={bucket}\n")
        records = os.path.join(self.work, "records.jsonl")
        with open(records, "w") as f:
            f.write(json.dumps({"key": self.key, "path": self.o.file, "rel": os.path.basename(self.o.file),
                                "size": self.size}) + "\n")
        command = f'"{self.o.bin}/spaces-put" --env-file "{env_file}" --prefix bench --debug {" ".join(options)} < "{records}"'
        return ["bash", "-c", command], dict(os.environ)

    def tools_env(self, endpoint):
        return dict(os.environ, AWS_ACCESS_KEY_ID=self.server["SPACES_ACCESS_KEY"],
                    AWS_SECRET_ACCESS_KEY=self.server["SPACES_SECRET_KEY"], AWS_DEFAULT_REGION="us-east-1",
                    AWS_REGION="us-east-1", S3_ENDPOINT_URL=endpoint, AWS_CONFIG_FILE=os.devnull,
                    AWS_SHARED_CREDENTIALS_FILE=os.devnull)

    def s5cmd(self, bucket, endpoint):
        return [os.path.join(VENV, "s5cmd"), "cp", self.o.file, f"s3://{bucket}/{self.key}"], self.tools_env(endpoint)

    def aws(self, bucket, endpoint):
        return [os.path.join(VENV, "aws"), "--endpoint-url", endpoint, "s3", "cp", "--only-show-errors", self.o.file,
                f"s3://{bucket}/{self.key}"], self.tools_env(endpoint)

    def contenders(self):
        return [
            ("spaces-put, one PUT", lambda b, e: self.ours(b, e, "--multipart-threshold", "5G")),
            ("spaces-put, parts 16 MiB x 10 (its defaults)", lambda b, e: self.ours(b, e)),
            ("spaces-put, parts 16 MiB x 4", lambda b, e: self.ours(b, e, "--part-concurrency", "4")),
            ("spaces-put, parts 50 MiB x 5 (s5cmd's)", lambda b, e: self.ours(b, e, "--part-size", "50M", "--part-concurrency", "5")),
            ("s5cmd cp (50 MiB x 5, its defaults)", self.s5cmd),
            ("aws s3 cp (8 MiB x 10, its defaults)", self.aws),
        ]

    def once(self, label, make, endpoint):
        bucket = self.bucket()
        try:
            argv, env = make(bucket, endpoint)
            run_dir = tempfile.mkdtemp(dir=self.work, prefix="run.")
            result = measure(argv, run_dir, env, os.path.join(self.work, "last.log"))
            head = self.s3.head_object(Bucket=bucket, Key=self.key) if result["code"] == 0 else None
            if head is None or head["ContentLength"] != self.size:
                with open(os.path.join(self.work, "last.log"), errors="replace") as f:
                    sys.exit(f"bench: {label}: exit {result['code']}, stored {head and head['ContentLength']}\n{f.read()[-1500:]}")
            result["etag"] = head["ETag"].strip('"')
            with open(os.path.join(self.work, "last.log"), errors="replace") as f:
                peak = re.search(r"peak memory (\d+) MB", f.read())
            result["own"] = int(peak.group(1)) if peak else None
            return result
        finally:
            self.drop(bucket)

    def run(self):
        best = {}
        cases = [(window, endpoint, label, make) for window, endpoint in self.o.links for label, make in self.contenders()]
        for round_index in range(self.o.rounds):
            for window, endpoint, label, make in (cases if round_index % 2 == 0 else list(reversed(cases))):
                say(f"round {round_index + 1}/{self.o.rounds}, window {window >> 10} KiB: {label}")
                result = self.once(label, make, endpoint)
                say(f"  {result['wall']:.2f} s, CPU {result['cpu']:.2f} s, tree PSS {result['rss']:.0f} MB, ETag {result['etag']}")
                if (window, label) not in best or result["wall"] < best[(window, label)]["wall"]:
                    best[(window, label)] = result
        return best

    def link_name(self, window):
        per_connection = window / 0.040 / 1e6
        return f"{window >> 10} KiB in flight per connection ({per_connection:.0f} MB/s per connection at 40 ms)"

    def table(self, best):
        lines = ["| contender | wall s | MB/s | client CPU s | peak memory MB (tree PSS; spaces-put's own) | one PUT's time / its |",
                 "|---|---:|---:|---:|---:|---:|"]
        for window, _ in self.o.links:
            lines.append(f"| **{self.link_name(window)}** | | | | | |")
            single = best[(window, "spaces-put, one PUT")]["wall"]
            for label, _ in self.contenders():
                r = best[(window, label)]
                own = f"; {r['own']}" if r["own"] is not None else ""
                lines.append(f"| {label} | {r['wall']:.2f} | {self.size / r['wall'] / 1e6:.1f} | {r['cpu']:.2f} "
                             f"| {r['rss']:.0f}{own} | {single / r['wall']:.2f}x |")
        return "\n".join(lines)

    def verdicts(self, best):
        def mark(ok):
            return "holds" if ok else "MISSED"
        lines = []
        for window, _ in self.o.links:
            ours = best[(window, "spaces-put, parts 16 MiB x 10 (its defaults)")]
            single = best[(window, "spaces-put, one PUT")]["wall"]
            s5cmd = best[(window, "s5cmd cp (50 MiB x 5, its defaults)")]["wall"]
            aws = best[(window, "aws s3 cp (8 MiB x 10, its defaults)")]["wall"]
            shaped = best[(window, "spaces-put, parts 50 MiB x 5 (s5cmd's)")]["wall"]
            lines += [
                f"- {window >> 10} KiB window, s5cmd's shape (50 MiB x 5) for both: s5cmd takes {s5cmd / shaped:.2f}x "
                f"spaces-put's time",
                f"- {window >> 10} KiB window: one PUT takes {single / ours['wall']:.2f}x the time of parts (target >= 2x): "
                f"{mark(single / ours['wall'] >= 2)}; s5cmd {s5cmd / ours['wall']:.2f}x (target >= 1.0x): "
                f"{mark(s5cmd >= ours['wall'])}; aws s3 cp {aws / ours['wall']:.2f}x",
                f"- {window >> 10} KiB window: spaces-put's peak memory {ours['own']} MB (target < 100 MB + 16 MiB x 10 = "
                f"{100 + PART_MEMORY_MB:.0f} MB): {mark(ours['own'] is not None and ours['own'] < 100 + PART_MEMORY_MB)}",
            ]
        return "\n".join(lines)

    def notes(self, best):
        widest = max(window for window, _ in self.o.links)
        fastest = max(self.size / r["wall"] / 1e6 for (window, _), r in best.items() if window == widest)
        started = time.perf_counter()
        md5 = hashlib.md5()
        with open(self.o.file, "rb") as f:
            while chunk := f.read(1 << 20):
                md5.update(chunk)
        seconds = time.perf_counter() - started
        return "\n".join([
            f"- Before its first part goes, spaces-put reads the whole file once for its MD5, which it stores as "
            f"x-amz-meta-md5 so that `spaces-exists --checksum` can tell an edited file (a multipart ETag is not the "
            f"MD5): {seconds:.1f} s for this file on this machine (hashlib, one core), in which no byte is sent. s5cmd "
            f"and aws-cli store no MD5. Then each part is read again to hash it (Content-MD5 and the signed SHA-256) "
            f"and once more as it is sent, never held whole: hence the client CPU column.",
            f"- With the {widest >> 10} KiB window the link allows {widest / 0.040 / 1e6:.0f} MB/s per connection, and "
            f"the server (SeaweedFS, on the same {os.cpu_count()} cores as the clients and the relay) is the limit: "
            f"{fastest:.0f} MB/s at best. With the 1 MiB window each connection moves at most 26 MB/s, and each part "
            f"also costs a round trip and the server's answer before its connection sends again: more parts in "
            f"flight, or bigger ones, keep the link busier (the rows with s5cmd's shape and with 10 at once).",
        ])


def version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def machine(options):
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return "\n".join([
        f"- machine: {os.cpu_count()} CPUs ({model}), {memory / 2**20:.1f} GiB memory, Linux {platform.release()}",
        f"- load average when the run began: {options.load_before}; when it ended: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- server: SeaweedFS {version([os.path.join(VENV, 'weed'), 'version']).replace('version ', '')}, same machine, "
        f"behind bench/delay_proxy.py: 20 ms each way, a window per connection (this kernel has no sch_netem)",
        f"- file: {os.path.getsize(options.file) / 2**20:.0f} MiB of random bytes (page-cached); ours: "
        f"{version(['swift', '--version'])}, release build",
        f"- peers: s5cmd {version([os.path.join(VENV, 's5cmd'), 'version'])}; {version([os.path.join(VENV, 'aws'), '--version'])}",
    ])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--env", required=True)
    parser.add_argument("--links", required=True, help="WINDOW_BYTES=URL,...")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--markdown", default="")
    parser.add_argument("--command", default="bench/multipart")
    options = parser.parse_args()
    options.file = os.path.abspath(options.file)
    options.links = [(int(window), url) for window, url in (link.split("=", 1) for link in options.links.split(","))]
    options.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    started = time.strftime("%Y-%m-%d %H:%M")
    become_subreaper()
    bench = Bench(options)
    try:
        best = bench.run()
        text = "\n\n".join([
            f"## One {bench.size / 2**30:.3g} GiB file at a 40 ms round trip: multipart upload",
            f"Command: `{options.command}`; best of {options.rounds} round(s), order reversed every other round; "
            f"started {started}.",
            machine(options),
            bench.table(best),
            "Targets:\n\n" + bench.verdicts(best),
            "Notes:\n\n" + bench.notes(best),
        ])
        print(text)
        if options.markdown:
            write_markdown(options.markdown, "multipart", text)
            say(f"written to {options.markdown}")
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    main()
