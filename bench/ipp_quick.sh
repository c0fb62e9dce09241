#!/usr/bin/env bash
# A quick CPU-bound look at one quired build: Get-Printer-Attributes and a
# held Print-Job burst (32 clients, 8 s each) against a fresh quired with
# job processors and per-user limits off. For comparing two builds of the
# same source (an optimization level, a compiler): run them alternately,
# several times, and compare the spread, not one run.
#   bench/ipp_quick.sh BUILD_DIR [IPP_LOAD]
#   e.g. for i in 1 2 3 4; do bench/ipp_quick.sh /tmp/o3build build/bench/ipp_load; bench/ipp_quick.sh build; done
set -euo pipefail
B=$1
L=${2:-$1/bench/ipp_load}
D=$(mktemp -d /var/tmp/ipp-quick.XXXXXX)
"$B/quired" --data-dir "$D" --set ipp.listen=127.0.0.1:0 --set lpd.listen=127.0.0.1:0 \
  --set processors.enabled=false --set limits.max_jobs_per_user=0 --set limits.max_bytes_per_user=0 \
  --set limits.user_submissions_per_minute=0 --set limits.host_submissions_per_minute=0 >"$D/out.log" 2>&1 &
P=$!
trap 'kill $P 2>/dev/null; wait $P 2>/dev/null; rm -rf "$D"' EXIT
for _ in $(seq 50); do grep -q "ipp listening on" "$D/out.log" && break; sleep 0.2; done
PORT=$(grep -o "ipp listening on 127.0.0.1:[0-9]*" "$D/out.log" | head -1 | sed 's/.*://')
Q=ipp://127.0.0.1:$PORT/ipp/print/secure
"$L" attrs --uri "$Q" --clients 32 --duration 8 | tail -1
"$L" print --uri "$Q" --clients 32 --duration 8 | tail -1
