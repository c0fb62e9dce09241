"""Browser log-in on the admin API: POST /api/v1/login sets an HttpOnly,
SameSite=Strict session cookie and answers a CSRF token; the cookie
authenticates /api/v1 requests and the event stream's upgrade; a request
with the cookie that changes something needs X-CSRF-Token; logout ends the
session; wrong credentials are 401 with one message."""
import base64
import http.client
import json
import unittest

from quire_harness import Quired
from ws_client import HandshakeRefused, WsClient

ROOT_PASSWORD = "s3cret-root-pw"


class LoginTest(unittest.TestCase):
    server = None

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
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        conn.close()
        return r.status, (json.loads(raw) if raw else None), hdrs

    @classmethod
    def basic(cls, user="root", password=ROOT_PASSWORD):
        return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()}

    @classmethod
    def setUpClass(cls):
        cls.server = Quired(sets=["api.allow_plain_loopback=true"])
        cls.server.add_admin("root", ROOT_PASSWORD)
        cls.server.start()
        status, body, _ = cls.http("POST", "/api/v1/users", {"name": "alice", "password": "alice-pw-123"},
                                   cls.basic())
        assert status == 201, (status, body)

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def login(self, user="root", password=ROOT_PASSWORD):
        status, body, headers = self.http("POST", "/api/v1/login", {"user": user, "password": password})
        self.assertEqual(status, 200, body)
        set_cookie = headers["set-cookie"]
        cookie = set_cookie.split(";", 1)[0]
        return cookie, body["csrf_token"], set_cookie, body

    def test_login_sets_the_cookie_with_its_attributes(self):
        cookie, csrf, set_cookie, body = self.login()
        self.assertTrue(cookie.startswith("quire_session="))
        self.assertGreaterEqual(len(cookie.split("=", 1)[1]), 43)  # 256 bits in base64url
        for attr in ("Path=/", "HttpOnly", "SameSite=Strict"):
            self.assertIn(attr, set_cookie)
        self.assertNotIn("Secure", set_cookie)  # plain loopback here; TLS adds it
        self.assertEqual(body["user"], "root")
        self.assertTrue(body["admin"])
        self.assertTrue(csrf)

    def test_cookie_authenticates_and_state_changes_need_the_csrf_token(self):
        cookie, csrf, _, _ = self.login()
        status, body, _ = self.http("GET", "/api/v1/whoami", headers={"Cookie": cookie})
        self.assertEqual(status, 200)
        self.assertEqual(body["name"], "root")
        status, body, _ = self.http("POST", "/api/v1/users", {"name": "bob"}, {"Cookie": cookie})
        self.assertEqual(status, 403)
        self.assertEqual(body["error"], "csrf_required")
        status, body, _ = self.http("POST", "/api/v1/users", {"name": "bob"},
                                    {"Cookie": cookie, "X-CSRF-Token": csrf})
        self.assertEqual(status, 201, body)
        # Basic needs no CSRF token.
        status, _, _ = self.http("DELETE", "/api/v1/users/bob", headers=self.basic())
        self.assertEqual(status, 204)

    def test_logout_ends_the_session(self):
        cookie, _, _, _ = self.login("alice", "alice-pw-123")
        status, _, headers = self.http("POST", "/api/v1/logout", headers={"Cookie": cookie})
        self.assertEqual(status, 204)
        self.assertIn("Max-Age=0", headers["set-cookie"])
        status, _, _ = self.http("GET", "/api/v1/whoami", headers={"Cookie": cookie})
        self.assertEqual(status, 401)

    def test_wrong_password_and_unknown_user_are_401_alike(self):
        s1, b1, h1 = self.http("POST", "/api/v1/login", {"user": "alice", "password": "not-her-pw"})
        s2, b2, _ = self.http("POST", "/api/v1/login", {"user": "nobody", "password": "not-her-pw"})
        self.assertEqual((s1, s2), (401, 401))
        self.assertEqual(b1["message"], b2["message"])
        self.assertNotIn("set-cookie", h1)
        self.assertNotIn("not-her-pw", json.dumps(b1))

    def test_event_stream_accepts_the_cookie(self):
        cookie, _, _, _ = self.login("alice", "alice-pw-123")
        ws = WsClient(self.server.address, extra_headers=["Cookie: " + cookie])
        ws.sock.close()
        with self.assertRaises(HandshakeRefused) as refused:
            WsClient(self.server.address, extra_headers=["Cookie: " + cookie, "Origin: http://evil.example"])
        self.assertEqual(refused.exception.status, 403)
        with self.assertRaises(HandshakeRefused) as refused:
            WsClient(self.server.address, extra_headers=["Cookie: quire_session=forged"])
        self.assertEqual(refused.exception.status, 401)


if __name__ == "__main__":
    unittest.main()
