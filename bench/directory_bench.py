#!/usr/bin/env python3
"""Directory sync: a full sync of a large LDAP population, and an incremental one, as quired does them.

The targets (the directory issue): a full sync of 100,000 users from slapd
under 60 s; an incremental sync with 100 changes under 2 s.

A private slapd (tests/integration/slapd.py) is built with --users students
(ldaps:// with a throw-away CA; its build time is printed). As a reference,
one `ldapsearch -E pr=500/noprompt` (the page size quired uses) of every
user, with the attributes quired asks for, is timed with the service
account over ldaps://: slapd's own time to serve the population. Then
quired starts in a fresh data folder with [directory] pointing at it
(ldaps://, the CA file, directory.card_attribute=employeeNumber, automatic
syncs an hour apart) and makes its first sync, a full one, one second after
it starts; GET /api/v1/directory is polled every 50 ms until its report
shows. Figures:

  full sync     wall time from quired's exec to the report seen; the
                report's own duration (finished_ms - started_ms: reading
                the directory and planning, not the batch write); the time
                until the user entries were read (the `entries_read`
                progress reaching them, +-50 ms); the write of the plan
                (the log line "directory: ... in N ms" is logged once it is
                applied: its time stamp minus finished_ms); users created;
                quired's VmRSS and VmHWM after.
  incremental   an incremental sync reads entries whose modifyTimestamp is
                >= the newest change the last sync saw, at one-second
                granularity. So: 1.1 s after the full sync, one change and
                one incremental sync (it moves that mark past the
                population's last second; its figures are printed too),
                1.1 s later --changes changes (`mail` of --changes users, in
                one ldapmodify run, timed), then POST /api/v1/directory/sync
                {"full": false}: POST -> report seen (polled every 20 ms),
                the report's own duration, users_read, updated.
  full again    POST {"full": true} with nothing changed: every user
                unchanged; POST -> report seen and the report's duration.

quired's "directory:" log lines are printed at the end. Exits 1 when a sync
fails or its counts are wrong (created != users, updated != changes),
never because of a timing.
"""
import argparse
import http.client
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime

from bench_common import SOURCE_DIR, harness

_spec = importlib.util.spec_from_file_location("slapd", os.path.join(SOURCE_DIR, "tests", "integration", "slapd.py"))
slapd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slapd)

ADMIN_PASSWORD = "dir-bench-root-pw-1"
FULL_TARGET_S = 60.0
INCREMENTAL_TARGET_S = 2.0
# What quired reads of each user (directory_sync.cpp: login, name, e-mail,
# card, change time; openldap schema defaults).
USER_ATTRS = ["uid", "displayName", "mail", "employeeNumber", "modifyTimestamp"]


def proc_status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


