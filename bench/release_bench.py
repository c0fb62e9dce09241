#!/usr/bin/env python3
"""Release at the printer: two benchmarks of quired's terminal release path.

1. Latency: N users (--latency-terminals, default 100) each hold one analysed
   job and are logged in by card at their own terminal (one per printer); then
   all N release requests are written at once on open keep-alive connections.
   Latency = request written -> first byte of its document at the device.
   --runs times (default 3), with fresh jobs each time.
2. Load: --users users (default 1,000) with --jobs-per-user held, analysed
   jobs each; the --printers terminals (default 100) run at once, each serving
   its users in turn (log in, release, log out).
Both are checked: nothing lost or printed twice, every job done, one charge
per job, charged sheets = documents the device received. A failed check
exits 1; a timing never does.

The device is one asyncio TCP server on a loopback port playing every
printer's raw port (socket://127.0.0.1:PORT). Each document is a one-page PDF
whose second line is `%quire-bench <user> <n>`: the sink reads a connection to
EOF and so knows the job. One process, one asyncio loop, hand-written
HTTP/1.1, one clock (time.perf_counter, CLOCK_MONOTONIC) for sends and receives.
"""
import argparse
import asyncio
import base64
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import time

from bench_common import harness

ROOT_PASSWORD = "bench-root-pw-1"
PRICE = 5  # price list "standard": 5 cents per mono impression; our PDFs are one mono page
P99_TARGET_MS = 50.0
now = time.perf_counter


