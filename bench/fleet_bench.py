#!/usr/bin/env python3
"""Run-time fleet changes: how long adding a printer and its queue takes as the fleet grows.

A university adds printers over the API one by one (or a script adds a
building's worth). Each change is committed, spawns the actors and sends a
new snapshot of the whole fleet to every actor that routes by it, so its
cost grows with the fleet. quired starts on its embedded defaults; an
administrator (session cookie) adds --printers file-sink printers, each with
a direct queue (POST /api/v1/printers, then POST /api/v1/queues), over one
keep-alive connection, and the time of each request is recorded from its
first byte to its answer's last. Figures are printed per block of
--block changes (p50/p99/max), with quired's RSS before and after; at the
end one IPP Print-Job goes to the last queue made and must print (exit 1
otherwise, never because of a timing).
"""
import argparse
import http.client
import json
import os
import sys
import time

from bench_common import harness, percentile

ADMIN_PASSWORD = "fleet-bench-root-pw-1"


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--printers", type=int, default=1000)
    ap.add_argument("--block", type=int, default=250)
    args = ap.parse_args()

    server = harness.Quired(sets=["api.allow_plain_loopback=true", "monitoring.enabled=false"])
    server.add_admin("root", ADMIN_PASSWORD)
    server.start()
    failed = False
    try:
        host, port = server.address.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        conn.request("POST", "/api/v1/login", body=json.dumps({"user": "root", "password": ADMIN_PASSWORD}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        login = json.loads(r.read())
        cookie = r.getheader("Set-Cookie").split(";")[0]
        csrf = login["csrf_token"]
        headers = {"Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": csrf}

        def post(path, body):
            t0 = time.perf_counter()
            conn.request("POST", path, body=json.dumps(body), headers=headers)
            r = conn.getresponse()
            data = r.read()
            dt = (time.perf_counter() - t0) * 1000.0
            if r.status != 201:
                raise RuntimeError("%s: HTTP %d %s" % (path, r.status, data[:200]))
            return dt

        print("quired VmRSS %.1f MB with the embedded defaults" % rss_mb(server.pid))
        printer_ms, queue_ms = [], []
        for i in range(args.printers):
            name = "p%05d" % i
            printer_ms.append(post("/api/v1/printers", {"name": name,
                                                        "device_uri": "file://%s/sink/%s" % (server.data_dir, name)}))
            queue_ms.append(post("/api/v1/queues", {"name": "q" + name[1:], "type": "direct", "printers": [name]}))
            if (i + 1) % args.block == 0 or i + 1 == args.printers:
                lo = (i // args.block) * args.block
                for kind, ms in (("printer", printer_ms[lo:]), ("queue", queue_ms[lo:])):
                    s = sorted(ms)
                    print("fleet %5d-%5d: add %-7s p50 %6.2f ms, p99 %6.2f ms, max %6.2f ms" %
                          (lo + 1, i + 1, kind, percentile(s, 50), percentile(s, 99), s[-1]))
        print("quired VmRSS %.1f MB with %d more printers and queues" % (rss_mb(server.pid), args.printers))
        last = "p%05d" % (args.printers - 1)
        c = harness.Client(server.address)
        with open(harness.SAMPLE_PDF, "rb") as f:
            status, attrs = c.print_job(server.uri("q" + last[1:]), f.read(), user="root", name="last")
        c.close()
        printed = status == "successful-ok" and harness.wait_for(
            lambda: os.path.isdir(server.sink(last)) and os.listdir(server.sink(last)), 30)
        print("a job to the last queue made: %s" % ("printed" if printed else "NOT printed (%s)" % status))
        failed = not printed
    finally:
        server.__exit__(None, None, None)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
