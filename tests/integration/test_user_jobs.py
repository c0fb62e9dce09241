"""The users' side of the REST API, end to end over real HTTP: a student
lists, reads, cancels and releases their own jobs, and prints from the web
(POST /api/v1/print). Another user's job answers 404 exactly as a missing
one, on GET, DELETE and release. An upload becomes a held job of the pull
queue; released, the file-sink printer gets it. Refusals: a document over
limits.max_document_bytes (413, before it is read), a Content-Type Quire
does not print (415), no credentials (401), the session cookie without
X-CSRF-Token (403). A kill -9 right after an upload's 201 keeps the job."""
import http.client
import json
import os
import unittest

from quire_harness import SAMPLE_PDF, Client, Quired, api_call, basic_auth, wait_for
from ws_client import WsClient

ROOT_PASSWORD = "s3cret-root-pw"
LIMIT = 200000  # limits.max_document_bytes


basic = basic_auth


def pdf_bytes():
    with open(SAMPLE_PDF, "rb") as f:
        return f.read()


class Api:
    """HTTP helpers; the class using it sets `server` (a Quired)."""

    server = None

    @classmethod
    def http(cls, method, path, body=None, headers=None, raw_body=None):
        status, parsed, hdrs = api_call(cls.server.address, method, path, body, headers, raw_body)
        return status, (parsed if not isinstance(parsed, bytes) else None), hdrs

    @classmethod
    def as_user(cls, user, method, path, body=None):
        password = ROOT_PASSWORD if user == "root" else user + "-pw-123"
        status, parsed, _ = cls.http(method, path, body, basic(user, password))
        return status, parsed

    @classmethod
    def upload(cls, user, doc, queue="secure", name="web doc", ctype="application/pdf", headers=None):
        h = dict(headers if headers is not None else basic(user, user + "-pw-123"))
        h["Content-Type"] = ctype
        path = "/api/v1/print?queue=%s&name=%s" % (queue, name.replace(" ", "%20"))
        return cls.http("POST", path, headers=h, raw_body=doc)

    def job(self, job_id, user="root"):
        status, body = self.as_user(user, "GET", "/api/v1/jobs/%d" % job_id)
        self.assertEqual(status, 200, body)
        return body

    def sink_files(self, printer="demo"):
        d = self.server.sink(printer)
        return sorted(os.listdir(d)) if os.path.isdir(d) else []