def make_pdf(user, n):
    """A valid one-page PDF (correct xref) carrying the marker comment."""
    text = b"BT /F1 14 Tf 0 g 72 770 Td (quire-bench %s %d) Tj ET" % (user.encode(), n)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = b"%%PDF-1.4\n%%quire-bench %s %d\n" % (user.encode(), n)
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def pct(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def ms(seconds):
    return "%.1f" % (seconds * 1000)


class Sink(asyncio.Protocol):
    """One device connection: first-byte time, bytes to EOF, then recorded."""

    def __init__(self, device):
        self.device, self.first, self.buf = device, None, bytearray()

    def data_received(self, data):
        if self.first is None:
            self.first = now()
        self.buf += data

    def eof_received(self):
        self.device.record(self.first, now(), bytes(self.buf))
        return False  # close our side: quired waits for the printer's EOF


class Device:
    """Every printer's raw port: who got printed, when, how often."""

    def __init__(self):
        self.first, self.last, self.count, self.docs = {}, {}, {}, {}
        self.unknown = 0

    def record(self, first, last, doc):
        head = doc[:200].split(b"\n")
        if len(head) < 2 or not head[1].startswith(b"%quire-bench "):
            self.unknown += 1
            return
        n = int(head[1].split()[2])
        self.count[n] = self.count.get(n, 0) + 1
        if n not in self.first:
            self.first[n], self.last[n], self.docs[n] = first, last, doc

    async def wait(self, keys, timeout):
        deadline = now() + timeout
        while now() < deadline and not all(k in self.count for k in keys):
            await asyncio.sleep(0.02)
        return all(k in self.count for k in keys)


class Http:
    """One keep-alive HTTP/1.1 connection; requests written by hand."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, address):
        host, port = address.rsplit(":", 1)
        return cls(*await asyncio.open_connection(host, int(port)))

    @staticmethod
    def encode(method, path, headers=(), body=None):
        head = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1"] + ["%s: %s" % h for h in headers]
        if body is not None:
            head.append("Content-Length: %d" % len(body))
        return ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")

    async def recv(self):
        """(status, body) of the next response."""
        line = await self.reader.readline()
        if not line:
            raise ConnectionError("quired closed the connection")
        status, length = int(line.split()[1]), 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            k, _, v = line.decode().partition(":")
            if k.lower() == "content-length":  # quired never answers chunked
                length = int(v)
        return status, await self.reader.readexactly(length)

    async def call(self, method, path, headers=(), body=None):
        self.writer.write(self.encode(method, path, headers, body))
        return await self.recv()

    async def json(self, method, path, obj=None, headers=()):
        body = None if obj is None else json.dumps(obj).encode()
        if body is not None:
            headers = list(headers) + [("Content-Type", "application/json")]
        status, raw = await self.call(method, path, headers, body)
        return status, (json.loads(raw) if raw else None)

    def close(self):
        self.writer.close()


class Bench:
    def __init__(self, args, server, device):
        self.args, self.server, self.device = args, server, device
        self.auth = [("Authorization", "Basic " + base64.b64encode(b"root:" + ROOT_PASSWORD.encode()).decode())]
        # terminal -> token; n -> document; job id -> (user, n); job id -> printer it was released to
        self.tokens, self.sent, self.owner, self.printer = {}, {}, {}, {}
        self.seq, self.failures = 0, []

    def fail(self, what):
        self.failures.append(what)
        print("  CORRECTNESS FAILURE: " + what, flush=True)

    async def over(self, items, fn, conns=8):
        """fn(conn, item) for every item over `conns` keep-alive connections."""
        todo, out = list(enumerate(items)), [None] * len(items)

        async def worker():
            c = await Http.open(self.server.address)
            while todo:
                i, item = todo.pop()
                out[i] = await fn(c, item)
            c.close()
        await asyncio.gather(*(worker() for _ in range(min(conns, len(items)))))
        return out

    async def admin(self, c, method, path, obj=None):
        return await c.json(method, "/api/v1" + path, obj, self.auth)

    async def setup(self, users, printers):
        async def add_user(c, u):
            s1, b1 = await self.admin(c, "POST", "/users", {"name": u})
            s2, b2 = await self.admin(c, "POST", "/users/%s/cards" % u, {"card_id": "CARD-" + u})
            if s1 != 201 or s2 != 204:
                self.fail("creating %s: %s %s / %s %s" % (u, s1, b1, s2, b2))
        t0 = now()
        await self.over(users, add_user)
        print("setup: %d users with a card in %.1f s (%d requests on 8 connections)"
              % (len(users), now() - t0, 2 * len(users)), flush=True)

        async def add_terminal(c, i):
            s, b = await self.admin(c, "POST", "/terminals", {"name": "t%03d" % i, "printer": "p%03d" % i})
            if s != 201:
                raise SystemExit("registering terminal t%03d: %s %s" % (i, s, b))
            self.tokens[i] = b["token"]
        await self.over(range(printers), add_terminal)

    async def print_jobs(self, users, per_user=1):
        """Prints per_user held jobs for each user; returns {user: [job ids]}."""
        uri = self.server.uri("secure")
        work = [u for u in users for _ in range(per_user)]

        async def one(c, user):
            self.seq += 1
            n = self.seq
            doc = make_pdf(user, n)
            body = harness.request("Print-Job", uri, user, extra_op=harness.attr("name", "job-name", "bench %d" % n)
                                   + harness.attr("mime", "document-format", "application/pdf")) + doc
            status, raw = await c.call("POST", "/ipp/print/secure", [("Content-Type", "application/ipp")], body)
            ipp_status, attrs = harness.parse_response(raw) if status == 200 else ("HTTP %d" % status, {})
            if ipp_status != "successful-ok":
                raise SystemExit("Print-Job for %s: %s" % (user, ipp_status))
            job = attrs["job-id"][0]
            self.sent[n], self.owner[job] = doc, (user, n)
            return user, job
        t0 = now()
        jobs = {}
        for user, job in await self.over(work, one):
            jobs.setdefault(user, []).append(job)
        ids = [j for js in jobs.values() for j in js]
        t1 = now()
        settled = lambda j: j["price"]["status"] != "unknown" or j["analysis"]["status"] in ("failed", "unsupported")
        _, listing = await self.wait_jobs(ids, settled, 120)  # priced, or the analysis gave up
        print("  printed %d held jobs in %.1f s; analysed %.1f s later" % (len(ids), t1 - t0, now() - t1), flush=True)
        seen = {j: (x["analysis"]["pages"], x["analysis"]["colour_pages"], x["price"]["status"], x["state"])
                for j, x in listing.items()}
        wrong = [j for j in ids if seen.get(j) != (1, 0, "estimate", "held")]
        if wrong:
            self.fail("%d jobs not analysed as held one-page mono jobs with a price estimate, e.g. %s"
                      % (len(wrong), json.dumps(listing.get(wrong[0]))[:400]))
        return jobs

    async def list_jobs(self, c):
        """Every job of the queue secure, by id (pages of 1,000)."""
        out, after = {}, None
        while True:
            path = "/jobs?queue=secure&which=all&limit=1000" + ("&after=%d" % after if after else "")
            s, b = await self.admin(c, "GET", path)
            if s != 200:
                raise SystemExit("GET %s: %s %s" % (path, s, b))
            out.update((j["id"], j) for j in b["jobs"])
            if b["next"] is None:
                return out
            after = b["next"]

    async def wait_jobs(self, ids, pred, timeout):
        """Polls the job listing until pred(job) holds for every id; (whether it did, the listing)."""
        c, deadline = await Http.open(self.server.address), now() + timeout
        while True:
            jobs = await self.list_jobs(c)
            ok = all(i in jobs and pred(jobs[i]) for i in ids)
            if ok or now() > deadline:
                c.close()
                return ok, jobs
            await asyncio.sleep(0.2)

    async def syncs(self):
        """quired's WAL syncs (commit groups) and batches so far, from /metrics."""
        c = await Http.open(self.server.address)
        _, raw = await c.call("GET", "/metrics", self.auth)  # administrators only
        c.close()
        v = dict(l.split() for l in raw.decode().splitlines() if l.startswith("quire_storage_commit"))
        return int(v["quire_storage_commit_groups_total"]), int(v["quire_storage_commits_total"])

    def terminal_headers(self, t, session=None):
        h = [("Authorization", "Bearer " + self.tokens[t])]
        return h + [("Quire-Session", session)] if session else h

    async def login(self, c, t, user):
        s, b = await c.json("POST", "/api/v1/terminal/sessions", {"card": "CARD-" + user}, self.terminal_headers(t))
        if s != 201:
            self.fail("login of %s at t%03d: %s %s" % (user, t, s, b))
            return None
        return b["session"]

    def release(self, t, session, ids):
        """The terminal release request, encoded."""
        self.printer.update((j, "p%03d" % t) for j in ids)
        return Http.encode("POST", "/api/v1/terminal/session/release", self.terminal_headers(t, session)
                           + [("Content-Type", "application/json")], json.dumps({"jobs": ids}).encode())

    def check_report(self, user, status, raw, ids):
        report = json.loads(raw) if raw else {}
        results = [(r["job"], r["ok"], r.get("message")) for r in report.get("results", [])]
        if status != 200 or sorted(j for j, ok, _ in results if ok) != sorted(ids):
            self.fail("release for %s: HTTP %s %s" % (user, status, results or raw[:200]))

    async def latency_run(self, run, n_users):
        users = ["u%04d" % (i + 1) for i in range(n_users)]
        print("latency run %d (load average %.2f)" % (run, os.getloadavg()[0]), flush=True)
        jobs = await self.print_jobs(users)
        conns = [await Http.open(self.server.address) for _ in users]
        sessions = await asyncio.gather(*(self.login(c, t, u) for t, (c, u) in enumerate(zip(conns, users))))
        reqs = [self.release(t, s, jobs[u]) for t, (u, s) in enumerate(zip(users, sessions))]
        await asyncio.sleep(0.5)  # let the logins' writes settle
        groups0, batches0 = await self.syncs()
        sent, cpu0 = [], time.process_time()
        for c, r in zip(conns, reqs):  # all at once: one write each, no await in between
            sent.append(now())
            c.writer.write(r)
        answers = await asyncio.gather(*(c.recv() for c in conns))
        answered = now()
        for u, (s, raw) in zip(users, answers):
            self.check_report(u, s, raw, jobs[u])
        keys = [self.owner[jobs[u][0]][1] for u in users]
        if not await self.device.wait(keys, 30):  # until every document has reached EOF
            self.fail("run %d: %d of %d jobs never reached the device"
                      % (run, sum(k not in self.device.count for k in keys), len(keys)))
        cpu = time.process_time() - cpu0
        lat = [self.device.first[k] - t for k, t in zip(keys, sent) if k in self.device.first]
        groups, batches = await self.syncs()
        print("  %d releases sent within %s ms; all answered %s ms after the first send; generator CPU until "
              "the last document %s ms; quired meanwhile: %d batches in %d synced writes"
              % (len(sent), ms(sent[-1] - sent[0]), ms(answered - sent[0]), ms(cpu), batches - batches0,
                 groups - groups0))
        if lat:
            print("  RESULT run %d: release -> first byte at the device, %d jobs: p50 %s ms, p90 %s ms, "
                  "p99 %s ms, max %s ms" % (run, len(lat), ms(pct(lat, 50)), ms(pct(lat, 90)),
                                             ms(pct(lat, 99)), ms(max(lat))), flush=True)
        for t, (c, s) in enumerate(zip(conns, sessions)):
            if s:
                await c.call("DELETE", "/api/v1/terminal/session", self.terminal_headers(t, s))
            c.close()
        ids = [j for js in jobs.values() for j in js]
        await self.wait_jobs(ids, lambda j: j["state"] in ("done", "failed", "canceled"), 60)
        return (pct(lat, 99) if lat else None), ids

    async def load_run(self, users, per_user, printers):
        print("load: %d users x %d job(s) at %d printers (load average %.2f)"
              % (len(users), per_user, printers, os.getloadavg()[0]), flush=True)
        jobs = await self.print_jobs(users, per_user)
        answered = []

        async def terminal(t):
            c = await Http.open(self.server.address)
            for u in users[t::printers]:
                s = await self.login(c, t, u)
                if not s:
                    continue
                c.writer.write(self.release(t, s, jobs[u]))
                st, raw = await c.recv()
                self.check_report(u, st, raw, jobs[u])
                st, _ = await c.call("DELETE", "/api/v1/terminal/session", self.terminal_headers(t, s))
                if st != 204:
                    self.fail("logout of %s at t%03d: HTTP %s" % (u, t, st))
            answered.append(now())
            c.close()
        t0 = now()
        await asyncio.gather(*(terminal(t) for t in range(printers)))
        ids = [j for js in jobs.values() for j in js]
        keys = [self.owner[j][1] for j in ids]
        await self.device.wait(keys, 300)
        got = [k for k in keys if k in self.device.last]
        end = max(self.device.last[k] for k in got) if got else now()
        print("  RESULT load: %d jobs released by %d users at %d terminals; sessions done in %.2f s, "
              "last document at the device after %.2f s: %.0f releases/s"
              % (len(ids), len(users), printers, max(answered) - t0, end - t0, len(got) / (end - t0)), flush=True)
        return ids

    async def verify(self, label, ids):
        """Sink, job states and ledgers agree for these jobs."""
        keys = {self.owner[j][1]: j for j in ids}
        lost = [k for k in keys if k not in self.device.count]
        dup = [k for k in keys if self.device.count.get(k, 0) > 1]
        bad = [k for k in keys if k in self.device.docs and self.device.docs[k] != self.sent[k]]
        received = sum(self.device.count.get(k, 0) for k in keys)
        _, listing = await self.wait_jobs(ids, lambda j: j["state"] in ("done", "failed", "canceled"), 120)
        not_done = [j for j in ids if listing.get(j, {}).get("state") != "done"]
        users = sorted({self.owner[j][0] for j in ids})

        async def ledger(c, u):
            s, b = await self.admin(c, "GET", "/users/%s/ledger?limit=1000" % u)
            return b["entries"] if s == 200 else self.fail("ledger of %s: %s %s" % (u, s, b)) or []
        charges = {}
        for e in (e for entries in await self.over(users, ledger) for e in entries if e["kind"] == "charge"):
            charges.setdefault(e["job"], []).append(e)
        uncharged = [j for j in ids if j not in charges]
        twice = [j for j in ids if len(charges.get(j, ())) > 1]
        wrong = [j for j in ids for e in charges.get(j, ())
                 if (e["amount"], e["owner"], e["printer"]) != (-PRICE, self.owner[j][0], self.printer[j])]
        sheets = sum(e["sheets"] for j in ids for e in charges.get(j, ()))
        print("  CHECK %s: %d jobs; device received %d documents; lost %d, duplicated %d, bytes differ %d, "
              "other connections %d; not done %d; charged %d, uncharged %d, charged twice %d, wrong charge %d; "
              "charged sheets %d vs documents received %d"
              % (label, len(ids), received, len(lost), len(dup), len(bad), self.device.unknown, len(not_done),
                 len(ids) - len(uncharged), len(uncharged), len(twice), len(wrong), sheets, received), flush=True)
        for what, xs in (("lost", lost), ("duplicated", dup), ("bytes differ", bad), ("not done", not_done),
                         ("uncharged", uncharged), ("charged twice", twice), ("wrong charge", wrong)):
            if xs:
                self.fail("%s: %d %s, e.g. %s" % (label, len(xs), what, sorted(xs)[:5]))
        if sheets != received:
            self.fail("%s: charged sheets %d != documents received %d" % (label, sheets, received))


async def run(args, server, device, sink_sock):
    await asyncio.get_running_loop().create_server(lambda: Sink(device), sock=sink_sock, backlog=1024)
    b = Bench(args, server, device)
    await b.setup(["u%04d" % (i + 1) for i in range(max(args.users, args.latency_terminals))], args.printers)
    if not args.skip_latency:
        p99s, ids = [], []
        for r in range(1, args.runs + 1):
            p99, run_ids = await b.latency_run(r, args.latency_terminals)
            ids += run_ids
            if p99 is not None:
                p99s.append(p99)
        await b.verify("latency runs", ids)
        if p99s:
            med = statistics.median(p99s)
            print("RESULT latency: median p99 over %d runs %s ms (target < %.0f ms: %s)"
                  % (len(p99s), ms(med), P99_TARGET_MS, "met" if med * 1000 < P99_TARGET_MS else "MISSED"))
    if not args.skip_load:
        users = ["u%04d" % (i + 1) for i in range(args.users)]
        ids = await b.load_run(users, args.jobs_per_user, args.printers)
        await b.verify("load", ids)
    return b.failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quired", default=harness.QUIRED)
    ap.add_argument("--latency-terminals", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--users", type=int, default=1000)
    ap.add_argument("--jobs-per-user", type=int, default=1)
    ap.add_argument("--printers", type=int, default=100)
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--skip-load", action="store_true")
    ap.add_argument("--keep-temp", action="store_true", help="keep quired's data folder and log")
    args = ap.parse_args()
    if args.latency_terminals > args.printers:
        ap.error("--latency-terminals must not exceed --printers (one session per terminal)")
    harness.QUIRED = os.path.abspath(args.quired)
    sink_sock = socket.create_server(("127.0.0.1", 0), backlog=1024)
    port = sink_sock.getsockname()[1]
    names = ["p%03d" % i for i in range(args.printers)]
    sets = ["api.allow_plain_loopback=true", "accounting.prepaid=true", "accounting.initial_credit=100000",
            "delivery.retries=0",
            "terminals.session_idle_s=600", "limits.idle_timeout_ms=600000",
            "queues.secure.printers=%s" % json.dumps(names)]
    for p in names:
        sets += ["printers.%s.device_uri=socket://127.0.0.1:%d" % (p, port), "printers.%s.price_list=standard" % p]
    print("release_bench: %d cores (nproc), quired %s (modified %s), load average %.2f %.2f %.2f"
          % ((os.cpu_count() or 0, harness.QUIRED, time.strftime("%Y-%m-%d %H:%M", time.localtime(
              os.path.getmtime(harness.QUIRED)))) + os.getloadavg()))
    print("device sink 127.0.0.1:%d for %d printers p000..p%03d (socket://), queue secure (pull)"
          % (port, args.printers, args.printers - 1), flush=True)
    server, failures = harness.Quired(sets=sets), ["did not finish"]
    try:
        add = subprocess.run(server.command()[:3] + ["--add-admin", "root"], input=ROOT_PASSWORD + "\n",
                             capture_output=True, text=True, timeout=60)
        if add.returncode != 0:
            raise SystemExit("quired --add-admin failed: " + add.stderr)
        server.start()
        print("quired pid %d, %s; log %s" % (server.pid, server.address, server.stderr_path), flush=True)
        failures = asyncio.run(run(args, server, Device(), sink_sock))
    finally:
        server.stop()
        log = [l for l in server.stderr().splitlines() if l.split(" ", 3)[2:3] in (["warn"], ["error"])]
        print("quired logged %d warning/error lines%s" % (len(log), ":" if log else ""))
        for line in log[:10]:
            print("  " + line[:300])
        server.keep_data = args.keep_temp or bool(failures)
        if server.keep_data:
            print("kept", os.path.dirname(server.data_dir))
        server.__exit__(None, None, None)
    print("correctness: %s" % ("OK" if not failures else "%d FAILURE(S)" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
