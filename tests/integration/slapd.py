"""A private OpenLDAP directory for Quire's directory-sync tests and benchmarks.

`Slapd` builds a throw-away slapd (OpenLDAP 2.5, Debian's /usr/sbin/slapd) in a
temporary folder: its own cn=config (slapadd -n0), one mdb database for
dc=uni,dc=test filled offline with `slapadd -q` from a generated LDIF, a
throw-away CA and server certificate (openssl CLI) for ldaps:// and StartTLS,
and slapd itself as a foreground child on free loopback ports. Debian's own
slapd instance is never touched. Standard library only.

Layout (schema="openldap", the default):
    dc=uni,dc=test
      ou=people    uid=s000001,... inetOrgPerson: uid, cn/displayName
                   "Student 000001", givenName "Student", sn "000001",
                   mail s000001@uni.test, userPassword {SSHA} of "pw-s000001",
                   employeeNumber = card_of(i) (none when not has_card(i))
      ou=groups    cn=students (everyone), cn=staff (users 1-5),
                   cn=print-admins (users 1-2), cn=course-01..course-20
                   (each user in the two courses_of(i)); groupOfNames
      ou=services  cn=quire: the read-only service account (reads everything
                   but passwords, no size limit, paged results unlimited)
    The rootdn cn=admin,dc=uni,dc=test (admin_password) is used to change
    the directory while it runs.

schema="ad" is a test stand-in for Active Directory, NOT real AD: a small
schema under the private arc 1.3.6.1.4.1.99999 (sAMAccountName,
userPrincipalName, userAccountControl, memberOf as a plain stored attribute,
employeeID, groupType; objectClasses `user` (structural, SUP inetOrgPerson)
and `group`), entries CN=Student 000001,OU=People,DC=uni,DC=test with
sAMAccountName s000001, employeeID = card, memberOf = the DNs of the user's
groups (kept in step by add_member/remove_member), userAccountControl 512,
or 514 (disabled) when is_disabled(i). There is no objectGUID/whenChanged:
use entryUUID and modifyTimestamp. slapd answers DNs with its own attribute
type case (cn=Student 000001,ou=People,dc=uni,dc=test): compare with same_dn().

Usage in a test:
    from slapd import Slapd
    with Slapd(users=200, tls=True) as d:
        d.url, d.ldaps_url, d.ca_file, d.service_dn, d.service_password
        d.set_attr(d.user_dn(3), "mail", ["new@uni.test"])
        d.search("(uid=s000003)", attrs=["mail"])  # [(dn, {attr: [values]})]
        d.can_bind(d.user_dn(1), d.password_of(1))
        since = slapd.ldap_time()                  # for (modifyTimestamp>=...)

For a benchmark directory (prints URLs and credentials as key=value lines,
serves until SIGINT/SIGTERM; --keep leaves the folder behind):
    python3 tests/integration/slapd.py --users 100000 --serve [--schema ad] [--no-tls]
or from Python: Slapd(users=100000, keep=True).start()
"""
import argparse
import base64
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMA_DIR = "/etc/ldap/schema"
MODULE_DIR = "/usr/lib/ldap"

BASE_DN = "dc=uni,dc=test"
COURSES = 20
STAFF = range(1, 6)           # users 1-5
PRINT_ADMINS = range(1, 3)    # users 1-2

