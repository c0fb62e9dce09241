#!/usr/bin/env python3
"""REST job list: one user's jobs among a large stored history, p50/p99 as a client sees them.

The target (the web issue): GET of one user's job list among 1,000,000 stored
jobs with p99 under 10 ms.

jobs_fill (bench/jobs_fill.cpp) writes --jobs finished jobs of --users users
(u0, u1, ...; --jobs/--users each) into a fresh data folder, as quired leaves
them. quired starts on it (its start-up time with that history is printed),
an administrator logs in once (POST /api/v1/login; the session cookie then
authenticates each request without a password hash), and one keep-alive
connection sends --requests listings for random users, timed from the
request's first byte to the response's last:

  completed   GET /api/v1/jobs?user=uN&which=completed&limit=--limit
  all         GET /api/v1/jobs?user=uN&which=all&limit=--limit
  next page   GET /api/v1/jobs?user=uN&which=completed&limit=--limit&after=<next>

Each answer is checked: 200, the user's jobs only, --limit of them (or all
the user has). Exits 1 when a check fails, never because of a timing.
"""
import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

from bench_common import harness, percentile

ADMIN_PASSWORD = "rest-bench-root-pw-1"
P99_TARGET_MS = 10.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quired", default=harness.QUIRED)
    ap.add_argument("--jobs-fill", default=None, help="default: QUIRE_BINARY_DIR/bench/jobs_fill")
    ap.add_argument("--jobs", type=int, default=1000000)
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--requests", type=int, default=2000, help="per kind of listing")
    ap.add_argument("--limit", type=int, default=50)
    ap.add_argument("--queue", default="secure", help="a queue of quired's embedded defaults")
    ap.add_argument("--keep-temp", action="store_true")
    args = ap.parse_args()
    fill = args.jobs_fill or os.path.join(os.environ.get("QUIRE_BINARY_DIR", os.path.dirname(args.quired)),
                                          "bench", "jobs_fill")
    harness.QUIRED = args.quired
    tmp = tempfile.mkdtemp(prefix="quire-rest-bench-")
    data = os.path.join(tmp, "data")
    failures = []
    try:
        out = subprocess.run([fill, data, str(args.jobs), str(args.users), args.queue], check=True,
                             capture_output=True, text=True).stdout.strip()
        print(out)
        server = harness.Quired(data_dir=data, sets=["api.allow_plain_loopback=true"])
        server.add_admin("root", ADMIN_PASSWORD)
        t0 = time.monotonic()
        server.start(timeout=300)
        print("quired ready in %.2f s with %d stored jobs" % (time.monotonic() - t0, args.jobs))
        try:
            host, port = server.address.rsplit(":", 1)
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.request("POST", "/api/v1/login", body=json.dumps({"user": "root", "password": ADMIN_PASSWORD}),
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                raise SystemExit("login failed: %d %s" % (r.status, body[:200]))
            cookie = r.getheader("Set-Cookie").split(";", 1)[0]
            per_user = args.jobs // args.users
            expect = min(args.limit, per_user)
            rng = random.Random(7)
            kinds = ("completed", "all", "next page")
            times = {k: [] for k in kinds}
            sizes = {k: 0 for k in kinds}
            for i in range(args.requests * len(kinds)):
                kind = kinds[i % len(kinds)]
                user = "u%d" % rng.randrange(args.users)
                which = "all" if kind == "all" else "completed"
                path = "/api/v1/jobs?user=%s&which=%s&limit=%d" % (user, which, args.limit)
                if kind == "next page":
                    conn.request("GET", path, headers={"Cookie": cookie})
                    first = json.loads(conn.getresponse().read())
                    if first.get("next") is None:
                        failures.append("%s: no next page" % user)
                        continue
                    path += "&after=%d" % first["next"]
                t = time.perf_counter()
                conn.request("GET", path, headers={"Cookie": cookie})
                r = conn.getresponse()
                raw = r.read()
                times[kind].append((time.perf_counter() - t) * 1000.0)
                sizes[kind] += len(raw)
                if r.status != 200:
                    failures.append("%s %s: %d" % (kind, user, r.status))
                    continue
                jobs = json.loads(raw)["jobs"]
                want = expect if kind != "next page" else min(args.limit, max(0, per_user - args.limit))
                if len(jobs) != want or any(j.get("user", j.get("owner")) != user for j in jobs):
                    failures.append("%s %s: %d jobs, owners %s" % (kind, user, len(jobs),
                                                                   sorted({str(j.get("user", j.get("owner")))
                                                                           for j in jobs})[:3]))
            print("\nfigures (%d stored jobs, %d users, %d each; %d requests per kind, limit %d, one keep-alive "
                  "connection, session cookie):" % (args.jobs, args.users, per_user, args.requests, args.limit))
            worst = 0.0
            for kind in kinds:
                v = sorted(times[kind])
                if not v:
                    continue
                p99 = percentile(v, 99)
                worst = max(worst, p99)
                print("  %-10s p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; %.1f KB per answer"
                      % (kind, percentile(v, 50), percentile(v, 90), p99, v[-1], sizes[kind] / len(v) / 1024.0))
            print("  target p99 < %.0f ms: %s" % (P99_TARGET_MS, "met" if worst < P99_TARGET_MS else "not met"))
            with open("/proc/%d/status" % server.pid) as f:
                rss = [l for l in f if l.startswith("VmRSS")]
            print("  quired %s" % (rss[0].strip() if rss else "VmRSS ?"))
        finally:
            server.stop()
    finally:
        if args.keep_temp:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for f in failures[:10]:
        print("check failed:", f)
    print("checks:", "OK" if not failures else "%d FAILED" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
