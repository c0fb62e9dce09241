"""Below the free-disk threshold the queues stop accepting new jobs (and say
why), jobs already accepted stay, and the queues accept again when space
returns. Runs quired on a small tmpfs, so it needs root (skipped otherwise)."""
import os
import subprocess
import tempfile
import time
import unittest

from quire_harness import Client, Quired, attr, request, wait_for

MIB = 1 << 20


def accepting(server, queue="secure"):
    c = Client(server.address)
    try:
        status, attrs = c.ipp(request("Get-Printer-Attributes", server.uri(queue),
                                      extra_op=attr("keyword", "requested-attributes", "printer-is-accepting-jobs",
                                                    "printer-state-reasons")), "/ipp/print/" + queue)
    finally:
        c.close()
    return attrs["printer-is-accepting-jobs"][0], attrs["printer-state-reasons"]


class DiskFull(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("mounting a tmpfs needs root")
        self.mount = tempfile.mkdtemp(prefix="quire-tmpfs-")
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", self.mount]).returncode != 0:
            os.rmdir(self.mount)
            self.skipTest("cannot mount a tmpfs here")
        self.server = Quired(data_dir=os.path.join(self.mount, "data"),
                             # random "PDFs" that a job processor would fail (and delete)
                             sets=["limits.min_free_disk_bytes=%d" % (40 * MIB), "processors.enabled=false"])

    def tearDown(self):
        self.server.__exit__(None, None, None)
        subprocess.run(["umount", self.mount])
        os.rmdir(self.mount)

    def test_queues_refuse_when_the_disk_fills_and_accept_again(self):
        self.server.start()
        doc = b"%PDF-1.4\n" + os.urandom(8 * MIB)  # incompressible, spooled to a file
        c = Client(self.server.address, timeout=60)
        accepted = []
        refused = None
        for _ in range(12):
            status, attrs = c.print_job(self.server.uri("secure"), doc, user="uma")
            if status != "successful-ok":
                refused = status
                break
            accepted.append(attrs["job-id"][0])
            time.sleep(1.2)  # the watch measures every second
        self.assertEqual(refused, "0x0506", accepted)  # server-error-not-accepting-jobs
        self.assertGreater(len(accepted), 0)
        ok, reasons = accepting(self.server)
        self.assertFalse(ok)
        self.assertIn("spool-area-full", reasons)
        status, _ = c.print_job(self.server.uri("demo"), b"%PDF-1.4 small", user="uma")
        self.assertEqual(status, "0x0506")  # every queue
        # What was accepted is all there.
        status, attrs = c.ipp(request("Get-Jobs", self.server.uri("secure"), "uma"), "/ipp/print/secure")
        self.assertEqual(sorted(attrs["job-id"]), sorted(accepted))
        # Space returns when the held jobs are canceled; the queues accept again.
        for job in accepted:
            status, _ = c.ipp(request("Cancel-Job", self.server.uri("secure"), "uma",
                                      extra_op=attr("integer", "job-id", job)), "/ipp/print/secure")
            self.assertEqual(status, "successful-ok")
        self.assertTrue(wait_for(lambda: accepting(self.server)[0], timeout=15))
        self.assertEqual(accepting(self.server)[1], ["none"])
        status, _ = c.print_job(self.server.uri("secure"), b"%PDF-1.4 small", user="uma")
        self.assertEqual(status, "successful-ok")
        c.close()


if __name__ == "__main__":
    unittest.main()
