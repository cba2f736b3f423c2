"""Thumbnail throughput, in one run, on the same files: img-thumb, vipsthumbnail and the seed's Pillow way.

usage: thumbs.py BIN_DIR PHOTOS_DIR [ROUNDS] [CASES] [BIG_PHOTOS_DIR]

Each contender runs as one process over every file (rounds alternate the order so machine noise hits all
alike); wall time, CPU seconds (user + system, from wait4) and peak RSS are taken per run and the best round
kept. Also measured: thread settings (libvips threads per process, and two img-thumb processes side by side,
as `xargs -P 2` runs them).

CASES is `all` (the default), `one` (the table above) or `three`: three thumbnails per photo (200x300 JPEG,
400x600 JPEG, 200x300 WebP) on the JPEGs alone, img-thumb making them from one decode (records carrying
`extra_thumbnails`) against vipsthumbnail run three times and img-thumb making one; then, with
BIG_PHOTOS_DIR, img-thumb's peak RSS making the three on 24 MP photos.
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


# The three thumbnails of the three-thumbnail case, as vipsthumbnail's size and output suffix, and as the
# `extra_thumbnails` items img-thumb reads beside its one 200x300 JPEG.
THREE = [("200x300", ".jpg[Q=85,strip]"), ("400x600", ".jpg[Q=85,strip]"), ("200x300", ".webp[Q=75,strip]")]
EXTRAS = [{"box": "400x600", "format": "jpeg", "quality": 85}, {"box": "200x300", "format": "webp", "quality": 75}]


def with_extras(lines, path):
    """Writes the records with `extra_thumbnails` (keys unique per record) to path."""
    with open(path, "wb") as f:
        for line in lines:
            record = json.loads(line)
            record["extra_thumbnails"] = [dict(item, key=f"{item['box']}.{item['format']}/{record['rel']}")
                                          for item in EXTRAS]
            f.write(json.dumps(record).encode() + b"\n")


def scan(bin_dir, photos, work, name, only_jpeg=False):
    """img-scan's records of photos (only the JPEGs, if asked) in work/name; returns (path, lines, files)."""
    records = os.path.join(work, name)
    scanned = subprocess.run([os.path.join(bin_dir, "img-scan"), photos], capture_output=True, check=True).stdout
    lines = [line for line in scanned.splitlines(keepends=True)
             if not only_jpeg or json.loads(line)["path"].endswith(".jpg")]
    with open(records, "wb") as f:
        f.writelines(lines)
    return records, lines, [json.loads(line)["path"] for line in lines]


def best_of(contenders, rounds):
    """Runs every contender `rounds` times, the order reversed every other round; keeps each one's fastest."""
    best = {}
    names = list(contenders)
    for round_index in range(rounds):
        for name in names if round_index % 2 == 0 else list(reversed(names)):
            result = contenders[name]()
            if name not in best or result[0] < best[name][0]:
                best[name] = result
    return best


