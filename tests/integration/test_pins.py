"""PINs and card enrolment codes, end to end: quired sends its mail through
a real SMTP exchange to tests/integration/smtp_sink.py (a standard-library
SMTP server on loopback), and the tests read what arrived as an e-mail
client would (Python's email package).

- A student has a new PIN e-mailed (POST /users/{me}/pin/generate): it
  arrives at their address from [mail] from, as text/plain UTF-8, and logs
  them in at a terminal; their old PIN no longer does; the PIN is in no
  answer and no log line.
- The policy: a trivial chosen PIN is refused; a second PIN within
  resend_s is refused (429).
- A mail server that refuses the address, or is down: 409 and 503, and the
  old PIN still logs in.
- STARTTLS with the site's CA (the sink requires TLS), and no fall-back:
  a server without STARTTLS gets nothing.
- An enrolment code from the portal binds an unknown card at a terminal
  once; the card then logs in alone; a spent or wrong code is a failed
  login.
- Chromium: the portal's "E-mail me a new PIN" and "Get a code" and the
  kiosk's code form (tests/browser/pins_flow.mjs)."""
import email
import email.policy
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from quire_harness import SOURCE_DIR, Quired, api_call, basic_auth, wait_for
from slapd import make_test_certificates
from smtp_sink import SmtpSink

ROOT_PASSWORD = "pins-root-pw-1"
ANN_PASSWORD = "ann-password-1"
FROM = "print@uni.test"


def mail_sets(port, extra=()):
    # --set takes a string key's value verbatim (no TOML quotes).
    return ["api.allow_plain_loopback=true", "mail.enabled=true", "mail.url=smtp://127.0.0.1:%d" % port,
            "mail.start_tls=false", "mail.from=" + FROM, "mail.site_name=Test University printing",
            "pins.resend_s=60", 'printers.demo.login=["card", "pin", "password"]'] + list(extra)


def parse(message):
    return email.message_from_bytes(message.data, policy=email.policy.default)


def pin_in(message):
    text = parse(message).get_content()
    found = re.search(r"^    ([0-9]+)\r?$", text, re.M)
    assert found, text
    return found.group(1)


class PinTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink().start()
        cls.server = Quired(sets=mail_sets(cls.sink.port))
        cls.server.add_admin("root", ROOT_PASSWORD)
        cls.server.start()
        status, body = cls.call("POST", "/api/v1/users", {"name": "ann", "display_name": "Ann Émile",
                                                         "email": "ann@uni.test", "password": ANN_PASSWORD})
        assert status == 201, body
        status, body = cls.call("POST", "/api/v1/users", {"name": "bob", "email": "bob@uni.test",
                                                         "password": ANN_PASSWORD})
        assert status == 201, body
        status, cls.terminal = cls.call("POST", "/api/v1/terminals", {"name": "pins-t", "printer": "demo"})
        assert status == 201, cls.terminal

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)
        cls.sink.stop()

    @classmethod
    def call(cls, method, path, body=None, user="root", password=ROOT_PASSWORD):
        status, parsed, _ = api_call(cls.server.address, method, path, body, basic_auth(user, password))
        return status, parsed

    def as_ann(self, method, path, body=None):
        return self.call(method, path, body, "ann", ANN_PASSWORD)

    def terminal_login(self, body):
        """The user a terminal session opens for, or the error code."""
        bearer = {"Authorization": "Bearer " + self.terminal["token"]}
        status, parsed, _ = api_call(self.server.address, "POST", "/api/v1/terminal/sessions", body, bearer)
        if status != 201:
            return "%d %s" % (status, parsed.get("error") if isinstance(parsed, dict) else parsed)
        api_call(self.server.address, "DELETE", "/api/v1/terminal/session", None,
                 dict(bearer, **{"Quire-Session": parsed["session"]}))
        return parsed["user"]

    def new_pin(self):
        before = len(self.sink.messages)
        status, body = self.as_ann("POST", "/api/v1/users/ann/pin/generate")
        self.assertEqual(status, 200, body)
        self.assertEqual(body, {"sent_to": "ann@uni.test"})
        return pin_in(self.sink.wait_for(before + 1)[-1])


