"""Printers and queues changed at run time over the REST API, without a
restart (ARCHITECTURE.md, "Configuration vs. state"): an administrator adds
a file-sink printer and a direct queue, and an IPP client prints to it at
once; a printer's device changes and the next job goes to the new one; a
queue turns from direct to pull and holds; a job is printed again with
/reprint. Guards: a file device outside sink/, an unknown printer, a taken
name, a printer a queue uses, a queue with unfinished jobs, and what the
configuration file declares are refused (400/409); a user gets 403; a
device URI's credentials never come back. Price lists, projects and quotas
are added, changed and removed the same way: a job is priced by a list made
over the API, and by its new rates once changed; a project a user may not
charge becomes one they may; a quota stops a release, and a larger one lets
it through. What the API made survives a restart, and a
removed queue is gone for IPP clients."""
import os
import unittest

from quire_harness import SAMPLE_PDF, Client, Quired, api_call, basic_auth, wait_for

ROOT_PASSWORD = "fleet-root-pw-1"


def pdf_bytes():
    with open(SAMPLE_PDF, "rb") as f:
        return f.read()


class FleetApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Quired(sets=["api.allow_plain_loopback=true", "jobs.reprint_s=600",
                                  'projects.dept.description="The department"',
                                  'quotas.board.groups=["board"]', "quotas.board.sheets=100"])
        cls.server.add_admin("root", ROOT_PASSWORD)
        cls.server.start()
        status, body = cls.call("POST", "/api/v1/users", {"name": "alice", "password": "alice-pw-123"})
        assert status == 201, (status, body)

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    @classmethod
    def call(cls, method, path, body=None, user="root"):
        password = ROOT_PASSWORD if user == "root" else user + "-pw-123"
        status, parsed, _ = api_call(cls.server.address, method, path, body, basic_auth(user, password))
        return status, parsed

    def sink_uri(self, name):
        return "file://%s/sink/%s" % (self.server.data_dir, name)

    def sink_files(self, name):
        d = self.server.sink(name)
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def ipp_print(self, queue, user="alice"):
        c = Client(self.server.address)
        try:
            return c.print_job(self.server.uri(queue), pdf_bytes(), user=user, name="fleet job")
        finally:
            c.close()

    def job_state(self, job_id):
        status, body = self.call("GET", "/api/v1/jobs/%d" % job_id)
        self.assertEqual(status, 200, body)
        return body["state"]

    def add_printer(self, name, **extra):
        body = {"name": name, "device_uri": self.sink_uri(name)}
        body.update(extra)
        status, rec = self.call("POST", "/api/v1/printers", body)
        self.assertEqual(status, 201, rec)
        return rec

    def add_queue(self, name, printers, kind="direct"):
        status, rec = self.call("POST", "/api/v1/queues", {"name": name, "type": kind, "printers": printers})
        self.assertEqual(status, 201, rec)
        return rec

    def printed_at(self, printer, before, job_id):
        self.assertTrue(wait_for(lambda: self.job_state(job_id) in ("done", "failed"), 30), self.job_state(job_id))
        self.assertEqual(self.job_state(job_id), "done")
        self.assertTrue(wait_for(lambda: len(self.sink_files(printer)) > before, 10), self.sink_files(printer))

    # --- tests ------------------------------------------------------------

    def test_a_new_printer_and_queue_print_at_once(self):
        rec = self.add_printer("lab9", location="Library, floor 2")
        self.assertEqual((rec["origin"], rec["location"]), ("api", "Library, floor 2"))
        self.add_queue("lab9-now", ["lab9"])
        status, listing = self.call("GET", "/api/v1/queues", user="alice")
        self.assertIn("lab9-now", [q["name"] for q in listing["queues"]])
        status, attrs = self.ipp_print("lab9-now")
        self.assertEqual(status, "successful-ok")
        self.printed_at("lab9", 0, attrs["job-id"][0])
        status, printer = self.call("GET", "/api/v1/printers/lab9")
        self.assertEqual(status, 200, printer)
        self.assertEqual(printer["settings"]["device_uri"], self.sink_uri("lab9"))

    def test_a_changed_device_and_a_queue_turned_pull(self):
        self.add_printer("lab7")
        self.add_queue("lab7-q", ["lab7"])
        status, rec = self.call("PATCH", "/api/v1/printers/lab7", {"device_uri": self.sink_uri("lab7-new")})
        self.assertEqual(status, 200, rec)
        status, attrs = self.ipp_print("lab7-q")
        self.assertEqual(status, "successful-ok")
        self.printed_at("lab7-new", 0, attrs["job-id"][0])
        self.assertEqual(self.sink_files("lab7"), [])

        status, rec = self.call("PATCH", "/api/v1/queues/lab7-q", {"type": "pull"})
        self.assertEqual((status, rec["type"]), (200, "pull"), rec)
        status, attrs = self.ipp_print("lab7-q")
        job_id = attrs["job-id"][0]
        self.assertTrue(wait_for(lambda: self.job_state(job_id) == "held", 30), self.job_state(job_id))
        status, body = self.call("POST", "/api/v1/jobs/%d/release" % job_id, user="alice")
        self.assertEqual(status, 200, body)
        self.printed_at("lab7-new", 1, job_id)

        # Printed again on request (jobs.reprint_s keeps the document): the
        # sink writes the job's file anew.
        path = os.path.join(self.server.sink("lab7-new"), "%d.pdf" % job_id)
        self.assertTrue(os.path.exists(path), self.sink_files("lab7-new"))
        first = os.stat(path).st_mtime_ns
        status, body = self.call("POST", "/api/v1/jobs/%d/reprint" % job_id, user="alice")
        self.assertEqual(status, 200, body)
        self.assertTrue(wait_for(lambda: os.stat(path).st_mtime_ns != first, 30))
        self.assertTrue(wait_for(lambda: self.job_state(job_id) == "done", 30), self.job_state(job_id))
        status, body = self.call("POST", "/api/v1/jobs/%d/release" % job_id, user="alice")
        self.assertEqual(status, 409, body)  # a release is not a reprint

    def test_refusals(self):
        status, body = self.call("POST", "/api/v1/printers", {"name": "evil", "device_uri": "file:///etc/evil"})
        self.assertEqual(status, 400, body)
        self.assertIn("sink", body["message"])
        status, body = self.call("POST", "/api/v1/queues", {"name": "q-x", "type": "direct", "printers": ["nope"]})
        self.assertEqual(status, 400, body)
        self.assertIn("nope", body["message"])
        status, body = self.call("POST", "/api/v1/queues",
                                 {"name": "q-y", "type": "direct", "printers": ["demo", "demo"]})
        self.assertEqual(status, 400, body)
        status, body = self.call("POST", "/api/v1/printers", {"name": "demo", "device_uri": self.sink_uri("x")})
        self.assertEqual(status, 409, body)
        status, body = self.call("DELETE", "/api/v1/printers/demo")
        self.assertEqual(status, 409, body)
        self.assertIn("configuration file", body["message"])
        status, body = self.call("DELETE", "/api/v1/queues/secure")
        self.assertEqual(status, 409, body)
        status, body = self.call("POST", "/api/v1/printers", {"name": "mine", "device_uri": self.sink_uri("m")},
                                 user="alice")
        self.assertEqual(status, 403, body)
        status, body = self.call("GET", "/api/v1/printers/evil")
        self.assertEqual(status, 404, body)

    def test_credentials_in_a_device_uri_never_come_back(self):
        # Quire drives no device URI with user-info (the file's rules refuse
        # it too), and the refusal does not quote the secret back.
        secret = "pa55-w0rd-xyz"
        uri = "ipp://printer:%s@127.0.0.1:9/ipp/print" % secret
        status, rec = self.call("POST", "/api/v1/printers", {"name": "office3", "device_uri": uri})
        self.assertEqual(status, 400, rec)
        self.assertNotIn(secret, str(rec))
        self.add_printer("office4")
        status, rec = self.call("PATCH", "/api/v1/printers/office4", {"device_uri": uri})
        self.assertEqual(status, 400, rec)
        self.assertNotIn(secret, str(rec))
        for path in ("/api/v1/printers/office4", "/api/v1/printers", "/api/v1/audit"):
            status, body = self.call("GET", path)
            self.assertEqual(status, 200, body)
            self.assertNotIn(secret, str(body))
        self.assertNotIn(secret, self.server.stderr())
        status, body = self.call("DELETE", "/api/v1/printers/office4")
        self.assertEqual(status, 204, body)

    def test_removal_waits_for_unfinished_jobs(self):
        self.add_printer("lab5")
        self.add_queue("lab5-hold", ["lab5"], kind="pull")
        status, body = self.call("DELETE", "/api/v1/printers/lab5")
        self.assertEqual(status, 409, body)
        self.assertIn("lab5-hold", body["message"])
        status, attrs = self.ipp_print("lab5-hold")
        job_id = attrs["job-id"][0]
        self.assertTrue(wait_for(lambda: self.job_state(job_id) == "held", 30))
        status, body = self.call("DELETE", "/api/v1/queues/lab5-hold")
        self.assertEqual(status, 409, body)
        self.assertIn("unfinished", body["message"])
        # The door closed while the jobs were counted is open again.
        status, attrs = self.ipp_print("lab5-hold")
        self.assertEqual(status, "successful-ok", attrs)
        second = attrs["job-id"][0]
        for j in (job_id, second):
            status, body = self.call("DELETE", "/api/v1/jobs/%d" % j)
            self.assertEqual(status, 200, body)
        self.assertTrue(wait_for(lambda: self.call("DELETE", "/api/v1/queues/lab5-hold")[0] == 204, 10))
        status, attrs = self.ipp_print("lab5-hold")
        self.assertEqual(status, "client-error-not-found")
        status, body = self.call("DELETE", "/api/v1/printers/lab5")
        self.assertEqual(status, 204, body)
        status, body = self.call("GET", "/api/v1/printers/lab5")
        self.assertEqual(status, 404, body)


    def estimate(self, job_id):
        def priced():
            status, body = self.call("GET", "/api/v1/jobs/%d" % job_id)
            return body["price"]["status"] == "estimate" and body["price"]
        self.assertTrue(wait_for(priced, 30), self.call("GET", "/api/v1/jobs/%d" % job_id))
        return priced()

    def test_price_lists_over_the_api(self):
        status, body = self.call("GET", "/api/v1/prices")
        self.assertEqual(status, 200, body)
        standard = [p for p in body["prices"] if p["name"] == "standard"]
        self.assertEqual([(p["origin"], p["mono"], p["per"]) for p in standard], [("config", 5, "impression")])
        status, rec = self.call("POST", "/api/v1/prices", {"name": "cheap", "per": "impression", "mono": 2,
                                                            "colour": 10, "sizes": [{"media": "a3", "mono": 4}]})
        self.assertEqual(status, 201, rec)
        self.assertEqual((rec["origin"], rec["sizes"][0]["media"]), ("api", "iso_a3_297x420mm"), rec)
        self.add_printer("lab3", price_list="cheap")
        self.add_queue("lab3-hold", ["lab3"], kind="pull")
        status, attrs = self.ipp_print("lab3-hold")
        first = attrs["job-id"][0]
        self.assertEqual(self.estimate(first)["low"], 2)  # the sample: one mono page

        status, rec = self.call("PATCH", "/api/v1/prices/cheap", {"mono": 3})
        self.assertEqual((status, rec["mono"], rec["colour"]), (200, 3, 10), rec)
        status, attrs = self.ipp_print("lab3-hold")
        second = attrs["job-id"][0]
        self.assertEqual(self.estimate(second)["low"], 3)

        status, body = self.call("POST", "/api/v1/prices", {"name": "bad", "colour": -3})
        self.assertEqual(status, 400, body)
        self.assertIn("colour", body["message"])
        status, body = self.call("DELETE", "/api/v1/prices/cheap")
        self.assertEqual(status, 409, body)
        self.assertIn("lab3", body["message"])
        status, body = self.call("DELETE", "/api/v1/prices/standard")
        self.assertEqual(status, 409, body)
        self.assertIn("configuration file", body["message"])
        status, body = self.call("GET", "/api/v1/prices", user="alice")
        self.assertEqual(status, 403, body)

        status, rec = self.call("PATCH", "/api/v1/printers/lab3", {"price_list": ""})
        self.assertEqual(status, 200, rec)
        status, body = self.call("DELETE", "/api/v1/prices/cheap")
        self.assertEqual(status, 204, body)
        status, body = self.call("GET", "/api/v1/prices/cheap")
        self.assertEqual(status, 404, body)
        for job_id in (first, second):
            self.assertEqual(self.call("DELETE", "/api/v1/jobs/%d" % job_id)[0], 200)

    def test_projects_over_the_api(self):
        status, rec = self.call("POST", "/api/v1/projects",
                                {"name": "thesis", "description": "Theses", "groups": ["staff"]})
        self.assertEqual((status, rec.get("origin")), (201, "api"), rec)
        status, body = self.call("GET", "/api/v1/projects", user="alice")
        self.assertEqual(status, 200, body)
        names = [p["name"] for p in body["projects"]]
        self.assertIn("dept", names)  # the file's, open to everyone
        self.assertNotIn("thesis", names)
        status, body = self.call("GET", "/api/v1/projects")
        self.assertIn("thesis", [p["name"] for p in body["projects"]])

        self.add_printer("lab4")
        self.add_queue("lab4-hold", ["lab4"], kind="pull")
        jobs = []
        for _ in range(2):
            status, attrs = self.ipp_print("lab4-hold")
            jobs.append(attrs["job-id"][0])
            self.assertTrue(wait_for(lambda: self.job_state(jobs[-1]) == "held", 30))
        status, body = self.call("POST", "/api/v1/jobs/%d/release" % jobs[0], {"project": "thesis"}, user="alice")
        self.assertEqual(status, 403, body)

        status, rec = self.call("PATCH", "/api/v1/projects/thesis", {"groups": []})
        self.assertEqual((status, rec["groups"]), (200, []), rec)
        status, body = self.call("GET", "/api/v1/projects", user="alice")
        self.assertIn("thesis", [p["name"] for p in body["projects"]])
        status, body = self.call("POST", "/api/v1/jobs/%d/release" % jobs[0], {"project": "thesis"}, user="alice")
        self.assertEqual(status, 200, body)
        self.printed_at("lab4", 0, jobs[0])
        status, job = self.call("GET", "/api/v1/jobs/%d" % jobs[0])
        self.assertEqual((job["project"], job["payer"]), ("thesis", "project:thesis"), job)

        status, body = self.call("DELETE", "/api/v1/projects/thesis")
        self.assertEqual(status, 204, body)
        status, body = self.call("POST", "/api/v1/jobs/%d/release" % jobs[1], {"project": "thesis"}, user="alice")
        self.assertEqual(status, 400, body)
        status, body = self.call("DELETE", "/api/v1/projects/dept")
        self.assertEqual(status, 409, body)
        status, body = self.call("POST", "/api/v1/projects", {"name": "mine"}, user="alice")
        self.assertEqual(status, 403, body)
        self.assertEqual(self.call("DELETE", "/api/v1/jobs/%d" % jobs[1])[0], 200)


    def test_quotas_over_the_api(self):
        status, body = self.call("GET", "/api/v1/quotas")
        self.assertEqual(status, 200, body)
        self.assertEqual([(q["name"], q["origin"]) for q in body["quotas"]], [("board", "config")])
        status, rec = self.call("POST", "/api/v1/quotas", {"name": "tight", "users": ["alice"], "sheets": 1,
                                                            "period": "day"})
        self.assertEqual((status, rec.get("origin")), (201, "api"), rec)
        self.add_printer("lab6")
        self.add_queue("lab6-hold", ["lab6"], kind="pull")
        jobs = []
        for _ in range(2):
            status, attrs = self.ipp_print("lab6-hold")
            jobs.append(attrs["job-id"][0])
            self.assertTrue(wait_for(lambda: self.job_state(jobs[-1]) == "held", 30))
        status, body = self.call("POST", "/api/v1/jobs/%d/release" % jobs[0], user="alice")
        self.assertEqual(status, 200, body)
        self.printed_at("lab6", 0, jobs[0])
        # One sheet a day: the second job waits for more quota.
        status, body = self.call("POST", "/api/v1/jobs/%d/release" % jobs[1], user="alice")
        self.assertEqual(status, 409, body)
        self.assertIn("quota", body["message"])
        status, rec = self.call("PATCH", "/api/v1/quotas/tight", {"sheets": 5})
        self.assertEqual((status, rec.get("sheets")), (200, 5), rec)
        status, body = self.call("POST", "/api/v1/jobs/%d/release" % jobs[1], user="alice")
        self.assertEqual(status, 200, body)
        self.printed_at("lab6", 1, jobs[1])

        status, body = self.call("POST", "/api/v1/quotas", {"name": "none", "sheets": 5})
        self.assertEqual(status, 400, body)
        status, body = self.call("DELETE", "/api/v1/quotas/board")
        self.assertEqual(status, 409, body)
        status, body = self.call("GET", "/api/v1/quotas", user="alice")
        self.assertEqual(status, 403, body)
        status, body = self.call("DELETE", "/api/v1/quotas/tight")
        self.assertEqual(status, 204, body)
        status, body = self.call("GET", "/api/v1/quotas/tight")
        self.assertEqual(status, 404, body)


