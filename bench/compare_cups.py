#!/usr/bin/env python3
"""Runs the same IPP load against quired and a private cupsd and prints both
figures and their ratio (see bench/README.md for what each scenario means).

  bench/compare_cups.py [--quick] [--intake] [--sustained] [--get-jobs]
                        [--backlog] [--footprint] [--attrs] [--ipps] [--lpd]
                        [--build DIR] [--json FILE]

With no scenario flag every scenario runs. Each scenario starts its own
quired (temporary data folder, loopback, port 0) and, when it compares,
its own cupsd (temporary ServerRoot, loopback port, a raw queue on
file:///dev/null); both are stopped by PID at the end of the scenario, even
on failure, and the temporary folders are removed. The load itself comes
from ipp_load (bench/ipp_load.cpp), and for LPD from lpd_load
(bench/lpd_load.cpp) against quired's LPD listener and against cups-lpd run
per connection by bench/lpd_inetd.py. Standard library only; installs nothing
(`.ci/install-deps bench` installs cups-daemon and cups-client).
"""
import argparse
import json
import os
import resource
import select
import shutil
import signal
import struct
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(HERE)
SAMPLE_PDF = os.path.join(SOURCE_DIR, "tests", "data", "one-page.pdf")
CUPS_LPD = "/usr/lib/cups/daemon/cups-lpd"
METRICS_TOKEN = "compare-cups-metrics-token"  # quired's api.metrics_token

# Full and --quick sizes of every scenario.
FULL = dict(burst_s=10, sustained_s=120, series_s=30, completed=10000, quired_parked=100000,
            cups_parked=10000, release=1000, cups_backlog_count=2000, startups=3, rounds=3, window_s=4,
            burst=100000, attrs_s=5)
QUICK = dict(burst_s=3, sustained_s=20, series_s=5, completed=1000, quired_parked=20000,
             cups_parked=2000, release=200, cups_backlog_count=500, startups=2, rounds=2, window_s=2,
             burst=20000, attrs_s=2)


def log(msg):
    print(msg, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc, name, grace=30):
    """SIGTERM by PID, then SIGKILL after `grace` seconds; always reaps it."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        log(f"  ! {name} (pid {proc.pid}) ignored SIGTERM for {grace} s: killing it")
        proc.kill()
        proc.wait()


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


class Quired:
    """quired on 127.0.0.1:0 with its data in `data_dir`."""

    def __init__(self, binary, data_dir, log_path):
        self.binary, self.data_dir, self.log_path = binary, data_dir, log_path
        self.proc = self.pid = self.port = self.lpd_port = None
        self.startup_s = None

    def start(self, timeout=60):
        # One load-generator user sends every job: its per-user caps and rates are off
        # (CUPS has none).
        cmd = [self.binary, "--data-dir", self.data_dir, "--set", "ipp.listen=127.0.0.1:0",
               "--set", "lpd.listen=127.0.0.1:0",
               # Intake, listing and release are measured alone: job analysis
               # (quire-jobproc) has its own benchmark (jobproc_bench), and
               # CUPS does not read a held raw job either.
               "--set", "processors.enabled=false",
               "--set", "limits.max_jobs_per_user=0", "--set", "limits.max_bytes_per_user=0",
               "--set", "limits.user_submissions_per_minute=0",
               # /metrics (the sync counts) answers this bearer token over loopback.
               "--set", "api.allow_plain_loopback=true", "--set", "api.metrics_token=" + METRICS_TOKEN]
        with open(self.log_path, "ab") as err:
            t0 = time.monotonic()
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True,
                                         start_new_session=True)
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"quired exited before it was ready; see {self.log_path}")
            if " listening on " in line and line.split()[1] == "ipp":
                self.port = int(line.strip().rsplit(":", 1)[1])
            if " listening on " in line and line.split()[1] == "lpd":
                self.lpd_port = int(line.strip().rsplit(":", 1)[1])
            if line.startswith("quired: ready"):
                self.startup_s = time.monotonic() - t0
                self.pid = int(line.split("(pid ")[1].split(",")[0])
                return self
        raise RuntimeError("quired was not ready in time")

    def stop(self):
        stop_process(self.proc, "quired")
        self.proc = None

    def uri(self, queue, scheme="ipp"):
        return f"{scheme}://127.0.0.1:{self.port}/ipp/print/{queue}"

    def metrics(self):
        scrape = urllib.request.Request(f"http://127.0.0.1:{self.port}/metrics",
                                        headers={"Authorization": "Bearer " + METRICS_TOKEN})
        with urllib.request.urlopen(scrape, timeout=10) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                try:
                    out[name] = float(value)
                except ValueError:
                    pass
        return out

    def syncs(self):
        m = self.metrics()
        return m.get("quire_storage_commit_groups_total", 0) + m.get("quire_storage_file_syncs_total", 0)


CUPS_FILES_CONF = """ServerRoot {root}/etc
RequestRoot {root}/spool
TempDir {root}/spool/tmp
CacheDir {root}/cache
StateDir {root}/state
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
FileDevice Yes
"""

CUPSD_CONF = """Listen 127.0.0.1:{port}
Browsing No
BrowseLocalProtocols none
DefaultAuthType None
DefaultEncryption Never
WebInterface No
# The default (500) purges history and refuses held jobs past 500.
MaxJobs 0
LogLevel warn
<Location />
  Order allow,deny
  Allow from 127.0.0.1
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""


