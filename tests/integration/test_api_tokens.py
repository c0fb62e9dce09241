"""API tokens for scripts, end to end: a user makes one (shown once), a
script uses it as `Authorization: Bearer` with that user's rights (no more),
quirectl logs in with one (--token-file, QUIRE_TOKEN, over verified TLS),
it is revoked or dies with its user's account, and it never shows in a
listing, the log or the data folder. Also the API description at
/api/v1/openapi.json with its ETag."""
import json
import os
import ssl
import subprocess
import tempfile
import unittest

from quire_harness import QUIRED, Quired, api_call, basic_auth
from ws_client import HandshakeRefused, WsClient

BINARY_DIR = os.environ.get("QUIRE_BINARY_DIR", os.path.dirname(os.path.abspath(QUIRED)))
QUIRECTL = os.path.join(BINARY_DIR, "quirectl")
ROOT_PASSWORD = "s3cret-root-pw"
ALICE_PASSWORD = "alice-pw-123"


class ApiTokens(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Quired(sets=["api.allow_plain_loopback=true"])
        cls.server.add_admin("root", ROOT_PASSWORD)
        cls.server.start()
        cls.cert = os.path.join(cls.server.data_dir, "tls", "server.crt")
        for name in ("alice", "bob"):
            status, body, _ = cls.http("POST", "/api/v1/users", {"name": name, "password": ALICE_PASSWORD},
                                       cls.basic())
            assert status == 201, (status, body)

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    @classmethod
    def http(cls, method, path, body=None, headers=None):
        return api_call(cls.server.address, method, path, body, headers)

    @classmethod
    def basic(cls, user="root", password=ROOT_PASSWORD):
        return basic_auth(user, password)

    @staticmethod
    def bearer(token):
        return {"Authorization": "Bearer " + token}

    def make_token(self, user, label, by=None, **extra):
        body = dict(name=label, **extra)
        status, made, _ = self.http("POST", "/api/v1/users/%s/tokens" % user, body,
                                    by or self.basic(user, ALICE_PASSWORD))
        self.assertEqual(status, 201, made)
        self.assertTrue(made["token"].startswith("qt_"))
        return made

    def test_a_token_carries_its_users_rights_until_revoked(self):
        made = self.make_token("alice", "nightly report", expires_days=30)
        token = made["token"]
        self.assertEqual(made["user"], "alice")
        self.assertIsNotNone(made["expires"])
        status, who, _ = self.http("GET", "/api/v1/whoami", headers=self.bearer(token))
        self.assertEqual((status, who["name"], who["admin"]), (200, "alice", False))
        # alice's rights only: her own jobs, not the user list, not bob's tokens.
        self.assertEqual(self.http("GET", "/api/v1/jobs", headers=self.bearer(token))[0], 200)
        self.assertEqual(self.http("GET", "/api/v1/users", headers=self.bearer(token))[0], 403)
        self.assertEqual(self.http("GET", "/api/v1/users/bob/tokens", headers=self.bearer(token))[0], 403)
        # A state change with a token needs no CSRF header: nothing ambient to abuse.
        status, _, _ = self.http("PUT", "/api/v1/users/alice/delegates", {"delegates": []}, self.bearer(token))
        self.assertEqual(status, 200)
        # The listing shows the id and label, never the token.
        status, listed, _ = self.http("GET", "/api/v1/users/alice/tokens", headers=self.bearer(token))
        self.assertEqual(status, 200)
        ids = [t["id"] for t in listed["tokens"]]
        self.assertIn(made["id"], ids)
        self.assertNotIn(token, json.dumps(listed))
        # An administrator sees and may revoke them too.
        status, listed, _ = self.http("GET", "/api/v1/users/alice/tokens", headers=self.basic())
        self.assertIn(made["id"], [t["id"] for t in listed["tokens"]])
        self.assertEqual(self.http("DELETE", "/api/v1/users/alice/tokens/%s" % made["id"],
                                   headers=self.bearer(token))[0], 204)
        status, body, hdrs = self.http("GET", "/api/v1/whoami", headers=self.bearer(token))
        self.assertEqual(status, 401)
        self.assertIn("www-authenticate", hdrs)
        self.assertEqual(self.http("DELETE", "/api/v1/users/alice/tokens/%s" % made["id"],
                                   headers=self.basic())[0], 404)

    def test_bad_tokens_and_requests_are_refused_without_detail(self):
        for header in ("Bearer qt_" + "A" * 43, "Bearer qt_short", "Bearer not-an-api-token-at-all",
                       "Bearer " + "x" * 300, "Bearer"):
            status, body, _ = self.http("GET", "/api/v1/whoami", headers={"Authorization": header})
            self.assertEqual(status, 401, header)
            self.assertNotIn("AAAA", json.dumps(body))
        user = self.basic("alice", ALICE_PASSWORD)
        for bad in ({}, {"name": ""}, {"name": "x", "expires_days": 0}, {"name": "x", "token": "qt_mine"}):
            self.assertEqual(self.http("POST", "/api/v1/users/alice/tokens", bad, user)[0], 400, bad)
        self.assertEqual(self.http("POST", "/api/v1/users/nobody/tokens", {"name": "x"}, self.basic())[0], 404)
        self.assertEqual(self.http("DELETE", "/api/v1/users/alice/tokens/../../x", headers=user)[0], 404)

    def test_a_token_dies_with_its_users_account(self):
        status, _, _ = self.http("POST", "/api/v1/users", {"name": "carol", "password": ALICE_PASSWORD},
                                 self.basic())
        self.assertEqual(status, 201)
        token = self.make_token("carol", "ci", by=self.basic())["token"]
        self.assertEqual(self.http("GET", "/api/v1/whoami", headers=self.bearer(token))[0], 200)
        self.assertEqual(self.http("PATCH", "/api/v1/users/carol", {"disabled": True}, self.basic())[0], 200)
        self.assertEqual(self.http("GET", "/api/v1/whoami", headers=self.bearer(token))[0], 401)
        self.assertEqual(self.http("PATCH", "/api/v1/users/carol", {"disabled": False}, self.basic())[0], 200)
        self.assertEqual(self.http("GET", "/api/v1/whoami", headers=self.bearer(token))[0], 200)
        self.assertEqual(self.http("DELETE", "/api/v1/users/carol", headers=self.basic())[0], 204)
        self.assertEqual(self.http("GET", "/api/v1/whoami", headers=self.bearer(token))[0], 401)

    def test_quirectl_with_a_token_over_tls(self):
        made = self.make_token("root", "quirectl", by=self.basic())
        token = made["token"]
        base = [QUIRECTL, "--server", "https://%s" % self.server.address, "--cacert", self.cert]
        clean = {k: v for k, v in os.environ.items() if not k.startswith("QUIRE_")}
        with tempfile.NamedTemporaryFile("w", suffix=".token") as f:
            f.write(token + "\n")
            f.flush()
            p = subprocess.run(base + ["--token-file", f.name, "whoami"], capture_output=True, text=True,
                               env=clean, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("root", p.stdout)
        p = subprocess.run(base + ["tokens", "add", "alice", "from quirectl", "--days", "7"], capture_output=True,
                           text=True, env=dict(clean, QUIRE_TOKEN=token), timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("token: qt_", p.stdout)
        p = subprocess.run(base + ["--json", "tokens", "list", "alice"], capture_output=True, text=True,
                           env=dict(clean, QUIRE_TOKEN=token), timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        labels = [t["name"] for t in json.loads(p.stdout)["tokens"]]
        self.assertIn("from quirectl", labels)
        # A revoked token: quirectl fails like for a wrong password.
        self.assertEqual(self.http("DELETE", "/api/v1/users/root/tokens/%s" % made["id"],
                                   headers=self.basic())[0], 204)
        p = subprocess.run(base + ["whoami"], capture_output=True, text=True, env=dict(clean, QUIRE_TOKEN=token),
                           timeout=60)
        self.assertNotEqual(p.returncode, 0)
        # Never in the log or the data folder.
        self.assertNotIn(token, self.server.stderr())
        raw = token.encode()
        for folder, _, files in os.walk(self.server.data_dir):
            for name in files:
                with open(os.path.join(folder, name), "rb") as fh:
                    self.assertNotIn(raw, fh.read(), name)

    def test_the_event_stream_takes_a_token(self):
        token = self.make_token("alice", "desktop client")["token"]
        ws = WsClient(self.server.address, extra_headers=["Authorization: Bearer " + token])
        hello = ws.read_json()
        self.assertEqual((hello["type"], hello["user"], hello["admin"]), ("hello", "alice", False))
        ws.send_json({"type": "subscribe", "topics": ["user:alice"]})
        self.assertEqual(ws.read_json()["type"], "subscribed")
        ws.send_json({"type": "subscribe", "topics": ["printer:*"]})  # alice's rights only
        self.assertEqual(ws.read_json()["type"], "error")
        for bad in ("Bearer qt_" + "B" * 43, "Bearer some-other-bearer-token"):
            with self.assertRaises(HandshakeRefused) as refused:
                WsClient(self.server.address, extra_headers=["Authorization: " + bad])
            self.assertEqual(refused.exception.status, 401)

    def test_changes_are_in_the_audit_log_without_secrets(self):
        status, _, _ = self.http("PUT", "/api/v1/users/bob/password", {"password": "bob-new-secret-pw"},
                                 self.basic())
        self.assertEqual(status, 204)
        self.http("POST", "/api/v1/users/bob/tokens", {"name": "audited"}, self.basic("bob", "bob-new-secret-pw"))
        self.http("POST", "/api/v1/users", {"name": "x"}, self.basic("root", "wrong password"))  # nobody: not kept
        status, log, _ = self.http("GET", "/api/v1/audit?limit=50", headers=self.basic())
        self.assertEqual(status, 200, log)
        entries = log["entries"]
        password = [e for e in entries if e["action"] == "PUT /api/v1/users/{name}/password"]
        self.assertEqual((password[0]["user"], password[0]["target"], password[0]["status"]), ("root", "bob", 204))
        self.assertTrue(password[0]["time"].endswith("Z"))
        self.assertIn("POST /api/v1/users/{name}/tokens", [e["action"] for e in entries if e["user"] == "bob"])
        self.assertNotIn("bob-new-secret-pw", json.dumps(log))
        self.assertNotIn(401, [e["status"] for e in entries])
        status, only_bob, _ = self.http("GET", "/api/v1/audit?user=bob", headers=self.basic())
        self.assertEqual({e["user"] for e in only_bob["entries"]}, {"bob"})
        times = [e["time"] for e in entries]
        self.assertEqual(times, sorted(times, reverse=True))  # newest first
        self.assertEqual(self.http("GET", "/api/v1/audit", headers=self.basic("bob", "bob-new-secret-pw"))[0], 403)

    def test_the_api_description(self):
        status, doc, hdrs = self.http("GET", "/api/v1/openapi.json")
        self.assertEqual(status, 200)
        self.assertTrue(doc["openapi"].startswith("3."))
        self.assertIn("/users/{name}/tokens", doc["paths"])
        self.assertIn("/jobs/{id}/release", doc["paths"])
        etag = hdrs["etag"]
        status, body, _ = self.http("GET", "/api/v1/openapi.json", headers={"If-None-Match": etag})
        self.assertEqual(status, 304)
        self.assertFalse(body)


if __name__ == "__main__":
    unittest.main()
