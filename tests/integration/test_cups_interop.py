"""A real CUPS in front of Quire: a private cupsd on loopback makes a queue
for Quire's pull queue with `lpadmin -m everywhere` (the driverless IPP
Everywhere path every Linux desktop takes), `lp` prints a PDF, and the job
lands held in Quire under the user CUPS says; released, it prints."""
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from quire_harness import SAMPLE_PDF, Quired, attr, Client, request, wait_for

CUPS_FILES = """ServerRoot {r}/etc
RequestRoot {r}/spool
TempDir {r}/spool/tmp
CacheDir {r}/cache
StateDir {r}/state
ErrorLog {r}/log/error_log
AccessLog {r}/log/access_log
PageLog {r}/log/page_log
"""

CUPSD = """Listen 127.0.0.1:{port}
Browsing No
BrowseLocalProtocols none
DefaultAuthType None
DefaultEncryption Never
WebInterface No
LogLevel info
<Location />
  Order allow,deny
  Allow from 127.0.0.1
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@unittest.skipUnless(shutil.which("cupsd") and shutil.which("lpadmin") and shutil.which("lp") and
                     os.path.exists("/usr/lib/cups/filter/pdftopdf"), "needs cups-daemon, cups-client, cups-filters")
class CupsInFront(unittest.TestCase):
    def setUp(self):
        self.server = Quired()
        self.server.start()
        self.addCleanup(self.server.__exit__, None, None, None)
        self.root = tempfile.mkdtemp(prefix="quire-cupsd-")
        os.chmod(self.root, 0o755)  # cupsd's filters run as lp
        self.addCleanup(shutil.rmtree, self.root, True)
        for d in ("etc", "spool", "cache", "state", "log"):
            os.makedirs(os.path.join(self.root, d))
        os.makedirs(os.path.join(self.root, "spool", "tmp"), mode=0o1777)
        os.chmod(os.path.join(self.root, "spool", "tmp"), 0o1777)
        self.port = free_port()
        with open(os.path.join(self.root, "etc", "cups-files.conf"), "w") as f:
            f.write(CUPS_FILES.format(r=self.root))
        with open(os.path.join(self.root, "etc", "cupsd.conf"), "w") as f:
            f.write(CUPSD.format(port=self.port))
        self.cupsd = subprocess.Popen(["cupsd", "-f", "-c", os.path.join(self.root, "etc", "cupsd.conf"), "-s",
                                       os.path.join(self.root, "etc", "cups-files.conf")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.addCleanup(self.stop_cupsd)
        self.assertTrue(wait_for(self.cupsd_listens, timeout=20), "cupsd did not start")

    def cupsd_listens(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop_cupsd(self):
        self.cupsd.terminate()
        try:
            self.cupsd.wait(20)
        except subprocess.TimeoutExpired:
            self.cupsd.kill()
            self.cupsd.wait()

    def cups(self, *cmd):
        p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p.stdout

    def test_lp_through_cups_lands_held_under_the_user(self):
        host = "127.0.0.1:%d" % self.port
        # waitjob=false: CUPS's ipp backend would otherwise wait for the held job to finish.
        self.cups("lpadmin", "-h", host, "-p", "quire", "-E", "-v", self.server.uri("secure") + "?waitjob=false",
                  "-m", "everywhere")
        self.cups("lp", "-h", host, "-d", "quire", "-U", "carol", "-t", "thesis-draft", SAMPLE_PDF)
        c = Client(self.server.address)
        query = request("Get-Jobs", self.server.uri("secure"), "carol",
                        extra_op=attr("keyword", "requested-attributes", "job-id", "job-state", "job-state-reasons",
                                      "job-originating-user-name", "document-format-supplied"))
        # CUPS sends Create-Job, then Send-Document: wait for the document too.
        self.assertTrue(wait_for(lambda: "document-format-supplied" in c.ipp(query)[1], timeout=60),
                        "no job reached Quire")
        status, jobs = c.ipp(query)
        self.assertEqual(status, "successful-ok")
        self.assertEqual(len(jobs["job-id"]), 1)
        self.assertEqual(jobs["job-state"], [4])  # pending-held: a pull queue holds it
        self.assertEqual(jobs["job-originating-user-name"], ["carol"])
        self.assertEqual(jobs["document-format-supplied"], ["application/pdf"])
        status, _ = c.ipp(request("Release-Job", self.server.uri("secure"), "carol",
                                  extra_op=attr("integer", "job-id", jobs["job-id"][0])))
        self.assertEqual(status, "successful-ok")
        c.close()
        sink = lambda: glob.glob(os.path.join(self.server.sink(), "%d.*" % jobs["job-id"][0]))
        self.assertTrue(wait_for(lambda: sink(), timeout=20))
        time.sleep(0.2)
        with open(sink()[0], "rb") as f:
            self.assertTrue(f.read(5) == b"%PDF-")


if __name__ == "__main__":
    unittest.main()
