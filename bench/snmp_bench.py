#!/usr/bin/env python3
"""SNMP monitoring at scale: what polling N printers costs quired, and how fast a change at a device reaches it.

The target (the monitoring issue): 5,000 printers polled every 60 s by one
quired use under 10 % of one core on average and under 100 MB of extra
memory, and a change at a device (a paper jam) reaches quired within one
poll interval.

quire-snmp-sim (devices/sim/) plays the N printers, one loopback UDP port
each. quired runs twice with the same N printers (file:// devices under its
data folder, snmp_address = the sim's port): once with
[monitoring] enabled = false (the baseline: nothing is polled) and once
enabled. Each run waits for quired's start, settles (the monitored run for
one interval + 10 s, so that every printer has been polled once; the
baseline 10 s), then measures over --duration seconds: CPU = the change of
utime + stime in /proc/<pid>/stat over wall time, in % of one core, and
VmRSS / VmHWM from /proc/<pid>/status at the end. Extra memory = monitored
VmRSS - baseline VmRSS. During the monitored window --jams printers (random,
distinct) are jammed at random moments (`jam i` on the sim's stdin); a jam is
seen when quired logs `printer p<i>: ...media-jam-error...` (the printer
actor logs its reasons at info level when they change); its latency is that
line's timestamp minus the moment of the jam. A seen jam is cleared at once
and the clear must show too (`printer p<i>: the device reports no condition`).

Exits 1 when a behaviour check fails (a jam or clear not seen within two
intervals, quired or the simulator dying, a port range that cannot be
bound), never because of a timing or memory figure.
"""
import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime

from bench_common import harness

CPU_TARGET_PCT = 10.0
MEM_TARGET_MB = 100.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
REQUESTS_PER_POLL = 2  # a healthy sim printer: one GET of the scalars, one GETBULK for every table
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) \S+ printer (p\d+): (.*)$")


def default_sim():
    build = os.environ.get("QUIRE_BINARY_DIR", os.path.dirname(harness.QUIRED))
    return os.path.join(build, "devices", "sim", "quire-snmp-sim")


def cpu_seconds(pid):
    """utime + stime of pid, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of proc(5)


def memory_mb(pid):
    """(VmRSS, VmHWM) of pid in MB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) / 1024
    return out["VmRSS"], out["VmHWM"]


def free_udp_base(count, attempts=20):
    """A base port under the ephemeral range with count free loopback UDP ports above it."""
    import socket
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except OSError:
        low = 32768
    top = max(low, 1024 + count + 1)
    for _ in range(attempts):
        base = random.randrange(1024, top - count)
        socks = []
        try:
            for p in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise SystemExit("no range of %d free loopback UDP ports found" % count)


