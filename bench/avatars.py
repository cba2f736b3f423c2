"""CPU per image on small avatars: img-thumb against vipsthumbnail and against libjpeg decoding the whole file
(djpeg), in one run. Run by bench/avatars, which builds and makes the images.

usage: avatars.py make DIR COUNT            photo-like avatars, made once: DIR/400 (COUNT of 400x400, ~28 KB)
                                            and DIR/16 (the same COUNT scaled to 16x16, ~0.7 KB), 100 per folder
       avatars.py run --bin DIR --set LABEL=DIR [--set ...] [--rounds N] [--command TEXT]

For each set, each contender runs over every image, `rounds` times (the order reversed every other round);
each one's CPU (user + system, from wait4 of every process it started) is taken per round and the median
kept:
- img-thumb: one process for all the records, fed from a file of img-scan's records made beforehand, so only
  img-thumb's CPU is counted; thumbnails (200x300, centre crop, its defaults) to a fresh --out folder;
- vipsthumbnail: one process over every file, `-s 200x300 -m centre` (8.14's crop flag: --smartcrop),
  Q=85 and no metadata, as img-thumb writes them, to a fresh folder;
- djpeg: the floor, libjpeg decoding the whole file at full size (no -scale), one process per file, output
  to /dev/null, each process's start included.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import say  # noqa: E402


# --- the images ---------------------------------------------------------------------------------------------
BASES = 20          # photo-like fields (bench/make-photos' recipe: perlin noise per band plus fine grain) ...
BASE_SIDE = 1600    # ... each cut into 16 avatars of 400x400
GRAIN = 4           # noise sigma: with JPEG quality 86, a 400x400 avatar lands near 28 KB


def make(out, count):
    stamp = os.path.join(out, f".complete-{count}")
    if os.path.exists(stamp):
        say(f"reusing {out}")
        return
    from PIL import Image  # only here: `run` does not need Pillow
    shutil.rmtree(out, ignore_errors=True)
    work = tempfile.mkdtemp(prefix="bench-avatars-make.")
    try:
        rng = random.Random(33)
        index = 0
        for base in range(BASES):
            if index >= count:
                break
            for band in range(3):
                subprocess.run(["vips", "perlin", f"{work}/p{band}.v", str(BASE_SIDE), str(BASE_SIDE),
                                "--cell-size", str(40 + 12 * (base % 9)), "--uchar", "--seed", str(base * 3 + band)],
                               check=True)
            subprocess.run(["vips", "bandjoin", f"{work}/p0.v {work}/p1.v {work}/p2.v", f"{work}/field.v"], check=True)
            subprocess.run(["vips", "gaussnoise", f"{work}/noise.v", str(BASE_SIDE), str(BASE_SIDE),
                            "--sigma", str(GRAIN), "--mean", "0", "--seed", str(base)], check=True)
            subprocess.run(["vips", "add", f"{work}/field.v", f"{work}/noise.v", f"{work}/sum.v"], check=True)
            subprocess.run(["vips", "cast", f"{work}/sum.v", f"{work}/base.ppm", "uchar"], check=True)
            field = Image.open(f"{work}/base.ppm").convert("RGB")
            for tile in range((BASE_SIDE // 400) ** 2):
                if index >= count:
                    break
                x, y = 400 * (tile % 4), 400 * (tile // 4)
                avatar = field.crop((x, y, x + 400, y + 400))
                if rng.random() < 0.5:
                    avatar = avatar.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
                group = f"group{index // 100:02d}"
                for side, image in (("400", avatar), ("16", avatar.resize((16, 16), Image.Resampling.LANCZOS))):
                    folder = os.path.join(out, side, group)
                    os.makedirs(folder, exist_ok=True)
                    image.save(os.path.join(folder, f"avatar-{index}.jpg"), "JPEG", quality=86)
                index += 1
        if index < count:
            sys.exit(f"bench: at most {BASES * 16} avatars")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    open(stamp, "w").close()
    for side in ("400", "16"):
        files = jpegs(os.path.join(out, side))
        say(f"{len(files)} avatars of {side}x{side} in {out}/{side}, "
            f"{statistics.mean(os.path.getsize(f) for f in files) / 1000:.1f} KB on average")


def jpegs(folder):
    return sorted(os.path.join(d, n) for d, _, names in os.walk(folder) for n in names if n.endswith(".jpg"))


# --- the measurements ---------------------------------------------------------------------------------------
def run_one(argv, stdin=None):
    """Runs argv to its end; returns (cpu s, wall s, peak RSS MB). Exits on a failure. (The peak RSS is not
    reported: a child's ru_maxrss starts from this Python's RSS, which the fork shared before the exec.)"""
    started = time.perf_counter()
    with open(stdin or os.devnull, "rb") as source:
        process = subprocess.Popen(argv, stdin=source, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        errors = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {' '.join(argv[:4])}...: exit {os.waitstatus_to_exitcode(status)}\n"
                 f"{errors.decode(errors='replace')[-800:]}")
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - started, usage.ru_maxrss / 1024


class Case:
    """One contender on one set: a function returning (cpu s, wall s, peak RSS MB) over all the set's images."""

    def __init__(self, bin_dir, work, files, records):
        self.bin, self.work, self.files, self.records = bin_dir, work, files, records

    def fresh(self, name):
        path = os.path.join(self.work, name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        return path

    def made(self, folder, what):
        found = sum(len(names) for _, _, names in os.walk(folder))
        if found != len(self.files):
            sys.exit(f"bench: {what} made {found} thumbnails of {len(self.files)} images")

    def img_thumb(self):
        out = self.fresh("img-thumb")
        result = run_one([os.path.join(self.bin, "img-thumb"), "--out", out], stdin=self.records)
        self.made(out, "img-thumb")
        return result

    def vipsthumbnail(self):
        out = self.fresh("vipsthumbnail")
        result = run_one(["vipsthumbnail", "-s", "200x300", "-m", "centre", "-o", out + "/%s.jpg[Q=85,strip]", *self.files])
        self.made(out, "vipsthumbnail")
        return result

    def djpeg(self):
        cpu = rss = 0.0
        started = time.perf_counter()
        for path in self.files:
            used, _, peak = run_one(["djpeg", "-outfile", os.devnull, path])
            cpu, rss = cpu + used, max(rss, peak)
        return cpu, time.perf_counter() - started, rss


CONTENDERS = [("img-thumb", "img-thumb (one process, 200x300)"),
              ("vipsthumbnail", "vipsthumbnail -s 200x300 -m centre (one process)"),
              ("djpeg", "djpeg, whole decode (a process per file): the floor")]


def measure(options):
    work = tempfile.mkdtemp(prefix="bench-avatars.")
    results = {}  # (label, contender) -> [(cpu, wall, rss), ...]
    counts = {}
    try:
        cases = []
        for label, folder in options.sets:
            records = os.path.join(work, f"records-{len(cases)}.jsonl")
            with open(records, "wb") as f:
                subprocess.run([os.path.join(options.bin, "img-scan"), folder], stdout=f, stderr=subprocess.DEVNULL, check=True)
            files = [json.loads(line)["path"] for line in open(records, "rb") if b'"path"' in line]
            if sorted(files) != jpegs(folder):
                sys.exit(f"bench: img-scan's records of {folder} are not its {len(jpegs(folder))} JPEGs")
            counts[label] = len(files)
            case = Case(options.bin, work, files, records)
            cases += [(label, name, getattr(case, name.replace("-", "_"))) for name, _ in CONTENDERS]
        before = _children_cpu()
        for round_index in range(options.rounds):
            for label, name, function in cases if round_index % 2 == 0 else cases[::-1]:
                cpu, wall, rss = function()
                say(f"round {round_index + 1}/{options.rounds}: {label}: {name}: "
                    f"{1000 * cpu / counts[label]:.2f} CPU ms per image, {wall:.2f} s")
                results.setdefault((label, name), []).append((cpu, wall, rss))
        # every process was reaped by wait4 above: the children's total is the sum of what was counted
        total = sum(cpu for runs in results.values() for cpu, _, _ in runs)
        if abs((_children_cpu() - before) - total) > 0.05 + 0.01 * total:
            say(f"note: getrusage(RUSAGE_CHILDREN) grew by {_children_cpu() - before:.2f} s, wait4 counted {total:.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results, counts


def _children_cpu():
    import resource
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(options, results, counts):
    def median(label, name, field=0):
        return statistics.median(run[field] for run in results[(label, name)])

    lines = [f"CPU per image (user + system), median of {options.rounds} rounds, order alternating; "
             f"started {options.started}, load average {options.load_before}.", "",
             "| images | contender | CPU ms/image | wall s | img-thumb / it |",
             "|---|---|---:|---:|---:|"]
    summary = []
    for label, _ in options.sets:
        n = counts[label]
        ours = median(label, "img-thumb")
        for name, title in CONTENDERS:
            cpu = median(label, name)
            lines.append(f"| {label} | {title} | {1000 * cpu / n:.2f} | {median(label, name, 1):.2f} | {ours / cpu:.2f}x |")
        vips, floor = median(label, "vipsthumbnail"), median(label, "djpeg")
        summary.append(f"- {label}: img-thumb {1000 * ours / n:.2f} ms, vipsthumbnail {1000 * vips / n:.2f} ms, "
                       f"djpeg {1000 * floor / n:.2f} ms of CPU per image: img-thumb/djpeg {ours / floor:.2f}x, "
                       f"img-thumb/vipsthumbnail {ours / vips:.2f}x")
    docs = "For docs: " + "; ".join(
        f"{label}: img-thumb {1000 * median(label, 'img-thumb') / counts[label]:.1f} ms of CPU per image, "
        f"{median(label, 'img-thumb') / median(label, 'djpeg'):.2f}x djpeg's whole decode and "
        f"{median(label, 'img-thumb') / median(label, 'vipsthumbnail'):.2f}x vipsthumbnail's"
        for label, _ in options.sets) + f" (`{options.command}`, median of {options.rounds})."
    return "\n".join(lines + [""] + summary + ["", docs])


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "make":
        if len(sys.argv) != 4:
            sys.exit(__doc__.split("\n\n")[1])
        make(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--set", action="append", required=True, help="LABEL=DIR")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--command", dest="command_line", default="bench/avatars")
    options = parser.parse_args()
    options.command = options.command_line
    options.sets = [(item.split("=", 1)[0], os.path.abspath(item.split("=", 1)[1])) for item in options.set]
    options.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    options.started = time.strftime("%Y-%m-%d %H:%M")
    for command in ("img-scan", "img-thumb"):
        if not os.access(os.path.join(options.bin, command), os.X_OK):
            sys.exit(f"bench: no {command} in {options.bin}")
    results, counts = measure(options)
    print(report(options, results, counts))


if __name__ == "__main__":
    main()