# Test stand-in for Active Directory's user/group schema. 1.3.6.1.4.1.99999 is
# an unassigned private-enterprise arc: nothing real lives here.
AD_SCHEMA_LDIF = """\
dn: cn=adstandin,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: adstandin
olcAttributeTypes: ( 1.3.6.1.4.1.99999.1.1 NAME 'sAMAccountName'
  DESC 'test stand-in for AD' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{256} SINGLE-VALUE )
olcAttributeTypes: ( 1.3.6.1.4.1.99999.1.2 NAME 'userPrincipalName'
  DESC 'test stand-in for AD' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{1024} SINGLE-VALUE )
olcAttributeTypes: ( 1.3.6.1.4.1.99999.1.3 NAME 'userAccountControl'
  DESC 'test stand-in for AD' EQUALITY integerMatch ORDERING integerOrderingMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
olcAttributeTypes: ( 1.3.6.1.4.1.99999.1.4 NAME 'memberOf'
  DESC 'test stand-in for AD: stored, not computed' EQUALITY distinguishedNameMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
olcAttributeTypes: ( 1.3.6.1.4.1.99999.1.5 NAME 'employeeID'
  DESC 'test stand-in for AD' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{16} SINGLE-VALUE )
olcAttributeTypes: ( 1.3.6.1.4.1.99999.1.6 NAME 'groupType'
  DESC 'test stand-in for AD' EQUALITY integerMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
olcObjectClasses: ( 1.3.6.1.4.1.99999.2.1 NAME 'user' DESC 'test stand-in for AD'
  SUP inetOrgPerson STRUCTURAL
  MAY ( sAMAccountName $ userPrincipalName $ userAccountControl $ memberOf $ employeeID ) )
olcObjectClasses: ( 1.3.6.1.4.1.99999.2.2 NAME 'group' DESC 'test stand-in for AD'
  SUP top STRUCTURAL MUST cn
  MAY ( member $ sAMAccountName $ groupType $ description $ mail $ memberOf ) )
"""


# --- the population, as pure functions of the user number i (1-based) --------

def uid_of(i):
    return "s%06d" % i


def password_of(i):
    return "pw-" + uid_of(i)


def has_card(i):
    """Users 7, 57, 107, ... (2%) deliberately have no card."""
    return i % 50 != 7


def card_of(i):
    """The user's card number (employeeNumber / employeeID): 10 digits, unique
    per i below 10**9, or None for users without a card."""
    if not has_card(i):
        return None
    # 48271 is prime to 10**9, so this is a permutation of 0..10**9-1.
    return "4%09d" % ((i * 48271 + 12345) % 10**9)


def is_disabled(i):
    """AD mode: users 13, 63, 113, ... (2%) have userAccountControl 514."""
    return i % 50 == 13


def courses_of(i):
    """The two (always different) course numbers 1..20 user i belongs to."""
    return (i % COURSES + 1, (3 * i + 7) % COURSES + 1)


def ssha(password, salt=None):
    salt = salt if salt is not None else os.urandom(4)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def ldap_time(t=None):
    """`t` (seconds since the epoch, default now) as an LDAP GeneralizedTime
    in UTC, for filters like (modifyTimestamp>=...)."""
    return time.strftime("%Y%m%d%H%M%SZ", time.gmtime(time.time() if t is None else t))


def same_dn(a, b):
    """Whether two of this directory's DNs are equal. slapd returns attribute
    types in its own case (cn=..., ou=...) where AD says CN=..., OU=...; the
    DNs here need no escaping, so case and blanks after commas are all."""
    def norm(dn):
        return ",".join(part.strip() for part in dn.lower().split(","))
    return norm(a) == norm(b)


def ldif_line(attr, value):
    """One `attr: value` LDIF line, base64 when RFC 2849 requires it."""
    raw = value.encode() if isinstance(value, str) else value
    safe = raw and raw[0] not in b" :<" and raw[-1:] != b" " and all(32 <= c < 127 for c in raw)
    if not raw or safe:
        return "%s: %s" % (attr, raw.decode())
    return "%s:: %s" % (attr, base64.b64encode(raw).decode())


def parse_ldif(text):
    """ldapsearch -LLL output as [(dn, {attribute: [values]})]; attribute
    names as the server spelled them; base64 values decoded as UTF-8."""
    entries = []
    for block in text.replace("\n ", "").split("\n\n"):
        dn, attrs = None, {}
        for line in block.splitlines():
            if not line or line.startswith("#") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            if value.startswith(":"):
                value = base64.b64decode(value[1:].strip()).decode("utf-8", "replace")
            else:
                value = value[1:] if value.startswith(" ") else value
            if name == "dn":
                dn = value
            else:
                attrs.setdefault(name, []).append(value)
        if dn is not None:
            entries.append((dn, attrs))
    return entries


def _values(values):
    """None -> [], one value -> [it], else the list; ints as text."""
    if values is None:
        return []
    if isinstance(values, (str, bytes, int)):
        values = [values]
    return [str(v) if isinstance(v, int) else v for v in values]


