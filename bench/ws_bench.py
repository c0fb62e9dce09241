#!/usr/bin/env python3
"""The live event stream at scale: N WebSocket clients on one quired, each event delivered to all of them.

The target (the event-stream issue): 10,000 WebSocket clients, held by a
separate load process, connected to one quired; an event reaches all of them
with p99 under 100 ms as measured by the clients, the server's own fan-out
time reported beside it; under 300 MB of RSS for the connections.

quired starts in a temporary data folder with api.allow_plain_loopback=true,
limits.max_connections=12000, processors.enabled=false (no job analysis: the
CPU is intake and fan-out only) and an administrator added with --add-admin.
RLIMIT_NOFILE is raised to the hard limit in this process (so quired inherits
it; its /proc/<pid>/limits is checked) and in ws_load. ws_load
(bench/ws_load.cpp) opens --clients connections to /api/v1/events as the
administrator, subscribes each to --topic ("*"), and prints `connected`.
quired's VmRSS is read before ws_load starts and 2 s after `connected`; the
difference is the connections' memory. Then --events steps make events over
IPP on one keep-alive connection as user `bench`, one step every --interval
s, by --source: `cancel` (the default) cancels one of --events jobs held on
the demo `secure` queue, printed before ws_load started (so the clients never
see their events): one event (job.canceled) per step; `print` prints a job to
`secure`: two events per step within a millisecond (job.received, job.held).
ws_load prints one line per event with the latency at
every client (client receive wall time - the event's time_ms, quired's wall
clock when its bus stamped it) and the spread between the first and the last
client's arrival (the fan-out time as the clients see it), and the same from
the kernel's receive timestamps of the bytes (SO_TIMESTAMPNS: on loopback,
when quired's write went through; quired's own side of the latency and its
fan-out time, without ws_load's delay in reading 10,000 sockets). /metrics is
scraped for anything about WebSockets; quired's log is checked for warnings.

Exits 1 when a behaviour check fails (clients failing to connect or closed by
the server, an event missing at some client, a step refused, quired or
ws_load dying), never because of a timing or memory figure.
"""
import argparse
import base64
import http.client
import os
import queue
import re
import resource
import statistics
import subprocess
import sys
import threading
import time

from bench_common import harness

ROOT_PASSWORD = "ws-bench-root-pw-1"
P99_TARGET_MS = 100.0
RSS_TARGET_MB = 300.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
EVENT_LINE = re.compile(r"^event (\d+) (\S+) clients=(\d+) ")


def kv(line):
    """key=value words of a ws_load line."""
    return dict(w.split("=", 1) for w in line.split() if "=" in w)


def default_ws_load():
    build = os.environ.get("QUIRE_BINARY_DIR", os.path.dirname(harness.QUIRED))
    return os.path.join(build, "bench", "ws_load")


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def nofile_of(pid):
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max open files"):
                return line.split()[3]
    return "?"