def three_thumbnails(bin_dir, photos, big_photos, rounds, work, out):
    """The three-thumbnail case: one decode against three vipsthumbnail runs and against one thumbnail."""
    img_thumb = os.path.join(bin_dir, "img-thumb")
    records, lines, files = scan(bin_dir, photos, work, "jpegs.jsonl", only_jpeg=True)
    extras = os.path.join(work, "three.jsonl")
    with_extras(lines, extras)

    def vipsthumbnail_three():
        runs = [run(["vipsthumbnail", "--size", size, "--smartcrop", "centre", "-o", out(f"v{index}") + "/%s" + suffix] + files)
                for index, (size, suffix) in enumerate(THREE)]
        return sum(r[0] for r in runs), sum(r[1] for r in runs), max(r[2] for r in runs)

    contenders = {
        "img-thumb, 3 thumbnails": lambda: run([img_thumb, "--out", out("t3")], extras),
        "img-thumb, 1 thumbnail": lambda: run([img_thumb, "--out", out("t1")], records),
        "vipsthumbnail x3": vipsthumbnail_three,
        "vipsthumbnail, 1 thumbnail": lambda: run(["vipsthumbnail", "--size", "200x300", "--smartcrop", "centre",
                                                   "-o", out("v1") + "/%s.jpg[Q=85,strip]"] + files),
    }
    best = best_of(contenders, rounds)
    count = len(files)
    ours = best["img-thumb, 3 thumbnails"][0]
    print(f"\nThree thumbnails per photo (200x300 JPEG, 400x600 JPEG, 200x300 WebP), {count} JPEGs, best of {rounds}")
    print(f"| {'contender':<27} | {'photos/s':>8} | {'CPU s/photo':>11} | {'peak RSS MB':>11} | {'its time / 3 thumbnails':>23} |")
    print(f"|{'-' * 29}|{'-' * 10}|{'-' * 13}|{'-' * 13}|{'-' * 25}|")
    for name, (wall, cpu, rss) in best.items():
        print(f"| {name:<27} | {count / wall:>8.1f} | {cpu / count:>11.3f} | {rss:>11.0f} | {wall / ours:>22.2f}x |")
    # Each ratio in wall time (what the targets are about) and in CPU seconds (steadier when other work
    # shares the cores).
    def ratio(slower, faster):
        return best[slower][0] / best[faster][0], best[slower][1] / best[faster][1]

    def line(text, ratios, holds):
        print(f"- {text}: {ratios[0]:.2f}x, CPU {ratios[1]:.2f}x ({'holds' if holds(ratios[0]) else 'MISSED'})")

    print()
    line("vipsthumbnail x3 / img-thumb's three (target >= 2x)", ratio("vipsthumbnail x3", "img-thumb, 3 thumbnails"),
         lambda value: value >= 2)
    line("three thumbnails / one (target <= 1.4x)", ratio("img-thumb, 3 thumbnails", "img-thumb, 1 thumbnail"),
         lambda value: value <= 1.4)
    line("one thumbnail: vipsthumbnail / img-thumb (target >= 1x)", ratio("vipsthumbnail, 1 thumbnail", "img-thumb, 1 thumbnail"),
         lambda value: value >= 0.995)
    if big_photos:
        _, big_lines, big_files = scan(bin_dir, big_photos, work, "big.jsonl", only_jpeg=True)
        big = os.path.join(work, "big-three.jsonl")
        with_extras(big_lines, big)
        wall, cpu, rss = run([img_thumb, "--out", out("big")], big)
        print(f"- peak RSS of img-thumb making three thumbnails of {len(big_files)} 24 MP photos: {rss:.0f} MB "
              f"(target < 150 MB): {'holds' if rss < 150 else 'MISSED'} ({cpu / len(big_files):.3f} CPU s/photo)")


def one_thumbnail(bin_dir, photos, rounds, work, out):
    """The one-thumbnail table: img-thumb against vipsthumbnail and the seed, and thread settings."""
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
    best = best_of(contenders, rounds)
    names = list(contenders)
    count = len(files)
    ours = count / best["img-thumb (1 thread)"][0]
    print(f"{count} images ({photos}), best of {rounds} alternating rounds")
    print(f"| {'contender':<24} | {'images/s':>9} | {'CPU s/image':>11} | {'peak RSS MB':>11} | {'img-thumb / it':>14} |")
    print(f"|{'-' * 26}|{'-' * 11}|{'-' * 13}|{'-' * 13}|{'-' * 16}|")
    for name in names:
        wall, cpu, rss = best[name]
        rate = count / wall
        print(f"| {name:<24} | {rate:>9.1f} | {cpu / count:>11.3f} | {rss:>11.0f} | {ours / rate:>13.2f}x |")


def main():
    bin_dir, photos = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    cases = sys.argv[4] if len(sys.argv) > 4 else "all"
    big_photos = sys.argv[5] if len(sys.argv) > 5 else None
    work = tempfile.mkdtemp(prefix="bench-thumbs.")

    def out(name):
        """A fresh, empty output folder."""
        path = os.path.join(work, name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        return path

    try:
        if cases in ("all", "one"):
            one_thumbnail(bin_dir, photos, rounds, work, out)
        if cases in ("all", "three"):
            three_thumbnails(bin_dir, photos, big_photos, rounds, work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)




if __name__ == "__main__":
    main()
