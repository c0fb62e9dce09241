"""Authenticated IPP: a queue that requires a login, HTTP Basic over TLS
only, the authenticated user owning the job whatever requesting-user-name
says, and administrators seeing everyone's jobs."""
import base64
import http.client
import os
import ssl
import subprocess
import unittest

from quire_harness import SAMPLE_PDF, Quired, attr, parse_response, request

BINARY_DIR = os.environ.get("QUIRE_BINARY_DIR", "build")
QUIRECTL = os.path.join(BINARY_DIR, "quirectl")
PDF = open(SAMPLE_PDF, "rb").read()


class IppAuth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Quired(sets=["queues.secure.authentication=required"])
        add = subprocess.run([cls.server.command()[0], "--data-dir", cls.server.data_dir, "--add-admin", "root"],
                             input="root-pw-1\n", capture_output=True, text=True, timeout=60)
        assert add.returncode == 0, add.stderr
        cls.server.start()
        cls.cert = os.path.join(cls.server.data_dir, "tls", "server.crt")
        env = dict(os.environ, QUIRE_USER="root", QUIRE_PASSWORD="root-pw-1")
        p = subprocess.run([QUIRECTL, "--server", "https://" + cls.server.address, "--cacert", cls.cert, "user", "add",
                            "alice", "--password-stdin"], input="alice-pw-1\n", capture_output=True, text=True,
                           env=env, timeout=60)
        assert p.returncode == 0, p.stdout + p.stderr

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def post(self, queue, body, tls=True, login=None):
        host, port = self.server.address.rsplit(":", 1)
        if tls:
            conn = http.client.HTTPSConnection(host, int(port), timeout=30,
                                               context=ssl.create_default_context(cafile=self.cert))
        else:
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
        headers = {"Content-Type": "application/ipp"}
        if login:
            headers["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % login).encode()).decode()
        try:
            conn.request("POST", "/ipp/print/" + queue, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            return r.status, r.getheader("WWW-Authenticate"), parse_response(data) if data else (None, {})
        finally:
            conn.close()

    def print_job(self, queue, user, tls=True, login=None, name="auth-test"):
        body = request("Print-Job", "ipps://%s/ipp/print/%s" % (self.server.address, queue), user,
                       extra_op=attr("name", "job-name", name) + attr("mime", "document-format", "application/pdf"))
        return self.post(queue, body + PDF, tls, login)

    def job_attrs(self, queue, job_id, login, user="whoever"):
        body = request("Get-Job-Attributes", "ipps://%s/ipp/print/%s" % (self.server.address, queue), user,
                       extra_op=attr("integer", "job-id", job_id))
        return self.post(queue, body, True, login)

    def test_a_required_queue_refuses_without_a_login(self):
        http_status, challenge, (status, _) = self.print_job("secure", "alice", tls=False)
        self.assertEqual(http_status, 200)
        self.assertEqual(status, "0x0402")  # client-error-not-authenticated: no password over plain HTTP
        http_status, challenge, (status, _) = self.print_job("secure", "alice")
        self.assertEqual(http_status, 401)
        self.assertIn('Basic realm="Quire"', challenge)
        self.assertEqual(status, "0x0402")
        http_status, challenge, _ = self.print_job("secure", "alice", login=("alice", "wrong"))
        self.assertEqual(http_status, 401)
        self.assertIsNotNone(challenge)
        # Credentials over plain HTTP are not even looked at.
        _, _, (status, _) = self.print_job("secure", "alice", tls=False, login=("alice", "alice-pw-1"))
        self.assertEqual(status, "0x0402")

    def test_b_the_authenticated_user_owns_the_job(self):
        http_status, _, (status, attrs) = self.print_job("secure", "mallory", login=("alice", "alice-pw-1"))
        self.assertEqual((http_status, status), (200, "successful-ok"))
        job = attrs["job-id"][0]
        _, _, (status, attrs) = self.job_attrs("secure", job, ("alice", "alice-pw-1"))
        self.assertEqual(status, "successful-ok")
        self.assertEqual(attrs["job-originating-user-name"], ["alice"])
        # On a queue without required login, a login still decides the owner...
        _, _, (status, attrs) = self.print_job("demo", "mallory", login=("alice", "alice-pw-1"))
        self.assertEqual(status, "successful-ok")
        _, _, (status, attrs) = self.job_attrs("demo", attrs["job-id"][0], ("alice", "alice-pw-1"))
        self.assertEqual(attrs["job-originating-user-name"], ["alice"])
        # ... and without one, requesting-user-name does.
        _, _, (status, attrs) = self.print_job("demo", "dora")
        self.assertEqual(status, "successful-ok")

    def test_c_administrators_see_every_job(self):
        _, _, (status, attrs) = self.print_job("secure", "alice", login=("alice", "alice-pw-1"), name="alice-private")
        self.assertEqual(status, "successful-ok")
        job = attrs["job-id"][0]
        body = request("Get-Jobs", "ipps://%s/ipp/print/secure" % self.server.address, "root",
                       extra_op=attr("keyword", "requested-attributes", "job-id", "job-name"))
        _, _, (status, listed) = self.post("secure", body, True, ("root", "root-pw-1"))
        self.assertEqual(status, "successful-ok")
        self.assertIn(job, listed["job-id"])
        self.assertIn("alice-private", listed["job-name"])
        # Another user, logged in, sees neither the job's name nor its owner.
        env = dict(os.environ, QUIRE_USER="root", QUIRE_PASSWORD="root-pw-1")
        subprocess.run([QUIRECTL, "--server", "https://" + self.server.address, "--cacert", self.cert, "user", "add",
                        "bob", "--password-stdin"], input="bob-pw-1\n", capture_output=True, text=True, env=env, timeout=60,
                       check=True)
        _, _, (status, attrs) = self.job_attrs("secure", job, ("bob", "bob-pw-1"))
        self.assertEqual(status, "successful-ok")
        self.assertNotIn("job-name", attrs)
        self.assertNotIn("job-originating-user-name", attrs)
        mine = request("Get-Jobs", "ipps://%s/ipp/print/secure" % self.server.address, "root",
                       extra_op=attr("keyword", "requested-attributes", "job-id", "job-name"))
        _, _, (status, listed) = self.post("secure", mine, True, ("bob", "bob-pw-1"))
        self.assertEqual(status, "successful-ok")
        self.assertNotIn(job, listed.get("job-id", []))


if __name__ == "__main__":
    unittest.main()
