"""The admin REST API end to end: the first administrator from `quired
--add-admin`, then quirectl (a real HTTPS client, verifying the generated
certificate) managing users, cards and PINs; refusals over plain HTTP, for
wrong credentials and for non-administrators; no secret on disk or in logs;
a job printed over IPP shown with its analysis and price, by id and in the
listing of its owner's jobs."""
import base64
import http.client
import json
import os
import ssl
import subprocess
import time
import unittest

from quire_harness import QUIRED, SAMPLE_PDF, Client, Quired

# quirectl beside the quired under test (QUIRED), unless CTest says where.
BINARY_DIR = os.environ.get("QUIRE_BINARY_DIR", os.path.dirname(os.path.abspath(QUIRED)))
QUIRECTL = os.path.join(BINARY_DIR, "quirectl")
ROOT_PASSWORD = "s3cret-root-pw"
CARD = "04A23B9C7F"
PIN = "246813"


class AdminApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Quired()
        add = subprocess.run([cls.server.command()[0], "--data-dir", cls.server.data_dir, "--add-admin", "root"],
                             input=ROOT_PASSWORD + "\n", capture_output=True, text=True, timeout=60)
        assert add.returncode == 0, add.stderr
        cls.server.start()
        cls.cert = os.path.join(cls.server.data_dir, "tls", "server.crt")

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def ctl(self, *args, user="root", password=ROOT_PASSWORD, stdin=None):
        env = dict(os.environ, QUIRE_USER=user, QUIRE_PASSWORD=password)
        p = subprocess.run([QUIRECTL, "--server", "https://%s" % self.server.address, "--cacert", self.cert] +
                           list(args), input=stdin, capture_output=True, text=True, env=env, timeout=60)
        return p.returncode, p.stdout + p.stderr

    def api(self, path, user="root", password=ROOT_PASSWORD):
        """GET `path` over TLS with Basic credentials: (status, JSON or None)."""
        host, port = self.server.address.rsplit(":", 1)
        ctx = ssl.create_default_context(cafile=self.cert)
        conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=10)
        token = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        try:
            conn.request("GET", path, headers={"Authorization": "Basic " + token})
            r = conn.getresponse()
            body = r.read()
        finally:
            conn.close()
        return r.status, (json.loads(body) if body else None)

    def test_a_user_lifecycle(self):
        code, out = self.ctl("whoami")
        self.assertEqual(code, 0, out)
        self.assertIn("root", out)
        code, out = self.ctl("user", "add", "alice", "--display-name", "Alice Liddell", "--group", "students",
                             "--password-stdin", stdin="alice-pw-1\n")
        self.assertEqual(code, 0, out)
        code, out = self.ctl("user", "add", "alice", "--password-stdin", stdin="x\n")
        self.assertEqual(code, 1, out)  # exists
        code, out = self.ctl("--json", "user", "list")
        self.assertEqual(code, 0, out)
        names = [u["name"] for u in json.loads(out)["users"]]
        self.assertEqual(names, ["alice", "root"])
        self.assertEqual(self.ctl("user", "card", "add", "alice", stdin=CARD + "\n")[0], 0)
        self.assertEqual(self.ctl("user", "pin", "set", "alice", stdin=PIN + "\n")[0], 0)
        code, out = self.ctl("--json", "user", "show", "alice")
        self.assertEqual(code, 0, out)
        shown = json.loads(out)
        self.assertEqual(shown["cards"], 1)
        self.assertTrue(shown["pin"])
        self.assertTrue(shown["password"])
        self.assertEqual(shown["display_name"], "Alice Liddell")
        self.assertNotIn(CARD, out)
        # The card and the PIN are alice's alone.
        self.assertEqual(self.ctl("user", "add", "bob", "--password-stdin", stdin="bob-pw-1\n")[0], 0)
        self.assertEqual(self.ctl("user", "card", "add", "bob", stdin=CARD.lower() + "\n")[0], 1)
        self.assertEqual(self.ctl("user", "pin", "set", "bob", stdin=PIN + "\n")[0], 1)
        # A user logs in but may not administer.
        code, out = self.ctl("whoami", user="alice", password="alice-pw-1")
        self.assertEqual(code, 0, out)
        self.assertEqual(self.ctl("user", "list", user="alice", password="alice-pw-1")[0], 1)
        self.assertEqual(self.ctl("whoami", user="alice", password="wrong")[0], 1)
        # A new password replaces the old one at once.
        self.assertEqual(self.ctl("user", "passwd", "alice", stdin="alice-pw-2\n")[0], 0)
        self.assertEqual(self.ctl("whoami", user="alice", password="alice-pw-1")[0], 1)
        self.assertEqual(self.ctl("whoami", user="alice", password="alice-pw-2")[0], 0)
        # The last administrator stays.
        self.assertEqual(self.ctl("user", "del", "root")[0], 1)
        self.assertEqual(self.ctl("user", "card", "del", "alice", stdin=CARD + "\n")[0], 0)
        self.assertEqual(self.ctl("user", "del", "alice")[0], 0)
        self.assertEqual(self.ctl("user", "show", "alice")[0], 1)

    def test_b_no_secret_on_disk_or_in_the_log(self):
        self.assertEqual(self.ctl("user", "add", "carol", "--password-stdin", stdin="carol-pw-1\n")[0], 0)
        self.assertEqual(self.ctl("user", "card", "add", "carol", stdin="77FF0011AA\n")[0], 0)
        self.assertEqual(self.ctl("user", "pin", "set", "carol", stdin="975310\n")[0], 0)
        secrets = [b"77FF0011AA", b"975310", b"carol-pw-1", ROOT_PASSWORD.encode()]
        found_name = False
        for folder, _, files in os.walk(self.server.data_dir):
            for f in files:
                with open(os.path.join(folder, f), "rb") as fh:
                    data = fh.read()
                found_name = found_name or b"carol" in data
                for s in secrets:
                    self.assertNotIn(s, data, os.path.join(folder, f))
        self.assertTrue(found_name, "the scan did not see the user records at all")
        log = self.server.stderr()
        for s in secrets:
            self.assertNotIn(s.decode(), log)

    def test_c_refusals_over_http(self):
        host, port = self.server.address.rsplit(":", 1)
        plain = http.client.HTTPConnection(host, int(port), timeout=10)
        plain.request("GET", "/api/v1/whoami")
        r = plain.getresponse()
        r.read()
        plain.close()
        self.assertEqual(r.status, 403)  # TLS only
        ctx = ssl.create_default_context(cafile=self.cert)
        tls = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=10)
        tls.request("GET", "/api/v1/users")
        r = tls.getresponse()
        r.read()
        tls.close()
        self.assertEqual(r.status, 401)
        self.assertIn("Basic", r.getheader("WWW-Authenticate", ""))

    def test_d_jobs_with_analysis_and_price(self):
        with open(SAMPLE_PDF, "rb") as f:
            pdf = f.read()
        c = Client(self.server.address)
        try:
            st, attrs = c.print_job(self.server.uri("secure"), pdf, user="dora", name="api-report")
        finally:
            c.close()
        self.assertEqual(st, "successful-ok")
        job_id = attrs["job-id"][0]

        job = None
        deadline = time.time() + 60
        while time.time() < deadline:
            code, job = self.api("/api/v1/jobs/%d" % job_id)
            self.assertEqual(code, 200, job)
            if job["analysis"]["status"] != "pending":
                break
            time.sleep(0.1)
        self.assertEqual(job["analysis"]["status"], "done", job)
        self.assertEqual(job["id"], job_id)
        self.assertEqual(job["owner"], "dora")
        self.assertEqual(job["queue"], "secure")
        self.assertEqual(job["name"], "api-report")
        self.assertEqual(job["state"], "held")  # a pull queue: waits for release
        self.assertEqual(job["analysis"]["pages"], 1)
        self.assertEqual(job["analysis"]["mono_pages"] + job["analysis"]["colour_pages"], 1)
        self.assertTrue(job["created"].endswith("Z"), job["created"])
        self.assertIsNone(job["completed"])
        price = job["price"]
        self.assertEqual(price["status"], "estimate")
        self.assertEqual(price["currency"], "EUR")
        self.assertEqual(price["minor_digits"], 2)
        self.assertTrue(price["text"])
        self.assertTrue(price["text"].endswith(" EUR"), price["text"])
        self.assertIsInstance(price["low"], int)
        self.assertLessEqual(price["low"], price["high"])
        self.assertNotIn("pin_hash", job)
        self.assertNotIn("origin_host", job)

        # The listing finds it by its owner, and only her jobs.
        code, page = self.api("/api/v1/jobs?user=dora&which=all")
        self.assertEqual(code, 200, page)
        self.assertEqual([j["id"] for j in page["jobs"]], [job_id])
        self.assertIsNone(page["next"])
        self.assertEqual(page["jobs"][0]["price"]["text"], price["text"])
        code, page = self.api("/api/v1/jobs?queue=secure&limit=1000")
        self.assertEqual(code, 200, page)
        self.assertIn(job_id, [j["id"] for j in page["jobs"]])
        code, page = self.api("/api/v1/jobs?user=dora&which=completed")
        self.assertEqual((code, page["jobs"]), (200, []))

        # Refusals.
        self.assertEqual(self.api("/api/v1/jobs/%d" % (job_id + 1000))[0], 404)
        self.assertEqual(self.api("/api/v1/jobs/abc")[0], 400)
        self.assertEqual(self.api("/api/v1/jobs?limit=0")[0], 400)
        self.assertEqual(self.api("/api/v1/jobs?color=red")[0], 400)
        self.assertEqual(self.api("/api/v1/jobs/%d" % job_id, password="wrong-password")[0], 401)
        self.assertEqual(self.ctl("user", "add", "eve", "--password-stdin", stdin="eve-pw-12\n")[0], 0)
        # Another user's job answers as a missing one (users see their own jobs only).
        self.assertEqual(self.api("/api/v1/jobs/%d" % job_id, user="eve", password="eve-pw-12")[0], 404)

        # quirectl shows the same.
        code, out = self.ctl("--json", "jobs", "list", "--owner", "dora", "--which", "all")
        self.assertEqual(code, 0, out)
        self.assertEqual([j["id"] for j in json.loads(out)["jobs"]], [job_id])
        code, out = self.ctl("jobs", "show", str(job_id))
        self.assertEqual(code, 0, out)
        self.assertIn("owner:     dora", out)
        self.assertIn(price["text"], out)
        code, out = self.ctl("jobs", "list", "--queue", "secure")
        self.assertEqual(code, 0, out)
        self.assertIn("api-report", out)
        self.assertEqual(self.ctl("jobs", "show", str(job_id + 1000))[0], 1)


if __name__ == "__main__":
    unittest.main()