class FleetLeftovers(unittest.TestCase):
    """What a removed printer or queue leaves behind goes too: the printer's
    terminals are revoked, and the finished jobs of a removed queue are
    forgotten after the history period like any others."""

    def test_terminals_and_history_of_removed_ones(self):
        server = Quired(sets=["api.allow_plain_loopback=true", "jobs.history_s=2"])
        server.add_admin("root", ROOT_PASSWORD)
        try:
            server.start()
            auth = basic_auth("root", ROOT_PASSWORD)

            def call(method, path, body=None, headers=auth):
                status, parsed, _ = api_call(server.address, method, path, body, headers)
                return status, parsed
            sink = "file://%s/sink/brief" % server.data_dir
            self.assertEqual(call("POST", "/api/v1/printers", {"name": "brief", "device_uri": sink})[0], 201)
            self.assertEqual(call("POST", "/api/v1/queues", {"name": "brief-q", "type": "direct",
                                                             "printers": ["brief"]})[0], 201)
            status, terminal = call("POST", "/api/v1/terminals", {"name": "brief-t", "printer": "brief"})
            self.assertEqual(status, 201, terminal)
            bearer = {"Authorization": "Bearer " + terminal["token"]}
            self.assertEqual(call("GET", "/api/v1/terminal", headers=bearer)[0], 200)

            c = Client(server.address)
            status, attrs = c.print_job(server.uri("brief-q"), pdf_bytes(), user="root", name="brief job")
            c.close()
            job_id = attrs["job-id"][0]
            self.assertTrue(wait_for(lambda: call("GET", "/api/v1/jobs/%d" % job_id)[1].get("state") == "done", 30))
            self.assertEqual(call("DELETE", "/api/v1/queues/brief-q")[0], 204)
            self.assertEqual(call("DELETE", "/api/v1/printers/brief")[0], 204)

            self.assertEqual(call("GET", "/api/v1/terminal", headers=bearer)[0], 401)
            status, listing = call("GET", "/api/v1/terminals")
            self.assertNotIn("brief-t", [t["name"] for t in listing["terminals"]])
            self.assertTrue(wait_for(lambda: call("GET", "/api/v1/jobs/%d" % job_id)[0] == 404, 30),
                            call("GET", "/api/v1/jobs/%d" % job_id))
        finally:
            server.__exit__(None, None, None)


