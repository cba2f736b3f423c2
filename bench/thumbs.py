"""Thumbnail throughput, in one run, on the same files: img-thumb, vipsthumbnail and the seed's Pillow way.

usage: thumbs.py BIN_DIR PHOTOS_DIR [ROUNDS]

Each contender runs as one process over every file (rounds alternate the order so machine noise hits all
alike); wall time, CPU seconds (user + system, from wait4) and peak RSS are taken per run and the best round
kept. Also measured: thread settings (libvips threads per process, and two img-thumb processes side by side,
as `xargs -P 2` runs them).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def run(argv, stdin_path=None, env=None):
    """Runs argv to completion; returns (wall seconds, cpu seconds, peak RSS MB)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=dict(os.environ, **(env or {})))
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    err = process.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {argv[0]} failed: {err[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def run_parallel(commands):
    """Runs several (argv, stdin) side by side; returns (wall, total cpu, max RSS)."""
    started = time.perf_counter()
    processes = [subprocess.Popen(argv, stdin=open(stdin, "rb"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for argv, stdin in commands]
    cpu, rss = 0.0, 0.0
    for process in processes:
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit("bench: a parallel img-thumb failed")
        cpu += usage.ru_utime + usage.ru_stime
        rss = max(rss, usage.ru_maxrss / 1024)
    return time.perf_counter() - started, cpu, rss


def main():
    bin_dir, photos = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    work = tempfile.mkdtemp(prefix="bench-thumbs.")
    try:
        records = os.path.join(work, "records.jsonl")
        with open(records, "wb") as f:
            subprocess.run([os.path.join(bin_dir, "img-scan"), photos], stdout=f, check=True)
        lines = open(records, "rb").read().splitlines(keepends=True)
        files = [json.loads(line)["path"] for line in lines]
        halves = [os.path.join(work, "half0.jsonl"), os.path.join(work, "half1.jsonl")]
        for index, half in enumerate(halves):
            with open(half, "wb") as f:
                f.writelines(lines[index::2])
        img_thumb = os.path.join(bin_dir, "img-thumb")

        def out(name):
            """A fresh, empty output folder."""
            path = os.path.join(work, name)
            shutil.rmtree(path, ignore_errors=True)
            os.makedirs(path)
            return path

        contenders = {
            "img-thumb (1 thread)": lambda: run([img_thumb, "--out", out("a")], records),
            "vipsthumbnail": lambda: run(["vipsthumbnail", "--size", "200x300", "--smartcrop", "centre",
                                          "-o", out("b") + "/%s.jpg[Q=85,strip]"] + files),
            "vipsthumbnail (1 thread)": lambda: run(["vipsthumbnail", "--size", "200x300", "--smartcrop", "centre",
                                                     "-o", out("f") + "/%s.jpg[Q=85,strip]"] + files,
                                                    env={"VIPS_CONCURRENCY": "1"}),
            "seed (Pillow)": lambda: run([sys.executable, os.path.join(os.path.dirname(__file__), "seed_thumbnail.py"), out("c")] + files),
            "img-thumb (2 threads)": lambda: run([img_thumb, "--threads", "2", "--out", out("d")], records),
            "img-thumb x2 processes": lambda: run_parallel([([img_thumb, "--out", out("e")], halves[0]),
                                                            ([img_thumb, "--out", out("e")], halves[1])]),
            "img-thumb x2 proc x2 thr": lambda: run_parallel([([img_thumb, "--threads", "2", "--out", out("g")], halves[0]),
                                                              ([img_thumb, "--threads", "2", "--out", out("g")], halves[1])]),
        }
        best = {}
        names = list(contenders)
        for round_index in range(rounds):
            order = names if round_index % 2 == 0 else list(reversed(names))
            for name in order:
                result = contenders[name]()
                if name not in best or result[0] < best[name][0]:
                    best[name] = result
        count = len(files)
        ours = count / best["img-thumb (1 thread)"][0]
        print(f"{count} images ({photos}), best of {rounds} alternating rounds")
        print(f"| {'contender':<24} | {'images/s':>9} | {'CPU s/image':>11} | {'peak RSS MB':>11} | {'img-thumb / it':>14} |")
        print(f"|{'-' * 26}|{'-' * 11}|{'-' * 13}|{'-' * 13}|{'-' * 16}|")
        for name in names:
            wall, cpu, rss = best[name]
            rate = count / wall
            print(f"| {name:<24} | {rate:>9.1f} | {cpu / count:>11.3f} | {rss:>11.0f} | {ours / rate:>13.2f}x |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