class UserJobs(unittest.TestCase, Api):
    @classmethod
    def setUpClass(cls):
        cls.server = Quired(sets=["api.allow_plain_loopback=true", "limits.max_document_bytes=%d" % LIMIT])
        cls.server.add_admin("root", ROOT_PASSWORD)
        cls.server.start()
        for name in ("alice", "bob"):
            status, body = cls.as_user("root", "POST", "/api/v1/users", {"name": name, "password": name + "-pw-123"})
            assert status == 201, (status, body)

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def ipp_job(self, user):
        c = Client(self.server.address)
        status, attrs = c.print_job(self.server.uri("secure"), pdf_bytes(), user=user, name="ipp job")
        c.close()
        self.assertEqual(status, "successful-ok")
        return attrs["job-id"][0]

    def web_job(self, user="alice", name="web doc"):
        status, body, headers = self.upload(user, pdf_bytes(), name=name)
        self.assertEqual(status, 201, body)
        self.assertEqual(headers["location"], "/api/v1/jobs/%d" % body["id"])
        self.assertEqual(body["owner"], user)
        return body["id"]

    # --- tests ------------------------------------------------------------

    def test_a_user_sees_and_touches_only_their_own_jobs(self):
        mine = self.web_job("alice")
        theirs = self.ipp_job("bob")
        status, page = self.as_user("alice", "GET", "/api/v1/jobs?which=all")
        self.assertEqual(status, 200, page)
        owners = {j["owner"] for j in page["jobs"]}
        self.assertEqual(owners, {"alice"})
        self.assertIn(mine, [j["id"] for j in page["jobs"]])
        status, body = self.as_user("alice", "GET", "/api/v1/jobs?user=bob")
        self.assertEqual((status, body["error"]), (403, "forbidden"))
        status, page = self.as_user("root", "GET", "/api/v1/jobs?user=bob")
        self.assertIn(theirs, [j["id"] for j in page["jobs"]])

        missing = theirs + 100000
        for method, suffix in (("GET", ""), ("DELETE", ""), ("POST", "/release")):
            s1, b1 = self.as_user("alice", method, "/api/v1/jobs/%d%s" % (theirs, suffix))
            s2, b2 = self.as_user("alice", method, "/api/v1/jobs/%d%s" % (missing, suffix))
            self.assertEqual(s1, 404, (method, b1))
            self.assertEqual(b1["message"].replace(str(theirs), "N"), b2["message"].replace(str(missing), "N"))
        self.assertEqual(self.job(theirs)["state"], "held")  # untouched

    def test_upload_is_held_then_released_to_the_printer(self):
        doc = pdf_bytes()
        job_id = self.web_job("alice", "essay draft")
        self.assertTrue(wait_for(lambda: self.job(job_id, "alice")["state"] == "held", 30), self.job(job_id))
        job = self.job(job_id, "alice")
        self.assertEqual((job["queue"], job["name"], job["document_size"]), ("secure", "essay draft", len(doc)))
        status, page = self.as_user("alice", "GET", "/api/v1/jobs")
        self.assertIn(job_id, [j["id"] for j in page["jobs"] if j["state"] == "held"])
        before = set(self.sink_files())
        status, body = self.as_user("alice", "POST", "/api/v1/jobs/%d/release" % job_id)
        self.assertEqual(status, 200, body)
        self.assertIn(body["state"], ("queued", "delivering", "done"))
        self.assertTrue(wait_for(lambda: self.job(job_id)["state"] in ("done", "failed"), 30))
        self.assertEqual(self.job(job_id)["state"], "done", self.job(job_id))
        self.assertTrue(wait_for(lambda: set(self.sink_files()) - before, 10))
        new = sorted(set(self.sink_files()) - before)
        with open(os.path.join(self.server.sink(), new[0]), "rb") as f:
            self.assertGreater(len(f.read()), 0)
        status, body = self.as_user("alice", "POST", "/api/v1/jobs/%d/release" % job_id, {})
        self.assertEqual(status, 409, body)

    def test_a_printed_job_shows_in_the_usage_report(self):
        job_id = self.web_job("bob", "report me")
        self.assertTrue(wait_for(lambda: self.job(job_id)["state"] == "held", 30), self.job(job_id))
        status, body = self.as_user("bob", "POST", "/api/v1/jobs/%d/release" % job_id)
        self.assertEqual(status, 200, body)
        self.assertTrue(wait_for(lambda: self.job(job_id)["state"] == "done", 30), self.job(job_id))

        def bob_row():
            status, report = self.as_user("root", "GET", "/api/v1/reports/usage?by=user")
            self.assertEqual(status, 200, report)
            return next((r for r in report["rows"] if r["key"] == "bob"), None)
        self.assertTrue(wait_for(lambda: bob_row() is not None, 10))  # the charge settles after delivery
        row = bob_row()
        self.assertGreaterEqual(row["jobs"], 1)
        self.assertGreaterEqual(row["pages"], 1)
        status, _, headers = self.http("GET", "/api/v1/reports/usage?by=printer&format=csv",
                                       headers=basic("root", ROOT_PASSWORD))
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/csv"))
        self.assertIn("attachment", headers["content-disposition"])
        # Administrators only; a bad query is a 400.
        self.assertEqual(self.as_user("bob", "GET", "/api/v1/reports/usage")[0], 403)
        self.assertEqual(self.as_user("root", "GET", "/api/v1/reports/usage?by=colour")[0], 400)

    def test_an_upload_is_seen_live_as_held(self):
        ws = WsClient(self.server.address, auth=("alice", "alice-pw-123"))
        try:
            self.assertEqual(ws.read_json()["type"], "hello")
            ws.send_json({"type": "subscribe", "topics": ["user:alice"]})
            m, _ = ws.read_until(lambda m: m["type"] in ("subscribed", "error"))
            self.assertEqual(m["type"], "subscribed", m)
            job_id = self.web_job("alice", "live.pdf")
            m, seen = ws.read_until(lambda m: m["type"] == "event" and m["event"].get("job_id") == job_id
                                    and m["event"]["type"] == "job.held")
            types = [x["event"]["type"] for x in seen if x["type"] == "event" and x["event"].get("job_id") == job_id]
            self.assertIn("job.received", types)
            self.assertEqual((m["event"]["user"], m["event"]["queue"]), ("alice", "secure"))
        finally:
            ws.close()

    def test_cancel_a_held_job(self):
        job_id = self.web_job("bob")
        status, body = self.as_user("bob", "DELETE", "/api/v1/jobs/%d" % job_id)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["state"], "canceled")
        self.assertEqual(self.job(job_id)["state"], "canceled")
        status, body = self.as_user("bob", "DELETE", "/api/v1/jobs/%d" % job_id)
        self.assertEqual(status, 409, body)

    def test_queues_for_any_user(self):
        headers = dict(basic("bob", "bob-pw-123"), Host="print.example:631")
        status, body, _ = self.http("GET", "/api/v1/queues", headers=headers)
        self.assertEqual(status, 200, body)
        names = [q["name"] for q in body["queues"]]
        self.assertEqual(names, sorted(names))
        secure = next(q for q in body["queues"] if q["name"] == "secure")
        self.assertEqual((secure["type"], secure["printers"]), ("pull", ["demo"]))
        self.assertEqual(secure["ipp_uri"], "ipp://print.example:631/ipp/print/secure")
        self.assertNotIn("file:", json.dumps(body))

    def test_upload_refusals(self):
        spool_incoming = os.path.join(self.server.data_dir, "spool", "incoming")
        # Over the limit: refused at the head, before the body is read.
        host, port = self.server.address.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.putrequest("POST", "/api/v1/print?queue=secure")
        for k, v in dict(basic("alice", "alice-pw-123"), **{"Content-Type": "application/pdf",
                                                              "Content-Length": str(LIMIT + 1)}).items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        self.assertEqual(r.status, 413)
        self.assertEqual(json.loads(r.read())["error"], "payload_too_large")
        conn.close()
        status, body, _ = self.upload("alice", pdf_bytes(), ctype="text/html")
        self.assertEqual(status, 415, body)
        status, body, hdrs = self.upload("alice", pdf_bytes(), headers={})
        self.assertEqual(status, 401, body)
        self.assertIn("www-authenticate", hdrs)
        status, body, _ = self.upload("alice", pdf_bytes(), headers=basic("alice", "wrong-password"))
        self.assertEqual(status, 401, body)
        status, body, _ = self.upload("alice", pdf_bytes(), queue="nowhere")
        self.assertEqual(status, 404, body)
        status, body, _ = self.upload("alice", b"")
        self.assertEqual(status, 400, body)
        # A large document (a spool upload) refused after it arrived leaves nothing behind.
        big = b"%PDF-1.4\n" + os.urandom(LIMIT - 100)
        status, body, _ = self.upload("alice", big, headers=basic("alice", "wrong-password"))
        self.assertEqual(status, 401, body)
        self.assertTrue(wait_for(lambda: not os.listdir(spool_incoming), 5), os.listdir(spool_incoming))

        # The session cookie: a state change needs the login's X-CSRF-Token.
        status, login, hdrs = self.http("POST", "/api/v1/login", {"user": "alice", "password": "alice-pw-123"})
        self.assertEqual(status, 200, login)
        cookie = hdrs["set-cookie"].split(";", 1)[0]
        status, body, _ = self.upload("alice", pdf_bytes(), headers={"Cookie": cookie})
        self.assertEqual((status, body["error"]), (403, "csrf_required"))
        with_token = {"Cookie": cookie, "X-CSRF-Token": login["csrf_token"]}
        status, body, _ = self.upload("alice", pdf_bytes(), headers=with_token)
        self.assertEqual(status, 201, body)
        self.assertEqual(body["owner"], "alice")


class UploadDurability(unittest.TestCase, Api):
    def test_an_acknowledged_upload_survives_kill_9(self):
        # Random bytes behind a PDF header would fail analysis: this test is about storage.
        server = Quired(sets=["api.allow_plain_loopback=true", "limits.inline_document_bytes=4096",
                              "processors.enabled=false"])
        server.add_admin("root", ROOT_PASSWORD)
        with server:
            type(self).server = server
            status, body = self.as_user("root", "POST", "/api/v1/users", {"name": "alice", "password": "alice-pw-123"})
            self.assertEqual(status, 201, body)
            small = pdf_bytes()
            large = b"%PDF-1.4\n%" + os.urandom(50000)  # a spool upload, not inline
            ids = []
            for doc in (small, large):
                status, body, _ = self.upload("alice", doc)
                self.assertEqual(status, 201, body)
                ids.append((body["id"], len(doc)))
            server.kill9()
            server.start()
            for job_id, size in ids:
                job = self.job(job_id, "alice")
                self.assertEqual((job["owner"], job["document_size"]), ("alice", size))
                self.assertNotEqual(job["state"], "canceled", job)


if __name__ == "__main__":
    unittest.main()
