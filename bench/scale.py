"""How upload-images scales with the size of the library: run by bench/scale, which builds and starts the server.

usage: scale.py --bin DIR --env FILE --data DIR --sizes N,N,... [--fast-from N] [--workers N] [--server-pid PID]
                [--command TEXT]

For each size N, on N tiny JPEGs (16x16, ~0.7 KB: hard links of 1,000 distinct ones, 1,000 per folder, made
once into DIR/tiny-N) and a fresh bucket of the local server:
- first upload: `upload-images FOLDER --workers W`, wall time (with the whole tree's client CPU and the
  server's CPU); for N >= --fast-from the bucket is filled by the fast route instead (below) and its time
  shown in its place;
- resume: the same command again, everything skipped: wall time;
- listing only: `img-scan FOLDER | spaces-exists`, the decision alone: wall time, and the count of skipped
  records checked to be N;
- requests of the resume: the resume once more, through scripts/fault-proxy.py (no fault injected: it only
  forwards and writes a line per request), so every process's requests are counted, upload-run's pre-flight
  HEAD and spaces-put's listing of incomplete multipart uploads included. LIST = ListObjects(V2); the others
  are named. This run is not timed (the relay adds its own cost).
- peak RSS by command, exact: UPLOAD_IMAGES_BIN points at a folder of wrappers, one per command upload-images
  runs: a small C program (compiled with cc at the start) that forks the real one, passes signals on, and
  logs its ru_maxrss from wait4; the largest of each name is kept. bash and xargs (not ours to wrap) are sampled from /proc (VmHWM, every 0.2 s) and listed
  apart, with the tree's summed PSS (run.py's sampler).

The fast route (--long, for 1,000,000: the real first upload would take over an hour, most of it img-thumb
making a million thumbnails of the same 1,000 images): thumbnails are made once, by img-thumb, of the 1,000
distinct files; every file's img-scan record gets the thumbnail of the file it is a hard link of (the same
inode, so the same thumbnail_source); W `spaces-put --keep-thumbnails` processes upload those records side by
side. The objects are what upload-images makes, byte for byte (same keys, sizes, ETags, Content-Type, ACL):
before using it the bench checks so at 1,000 images (a real upload and a fast one into two buckets, every
key, size and ETag compared, and the Content-Type and Cache-Control of some) and that upload-images then
skips all 1,000.
"""
import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cpu import server_cpu  # noqa: E402
from run import Bench, become_subreaper, machine, measure, say  # noqa: E402

ROOT = os.path.dirname(HERE)
SCRIPT = os.path.join(ROOT, "scripts", "upload-images")
# What upload-images runs from UPLOAD_IMAGES_BIN (it refuses a folder without all of them), and what is reported.
WRAPPED = ("img-scan", "spaces-exists", "img-thumb", "spaces-put", "spaces-get", "spaces-ls", "upload-run")
REPORTED = ("img-scan", "spaces-exists", "img-thumb", "spaces-put", "upload-run")
SAMPLED = ("bash", "xargs")
DISTINCT = 1000  # distinct tiny JPEGs, and files per folder


# --- the images -------------------------------------------------------------------------------------------------
def make_bases(folder):
    stamp = os.path.join(folder, f".complete-{DISTINCT}")
    if os.path.exists(stamp):
        return
    from PIL import Image
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    rng = random.Random(33)
    for index in range(DISTINCT):
        r, g, b = rng.randrange(256), rng.randrange(256), rng.randrange(256)
        image = Image.new("RGB", (16, 16))
        image.putdata([((r + 8 * x + rng.randrange(24)) % 256, (g + 8 * y + rng.randrange(24)) % 256,
                        (b + 4 * x + 4 * y) % 256) for y in range(16) for x in range(16)])
        image.save(os.path.join(folder, f"tiny-{index:03d}.jpg"), "JPEG", quality=80)
    open(stamp, "w").close()


