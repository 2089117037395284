#!/usr/bin/env bash
# What one durable write costs on a disk: the floor under every acknowledgement
# (issue #16, docs/BENCHMARKS.md "Eighth sitting").
#
# In a temporary directory under DIR (default: the system's temporary directory; give
# the file system deskbell's data lives on), for each pattern, ROUNDS times: write, then
# fdatasync, timed together. Prints p50 / p99 / mean per round and what reached the
# storage per round (`write_bytes` of /proc/self/io):
#   append 4 KiB     one page appended to a log (a group of messages in one page)
#   append 16 KiB    four pages appended
#   pages 21 x 4 KiB 21 pages scattered over a 64 MiB file, as one redb commit at
#                    5,000 msg/s rewrites (about 85 KiB, docs/BENCHMARKS.md)
# Bounded: at most ROUNDS rounds per pattern and 20 s per pattern; the files are removed
# at the end.
#
# Usage: scripts/bench-fsync.sh [DIR]      Environment: ROUNDS (default 2000).
set -euo pipefail
exec python3 - "${1:-${TMPDIR:-/tmp}}" "${ROUNDS:-2000}" <<'PY'
import os, random, shutil, sys, tempfile, time

base, rounds = sys.argv[1], int(sys.argv[2])
PAGE = 4096
work = tempfile.mkdtemp(prefix="deskbell-bench-fsync-", dir=base)

def written():
    with open("/proc/self/io") as io:
        return int(next(l for l in io if l.startswith("write_bytes:")).split()[1])

def run(name, path, size, step):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if size:
            os.ftruncate(fd, size)
            os.fdatasync(fd)
        times, before, started = [], written(), time.monotonic()
        for i in range(rounds):
            if time.monotonic() - started > 20:
                break
            t = time.perf_counter()
            step(fd, i)
            os.fdatasync(fd)
            times.append(time.perf_counter() - t)
        per_round = (written() - before) / max(len(times), 1)
    finally:
        os.close(fd)
    times.sort()
    ms = lambda q: 1000 * times[min(len(times) - 1, int(q * len(times)))]
    print(f"{name:18s} {len(times):5d} rounds: p50 {ms(0.5):.3f} ms, p99 {ms(0.99):.3f} ms, "
          f"mean {1000 * sum(times) / len(times):.3f} ms; {per_round / 1024:.1f} KiB to storage per round")

try:
    page = os.urandom(PAGE)
    run("append 4 KiB", f"{work}/log1", 0, lambda fd, i: os.pwrite(fd, page, i * PAGE))
    four = os.urandom(4 * PAGE)
    run("append 16 KiB", f"{work}/log4", 0, lambda fd, i: os.pwrite(fd, four, i * 4 * PAGE))
    size = 64 << 20
    rng = random.Random(16)
    def scattered(fd, i):
        for _ in range(21):
            os.pwrite(fd, page, rng.randrange(size // PAGE) * PAGE)
    run("pages 21 x 4 KiB", f"{work}/pages", size, scattered)
finally:
    shutil.rmtree(work, ignore_errors=True)
PY
