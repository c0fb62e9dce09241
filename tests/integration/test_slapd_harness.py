"""The private slapd of slapd.py, as the directory-sync tests will use it: a
200-user directory with TLS read by the service account over ldaps://,
StartTLS and paged results past the global size limit; users binding as
themselves; a modifyTimestamp filter picking out a later change; the
Active-Directory stand-in schema answering by sAMAccountName."""
import os
import subprocess
import time
import unittest

import slapd
from slapd import Slapd

USERS = 200
SIZE_LIMIT = 50       # below USERS: the service account's limits must lift it


class OpenLdapDirectory(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Slapd(users=USERS, tls=True, size_limit=SIZE_LIMIT)
        cls.d.start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def service_search(self, *args, url=None):
        """ldapsearch as the service account with only LDAPTLS_CACERT set up,
        as an operator would run it: (exit code, number of entries, output)."""
        d = self.d
        env = dict(os.environ, LDAPTLS_CACERT=d.ca_file, LDAPCONF=os.devnull, LDAPRC="quire-none.ldaprc")
        p = subprocess.run(["ldapsearch", "-LLL", "-o", "nettimeout=5", "-x", "-H", url or d.url,
                            "-D", d.service_dn, "-w", d.service_password, "-b", d.people_dn] + list(args),
                           capture_output=True, text=True, env=env, timeout=60)
        return p.returncode, p.stdout.count("\ndn: ") + p.stdout.startswith("dn: "), p.stdout + p.stderr

    def test_service_account_sees_every_user_over_ldaps(self):
        code, n, out = self.service_search("(objectClass=inetOrgPerson)", "uid", url=self.d.ldaps_url)
        self.assertEqual((code, n), (0, USERS), out)

    def test_paged_search_returns_every_user(self):
        code, n, out = self.service_search("-E", "pr=%d/noprompt" % SIZE_LIMIT, "(uid=*)", "1.1")
        self.assertEqual((code, n), (0, USERS), out)

    def test_starttls(self):
        code, n, out = self.service_search("-ZZ", "(uid=s000001)", "mail")
        self.assertEqual((code, n), (0, 1), out)
        self.assertIn("mail: s000001@uni.test", out)

    def test_anonymous_reads_nothing_and_passwords_stay_hidden(self):
        anonymous = self.d.ldapsearch("-b", self.d.people_dn, "(uid=*)", bind=None)
        self.assertNotIn("dn:", anonymous.stdout)
        entry = self.d.search("(uid=s000002)", attrs=["userPassword", "employeeNumber"])
        self.assertEqual(entry[0][1], {"employeeNumber": [slapd.card_of(2)]})

    def test_users_bind_as_themselves(self):
        d = self.d
        self.assertTrue(d.can_bind(d.user_dn(1), d.password_of(1)))
        self.assertTrue(d.can_bind(d.user_dn(1), d.password_of(1), url=d.ldaps_url))
        self.assertFalse(d.can_bind(d.user_dn(1), "wrong-password"))
        self.assertFalse(d.can_bind(d.user_dn(1), d.password_of(2)))

    def test_population(self):
        d = self.d
        cards = {e[1]["uid"][0]: e[1].get("employeeNumber", [None])[0]
                 for e in d.search("(uid=*)", attrs=["uid", "employeeNumber"])}
        self.assertEqual(len(cards), USERS)
        self.assertEqual(cards["s000007"], None)
        self.assertEqual(len([c for c in cards.values() if c]), len(set(c for c in cards.values() if c)))
        self.assertTrue(all(c is None or len(c) == 10 for c in cards.values()))
        groups = {e[1]["cn"][0]: e[1]["member"] for e in d.search("(objectClass=groupOfNames)",
                                                                   attrs=["cn", "member"], base=d.groups_dn)}
        self.assertEqual(len(groups["students"]), USERS)
        self.assertEqual(len(groups["print-admins"]), 2)
        self.assertEqual(len([g for g in groups if g.startswith("course-")]), slapd.COURSES)
        self.assertEqual(sum(len(m) for g, m in groups.items() if g.startswith("course-")), 2 * USERS)

    def test_modify_timestamp_filter_finds_later_changes(self):
        d = self.d
        since = slapd.ldap_time(time.time() + 1)    # one-second granularity: after slapadd's second
        while slapd.ldap_time() < since:
            time.sleep(0.05)
        d.set_attr(d.user_dn(17), "displayName", "Changed Student")
        found = d.search("(&(objectClass=inetOrgPerson)(modifyTimestamp>=%s))" % since, attrs=["uid", "displayName"])
        self.assertEqual(found, [(d.user_dn(17), {"uid": ["s000017"], "displayName": ["Changed Student"]})])

    def test_changes_while_running(self):
        d = self.d
        d.add_user(USERS + 1, groups=["students"], mail="late@uni.test")
        self.assertTrue(d.can_bind(d.user_dn(USERS + 1), d.password_of(USERS + 1)))
        self.assertEqual(d.search("(employeeNumber=%s)" % slapd.card_of(USERS + 1), attrs=["mail"]),
                         [(d.user_dn(USERS + 1), {"mail": ["late@uni.test"]})])
        d.add_member("staff", "s000150")
        d.remove_member("staff", 5)
        staff = d.search("(cn=staff)", attrs=["member"], base=d.groups_dn)[0][1]["member"]
        self.assertIn(d.user_dn(150), staff)
        self.assertNotIn(d.user_dn(5), staff)
        d.delete_user(USERS + 1)
        self.assertEqual(d.search("(uid=%s)" % slapd.uid_of(USERS + 1)), [])
        self.assertEqual(d.search("(member=%s)" % d.user_dn(USERS + 1), base=d.groups_dn), [])


class ActiveDirectoryStandIn(unittest.TestCase):
    def test_sam_account_name_and_member_of(self):
        with Slapd(users=20, tls=False, schema="ad") as d:
            found = d.search("(sAMAccountName=s000002)", attrs=["memberOf", "employeeID", "userAccountControl"])
            self.assertEqual(len(found), 1)
            dn, attrs = found[0]
            self.assertTrue(slapd.same_dn(dn, d.user_dn(2)), dn)
            self.assertEqual(sorted(map(str.lower, attrs["memberOf"])),
                             sorted(d.group_dn(cn).lower() for cn in d.groups_of(2)))
            self.assertEqual((attrs["employeeID"], attrs["userAccountControl"]), ([slapd.card_of(2)], ["512"]))
            disabled = d.search("(userAccountControl:1.2.840.113556.1.4.803:=2)", attrs=["sAMAccountName"])
            self.assertEqual([a["sAMAccountName"] for _, a in disabled], [["s000013"]])
            d.add_member("staff", 12)
            self.assertIn(d.group_dn("staff").lower(),
                          map(str.lower, d.search("(sAMAccountName=s000012)", attrs=["memberOf"])[0][1]["memberOf"]))


if __name__ == "__main__":
    unittest.main()
