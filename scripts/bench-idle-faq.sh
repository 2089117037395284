#!/usr/bin/env bash
# Idle memory of a deskbell binary after the owner has saved 14 FAQ entries (issue #12's
# budget: idle RSS ≤ 80 MB on the musl build and on the default glibc build).
#
# Starts BINARY on a free loopback port with a fresh temporary data directory, creates
# the first admin with the setup code, prints the idle memory, saves 14 FAQ entries
# through `POST /api/faq` (3 example questions each: entries 1-10 of the bakery's
# English FAQ, 11-14 of its Chinese one, from tests/fixtures/bot_eval/), then prints
# VmRSS, RssAnon, RssFile and VmHWM from /proc after each wait. Stops the server with
# SIGTERM at the end (or on any error); every request and wait is bounded.
#
# Usage: scripts/bench-idle-faq.sh [BINARY] [-- extra serve flags]
#   BINARY  default: dist/deskbell-<version>-x86_64-unknown-linux-musl
# Environment: WAITS (seconds after the last save at which to print, default "10 30").
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
binary=${1:-dist/deskbell-$version-x86_64-unknown-linux-musl}
shift $(($# < 1 ? $# : 1))
[ "${1:-}" = "--" ] && shift
exec python3 - "$binary" "${WAITS:-10 30}" "$@" <<'PY'
import json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request

binary, waits, extra = sys.argv[1], [float(w) for w in sys.argv[2].split()], sys.argv[3:]
FIXTURES = "tests/fixtures/bot_eval"
en = json.load(open(f"{FIXTURES}/bakery-en-faq.json", encoding="utf-8"))["faq"]
zh = json.load(open(f"{FIXTURES}/bakery-zh-faq.json", encoding="utf-8"))["faq"]
entries = en[:10] + zh[10:14]
assert len(entries) == 14 and all(len(e["questions"]) == 3 for e in entries)

def memory(pid):
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    mb = lambda name: int(fields[name].split()[0]) / 1000
    return (f"VmRSS {mb('VmRSS'):.1f} MB (RssAnon {mb('RssAnon'):.1f}, RssFile {mb('RssFile'):.1f}), "
            f"VmHWM {mb('VmHWM'):.1f} MB, threads {fields['Threads'].strip()}, "
            f"load {os.getloadavg()[0]:.2f}")

def call(port, method, path, body=None, token=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answer.status, json.loads(answer.read() or b"null")

data = tempfile.mkdtemp(prefix="deskbell-bench-faq-")
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
            time.sleep(0.01)
    print(f"{binary}")
    print(f"ready after {(time.monotonic() - started) * 1000:.0f} ms: {memory(server.pid)}")
    code = open(f"{data}/setup-code.txt").read().strip()
    admin = {"name": "bench-admin", "password": "bench-admin-password"}
    status, _ = call(port, "POST", "/api/setup", {"code": code, **admin})
    assert status == 201, status
    _, login = call(port, "POST", "/api/login", admin)
    token = login["token"]
    time.sleep(10)
    print(f"admin created, 10 s idle, no FAQ: {memory(server.pid)}")
    saving = time.monotonic()
    for entry in entries:
        status, saved = call(port, "POST", "/api/faq",
                             {"questions": entry["questions"], "answer": entry["answer"]}, token)
        assert status == 201, (status, saved)
    print(f"14 FAQ entries saved in {(time.monotonic() - saving) * 1000:.0f} ms: {memory(server.pid)}")
    slept = 0.0
    for wait in waits:
        time.sleep(wait - slept)
        slept = wait
        print(f"{wait:.0f} s after the last save: {memory(server.pid)}")
finally:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    shutil.rmtree(data, ignore_errors=True)
PY