class Sim:
    """quire-snmp-sim on a pipe: one command, one answer line."""

    def __init__(self, path, printers, base):
        self.proc = subprocess.Popen([path, "--printers", str(printers), "--base-port", str(base)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline().strip()
        if line != "ready %d %d" % (printers, base):
            err = self.proc.stderr.read() if self.proc.wait(10) is not None else ""
            raise RuntimeError("quire-snmp-sim did not start: %r %s" % (line, err.strip()))

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if not answer:
            raise RuntimeError("quire-snmp-sim died")
        return answer

    def stats(self):
        answer = self.command("stats").split()
        return {k: int(v) for k, v in (w.split("=") for w in answer[1:])}

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()  # the simulator exits when its stdin closes
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Server(harness.Quired):
    """quired with a whole config file (N printers do not fit --set comfortably)."""

    def __init__(self, config_text):
        super().__init__()
        self.config_path = os.path.join(os.path.dirname(self.data_dir), "quire.toml")
        with open(self.config_path, "w") as f:
            f.write(config_text)

    def command(self, extra_sets=()):
        return super().command(extra_sets) + ["--config", self.config_path]


def config_text(args, base, monitored):
    # No job is printed: the job processors stay off, so that quired's figures are its own.
    out = ["[processors]", "enabled = false", "", "[monitoring]", "enabled = %s" % ("true" if monitored else "false"),
           "interval_s = %d" % args.interval]
    if args.jitter is not None:
        out.append("jitter_percent = %d" % args.jitter)
    out.append("")
    for i in range(args.printers):
        out += ["[printers.p%d]" % i, 'device_uri = "file://${data_dir}/sink/p%d"' % i,
                'snmp_address = "127.0.0.1:%d"' % (base + i), ""]
    names = ", ".join('"p%d"' % i for i in range(args.printers))
    out += ["[queues.secure]", 'type = "pull"', "printers = [%s]" % names, ""]
    return "\n".join(out)


class LogTail:
    """quired's stderr log, read as it grows: (time logged, printer, rest) per printer line."""

    def __init__(self, path):
        self.path, self.offset, self.partial = path, 0, ""

    def lines(self):
        try:
            with open(self.path, "r", errors="replace") as f:
                f.seek(self.offset)
                data = f.read()
                self.offset = f.tell()
        except OSError:
            return []
        lines = (self.partial + data).split("\n")
        self.partial = lines.pop()  # a line still being written
        out = []
        for line in lines:
            m = LOG_LINE.match(line)
            if m:
                try:
                    at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
                except ValueError:
                    at = time.time()
                out.append((at, m.group(2), m.group(3)))
        return out


def fmt_s(values):
    return ", ".join("%.1f" % v for v in values)


class Bench:
    def __init__(self, args, sim, base):
        self.args, self.sim, self.base = args, sim, base
        self.failures = []

    def fail(self, what):
        self.failures.append(what)
        print("  CHECK FAILED: " + what, flush=True)

    def alive(self, server):
        if server.proc.poll() is not None:
            self.fail("quired exited (status %s)" % server.proc.returncode)
            return False
        if not self.sim.alive():
            self.fail("quire-snmp-sim exited (status %s)" % self.sim.proc.returncode)
            return False
        return True

    def run(self, monitored):
        a = self.args
        label = "monitored" if monitored else "baseline"
        server = Server(config_text(a, self.base, monitored))
        print("%s: quired with %d printers, [monitoring] enabled = %s, interval_s = %d (load average %.2f)"
              % (label, a.printers, "true" if monitored else "false", a.interval, os.getloadavg()[0]), flush=True)
        figures = None
        try:
            t_start = time.time()
            try:
                server.start(timeout=120)
            except RuntimeError as e:
                self.fail("quired did not start: %s" % str(e)[-2000:])
                if server.proc:
                    server.proc.kill()
                    server.proc.wait()
                    server.proc = None
                return None
            print("  quired pid %d ready in %.1f s; log %s" % (server.pid, time.time() - t_start, server.stderr_path),
                  flush=True)
            figures = self.measure(server, monitored)
        finally:
            server.stop()
            log = [l for l in server.stderr().splitlines() if l.split(" ", 3)[2:3] in (["warn"], ["error"])]
            print("  quired logged %d warning/error lines%s" % (len(log), ":" if log else ""))
            for line in log[:5]:
                print("    " + line[:300])
            server.keep_data = a.keep_temp or bool(self.failures)
            if server.keep_data:
                print("  kept", os.path.dirname(server.data_dir))
            server.__exit__(None, None, None)
        return figures

    def measure(self, server, monitored):
        a, pid = self.args, server.pid
        tail = LogTail(server.stderr_path)
        settle = a.interval + 10 if monitored else 10
        s0 = self.sim.stats()
        if not self.sleep(server, settle, tail):
            return None
        s1 = self.sim.stats()
        print("  settled %d s: the simulator got %d datagrams (%.1f per printer)"
              % (settle, s1["received"] - s0["received"], (s1["received"] - s0["received"]) / a.printers),
              flush=True)
        # The window: quired's and the simulator's CPU, the simulator's counters.
        jams = self.plan_jams() if monitored else []
        t0, c0, sim_c0 = time.time(), cpu_seconds(pid), cpu_seconds(self.sim.proc.pid)
        end, window = t0 + a.duration, None
        while time.time() < end or (monitored and self.jams_pending(jams)):
            if not self.alive(server):
                return None
            if window is None and time.time() >= end:
                window = self.window_figures(pid, t0, c0, sim_c0, s1)
            for j in jams:
                if j["sent"] is None and time.time() - t0 >= j["at"]:
                    j["sent"] = time.time()
                    self.sim_ok("jam %d" % j["printer"])
                elif j["seen"] is not None and j["cleared"] is None:
                    j["cleared"] = time.time()
                    self.sim_ok("clear %d" % j["printer"])
            self.scan(tail, jams)
            self.give_up_late(jams)
            time.sleep(0.1)
        if window is None:
            window = self.window_figures(pid, t0, c0, sim_c0, s1)
        window["jams"] = jams
        self.report(window, monitored)
        return window

    def window_figures(self, pid, t0, c0, sim_c0, s_before):
        wall = time.time() - t0
        cpu = cpu_seconds(pid) - c0
        sim_cpu = cpu_seconds(self.sim.proc.pid) - sim_c0
        rss, hwm = memory_mb(pid)
        s = self.sim.stats()
        return {"wall": wall, "cpu_pct": 100 * cpu / wall, "sim_cpu_pct": 100 * sim_cpu / wall, "rss": rss,
                "hwm": hwm, "received_s": (s["received"] - s_before["received"]) / wall,
                "answered_s": (s["answered"] - s_before["answered"]) / wall}

    def plan_jams(self):
        a = self.args
        # Late enough in the window that every jam can be seen within it (one interval + 5 s).
        last = max(1.0, a.duration - a.interval - 5)
        printers = random.sample(range(a.printers), min(a.jams, a.printers))
        return sorted(({"printer": p, "at": random.uniform(0, last), "sent": None, "seen": None, "cleared": None,
                        "clear_seen": None, "late": False} for p in printers), key=lambda j: j["at"])

    def jams_pending(self, jams):
        return any(j["sent"] is None or (not j["late"] and (j["seen"] is None or j["clear_seen"] is None))
                   for j in jams)

    def give_up_late(self, jams):
        limit, now = 2 * self.args.interval, time.time()
        for j in jams:
            if j["late"]:
                continue
            if j["sent"] is not None and j["seen"] is None and now - j["sent"] > limit:
                j["late"] = True
                self.fail("the jam at p%d was not seen within %d s" % (j["printer"], limit))
            elif j["cleared"] is not None and j["clear_seen"] is None and now - j["cleared"] > limit:
                j["late"] = True
                self.fail("the clear of p%d was not seen within %d s" % (j["printer"], limit))

    def scan(self, tail, jams):
        by_name = {"p%d" % j["printer"]: j for j in jams}
        for at, name, rest in tail.lines():
            j = by_name.get(name)
            if j is None:
                continue
            if j["sent"] is not None and j["seen"] is None and "media-jam-error" in rest:
                j["seen"] = at
            elif j["cleared"] is not None and j["clear_seen"] is None and "reports no condition" in rest:
                j["clear_seen"] = at

    def sim_ok(self, line):
        answer = self.sim.command(line)
        if answer != "ok":
            raise RuntimeError("quire-snmp-sim refused %r: %s" % (line, answer))

    def sleep(self, server, seconds, tail):
        end = time.time() + seconds
        while time.time() < end:
            if not self.alive(server):
                return False
            tail.lines()
            time.sleep(0.2)
        return True

    def report(self, w, monitored):
        a = self.args
        print("  window %.0f s: quired CPU %.2f %% of one core; VmRSS %.1f MB, VmHWM %.1f MB; simulator: %.1f "
              "datagrams/s received, %.1f answered, CPU %.2f %%"
              % (w["wall"], w["cpu_pct"], w["rss"], w["hwm"], w["received_s"], w["answered_s"], w["sim_cpu_pct"]),
              flush=True)
        if not monitored:
            return
        print("  polls: %.1f/s implied at %d requests per poll (expected %d printers / %d s = %.1f/s)"
              % (w["received_s"] / REQUESTS_PER_POLL, REQUESTS_PER_POLL, a.printers, a.interval,
                 a.printers / a.interval), flush=True)
        for j in w["jams"]:
            seen = "%.1f s" % (j["seen"] - j["sent"]) if j["seen"] else "not seen"
            clear = "%.1f s" % (j["clear_seen"] - j["cleared"]) if j["clear_seen"] else "not seen"
            print("  jam p%d at +%.0f s: seen after %s; clear seen after %s" % (j["printer"], j["at"], seen, clear))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quired", default=harness.QUIRED)
    ap.add_argument("--sim", default=None, help="quire-snmp-sim (default: QUIRE_BINARY_DIR/devices/sim/, "
                                                  "else beside quired)")
    ap.add_argument("--printers", type=int, default=5000)
    ap.add_argument("--interval", type=int, default=60, help="monitoring.interval_s")
    ap.add_argument("--jitter", type=int, default=None, help="monitoring.jitter_percent (default: quired's)")
    ap.add_argument("--duration", type=int, default=180, help="measuring window of each run, seconds")
    ap.add_argument("--jams", type=int, default=5)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="--printers 200 --interval 10 --duration 30")
    ap.add_argument("--keep-temp", action="store_true", help="keep quired's data folders and logs")
    args = ap.parse_args()
    if args.quick:
        args.printers, args.interval, args.duration = 200, 10, 30
    if args.interval < 5:
        ap.error("--interval: quired takes 5 s at least")
    random.seed(args.seed)
    harness.QUIRED = os.path.abspath(args.quired)
    sim_path = os.path.abspath(args.sim or default_sim())
    base = free_udp_base(args.printers)
    print("snmp_bench: %d cores (nproc), quired %s (modified %s), load average %.2f %.2f %.2f"
          % ((os.cpu_count() or 0, harness.QUIRED, time.strftime("%Y-%m-%d %H:%M", time.localtime(
              os.path.getmtime(harness.QUIRED)))) + os.getloadavg()))
    sim = Sim(sim_path, args.printers, base)
    print("quire-snmp-sim pid %d: %d printers on 127.0.0.1:%d..%d; interval %d s, window %d s, %d jams"
          % (sim.proc.pid, args.printers, base, base + args.printers - 1, args.interval, args.duration, args.jams),
          flush=True)
    bench, runs = Bench(args, sim, base), {}
    try:
        for monitored in (False, True):
            runs[monitored] = bench.run(monitored)
            if runs[monitored] is None:
                break
    finally:
        sim.stop()
    base_run, mon = runs.get(False), runs.get(True)
    if base_run and mon:
        jams = mon["jams"]
        lat = [j["seen"] - j["sent"] for j in jams if j["seen"]]
        clear = [j["clear_seen"] - j["cleared"] for j in jams if j["clear_seen"]]
        extra = mon["rss"] - base_run["rss"]
        limit = args.interval + 2
        print("\nfigures (%d printers, interval %d s, window %d s):" % (args.printers, args.interval, args.duration))
        print("  quired CPU: baseline %.2f %%, monitored %.2f %% of one core (target < %.0f %%: %s)"
              % (base_run["cpu_pct"], mon["cpu_pct"], CPU_TARGET_PCT,
                 "met" if mon["cpu_pct"] < CPU_TARGET_PCT else "MISSED"))
        print("  quired VmRSS: baseline %.1f MB, monitored %.1f MB, extra %.1f MB (target < %.0f MB: %s); "
              "VmHWM %.1f / %.1f MB" % (base_run["rss"], mon["rss"], extra, MEM_TARGET_MB,
                                        "met" if extra < MEM_TARGET_MB else "MISSED", base_run["hwm"], mon["hwm"]))
        print("  simulator: %.1f datagrams/s received, %.1f answered (%.1f polls/s implied; expected %.1f); "
              "its CPU %.2f %%" % (mon["received_s"], mon["answered_s"], mon["received_s"] / REQUESTS_PER_POLL,
                                  args.printers / args.interval, mon["sim_cpu_pct"]))
        if lat:
            print("  jam -> quired's log, %d of %d jams: median %.1f s, max %.1f s [%s] (target <= %d s: %s)"
                  % (len(lat), len(jams), statistics.median(lat), max(lat), fmt_s(lat), limit,
                     "met" if max(lat) <= limit and len(lat) == len(jams) else "MISSED"))
        if clear:
            print("  clear -> quired's log, %d of %d: median %.1f s, max %.1f s" % (
                len(clear), len(jams), statistics.median(clear), max(clear)))
    print("checks: %s" % ("OK" if not bench.failures and base_run and mon
                          else "%d FAILURE(S)" % max(1, len(bench.failures))))
    return 1 if bench.failures or not (base_run and mon) else 0


if __name__ == "__main__":
    sys.exit(main())
