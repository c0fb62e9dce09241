"""Hostile SNMP devices, end to end: quire-snmp-sim plays ten printers on
loopback ports, eight of them misbehaving (garbage, a wrong request id, a
wrong community, truncated answers, a 60,000-byte value, 10,000 supply rows,
answers from another printer's port, a page counter going backwards). quired
polls them all: it stays up, the ones that never give a valid answer are
offline, the ones with absurd values are clamped with a log line, and the two
honest printers beside them read whole and untouched."""
import os
import random
import socket
import subprocess
import tempfile
import time
import unittest

from quire_harness import Quired, printer_attributes, wait_for

BINARY_DIR = os.environ.get("QUIRE_BINARY_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
SIM = os.path.join(BINARY_DIR, "devices", "sim", "quire-snmp-sim")
INTERVAL = 5
MODES = {1: "garbage", 2: "wrong-id", 3: "wrong-community", 4: "truncated", 5: "oversized", 6: "many-rows",
         7: "from-other-port", 8: "backwards"}
SILENT_ONES = (1, 2, 3, 4, 7)  # never a valid answer
N = 10


def free_udp_range(n):
    """A base port with n free loopback UDP ports after it."""
    for _ in range(50):
        base = random.randint(20000, 60000 - n)
        socks = []
        try:
            for i in range(n):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", base + i))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free UDP port range")


class HostileDevices(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        base = free_udp_range(N)
        cls.sim = subprocess.Popen([SIM, "--printers", str(N), "--base-port", str(base)], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
        line = cls.sim.stdout.readline().strip()
        assert line.startswith("ready"), line
        for i, mode in MODES.items():
            cls.command("mode %d %s" % (i, mode))
        sets = ["monitoring.interval_s=%d" % INTERVAL, "monitoring.jitter_percent=0", "monitoring.timeout_ms=300",
                "monitoring.retries=0", "monitoring.offline_after=2", "monitoring.max_backoff_s=5"]
        for i in range(N):
            sets += ["printers.p%d.device_uri=file://${data_dir}/sink/p%d" % (i, i),
                     "printers.p%d.snmp_address=127.0.0.1:%d" % (i, base + i),
                     "queues.q%d.type=direct" % i, 'queues.q%d.printers=["p%d"]' % (i, i)]
        cls.server = Quired(sets=sets)
        cls.server.start()

    @classmethod
    def command(cls, text):
        cls.sim.stdin.write(text + "\n")
        cls.sim.stdin.flush()
        answer = cls.sim.stdout.readline().strip()
        assert answer == "ok", (text, answer)

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)
        cls.sim.stdin.close()
        cls.sim.wait(timeout=10)

    def attrs(self, queue, *names):
        status, got = printer_attributes(self.server, queue, *names)
        self.assertEqual(status, "successful-ok")
        return got

    def supplies(self, i):
        return self.attrs("q%d" % i, "printer-supply-description").get("printer-supply-description", [])

    def reasons(self, i):
        return self.attrs("q%d" % i, "printer-state-reasons")["printer-state-reasons"]

    def test_hostile_devices_hurt_nobody(self):
        honest = ["Black Toner", "Cyan Toner", "Magenta Toner", "Yellow Toner"]
        # Every printer has been polled at least twice after two intervals and
        # a bit; the silent ones need offline_after polls with back-off.
        deadline = time.time() + 6 * INTERVAL + 15
        while time.time() < deadline:
            done = all("offline-report" in self.reasons(i) for i in SILENT_ONES) and \
                all(self.supplies(i) == honest for i in (0, 9))
            if done:
                break
            time.sleep(0.5)
        self.assertIsNone(self.server.proc.poll(), "quired died")
        for i in SILENT_ONES:
            self.assertIn("offline-report", self.reasons(i), "p%d (%s)" % (i, MODES[i]))
        for i in (0, 9):
            self.assertEqual(self.supplies(i), honest, "p%d" % i)
            self.assertEqual(self.reasons(i), ["none"], "p%d" % i)
        # A 60,000-byte sysDescr is read (and cut), not refused.
        self.assertEqual(self.supplies(5), honest)
        self.assertNotIn("offline-report", self.reasons(5))
        # 10,000 supply rows: the first 64 are kept.
        self.assertTrue(wait_for(lambda: len(self.supplies(6)) == 64, timeout=2 * INTERVAL + 5), len(self.supplies(6)))
        # A page counter going backwards is not believed; the device is not offline.
        self.assertNotIn("offline-report", self.reasons(8))
        log = self.server.stderr()
        self.assertIn("snmp: dropped a datagram", log)
        self.assertIn("printer p6: device: a table has more than 64 rows", log)
        self.assertTrue(wait_for(lambda: "printer p8: the page counter went back" in self.server.stderr(),
                                 timeout=2 * INTERVAL + 5))
        # Communities are secrets: never in the log.
        self.assertNotIn("public", log)

    def test_a_device_that_turns_honest_comes_back(self):
        self.assertTrue(wait_for(lambda: "offline-report" in self.reasons(4), timeout=6 * INTERVAL + 15))
        self.command("mode 4 normal")
        try:
            self.assertTrue(wait_for(lambda: self.reasons(4) == ["none"], timeout=2 * INTERVAL + 5), self.reasons(4))
        finally:
            self.command("mode 4 truncated")


if __name__ == "__main__":
    unittest.main()
