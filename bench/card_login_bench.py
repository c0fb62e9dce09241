#!/usr/bin/env python3
"""Card login at a terminal among a large user population: p50/p99 as a terminal sees them.

The target (the directory issue): a card login (the look-up of a card among
1,000,000 users) with p99 under 5 ms.

users_fill (bench/users_fill.cpp) writes --users users u0, u1, ... into a
fresh data folder, each with one card: card(i) = 1000000000 + i*7919 mod
9000000000 (10 digits, unique; the same formula here). An administrator is
added (quired --add-admin), quired starts on the folder with
printers.demo.login=["card"], and --terminals terminals are registered on
printer demo (POST /api/v1/terminals). Then --logins logins are spread over
the terminals: one thread per terminal, each with its own keep-alive
connection, the terminals concurrently, each terminal's logins one after
the other. A login is POST /api/v1/terminal/sessions {"card": card(random
user)}, timed from the request's first byte to the answer's last
(time.perf_counter) and expected to answer 201 with the user's name; the
session is then closed (DELETE /api/v1/terminal/session, not timed) so the
next login at that terminal starts from a free terminal.

In order: --warmup logins (default 500) on one terminal, reported on their
own line (the first look-ups after the start: table readers, caches); for
reference, --sequential logins (default 2,000) on one terminal alone
(no concurrency: the latency without the other terminals' load and without
the client's threads sharing Python's GIL); the concurrent logins above;
and --unknown tries (default
1,000) with unknown cards (card(i) for i >= --users: same format, nobody's),
expected to be refused (401). A terminal is locked out after
terminals.max_login_failures failures (1..100; set here to 100 with
terminals.lockout_s=1), so the unknown cards go to terminals of their own,
at most 90 tries each, and the limiter never refuses one of them (a 429
counts as an error).

Exits 1 when a check fails (a login that is not 201 with the right user, an
unknown card accepted), never because of a timing.
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
import threading
import time

from bench_common import harness, percentile

ADMIN_PASSWORD = "card-bench-root-pw-1"
P99_TARGET_MS = 5.0
UNKNOWN_PER_TERMINAL = 90  # below terminals.max_login_failures=100


def card_of(i):
    """users_fill's card number of user i (bench/users_fill.cpp)."""
    return str(1000000000 + (i * 7919) % 9000000000)


def proc_status(pid, key):
    """A /proc/<pid>/status figure in MB (VmRSS, VmHWM)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def folder_mb(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total / 1e6


class Terminal:
    """One terminal's keep-alive connection to quired's terminal API."""

    def __init__(self, address, name, token):
        host, port = address.rsplit(":", 1)
        self.name, self.token = name, token
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)

    def call(self, method, path, body=None, session=None):
        h = {"Authorization": "Bearer " + self.token}
        data = None
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = "application/json"
        if session:
            h["Quire-Session"] = session
        t = time.perf_counter()
        self.conn.request(method, "/api/v1/terminal" + path, body=data, headers=h)
        r = self.conn.getresponse()
        raw = r.read()
        ms = (time.perf_counter() - t) * 1000.0
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()  # http.client reconnects on the next request
        return r.status, raw, ms

    def login(self, card):
        """(status, body or raw bytes, ms) of one card login."""
        status, raw, ms = self.call("POST", "/sessions", {"card": card})
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        return status, body, ms

    def close_session(self, session):
        return self.call("DELETE", "/session", session=session)[0]

    def close(self):
        self.conn.close()


def register(address, name):
    status, body, _ = harness.api_call(address, "POST", "/api/v1/terminals", {"name": name, "printer": "demo"},
                                       harness.basic_auth("root", ADMIN_PASSWORD))
    if status != 201:
        raise RuntimeError("registering terminal %s: HTTP %d %s" % (name, status, body))
    return Terminal(address, name, body["token"])


def known_logins(term, n, users, seed, out, failures):
    """n logins of random users at `term`, each followed by a logout; appends
    each login's ms to `out`."""
    rng = random.Random(seed)
    for _ in range(n):
        i = rng.randrange(users)
        try:
            status, body, ms = term.login(card_of(i))
        except (OSError, http.client.HTTPException) as e:
            failures.append("%s: %s" % (term.name, e))
            term.conn.close()
            continue
        out.append(ms)
        if status != 201 or not isinstance(body, dict) or body.get("user") != "u%d" % i:
            failures.append("%s: card of u%d: HTTP %d %s" % (term.name, i, status, str(body)[:200]))
            continue
        closed = term.close_session(body["session"])
        if closed not in (200, 204):
            failures.append("%s: closing u%d's session: HTTP %d" % (term.name, i, closed))