class Pins(PinTestCase):
    def test_a_generated_pin_arrives_and_logs_in(self):
        status, me = self.as_ann("GET", "/api/v1/users/ann")
        self.assertEqual(status, 200, me)
        self.assertTrue(me["pin_choice"])
        self.assertTrue(me["pin_by_mail"])
        status, body = self.as_ann("PUT", "/api/v1/users/ann/pin", {"pin": "50719364"})
        self.assertEqual(status, 204, body)
        self.assertEqual(self.terminal_login({"pin": "50719364"}), "ann")

        before = len(self.sink.messages)
        pin = self.new_pin()
        got = self.sink.messages[before]
        self.assertEqual(got.sender, FROM)
        self.assertEqual(got.recipients, ["ann@uni.test"])
        m = parse(got)
        self.assertEqual(m["Subject"], "Your new PIN for Test University printing")
        self.assertEqual(m["To"].addresses[0].display_name, "Ann Émile")
        self.assertEqual(m["To"].addresses[0].addr_spec, "ann@uni.test")
        self.assertEqual(m["From"].addresses[0].addr_spec, FROM)
        self.assertEqual(m.get_content_type(), "text/plain")
        self.assertIn("Hello Ann Émile", m.get_content())
        self.assertIsNotNone(m["Message-ID"])
        self.assertIsNotNone(m["Date"])
        self.assertRegex(pin, r"^[0-9]{6}$")

        self.assertEqual(self.terminal_login({"pin": pin}), "ann")
        self.assertEqual(self.terminal_login({"pin": "50719364"}), "401 login_failed")
        self.assertNotIn(pin, self.server.stderr())
        self.assertTrue(self.as_ann("GET", "/api/v1/users/ann")[1]["pin"])

    def test_b_policy_trivial_pins_and_resend(self):
        status, body = self.as_ann("PUT", "/api/v1/users/ann/pin", {"pin": "123456"})
        self.assertEqual(status, 400, body)
        self.assertIn("too easy", body["message"])
        status, body = self.call("PUT", "/api/v1/users/bob/pin", {"pin": "999999"})
        self.assertEqual(status, 400, body)
        # One PIN a minute per user (test_a sent ann's): 429 says how long.
        status, body = self.as_ann("POST", "/api/v1/users/ann/pin/generate")
        self.assertEqual(status, 429, body)
        # Someone else's PIN: a student may not; the print desk may.
        status, body = self.as_ann("POST", "/api/v1/users/bob/pin/generate")
        self.assertEqual(status, 403, body)
        before = len(self.sink.messages)
        status, body = self.call("POST", "/api/v1/users/bob/pin/generate")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.sink.wait_for(before + 1)[-1].recipients, ["bob@uni.test"])

    def test_c_refused_or_unreachable_mail_keeps_the_old_pin(self):
        status, body = self.call("POST", "/api/v1/users", {"name": "cid", "email": "cid@nowhere.test"})
        self.assertEqual(status, 201, body)
        self.assertEqual(self.call("PUT", "/api/v1/users/cid/pin", {"pin": "4029371"})[0], 204)
        self.sink.reject_recipients = {"cid@nowhere.test"}
        try:
            status, body = self.call("POST", "/api/v1/users/cid/pin/generate")
        finally:
            self.sink.reject_recipients = None
        self.assertEqual(status, 409, body)
        self.assertIn("550", body["message"])
        self.assertEqual(self.terminal_login({"pin": "4029371"}), "cid")
        # A user without an address gets 409 at once; their pin_by_mail says so.
        status, body = self.call("POST", "/api/v1/users", {"name": "dee"})
        self.assertEqual(status, 201, body)
        self.assertFalse(body["pin_by_mail"])
        self.assertEqual(self.call("POST", "/api/v1/users/dee/pin/generate")[0], 409)

    def test_d_enrolment_code_binds_a_card_once(self):
        status, code = self.as_ann("POST", "/api/v1/users/ann/enrolment-code")
        self.assertEqual(status, 201, code)
        self.assertRegex(code["code"], r"^[0-9]{8}$")
        self.assertEqual(self.terminal_login({"card": "77AA0001"}), "401 login_failed")
        self.assertEqual(self.terminal_login({"card": "77AA0001", "code": "00000000"}), "401 login_failed")
        self.assertEqual(self.terminal_login({"card": "77AA0001", "code": code["code"]}), "ann")
        self.assertEqual(self.terminal_login({"card": "77AA0001"}), "ann")
        self.assertEqual(self.terminal_login({"card": "77AA0002", "code": code["code"]}), "401 login_failed")
        self.assertEqual(self.as_ann("GET", "/api/v1/users/ann")[1]["cards"], 1)
        self.assertNotIn(code["code"], self.server.stderr())
        # Someone else's card cannot be taken over with a code.
        status, other = self.call("POST", "/api/v1/users/bob/enrolment-code")
        self.assertEqual(status, 201, other)
        self.assertEqual(self.terminal_login({"card": "77AA0001", "code": other["code"]}), "409 already_exists")

    def test_e_mail_server_down(self):
        status, body = self.call("POST", "/api/v1/users", {"name": "gus", "email": "gus@uni.test"})
        self.assertEqual(status, 201, body)
        self.assertEqual(self.call("PUT", "/api/v1/users/gus/pin", {"pin": "8160352"})[0], 204)
        self.sink.stop()
        try:
            status, body = self.call("POST", "/api/v1/users/gus/pin/generate")
            self.assertEqual(status, 503, body)
            self.assertIn("old PIN still works", body["message"])
            self.assertEqual(self.terminal_login({"pin": "8160352"}), "gus")
        finally:
            type(self).sink = SmtpSink(port=self.sink.port).start()

    def test_f_portal_and_kiosk_in_a_browser(self):
        """tests/browser/pins_flow.mjs: the portal e-mails a PIN and shows an
        enrolment code; the kiosk takes the code for an unknown card."""
        browser_dir = os.path.join(SOURCE_DIR, "tests", "browser")
        chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        self.assertTrue(os.access(chromium, os.X_OK) and shutil.which("node") and
                        os.path.isdir(os.path.join(browser_dir, "node_modules", "playwright-core")),
                        "chromium, node and tests/browser/node_modules are needed: run .ci/install-deps test")
        status, body = self.call("POST", "/api/v1/users", {"name": "eve", "display_name": "Eve Student",
                                                          "email": "eve@uni.test", "password": ANN_PASSWORD})
        self.assertEqual(status, 201, body)
        status, t = self.call("POST", "/api/v1/terminals", {"name": "kiosk-pins", "printer": "demo"})
        self.assertEqual(status, 201, t)
        shots = tempfile.mkdtemp(prefix="quire-pins-ui-")
        before = len(self.sink.messages)
        env = dict(os.environ, QUIRE_URL="http://" + self.server.address, QUIRE_USER="eve",
                   QUIRE_PASSWORD=ANN_PASSWORD, QUIRE_TERMINAL_TOKEN=t["token"], QUIRE_NEW_CARD="88BB0005",
                   QUIRE_SHOTS=shots, CHROMIUM=chromium)
        run = subprocess.run(["node", os.path.join(browser_dir, "pins_flow.mjs")], env=env, cwd=browser_dir,
                             capture_output=True, text=True, timeout=300)
        print("\nPIN UI screenshots: " + shots, file=sys.stderr)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("STEP done", run.stdout)
        got = self.sink.wait_for(before + 1)[-1]
        self.assertEqual(got.recipients, ["eve@uni.test"])
        self.assertEqual(self.terminal_login({"pin": pin_in(got)}), "eve")
        self.assertEqual(self.terminal_login({"card": "88BB0005"}), "eve")