class Api:
    """GET /api/v1/directory and POST /api/v1/directory/sync on one
    keep-alive connection (HTTP Basic: quired caches the verified password)."""

    def __init__(self, address):
        self.host, self.port = address.rsplit(":", 1)
        self.auth = harness.basic_auth("root", ADMIN_PASSWORD)
        self.conn = None

    def call(self, method, path, body=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, int(self.port), timeout=60)
            h = dict(self.auth)
            data = None
            if body is not None:
                data, h["Content-Type"] = json.dumps(body), "application/json"
            try:
                self.conn.request(method, path, body=data, headers=h)
                r = self.conn.getresponse()
                raw = r.read()
                return r.status, (json.loads(raw) if raw else None)
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        return None

    def status(self):
        status, body = self.call("GET", "/api/v1/directory")
        if status != 200:
            raise RuntimeError("GET /api/v1/directory: HTTP %d %s" % (status, body))
        return body

    def wait_report(self, after_ms, interval, timeout, users=None):
        """(report, monotonic time it was seen, monotonic time entries_read
        first reached `users` rounded down to 1000, or None) of the first
        sync that started at or after after_ms."""
        deadline = time.monotonic() + timeout
        users_read_at = None
        mark = (users // 1000) * 1000 if users else None
        while time.monotonic() < deadline:
            body = self.status()
            now = time.monotonic()
            if mark and users_read_at is None and body.get("running") and body.get("entries_read", 0) >= mark:
                users_read_at = now
            last = body.get("last")
            if not body["running"] and last and last["started_ms"] >= after_ms:
                return last, now, users_read_at
            time.sleep(interval)
        raise RuntimeError("no directory sync ended within %d s: %s" % (timeout, self.status()))

    def sync(self, full, interval=0.02, timeout=600):
        """POSTs a sync; (report, seconds from the POST to the report seen)."""
        after_ms = int(time.time() * 1000) - 1
        t0 = time.monotonic()
        status, body = self.call("POST", "/api/v1/directory/sync", {"full": full})
        if status != 202:
            raise RuntimeError("POST /api/v1/directory/sync: HTTP %d %s" % (status, body))
        report, seen, _ = self.wait_report(after_ms, interval, timeout)
        return report, seen - t0


def log_times(stderr_text):
    """[(wall seconds, text)] of quired's "directory:" log lines (spdlog
    local time with milliseconds)."""
    out = []
    for line in stderr_text.splitlines():
        if "directory:" not in line:
            continue
        try:
            stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").timestamp()
        except ValueError:
            stamp = None
        out.append((stamp, line))
    return out


def reference_search(d):
    """slapd's own time to serve every user, paged like quired, over ldaps://."""
    t0 = time.monotonic()
    p = d.ldapsearch("-b", d.people_dn, "-E", "pr=500/noprompt", "(objectClass=inetOrgPerson)", *USER_ATTRS,
                     url=d.ldaps_url, timeout=600)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        raise RuntimeError("reference ldapsearch failed (%d): %s" % (p.returncode, p.stderr[-2000:]))
    return dt, p.stdout.count("\ndn: ") + (1 if p.stdout.startswith("dn: ") else 0), len(p.stdout)


def report_s(r):
    return (r["finished_ms"] - r["started_ms"]) / 1000.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quired", default=harness.QUIRED)
    ap.add_argument("--users", type=int, default=100000)
    ap.add_argument("--changes", type=int, default=100)
    ap.add_argument("--no-second-full", action="store_true", help="skip the full sync with nothing changed")
    ap.add_argument("--keep", action="store_true", help="keep slapd's folder, quired's data and its log")
    args = ap.parse_args()
    if not 1 <= args.changes <= args.users - 1:
        ap.error("--changes must be between 1 and --users - 1")
    harness.QUIRED = args.quired
    failures = []
    tmp = tempfile.mkdtemp(prefix="quire-dir-bench-")
    d = slapd.Slapd(users=args.users, tls=True, keep=args.keep)
    server = None
    rows = []
    try:
        t0 = time.monotonic()
        d.start(timeout=120)
        print("slapd: %d users built in %.1f s (%s)" % (args.users, time.monotonic() - t0, ", ".join(
            "%s %.1f s" % kv for kv in d.timings.items())), flush=True)
        ref_s, ref_n, ref_bytes = reference_search(d)
        print("reference: ldapsearch -E pr=500/noprompt of %d users (%s) over ldaps:// in %.2f s, %.1f MB of LDIF"
              % (ref_n, " ".join(USER_ATTRS), ref_s, ref_bytes / 1e6), flush=True)

        password_file = os.path.join(tmp, "bind-password")
        fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(d.service_password + "\n")
        server = harness.Quired(data_dir=os.path.join(tmp, "data"), keep_data=args.keep, sets=[
            "api.allow_plain_loopback=true",
            "directory.enabled=true",
            "directory.url=" + d.ldaps_url,
            "directory.ca_file=" + d.ca_file,
            "directory.bind_dn=" + d.service_dn,
            "directory.bind_password_file=" + password_file,
            "directory.base_dn=" + d.people_dn,
            "directory.group_base_dn=" + d.groups_dn,
            "directory.card_attribute=employeeNumber",
            "directory.interval_s=3600",
            "directory.timeout_ms=30000",
        ])
        server.add_admin("root", ADMIN_PASSWORD)
        exec_wall, exec_mono = time.time(), time.monotonic()
        server.start(timeout=60)
        ready_s = time.monotonic() - exec_mono
        api = Api(server.address)
        full, seen, users_at = api.wait_report(0, 0.05, 900, users=args.users)
        if full["error"] or not full["full"]:
            failures.append("first sync: %s" % full)
        if full["created"] != args.users:
            failures.append("first sync created %d users, not %d" % (full["created"], args.users))
        rss, hwm = proc_status(server.pid, "VmRSS"), proc_status(server.pid, "VmHWM")
        applied = [t for t, text in log_times(server.stderr()) if "full sync:" in text]
        apply_s = applied[0] - full["finished_ms"] / 1000.0 if applied and applied[0] else float("nan")
        start_s = full["started_ms"] / 1000.0 - exec_wall
        read_s = (users_at - exec_mono) - start_s if users_at else float("nan")
        wall_s = seen - exec_mono
        print("\nfull sync (the first, %d users):" % args.users)
        print("  quired ready %.2f s after exec; the sync started %.2f s after exec" % (ready_s, start_s))
        print("  users read after %.2f s (entries_read progress); read and planned (report) in %.2f s; "
              "written %.2f s after that (log line)" % (read_s, report_s(full), apply_s))
        print("  report seen %.2f s after exec, %.2f s after the sync started" % (wall_s, wall_s - start_s))
        print("  users_read %d, groups_read %d, created %d, cards_added %d, problems %d"
              % (full["users_read"], full["groups_read"], full["created"], full["cards_added"],
                 full["problem_count"]))
        print("  quired VmRSS %.1f MB, VmHWM %.1f MB after it" % (rss, hwm), flush=True)
        rows.append(("full (first)", wall_s - start_s, report_s(full), full))

        # Move the watermark past the population's last second (see the docstring).
        time.sleep(1.1)
        d.set_attr(d.user_dn(args.users), "mail", ["moved-%s@uni.test" % d.uid_of(args.users)])
        prime, prime_s = api.sync(False)
        if prime["error"]:
            failures.append("priming incremental sync: %s" % prime["error"])
        print("\npriming incremental sync (1 change): %.3f s POST -> report, report %.3f s, users_read %d, "
              "groups_read %d, updated %d" % (prime_s, report_s(prime), prime["users_read"], prime["groups_read"],
                                              prime["updated"]))
        time.sleep(1.1)
        step = max(1, (args.users - 1) // args.changes)
        changed = [1 + k * step for k in range(args.changes)]
        ldif = "".join("dn: %s\nchangetype: modify\nreplace: mail\nmail: new-%s@uni.test\n-\n\n"
                       % (d.user_dn(i), d.uid_of(i)) for i in changed)
        t0 = time.monotonic()
        d.modify_ldif(ldif)
        modify_s = time.monotonic() - t0
        inc, inc_s = api.sync(False)
        if inc["error"] or inc["full"]:
            failures.append("incremental sync: %s" % inc)
        if inc["updated"] != args.changes:
            failures.append("incremental sync updated %d users, not %d" % (inc["updated"], args.changes))
        print("incremental sync (%d changes of mail, one ldapmodify in %.2f s): %.3f s POST -> report, report "
              "%.3f s, users_read %d, groups_read %d, updated %d"
              % (args.changes, modify_s, inc_s, report_s(inc), inc["users_read"], inc["groups_read"],
                 inc["updated"]), flush=True)
        rows.append(("incremental", inc_s, report_s(inc), inc))

        if not args.no_second_full:
            again, again_s = api.sync(True, interval=0.05)
            if again["error"] or not again["full"]:
                failures.append("second full sync: %s" % again)
            if again["created"] or again["updated"]:
                failures.append("second full sync wrote users: %s" % again)
            print("full sync again (nothing changed): %.2f s POST -> report, report %.2f s, unchanged %d"
                  % (again_s, report_s(again), again["unchanged"]))
            rows.append(("full (unchanged)", again_s, report_s(again), again))
        rss2, hwm2 = proc_status(server.pid, "VmRSS"), proc_status(server.pid, "VmHWM")

        print("\nfigures (%d users in slapd over ldaps://; quired %s):" % (args.users, args.quired))
        print("  %-18s %12s %10s %10s %9s %9s %9s" % ("sync", "to report s", "report s", "users_read", "created",
                                                      "updated", "unchanged"))
        for name, s, own, r in rows:
            print("  %-18s %12.3f %10.3f %10d %9d %9d %9d" % (name, s, own, r["users_read"], r["created"],
                                                              r["updated"], r["unchanged"]))
        print("  (first full: from the sync's start, 1 s after quired's exec; %.2f s from the exec)" % wall_s)
        print("  slapd alone (ldapsearch, paged 500): %.2f s for %d users" % (ref_s, ref_n))
        print("  quired VmRSS %.1f MB (VmHWM %.1f MB) after the first sync, %.1f MB (VmHWM %.1f MB) at the end"
              % (rss, hwm, rss2, hwm2))
        full_s = rows[0][1]
        print("  target full sync of %d users < %.0f s (sync start -> report seen): %s (%.2f s)"
              % (args.users, FULL_TARGET_S, "PASS" if full_s < FULL_TARGET_S else "MISS", full_s))
        print("  target incremental sync with %d changes < %.0f s (POST -> report seen): %s (%.3f s)"
              % (args.changes, INCREMENTAL_TARGET_S, "PASS" if inc_s < INCREMENTAL_TARGET_S else "MISS", inc_s))
        print("\nquired's directory log lines:")
        for _, text in log_times(server.stderr()):
            print("  " + text)
    except RuntimeError as e:
        failures.append(str(e))
    finally:
        if server is not None and server.proc:
            server.stop()
        d.stop()
        if args.keep:
            print("kept %s (quired: data, quired.stderr) and %s (slapd)" % (tmp, d.dir))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for f in failures[:10]:
        print("check failed:", f)
    print("checks:", "OK" if not failures else "%d FAILED" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
