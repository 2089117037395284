#!/usr/bin/env bash
# Checks the running API against its OpenAPI document (docs/openapi.json) with
# schemathesis: a real server on a free loopback port with a temporary data directory,
# an admin API key for every site, a fixed seed and a fixed number of examples per
# operation. Fails on any 5xx, any answer outside the document (status, content type,
# body schema) and any crash. Bounded: at most $API_FUZZ_EXAMPLES examples per
# operation (default 20), sent at 18 a second (under an API key's 20 a second), and
# stopped after $API_FUZZ_MAX_TIME seconds (default 900) whatever happens.
# Usage: scripts/api-fuzz.sh [path/to/deskbell]   (default target/debug/deskbell)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "${1:-target/debug/deskbell}")"
st="$(realpath -m "${SCHEMATHESIS:-target/schemathesis/bin/schemathesis}")"
[ -x "$st" ] || scripts/install-schemathesis.sh
work="$(mktemp -d)"
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
printf 'fuzz-admin-password\n' | "$bin" add-admin --data "$work/data" --name admin >/dev/null 2>&1
# Webhook and push URLs the fuzzer invents are refused before any lookup leaves the
# machine (no --allow-private-*); email is not configured, so nothing is sent anywhere.
"$bin" serve --data "$work/data" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
# The admin logs in and makes an admin key for every site (Python: no curl needed).
# Prints the session token, then the key.
read -r token key < <(python3 - "$base" <<'PY'
import json, sys, time, urllib.request
base = sys.argv[1]
def call(path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, json.dumps(body).encode(), headers)
    return json.load(urllib.request.urlopen(req, timeout=10))
for _ in range(200):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
token = call("/api/v1/login", {"name": "admin", "password": "fuzz-admin-password"})["token"]
print(token, call("/api/v1/keys", {"name": "schemathesis", "scope": "admin"}, token)["key"])
PY
)
# One pass as the admin key (the integrators' view: every route a key may call), one as
# the admin's session token (the console's view: the routes that act as a person).
# Left out: the key's own revocation and logout (they would end the run's authority),
# setup and login (their throttles lock a fuzzer out within a few examples, by design).
# One worker: hypothesis's source cache is not thread-safe (an internal "AST constructor
# recursion depth mismatch" error under two), and the rate limit sets the pace anyway.
fuzz() {
  # From the temporary directory: schemathesis keeps a crash cache in its working directory.
  (cd "$work" && timeout "${API_FUZZ_MAX_TIME:-900}" "$st" run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $1" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "${API_FUZZ_EXAMPLES:-20}" --seed 1 --rate-limit 18/s \
    --exclude-operation-id revoke_key --exclude-operation-id logout \
    --exclude-operation-id setup --exclude-operation-id login \
    --request-timeout 15 --no-color --workers 1 --generation-database none "${@:2}")
}
set +e
echo "== schemathesis as an admin API key"
fuzz "$key"
status=$?
echo "== schemathesis as the admin's session"
fuzz "$token" --include-tag agents --include-tag push --include-tag visitors --include-tag canned \
  --include-tag faq
[ $? -eq 0 ] || status=1
set -e
if ! kill -0 "$server" 2>/dev/null; then
  echo "api-fuzz: the server died during the run; its log:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
if grep -q "panicked" "$work/server.log"; then
  echo "api-fuzz: the server panicked; its log:" >&2
  grep -B2 -A5 "panicked" "$work/server.log" >&2
  exit 1
fi
exit "$status"
