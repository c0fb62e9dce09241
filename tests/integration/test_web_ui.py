"""The web UI served by quired: the static routes (exact names only, so
traversal attempts are 404s; ETags and 304s; HEAD; the security headers; "/"
as the portal for browsers and the plain-text queue list for everyone else),
then the whole flow in headless Chromium (tests/browser/portal_flow.mjs):
portal log-in, a job over IPP and one uploaded through the portal appearing
held live, release by card at the kiosk, the portal seeing them printed live,
the admin console's live fleet and usage report, a printer and a queue added,
changed, refused and removed in the console (gone from the REST API
afterwards), an API token created and revoked in the portal, the
"administrators only" notice. The file sink must receive both jobs.

Needs Debian's chromium and `npm ci --prefix tests/browser` (.ci/install-deps
test does both). Screenshots go to a temporary folder whose path is printed
(QUIRE_WEB_UI_SHOTS to choose it); QUIRE_WEB_UI_UPLOAD=0 leaves out the
upload step (a server without POST /api/v1/print)."""
import glob
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from quire_harness import SAMPLE_PDF, SOURCE_DIR, Client, Quired, api_call, basic_auth, http_body, raw_exchange, wait_for

ROOT_PASSWORD = "s3cret-root-pw"
NEW_PRINTER = "web-lab"  # what the console adds and removes (portal_flow.mjs step 7b)
ALICE_PASSWORD = "alice-pw-123"
BROWSER_DIR = os.path.join(SOURCE_DIR, "tests", "browser")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'")


