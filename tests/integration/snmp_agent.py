"""A printer on SNMP for the monitoring tests: net-snmp's real snmpd on a free
loopback UDP port, answering the system group itself and the Host Resources
printer rows (1.3.6.1.2.1.25.3) and the Printer MIB (1.3.6.1.2.1.43) through
snmp_printer_pass.py (pass_persist), which reads a JSON state file that the
setters below rewrite, so a test can change the printer while it runs.

    p = SnmpPrinter(tmpdir); p.start()
    p.set_error_state(error_bits("doorOpen")); p.set_cover(COVER_OPEN)
    ...; p.stop()

snmpd runs unprivileged in the foreground (-f) with only its own config (-C -c),
only the modules it needs (-I), no MIB files (-M /dev/null -m ''), and its
persistent files in the temp folder (SNMP_PERSISTENT_DIR), so it writes
nothing outside it. Standard library only. Run this file for a self-test.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SNMPD = shutil.which("snmpd") or "/usr/sbin/snmpd"
PASS_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "snmp_printer_pass.py")

# The only snmpd modules loaded: the system group (sysDescr, sysObjectID,
# sysUpTime, sysName...), the snmp group (1.3.6.1.2.1.11) and snmpEngine
# (1.3.6.1.6.3.10.2.1) that every agent has (so, as on a real printer, the
# Printer MIB is not the end of the MIB view), community access control and
# pass_persist. Without -I snmpd would also answer this host's Host Resources
# MIB (its CPUs, disks and CUPS queues as hrDeviceTable rows), interfaces...
SNMPD_MODULES = "system_mib,sysORTable,snmp_mib,snmpEngine,vacm_conf,pass_persist"

OID_SYS_DESCR = "1.3.6.1.2.1.1.1.0"
OID_SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
OID_SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
OID_SYS_NAME = "1.3.6.1.2.1.1.5.0"
OID_HR_DEVICE_TYPE = "1.3.6.1.2.1.25.3.2.1.2.1"
OID_HR_DEVICE_STATUS = "1.3.6.1.2.1.25.3.2.1.5.1"
OID_HR_PRINTER_STATUS = "1.3.6.1.2.1.25.3.5.1.1.1"
OID_HR_PRINTER_ERROR_STATE = "1.3.6.1.2.1.25.3.5.1.2.1"
OID_PRT_NAME = "1.3.6.1.2.1.43.5.1.1.16.1"
OID_PRT_SERIAL = "1.3.6.1.2.1.43.5.1.1.17.1"
OID_PRT_COVER_STATUS = "1.3.6.1.2.1.43.6.1.1.3.1.1"
OID_PRT_LIFE_COUNT = "1.3.6.1.2.1.43.10.2.1.4.1.1"
OID_PRT_SUPPLIES = "1.3.6.1.2.1.43.11.1.1"       # .<column>.1.<row>
OID_PRT_ALERTS = "1.3.6.1.2.1.43.18.1.1"         # .<column>.1.<row>
SYS_OBJECT_ID = "1.3.6.1.4.1.8072.3.2.10"        # net-snmp's linux agent OID

# hrPrinterDetectedErrorState bits (RFC 2790 + RFC 3805): bit 0 is the most
# significant bit of the first octet, so as a 16-bit value bit n is 1 << (15 - n).
ERROR_BITS = ("lowPaper", "noPaper", "lowToner", "noToner", "doorOpen", "jammed", "offline",
              "serviceRequested", "inputTrayMissing", "outputTrayMissing", "markerSupplyMissing",
              "outputNearFull", "outputFull", "inputTrayEmpty", "overduePreventMaint")


def error_bits(*names):
    """The 16-bit value for set_error_state: error_bits("doorOpen", "jammed") == 0x0C00."""
    value = 0
    for name in names:
        value |= 1 << (15 - ERROR_BITS.index(name))
    return value


# hrDeviceStatus, hrPrinterStatus, prtCoverStatus (RFC 2790, RFC 3805).
DEVICE_UNKNOWN, DEVICE_RUNNING, DEVICE_WARNING, DEVICE_TESTING, DEVICE_DOWN = 1, 2, 3, 4, 5
PRINTER_OTHER, PRINTER_UNKNOWN, PRINTER_IDLE, PRINTER_PRINTING, PRINTER_WARMUP = 1, 2, 3, 4, 5
COVER_OPEN, COVER_CLOSED, INTERLOCK_OPEN, INTERLOCK_CLOSED = 3, 4, 5, 6
# prtAlertSeverityLevel; a few prtAlertCode values (PrtAlertCodeTC, RFC 3805).
SEVERITY_OTHER, SEVERITY_CRITICAL, SEVERITY_WARNING = 1, 3, 4
ALERT_COVER_OPEN, ALERT_JAM, ALERT_SUBUNIT_EMPTY, ALERT_DOOR_OPEN = 3, 8, 13, 501
ALERT_INPUT_MEDIA_SUPPLY_EMPTY, ALERT_TONER_EMPTY, ALERT_TONER_ALMOST_EMPTY = 808, 1101, 1104


def _alert_group(code):
    """prtAlertGroup for a prtAlertCode: cover(6), input(8), output(9), marker(10),
    markerSupplies(11), mediaPath(13), else generalPrinter(5)."""
    if code in (3, 4, 5, 6):
        return 6
    if code == 8:
        return 13
    return {8: 8, 9: 9, 10: 10, 11: 11, 13: 13}.get(code // 100, 5)


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client_env(home):
    """Environment for net-snmp's command-line tools: no host snmp.conf, no MIB
    files, persistent files under `home` (not /var/lib/snmp)."""
    env = dict(os.environ)
    env.update(SNMPCONFPATH=os.path.join(home, "client-conf"),
               SNMP_PERSISTENT_DIR=os.path.join(home, "client-persist"), MIBS="", MIBDIRS="/dev/null")
    os.makedirs(env["SNMPCONFPATH"], exist_ok=True)
    return env


class SnmpPrinter:
    """net-snmp's snmpd on 127.0.0.1:<free udp port>, answering community `community`,
    serving the system group, the Host Resources printer rows and the Printer MIB
    from a JSON state file that the methods below rewrite (atomically)."""

    def __init__(self, tmpdir, community="public", serial="QX-0001", name="lab-printer",
                 descr="Quire test printer"):
        self.dir = tempfile.mkdtemp(prefix="snmp-", dir=tmpdir)
        for path in (self.dir, PASS_SCRIPT, sys.executable):
            if any(c.isspace() for c in path):
                raise ValueError("snmpd splits pass_persist commands on blanks: %r" % path)
        self.community = community
        self.name = name
        self.descr = descr
        self.port = free_udp_port()
        self.state_path = os.path.join(self.dir, "printer.json")
        self.conf_path = os.path.join(self.dir, "snmpd.conf")
        self.log_path = os.path.join(self.dir, "snmpd.log")
        self.persist_dir = os.path.join(self.dir, "persist")
        self.proc = None
        self.silent = False
        self._epoch = time.time()
        self.state = {"descr": descr, "name": name, "serial": serial,
                      "device_status": DEVICE_RUNNING, "printer_status": PRINTER_IDLE, "error_state": 0,
                      "cover": COVER_CLOSED, "life_count": 0, "supplies": [], "alerts": []}
        self._write_state()

    # -- process --------------------------------------------------------

    def _write_conf(self):
        py, script, state = sys.executable, PASS_SCRIPT, self.state_path
        lines = [
            "agentaddress udp:127.0.0.1:%d" % self.port,
            "rocommunity %s 127.0.0.1" % self.community,
            "sysdescr %s" % self.descr,
            "sysname %s" % self.name,
            "sysobjectid %s" % SYS_OBJECT_ID,
            "syscontact Quire tests",
            "syslocation lab",
            "sysservices 72",
            "dontLogTCPWrappersConnects yes",
            "pass_persist .1.3.6.1.2.1.25.3 %s -S %s %s .1.3.6.1.2.1.25.3" % (py, script, state),
            "pass_persist .1.3.6.1.2.1.43 %s -S %s %s .1.3.6.1.2.1.43" % (py, script, state),
        ]
        with open(self.conf_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def command(self):
        return [SNMPD, "-f", "-Lo", "-C", "-c", self.conf_path, "-I", SNMPD_MODULES,
                "-M", "/dev/null", "-m", ""]

    def start(self, timeout=5.0):
        """Starts snmpd; returns once it answers (system group and both
        pass_persist subtrees) or raises RuntimeError."""
        os.makedirs(self.persist_dir, exist_ok=True)
        env = dict(os.environ, SNMP_PERSISTENT_DIR=self.persist_dir,
                   SNMPCONFPATH=self.dir, MIBS="", MIBDIRS="/dev/null")
        for attempt in range(3):
            self._write_conf()
            log_start = len(self.log())
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, env=env)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                # snmpd logs its version once its socket is open; then one GET also
                # starts both pass_persist scripts (snmpd starts them on first use).
                if "NET-SNMP version" not in self.log()[log_start:]:
                    time.sleep(0.02)
                    continue
                code, _ = self.snmp("snmpget", OID_SYS_UPTIME, OID_HR_DEVICE_STATUS, OID_PRT_SERIAL,
                                    timeout=1, retries=0)
                if code == 0:
                    self.silent = False
                    return self
                time.sleep(0.05)
            if self.proc.poll() is None:
                self.stop()
                break
            self.proc = None
            if "Error opening specified endpoint" not in self.log()[log_start:]:
                break
            self.port = free_udp_port()      # another process took the port: try another
        raise RuntimeError("snmpd did not answer on 127.0.0.1:%d:\n%s" % (self.port, self.log()))

    def stop(self, timeout=5.0):
        if not self.proc:
            return None
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.send_signal(signal.SIGCONT)     # a stopped (silent) snmpd must run to exit
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.silent = False
        return proc.returncode

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    def snmp(self, tool, *args, version="2c", timeout=1.0, retries=1):
        """Runs a net-snmp tool (snmpget, snmpwalk, snmpbulkwalk...) against this
        agent with numeric output (-On); returns (exit code, output)."""
        cmd = [tool, "-v", version, "-c", self.community, "-On", "-M", "/dev/null", "-m", "",
               "-t", str(timeout), "-r", str(retries), self.address] + list(args)
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           env=client_env(self.dir), timeout=timeout * (retries + 1) * 4 + 10)
        return r.returncode, r.stdout

    # -- state ----------------------------------------------------------

    def _write_state(self):
        tmp = self.state_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.state, f, indent=1)
        os.replace(tmp, self.state_path)

    def _update(self, **changes):
        self.state.update(changes)
        self._write_state()

    def set_error_state(self, bits: int):
        """hrPrinterDetectedErrorState as a 16-bit value, bit 0 (lowPaper) being the
        most significant bit of the first octet; see error_bits()."""
        if not 0 <= bits <= 0xFFFF:
            raise ValueError("error state is 16 bits")
        self._update(error_state=bits)

    def set_status(self, device_status: int, printer_status: int):
        """hrDeviceStatus (2 running, 3 warning, 5 down...) and hrPrinterStatus
        (1 other, 3 idle, 4 printing, 5 warmup)."""
        self._update(device_status=device_status, printer_status=printer_status)

    def set_life_count(self, pages: int):
        """prtMarkerLifeCount.1.1 (Counter32, wraps at 2**32)."""
        self._update(life_count=pages)

    def set_supplies(self, rows):
        """prtMarkerSuppliesTable rows 1..n: (description, max_capacity, level) and
        optionally type (default 3 toner), class (3 consumed, 4 receptacle) and
        unit (default 19 percent). Levels may be -1 other, -2 unknown, -3 some left."""
        supplies = []
        for r in rows:
            descr, max_capacity, level = r[:3]
            s = {"descr": descr, "max": max_capacity, "level": level}
            for key, value in zip(("type", "class", "unit"), r[3:]):
                s[key] = value
            supplies.append(s)
        self._update(supplies=supplies)

    def set_alerts(self, rows):
        """prtAlertTable rows 1..n: (severity 1 other/3 critical/4 warning,
        prtAlertCode (3 coverOpen, 8 jam, 13 subunitEmpty, 501 doorOpen,
        1101 markerTonerEmpty...), description) and optionally prtAlertGroup
        (default from the code). prtAlertTime is now, in sysUpTime-like ticks."""
        ticks = int((time.time() - self._epoch) * 100)
        alerts = []
        for r in rows:
            severity, code, descr = r[:3]
            group = r[3] if len(r) > 3 else _alert_group(code)
            alerts.append({"severity": severity, "code": code, "descr": descr, "group": group,
                           "time": ticks})
        self._update(alerts=alerts)

    def set_cover(self, status: int):
        """prtCoverStatus.1.1: 3 coverOpen, 4 coverClosed, 5 interlockOpen, 6 interlockClosed."""
        self._update(cover=status)

    def set_silent(self, silent: bool):
        """Stops answering (SIGSTOP on snmpd), like an unreachable device; False resumes."""
        if not self.proc:
            raise RuntimeError("snmpd is not running")
        self.proc.send_signal(signal.SIGSTOP if silent else signal.SIGCONT)
        self.silent = silent


# -- self-test --------------------------------------------------------------

def _values(output):
    """{oid without leading dot: value text} from -On output."""
    out = {}
    for line in output.splitlines():
        if " = " in line and line.startswith("."):
            oid, value = line.split(" = ", 1)
            out[oid[1:]] = value
    return out


def _self_test():
    tmp = tempfile.mkdtemp(prefix="quire-snmp-")
    p = SnmpPrinter(tmp, community="labcomm", serial="QX-4242")
    try:
        t0 = time.monotonic()
        p.start()
        started = time.monotonic() - t0
        rss = subprocess.run(["ps", "-o", "rss=", "-p", str(p.proc.pid)], stdout=subprocess.PIPE,
                             text=True).stdout.strip()
        rss_pass = subprocess.run(["ps", "-o", "rss=", "--ppid", str(p.proc.pid)], stdout=subprocess.PIPE,
                                  text=True).stdout.split()

        def get(*oids, version="2c"):
            code, out = p.snmp("snmpget", *oids, version=version)
            assert code == 0, out
            v = _values(out)
            assert len(v) == len(oids), out
            return v

        def walk(root, version="2c"):
            if version == "1":
                code, out = p.snmp("snmpwalk", "-CI", root, version="1")
            else:
                code, out = p.snmp("snmpbulkwalk", "-Cr10", root)
            assert code == 0, out
            found = _values(out)
            # An empty walk ends with a GET of the root (snmpbulkwalk has no -CI).
            if version != "1" and list(found) == [root] and found[root].startswith("No Such"):
                return {}
            return found

        for version in ("2c", "1"):
            v = get(OID_SYS_DESCR, OID_SYS_OBJECT_ID, OID_SYS_UPTIME, OID_SYS_NAME, OID_HR_DEVICE_TYPE,
                    OID_HR_DEVICE_STATUS, OID_HR_PRINTER_STATUS, OID_HR_PRINTER_ERROR_STATE,
                    OID_PRT_NAME, OID_PRT_SERIAL, OID_PRT_COVER_STATUS, OID_PRT_LIFE_COUNT, version=version)
            assert v[OID_SYS_DESCR] == 'STRING: "Quire test printer"', v
            assert v[OID_SYS_OBJECT_ID] == "OID: ." + SYS_OBJECT_ID, v
            assert v[OID_SYS_UPTIME].startswith("Timeticks: ("), v
            assert v[OID_SYS_NAME] == 'STRING: "lab-printer"', v
            assert v[OID_HR_DEVICE_TYPE] == "OID: .1.3.6.1.2.1.25.3.1.5", v
            assert v[OID_HR_DEVICE_STATUS] == "INTEGER: 2", v
            assert v[OID_HR_PRINTER_STATUS] == "INTEGER: 3", v
            assert v[OID_HR_PRINTER_ERROR_STATE] == "Hex-STRING: 00 00 ", v
            assert v[OID_PRT_NAME] == 'STRING: "lab-printer"', v
            assert v[OID_PRT_SERIAL] == 'STRING: "QX-4242"', v
            assert v[OID_PRT_COVER_STATUS] == "INTEGER: 4", v
            assert v[OID_PRT_LIFE_COUNT] == "Counter32: 0", v

        # Wrong community: no answer.
        r = subprocess.run(["snmpget", "-v2c", "-c", "wrong", "-On", "-M", "/dev/null", "-m", "", "-t", "0.3",
                            "-r", "0", p.address, OID_SYS_NAME], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, env=client_env(p.dir))
        assert r.returncode != 0 and "Timeout" in r.stdout, r.stdout

        # Setters, seen by both versions.
        p.set_error_state(error_bits("doorOpen", "jammed"))
        assert error_bits("doorOpen", "jammed") == 0x0C00
        p.set_status(DEVICE_WARNING, PRINTER_PRINTING)
        p.set_life_count(123456)
        p.set_cover(COVER_OPEN)
        for version in ("2c", "1"):
            v = get(OID_HR_PRINTER_ERROR_STATE, OID_HR_DEVICE_STATUS, OID_HR_PRINTER_STATUS,
                    OID_PRT_LIFE_COUNT, OID_PRT_COVER_STATUS, version=version)
            assert v[OID_HR_PRINTER_ERROR_STATE] == "Hex-STRING: 0C 00 ", v
            assert v[OID_HR_DEVICE_STATUS] == "INTEGER: 3", v
            assert v[OID_HR_PRINTER_STATUS] == "INTEGER: 4", v
            assert v[OID_PRT_LIFE_COUNT] == "Counter32: 123456", v
            assert v[OID_PRT_COVER_STATUS] == "INTEGER: 3", v
        p.set_error_state(error_bits("lowPaper", "overduePreventMaint"))
        p.set_life_count(2 ** 32 + 5)
        v = get(OID_HR_PRINTER_ERROR_STATE, OID_PRT_LIFE_COUNT)
        assert v[OID_HR_PRINTER_ERROR_STATE] == "Hex-STRING: 80 02 ", v
        assert v[OID_PRT_LIFE_COUNT] == "Counter32: 5", v

        # Ten supply rows, walked with GETBULK (v2c) and GETNEXT (v1).
        rows = [("Supply %d" % i, 100 * i, i * 7) for i in range(1, 10)] + [("Waste toner", -2, -3, 4, 4)]
        p.set_supplies(rows)
        for version in ("2c", "1"):
            w = walk(OID_PRT_SUPPLIES, version)
            assert len(w) == 8 * 10, (len(w), w)
            keys = list(w)
            assert keys == sorted(keys, key=lambda o: tuple(int(x) for x in o.split("."))), keys
            for i, (descr, cap, level, *rest) in enumerate(rows, 1):
                assert w["%s.6.1.%d" % (OID_PRT_SUPPLIES, i)] == 'STRING: "%s"' % descr, w
                assert w["%s.8.1.%d" % (OID_PRT_SUPPLIES, i)] == "INTEGER: %d" % cap, w
                assert w["%s.9.1.%d" % (OID_PRT_SUPPLIES, i)] == "INTEGER: %d" % level, w
                assert w["%s.4.1.%d" % (OID_PRT_SUPPLIES, i)] == "INTEGER: %d" % (rest[1] if rest else 3), w
                assert w["%s.5.1.%d" % (OID_PRT_SUPPLIES, i)] == "INTEGER: %d" % (rest[0] if rest else 3), w
        p.set_supplies([("Black toner", 100, 3)])
        w = walk(OID_PRT_SUPPLIES)
        assert len(w) == 8 and w[OID_PRT_SUPPLIES + ".9.1.1"] == "INTEGER: 3", w

        # Alerts.
        p.set_alerts([(SEVERITY_CRITICAL, ALERT_DOOR_OPEN, "Front door open"),
                      (SEVERITY_WARNING, ALERT_TONER_ALMOST_EMPTY, "Toner low")])
        for version in ("2c", "1"):
            w = walk(OID_PRT_ALERTS, version)
            assert len(w) == 8 * 2, w
            a = OID_PRT_ALERTS
            assert w[a + ".2.1.1"] == "INTEGER: 3" and w[a + ".2.1.2"] == "INTEGER: 4", w
            assert w[a + ".7.1.1"] == "INTEGER: 501" and w[a + ".7.1.2"] == "INTEGER: 1104", w
            assert w[a + ".8.1.1"] == 'STRING: "Front door open"', w
            assert w[a + ".4.1.2"] == "INTEGER: 11", w
            assert w[a + ".9.1.1"].startswith("Timeticks: ("), w
        p.set_alerts([])
        assert walk(OID_PRT_ALERTS) == {}

        # Whole printer: both subtrees, in order, and nothing of this host's own
        # Host Resources MIB (no hrStorage, hrSWRun, no other hrDevice rows).
        whole2 = walk("1.3.6.1.2.1.25")
        whole1 = walk("1.3.6.1.2.1.25", "1")
        assert whole1 == whole2 and set(whole2) == {
            "1.3.6.1.2.1.25.3.2.1.%d.1" % c for c in range(1, 7)} | {
            "1.3.6.1.2.1.25.3.5.1.1.1", "1.3.6.1.2.1.25.3.5.1.2.1"}, whole2
        all2 = walk("1.3.6.1.2.1")
        all1 = walk("1.3.6.1.2.1", "1")
        assert list(all2) == list(all1), (all2, all1)
        assert [o for o in all2 if not o.startswith(("1.3.6.1.2.1.1.", "1.3.6.1.2.1.11.",
                                                      "1.3.6.1.2.1.25.3.", "1.3.6.1.2.1.43."))] == [], all2
        assert all(not v.startswith("No ") for v in list(all1.values()) + list(all2.values())), all2
        code, out = p.snmp("snmpget", "1.3.6.1.2.1.43.5.1.1.17.2")
        assert "No Such Instance" in out or "No Such Object" in out, out

        # Silent: snmpget times out; then it answers again.
        p.set_silent(True)
        t1 = time.monotonic()
        code, out = p.snmp("snmpget", OID_SYS_NAME, timeout=0.5, retries=0)
        assert code != 0 and "Timeout" in out, out
        assert time.monotonic() - t1 >= 0.45
        p.set_silent(False)
        assert get(OID_PRT_SERIAL)[OID_PRT_SERIAL] == 'STRING: "QX-4242"'

        # Restart on the same folder; stop while silent.
        p.stop()
        p.start()
        p.set_silent(True)
        assert p.stop() is not None

        persisted = sorted(os.listdir(p.persist_dir))
        print("snmpd start: %.2f s, RSS %s KiB (pass_persist scripts %s KiB), persistent files %s"
              % (started, rss, "+".join(rss_pass), persisted))
        print("snmp_agent self-test OK")
    finally:
        p.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    _self_test()