class Cupsd:
    """A private cupsd in `root` with a raw queue `raw` on file:///dev/null."""

    def __init__(self, root):
        self.root = root
        self.proc = None
        self.port = free_port()

    def start(self, timeout=30):
        r = self.root
        os.makedirs(r, exist_ok=True)
        os.chmod(r, 0o755)  # cupsd's helpers run as lp and must reach the spool
        for d in ("etc", "spool", "cache", "state", "log"):
            os.makedirs(os.path.join(r, d), exist_ok=True)
        os.makedirs(os.path.join(r, "spool", "tmp"), mode=0o1777, exist_ok=True)
        with open(os.path.join(r, "etc", "cups-files.conf"), "w") as f:
            f.write(CUPS_FILES_CONF.format(root=r))
        with open(os.path.join(r, "etc", "cupsd.conf"), "w") as f:
            f.write(CUPSD_CONF.format(port=self.port))
        with open(os.path.join(r, "log", "cupsd.stderr"), "ab") as err:
            self.proc = subprocess.Popen(["cupsd", "-f", "-c", os.path.join(r, "etc", "cupsd.conf"),
                                          "-s", os.path.join(r, "etc", "cups-files.conf")],
                                         stdout=err, stderr=err, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cupsd exited ({self.proc.returncode}); see {r}/log")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("cupsd did not listen in time")
                time.sleep(0.05)
        if not os.path.exists(os.path.join(r, "etc", "printers.conf")):
            subprocess.run(["lpadmin", "-h", f"127.0.0.1:{self.port}", "-p", "raw", "-E", "-v", "file:///dev/null"],
                           check=True, capture_output=True)
        return self

    def stop(self):
        stop_process(self.proc, "cupsd")
        self.proc = None

    def uri(self):
        return f"ipp://127.0.0.1:{self.port}/printers/raw"


class LpdInetd:
    """cups-lpd in front of a cupsd, the way inetd runs it: bench/lpd_inetd.py
    listens on 127.0.0.1:0 and forks and execs `program` per connection, with
    CUPS_SERVER naming the cupsd."""

    def __init__(self, cupsd_port, log_path, program):
        self.cupsd_port, self.log_path, self.program = cupsd_port, log_path, program
        self.proc = self.port = None

    def start(self, timeout=30):
        env = dict(os.environ, CUPS_SERVER=f"127.0.0.1:{self.cupsd_port}")
        cmd = [sys.executable, os.path.join(HERE, "lpd_inetd.py"), "--log", self.log_path, "--"] + self.program
        with open(self.log_path, "ab") as err:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env,
                                         start_new_session=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if "listening on" not in line:
            raise RuntimeError(f"lpd_inetd did not start; see {self.log_path}")
        self.port = int(line.strip().rsplit(":", 1)[1])
        return self

    def stop(self):
        stop_process(self.proc, "lpd_inetd")
        self.proc = None

    def children(self):
        """PIDs of the cups-lpd processes still running (or not yet reaped)."""
        pid = self.proc.pid
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return f.read().split()

    def wait_idle(self, timeout=300):
        """Polls every 10 ms until no cups-lpd runs; time.monotonic() of that moment."""
        deadline = time.monotonic() + timeout
        while self.children():
            if time.monotonic() > deadline:
                raise RuntimeError(f"cups-lpd processes still running after {timeout} s")
            time.sleep(0.01)
        return time.monotonic()

    def cpu_s(self):
        """CPU seconds lpd_inetd itself used (accept, fork; not the children's)."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


JOB_STATES = {3: "pending", 4: "pending-held", 5: "processing", 6: "processing-stopped", 7: "canceled",
              8: "aborted", 9: "completed"}


def ipp_job_state(port, printer_uri, job_id, user="bench"):
    """Get-Job-Attributes (job-state, job-hold-until) of one job, encoded by
    hand (RFC 8010); (job-state name, job-hold-until) or raises."""
    def attr(tag, name, value):
        n, v = name.encode(), value if isinstance(value, bytes) else value.encode()
        return struct.pack(">BH", tag, len(n)) + n + struct.pack(">H", len(v)) + v
    body = (struct.pack(">BBHI", 2, 0, 0x0009, 1) + b"\x01"
            + attr(0x47, "attributes-charset", "utf-8") + attr(0x48, "attributes-natural-language", "en")
            + attr(0x45, "printer-uri", printer_uri) + attr(0x21, "job-id", struct.pack(">i", job_id))
            + attr(0x42, "requesting-user-name", user)
            + attr(0x44, "requested-attributes", "job-state") + attr(0x44, "", "job-hold-until") + b"\x03")
    path = "/" + printer_uri.split("/", 3)[3]
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body,
                                 headers={"Content-Type": "application/ipp"})
    with urllib.request.urlopen(req, timeout=10) as r:
        data = r.read()
    status, attrs, name, i = struct.unpack(">H", data[2:4])[0], {}, None, 8
    while i < len(data) and data[i] != 0x03:
        tag, i = data[i], i + 1
        if tag < 0x10:  # a group delimiter
            continue
        nl = struct.unpack(">H", data[i:i + 2])[0]
        name = data[i + 2:i + 2 + nl].decode() or name  # an empty name: another value of the same
        i += 2 + nl
        vl = struct.unpack(">H", data[i:i + 2])[0]
        v, i = data[i + 2:i + 2 + vl], i + 2 + vl
        attrs.setdefault(name, v)
    if status >= 0x0100 or "job-state" not in attrs:
        raise RuntimeError(f"Get-Job-Attributes of job {job_id} on {printer_uri}: status 0x{status:04x}")
    state = struct.unpack(">i", attrs["job-state"])[0]
    return JOB_STATES.get(state, str(state)), attrs.get("job-hold-until", b"-").decode()


class Bench:
    def __init__(self, args):
        self.args = args
        self.size = QUICK if args.quick else FULL
        self.ipp_load = args.ipp_load or os.path.join(args.build, "bench", "ipp_load")
        self.lpd_load_bin = args.lpd_load or os.path.join(args.build, "bench", "lpd_load")
        self.quired_bin = args.quired or os.path.join(args.build, "quired")
        # Both servers create a file per job. On ext4, a folder whose inode
        # groups saw mass deletions (earlier runs, rm -rf) costs 5-10x more per
        # file created; --tmp picks where the data folders go.
        self.tmp = tempfile.mkdtemp(prefix="quire-bench-", dir=args.tmp)
        os.chmod(self.tmp, 0o755)  # cupsd's helpers (user lp) traverse it
        self.rows = []  # (scenario, figure, quired, cups, ratio, target)
        self.results = {}
        self.servers = []
        self.backlog_dir = None

    # -- plumbing --------------------------------------------------------------
    def run_tool(self, cmd, what, timeout):
        """Runs a load generator; its JSON line, with the CPU seconds it used."""
        log("  $ " + " ".join(cmd) + "   # load average %.2f" % os.getloadavg()[0])
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        for line in p.stdout.splitlines():
            if not line.startswith("{"):
                log("    " + line)
        if p.stderr.strip():
            log("    stderr: " + p.stderr.strip())
        js = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
        if p.returncode != 0 or not js:
            raise RuntimeError(f"{what} failed ({p.returncode})")
        if js[0].get("errors"):
            log(f"    ! {js[0]['errors']} errors: {js[0].get('statuses')}")
        js[0]["generator_cpu_s"] = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        return js[0]

    def load(self, mode, uri, *opts, timeout=3600):
        cmd = [self.ipp_load, mode, "--uri", uri] + [str(o) for o in opts]
        return self.run_tool(cmd, f"ipp_load {mode}", timeout)

    def lpd_load(self, port, queue, *opts, timeout=3600):
        cmd = [self.lpd_load_bin, "--addr", f"127.0.0.1:{port}", "--queue", queue] + [str(o) for o in opts]
        return self.run_tool(cmd, "lpd_load", timeout)

    def quired(self, name, data_dir=None):
        q = Quired(self.quired_bin, data_dir or os.path.join(self.tmp, name, "data"),
                   os.path.join(self.tmp, name + ".quired.log"))
        os.makedirs(os.path.dirname(q.data_dir), exist_ok=True)
        self.servers.append(q)
        return q.start()

    def cupsd(self, name, again=None):
        """A fresh cupsd, or `again` (a stopped one) restarted on its own folder."""
        c = again or Cupsd(os.path.join(self.tmp, name + "-cups"))
        self.servers.append(c)
        return c.start()

    def lpd_inetd(self, name, cupsd):
        """cups-lpd per connection in front of `cupsd`. Its jobs are held like
        every other held job here (-o job-hold-until=indefinite); -n skips the
        reverse lookup of 127.0.0.1; the document format is left to CUPS's
        auto-typing, as the inetd line in cups-lpd(8) does."""
        d = LpdInetd(cupsd.port, os.path.join(self.tmp, name + ".lpd_inetd.log"),
                     [CUPS_LPD, "-n", "-o", "job-hold-until=indefinite",
                      "-o", "document-format=application/octet-stream"])
        self.servers.append(d)
        return d.start()

    def stop(self, server):
        server.stop()
        self.servers.remove(server)

    def stop_all(self):
        for s in reversed(self.servers):
            s.stop()
        self.servers = []

    def row(self, scenario, figure, q, c, ratio=None, target=""):
        self.rows.append((scenario, figure, q, c, ratio, target))
        def fmt(v):
            return "-" if v is None else (f"{v:,.2f}" if isinstance(v, float) else str(v))
        log(f"  = {figure}: quired {fmt(q)} | CUPS {fmt(c)}" + (f" | ratio {ratio:.2f}x" if ratio else "")
            + (f" (target {target})" if target else ""))

    def report_log(self, name):
        """Warnings and errors quired logged during a scenario."""
        lines = []
        for f in sorted(os.listdir(self.tmp)):
            if f.startswith(name) and f.endswith(".quired.log"):
                with open(os.path.join(self.tmp, f), errors="replace") as log_file:
                    lines += [l for l in log_file if " warn " in l or " error " in l or " critical " in l]
        if lines:
            log(f"  ! quired logged {len(lines)} warnings/errors in {name}, e.g.: " + lines[0].strip())

    # -- scenarios -------------------------------------------------------------
    def intake(self):
        """a. Held intake, 32 clients, short burst."""
        n, s = 32, self.size["burst_s"]
        log(f"\n## a. held intake: {n} clients, {s} s")
        try:
            q = self.quired("intake")
            syncs0 = q.syncs()
            rq = self.load("print", q.uri("secure"), "--clients", n, "--duration", s)
            syncs = (q.syncs() - syncs0) / max(1, rq["jobs"])
            self.stop_all()
            c = self.cupsd("intake")
            rc = self.load("print", c.uri(), "--clients", n, "--duration", s)
        finally:
            self.stop_all()
            self.report_log("intake")
        self.results["intake"] = dict(quired=rq, cups=rc, syncs_per_job=syncs)
        sc = f"a. intake {n}c {s}s"
        self.row(sc, "jobs/s", rq["jobs_per_s"], rc["jobs_per_s"], rq["jobs_per_s"] / rc["jobs_per_s"], ">= 3x")
        self.row(sc, "p50 ms", rq["p50_ms"], rc["p50_ms"])
        self.row(sc, "p99 ms", rq["p99_ms"], rc["p99_ms"], None, "quired < 20 ms")
        self.row(sc, "errors", rq["errors"], rc["errors"])
        self.row(sc, "syncs per acknowledged job", syncs, None)

    def sustained(self):
        """b. Sustained held intake, 8 clients."""
        n, s, ser = 8, self.size["sustained_s"], self.size["series_s"]
        log(f"\n## b. sustained held intake: {n} clients, {s} s")
        try:
            q = self.quired("sustained")
            rq = self.load("print", q.uri("secure"), "--clients", n, "--duration", s, "--series", ser)
            rss_q = rss_mb(q.pid)
            self.stop_all()
            c = self.cupsd("sustained")
            rc = self.load("print", c.uri(), "--clients", n, "--duration", s, "--series", ser)
            rss_c = rss_mb(c.proc.pid)
        finally:
            self.stop_all()
            self.report_log("sustained")
        self.results["sustained"] = dict(quired=rq, cups=rc)
        sc = f"b. sustained {n}c {s}s"
        self.row(sc, "jobs/s", rq["jobs_per_s"], rc["jobs_per_s"], rq["jobs_per_s"] / rc["jobs_per_s"], ">= 10x")
        self.row(sc, f"first {ser}s jobs/s", rq["series"][0], rc["series"][0])
        self.row(sc, f"last {ser}s jobs/s", rq["series"][-1], rc["series"][-1])
        self.row(sc, "last/first", rq["series"][-1] / rq["series"][0], rc["series"][-1] / rc["series"][0],
                 None, "quired >= 0.80")
        self.row(sc, "p99 ms", rq["p99_ms"], rc["p99_ms"])
        self.row(sc, "errors", rq["errors"], rc["errors"])
        self.row(sc, "server RSS MB after the run", rss_q, rss_c)

    def get_jobs(self):
        """c. Get-Jobs listing N completed jobs."""
        n = self.size["completed"]
        log(f"\n## c. Get-Jobs of {n} completed jobs")
        try:
            q = self.quired("getjobs")
            self.load("print", q.uri("demo"), "--clients", 8, "--count", n, "--no-hold")
            self.load("wait-done", q.uri("demo"))
            rq = self.load("get-jobs", q.uri("demo"), "--which", "completed", "--repeat", 10)
            self.stop_all()
            q = self.quired("getjobs", data_dir=q.data_dir)
            time.sleep(1)
            rq_cold = self.load("get-jobs", q.uri("demo"), "--which", "completed", "--repeat", 1)
            self.stop_all()
            c = self.cupsd("getjobs")
            self.load("print", c.uri(), "--clients", 8, "--count", n, "--no-hold")
            self.load("wait-done", c.uri(), "--timeout", 1800)
            rc = self.load("get-jobs", c.uri(), "--which", "completed", "--repeat", 5)
            # The first listing after a restart shows the cold case. (CUPS
            # answers a job-id-only listing from its in-memory job index, without
            # reading the jobs' control files; asking for other attributes makes
            # it load every job and caps a history listing at 500.)
            self.stop_all()
            c = self.cupsd("getjobs", again=c)
            time.sleep(1)
            rc_cold = self.load("get-jobs", c.uri(), "--which", "completed", "--repeat", 1)
        finally:
            self.stop_all()
            self.report_log("getjobs")
        self.results["get_jobs"] = dict(quired=rq, cups=rc, quired_cold=rq_cold, cups_cold=rc_cold)
        sc = f"c. Get-Jobs {n} completed"
        self.row(sc, "jobs listed", rq["jobs"], rc["jobs"])
        self.row(sc, "warm: ms per call (median)", rq["ms_median"], rc["ms_median"],
                 rc["ms_median"] / rq["ms_median"], ">= 20x faster")
        self.row(sc, "cold: ms of the first call after a restart", rq_cold["ms_first"], rc_cold["ms_first"],
                 rc_cold["ms_first"] / rq_cold["ms_first"], ">= 20x faster")
        self.row(sc, "jobs listed after the restart", rq_cold["jobs"], rc_cold["jobs"])

    def park_quired(self, name):
        """Fills a fresh quired with held jobs; returns it and the ids of the releaser's jobs."""
        z = self.size
        q = self.quired(name)
        self.load("print", q.uri("secure"), "--clients", 32, "--count", z["quired_parked"] - z["release"])
        ids = os.path.join(self.tmp, name + ".ids")
        self.load("print", q.uri("secure"), "--clients", 8, "--count", z["release"], "--user", "releaser",
                  "--ids-out", ids)
        return q, ids

    def backlog(self):
        """d. Intake with a big held backlog; release 1,000 of it."""
        z = self.size
        log(f"\n## d. backlog: quired {z['quired_parked']} held, CUPS {z['cups_parked']} held; release {z['release']}")
        window = ("--clients", 32, "--duration", z["window_s"], "--series", 1)
        try:
            q, ids = self.park_quired("backlog")
            time.sleep(1)
            rss_parked = rss_mb(q.pid)
            relq = self.load("release", q.uri("secure"), "--ids", ids, "--user", "releaser", "--clients", 32,
                             "--wait-sink", os.path.join(q.data_dir, "sink", "demo"))
            # This machine's speed drifts by +-20 % over minutes: alternate short
            # windows on a fresh (empty) server and on the parked one, and compare
            # the medians, so that drift hits both sides alike.
            empties, fulls = [], []
            for i in range(z["rounds"]):
                e = self.quired(f"backlog-empty{i}")
                empties.append(self.load("print", e.uri("secure"), *window))
                self.stop(e)
                fulls.append(self.load("print", q.uri("secure"), *window))
            self.stop_all()
            c = self.cupsd("backlog")
            cids = os.path.join(self.tmp, "backlog-cups.ids")
            self.load("print", c.uri(), "--clients", 32, "--count", z["cups_parked"] - z["release"])
            self.load("print", c.uri(), "--clients", 8, "--count", z["release"], "--user", "releaser",
                      "--ids-out", cids)
            rss_cups = rss_mb(c.proc.pid)
            relc = self.load("release", c.uri(), "--ids", cids, "--user", "releaser", "--clients", 32,
                             "--wait-user", "releaser")
            fullc = self.load("print", c.uri(), "--clients", 32, "--count", z["cups_backlog_count"])
        finally:
            self.stop_all()
            self.report_log("backlog")
        self.backlog_dir = q.data_dir
        empty_rate = statistics.median(r["jobs_per_s"] for r in empties)
        full_rate = statistics.median(r["jobs_per_s"] for r in fulls)
        self.results["backlog"] = dict(quired_empty=empties, quired_full=fulls, quired_release=relq,
                                       cups_release=relc, cups_full=fullc, quired_rss_parked_mb=rss_parked,
                                       cups_rss_parked_mb=rss_cups)
        sc = "d. backlog"
        rounds = f"median of {z['rounds']} x {z['window_s']} s"
        self.row(sc, f"quired intake, empty server ({rounds}) jobs/s", empty_rate, None)
        self.row(sc, f"intake with parked jobs/s (quired {z['quired_parked']}+, {rounds} / "
                 f"CUPS {z['cups_parked']}, {z['cups_backlog_count']} jobs)",
                 full_rate, fullc["jobs_per_s"], full_rate / fullc["jobs_per_s"])
        self.row(sc, "quired parked/empty intake", full_rate / empty_rate, None, None, ">= 0.90")
        self.row(sc, "quired parked/empty per round: " + " ".join(
            f"{f['jobs_per_s'] / e['jobs_per_s']:.2f}" for e, f in zip(empties, fulls)), None, None)
        self.row(sc, "p99 ms with parked (worst round)", max(r["p99_ms"] for r in fulls), fullc["p99_ms"])
        self.row(sc, f"release {z['release']}: responses s", relq["responses_s"], relc["responses_s"])
        self.row(sc, f"release {z['release']}: until printed s", relq["done_s"], relc["done_s"],
                 relc["done_s"] / relq["done_s"], ">= 10x faster")
        self.row(sc, "errors (release)", relq["errors"], relc["errors"])
        self.row(sc, "server RSS MB with the jobs parked (idle)", rss_parked, rss_cups)

    def footprint(self):
        """e. quired alone: idle RSS and start-up time with the backlog stored."""
        z = self.size
        log(f"\n## e. quired footprint and start-up with {z['quired_parked']}+ jobs stored")
        try:
            if self.backlog_dir is None:
                q, _ = self.park_quired("footprint")
                self.backlog_dir = q.data_dir
                self.stop_all()
            fresh = self.quired("fresh")
            time.sleep(2)
            rss_fresh = rss_mb(fresh.pid)
            # A burst fills the memtables; once the writer has been idle 30 s
            # (store::options::flush_when_idle) they are flushed and the memory
            # given back.
            self.load("print", fresh.uri("secure"), "--clients", 32, "--count", z["burst"])
            time.sleep(1)
            rss_burst = rss_mb(fresh.pid)
            time.sleep(35)
            rss_settled = rss_mb(fresh.pid)
            self.stop_all()
            starts, rss = [], []
            for _ in range(z["startups"]):
                q = self.quired("restart", data_dir=self.backlog_dir)
                starts.append(q.startup_s)
                time.sleep(2)
                rss.append(rss_mb(q.pid))
                jobs = self.load("get-jobs", q.uri("secure"), "--which", "all", "--repeat", 1)["jobs"]
                self.stop_all()
        finally:
            self.stop_all()
            self.report_log("restart")
        self.results["footprint"] = dict(rss_fresh_mb=rss_fresh, rss_burst_mb=rss_burst,
                                         rss_settled_mb=rss_settled, rss_restarted_mb=rss, startup_s=starts)
        sc = "e. footprint"
        self.row(sc, "idle RSS MB, fresh", rss_fresh, None, None, "< 50")
        self.row(sc, f"RSS MB 1 s after a burst of {z['burst']} held jobs", rss_burst, None)
        self.row(sc, "RSS MB after 35 s idle (memtables flushed)", rss_settled, None, None, "< 50")
        if "backlog" in self.results:
            self.row(sc, "RSS MB with the backlog (idle)", self.results["backlog"]["quired_rss_parked_mb"], None,
                     None, "< 50")
        self.row(sc, f"start-up s with the backlog stored (median of {len(starts)})", statistics.median(starts),
                 None, None, "< 1")
        self.row(sc, "idle RSS MB after restart", statistics.median(rss), None, None, "< 50")
        self.row(sc, "jobs of user bench listed after restart", jobs, None)

    def attrs(self):
        """f. Get-Printer-Attributes (all), 32 clients; rounds alternate the servers."""
        z, n = self.size, 32
        log(f"\n## f. Get-Printer-Attributes requested-attributes=all: {n} clients, "
            f"{z['rounds']} rounds of {z['attrs_s']} s")
        rq, rc = [], []
        try:
            q = self.quired("attrs")
            c = self.cupsd("attrs")
            for _ in range(z["rounds"]):
                rq.append(self.load("attrs", q.uri("secure"), "--clients", n, "--duration", z["attrs_s"]))
                rc.append(self.load("attrs", c.uri(), "--clients", n, "--duration", z["attrs_s"]))
        finally:
            self.stop_all()
            self.report_log("attrs")
        self.results["attrs"] = dict(quired=rq, cups=rc)
        med = lambda rs, k: statistics.median(r[k] for r in rs)
        sc = f"f. GPA all {n}c"
        rate_q, rate_c = med(rq, "jobs_per_s"), med(rc, "jobs_per_s")
        self.row(sc, f"requests/s (median of {z['rounds']})", rate_q, rate_c, rate_q / rate_c, ">= 2x")
        self.row(sc, "p99 ms (median)", med(rq, "p99_ms"), med(rc, "p99_ms"))
        self.row(sc, "response bytes (CUPS: a raw queue, no PPD)", rq[0]["response_bytes"], rc[0]["response_bytes"])
        self.row(sc, "errors", sum(r["errors"] for r in rq), sum(r["errors"] for r in rc))

    def ipps(self):
        """g. quired alone: held intake over IPPS against plain IPP, 32 clients."""
        z, n = self.size, 32
        log(f"\n## g. IPPS against IPP held intake on one quired: {n} clients, "
            f"{z['rounds']} rounds of {z['window_s']} s each")
        plain, tls = [], []
        try:
            q = self.quired("ipps")
            for _ in range(z["rounds"]):
                plain.append(self.load("print", q.uri("secure"), "--clients", n, "--duration", z["window_s"]))
                tls.append(self.load("print", q.uri("secure", "ipps"), "--clients", n, "--duration", z["window_s"]))
        finally:
            self.stop_all()
            self.report_log("ipps")
        self.results["ipps"] = dict(ipp=plain, ipps=tls)
        med = lambda rs, k: statistics.median(r[k] for r in rs)
        sc = f"g. IPPS intake {n}c"
        self.row(sc, f"IPP jobs/s (median of {z['rounds']})", med(plain, "jobs_per_s"), None)
        self.row(sc, f"IPPS jobs/s (median of {z['rounds']})", med(tls, "jobs_per_s"), None)
        self.row(sc, "IPPS/IPP", med(tls, "jobs_per_s") / med(plain, "jobs_per_s"), None, None, ">= 0.70")
        self.row(sc, "p99 ms IPP / IPPS", med(plain, "p99_ms"), med(tls, "p99_ms"))
        self.row(sc, "errors", sum(r["errors"] for r in plain + tls), None)

    def lpd_round(self, port, queue, count, inetd=None):
        """One window of lpd_load; adds what the server lists afterwards.
        quired's last ack comes once the job is durable. cups-lpd acks the
        last file once it is in its own temporary file and submits the job
        (Create-Job, Send-Document) only after the sender has closed, so a
        job is in CUPS once its cups-lpd process has exited: the "in the
        server" rate counts until the last one has."""
        before = count()
        r = self.lpd_load(port, queue, "--clients", 32, "--duration", self.size["window_s"])
        end = max(r["end_mono"], inetd.wait_idle()) if inetd else r["end_mono"]
        r["listed"] = count() - before
        r["in_server_s"] = end - r["start_mono"]
        r["in_server_jobs_per_s"] = r["listed"] / r["in_server_s"] if r["in_server_s"] > 0 else 0.0
        log(f"    {r['listed']} new jobs listed not-completed ({r['jobs']} acknowledged); "
            f"{r['in_server_s']:.2f} s from the first connect until the last was in the server "
            f"= {r['in_server_jobs_per_s']:.1f} jobs/s; lpd_load used {r['generator_cpu_s']:.2f} s of CPU")
        return r

    def lpd(self):
        """h. LPD intake, 32 senders: quired's LPD listener against cups-lpd in
        front of cupsd, both held; rounds alternate the servers."""
        z, n = self.size, 32
        log(f"\n## h. LPD intake (held): {n} senders, {z['rounds']} rounds of {z['window_s']} s")
        rq, rc = [], []
        try:
            q = self.quired("lpd")
            c = self.cupsd("lpd")
            inetd = self.lpd_inetd("lpd", c)
            count_q = lambda: self.load("get-jobs", q.uri("secure"), "--which", "not-completed", "--repeat", 1)["jobs"]
            count_c = lambda: self.load("get-jobs", c.uri(), "--which", "not-completed", "--repeat", 1)["jobs"]
            for _ in range(z["rounds"]):
                rq.append(self.lpd_round(q.lpd_port, "secure", count_q))
                rc.append(self.lpd_round(inetd.port, "raw", count_c, inetd))
            # The first job of each server: really held?
            held_q = ipp_job_state(q.port, q.uri("secure"), 1)
            held_c = ipp_job_state(c.port, c.uri(), 1)
            all_c = self.load("get-jobs", c.uri(), "--which", "all", "--repeat", 1)["jobs"]
            inetd_cpu = inetd.cpu_s()
        finally:
            self.stop_all()
            self.report_log("lpd")
        self.results["lpd"] = dict(quired=rq, cups=rc, job1_quired=held_q, job1_cups=held_c, cups_all_jobs=all_c,
                                   lpd_inetd_cpu_s=inetd_cpu)
        med = lambda rs, k: statistics.median(r[k] for r in rs)
        sc = f"h. LPD intake {n}c"
        rounds = f"median of {z['rounds']} x {z['window_s']} s"
        rate_q, rate_c = med(rq, "jobs_per_s"), med(rc, "jobs_per_s")
        self.row(sc, f"jobs/s acknowledged ({rounds})", rate_q, rate_c, rate_q / rate_c, ">= 20x")
        in_q, in_c = med(rq, "in_server_jobs_per_s"), med(rc, "in_server_jobs_per_s")
        self.row(sc, "jobs/s until in the server (CUPS: until its cups-lpd exited)", in_q, in_c, in_q / in_c)
        self.row(sc, "p50 ms (median)", med(rq, "p50_ms"), med(rc, "p50_ms"))
        self.row(sc, "p99 ms (median)", med(rq, "p99_ms"), med(rc, "p99_ms"))
        self.row(sc, "errors", sum(r["errors"] for r in rq), sum(r["errors"] for r in rc))
        self.row(sc, "jobs acknowledged / listed not-completed afterwards",
                 f"{sum(r['jobs'] for r in rq)}/{sum(r['listed'] for r in rq)}",
                 f"{sum(r['jobs'] for r in rc)}/{sum(r['listed'] for r in rc)}")
        held = lambda h: h[0] if h[1] == "indefinite" else f"{h[0]} (job-hold-until {h[1]})"
        self.row(sc, "job 1's job-state (job-hold-until=indefinite unless said)", held(held_q), held(held_c))
        self.row(sc, "lpd_load CPU s per round (median)", med(rq, "generator_cpu_s"), med(rc, "generator_cpu_s"))
        self.row(sc, "lpd_inetd CPU s, all rounds (accept + spawn)", None, inetd_cpu)

    def table(self):
        log("\n## Summary (ratio: quired/CUPS for rates, CUPS/quired for times)")
        log(f"{'scenario':<26} {'figure':<72} {'quired':>12} {'CUPS':>12} {'ratio':>8}  target")
        for sc, fig, q, c, r, t in self.rows:
            f = lambda v: "-" if v is None else (f"{v:,.2f}" if isinstance(v, float) else str(v))
            log(f"{sc:<26} {fig:<72} {f(q):>12} {f(c):>12} {(f'{r:.2f}x' if r else '-'):>8}  {t}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="short runs, small job sets (for trying things out)")
    ap.add_argument("--intake", action="store_true", help="a. held intake, 32 clients, short burst")
    ap.add_argument("--sustained", action="store_true", help="b. sustained held intake, 8 clients, 120 s")
    ap.add_argument("--get-jobs", action="store_true", help="c. Get-Jobs of 10,000 completed jobs")
    ap.add_argument("--backlog", action="store_true", help="d. intake and release with a big held backlog")
    ap.add_argument("--footprint", action="store_true", help="e. quired's RSS and start-up with the backlog")
    ap.add_argument("--attrs", action="store_true", help="f. Get-Printer-Attributes (all), 32 clients")
    ap.add_argument("--ipps", action="store_true", help="g. quired's IPPS intake against its IPP intake")
    ap.add_argument("--lpd", action="store_true", help="h. LPD intake, 32 senders: quired against cups-lpd")
    ap.add_argument("--build", default=os.path.join(SOURCE_DIR, "build-bench"), help="the CMake build folder")
    ap.add_argument("--quired", help="quired binary (default BUILD/quired)")
    ap.add_argument("--ipp-load", help="ipp_load binary (default BUILD/bench/ipp_load)")
    ap.add_argument("--lpd-load", help="lpd_load binary (default BUILD/bench/lpd_load)")
    ap.add_argument("--json", help="also write every raw result to this file")
    ap.add_argument("--keep-temp", action="store_true", help="keep the temporary folder (logs, data)")
    ap.add_argument("--tmp", help="where the temporary folder goes (default: $TMPDIR or /tmp); "
                                  "prefer a file system area without recent mass deletions")
    args = ap.parse_args()

    for tool in ("cupsd", "lpadmin"):
        if not shutil.which(tool):
            sys.exit(f"compare_cups: {tool} not found; run .ci/install-deps bench")
    # A SIGTERM to this script must still stop both servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scenarios = ("intake", "sustained", "get_jobs", "backlog", "footprint", "attrs", "ipps", "lpd")
    chosen = [s for s in scenarios if getattr(args, s)] or list(scenarios)
    b = Bench(args)
    for exe in (b.ipp_load, b.quired_bin) + ((b.lpd_load_bin,) if "lpd" in chosen else ()):
        if not os.access(exe, os.X_OK):
            sys.exit(f"compare_cups: {exe} not built (cmake --build BUILD --target quired ipp_load lpd_load)")
    if "lpd" in chosen and not os.access(CUPS_LPD, os.X_OK):
        sys.exit(f"compare_cups: {CUPS_LPD} not found (package cups)")
    log(f"compare_cups: {'quick' if args.quick else 'full'} run of {', '.join(chosen)}; temp {b.tmp}")
    try:
        for s in chosen:
            getattr(b, s)()
    finally:
        b.stop_all()
        b.table()
        if args.json:
            with open(args.json, "w") as f:
                json.dump(dict(sizes=b.size, results=b.results), f, indent=1)
        if args.keep_temp:
            log(f"temporary folder kept: {b.tmp}")
        else:
            shutil.rmtree(b.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