class WebUi(unittest.TestCase):
    server = None
    token = None

    @classmethod
    def request(cls, method, path, body=None, headers=None):
        status, raw, hdrs = api_call(cls.server.address, method, path, body, headers, raw=True)
        return status, hdrs, raw

    @classmethod
    def admin(cls, method, path, body=None):
        status, _, raw = cls.request(method, path, body, basic_auth("root", ROOT_PASSWORD))
        return status, (json.loads(raw) if raw else None)

    @classmethod
    def setUpClass(cls):
        sets = ["api.allow_plain_loopback=true", "accounting.prepaid=true", "accounting.initial_credit=500",
                'printers.demo.login=["card", "pin", "password"]']
        cls.server = Quired(sets=sets)
        cls.server.add_admin("root", ROOT_PASSWORD)
        cls.server.start()
        for method, path, body in (("POST", "/api/v1/users", {"name": "alice", "password": ALICE_PASSWORD}),
                                   ("POST", "/api/v1/users/alice/cards", {"card_id": "CARD-ALICE"})):
            status, answer = cls.admin(method, path, body)
            assert status in (201, 204), (path, status, answer)
        status, answer = cls.admin("POST", "/api/v1/terminals", {"name": "kiosk1", "printer": "demo"})
        assert status == 201, (status, answer)
        cls.token = answer["token"]

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    # --- the static routes, without a browser -----------------------------------

    def test_pages_carry_the_security_headers(self):
        for path in ("/admin", "/kiosk"):
            status, h, body = self.request("GET", path)
            self.assertEqual(status, 200, path)
            self.assertTrue(h["content-type"].startswith("text/html"), path)
            self.assertEqual(h["content-security-policy"], CSP)
            self.assertEqual(h["x-content-type-options"], "nosniff")
            self.assertEqual(h["referrer-policy"], "no-referrer")
            self.assertEqual(h["cache-control"], "no-cache")
            self.assertNotIn(b"<script>", body)  # the CSP would block an inline script
        status, h, _ = self.request("GET", "/static/portal.js")
        self.assertEqual(status, 200)
        self.assertTrue(h["content-type"].startswith("text/javascript"))
        self.assertEqual(h["cache-control"], "public, max-age=3600")

    def test_root_is_the_portal_for_browsers_and_text_for_the_rest(self):
        status, h, body = self.request("GET", "/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        self.assertEqual(status, 200)
        self.assertIn(b"/static/portal.js", body)
        self.assertEqual(h["vary"], "Accept")
        status, h, body = self.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertTrue(h["content-type"].startswith("text/plain"))
        self.assertIn(b"/ipp/print/secure", body)
        status, _, listing = self.request("GET", "/queues.txt", headers={"Accept": "text/html"})
        self.assertEqual((status, listing), (200, body))

    def test_etag_revalidation_and_head(self):
        status, h, body = self.request("GET", "/static/style.css")
        self.assertEqual(status, 200)
        etag = h["etag"]
        self.assertRegex(etag, r'^"[0-9a-f]{32}"$')
        status, h304, again = self.request("GET", "/static/style.css", headers={"If-None-Match": etag})
        self.assertEqual((status, again), (304, b""))
        self.assertEqual(h304["etag"], etag)
        status, _, _ = self.request("GET", "/kiosk", headers={"If-None-Match": 'W/"x", ' + etag})
        self.assertEqual(status, 200)  # another file's tag
        # HEAD: the GET's headers, no body; the connection stays usable.
        host, port = self.server.address.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("HEAD", "/static/style.css")
        r = conn.getresponse()
        self.assertEqual((r.status, r.read()), (200, b""))
        self.assertEqual(int(r.getheader("Content-Length")), len(body))
        self.assertEqual(r.getheader("ETag"), etag)
        conn.request("GET", "/static/icon.svg")
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        self.assertIn(b"<svg", r.read())
        conn.close()

    def test_traversal_attempts_are_404s(self):
        for target in (b"/static/../index.html", b"/static/%2e%2e/index.html", b"/static/..%2f..%2fetc%2fpasswd",
                       b"/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd", b"/static/..\\..\\etc\\passwd",
                       b"/static/portal.js%00", b"/static/./portal.js", b"/static//etc/passwd",
                       b"/static/PORTAL.JS", b"/static/", b"/static/../../../../etc/passwd",
                       b"/static/portal.js/.", b"/static/%252e%252e/index.html"):
            raw = raw_exchange(self.server.address, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n"
                               b"Connection: close\r\n\r\n")
            self.assertTrue(raw.startswith(b"HTTP/1.1 404"), (target, raw[:200]))
            self.assertNotIn(b"root:", http_body(raw))
        # A NUL or a raw control byte in the target: refused, never served.
        raw = raw_exchange(self.server.address, b"GET /static/portal.js\x00 HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertFalse(raw.startswith(b"HTTP/1.1 200"), raw[:200])
        self.assertIn(b"frame-ancestors 'none'", raw_exchange(
            self.server.address, b"GET /static/nope.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))

    # --- the browser --------------------------------------------------------------

    def test_browser_flow(self):
        missing = [what for what, ok in (("Debian's chromium (" + CHROMIUM + ")", os.access(CHROMIUM, os.X_OK)),
                                         ("node", shutil.which("node")),
                                         ("tests/browser/node_modules (npm ci --prefix tests/browser)",
                                          os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core"))))
                   if not ok]
        self.assertFalse(missing, "missing %s: run .ci/install-deps test" % ", ".join(missing))
        shots = os.environ.get("QUIRE_WEB_UI_SHOTS") or tempfile.mkdtemp(prefix="quire-web-ui-")
        os.makedirs(shots, exist_ok=True)
        print("\nweb UI screenshots: " + shots, file=sys.stderr)
        pdf = os.path.join(shots, "essay.pdf")
        shutil.copyfile(SAMPLE_PDF, pdf)
        upload = os.environ.get("QUIRE_WEB_UI_UPLOAD", "1") != "0"
        env = dict(os.environ, QUIRE_URL="http://" + self.server.address, QUIRE_USER="alice",
                   QUIRE_PASSWORD=ALICE_PASSWORD, QUIRE_ADMIN="root", QUIRE_ADMIN_PASSWORD=ROOT_PASSWORD,
                   QUIRE_TERMINAL_TOKEN=self.token, QUIRE_CARD="CARD-ALICE", QUIRE_PDF=pdf, QUIRE_SHOTS=shots,
                   QUIRE_IPP_JOB="ipp-essay", QUIRE_UPLOAD="1" if upload else "0", CHROMIUM=CHROMIUM,
                   QUIRE_SINK_DIR=os.path.join(self.server.data_dir, "sink"), QUIRE_NEW_PRINTER=NEW_PRINTER)
        proc = subprocess.Popen(["node", os.path.join(BROWSER_DIR, "portal_flow.mjs")], env=env, cwd=BROWSER_DIR,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out, jobs = [], {}
        try:
            for line in proc.stdout:
                out.append(line)
                if line.startswith("READY ipp"):
                    c = Client(self.server.address)
                    with open(SAMPLE_PDF, "rb") as f:
                        status, attrs = c.print_job(self.server.uri("secure"), f.read(), user="alice",
                                                    name="ipp-essay")
                    c.close()
                    self.assertEqual(status, "successful-ok")
                elif line.startswith("JOB "):
                    _, name, job_id = line.split()
                    jobs[name] = int(job_id)
            code = proc.wait(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        log = "".join(out)
        print(log, file=sys.stderr)
        self.assertEqual(code, 0, "portal_flow.mjs failed (screenshots in %s):\n%s" % (shots, log))
        self.assertIn("STEP done", log)
        self.assertEqual(set(jobs), {"ipp-essay", "web-essay", "web-release", "web-cancel"} if upload
                         else {"ipp-essay"})
        # The file sink received every job released at the kiosk or in the
        # portal, and not the canceled one.
        canceled = jobs.pop("web-cancel", None)
        if canceled:
            self.assertFalse(glob.glob(os.path.join(self.server.sink("demo"), "%d.*" % canceled)))
        for name, job_id in jobs.items():
            pattern = os.path.join(self.server.sink("demo"), "%d.*" % job_id)
            self.assertTrue(wait_for(lambda: glob.glob(pattern), timeout=20), (name, pattern))
        for shot in ("portal-held", "kiosk-jobs", "portal-printed", "admin-fleet", "admin-jobs",
                     "admin-reports", "admin-printer-form", "admin-printer-form-phone", "admin-queue-form",
                     "admin-printer-remove-refused", "portal-tokens", "admin-denied"):
            self.assertTrue(os.path.getsize(os.path.join(shots, shot + ".png")) > 0, shot)
        # What the console added it removed again, and the server agrees;
        # the configuration file's printer and queue are still there.
        self.assertIn("FLEET removed %s %s-now" % (NEW_PRINTER, NEW_PRINTER), log)
        for path in ("/api/v1/printers/" + NEW_PRINTER, "/api/v1/queues/%s-now" % NEW_PRINTER):
            status, body = self.admin("GET", path)
            self.assertEqual(status, 404, (path, body))
        status, listing = self.admin("GET", "/api/v1/printers")
        self.assertEqual([p["name"] for p in listing["printers"]], ["demo"])
        status, listing = self.admin("GET", "/api/v1/queues")
        self.assertNotIn(NEW_PRINTER + "-now", [q["name"] for q in listing["queues"]])
        self.assertIn("secure", [q["name"] for q in listing["queues"]])


if __name__ == "__main__":
    unittest.main()
