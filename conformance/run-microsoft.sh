#!/usr/bin/env bash
# Runs Microsoft's "SCIM Tests" Postman collection (the one Microsoft ships
# for Entra ID provisioning) against a real `birdie serve` on an empty
# SQLite database, and fails unless the failed assertions are exactly the
# deliberate deviations listed in microsoft-deviations.txt.
#
# Usage: conformance/run-microsoft.sh   (from anywhere; needs go, node, npm)
# Env:   SHARED (default: ../shared next to the repository),
#        NEWMAN_DIR (default /tmp/conf-newman), PORT (default 18299).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$repo/../shared}
coll=$shared/conformance/microsoft-scim-reference-postman/PostmanCollection.json
newman_dir=${NEWMAN_DIR:-/tmp/conf-newman}
port=${PORT:-18299}
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; wait "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

[ -f "$coll" ] || { echo "conformance: collection not found at $coll (set SHARED)" >&2; exit 1; }
if [ ! -x "$newman_dir/node_modules/.bin/newman" ]; then
  echo "conformance: installing newman 6.2.2 into $newman_dir" >&2
  mkdir -p "$newman_dir"
  npm install --prefix "$newman_dir" --no-audit --no-fund --loglevel=error newman@6.2.2 >&2
fi
newman=$newman_dir/node_modules/.bin/newman

go build -o "$work/birdie" "$repo/cmd/birdie"
db=$work/conformance.db
"$work/birdie" --db "$db" workspace create conformance >/dev/null
token=$("$work/birdie" --db "$db" token create conformance 2>/dev/null | tail -n 1)
"$work/birdie" --db "$db" serve --addr "127.0.0.1:$port" --no-bootstrap 2>"$work/server.log" &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

set +e
"$newman" run "$coll" \
  --env-var "Protocol=http" --env-var "Server=127.0.0.1" --env-var "Port=:$port" \
  --env-var "Api=scim/v2" --env-var "token=$token" \
  --folder "Endpoint tests" --folder "User tests" --folder "ComplexAttribute tests" \
  --folder "User tests with garbage" --folder "Teardown garbage" \
  --timeout-request 10000 --suppress-exit-code \
  --reporters cli,json --reporter-json-export "$work/report.json" > "$work/newman.txt" 2>&1
set -e

node "$repo/conformance/check-report.js" "$work/report.json" "$repo/conformance/microsoft-deviations.txt" || {
  echo "---- newman output ----" >&2; cat "$work/newman.txt" >&2
  echo "---- server log (last 50 lines) ----" >&2; tail -n 50 "$work/server.log" >&2
  exit 1
}