def unknown_logins(terms, cards, out, statuses):
    """Each of `cards` tried at the next terminal of `terms` (at most
    UNKNOWN_PER_TERMINAL each); records ms and status."""
    for k, card in enumerate(cards):
        term = terms[k // UNKNOWN_PER_TERMINAL]
        status, _, ms = term.login(card)
        out.append(ms)
        statuses[status] = statuses.get(status, 0) + 1


def run_threads(targets):
    threads = [threading.Thread(target=f, args=a) for f, a in targets]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - t0


def line(label, values):
    v = sorted(values)
    if not v:
        return "  %-26s none" % label
    return ("  %-26s %6d  p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %7.2f ms"
            % (label, len(v), percentile(v, 50), percentile(v, 90), percentile(v, 99), v[-1]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quired", default=harness.QUIRED)
    ap.add_argument("--users-fill", default=None, help="default: QUIRE_BINARY_DIR/bench/users_fill")
    ap.add_argument("--users", type=int, default=1000000)
    ap.add_argument("--terminals", type=int, default=4)
    ap.add_argument("--logins", type=int, default=20000)
    ap.add_argument("--warmup", type=int, default=500, help="first logins, on one terminal, reported apart")
    ap.add_argument("--sequential", type=int, default=2000, help="logins on one terminal alone (reference)")
    ap.add_argument("--unknown", type=int, default=1000, help="tries with unknown cards (0: none)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tmp", default=None, help="where the temporary folder goes")
    ap.add_argument("--keep-temp", action="store_true")
    args = ap.parse_args()
    fill = args.users_fill or os.path.join(os.environ.get("QUIRE_BINARY_DIR", os.path.dirname(args.quired)),
                                           "bench", "users_fill")
    harness.QUIRED = args.quired
    tmp = tempfile.mkdtemp(prefix="quire-card-bench-", dir=args.tmp)
    data = os.path.join(tmp, "data")
    failures = []
    try:
        t0 = time.monotonic()
        out = subprocess.run([fill, data, str(args.users)], check=True, capture_output=True, text=True).stdout
        print(out.strip())
        print("data folder after users_fill: %.1f MB (%.1f s)" % (folder_mb(data), time.monotonic() - t0))
        server = harness.Quired(data_dir=data, sets=[
            "api.allow_plain_loopback=true", 'printers.demo.login=["card"]',
            "terminals.max_login_failures=100", "terminals.lockout_s=1"])
        server.add_admin("root", ADMIN_PASSWORD)
        t0 = time.monotonic()
        server.start(timeout=300)
        print("quired ready in %.2f s with %d users; VmRSS %.1f MB"
              % (time.monotonic() - t0, args.users, proc_status(server.pid, "VmRSS")), flush=True)
        try:
            terms = [register(server.address, "t%d" % k) for k in range(args.terminals)]
            n_unknown_terms = (args.unknown + UNKNOWN_PER_TERMINAL - 1) // UNKNOWN_PER_TERMINAL
            unknown_terms = [register(server.address, "x%d" % k) for k in range(n_unknown_terms)]

            warm = []
            run_threads([(known_logins, (terms[0], args.warmup, args.users, args.seed + 1000, warm, failures))])
            seq = []
            seq_s = run_threads([(known_logins, (terms[0], args.sequential, args.users, args.seed, seq, failures))])
            times = [[] for _ in terms]
            per = [args.logins // len(terms) + (1 if k < args.logins % len(terms) else 0) for k in range(len(terms))]
            wall = run_threads([(known_logins, (t, per[k], args.users, args.seed + 1 + k, times[k], failures))
                                for k, t in enumerate(terms)])
            conc = [ms for ts in times for ms in ts]
            unknown, statuses = [], {}
            cards = [card_of(args.users + k) for k in range(args.unknown)]
            unknown_logins(unknown_terms, cards, unknown, statuses)
            for t in terms + unknown_terms:
                t.close()
            accepted = statuses.get(201, 0)
            if accepted:
                failures.append("%d unknown cards were accepted" % accepted)
            refused_other = {s: c for s, c in statuses.items() if s not in (401, 201)}
            if refused_other:
                failures.append("unknown cards refused with another status than 401: %s" % refused_other)

            rss, hwm = proc_status(server.pid, "VmRSS"), proc_status(server.pid, "VmHWM")
            print("\nfigures (%d users with a card each; card logins POST /api/v1/terminal/sessions, each then "
                  "logged out; latency per login request, client side):" % args.users)
            print(line("warm-up, 1 terminal", warm))
            print(line("sequential, 1 terminal", seq) + "  (%.0f logins/s)" % (len(seq) / seq_s if seq_s else 0))
            print(line("concurrent, %d terminals" % len(terms), conc)
                  + "  (%.0f logins/s)" % (len(conc) / wall if wall else 0))
            for k, ts in enumerate(times):
                print(line("  terminal t%d" % k, ts))
            print(line("unknown card, sequential", unknown) + "  statuses %s" %
                  ", ".join("%d x %d" % (c, s) for s, c in sorted(statuses.items())))
            errors = [f for f in failures]
            print("  errors (not 201 with the right user, or lost): %d" % len(errors))
            if refused_other:
                print("  unknown cards refused with another status than 401: %s" % refused_other)
            worst = percentile(sorted(conc), 99) if conc else float("nan")
            print("  target p99 < %.0f ms (concurrent, %d terminals): %s (p99 %.2f ms)"
                  % (P99_TARGET_MS, len(terms), "PASS" if worst < P99_TARGET_MS else "MISS", worst))
            print("  quired VmRSS %.1f MB, VmHWM %.1f MB; data folder %.1f MB" % (rss, hwm, folder_mb(data)))
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
