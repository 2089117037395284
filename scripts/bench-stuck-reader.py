#!/usr/bin/env python3
"""Memory while an agent's connection is stuck: starts BIN (a deskbell binary) on
127.0.0.1:18490 with a temporary data directory and --max-body-bytes 1048576, logs an
agent in, follows one visitor's conversation, then stops reading while the visitor sends
N texts of SIZE bytes (one at a time, each acknowledged); prints the server's RSS as it
goes. Loopback only; stops by itself. Needs `pip install websocket-client`.

Usage: scripts/bench-stuck-reader.py BIN N SIZE   (docs/BENCHMARKS.md: 300 1000000)"""
import json, os, subprocess, sys, tempfile, time, urllib.request
import websocket

BIN, N, SIZE = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
PORT = 18490
D = tempfile.mkdtemp(prefix="stuck.")
srv = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{PORT}", "--data", D, "--no-bot",
    "--max-body-bytes", "1048576", "--text-kb-per-hour", "0", "--rate-per-sec", "1000",
    "--rate-burst", "1000"], stdout=subprocess.DEVNULL, stderr=open(D + ".log", "w"))
base = f"http://127.0.0.1:{PORT}"
import atexit; atexit.register(lambda: (srv.kill(), subprocess.run(["rm", "-rf", D, D + ".log"])))
for _ in range(100):
    try:
        urllib.request.urlopen(base + "/healthz"); break
    except Exception:
        time.sleep(0.1)
def rss():
    for line in open(f"/proc/{srv.pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
time.sleep(0.3)
code = open(os.path.join(D, "setup-code.txt")).read().strip().split()[-1]
req = urllib.request.Request(base + "/api/setup", data=json.dumps({"code": code, "name": "admin", "password": "correct horse battery"}).encode(),
    headers={"Content-Type": "application/json", "Origin": base})
urllib.request.urlopen(req).read()
req = urllib.request.Request(base + "/api/login", data=json.dumps({"name": "admin", "password": "correct horse battery"}).encode(),
    headers={"Content-Type": "application/json", "Origin": base})
token = json.load(urllib.request.urlopen(req))["token"]
hdr = {"origin": base}
agent = websocket.create_connection(f"ws://127.0.0.1:{PORT}/ws", subprotocols=["deskbell.v1.json"], header=hdr)
agent.send(json.dumps({"hello_agent": {"token": token}})); agent.recv()
visitor = websocket.create_connection(f"ws://127.0.0.1:{PORT}/ws", subprotocols=["deskbell.v1.json"], header=hdr)
visitor.send(json.dumps({"hello_visitor": {"site": "default", "page": None, "referrer": None, "language": "en", "utc_offset_min": 0}}))
visitor.recv()
visitor.send(json.dumps({"send": {"conversation": None, "client_id": "c0", "body": "hello"}}))
conv = None
while conv is None:
    f = json.loads(visitor.recv())
    if "ack" in f: conv = f["ack"]["conversation"]
agent.send(json.dumps({"sync": {"conversation": conv, "after_seq": 0}}))
time.sleep(0.5)
print("before", rss(), "MB")
text = "a" * SIZE
start = time.time()
for i in range(1, N + 1):
    visitor.send(json.dumps({"send": {"conversation": conv, "client_id": f"c{i}", "body": text}}))
    while True:
        f = json.loads(visitor.recv())
        if "ack" in f or "error" in f: break
    if i % (N // 5) == 0:
        print(f"after {i} texts: RSS {rss()} MB")
peak = rss()
print(f"{N} texts of {SIZE} bytes in {time.time()-start:.1f} s; RSS {peak} MB")
srv.terminate(); srv.wait()
subprocess.run(["rm", "-rf", D, D + ".log"])
