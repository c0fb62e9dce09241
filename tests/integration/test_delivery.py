"""Delivery to real devices, end to end: quired sends jobs over socket://
(raw 9100), lpd:// (RFC 1179) and ipp:// to independent receivers and the
documents arrive whole.

The "devices" are real servers: a second quired, whose raw and LPD listeners
take jobs into its own file sink (its demo queue prints at once), and CUPS's
ippeveprinter for IPP. A device that is down fails the job with a reason
after the driver's retries; the job that follows prints.
"""
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from quire_harness import SAMPLE_PDF, Client, Quired, attr, request, wait_for

PDF = open(SAMPLE_PDF, "rb").read()
IPPEVEPRINTER = "/usr/sbin/ippeveprinter"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def job_attrs(server, queue, job_id, user):
    c = Client(server.address)
    try:
        st, attrs = c.ipp(request("Get-Job-Attributes", server.uri(queue), user,
                                  extra_op=attr("integer", "job-id", job_id)), path="/ipp/print/" + queue)
        return attrs
    finally:
        c.close()


class Delivery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="quire-delivery-")
        # The device side: a quired whose raw listener and LPD queue "demo" print at once into its sink.
        cls.device = Quired(sets=["raw.dev.listen=127.0.0.1:0", "raw.dev.queue=demo", "processors.enabled=false"])
        cls.device.start()
        raw = cls.device.listeners["raw.dev"]
        lpd = cls.device.listeners["lpd"]
        # ippeveprinter: an IPP Everywhere printer that keeps what it prints
        # (it will not start without a D-Bus system bus: a private one).
        cls.ipp_port = free_port()
        cls.ipp_spool = os.path.join(cls.tmp, "ipp-spool")
        os.makedirs(cls.ipp_spool)
        bus = os.path.join(cls.tmp, "bus")
        with open(os.path.join(cls.tmp, "bus.conf"), "w") as f:
            f.write('<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" '
                    '"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n'
                    '<busconfig><type>system</type><listen>unix:path=%s</listen><policy context="default">'
                    '<allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/><allow user="*"/>'
                    '</policy></busconfig>\n' % bus)
        cls.bus = subprocess.Popen(["dbus-daemon", "--nofork", "--config-file=" + os.path.join(cls.tmp, "bus.conf")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(lambda: os.path.exists(bus), timeout=10), "dbus-daemon did not start"
        env = {"PATH": "/usr/bin:/bin", "HOME": cls.tmp, "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=" + bus}
        cls.ipp = subprocess.Popen([IPPEVEPRINTER, "-p", str(cls.ipp_port), "-n", "localhost", "-r", "off", "-k",
                                    "-d", cls.ipp_spool, "-f", "application/pdf", "-c", "/bin/true",
                                    "quire-test-printer"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        down = free_port()  # nothing listens there
        printers = {
            "sockp": "socket://%s" % raw,
            "lpdp": "lpd://%s/demo" % lpd,
            "ippp": "ipp://127.0.0.1:%d/ipp/print" % cls.ipp_port,
            "downp": "socket://127.0.0.1:%d" % down,
        }
        # [delivery]: one retry, soon (the defaults are 3 retries from 1 s).
        sets = ["processors.enabled=false", "delivery.retries=1", "delivery.backoff_ms=200"]
        for name, uri in printers.items():
            sets += ["printers.%s.device_uri=%s" % (name, uri), "queues.%s.type=direct" % name,
                     'queues.%s.printers=["%s"]' % (name, name)]
        # The IPP printer is asked which formats it takes (ippeveprinter -f).
        sets += ["printers.ippp.language=auto"]
        # A group queue that fails over: its first printer is down.
        sets += ["queues.fallback.type=group", 'queues.fallback.printers=["downp", "sockp"]',
                 "queues.fallback.failover=true"]
        cls.server = Quired(sets=sets)
        cls.server.start()
        assert wait_for(lambda: cls.ipp_ready(), timeout=20), "ippeveprinter did not start"

    @classmethod
    def ipp_ready(cls):
        try:
            with socket.create_connection(("127.0.0.1", cls.ipp_port), timeout=1):
                return True
        except OSError:
            return False

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)
        cls.device.__exit__(None, None, None)
        for p in (cls.ipp, cls.bus):
            p.terminate()
            p.wait(timeout=10)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def print_to(self, queue, user="dee"):
        c = Client(self.server.address)
        st, attrs = c.print_job(self.server.uri(queue), PDF, user=user, name="delivery-" + queue)
        c.close()
        self.assertEqual(st, "successful-ok")
        return attrs["job-id"][0]

    def finished(self, queue, job, user="dee", timeout=60):
        got = {}

        def done():
            got.update(job_attrs(self.server, queue, job, user))
            return got.get("job-state", [0])[0] in (7, 8, 9)
        self.assertTrue(wait_for(done, timeout=timeout, interval=0.2), got)
        return got

    def device_sink(self):
        return {p: read(p) for p in glob.glob(os.path.join(self.device.sink("demo"), "*"))}

    def test_socket_delivers_the_document_whole(self):
        before = set(self.device_sink())
        job = self.print_to("sockp")
        a = self.finished("sockp", job)
        self.assertEqual(a["job-state"], [9], a)  # completed
        self.assertIn("bytes", a.get("job-state-message", [""])[0])  # how it was confirmed
        self.assertTrue(wait_for(lambda: set(self.device_sink()) - before, timeout=20))
        new = [d for p, d in self.device_sink().items() if p not in before]
        self.assertEqual(new, [PDF])

    def test_lpd_delivers_under_the_owner(self):
        job = self.print_to("lpdp", user="lola")
        a = self.finished("lpdp", job, user="lola")
        self.assertEqual(a["job-state"], [9], a)
        # The device's LPD listener took the job for lola (the control file's P line).
        c = Client(self.device.address)
        st, jobs = c.ipp(request("Get-Jobs", self.device.uri("demo"), "lola",
                                 extra_op=attr("keyword", "which-jobs", "all") +
                                 attr("boolean", "my-jobs", True)), path="/ipp/print/demo")
        c.close()
        self.assertTrue(jobs.get("job-id"), jobs)

    def test_ipp_delivers_and_waits_for_the_printer(self):
        job = self.print_to("ippp")
        a = self.finished("ippp", job)
        self.assertEqual(a["job-state"], [9], a)
        self.assertIn("completed", a.get("job-state-message", [""])[0])
        # language = "auto": the device was asked, and said PDF.
        self.assertRegex(self.server.stderr(), r"printer ippp: the device takes \d+ format\(s\); jobs are sent as "
                                               r"application/pdf")
        kept = glob.glob(os.path.join(self.ipp_spool, "**", "*"), recursive=True)
        self.assertTrue(any(os.path.isfile(p) and read(p) == PDF for p in kept), kept)

    def test_a_device_that_is_down_fails_the_job_with_a_reason(self):
        job = self.print_to("downp")
        a = self.finished("downp", job, timeout=30)
        self.assertEqual(a["job-state"], [8], a)  # aborted
        self.assertIn("refused", a["job-state-message"][0])
        self.assertIn("(2 tries)", a["job-state-message"][0])  # delivery.retries = 1

    def test_failover_sends_the_job_to_the_next_printer_of_its_queue(self):
        before = set(self.device_sink())
        job = self.print_to("fallback")
        a = self.finished("fallback", job, timeout=30)
        self.assertEqual(a["job-state"], [9], a)  # completed, on sockp
        self.assertTrue(wait_for(lambda: len(set(self.device_sink()) - before) == 1, timeout=10))
        self.assertEqual(list(self.device_sink()[f] for f in set(self.device_sink()) - before), [PDF])


if __name__ == "__main__":
    unittest.main()
