#!/usr/bin/env bash
# Start-up and idle memory of a deskbell binary: the time from exec to the first
# `GET /healthz` 200 (the model is loaded by then), and VmRSS after 5 s idle.
# Each run gets a fresh temporary data directory and a free loopback port; the server
# is stopped with SIGTERM after each run.
#
# Usage: scripts/bench-start.sh [BINARY] [RUNS] [-- extra serve flags]
#   BINARY  default: dist/deskbell-<version>-x86_64-unknown-linux-musl
#   RUNS    default: 5
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
binary=${1:-dist/deskbell-$version-x86_64-unknown-linux-musl}
runs=${2:-5}
shift $(($# < 2 ? $# : 2))
[ "${1:-}" = "--" ] && shift
exec python3 - "$binary" "$runs" "$@" <<'PY'
import os, shutil, socket, subprocess, sys, tempfile, time, urllib.request

binary, runs, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
ready, rss = [], []
for run in range(runs):
    data = tempfile.mkdtemp(prefix="deskbell-bench-start-")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    server = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--data", data, *extra],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if server.poll() is not None:
                sys.exit(f"the server exited with {server.returncode} before it was ready")
            if time.monotonic() - started > 60:
                sys.exit("not ready after 60 s")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
                break
            except OSError:
                time.sleep(0.005)
        ready.append((time.monotonic() - started) * 1000)
        time.sleep(5)
        with open(f"/proc/{server.pid}/status") as status:
            fields = dict(line.split(":", 1) for line in status)
        rss.append(int(fields["VmRSS"].split()[0]) / 1000)
        print(f"run {run + 1}: ready {ready[-1]:.0f} ms, idle VmRSS {rss[-1]:.1f} MB "
              f"(anon {int(fields['RssAnon'].split()[0]) / 1000:.1f} MB), load {os.getloadavg()[0]:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
ready.sort()
print(f"{binary}: ready median {ready[len(ready) // 2]:.0f} ms (min {ready[0]:.0f}, max {ready[-1]:.0f}), "
      f"idle VmRSS max {max(rss):.1f} MB over {runs} runs")
PY