def memory_mb(pid):
    """(VmRSS, VmHWM) of pid in MB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) / 1024
    return out["VmRSS"], out["VmHWM"]


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def scrape(address):
    """{family name: value of its unlabelled sample, or None} from /metrics (as the administrator)."""
    host, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    auth = base64.b64encode(("root:%s" % ROOT_PASSWORD).encode()).decode()
    try:
        conn.request("GET", "/metrics", headers={"Authorization": "Basic " + auth})
        r = conn.getresponse()
        body = r.read().decode(errors="replace")
    except OSError:  # e.g. quired at its connection cap
        return None
    finally:
        conn.close()
    if r.status != 200:
        return None
    out = {}
    for line in body.splitlines():
        if line.startswith("# TYPE "):
            out.setdefault(line.split()[2], None)
        elif line and not line.startswith("#") and "{" not in line.split(" ", 1)[0]:
            name, _, value = line.partition(" ")
            try:
                out[name] = float(value.split()[0])
            except (ValueError, IndexError):
                pass
    return out


def gauge(samples, name):
    v = samples.get(name)
    return "-" if v is None else "%g" % v


class WsLoad:
    """ws_load on pipes: its stdout lines arrive on a queue (a reader thread)."""

    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
                                     preexec_fn=raise_nofile)
        self.lines = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def send(self, command):
        try:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def next_line(self, timeout):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return ""  # nothing yet; None: ws_load's stdout closed

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Bench:
    def __init__(self, args):
        self.args = args
        self.failures = []
        self.event_lines = []  # parsed ws_load event lines
        self.pooled = {}  # "total" / type -> dict from ws_load's pooled lines
        self.bye = None
        self.held = []  # job ids for --source cancel

    def fail(self, what):
        self.failures.append(what)
        print("  CHECK FAILED: " + what, flush=True)

    def take(self, line):
        """Handles one ws_load line; returns it."""
        if line is None:
            return None
        m = EVENT_LINE.match(line)
        if m:
            print("  " + line, flush=True)
            f = kv(line)
            e = {"seq": int(m.group(1)), "type": m.group(2), "clients": int(m.group(3)), "missing": int(f["missing"])}
            for k in ("p50", "p99", "max", "spread", "min", "k_p50", "k_p99", "k_max", "k_spread"):
                e[k] = float(f[k + "_ms"])
            self.event_lines.append(e)
        elif line.startswith("type ") or line.startswith("total "):
            key = line.split()[1] if line.startswith("type ") else "total"
            self.pooled[key] = kv(line)
            print("  " + line, flush=True)
        elif line.startswith("bye "):
            self.bye = kv(line)
            print("  " + line, flush=True)
        elif line and not line.startswith("stats "):
            print("  ws_load: " + line, flush=True)
        return line

    def run(self):
        a = self.args
        hard = raise_nofile()
        server = harness.Quired(sets=["api.allow_plain_loopback=true", "limits.max_connections=%d" % a.max_connections,
                                      "processors.enabled=false"])
        add = subprocess.run(server.command()[:3] + ["--add-admin", "root"], input=ROOT_PASSWORD + "\n",
                             capture_output=True, text=True, timeout=60)
        if add.returncode != 0:
            self.fail("quired --add-admin failed: %s" % add.stderr.strip()[-500:])
            return None
        load = None
        figures = {}
        try:
            server.start(timeout=60)
            print("quired pid %d on %s (RLIMIT_NOFILE %s; this process %d/%d); log %s"
                  % (server.pid, server.address, nofile_of(server.pid), hard[0], hard[1], server.stderr_path),
                  flush=True)
            figures["metrics0"] = scrape(server.address)
            self.held = self.print_jobs(server, a.events) if a.source == "cancel" else []
            time.sleep(2)
            figures["rss0"], figures["hwm0"] = memory_mb(server.pid)
            cmd = [os.path.abspath(a.ws_load), "--addr", server.address, "--user", "root", "--password", ROOT_PASSWORD,
                   "--clients", str(a.clients), "--topic", a.topic, "--batch", str(a.batch),
                   "--connect-timeout", str(a.connect_timeout), "--event-timeout", str(a.event_timeout)]
            print("ws_load: %s ... (load average %.2f)" % (" ".join(cmd[:3] + cmd[7:]), os.getloadavg()[0]),
                  flush=True)
            load = WsLoad(cmd)
            if not self.wait_connected(server, load, figures):
                return None
            time.sleep(2)
            figures["rss1"], figures["hwm1"] = memory_mb(server.pid)
            figures["load_rss1"] = memory_mb(load.proc.pid)[0]
            figures["metrics1"] = scrape(server.address)
            print("  quired VmRSS %.1f MB before ws_load, %.1f MB with %d clients; ws_load VmRSS %.1f MB"
                  % (figures["rss0"], figures["rss1"], figures["connected"], figures["load_rss1"]), flush=True)
            if not self.make_events(server, load, figures):
                return None
            figures["rss2"], figures["hwm2"] = memory_mb(server.pid)
            figures["metrics2"] = scrape(server.address)
            load.send("quit")
            deadline = time.time() + 60
            while self.bye is None and time.time() < deadline:
                if self.take(load.next_line(1)) is None:
                    break
            if self.bye is None:
                self.fail("ws_load did not say bye after quit")
            load.stop()
            load = None
            if server.proc.poll() is not None:
                self.fail("quired exited (status %s)" % server.proc.returncode)
        except RuntimeError as e:
            self.fail("quired did not start: %s" % str(e)[-1500:])
            if server.proc:
                server.proc.kill()
                server.proc.wait()
                server.proc = None
            return None
        finally:
            if load:
                load.stop()
            server.stop()
            log = server.stderr().splitlines()
            figures["log_warn"] = [l for l in log if l.split(" ", 3)[2:3] in (["warn"], ["error"], ["critical"])]
            print("quired logged %d lines, %d warning/error lines%s" % (len(log), len(figures["log_warn"]),
                                                                       ":" if figures["log_warn"] else ""))
            for line in figures["log_warn"][:8]:
                print("    " + line[:300])
            server.keep_data = a.keep_temp or bool(self.failures)
            if server.keep_data:
                print("kept", os.path.dirname(server.data_dir))
            server.__exit__(None, None, None)
        return figures

    def wait_connected(self, server, load, figures):
        a = self.args
        deadline = time.time() + a.connect_timeout + a.clients / 50 + 60
        t0 = time.time()
        while time.time() < deadline:
            line = self.take(load.next_line(1))
            if line is None:
                self.fail("ws_load exited before all clients connected (status %s)" % load.proc.wait())
                return False
            if server.proc.poll() is not None:
                self.fail("quired exited while clients connected (status %s)" % server.proc.returncode)
                return False
            if line.startswith("connected "):
                f = kv(line)
                figures["connected"] = int(line.split()[1])
                figures["failed"] = int(f["failed"])
                figures["connect_s"] = float(f["connect_s"])
                figures["connect_reasons"] = f["reasons"]
                figures["load_cpu_connect"] = float(f["cpu_s"])
                if figures["failed"] or figures["connected"] != a.clients:
                    self.fail("%d of %d clients failed to connect (%s)" % (figures["failed"], a.clients, f["reasons"]))
                return True
        self.fail("ws_load did not report `connected` within %.0f s" % (time.time() - t0))
        return False

    def print_jobs(self, server, count):
        """Held jobs on `secure` (their ids) for --source cancel."""
        pdf = open(harness.SAMPLE_PDF, "rb").read()
        client = harness.Client(server.address)
        ids = []
        try:
            for i in range(count):
                status, attrs = client.print_job(server.uri("secure"), pdf, user="bench", name="ws-bench-%d" % i)
                if status != "successful-ok":
                    self.fail("job %d refused: %s" % (i, status))
                    continue
                ids.append(attrs["job-id"][0])
        finally:
            client.close()
        return ids

    def step(self, server, client, pdf, i):
        """One event source step: True when quired accepted it."""
        try:
            if self.args.source == "print":
                status, _ = client.print_job(server.uri("secure"), pdf, user="bench", name="ws-bench-%d" % i)
            else:
                if i >= len(self.held):
                    return False
                status, _ = client.ipp(harness.request("Cancel-Job", server.uri("secure"), "bench",
                                                       extra_op=harness.attr("integer", "job-id", self.held[i])))
        except (OSError, http.client.HTTPException, AssertionError) as e:
            print("  step %d: %s" % (i, e), flush=True)
            client.close()  # http.client reconnects on the next request
            return False
        return status == "successful-ok"

    def make_events(self, server, load, figures):
        a = self.args
        pdf = open(harness.SAMPLE_PDF, "rb").read()
        client = harness.Client(server.address)
        jobs, refused = [], 0
        cpu0, load_cpu0 = cpu_seconds(server.pid), cpu_seconds(load.proc.pid)
        print("events: %d steps (%s), one every %.2f s (load average %.2f)"
              % (a.events, "Cancel-Job of a held job" if a.source == "cancel" else "Print-Job to secure", a.interval,
                 os.getloadavg()[0]), flush=True)
        t0 = time.time()
        try:
            for i in range(a.events):
                while time.time() < t0 + i * a.interval:
                    line = load.next_line(max(0.001, min(0.05, t0 + i * a.interval - time.time())))
                    if line is None:
                        self.fail("ws_load exited during the events (status %s)" % load.proc.wait())
                        return False
                    self.take(line)
                if self.step(server, client, pdf, i):
                    jobs.append(i)
                else:
                    refused += 1
        finally:
            client.close()
        last_job = time.time()
        if refused:
            self.fail("%d of %d %s requests refused" % (refused, a.events, a.source))
        # Until ws_load has nothing pending and has printed nothing for 2 s.
        last_line, deadline = time.time(), last_job + a.event_timeout + 30
        while time.time() < deadline:
            load.send("stats")
            stats = None
            while stats is None and time.time() < deadline:
                line = load.next_line(0.5)
                if line is None:
                    self.fail("ws_load exited during the events (status %s)" % load.proc.wait())
                    return False
                if line.startswith("event "):
                    last_line = time.time()
                if line.startswith("stats "):
                    stats = kv(line)
                self.take(line)
            if stats and int(stats["pending_events"]) == 0 and time.time() - last_line >= 2 and \
                    time.time() - last_job >= 2:
                break
            time.sleep(0.3)
        figures["jobs"] = len(jobs)
        figures["events_wall"] = last_job - t0
        figures["cpu_events"] = cpu_seconds(server.pid) - cpu0
        figures["load_cpu_events"] = cpu_seconds(load.proc.pid) - load_cpu0
        figures["events_window"] = time.time() - t0
        return True

    def report(self, f):
        a = self.args
        ev = self.event_lines
        print("\nfigures (%d clients, topic %s, %d %s steps one every %.2f s -> %d events):"
              % (a.clients, a.topic, f.get("jobs", 0), a.source, a.interval, len(ev)))
        print("  clients: %d of %d subscribed in %.2f s (%.0f/s), failed %d (%s)"
              % (f["connected"], a.clients, f["connect_s"], f["connected"] / max(f["connect_s"], 1e-3), f["failed"],
                 f["connect_reasons"]))
        extra = f["rss1"] - f["rss0"]
        per = extra * 1024 / max(1, f["connected"])
        print("  quired VmRSS: %.1f MB before, %.1f MB with the clients: +%.1f MB, %.1f KB per connection "
              "(target < %.0f MB: %s); after the events %.1f MB, VmHWM %.1f MB"
              % (f["rss0"], f["rss1"], extra, per, RSS_TARGET_MB, "met" if extra < RSS_TARGET_MB else "not met",
                 f.get("rss2", 0), f.get("hwm2", 0)))
        print("  ws_load: VmRSS %.1f MB with the clients; CPU %.2f s connecting, %.2f s during the events; "
              "quired CPU during the events %.2f s over %.1f s"
              % (f["load_rss1"], f["load_cpu_connect"], f.get("load_cpu_events", 0), f.get("cpu_events", 0),
                 f.get("events_window", 0)))
        if not ev:
            return
        print("  latency = client receive wall time - event time_ms (quired's bus), per event type "
              "(events; per-event p99 median / worst; pooled over events x clients p50 / p99 / max; "
              "[the kernel's receive timestamp instead of the client's read: pooled p50 / p99 / max]):")
        for t in sorted({e["type"] for e in ev}):
            es = [e for e in ev if e["type"] == t]
            p = self.pooled.get(t, {})
            print("    %-16s %3d events: p99 %.1f / %.1f ms; pooled p50 %s, p99 %s, max %s ms [%s / %s / %s ms]"
                  % (t, len(es), statistics.median(e["p99"] for e in es), max(e["p99"] for e in es),
                     p.get("p50_ms", "?"), p.get("p99_ms", "?"), p.get("max_ms", "?"),
                     p.get("k_p50_ms", "?"), p.get("k_p99_ms", "?"), p.get("k_max_ms", "?")))
        tot = self.pooled.get("total", {})
        p99 = float(tot.get("p99_ms", "nan"))
        over = sum(1 for e in ev if e["p99"] >= P99_TARGET_MS)
        print("  all %d events, %s samples pooled: p50 %s ms, p99 %s ms, max %s ms; per-event p99 median %.1f ms, "
              "worst %.1f ms (%d events at or over %.0f ms)"
              % (len(ev), tot.get("samples", "?"), tot.get("p50_ms", "?"), tot.get("p99_ms", "?"),
                 tot.get("max_ms", "?"), statistics.median(e["p99"] for e in ev), max(e["p99"] for e in ev), over,
                 P99_TARGET_MS))
        print("  all events by kernel receive timestamp (quired's side): p50 %s ms, p99 %s ms, max %s ms"
              % (tot.get("k_p50_ms", "?"), tot.get("k_p99_ms", "?"), tot.get("k_max_ms", "?")))
        print("  fan-out seen by the clients (first to last client's read, CLOCK_MONOTONIC): median %.1f ms, "
              "max %.1f ms; first client after median %.1f ms, max %.1f ms"
              % (statistics.median(e["spread"] for e in ev), max(e["spread"] for e in ev),
                 statistics.median(e["min"] for e in ev), max(e["min"] for e in ev)))
        print("  quired's fan-out time (first to last of its writes of one event, kernel receive timestamps): "
              "median %.1f ms, max %.1f ms"
              % (statistics.median(e["k_spread"] for e in ev), max(e["k_spread"] for e in ev)))
        m0, m1, m2 = f.get("metrics0") or {}, f.get("metrics1") or {}, f.get("metrics2") or {}
        ws = [n for n in sorted(m1) if re.search(r"websocket_clients|http_connections", n)]
        if ws:
            print("  quired's own view, /metrics before / with the clients / after the events: %s"
                  % "; ".join("%s %s / %s / %s" % (n, gauge(m0, n), gauge(m1, n), gauge(m2, n)) for n in ws))
        def num(m, n):
            return m.get(n) or 0
        batches = num(m2, "quire_websocket_fanouts_total") - num(m1, "quire_websocket_fanouts_total")
        spent = num(m2, "quire_websocket_fanout_seconds_total") - num(m1, "quire_websocket_fanout_seconds_total")
        if batches:
            print("  quired's own fan-out time (/metrics: the loop's batch, first frame to last written): %d batches "
                  "during the events, mean %.1f ms, longest since start %.1f ms"
                  % (batches, spent / batches * 1000.0, num(m2, "quire_websocket_fanout_max_seconds") * 1000))
        else:
            print("  quired's own fan-out time: /metrics has no quire_websocket_fanout figures (%d families)"
                  % len(m1))
        print("  target p99 < %.0f ms (pooled): %s" % (P99_TARGET_MS, "met" if p99 < P99_TARGET_MS else "not met"))
        print("  target RSS for the connections < %.0f MB: %s" % (RSS_TARGET_MB,
                                                                 "met" if extra < RSS_TARGET_MB else "not met"))

    def check(self, f):
        ev = self.event_lines
        if f is None:
            return
        if not ev:
            self.fail("no event reached the clients")
        missing = [e for e in ev if e["missing"]]
        if missing:
            self.fail("%d events missing at some clients (e.g. seq %d %s: %d missing)"
                      % (len(missing), missing[0]["seq"], missing[0]["type"], missing[0]["missing"]))
        if self.bye:
            for k in ("closed_by_server", "lost", "out_of_order", "late"):
                if int(self.bye.get(k, "0")):
                    self.fail("ws_load: %s=%s (%s)" % (k, self.bye[k], self.bye.get("lost_reasons", "-")))
        if "jobs" in f and f["jobs"] and ev:
            per_type = {}
            for e in ev:
                per_type[e["type"]] = per_type.get(e["type"], 0) + 1
            print("  events per type: %s (for %d %s steps)"
                  % (", ".join("%s %d" % kv_ for kv_ in sorted(per_type.items())), f["jobs"], self.args.source))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quired", default=harness.QUIRED)
    ap.add_argument("--ws-load", default=None, help="default: QUIRE_BINARY_DIR/bench/ws_load, else beside quired")
    ap.add_argument("--clients", type=int, default=10000)
    ap.add_argument("--events", type=int, default=20, help="event source steps")
    ap.add_argument("--source", choices=("cancel", "print"), default="cancel",
                    help="cancel: Cancel-Job of a held job (one event per step); print: Print-Job (two events)")
    ap.add_argument("--interval", type=float, default=0.5, help="seconds between jobs")
    ap.add_argument("--topic", default="*")
    ap.add_argument("--batch", type=int, default=500, help="connections in the middle of connecting at once")
    ap.add_argument("--connect-timeout", type=float, default=60)
    ap.add_argument("--event-timeout", type=float, default=10)
    ap.add_argument("--max-connections", type=int, default=12000, help="quired's limits.max_connections")
    ap.add_argument("--quick", action="store_true", help="--clients 1000 --events 5")
    ap.add_argument("--keep-temp", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.clients, args.events = 1000, 5
    harness.QUIRED = os.path.abspath(args.quired)
    args.ws_load = args.ws_load or default_ws_load()
    if not os.path.exists(args.ws_load):
        ap.error("no ws_load at %s (build the ws_load target, or pass --ws-load)" % args.ws_load)
    print("ws_bench %s: %d cores (nproc), quired %s (modified %s), load average %.2f %.2f %.2f"
          % ((time.strftime("%Y-%m-%d %H:%M"), os.cpu_count() or 0, harness.QUIRED,
              time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(harness.QUIRED))))
             + os.getloadavg()), flush=True)
    bench = Bench(args)
    figures = bench.run()
    if figures and "connected" in figures and "rss1" in figures:
        bench.report(figures)
        bench.check(figures)
    print("checks: %s" % ("OK" if not bench.failures and figures else "%d FAILURE(S)" % max(1, len(bench.failures))))
    return 1 if bench.failures or not figures else 0


if __name__ == "__main__":
    sys.exit(main())