def make_tiny(data, count):
    """DATA/tiny-COUNT: COUNT hard links of the 1,000 distinct JPEGs, 1,000 per folder; made once."""
    bases = os.path.join(data, "tiny-bases")
    make_bases(bases)
    folder = os.path.join(data, f"tiny-{count}")
    if os.path.exists(os.path.join(folder, f".complete-{count}")):
        return folder
    say(f"making {count} tiny JPEGs (hard links of {DISTINCT} distinct ones) in {folder}")
    partial = folder + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    for index in range(count):
        if index % DISTINCT == 0:
            os.makedirs(os.path.join(partial, f"f{index // DISTINCT:04d}"))
        os.link(os.path.join(bases, f"tiny-{index % DISTINCT:03d}.jpg"),
                os.path.join(partial, f"f{index // DISTINCT:04d}", f"img-{index:07d}.jpg"))
    open(os.path.join(partial, f".complete-{count}"), "w").close()
    os.rename(partial, folder)
    return folder


# --- peak memory: the wrappers' log, and bash / xargs sampled -----------------------------------------------------
# Each command upload-images runs is a symlink to this: it forks the real one (same arguments, same descriptors),
# passes on every signal it can catch (upload-images kills its progress line, and stops whole trees: an
# in-between process that kept the signal would leave the real one running), and appends to $SCALE_RSS_LOG
# one line from wait4: name, peak RSS KB, wall s, user s, system s. GNU time would not pass signals on. The
# child's peak counts the wrapper's own pages it started with, about 1 MB.
WRAPPER_C = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const int passed[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH, SIGCONT};
static volatile pid_t child;
static void pass(int sig) { if (child > 0) kill(child, sig); }

