"""Release at the printer, end to end: an administrator registers terminals
and credits accounts over the admin API; students print over IPP; a terminal
session driven over the real HTTP terminal API lists the jobs with their
price, releases them to the file-sink printer, and the ledger charges each
printed job exactly once. Refusals: an unknown or revoked terminal, a card
nobody owns, brute-forced logins (locked out), not enough credit, a quota
reached, another user's job (unless delegated). Two terminals and an IPP
Release-Job releasing the same job at the same instant print it once and
charge it once."""
import base64
import http.client
import json
import os
import socket
import threading
import time
import unittest

from quire_harness import SAMPLE_PDF, Client, Quired, attr, parse_response, request, wait_for

ROOT_PASSWORD = "s3cret-root-pw"
PRICE = 5  # the demo price list: 5 cents per mono impression; the sample is one mono page


class ReleaseClients:
    """The clients of these tests: the admin API, a terminal, IPP. The class
    using it sets `server` (a Quired) and `tokens` (terminal name -> token)."""

    server = None
    tokens = {}

    @classmethod
    def http(cls, method, path, body=None, headers=None):
        host, port = cls.server.address.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        data = json.dumps(body) if body is not None else None
        h = dict(headers or {})
        if data is not None:
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        return r.status, (json.loads(raw) if raw else None), raw

    @classmethod
    def admin(cls, method, path, body=None, user="root", password=ROOT_PASSWORD):
        auth = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        status, parsed, _ = cls.http(method, path, body, {"Authorization": "Basic " + auth})
        return status, parsed

    def terminal(self, method, path, body=None, terminal="t1", session=None, token=None):
        h = {"Authorization": "Bearer " + (token or self.tokens[terminal])}
        if session:
            h["Quire-Session"] = session
        return self.http(method, "/api/v1/terminal" + path, body, h)

    def login(self, terminal="t1", **creds):
        status, body, raw = self.terminal("POST", "/sessions", creds, terminal=terminal)
        self.assertEqual(status, 201, raw)
        return body

    def print_job(self, user, name="job", queue="secure"):
        c = Client(self.server.address)
        with open(SAMPLE_PDF, "rb") as f:
            status, attrs = c.print_job(self.server.uri(queue), f.read(), user=user, name=name)
        c.close()
        self.assertEqual(status, "successful-ok")
        return attrs["job-id"][0]

    def job(self, job_id):
        status, body = self.admin("GET", "/api/v1/jobs/%d" % job_id)
        self.assertEqual(status, 200)
        return body

    def priced(self, job_id):
        self.assertTrue(wait_for(lambda: self.job(job_id)["price"]["status"] == "estimate", 30), self.job(job_id))

    def ledger(self, user):
        status, body = self.admin("GET", "/api/v1/users/%s/ledger" % user)
        self.assertEqual(status, 200, body)
        return [e for e in body["entries"] if e["kind"] == "charge"]

    def account(self, user):
        status, body = self.admin("GET", "/api/v1/users/%s/account" % user)
        self.assertEqual(status, 200, body)
        return body

    def sink_files(self, printer="demo"):
        d = self.server.sink(printer)
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def wait_done(self, job_id):
        self.assertTrue(wait_for(lambda: self.job(job_id)["state"] in ("done", "failed"), 30))
        return self.job(job_id)


