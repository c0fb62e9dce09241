"""Start quired on free loopback ports in a temporary data folder, and talk
to it: a tiny IPP encoder/decoder for requests ipptool cannot make
(malformed ones, load), and helpers to run CUPS's ipptool.

Standard library only. Environment (set by CTest): QUIRED (the binary),
QUIRE_SOURCE_DIR, QUIRE_BINARY_DIR.
"""
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest

SOURCE_DIR = os.environ.get("QUIRE_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
QUIRED = os.environ.get("QUIRED", os.path.join(SOURCE_DIR, "build", "quired"))
SAMPLE_PDF = os.path.join(SOURCE_DIR, "tests", "data", "one-page.pdf")
IPPTOOL_DIR = "/usr/share/cups/ipptool"
OWN_TESTS = os.path.join(SOURCE_DIR, "tests", "integration", "ipp")


class Quired:
    """One quired process. Use as a context manager or call start()/stop()."""

    def __init__(self, data_dir=None, sets=(), keep_data=False):
        self._tmp = None if data_dir else tempfile.mkdtemp(prefix="quire-it-")
        self.data_dir = data_dir or os.path.join(self._tmp, "data")
        self.sets = list(sets)
        self.keep_data = keep_data
        self.proc = None
        self.pid = None
        self.listeners = {}
        self.stderr_path = os.path.join(self._tmp or os.path.dirname(self.data_dir), "quired.stderr")

    # Tests send many jobs as one user from one address: the per-user caps and
    # rates are off unless a test sets them (test_limits.py does).
    NO_USER_LIMITS = ("limits.max_jobs_per_user=0", "limits.max_bytes_per_user=0",
                      "limits.user_submissions_per_minute=0")

    def command(self, extra_sets=()):
        cmd = [QUIRED, "--data-dir", self.data_dir, "--set", "ipp.listen=127.0.0.1:0",
               "--set", "lpd.listen=127.0.0.1:0"]
        for s in self.NO_USER_LIMITS:
            cmd += ["--set", s]
        for s in list(self.sets) + list(extra_sets):
            cmd += ["--set", s]
        return cmd

    def add_admin(self, name, password):
        """Makes `name` an administrator with `password` (quired --add-admin,
        before start: it opens the data folder itself)."""
        add = subprocess.run(self.command()[:3] + ["--add-admin", name], input=password + "\n",
                             capture_output=True, text=True, timeout=60)
        if add.returncode != 0:
            raise RuntimeError("--add-admin %s failed:\n%s" % (name, add.stderr))
        return self

    def start(self, extra_sets=(), wrapper=(), timeout=20):
        self.listeners = {}
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(list(wrapper) + self.command(extra_sets), stdout=subprocess.PIPE,
                                         stderr=err, text=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("quired exited before it was ready:\n" + self.stderr())
            line = line.strip()
            if " listening on " in line:
                name = line.split()[1]
                self.listeners[name] = line.rsplit(" ", 1)[1]
            if line.startswith("quired: ready"):
                # The server's own pid: under a wrapper (strace) it is not proc.pid.
                self.pid = int(line.split("(pid ")[1].split(",")[0])
                return self
        raise RuntimeError("quired was not ready in time:\n" + self.stderr())

    def stderr(self):
        try:
            with open(self.stderr_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    @property
    def address(self):
        return self.listeners["ipp"]

    @property
    def port(self):
        return int(self.address.rsplit(":", 1)[1])

    def uri(self, queue, job_id=None):
        u = "ipp://%s/ipp/print/%s" % (self.address, queue)
        return u if job_id is None else "%s/%d" % (u, job_id)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if not self.proc:
            return None
        try:
            os.kill(self.pid, sig)
        except (AttributeError, ProcessLookupError):
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        finally:
            self.proc.stdout.close()
        self.proc = None
        return code

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def sink(self, printer="demo"):
        return os.path.join(self.data_dir, "sink", printer)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if self.proc:
            self.stop()
        if self._tmp and not self.keep_data:
            shutil.rmtree(self._tmp, ignore_errors=True)


def ipptool(uri, *test_files, variables=None, document=None, verbose=False, timeout=60):
    """Runs ipptool; returns (exit code, output). Test files are looked up in
    tests/integration/ipp first, then in CUPS's own folder."""
    cmd = ["ipptool", "-t", "-T", "20"]
    if verbose:
        cmd.append("-v")
    if document:
        cmd += ["-f", document]
    for k, v in (variables or {}).items():
        cmd += ["-d", "%s=%s" % (k, v)]
    cmd.append(uri)
    for t in test_files:
        own = os.path.join(OWN_TESTS, t)
        cmd.append(own if os.path.exists(own) else os.path.join(IPPTOOL_DIR, t))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=IPPTOOL_DIR)
    return p.returncode, p.stdout + p.stderr


# --- a small IPP encoder/decoder (RFC 8010) ------------------------------------

TAG = {"integer": 0x21, "boolean": 0x22, "enum": 0x23, "octets": 0x30, "text": 0x41, "name": 0x42,
       "keyword": 0x44, "uri": 0x45, "charset": 0x47, "language": 0x48, "mime": 0x49}
GROUP = {"operation": 0x01, "job": 0x02, "printer": 0x04, "subscription": 0x06, "event": 0x07}
OP = {"Print-Job": 0x0002, "Validate-Job": 0x0004, "Create-Job": 0x0005, "Send-Document": 0x0006,
      "Cancel-Job": 0x0008, "Get-Job-Attributes": 0x0009, "Get-Jobs": 0x000A, "Get-Printer-Attributes": 0x000B,
      "Hold-Job": 0x000C, "Release-Job": 0x000D, "Create-Printer-Subscriptions": 0x0016,
      "Create-Job-Subscriptions": 0x0017, "Get-Subscription-Attributes": 0x0018, "Get-Subscriptions": 0x0019,
      "Renew-Subscription": 0x001A, "Cancel-Subscription": 0x001B, "Get-Notifications": 0x001C}
STATUS = {0x0000: "successful-ok", 0x0001: "successful-ok-ignored-or-substituted-attributes",
          0x0007: "successful-ok-events-complete",
          0x0400: "client-error-bad-request", 0x0401: "client-error-forbidden",
          0x0403: "client-error-not-authorized", 0x0414: "client-error-ignored-all-subscriptions",
          0x0406: "client-error-not-found", 0x0408: "client-error-request-entity-too-large",
          0x040A: "client-error-document-format-not-supported",
          0x040B: "client-error-attributes-or-values-not-supported", 0x040C: "client-error-uri-scheme-not-supported",
          0x040D: "client-error-charset-not-supported", 0x0404: "client-error-not-possible",
          0x040F: "client-error-compression-not-supported",
          0x0500: "server-error-internal-error", 0x0501: "server-error-operation-not-supported",
          0x0503: "server-error-version-not-supported"}


def attr(tag, name, *values):
    out = b""
    for i, v in enumerate(values):
        if isinstance(v, bool):
            v = b"\x01" if v else b"\x00"
        elif isinstance(v, int):
            v = struct.pack(">i", v)
        elif isinstance(v, str):
            v = v.encode()
        n = name.encode() if i == 0 else b""
        out += bytes([TAG[tag]]) + struct.pack(">H", len(n)) + n + struct.pack(">H", len(v)) + v
    return out


def request(op, printer_uri, user=None, extra_op=b"", job_attrs=b"", version=(2, 0), request_id=1,
            charset=True, subscriptions=()):
    """An IPP request; `subscriptions` are the encoded attributes of one
    subscription-attributes group each."""
    body = bytes(version) + struct.pack(">Hi", OP[op], request_id) + bytes([GROUP["operation"]])
    if charset:
        body += attr("charset", "attributes-charset", "utf-8") + attr("language", "attributes-natural-language", "en")
    if printer_uri:
        body += attr("uri", "printer-uri", printer_uri)
    if user:
        body += attr("name", "requesting-user-name", user)
    body += extra_op
    if job_attrs:
        body += bytes([GROUP["job"]]) + job_attrs
    for group in subscriptions:
        body += bytes([GROUP["subscription"]]) + group
    return body + b"\x03"


def parse_groups(data):
    """Returns (status name, [(group tag, {attribute name: [values]})]) in order."""
    status = struct.unpack(">H", data[2:4])[0]
    groups = []
    pos, name = 8, None
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag == 0x03:
            break
        if tag < 0x10:
            groups.append((tag, {}))
            continue
        nlen = struct.unpack(">H", data[pos:pos + 2])[0]
        pos += 2
        if nlen:
            name = data[pos:pos + nlen].decode()
        pos += nlen
        vlen = struct.unpack(">H", data[pos:pos + 2])[0]
        pos += 2
        raw = data[pos:pos + vlen]
        pos += vlen
        if tag in (0x21, 0x23) and vlen == 4:
            value = struct.unpack(">i", raw)[0]
        elif tag == 0x22:
            value = raw == b"\x01"
        else:
            value = raw.decode(errors="replace")
        if not groups:
            groups.append((0, {}))  # an attribute before any group: keep it anyway
        groups[-1][1].setdefault(name, []).append(value)
    return STATUS.get(status, "0x%04x" % status), groups


def parse_response(data):
    """Returns (status name, {attribute name: [values]}) for simple values,
    every group merged."""
    status, groups = parse_groups(data)
    attrs = {}
    for _, group in groups:
        for name, values in group.items():
            attrs.setdefault(name, []).extend(values)
    return status, attrs


class ServerTestCase(unittest.TestCase):
    """A test class whose tests share one quired, started once for the class."""

    @classmethod
    def setUpClass(cls):
        cls.server = Quired()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)


class Client:
    """A keep-alive IPP client over http.client."""

    def __init__(self, address, timeout=30):
        host, port = address.rsplit(":", 1)
        self.conn = http.client.HTTPConnection(host, int(port), timeout=timeout)

    def post(self, body, path="/ipp/print/secure", chunked=False):
        headers = {"Content-Type": "application/ipp"}
        if chunked:
            def gen():
                for i in range(0, len(body), 65536):
                    yield body[i:i + 65536]
            self.conn.request("POST", path, body=gen(), headers=headers, encode_chunked=True)
        else:
            self.conn.request("POST", path, body=body, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, data

    def ipp(self, body, path="/ipp/print/secure", **kw):
        status, data = self.post(body, path, **kw)
        assert status == 200, "HTTP %d" % status
        return parse_response(data)

    def print_job(self, queue_uri, document, user="alice", name="job", fmt="application/pdf", extra_op=b""):
        body = request("Print-Job", queue_uri, user,
                       extra_op=attr("name", "job-name", name) + attr("mime", "document-format", fmt) + extra_op)
        path = "/" + queue_uri.split("/", 3)[3]
        return self.ipp(body + document, path)

    def close(self):
        self.conn.close()


def printer_attributes(server, queue, *names):
    """Get-Printer-Attributes of `queue` asking for `names`: (status, {name: [values]})."""
    c = Client(server.address)
    try:
        return c.ipp(request("Get-Printer-Attributes", server.uri(queue),
                             extra_op=attr("keyword", "requested-attributes", *names)), "/ipp/print/" + queue)
    finally:
        c.close()


def basic_auth(user, password):
    """An Authorization header of HTTP Basic credentials."""
    return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()}


def api_call(address, method, path, body=None, headers=None, raw_body=None, raw=False):
    """One REST request on a fresh plain connection: `body` goes as JSON,
    `raw_body` as it is. Returns (status, the answer's JSON or its bytes when
    it is not JSON (None when empty; always its bytes with `raw`), headers
    with lower-case names)."""
    host, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    h = dict(headers or {})
    data = raw_body
    if body is not None:
        data = json.dumps(body)
        h["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        data_in = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()
    if raw:
        return r.status, data_in, hdrs
    try:
        parsed = json.loads(data_in) if data_in else None
    except ValueError:
        parsed = data_in
    return r.status, parsed, hdrs


def raw_exchange(address, payload, timeout=10, read=True):
    """Sends raw bytes on a fresh connection and returns what comes back."""
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(payload)
        if not read:
            return b""
        chunks = []
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
                if b"\r\n\r\n" in b"".join(chunks):
                    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:"):
                            if len(body) >= int(line.split(b":")[1]):
                                return b"".join(chunks)
        except socket.timeout:
            pass
        return b"".join(chunks)


def http_body(raw):
    return raw.partition(b"\r\n\r\n")[2]


def wait_for(predicate, timeout=10, interval=0.02):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