class MailOverTls(unittest.TestCase):
    """STARTTLS is required by the sink and by quired; quired trusts the
    site's CA only; a server that offers no STARTTLS gets nothing."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="quire-pins-tls-")
        cls.ca = os.path.join(cls.tmp, "ca.pem")
        cls.cert, cls.key = make_test_certificates(cls.tmp, cls.ca)

    def run_once(self, sink, extra):
        q = Quired(sets=mail_sets(sink.port, ["mail.start_tls=true", "mail.ca_file=" + self.ca] + extra))
        q.add_admin("root", ROOT_PASSWORD)
        q.start()
        try:
            auth = basic_auth("root", ROOT_PASSWORD)
            status, body, _ = api_call(q.address, "POST", "/api/v1/users", {"name": "fay", "email": "fay@uni.test"},
                                       auth)
            self.assertEqual(status, 201, body)
            status, body, _ = api_call(q.address, "POST", "/api/v1/users/fay/pin/generate", None, auth)
            return status, body, q.stderr()
        finally:
            q.__exit__(None, None, None)

    def test_starttls_with_the_sites_ca(self):
        with SmtpSink(cert=self.cert, key=self.key, require_tls=True, users={"quire": "mail-secret-1"}) as sink:
            pw = os.path.join(self.tmp, "mail-password")
            with open(pw, "w") as f:
                f.write("mail-secret-1\n")
            status, body, log = self.run_once(sink, ["mail.user=quire", "mail.password_file=" + pw])
            self.assertEqual(status, 200, body)
            got = sink.wait_for(1)[0]
            self.assertTrue(got.tls)
            self.assertEqual(got.auth_user, "quire")
            self.assertNotIn("mail-secret-1", log)

    def test_no_starttls_no_mail(self):
        with SmtpSink() as plain:
            status, body, _ = self.run_once(plain, [])
            self.assertEqual(status, 503, body)
            self.assertEqual(plain.messages, [])

    def test_unknown_ca_no_mail(self):
        other = tempfile.mkdtemp(prefix="quire-pins-ca2-")
        cert, key = make_test_certificates(other, os.path.join(other, "ca.pem"))
        with SmtpSink(cert=cert, key=key, require_tls=True) as sink:
            status, body, _ = self.run_once(sink, [])
            self.assertEqual(status, 503, body)
            self.assertEqual(sink.messages, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