class FleetSurvivesRestart(unittest.TestCase):
    def test_what_the_api_made_stays(self):
        server = Quired(sets=["api.allow_plain_loopback=true"])
        server.add_admin("root", ROOT_PASSWORD)
        try:
            server.start()
            auth = basic_auth("root", ROOT_PASSWORD)
            sink = "file://%s/sink/kept" % server.data_dir
            status, body, _ = api_call(server.address, "POST", "/api/v1/printers",
                                       {"name": "kept", "device_uri": sink}, auth)
            self.assertEqual(status, 201, body)
            status, body, _ = api_call(server.address, "POST", "/api/v1/queues",
                                       {"name": "kept-q", "type": "direct", "printers": ["kept"]}, auth)
            self.assertEqual(status, 201, body)
            status, body, _ = api_call(server.address, "POST", "/api/v1/prices", {"name": "kept-list", "mono": 7},
                                       auth)
            self.assertEqual(status, 201, body)
            status, body, _ = api_call(server.address, "POST", "/api/v1/projects", {"name": "kept-project"}, auth)
            self.assertEqual(status, 201, body)
            status, body, _ = api_call(server.address, "POST", "/api/v1/quotas",
                                       {"name": "kept-quota", "groups": ["*"], "sheets": 300}, auth)
            self.assertEqual(status, 201, body)
            server.kill9()  # acknowledged means durable
            server.start()
            status, body, _ = api_call(server.address, "GET", "/api/v1/queues/kept-q", None, auth)
            self.assertEqual((status, body["printers"], body["origin"]), (200, ["kept"], "api"), body)
            status, body, _ = api_call(server.address, "GET", "/api/v1/prices/kept-list", None, auth)
            self.assertEqual((status, body.get("mono")), (200, 7), body)
            status, body, _ = api_call(server.address, "GET", "/api/v1/projects/kept-project", None, auth)
            self.assertEqual((status, body.get("origin")), (200, "api"), body)
            status, body, _ = api_call(server.address, "GET", "/api/v1/quotas/kept-quota", None, auth)
            self.assertEqual((status, body.get("sheets"), body.get("groups")), (200, 300, ["*"]), body)
            c = Client(server.address)
            status, attrs = c.print_job(server.uri("kept-q"), pdf_bytes(), user="root", name="after restart")
            c.close()
            self.assertEqual(status, "successful-ok")
            self.assertTrue(wait_for(lambda: os.path.isdir(server.sink("kept")) and os.listdir(server.sink("kept")),
                                     30))
        finally:
            server.__exit__(None, None, None)


if __name__ == "__main__":
    unittest.main()