def free_tcp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_test_certificates(folder, ca_file):
    """A throw-away CA (written to ca_file) and a server certificate for
    127.0.0.1 and localhost (folder/server.pem, folder/server.key), EC
    P-256: key generation is instant. Also used by test_pins.py for its SMTP
    server."""
    def run(cmd, what):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("%s failed (%d): %s\n%s%s" % (what, p.returncode, " ".join(cmd), p.stdout, p.stderr))

    ca_key, key, csr, ext = (os.path.join(folder, n) for n in ("ca.key", "server.key", "server.csr", "server.ext"))
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", ca_key, "-out", ca_file, "-days", "2", "-subj", "/CN=Quire test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"], "openssl (CA)")
    run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=localhost"], "openssl (server key)")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_file, "-CAkey", ca_key,
         "-CAcreateserial", "-out", os.path.join(folder, "server.pem"), "-days", "2", "-extfile", ext],
        "openssl (server certificate)")
    return os.path.join(folder, "server.pem"), key


class Slapd:
    """One private slapd. Use as a context manager or call start()/stop().
    stop() removes the folder unless keep=True."""

    def __init__(self, users=10000, groups=True, tls=True, schema="openldap", size_limit=500,
                 keep=False, parent_dir=None, debug=False):
        """users: how many students (i = 1..users); groups: False leaves
        ou=groups empty; size_limit: olcSizeLimit for everyone but the
        service account and the rootdn; debug: slapd logs at `-d stats`."""
        if schema not in ("openldap", "ad"):
            raise ValueError("schema must be 'openldap' or 'ad'")
        if users < 1:
            raise ValueError("users must be at least 1 (groupOfNames needs a member)")
        self.users, self.groups, self.tls, self.schema = users, groups, tls, schema
        self.size_limit, self.keep, self.debug = size_limit, keep, debug
        self.ad = schema == "ad"
        self.dir = tempfile.mkdtemp(prefix="quire-slapd-", dir=parent_dir)
        self.conf_dir = os.path.join(self.dir, "slapd.d")
        self.db_dir = os.path.join(self.dir, "db")
        self.log_path = os.path.join(self.dir, "slapd.log")
        self.admin_password = "admin-secret"
        self.service_password = "quire-reader"
        self.ca_file = os.path.join(self.dir, "ca.pem") if tls else None
        self.port = self.tls_port = None
        self.proc = None
        self.populated_at = None       # time.time() just before slapadd of the data
        self.timings = {}              # phase -> seconds, for benchmarks
        self._client_conf = os.path.join(self.dir, "ldap.conf")
        self._admin_pw_file = os.path.join(self.dir, "admin.pw")

    # -- names ------------------------------------------------------------

    @property
    def base_dn(self):
        return "DC=uni,DC=test" if self.ad else BASE_DN

    def _ou(self, name):
        return ("OU=%s,%s" if self.ad else "ou=%s,%s") % (name.capitalize() if self.ad else name, self.base_dn)

    @property
    def people_dn(self):
        return self._ou("people")

    @property
    def groups_dn(self):
        return self._ou("groups")

    @property
    def services_dn(self):
        return self._ou("services")

    @property
    def service_dn(self):
        return ("CN=quire,%s" if self.ad else "cn=quire,%s") % self.services_dn

    @property
    def admin_dn(self):
        return "cn=admin," + BASE_DN

    @property
    def url(self):
        return "ldap://127.0.0.1:%d" % self.port

    @property
    def ldaps_url(self):
        return "ldaps://127.0.0.1:%d" % self.tls_port if self.tls else None

    def user_dn(self, i):
        if self.ad:
            return "CN=Student %06d,%s" % (i, self.people_dn)
        return "uid=%s,%s" % (uid_of(i), self.people_dn)

    def group_dn(self, cn):
        return ("CN=%s,%s" if self.ad else "cn=%s,%s") % (cn, self.groups_dn)

    uid_of = staticmethod(uid_of)
    password_of = staticmethod(password_of)
    card_of = staticmethod(card_of)
    has_card = staticmethod(has_card)
    is_disabled = staticmethod(is_disabled)
    courses_of = staticmethod(courses_of)

    def groups_of(self, i):
        """The cn of every group user i belongs to in the initial population."""
        if not self.groups:
            return []
        cns = ["students"] + ["course-%02d" % c for c in courses_of(i)]
        cns += ["staff"] if i in STAFF else []
        cns += ["print-admins"] if i in PRINT_ADMINS else []
        return cns

    # -- building ---------------------------------------------------------

    def _run(self, cmd, what, **kw):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=kw.pop("timeout", 600), **kw)
        if p.returncode != 0:
            raise RuntimeError("%s failed (%d): %s\n%s%s" % (what, p.returncode, " ".join(cmd), p.stdout, p.stderr))
        return p

    def _make_certificates(self):
        make_test_certificates(self.dir, self.ca_file)

    def config_ldif(self):
        """The whole cn=config, schemas inlined (slapadd -n0 reads it once)."""
        d = self.dir
        out = ["dn: cn=config", "objectClass: olcGlobal", "cn: config",
               "olcPidFile: " + os.path.join(d, "slapd.pid"), "olcArgsFile: " + os.path.join(d, "slapd.args")]
        if self.tls:
            out += ["olcTLSCACertificateFile: " + self.ca_file,
                    "olcTLSCertificateFile: " + os.path.join(d, "server.pem"),
                    "olcTLSCertificateKeyFile: " + os.path.join(d, "server.key")]
        out += ["", "dn: cn=module{0},cn=config", "objectClass: olcModuleList", "cn: module{0}",
                "olcModulePath: " + MODULE_DIR, "olcModuleLoad: back_mdb",
                "", "dn: cn=schema,cn=config", "objectClass: olcSchemaConfig", "cn: schema", ""]
        for name in ("core", "cosine", "nis", "inetorgperson"):
            with open(os.path.join(SCHEMA_DIR, name + ".ldif")) as f:
                out += [line.rstrip("\n") for line in f if not line.startswith("#")]
            out.append("")
        if self.ad:
            out += AD_SCHEMA_LDIF.splitlines() + [""]
        index = ["objectClass eq", "uid eq", "employeeNumber eq", "mail eq", "member eq", "cn eq,sub",
                 "modifyTimestamp eq", "entryUUID eq"]
        if self.ad:
            index += ["sAMAccountName eq", "userPrincipalName eq", "employeeID eq", "memberOf eq"]
        svc = self.service_dn
        out += ["dn: olcDatabase={-1}frontend,cn=config", "objectClass: olcDatabaseConfig",
                "objectClass: olcFrontendConfig", "olcDatabase: {-1}frontend", "",
                "dn: olcDatabase={0}config,cn=config", "objectClass: olcDatabaseConfig",
                "olcDatabase: {0}config", "olcAccess: {0}to * by * none", "",
                "dn: olcDatabase={1}mdb,cn=config", "objectClass: olcDatabaseConfig", "objectClass: olcMdbConfig",
                "olcDatabase: {1}mdb", "olcDbDirectory: " + self.db_dir, "olcSuffix: " + BASE_DN,
                "olcRootDN: " + self.admin_dn, "olcRootPW: " + self.admin_password,
                "olcDbMaxSize: %d" % (4 << 30), "olcDbNoSync: TRUE",
                "olcDbMultival: %s 100,10" % ("member,memberOf" if self.ad else "member"),
                "olcSizeLimit: %s" % self.size_limit]
        out += ["olcDbIndex: " + x for x in index]
        out += ["olcAccess: {0}to attrs=userPassword by anonymous auth by * none",
                'olcAccess: {1}to * by dn.exact="%s" read by self read by * none' % svc,
                'olcLimits: {0}dn.exact="%s" time=unlimited size.soft=unlimited size.hard=unlimited'
                ' size.unchecked=unlimited size.pr=unlimited size.prtotal=unlimited' % svc, ""]
        return "\n".join(out) + "\n"

    def _user_entry(self, i):
        uid, num = uid_of(i), "%06d" % i
        lines = ["dn: " + self.user_dn(i), "objectClass: top", "objectClass: person",
                 "objectClass: organizationalPerson", "objectClass: inetOrgPerson"]
        if self.ad:
            lines += ["objectClass: user", "sAMAccountName: " + uid, "userPrincipalName: %s@uni.test" % uid,
                      "userAccountControl: %d" % (514 if is_disabled(i) else 512)]
        else:
            lines.append("uid: " + uid)
        lines += ["cn: Student " + num, "sn: " + num, "givenName: Student", "displayName: Student " + num,
                  "mail: %s@uni.test" % uid, "userPassword: " + ssha(password_of(i), i.to_bytes(4, "big"))]
        card = card_of(i)
        if card:
            lines.append(("employeeID: " if self.ad else "employeeNumber: ") + card)
        if self.ad:
            lines += ["memberOf: " + self.group_dn(cn) for cn in self.groups_of(i)]
        return "\n".join(lines) + "\n\n"

    def _group_entry(self, cn, members):
        if not members and not self.ad:
            return ""                          # groupOfNames must have a member
        lines = ["dn: " + self.group_dn(cn), "objectClass: top"]
        if self.ad:
            lines += ["objectClass: group", "cn: " + cn, "sAMAccountName: " + cn, "groupType: -2147483646"]
        else:
            lines += ["objectClass: groupOfNames", "cn: " + cn]
        lines += ["member: " + self.user_dn(i) for i in members]
        return "\n".join(lines) + "\n\n"

    def write_data_ldif(self, path):
        """The initial population as LDIF (100,000 users: ~50 MB, ~2 s)."""
        n = self.users
        with open(path, "w") as f:
            f.write("dn: %s\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\n"
                    "dc: uni\no: Quire test university\n\n" % self.base_dn)
            for ou in ("people", "groups", "services"):
                dn = self._ou(ou)
                f.write("dn: %s\nobjectClass: top\nobjectClass: organizationalUnit\nou: %s\n\n"
                        % (dn, dn.split(",")[0].split("=")[1]))
            f.write("dn: %s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: quire\n"
                    "description: Quire directory sync (read-only)\nuserPassword: %s\n\n"
                    % (self.service_dn, ssha(self.service_password)))
            chunk = []
            for i in range(1, n + 1):
                chunk.append(self._user_entry(i))
                if len(chunk) == 2000:
                    f.write("".join(chunk))
                    chunk = []
            f.write("".join(chunk))
            if self.groups:
                f.write(self._group_entry("students", range(1, n + 1)))
                f.write(self._group_entry("staff", [i for i in STAFF if i <= n]))
                f.write(self._group_entry("print-admins", [i for i in PRINT_ADMINS if i <= n]))
                courses = {c: [] for c in range(1, COURSES + 1)}
                for i in range(1, n + 1):
                    for c in courses_of(i):
                        courses[c].append(i)
                for c, members in courses.items():
                    f.write(self._group_entry("course-%02d" % c, members))

    def build(self):
        """Certificates, cn=config and the population; start() calls it once."""
        t0 = time.monotonic()
        if self.tls:
            self._make_certificates()
        os.makedirs(self.conf_dir)
        os.makedirs(self.db_dir)
        with open(self._client_conf, "w") as f:
            f.write("# empty: the tests' ldap tools ignore /etc/ldap/ldap.conf\n")
        fd = os.open(self._admin_pw_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.admin_password)          # ldap tools' -y: no newline, private
        conf = os.path.join(self.dir, "config.ldif")
        with open(conf, "w") as f:
            f.write(self.config_ldif())
        self._run([SLAPADD, "-n0", "-F", self.conf_dir, "-l", conf], "slapadd cn=config")
        t1 = time.monotonic()
        data = os.path.join(self.dir, "data.ldif")
        self.write_data_ldif(data)
        t2 = time.monotonic()
        self.populated_at = time.time()
        self._run([SLAPADD, "-q", "-F", self.conf_dir, "-b", BASE_DN, "-l", data], "slapadd data", timeout=3600)
        t3 = time.monotonic()
        os.unlink(data)
        self.timings.update(config=t1 - t0, generate=t2 - t1, slapadd=t3 - t2)

    # -- process ----------------------------------------------------------

    def command(self):
        urls = self.url + "/" + (" %s/" % self.ldaps_url if self.tls else "")
        return [SLAPD, "-d", "stats" if self.debug else "0", "-h", urls, "-F", self.conf_dir]

    def start(self, timeout=30):
        """Builds the directory (first time) and starts slapd; returns once it
        answers a root DSE search, or raises RuntimeError."""
        if not os.path.isdir(self.conf_dir):
            self.build()
        t0 = time.monotonic()
        for attempt in range(3):
            self.port = free_tcp_port()
            self.tls_port = free_tcp_port() if self.tls else None
            log_start = len(self.log())
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, cwd=self.dir)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                probe = self.ldapsearch("-b", "", "-s", "base", "namingContexts", bind=None, timeout=5)
                if probe.returncode == 0:
                    self.timings["start"] = time.monotonic() - t0
                    return self
                time.sleep(0.05)
            if self.proc.poll() is None:
                self._terminate()
                break
            self.proc = None
            if "bind(" not in self.log()[log_start:] and "Address already in use" not in self.log()[log_start:]:
                break                          # not a port collision: do not retry
        raise RuntimeError("slapd did not answer on %s:\n%s" % (self.url, self.log()[-4000:]))

    def _terminate(self, timeout=10):
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def stop(self):
        """Stops slapd (SIGTERM, then SIGKILL) and removes the folder unless keep."""
        code = self._terminate()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        return code

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()

    # -- clients ----------------------------------------------------------

    def client_env(self):
        """Environment for the ldap* tools: no /etc/ldap/ldap.conf or ~/.ldaprc,
        trusting only this directory's CA."""
        env = dict(os.environ, LDAPCONF=self._client_conf, LDAPRC="quire-none.ldaprc")
        if self.ca_file:
            env["LDAPTLS_CACERT"] = self.ca_file
        return env

    def _bind_args(self, bind):
        if bind is None:
            return ["-x"]
        if bind == "admin":
            return ["-x", "-D", self.admin_dn, "-y", self._admin_pw_file]
        if bind == "service":
            return ["-x", "-D", self.service_dn, "-w", self.service_password]
        dn, password = bind
        return ["-x", "-D", dn, "-w", password]

    def ldapsearch(self, *args, bind="service", url=None, timeout=120):
        """Runs ldapsearch -LLL against this directory; bind is "service",
        "admin", None (anonymous) or (dn, password). Returns CompletedProcess."""
        cmd = ["ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-o", "nettimeout=5", "-H", url or self.url]
        return subprocess.run(cmd + self._bind_args(bind) + list(args), capture_output=True, text=True,
                              env=self.client_env(), timeout=timeout)

    def search(self, filt="(objectClass=*)", attrs=(), base=None, scope="sub", bind="service", url=None):
        """[(dn, {attribute: [values]})] for `filt`, or RuntimeError."""
        p = self.ldapsearch("-b", base or self.base_dn, "-s", scope, filt, *attrs, bind=bind, url=url)
        if p.returncode != 0:
            raise RuntimeError("ldapsearch %s failed (%d): %s" % (filt, p.returncode, p.stderr))
        return parse_ldif(p.stdout)

    def can_bind(self, dn, password, url=None):
        """Whether a simple bind as dn/password succeeds (ldapwhoami)."""
        p = subprocess.run(["ldapwhoami", "-o", "nettimeout=5", "-H", url or self.url, "-x", "-D", dn, "-w",
                            password], capture_output=True, text=True, env=self.client_env(), timeout=30)
        return p.returncode == 0

    def _admin_tool(self, tool, ldif, *extra):
        cmd = [tool, "-o", "nettimeout=5", "-H", self.url] + self._bind_args("admin") + list(extra)
        p = subprocess.run(cmd, input=ldif, capture_output=True, text=True, env=self.client_env(), timeout=300)
        if p.returncode != 0:
            raise RuntimeError("%s failed (%d):\n%s\n%s" % (tool, p.returncode, p.stderr, ldif[:2000]))
        return p

    # -- changes while running (admin bind over LDAP) -----------------------

    def modify_ldif(self, text):
        """Applies LDIF change records (changetype: add/modify/delete/modrdn)
        with ldapmodify as the rootdn."""
        self._admin_tool("ldapmodify", text)

    def add_user(self, i, groups=(), **attrs):
        """Adds user i as in the initial population (attrs replace attributes;
        a value None drops one), then adds it to the groups named in `groups`."""
        drop = {k.lower() for k in attrs} | ({"memberof"} if self.ad else set())
        lines = [line for line in self._user_entry(i).strip().splitlines()
                 if line.startswith("dn:") or line.split(":", 1)[0].lower() not in drop]
        for attr, values in attrs.items():
            lines += [ldif_line(attr, v) for v in _values(values)]
        self._admin_tool("ldapadd", "\n".join(lines) + "\n")
        for cn in groups:
            self.add_member(cn, i)

    def delete_user(self, i):
        """Deletes user i and, like AD, removes it from its groups first."""
        dn = self.user_dn(i)
        for gdn, _ in self.search("(member=%s)" % dn, attrs=["1.1"], base=self.groups_dn, bind="admin"):
            self.modify_ldif("dn: %s\nchangetype: modify\ndelete: member\nmember: %s\n" % (gdn, dn))
        self.modify_ldif("dn: %s\nchangetype: delete\n" % dn)

    def set_attr(self, dn, attr, values):
        """Replaces every value of `attr` on `dn` (a str, a list, or []/None to
        remove the attribute)."""
        lines = ["dn: " + dn, "changetype: modify", "replace: " + attr]
        lines += [ldif_line(attr, v) for v in _values(values)]
        self.modify_ldif("\n".join(lines) + "\n-\n")

    def _member_change(self, op, group_cn, uid):
        i = uid if isinstance(uid, int) else int(str(uid).lstrip("s"))
        udn, gdn = self.user_dn(i), self.group_dn(group_cn)
        text = "dn: %s\nchangetype: modify\n%s: member\nmember: %s\n-\n" % (gdn, op, udn)
        if self.ad:
            text += "\ndn: %s\nchangetype: modify\n%s: memberOf\nmemberOf: %s\n-\n" % (udn, op, gdn)
        self.modify_ldif(text)

    def add_member(self, group_cn, uid):
        """Adds user `uid` ("s000042" or 42) to group `group_cn`; in AD mode
        also adds the group to the user's memberOf."""
        self._member_change("add", group_cn, uid)

    def remove_member(self, group_cn, uid):
        """The reverse of add_member. (groupOfNames refuses to lose its last
        member in openldap mode.)"""
        self._member_change("delete", group_cn, uid)

    def describe(self):
        """The connection facts as key=value lines (for --serve)."""
        facts = [("url", self.url), ("ldaps_url", self.ldaps_url or ""), ("ca_file", self.ca_file or ""),
                 ("base_dn", self.base_dn), ("people_dn", self.people_dn), ("groups_dn", self.groups_dn),
                 ("service_dn", self.service_dn), ("service_password", self.service_password),
                 ("admin_dn", self.admin_dn), ("admin_password", self.admin_password),
                 ("schema", self.schema), ("users", self.users), ("dir", self.dir),
                 ("pid", self.proc.pid if self.proc else "")]
        facts += [("seconds_" + k, "%.2f" % v) for k, v in self.timings.items()]
        return "\n".join("%s=%s" % kv for kv in facts)


def main(argv=None):
    ap = argparse.ArgumentParser(description="A private slapd populated for Quire's directory sync.")
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--schema", choices=("openldap", "ad"), default="openldap")
    ap.add_argument("--no-tls", action="store_true")
    ap.add_argument("--no-groups", action="store_true")
    ap.add_argument("--keep", action="store_true", help="leave the folder behind on exit")
    ap.add_argument("--serve", action="store_true", help="serve until SIGINT/SIGTERM (default: stop at once)")
    ap.add_argument("--debug", action="store_true", help="slapd -d stats into slapd.log")
    args = ap.parse_args(argv)
    d = Slapd(users=args.users, groups=not args.no_groups, tls=not args.no_tls, schema=args.schema,
              keep=args.keep, debug=args.debug)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with d:
        print(d.describe(), flush=True)
        if args.serve:
            try:
                while d.proc and d.proc.poll() is None:
                    time.sleep(1)
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