class Release(unittest.TestCase, ReleaseClients):
    @classmethod
    def setUpClass(cls):
        sets = [
            "api.allow_plain_loopback=true",
            "accounting.prepaid=true",
            "accounting.initial_credit=100",
            'printers.demo.login=["card", "pin", "password", "card+pin"]',
            'printers.lab2.device_uri=file://${data_dir}/sink/lab2',
            'printers.lab2.price_list=standard',
            'printers.lab2.login=["card+pin"]',
            'queues.secure.printers=["demo", "lab2"]',
            "terminals.session_idle_s=10",
            "terminals.max_login_failures=3",
            'quotas.students.groups=["students"]',
            "quotas.students.sheets=2",
            "jobs.reprint_s=3600",
        ]
        cls.server = Quired(sets=sets)
        cls.server.add_admin("root", ROOT_PASSWORD)
        cls.server.start()
        cls.admin("POST", "/api/v1/users", {"name": "alice", "password": "alice-pw-123"})
        cls.admin("POST", "/api/v1/users/alice/cards", {"card_id": "CARD-ALICE"})
        cls.admin("PUT", "/api/v1/users/alice/pin", {"pin": "48151623"})
        for name in ("bob", "carol"):
            cls.admin("POST", "/api/v1/users", {"name": name, "password": name + "-pw-123"})
            cls.admin("POST", "/api/v1/users/%s/cards" % name, {"card_id": "CARD-" + name.upper()})
        cls.admin("POST", "/api/v1/users", {"name": "dave", "groups": ["students"]})
        cls.admin("POST", "/api/v1/users/dave/cards", {"card_id": "CARD-DAVE"})
        cls.tokens = {}
        for name, printer in (("t1", "demo"), ("t2", "demo"), ("t3", "lab2"), ("t4", "demo")):
            status, body = cls.admin("POST", "/api/v1/terminals", {"name": name, "printer": printer})
            assert status == 201, (status, body)
            cls.tokens[name] = body["token"]

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    # --- tests ---------------------------------------------------------------------

    def test_card_session_lists_releases_and_charges_once(self):
        first, second = self.print_job("alice", "essay"), self.print_job("alice", "slides")
        self.priced(first)
        self.priced(second)
        s = self.login(card="CARD-ALICE")
        self.assertEqual(s["user"], "alice")
        self.assertNotIn("CARD-ALICE", json.dumps(s))
        status, listing, _ = self.terminal("GET", "/session/jobs", session=s["session"])
        self.assertEqual(status, 200)
        ids = [j["id"] for j in listing["jobs"]]
        self.assertIn(first, ids)
        self.assertIn(second, ids)
        row = next(j for j in listing["jobs"] if j["id"] == first)
        self.assertEqual((row["pages"], row["price"], row["priced"]), (1, PRICE, True))
        before = self.account("alice")["balance"]
        status, report, raw = self.terminal("POST", "/session/release", {"jobs": [first]}, session=s["session"])
        self.assertEqual(status, 200, raw)
        self.assertEqual([(r["job"], r["ok"]) for r in report["results"]], [(first, True)])
        done = self.wait_done(first)
        self.assertEqual(done["state"], "done", done)
        self.assertTrue(wait_for(lambda: len([e for e in self.ledger("alice") if e["job"] == first]) == 1, 10))
        charge = next(e for e in self.ledger("alice") if e["job"] == first)
        self.assertEqual((charge["amount"], charge["printer"], charge["printed_by"]), (-PRICE, "demo", "alice"))
        self.assertTrue(wait_for(lambda: self.account("alice")["balance"] == before - PRICE, 10))
        # Deleting at the terminal; the deleted job is no longer listed.
        status, _, _ = self.terminal("DELETE", "/session/jobs/%d" % second, session=s["session"])
        self.assertEqual(status, 204)
        status, listing, _ = self.terminal("GET", "/session/jobs", session=s["session"])
        self.assertNotIn(second, [j["id"] for j in listing["jobs"]])
        status, _, _ = self.terminal("DELETE", "/session", session=s["session"])
        self.assertEqual(status, 204)
        status, body, _ = self.terminal("GET", "/session", session=s["session"])
        self.assertEqual(status, 401)

    def test_same_job_from_three_doors_prints_once_and_charges_once(self):
        job = self.print_job("alice", "contested")
        self.priced(job)
        a = self.login("t1", card="CARD-ALICE")
        b = self.login("t2", user="alice", password="alice-pw-123")
        files_before = len(self.sink_files())
        results = {}
        barrier = threading.Barrier(3)

        def by_terminal(name, session):
            barrier.wait()
            status, report, _ = self.terminal("POST", "/session/release", {"jobs": [job]}, terminal=name,
                                              session=session["session"])
            results[name] = report["results"][0]["ok"] if status == 200 else False

        def by_ipp():
            c = Client(self.server.address)
            body = request("Release-Job", self.server.uri("secure"), "alice",
                           extra_op=attr("integer", "job-id", job))
            barrier.wait()
            status, _ = c.ipp(body)
            results["ipp"] = status == "successful-ok"
            c.close()

        threads = [threading.Thread(target=by_terminal, args=("t1", a)),
                   threading.Thread(target=by_terminal, args=("t2", b)), threading.Thread(target=by_ipp)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(sorted(results.values()), [False, False, True], results)
        self.assertEqual(self.wait_done(job)["state"], "done")
        time.sleep(1)
        self.assertEqual(len(self.sink_files()), files_before + 1)
        self.assertEqual(len([e for e in self.ledger("alice") if e["job"] == job]), 1)

    def test_refusals_at_the_door(self):
        status, body, _ = self.terminal("GET", "", token="not-a-terminal-token-at-all")
        self.assertEqual(status, 401)
        status, body, raw = self.terminal("GET", "")
        self.assertEqual(status, 200, raw)
        self.assertEqual((body["printer"], body["login"]["card"]), ("demo", True))
        # lab2 takes card and PIN together only.
        status, body, raw = self.terminal("POST", "/sessions", {"card": "CARD-ALICE"}, terminal="t3")
        self.assertEqual(status, 401, raw)
        ok = self.login("t3", card="CARD-ALICE", pin="48151623")
        self.assertEqual(ok["user"], "alice")
        # The PIN alone logs in at demo; a wrong PIN does not.
        self.assertEqual(self.login("t2", pin="48151623")["user"], "alice")

    def test_brute_force_locks_the_terminal_out(self):
        status, _, _ = self.terminal("POST", "/sessions", {"card": "NOBODY-1"}, terminal="t4")
        self.assertEqual(status, 401)
        for i in range(2, 6):
            status, body, raw = self.terminal("POST", "/sessions", {"pin": "1111%04d" % i}, terminal="t4")
        self.assertEqual(status, 429, raw)
        self.assertNotIn(b"1111", raw)
        # Even the right card waits now, at this terminal; other terminals are not locked.
        status, _, _ = self.terminal("POST", "/sessions", {"card": "CARD-BOB"}, terminal="t4")
        self.assertEqual(status, 429)
        self.assertEqual(self.login("t1", card="CARD-BOB")["user"], "bob")

    def test_not_enough_credit_is_refused_with_the_reason(self):
        status, body = self.admin("POST", "/api/v1/users/bob/credit", {"amount": -98, "kind": "adjust",
                                                                      "note": "test"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["balance"], 2)
        job = self.print_job("bob", "too dear")
        self.priced(job)
        s = self.login(card="CARD-BOB")
        status, report, raw = self.terminal("POST", "/session/release", {"all": True}, session=s["session"])
        self.assertEqual(status, 200, raw)
        result = next(r for r in report["results"] if r["job"] == job)
        self.assertFalse(result["ok"])
        self.assertIn("not enough credit", result["message"])
        self.assertEqual(self.job(job)["state"], "held")
        status, body = self.admin("POST", "/api/v1/users/bob/credit", {"amount": 500})
        self.assertEqual(status, 200)
        status, report, raw = self.terminal("POST", "/session/release", {"jobs": [job]}, session=s["session"])
        self.assertTrue(report["results"][0]["ok"], raw)
        self.assertEqual(self.wait_done(job)["state"], "done")

    def test_quota_stops_the_third_sheet(self):
        jobs = [self.print_job("dave", "q%d" % i) for i in range(3)]
        for j in jobs:
            self.priced(j)
        s = self.login(card="CARD-DAVE")
        self.assertEqual(s["account"]["quota"]["sheets_left"], 2)
        status, report, raw = self.terminal("POST", "/session/release", {"jobs": jobs}, session=s["session"])
        self.assertEqual([r["ok"] for r in report["results"]], [True, True, False], raw)
        self.assertIn("quota", report["results"][2]["message"])

    def test_delegate_prints_and_the_owner_pays(self):
        status, body = self.admin("PUT", "/api/v1/users/carol/delegates", {"delegates": ["bob"]},
                                  user="carol", password="carol-pw-123")
        self.assertEqual(status, 200, body)
        job = self.print_job("carol", "for bob to fetch")
        self.priced(job)
        s = self.login("t1", card="CARD-BOB")
        status, listing, _ = self.terminal("GET", "/session/jobs", session=s["session"])
        row = next(j for j in listing["jobs"] if j["id"] == job)
        self.assertTrue(row["delegated"])
        self.assertEqual(row["owner"], "carol")
        status, report, raw = self.terminal("POST", "/session/release", {"jobs": [job]}, session=s["session"])
        self.assertTrue(report["results"][0]["ok"], raw)
        self.assertEqual(self.wait_done(job)["state"], "done")
        self.assertTrue(wait_for(lambda: any(e["job"] == job for e in self.ledger("carol")), 10))
        charge = next(e for e in self.ledger("carol") if e["job"] == job)
        self.assertEqual((charge["owner"], charge["printed_by"]), ("carol", "bob"))
        # Not a delegate: alice cannot release carol's jobs.
        other = self.print_job("carol", "private")
        self.priced(other)
        a = self.login("t1", card="CARD-ALICE")
        status, report, _ = self.terminal("POST", "/session/release", {"jobs": [other]}, session=a["session"])
        self.assertFalse(report["results"][0]["ok"])
        self.assertEqual(self.job(other)["state"], "held")

    def test_revoked_terminal_is_refused(self):
        status, body = self.admin("POST", "/api/v1/terminals", {"name": "t9", "printer": "demo"})
        self.assertEqual(status, 201)
        token = body["token"]
        s = self.http("POST", "/api/v1/terminal/sessions", {"card": "CARD-CAROL"},
                      {"Authorization": "Bearer " + token})
        self.assertEqual(s[0], 201)
        status, _ = self.admin("DELETE", "/api/v1/terminals/t9")
        self.assertEqual(status, 204)
        status, _, _ = self.http("GET", "/api/v1/terminal", None, {"Authorization": "Bearer " + token})
        self.assertEqual(status, 401)
        status, listing = self.admin("GET", "/api/v1/terminals")
        self.assertNotIn("t9", [t["name"] for t in listing["terminals"]])
        self.assertNotIn(token, json.dumps(listing))

    def test_reprint_is_a_release_of_its_own(self):
        job = self.print_job("carol", "handout")
        self.priced(job)
        s = self.login("t1", card="CARD-CAROL")
        for n in (1, 2):
            status, report, raw = self.terminal("POST", "/session/release", {"jobs": [job], "reprint": n == 2},
                                                session=s["session"])
            self.assertTrue(report["results"][0]["ok"], raw)
            self.assertEqual(self.wait_done(job)["release_no"], n)
            # Released again without asking for a reprint: refused, it has printed.
            status, report, raw = self.terminal("POST", "/session/release", {"jobs": [job]}, session=s["session"])
            self.assertFalse(report["results"][0]["ok"], raw)
            self.assertIn("already been printed", report["results"][0]["message"])
        self.assertTrue(wait_for(lambda: len([e for e in self.ledger("carol") if e["job"] == job]) == 2, 10))
        self.assertEqual(sorted(e["attempt"] for e in self.ledger("carol") if e["job"] == job), [1, 2])

    def test_idle_session_closes(self):
        s = self.login("t1", card="CARD-CAROL")
        time.sleep(11.5)
        status, body, _ = self.terminal("GET", "/session", session=s["session"])
        self.assertEqual(status, 401)


class HangingDevice:
    """A raw 9100 device on loopback that takes a job's bytes but, while
    `hang` is set, never closes the connection: the job stays delivering."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.hang = threading.Event()
        self.hang.set()
        self.jobs = []
        self.connected = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.take, args=(conn,), daemon=True).start()

    def take(self, conn):
        self.connected.set()
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        self.jobs.append(data)
        while self.hang.is_set():
            time.sleep(0.05)
        conn.close()


class KillDuringDelivery(unittest.TestCase, ReleaseClients):
    """kill -9 while the device holds the job: after the restart the job is
    sent again (retried), ends done, and is charged once."""

    def test_kill_during_delivery_charges_once(self):
        device = HangingDevice()
        sets = ["api.allow_plain_loopback=true", "accounting.prepaid=true", "accounting.initial_credit=100",
                "printers.demo.device_uri=socket://127.0.0.1:%d" % device.port]
        server = Quired(sets=sets)
        server.add_admin("root", ROOT_PASSWORD)
        type(self).server = server
        type(self).tokens = {}
        with server:  # starts it
            self.admin("POST", "/api/v1/users", {"name": "erin"})
            self.admin("POST", "/api/v1/users/erin/cards", {"card_id": "CARD-ERIN"})
            status, body = self.admin("POST", "/api/v1/terminals", {"name": "tk", "printer": "demo"})
            self.tokens["tk"] = body["token"]
            job = self.print_job("erin", "interrupted")
            self.priced(job)
            s = self.login("tk", card="CARD-ERIN")
            status, report, raw = self.terminal("POST", "/session/release", {"jobs": [job]}, terminal="tk",
                                                session=s["session"])
            self.assertTrue(report["results"][0]["ok"], raw)
            self.assertTrue(device.connected.wait(20))
            self.assertTrue(wait_for(lambda: self.job(job)["state"] == "delivering", 10))
            server.kill9()
            device.hang.clear()
            server.start()
            done = self.wait_done(job)
            self.assertEqual(done["state"], "done", done)
            self.assertTrue(wait_for(lambda: self.account("erin")["reserved"] == 0, 10), self.account("erin"))
            charges = [e for e in self.ledger("erin") if e["job"] == job]
            self.assertEqual(len(charges), 1, charges)
            self.assertEqual(self.account("erin")["balance"], 100 - PRICE)
            self.assertGreaterEqual(len(device.jobs), 2)  # sent again after the crash
        device.sock.close()

if __name__ == "__main__":
    unittest.main()
