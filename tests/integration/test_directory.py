"""Users from the university's directory: a real slapd (tests/integration/
slapd.py) on loopback with a generated population of 10,000 students, their
groups, e-mail addresses and card numbers, read by quired over LDAPS with
its own CA. The first sync is full; the tests then change the directory
(ldapmodify) and check what an incremental sync takes, that a full one
disables (never deletes) a user gone from the directory and takes them back
when the entry returns; that students log in with their directory password
(IPP Basic, the REST API, a terminal) and with their campus card at a
terminal; that a card number given to two users goes to neither and is
reported, a huge attribute is dropped with a report line, a login name with
LDAP filter characters finds nobody; and that with the directory down the
last synced state keeps working, a sync fails without changing anything,
and a user who logged in before still can (offline_logins = "cached")."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from quire_harness import SAMPLE_PDF, SOURCE_DIR, Client, Quired, api_call, basic_auth, wait_for
from slapd import Slapd, card_of, courses_of, password_of, uid_of

ROOT_PASSWORD = "dir-root-pw-1"
USERS = 10000


def pdf_bytes():
    with open(SAMPLE_PDF, "rb") as f:
        return f.read()


def directory_sets(d, password_file, extra=()):
    # --set takes a string key's value verbatim (no TOML quotes).
    return [
        "api.allow_plain_loopback=true",
        "directory.enabled=true",
        "directory.url=" + d.ldaps_url,
        "directory.ca_file=" + d.ca_file,
        "directory.bind_dn=" + d.service_dn,
        "directory.bind_password_file=" + password_file,
        "directory.base_dn=" + d.people_dn,
        "directory.group_base_dn=" + d.groups_dn,
        "directory.card_attribute=employeeNumber",
        'directory.admin_groups=["print-admins"]',
        "directory.interval_s=3600",
        "directory.timeout_ms=2000",
        'printers.demo.login=["card", "password"]',
    ] + list(extra)


class DirectoryTestCase(unittest.TestCase):
    schema = "openldap"
    users = USERS
    extra_sets = ()

    @classmethod
    def setUpClass(cls):
        cls.slapd = Slapd(users=cls.users, tls=True, schema=cls.schema)
        cls.slapd.start()
        cls.tmp = tempfile.mkdtemp(prefix="quire-dir-")
        cls.password_file = os.path.join(cls.tmp, "bind-password")
        with open(cls.password_file, "w") as f:
            f.write(cls.slapd.service_password + "\n")
        os.chmod(cls.password_file, 0o600)
        cls.server = Quired(sets=directory_sets(cls.slapd, cls.password_file, cls.extra_sets))
        cls.server.add_admin("root", ROOT_PASSWORD)
        cls.server.start()
        cls.first = cls.wait_sync(after_ms=0)

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)
        cls.slapd.stop()

    @classmethod
    def call(cls, method, path, body=None, user="root", password=ROOT_PASSWORD):
        status, parsed, _ = api_call(cls.server.address, method, path, body, basic_auth(user, password))
        return status, parsed

    @classmethod
    def wait_sync(cls, after_ms, timeout=120):
        """The report of the first sync that started at or after `after_ms`."""
        found = {}

        def done():
            status, body = cls.call("GET", "/api/v1/directory")
            assert status == 200, body
            last = body["last"]
            if not body["running"] and last and last["started_ms"] >= after_ms:
                found["report"] = last
                return True
            return False

        if not wait_for(done, timeout, 0.2):
            raise AssertionError("no directory sync ended in time: %s" % (cls.call("GET", "/api/v1/directory"),))
        return found["report"]

    def sync(self, full=False):
        now_ms = int(time.time() * 1000) - 1
        status, body = self.call("POST", "/api/v1/directory/sync", {"full": full})
        self.assertEqual(status, 202, body)
        report = self.wait_sync(now_ms)
        self.assertIsNone(report["error"], report)
        return report

    def user(self, name):
        status, body = self.call("GET", "/api/v1/users/" + name)
        return body if status == 200 else None

    def logs_in(self, user, password):
        return self.call("GET", "/api/v1/whoami", user=user, password=password)[0] == 200


class DirectorySync(DirectoryTestCase):
    def test_a_first_sync_takes_everyone(self):
        r = self.first
        self.assertTrue(r["full"], r)
        self.assertEqual(r["users_read"], USERS, r)
        self.assertGreaterEqual(r["created"], USERS, r)
        u = self.user(uid_of(3))
        self.assertEqual(u["source"], "directory", u)
        self.assertEqual(u["email"], "%s@uni.test" % uid_of(3))
        self.assertEqual(u["directory_state"], "active")
        self.assertIn("students", u["groups"])
        self.assertEqual(u["cards"], 1)
        self.assertFalse(u["admin"])
        self.assertTrue(self.user(uid_of(1))["admin"], "print-admins administer the site")
        self.assertEqual(self.user(uid_of(7))["cards"], 0, "user 7 has no card in the directory")

    def test_b_directory_passwords_log_in(self):
        status, body = self.call("GET", "/api/v1/whoami", user=uid_of(4), password=password_of(4))
        self.assertEqual(status, 200, body)
        self.assertEqual(self.call("GET", "/api/v1/whoami", user=uid_of(4), password="wrong")[0], 401)
        # Any case of the login name; the user is the directory's (lower-case) one.
        status, body = self.call("GET", "/api/v1/whoami", user=uid_of(4).upper(), password=password_of(4))
        self.assertEqual((status, body.get("name")), (200, uid_of(4)), body)
        # Filter characters in a name find nobody (the bind uses the stored DN).
        for name in ("*", "s00000*", "*)(uid=*", "s000004)(|(uid=*"):
            self.assertEqual(self.call("GET", "/api/v1/whoami", user=name, password=password_of(4))[0], 401, name)
        # A directory user's password is the directory's.
        status, body = self.call("PUT", "/api/v1/users/%s/password" % uid_of(4), {"password": "new-pw-123456"})
        self.assertEqual(status, 409, body)

    def test_c_card_at_a_terminal(self):
        status, t = self.call("POST", "/api/v1/terminals", {"name": "dir-t", "printer": "demo"})
        self.assertEqual(status, 201, t)
        bearer = {"Authorization": "Bearer " + t["token"]}
        status, body, raw = api_call(self.server.address, "POST", "/api/v1/terminal/sessions",
                                     {"card": card_of(5)}, bearer)
        self.assertEqual(status, 201, raw)
        self.assertEqual(body["user"], uid_of(5), body)

    def test_d_incremental_takes_only_what_changed(self):
        d = self.slapd
        # The population was loaded within a second or two, and an
        # incremental sync reads from the newest change's second on (>=):
        # one change a second later moves that mark past the population.
        time.sleep(1.1)
        d.set_attr(d.user_dn(99), "mail", ["moved-%s@uni.test" % uid_of(99)])
        self.sync()
        time.sleep(1.1)
        for i in range(100, 200):  # 100 changes
            d.set_attr(d.user_dn(i), "mail", ["new-%s@uni.test" % uid_of(i)])
        course = "course-%02d" % courses_of(150)[0]
        self.assertIn(course, self.user(uid_of(150))["groups"])
        d.remove_member(course, uid_of(150))
        d.add_member("staff", uid_of(160))
        d.add_user(USERS + 1, groups=("students",))
        r = self.sync()
        self.assertFalse(r["full"], r)
        self.assertLess(r["users_read"], 200, r)
        self.assertEqual(r["created"], 1, r)
        self.assertEqual(self.user(uid_of(120))["email"], "new-%s@uni.test" % uid_of(120))
        self.assertIn("staff", self.user(uid_of(160))["groups"])
        self.assertNotIn(course, self.user(uid_of(150))["groups"])
        self.assertEqual(self.user(uid_of(USERS + 1))["directory_state"], "active")
        # Nothing changed: nothing written.
        r = self.sync()
        self.assertEqual((r["created"], r["updated"]), (0, 0), r)

    def test_e_gone_is_disabled_not_deleted_and_comes_back(self):
        d = self.slapd
        i = 42
        self.assertTrue(self.logs_in(uid_of(i), password_of(i)))
        d.delete_user(i)
        self.sync()  # incremental: deletions are not seen
        self.assertEqual(self.user(uid_of(i))["directory_state"], "active")
        r = self.sync(full=True)
        self.assertEqual(r["gone"], 1, r)
        u = self.user(uid_of(i))
        self.assertEqual(u["directory_state"], "gone", u)
        self.assertEqual(self.call("GET", "/api/v1/whoami", user=uid_of(i), password=password_of(i))[0], 401)
        d.add_user(i, groups=("students",))
        r = self.sync()
        self.assertEqual(r["returned"], 1, r)
        self.assertEqual(self.call("GET", "/api/v1/whoami", user=uid_of(i), password=password_of(i))[0], 200)

    def test_f_duplicate_cards_and_huge_values_are_reported(self):
        d = self.slapd
        d.set_attr(d.user_dn(300), "employeeNumber", [card_of(301)])  # 300 and 301 now share a card
        d.set_attr(d.user_dn(302), "displayName", ["x" * 100000])
        r = self.sync()
        problems = "\n".join(r["problems"])
        # The incremental sync sees 300's change only: the card is 301's.
        self.assertIn("already belongs to %s" % uid_of(301), problems, r)
        r = self.sync(full=True)
        problems = "\n".join(r["problems"])
        self.assertIn("given to 2 users", problems, r)
        self.assertIn(uid_of(300), problems)
        self.assertNotIn(card_of(301), problems, "card numbers never appear in reports")
        self.assertIn("displayName", problems)
        self.assertEqual(self.user(uid_of(302))["display_name"], "", "the huge name is dropped")
        # 301 had the card before: it stays theirs; 300 does not get it.
        self.assertEqual(self.user(uid_of(301))["cards"], 1)
        self.assertEqual(self.user(uid_of(300))["cards"], 0)

    def test_g_directory_down(self):
        i = 77
        self.assertTrue(self.logs_in(uid_of(i), password_of(i)))  # keeps the password's offline hash
        time.sleep(1)  # the offline hash is written after the answer
        self.slapd.proc.send_signal(19)  # SIGSTOP: a directory that accepts connections and never answers
        try:
            # A restart forgets the in-memory credential cache: what logs in
            # now is the offline hash.
            self.server.kill9()
            self.server.start()
            now_ms = int(time.time() * 1000) - 1
            self.assertEqual(self.call("POST", "/api/v1/directory/sync", {"full": True})[0], 202)
            r = self.wait_sync(now_ms, timeout=120)
            self.assertIsNotNone(r["error"], r)
            self.assertEqual(self.user(uid_of(5))["directory_state"], "active", "the last synced state stays")
            status, t = self.call("POST", "/api/v1/terminals", {"name": "down-t", "printer": "demo"})
            self.assertEqual(status, 201, t)
            status, body, raw = api_call(self.server.address, "POST", "/api/v1/terminal/sessions",
                                         {"card": card_of(5)}, {"Authorization": "Bearer " + t["token"]})
            self.assertEqual(status, 201, raw)
            self.assertTrue(self.logs_in(uid_of(i), password_of(i)))
            self.assertEqual(self.call("GET", "/api/v1/whoami", user=uid_of(i), password="wrong-pw")[0], 401)
            # Someone who never logged in cannot be checked now.
            self.assertEqual(self.call("GET", "/api/v1/whoami", user=uid_of(78), password=password_of(78))[0], 503)
        finally:
            self.slapd.proc.send_signal(18)  # SIGCONT
            # quired now skips binds for a while (the directory was
            # unreachable): a fresh start for the tests after this one.
            self.server.stop()
            self.server.start()


    def test_h_an_unknown_card_is_enrolled_by_its_owner(self):
        status, t = self.call("POST", "/api/v1/terminals", {"name": "enrol-t", "printer": "demo"})
        self.assertEqual(status, 201, t)
        bearer = {"Authorization": "Bearer " + t["token"]}

        def session(body):
            status, parsed, raw = api_call(self.server.address, "POST", "/api/v1/terminal/sessions", body, bearer)
            if status == 201:
                api_call(self.server.address, "DELETE", "/api/v1/terminal/session", None,
                         dict(bearer, **{"Quire-Session": parsed["session"]}))
            return status, parsed

        status, info, _ = api_call(self.server.address, "GET", "/api/v1/terminal", None, bearer)
        self.assertTrue(info["login"]["enrol_cards"], info)
        new_card = "9900000008"
        self.assertEqual(session({"card": new_card})[0], 401)
        # A wrong password binds nothing.
        self.assertEqual(session({"card": new_card, "user": uid_of(8), "password": "wrong"})[0], 401)
        self.assertEqual(session({"card": new_card})[0], 401)
        status, body = session({"card": new_card, "user": uid_of(8), "password": password_of(8)})
        self.assertEqual((status, body.get("user")), (201, uid_of(8)), body)
        status, body = session({"card": new_card})
        self.assertEqual((status, body.get("user")), (201, uid_of(8)), body)
        # Someone's card cannot be taken over this way.
        status, body = session({"card": card_of(9), "user": uid_of(10), "password": password_of(10)})
        self.assertEqual(status, 409, body)
        # A site that forbids it.
        self.server.stop()
        self.server.start(extra_sets=["terminals.card_enrolment=false"])
        status, info, _ = api_call(self.server.address, "GET", "/api/v1/terminal", None, bearer)
        self.assertFalse(info["login"]["enrol_cards"], info)
        status, body = session({"card": "9900000011", "user": uid_of(11), "password": password_of(11)})
        self.assertEqual(status, 401, body)
        self.assertIn("not enrolled", body["message"], body)
        self.server.stop()
        self.server.start()


    def test_i_console_and_kiosk_in_a_browser(self):
        """tests/browser/directory_flow.mjs: the console's directory card
        starts a sync and shows its report; the kiosk enrols a card."""
        browser_dir = os.path.join(SOURCE_DIR, "tests", "browser")
        chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        self.assertTrue(os.access(chromium, os.X_OK) and shutil.which("node") and
                        os.path.isdir(os.path.join(browser_dir, "node_modules", "playwright-core")),
                        "chromium, node and tests/browser/node_modules are needed: run .ci/install-deps test")
        status, t = self.call("POST", "/api/v1/terminals", {"name": "kiosk-t", "printer": "demo"})
        self.assertEqual(status, 201, t)
        shots = tempfile.mkdtemp(prefix="quire-directory-ui-")
        env = dict(os.environ, QUIRE_URL="http://" + self.server.address, QUIRE_ADMIN="root",
                   QUIRE_ADMIN_PASSWORD=ROOT_PASSWORD, QUIRE_TERMINAL_TOKEN=t["token"], QUIRE_NEW_CARD="9900000012",
                   QUIRE_USER=uid_of(12), QUIRE_PASSWORD=password_of(12), QUIRE_SHOTS=shots, CHROMIUM=chromium)
        run = subprocess.run(["node", os.path.join(browser_dir, "directory_flow.mjs")], env=env, cwd=browser_dir,
                             capture_output=True, text=True, timeout=300)
        print("\ndirectory UI screenshots: " + shots, file=sys.stderr)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("STEP done", run.stdout)


class ActiveDirectorySchema(DirectoryTestCase):
    """The "ad" schema's defaults (sAMAccountName, userAccountControl, group
    entries with member lists) against slapd's AD stand-in; its entries have
    no objectCategory or whenChanged, so those two are set."""
    schema = "ad"
    users = 600
    extra_sets = ("directory.schema=ad", "directory.user_filter=(objectClass=user)",
                  "directory.changed_attribute=modifyTimestamp", "directory.card_attribute=employeeID",
                  'directory.admin_groups=[]')

    def test_ad_users_groups_and_disabled_accounts(self):
        r = self.first
        self.assertEqual((r["users_read"], r["problem_count"]), (self.users, 0), r)
        u = self.user(uid_of(3))
        self.assertEqual((u["source"], u["directory_state"], u["cards"]), ("directory", "active", 1), u)
        self.assertIn("students", u["groups"])
        self.assertEqual(self.user(uid_of(13))["directory_state"], "disabled")  # userAccountControl 514
        self.assertEqual(self.call("GET", "/api/v1/whoami", user=uid_of(13), password=password_of(13))[0], 401)
        status, body = self.call("GET", "/api/v1/whoami", user=uid_of(3), password=password_of(3))
        self.assertEqual((status, body.get("name")), (200, uid_of(3)), body)
        # Enabled again in the directory: back at the next sync.
        self.slapd.set_attr(self.slapd.user_dn(13), "userAccountControl", ["512"])
        time.sleep(1.1)
        r = self.sync()
        self.assertEqual(self.user(uid_of(13))["directory_state"], "active", r)


if __name__ == "__main__":
    unittest.main()