int main(int argc, char **argv) {
    (void)argc;
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    char real[4096];
    snprintf(real, sizeof real, "%s/%s", REAL_BIN, name);
    sigset_t set, old;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof passed / sizeof *passed; i++) sigaddset(&set, passed[i]);
    sigprocmask(SIG_BLOCK, &set, &old);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = pass;
    action.sa_flags = SA_RESTART;
    for (size_t i = 0; i < sizeof passed / sizeof *passed; i++) sigaction(passed[i], &action, NULL);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid == 0) {
        for (size_t i = 0; i < sizeof passed / sizeof *passed; i++) signal(passed[i], SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        argv[0] = real;
        execv(real, argv);
        perror(real);
        _exit(127);
    }
    if (pid < 0) { perror("fork"); return 126; }
    child = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    int status;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {}
    clock_gettime(CLOCK_MONOTONIC, &end);
    const char *log = getenv("SCALE_RSS_LOG");
    if (log && *log) {
        char line[256];
        int length = snprintf(line, sizeof line, "%s %ld %.3f %.3f %.3f\n", name, usage.ru_maxrss,
                              (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9,
                              usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
                              usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6);
        int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) { (void)!write(fd, line, (size_t)length); close(fd); }
    }
    if (WIFSIGNALED(status)) {
        signal(WTERMSIG(status), SIG_DFL);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        kill(getpid(), WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}
"""


def write_wrappers(folder, bin_dir):
    """A folder for UPLOAD_IMAGES_BIN: every command a symlink to the wrapper above, compiled for bin_dir."""
    os.makedirs(folder)
    source, program = os.path.join(folder, ".wrapper.c"), os.path.join(folder, ".wrapper")
    with open(source, "w") as f:
        f.write(WRAPPER_C)
    subprocess.run(["cc", "-O2", "-Wall", "-o", program, f'-DREAL_BIN="{bin_dir}"', source], check=True)
    for command in WRAPPED:
        os.symlink(".wrapper", os.path.join(folder, command))


def read_peaks(log):
    """{command: (largest peak RSS MB, processes, CPU s)} from a wrappers' log."""
    peaks = {}
    if not os.path.exists(log):
        return peaks
    for line in open(log):
        fields = line.split()
        if len(fields) == 5 and fields[0] in WRAPPED and fields[1].isdigit():
            rss, count, cpu = peaks.get(fields[0], (0.0, 0, 0.0))
            peaks[fields[0]] = (max(rss, int(fields[1]) / 1024), count + 1, cpu + float(fields[3]) + float(fields[4]))
    return peaks


class ShellSampler(threading.Thread):
    """The peak (VmHWM) of every bash and xargs under this process, sampled: they are the script's, not ours."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peaks = {}
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.2):
            children = {}
            for name in os.listdir("/proc"):
                if name.isdigit():
                    try:
                        with open(f"/proc/{name}/stat", "rb") as f:
                            head, tail = f.read().rsplit(b")", 1)
                        children.setdefault(int(tail.split()[1]), []).append((int(name), head.split(b"(", 1)[1].decode()))
                    except (OSError, IndexError, ValueError):
                        continue
            stack = list(children.get(os.getpid(), []))
            while stack:
                pid, comm = stack.pop()
                stack.extend(children.get(pid, []))
                if comm in SAMPLED:
                    try:
                        with open(f"/proc/{pid}/status") as f:
                            hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
                        self.peaks[comm] = max(self.peaks.get(comm, 0.0), hwm)
                    except (OSError, StopIteration):
                        continue

    def stop(self):
        self.done.set()
        self.join()
        return self.peaks


# --- the bench ----------------------------------------------------------------------------------------------------
def summary(log):
    """upload-images' summary counts (found, uploaded, skipped, failed) from its stderr."""
    text = open(log, errors="replace").read()
    return {name: int(m.group(1)) for name in ("found", "uploaded", "skipped", "failed")
            for m in [re.search(rf"^\s*{name}:\s+(\d+)", text, re.M)] if m}


def progress_lines(log):
    return [line.strip() for line in open(log, errors="replace") if "progress " in line]


class Scale(Bench):
    def __init__(self, options):
        options.photos = options.small = options.many = HERE  # Bench counts these (a small folder); unused here
        super().__init__(options)
        self.wrappers = os.path.join(self.work, "wrappers")
        write_wrappers(self.wrappers, options.bin)
        self.base_thumbnails = None
        self.logs = {}

    def env(self, run_dir, rss_log=None):
        return dict(os.environ, TMPDIR=run_dir, UPLOAD_IMAGES_BIN=self.wrappers, SCALE_RSS_LOG=rss_log or os.devnull)

    def run(self, name, argv, check):
        """One measured run with the wrappers; `check(result, stderr log)` returns a problem or None."""
        run_dir = tempfile.mkdtemp(dir=self.work, prefix="run.")
        rss_log, log = os.path.join(self.work, f"{name}.rss"), os.path.join(self.work, f"{name}.log")
        sampler = ShellSampler()
        sampler.start()
        before = server_cpu(self.o.server_pid) if self.o.server_pid else 0.0
        try:
            result = measure(argv, run_dir, self.env(run_dir, rss_log), log)
        finally:
            shells = sampler.stop()
        result["server"] = server_cpu(self.o.server_pid) - before if self.o.server_pid else None
        problem = f"exit {result['code']}" if result["code"] != 0 else check(result, log)
        if problem:
            sys.exit(f"bench: {name}: {problem}\n{open(log, errors='replace').read()[-2000:]}")
        result["peaks"] = read_peaks(rss_log)
        result["shells"] = shells
        result["log"] = log
        shutil.rmtree(run_dir, ignore_errors=True)
        return result

    def upload(self, name, folder, bucket, expect):
        argv = [SCRIPT, folder, "--workers", str(self.o.workers), "--env-file", self.env_file(bucket)]

        def check(_, log):
            counts = summary(log)
            if any(counts.get(key) != value for key, value in expect.items()):
                return f"expected {expect}, the summary says {counts}"
        return self.run(name, argv, check)

    def listing_only(self, name, folder, bucket, count):
        argv = ["bash", "-c", 'set -o pipefail; "$1/img-scan" "$2" | "$1/spaces-exists" --env-file "$3" '
                '| grep -c \'"status":"skipped"\'', "listing", self.wrappers, folder, self.env_file(bucket)]
        return self.run(name, argv, lambda result, _: None if result["output"].strip() == str(count)
                        else f"{result['output'].strip()} skipped, expected {count}")

    def counted_resume(self, name, folder, bucket, count):
        """The resume through scripts/fault-proxy.py, in one measured tree (the relay is reaped with it)."""
        stats = os.path.join(self.work, f"{name}.requests")
        script = r'''
            set -o errexit -o nounset
            "$PYTHON" "$ROOT/scripts/fault-proxy.py" --upstream "$UPSTREAM" --port-file "$WORK/port" --stats "$STATS" &
            relay=$!
            trap 'kill "$relay" 2>/dev/null; wait "$relay" 2>/dev/null || true' EXIT
            for _ in $(seq 1 200); do [[ -s $WORK/port ]] && break; sleep 0.05; done
            sed "s|^SPACES_ENDPOINT=.*|SPACES_ENDPOINT=http://127.0.0.1:$(cat "$WORK/port")|" "$ENV_FILE" >"$WORK/relay.env"
            "$ROOT/scripts/upload-images" "$FOLDER" --workers "$WORKERS" --env-file "$WORK/relay.env"
        '''
        work = tempfile.mkdtemp(dir=self.work, prefix="relay.")
        os.environ.update(PYTHON=os.path.join(ROOT, ".venv", "bin", "python"), ROOT=ROOT, STATS=stats, WORK=work,
                          UPSTREAM=self.server["SPACES_ENDPOINT"].split("://", 1)[1], ENV_FILE=self.env_file(bucket),
                          FOLDER=folder, WORKERS=str(self.o.workers))
        try:
            self.run(name, ["bash", "-c", script], lambda _, log: None if summary(log).get("skipped") == count
                     else f"not all {count} skipped: {summary(log)}")
        finally:
            for key in ("PYTHON", "ROOT", "STATS", "WORK", "UPSTREAM", "ENV_FILE", "FOLDER", "WORKERS"):
                os.environ.pop(key, None)
        kinds = {}
        for line in open(stats):
            _, outcome, method, path, status = line.split()
            where, _, query = path.partition("?")
            params = {item.split("=", 1)[0] for item in query.split("&") if item}
            if where.strip("/").count("/") == 0:  # the bucket itself
                if method == "GET" and "uploads" in params:
                    kind = "ListMultipartUploads"
                elif method == "GET" and (not params or params & {"list-type", "prefix", "marker", "delimiter"}):
                    kind = "LIST"
                elif method == "HEAD":
                    kind = "HeadBucket"
                else:
                    kind = f"{method} bucket?{'&'.join(sorted(params))}"
            else:
                kind = f"{method} object"
            if outcome != "forwarded" or not status.startswith("2"):
                kind += f" ({outcome} {status})"
            kinds[kind] = kinds.get(kind, 0) + 1
        return kinds

    # --- the fast route -----------------------------------------------------------------------------------------
    def thumbnails_of_bases(self):
        """{inode: the thumbnail fields img-thumb gives each of the 1,000 distinct files}, made once."""
        if self.base_thumbnails is None:
            out = os.path.join(self.work, "base-thumbnails")
            os.makedirs(out)
            scan = subprocess.run([os.path.join(self.o.bin, "img-scan"), os.path.join(self.o.data, "tiny-bases")],
                                  capture_output=True, check=True).stdout
            made = subprocess.run([os.path.join(self.o.bin, "img-thumb"), "--out", out], input=scan,
                                  capture_output=True, check=True).stdout
            self.base_thumbnails = {}
            for line in made.splitlines():
                record = json.loads(line)
                if "thumbnail_path" in record:
                    self.base_thumbnails[os.stat(record["path"]).st_ino] = {
                        key: record[key] for key in ("thumbnail_path", "thumbnail_size", "thumbnail_source")}
            if len(self.base_thumbnails) != DISTINCT:
                sys.exit(f"bench: img-thumb made {len(self.base_thumbnails)} thumbnails of {DISTINCT} files")
        return self.base_thumbnails

    def fast_route(self, folder, bucket, count):
        """The bucket as upload-images would leave it, without img-thumb per file: returns the wall seconds."""
        thumbnails = self.thumbnails_of_bases()
        started = time.perf_counter()
        work = tempfile.mkdtemp(dir=self.work, prefix="fast.")
        slices = [open(os.path.join(work, f"slice-{i}.jsonl"), "w") for i in range(self.o.workers)]
        scan = subprocess.Popen([os.path.join(self.o.bin, "img-scan"), folder], stdout=subprocess.PIPE)
        records = 0
        for line in scan.stdout:
            record = json.loads(line)
            if "path" not in record:
                continue  # the stream's begin and end lines: spaces-put judges records without them by their status
            record.update(thumbnails[os.stat(record["path"]).st_ino])
            slices[records % len(slices)].write(json.dumps(record) + "\n")
            records += 1
        if scan.wait() != 0 or records != count:
            sys.exit(f"bench: the fast route's scan of {folder}: {records} records, exit {scan.returncode}")
        for f in slices:
            f.close()
        processes, env_file = [], self.env_file(bucket)  # written once: each call rewrites it
        for f in slices:
            with open(f.name) as source, open(f.name + ".out", "w") as sink, open(f.name + ".err", "w") as errors:
                processes.append(subprocess.Popen(
                    [os.path.join(self.o.bin, "spaces-put"), "--keep-thumbnails", "--env-file", env_file],
                    stdin=source, stdout=sink, stderr=errors))
        codes = [os.waitstatus_to_exitcode(os.wait4(process.pid, 0)[1]) for process in processes]  # reaped here
        wall = time.perf_counter() - started
        uploaded = sum(1 for f in slices for line in open(f.name + ".out") if '"status":"uploaded"' in line)
        if uploaded != count:
            failed = next((f.name for f, code in zip(slices, codes) if code != 0), slices[0].name)
            sys.exit(f"bench: the fast route uploaded {uploaded} of {count} (exits {codes}); {failed}.err:\n"
                     f"{open(failed + '.err', errors='replace').read()[-1500:]}")
        shutil.rmtree(work, ignore_errors=True)
        return wall

    def listing(self, bucket):
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted((item["Key"], item["Size"], item["ETag"]) for page in pages for item in page.get("Contents", []))

    def check_fast_route(self):
        """At 1,000 images: the fast route leaves what upload-images leaves, and upload-images skips all of it."""
        folder = make_tiny(self.o.data, 1000)
        real, fast = self.bucket(), self.bucket()
        say("checking the fast route at 1,000 images: a real upload and a fast one, compared")
        self.upload("check-real", folder, real, {"uploaded": 1000, "failed": 0})
        self.fast_route(folder, fast, 1000)
        left, right = self.listing(real), self.listing(fast)
        if left != right or len(left) != 2000:
            differ = sorted(set(left) ^ set(right))[:4]
            sys.exit(f"bench: the fast route's objects differ from upload-images' ({len(left)} and {len(right)}): {differ}")
        for key, _, _ in left[::97]:
            heads = [self.s3.head_object(Bucket=b, Key=key) for b in (real, fast)]
            fields = [(h.get("ContentType"), h.get("CacheControl"), h.get("Metadata")) for h in heads]
            if fields[0] != fields[1]:
                sys.exit(f"bench: the fast route's {key} differs: {fields}")
        self.upload("check-resume", folder, fast, {"skipped": 1000, "uploaded": 0, "failed": 0})
        say("the fast route holds: 2,000 objects alike (key, size, ETag; Content-Type, Cache-Control and metadata of "
            "21), and upload-images skips all 1,000")
        self.drop(real)
        self.drop(fast)

    def size(self, count):
        folder = make_tiny(self.o.data, count)
        bucket = self.bucket()
        row = {"count": count, "fast": count >= self.o.fast_from}
        if row["fast"]:
            say(f"{count}: filling the bucket by the fast route")
            row["first"] = {"wall": self.fast_route(folder, bucket, count)}
        else:
            say(f"{count}: first upload")
            row["first"] = self.upload(f"first-{count}", folder, bucket, {"uploaded": count, "failed": 0})
            row["progress"] = progress_lines(row["first"]["log"])
        say(f"  {row['first']['wall']:.2f} s")
        say(f"{count}: resume")
        row["resume"] = self.upload(f"resume-{count}", folder, bucket, {"skipped": count, "uploaded": 0, "failed": 0})
        say(f"  {row['resume']['wall']:.2f} s")
        say(f"{count}: img-scan | spaces-exists")
        row["listing"] = self.listing_only(f"listing-{count}", folder, bucket, count)
        say(f"  {row['listing']['wall']:.2f} s")
        say(f"{count}: the resume's requests, counted through scripts/fault-proxy.py")
        row["requests"] = self.counted_resume(f"requests-{count}", folder, bucket, count)
        say(f"  {row['requests']}")
        return row


# --- the report -----------------------------------------------------------------------------------------------
def peak(result, command):
    return result.get("peaks", {}).get(command, (None,))[0]


def mb(value):
    return "-" if value is None else f"{value:.0f}"


def report(options, rows):
    sizes = ", ".join(f"{row['count']:,}" for row in rows)
    lines = [f"## upload-images at scale: {sizes} tiny images",
             f"Command: `{options.command}`; one run each; `--workers {options.workers}`; started {options.started}.",
             "\n".join(line for line in machine(options).splitlines() if not line.startswith("- peers")),
             "",
             "| images | first upload s | resume s | listing-only s | LIST requests | other requests | "
             "peak RSS MB: " + " / ".join(REPORTED) + " |",
             "|---:|---:|---:|---:|---:|---|---|"]
    for row in rows:
        kinds = row["requests"]
        others = {k: v for k, v in kinds.items() if k != "LIST"}
        first = f"{row['first']['wall']:.2f}" + (" (fast route)" if row["fast"] else "")
        peaks = " / ".join(mb(max(filter(None, [peak(row["first"], c), peak(row["resume"], c)]), default=None))
                           for c in REPORTED)
        lines.append(f"| {row['count']:,} | {first} | {row['resume']['wall']:.2f} | {row['listing']['wall']:.2f} | "
                     f"{kinds.get('LIST', 0)} | {sum(others.values())}"
                     f"{' (' + ', '.join(f'{k} {v}' for k, v in sorted(others.items())) + ')' if others else ''} | "
                     f"{peaks} |")
    lines += ["", "Peak RSS MB by run and command (exact: wait4 through the wrappers; bash and xargs sampled; "
              "tree = the summed PSS of the whole tree, sampled); CPU s of the client tree and of the server:", "",
              "| images | run | wall s | " + " | ".join(REPORTED) + " | bash | xargs | tree | client CPU s | server CPU s |",
              "|---:|---|---:|" + "---:|" * (len(REPORTED) + 5)]
    for row in rows:
        for name, key in (("first upload", "first"), ("resume", "resume"), ("img-scan \\| spaces-exists", "listing")):
            r = row[key]
            if "peaks" not in r:
                lines.append(f"| {row['count']:,} | {name}: fast route (spaces-put x{options.workers}) | {r['wall']:.2f} |"
                             + " |" * (len(REPORTED) + 5))
                continue
            server = "-" if r.get("server") is None else f"{r['server']:.2f}"
            lines.append(f"| {row['count']:,} | {name} | {r['wall']:.2f} | " + " | ".join(mb(peak(r, c)) for c in REPORTED)
                         + f" | {mb(r['shells'].get('bash'))} | {mb(r['shells'].get('xargs'))} | {r['rss']:.0f} | "
                         f"{r['cpu']:.2f} | {server} |")
    lines += ["", "Ratios:", ""]
    for row in rows:
        if row["fast"]:
            line = f"- {row['count']:,}: (the bucket filled by the fast route: no resume / first upload ratio)"
        else:
            line = f"- {row['count']:,}: resume / first upload {row['resume']['wall'] / row['first']['wall']:.3f} " \
                   f"({row['first']['wall'] / row['resume']['wall']:.0f}x faster)"
        line += f"; resume {1000 * row['resume']['wall'] / row['count']:.2f} s and listing only " \
                f"{1000 * row['listing']['wall'] / row['count']:.2f} s per 1,000 images"
        if not row["fast"]:
            line += f"; first upload {1000 * row['first']['wall'] / row['count']:.2f} s per 1,000"
        lines.append(line)
    if len(rows) >= 2:
        small, large = rows[0], rows[-1]
        per = (large["count"] - small["count"]) / 1000
        growth = []
        for name, key in (("resume", "resume"), ("listing only", "listing")):
            parts = []
            for command in REPORTED:
                a, b = peak(small[key], command), peak(large[key], command)
                if a is not None and b is not None:
                    parts.append(f"{command} {(b - a) / per * 1000:+.0f} KB")
            parts.append(f"tree PSS {(large[key]['rss'] - small[key]['rss']) / per * 1000:+.0f} KB")
            growth.append(f"{name}: " + ", ".join(parts))
        if not small["fast"] and not large["fast"]:
            parts = [f"{c} {(peak(large['first'], c) - peak(small['first'], c)) / per * 1000:+.0f} KB"
                     for c in REPORTED if peak(small["first"], c) is not None and peak(large["first"], c) is not None]
            growth.insert(0, "first upload: " + ", ".join(parts))
        lines.append(f"- peak RSS growth per 1,000 images, from {small['count']:,} to {large['count']:,}: "
                     + "; ".join(growth))
    for row in rows:
        if row.get("progress") is not None:
            shown = row["progress"]
            lines.append(f"- {row['count']:,}, first upload: {len(shown)} progress lines in {row['first']['wall']:.0f} s"
                         + (f", the last: `{shown[-1]}`" if shown else ""))
    largest = rows[-1]
    listing_largest = largest["listing"]
    lines += ["", f"For docs: resuming {largest['count']:,} tiny images, all already uploaded, takes "
              f"{largest['resume']['wall']:.2f} s with `upload-images --workers {options.workers}` "
              f"({largest['requests'].get('LIST', 0)} LIST requests and "
              f"{sum(v for k, v in largest['requests'].items() if k != 'LIST')} others), "
              f"{listing_largest['wall']:.2f} s for `img-scan | spaces-exists` alone; spaces-exists' peak RSS "
              f"{mb(peak(largest['resume'], 'spaces-exists'))} MB" +
              ("" if largest["fast"] else f"; the first upload {largest['first']['wall']:.1f} s") +
              f" (`{options.command}`)."]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--env", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--fast-from", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=10)
    parser.add_argument("--server-pid", type=int, default=0)
    parser.add_argument("--where", default="same machine, loopback")
    parser.add_argument("--command", default="bench/scale")
    options = parser.parse_args()
    options.bin, options.data = os.path.abspath(options.bin), os.path.abspath(options.data)
    options.sizes = sorted({int(size.replace("_", "")) for size in options.sizes.split(",")})
    options.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    options.started = time.strftime("%Y-%m-%d %H:%M")
    if not shutil.which("cc"):
        sys.exit("bench: no C compiler (cc) for the wrappers that take each command's peak RSS")
    become_subreaper()
    bench = Scale(options)
    try:
        if any(size >= options.fast_from for size in options.sizes):
            bench.check_fast_route()
        rows = [bench.size(size) for size in options.sizes]
        print(report(options, rows))
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    main()
