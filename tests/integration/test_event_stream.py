"""The live event stream (WebSocket /api/v1/events) with a real WebSocket
client over real HTTP: logging in, subscribing to what one may see, events
as they happen, resuming after a reconnect, and refusals: no credentials,
someone else's topic, a handshake that is not one, malformed and hostile
frames. Nobody else's connection is touched by one that misbehaves."""
import base64
import http.client
import json
import time
import unittest

from quire_harness import SAMPLE_PDF, Client, Quired
from ws_client import HandshakeRefused, WsClient

PDF = open(SAMPLE_PDF, "rb").read()
ROOT_PASSWORD = "stream-root-pw-1"


class EventStream(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Quired(sets=["api.allow_plain_loopback=true"])
        cls.server.add_admin("root", ROOT_PASSWORD)
        cls.server.start()
        for name in ("alice", "bob"):
            status = cls.admin("POST", "/api/v1/users", {"name": name, "password": name + "-pw-123"})
            assert status == 201, status

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    @classmethod
    def admin(cls, method, path, body=None):
        host, port = cls.server.address.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        auth = base64.b64encode(("root:%s" % ROOT_PASSWORD).encode()).decode()
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Authorization": "Basic " + auth, "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        conn.close()
        return r.status

    def connect(self, user, password=None):
        ws = WsClient(self.server.address, auth=(user, password or user + "-pw-123"))
        hello = ws.read_json()
        self.assertEqual(hello["type"], "hello")
        self.assertEqual(hello["user"], user)
        return ws

    def subscribe(self, ws, topics, after=None):
        req = {"type": "subscribe", "topics": topics}
        if after is not None:
            req["after"] = after
        ws.send_json(req)
        m, _ = ws.read_until(lambda m: m["type"] in ("subscribed", "error"))
        return m

    def print_job(self, user, name):
        c = Client(self.server.address)
        try:
            status, attrs = c.print_job(self.server.uri("secure"), PDF, user=user, name=name)
        finally:
            c.close()
        self.assertEqual(status, "successful-ok")
        return attrs["job-id"][0]

    def events_of(self, ws, job_id, until="job.held"):
        m, seen = ws.read_until(lambda m: m["type"] == "event" and m["event"].get("job_id") == job_id
                                and m["event"]["type"] == until)
        return [x["event"] for x in seen if x["type"] == "event" and x["event"].get("job_id") == job_id]

    # --- tests ---------------------------------------------------------------------

    def test_a_user_sees_their_own_jobs_live(self):
        ws = self.connect("alice")
        sub = self.subscribe(ws, ["user:alice"])
        self.assertEqual(sub["type"], "subscribed")
        self.assertFalse(sub["gap"])
        job = self.print_job("alice", "thesis.pdf")
        events = self.events_of(ws, job)
        types = [e["type"] for e in events]
        self.assertIn("job.received", types)
        self.assertEqual(types[-1], "job.held")
        held = events[-1]
        self.assertEqual(held["user"], "alice")
        self.assertEqual(held["queue"], "secure")
        self.assertEqual(held["job_state"], "held")
        self.assertEqual(held["job_name"], "thesis.pdf")
        seqs = [e["seq"] for e in events]
        self.assertEqual(seqs, sorted(seqs))
        # Bob's job is not alice's business.
        bob_job = self.print_job("bob", "bob.pdf")
        ws.send_json({"type": "ping"})
        m, seen = ws.read_until(lambda m: m["type"] == "pong")
        self.assertFalse([x for x in seen if x["type"] == "event" and x["event"].get("job_id") == bob_job])
        ws.close()

    def test_someone_elses_topic_is_refused(self):
        ws = self.connect("alice")
        for topic in ("user:bob", "admin", "printer:*", "*"):
            m = self.subscribe(ws, [topic])
            self.assertEqual(m["type"], "error", topic)
            self.assertIn("not yours", m["message"])
        # The connection is still good.
        self.assertEqual(self.subscribe(ws, ["user:alice"])["type"], "subscribed")
        ws.close()

    def test_an_administrator_sees_everyone_and_printers(self):
        ws = self.connect("root", ROOT_PASSWORD)
        self.assertEqual(self.subscribe(ws, ["user:bob", "printer:*"])["type"], "subscribed")
        job = self.print_job("bob", "report.pdf")
        held = self.events_of(ws, job)[-1]
        self.assertEqual(held["job_name"], "report.pdf")
        ws.close()

    def test_a_client_resumes_after_a_reconnect(self):
        ws = self.connect("alice")
        self.subscribe(ws, ["user:alice"])
        first = self.print_job("alice", "one.pdf")
        last_seq = self.events_of(ws, first)[-1]["seq"]
        ws.close()
        missed = self.print_job("alice", "two.pdf")  # while disconnected
        ws = self.connect("alice")
        sub = self.subscribe(ws, ["user:alice"], after=last_seq)
        self.assertFalse(sub["gap"])
        self.assertGreaterEqual(sub["last_seq"], last_seq)
        events = self.events_of(ws, missed)
        self.assertEqual(events[-1]["job_name"], "two.pdf")
        self.assertTrue(all(e["seq"] > last_seq for e in events))
        ws.close()

    def test_refusals_before_the_upgrade(self):
        with self.assertRaises(HandshakeRefused) as cm:
            WsClient(self.server.address)  # no credentials
        self.assertEqual(cm.exception.status, 401)
        self.assertIn("basic", cm.exception.headers.get("www-authenticate", "").lower())
        with self.assertRaises(HandshakeRefused) as cm:
            WsClient(self.server.address, auth=("alice", "wrong-password"))
        self.assertEqual(cm.exception.status, 401)
        # A plain GET is not a handshake.
        host, port = self.server.address.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", "/api/v1/events")
        r = conn.getresponse()
        r.read()
        conn.close()
        self.assertEqual(r.status, 400)
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("POST", "/api/v1/events", body=b"{}")
        r = conn.getresponse()
        r.read()
        conn.close()
        self.assertEqual(r.status, 405)

    def test_hostile_frames_close_only_their_own_connection(self):
        bystander = self.connect("alice")
        self.subscribe(bystander, ["user:alice"])

        ws = self.connect("bob")
        ws.send_text("this is not json")
        self.assertEqual(ws.read_json()["type"], "error")
        ws.send_raw(WsClient.frame(0x1, b'{"type":"ping"}', mask=False))  # clients must mask
        self.assertIsNone(ws.read_until_close())
        self.assertEqual(ws.closed[0], 1002)

        ws = self.connect("bob")
        ws.send_raw(WsClient.frame(0x1, b"x" * 70000))  # above the message limit
        self.assertIsNone(ws.read_until_close())
        self.assertEqual(ws.closed[0], 1009)

        ws = self.connect("bob")
        ws.send_raw(WsClient.frame(0x2, b"\x00\x01"))  # binary: not spoken here
        self.assertIsNone(ws.read_until_close())
        self.assertEqual(ws.closed[0], 1003)

        # The bystander saw nothing of it and still works.
        job = self.print_job("alice", "still.pdf")
        self.assertEqual(self.events_of(bystander, job)[-1]["job_name"], "still.pdf")
        bystander.close()


def _read_until_close(self):
    try:
        while self.read_message() is not None:
            pass
    except ConnectionError:
        pass
    finally:
        self.sock.close()


WsClient.read_until_close = _read_until_close


class Shutdown(unittest.TestCase):
    def test_stopping_with_clients_connected_closes_them_and_exits(self):
        server = Quired(sets=["api.allow_plain_loopback=true"])
        server.add_admin("root", ROOT_PASSWORD)
        with server:
            clients = [WsClient(server.address, auth=("root", ROOT_PASSWORD)) for _ in range(3)]
            for ws in clients:
                self.assertEqual(ws.read_json()["type"], "hello")
                ws.send_json({"type": "subscribe", "topics": ["*"]})
                self.assertEqual(ws.read_json()["type"], "subscribed")
            started = time.time()
            server.stop()  # SIGTERM; fails the test if quired does not exit in time
            self.assertLess(time.time() - started, 15)
            for ws in clients:
                ws.read_until_close()
                self.assertIn(ws.closed, (None, (1001, "server stopping")))

if __name__ == "__main__":
    unittest.main()
