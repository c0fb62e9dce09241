"""IPPS: TLS and plain HTTP on the one IPP port. Python's ssl module (verifying
the self-signed certificate quired generates into its data folder) and CUPS's
ipptool speak ipps://; a Print-Job over TLS lands byte for byte; TLS 1.1,
garbage after a ClientHello and silent clients are closed without hurting
anyone else; the certificate is generated once and reused, or taken from the
configuration."""
import filecmp
import glob
import hashlib
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import warnings

from quire_harness import (IPPTOOL_DIR, SAMPLE_PDF, Client, Quired, attr, parse_response, request, wait_for)
from test_http import read_response


def verified_context(data_dir):
    return ssl.create_default_context(cafile=os.path.join(data_dir, "tls", "server.crt"))


def tls_client(address, context):
    """A harness Client whose connection is HTTPS."""
    c = Client(address)
    host, port = address.rsplit(":", 1)
    c.conn = http.client.HTTPSConnection(host, int(port), context=context, timeout=30)
    return c


def client_hello():
    """The bytes of a real TLS ClientHello, made without a socket."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def read_until_closed(sock, limit=10):
    """Reads until the peer closes; returns (bytes, seconds it took)."""
    t0 = time.time()
    data = b""
    sock.settimeout(limit)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    return data, time.time() - t0


def logged_fingerprint(server):
    m = re.findall(r"certificate (\S+) \(SHA-256 ([0-9A-F:]+)\)", server.stderr())
    return m[-1] if m else (None, None)


def file_fingerprint(path):
    with open(path) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    return ":".join("%02X" % b for b in hashlib.sha256(der).digest())


class Ipps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Quired(sets=["limits.request_timeout_ms=1000", "limits.idle_timeout_ms=1500",
                                  "log.level=debug"])
        cls.server.start()
        cls.host, port = cls.server.address.rsplit(":", 1)
        cls.port = int(port)
        cls.ctx = verified_context(cls.server.data_dir)

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def ipps_uri(self, queue):
        return "ipps://%s/ipp/print/%s" % (self.server.address, queue)

    def get_printer_attributes(self, client, queue="secure"):
        return client.ipp(request("Get-Printer-Attributes", self.ipps_uri(queue),
                                  extra_op=attr("keyword", "requested-attributes", "printer-name")),
                          "/ipp/print/" + queue)

    def test_get_printer_attributes_over_verified_https(self):
        c = tls_client(self.server.address, self.ctx)
        status, attrs = self.get_printer_attributes(c)
        self.assertEqual(status, "successful-ok")
        self.assertEqual(attrs["printer-name"], ["secure"])
        self.assertIn(c.conn.sock.version(), ("TLSv1.2", "TLSv1.3"))
        # Keep-alive: the same TLS connection serves the next request.
        sock = c.conn.sock
        self.assertEqual(self.get_printer_attributes(c)[0], "successful-ok")
        self.assertIs(c.conn.sock, sock)
        c.close()

    def test_the_certificate_names_localhost_and_is_logged_with_its_fingerprint(self):
        ctx = verified_context(self.server.data_dir)
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        with socket.create_connection((self.host, self.port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                self.assertEqual(s.selected_alpn_protocol(), "http/1.1")
                self.assertEqual(s.version(), "TLSv1.3")
        crt = os.path.join(self.server.data_dir, "tls", "server.crt")
        key = os.path.join(self.server.data_dir, "tls", "server.key")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        self.assertEqual(logged_fingerprint(self.server), (crt, file_fingerprint(crt)))

    def ipptool(self, uri, *tests, document=None):
        # ipptool takes the self-signed certificate with no trust settings
        # (libcups does not validate by default, and wrote nothing to
        # ~/.cups/ssl here); a temporary HOME keeps any user store out anyway.
        cmd = ["ipptool", "-tI", "-T", "20"] + (["-f", document] if document else []) + [uri] + list(tests)
        with tempfile.TemporaryDirectory() as home:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=IPPTOOL_DIR,
                               env=dict(os.environ, HOME=home))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("[PASS]", p.stdout)
        self.assertNotIn("[FAIL]", p.stdout)

    def test_ipptool_over_ipps(self):
        self.ipptool(self.ipps_uri("secure"), "get-printer-attributes.test")
        self.assertRegex(self.server.stderr(), r"tls: 127\.0\.0\.1: TLSv1\.[23]")
        # Several requests on one TLS connection, a document among them.
        before = set(glob.glob(os.path.join(self.server.sink("demo"), "*")))
        self.ipptool(self.ipps_uri("demo"), "print-job.test", "get-jobs.test", "get-printer-attributes.test",
                     document=SAMPLE_PDF)
        self.assertTrue(wait_for(lambda: set(glob.glob(os.path.join(self.server.sink("demo"), "*"))) - before))
        new = sorted(set(glob.glob(os.path.join(self.server.sink("demo"), "*"))) - before)
        self.assertTrue(wait_for(lambda: filecmp.cmp(new[0], SAMPLE_PDF, shallow=False)))

    def test_print_job_over_tls_lands_byte_identical(self):
        c = tls_client(self.server.address, self.ctx)
        docs = [open(SAMPLE_PDF, "rb").read(), os.urandom(2 * 1024 * 1024 + 17)]  # inline and spooled
        ids = []
        for doc in docs:
            status, attrs = c.print_job(self.ipps_uri("demo"), doc, user="tls", fmt="application/octet-stream")
            self.assertEqual(status, "successful-ok")
            ids.append(attrs["job-id"][0])
        c.close()
        for job_id, doc in zip(ids, docs):
            pattern = os.path.join(self.server.sink("demo"), "%d.*" % job_id)
            self.assertTrue(wait_for(lambda: glob.glob(pattern), timeout=20), pattern)
            path = glob.glob(pattern)[0]
            self.assertTrue(wait_for(lambda: os.path.getsize(path) == len(doc), timeout=20))
            with open(path, "rb") as f:
                self.assertEqual(f.read(), doc)

    def test_plain_http_still_works_on_the_same_port(self):
        c = Client(self.server.address)
        status, attrs = self.get_printer_attributes(c)
        self.assertEqual(status, "successful-ok")
        c.conn.request("GET", "/")
        r = c.conn.getresponse()
        self.assertEqual(r.status, 200)
        self.assertIn(b"print server", r.read())
        c.close()

    def test_pipelined_requests_over_tls_are_answered_in_order(self):
        reqs = b""
        for i in range(1, 6):
            body = request("Get-Printer-Attributes", self.ipps_uri("secure"), request_id=i)
            reqs += (b"POST /ipp/print/secure HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body)) + body
        with self.ctx.wrap_socket(socket.create_connection((self.host, self.port), timeout=5),
                                  server_hostname="localhost") as s:
            s.sendall(reqs)  # all at once, in as few records as the client likes
            left = b""
            for i in range(1, 6):
                head, payload, left = read_response(s, left)
                self.assertTrue(head.startswith(b"HTTP/1.1 200"))
                self.assertEqual(int.from_bytes(payload[4:8], "big"), i)  # request-id, in order

    def test_tls12_sessions_are_resumed(self):
        # TLS 1.2 only: the server sends no TLS 1.3 tickets (libcups 2.4 on
        # GnuTLS fails a request when one arrives).
        ctx = verified_context(self.server.data_dir)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        for tickets in (True, False):
            if not tickets:
                ctx.options |= ssl.OP_NO_TICKET  # the server's session cache, then
            with ctx.wrap_socket(socket.create_connection((self.host, self.port), timeout=5),
                                 server_hostname="localhost") as s:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                read_response(s)
                session = s.session
            with ctx.wrap_socket(socket.create_connection((self.host, self.port), timeout=5),
                                 server_hostname="localhost", session=session) as s:
                self.assertEqual(s.version(), "TLSv1.2")
                self.assertTrue(s.session_reused, "tickets" if tickets else "session id")

    def test_close_notify_is_answered(self):
        with socket.create_connection((self.host, self.port), timeout=5) as raw:
            s = self.ctx.wrap_socket(raw, server_hostname="localhost")
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            head, _, left = read_response(s)
            self.assertTrue(head.startswith(b"HTTP/1.1 200"))
            self.assertEqual(left, b"")
            s.unwrap()  # sends close_notify and waits for the server's

    def test_a_tls11_client_is_refused(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # or the client itself would not offer TLS 1.1
        with socket.create_connection((self.host, self.port), timeout=5) as raw:
            with self.assertRaises(ssl.SSLError) as e:
                ctx.wrap_socket(raw)
        self.assertIn("PROTOCOL_VERSION", str(e.exception).upper())
        self.assertTrue(wait_for(lambda: "TLS handshake failed: unsupported protocol" in self.server.stderr()))

    def test_garbage_and_silent_clients_are_closed_without_hurting_a_good_request(self):
        hello = client_hello()
        silent = socket.create_connection((self.host, self.port))
        hello_then_silent = socket.create_connection((self.host, self.port))
        hello_then_silent.sendall(hello)
        garbage = socket.create_connection((self.host, self.port))
        garbage.sendall(hello)
        time.sleep(0.1)
        garbage.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 20)
        results = {}

        def closed(name, sock):
            results[name] = read_until_closed(sock)

        threads = [threading.Thread(target=closed, args=a) for a in
                   (("silent", silent), ("hello_then_silent", hello_then_silent), ("garbage", garbage))]
        for t in threads:
            t.start()
        # Meanwhile a good client prints over TLS on the same server.
        c = tls_client(self.server.address, self.ctx)
        status, _ = c.print_job(self.ipps_uri("secure"), open(SAMPLE_PDF, "rb").read(), user="good")
        self.assertEqual(status, "successful-ok")
        c.close()
        for t in threads:
            t.join(15)
        for s in (silent, hello_then_silent, garbage):
            s.close()
        # Garbage: the server's hello (and an alert), then the end, at once.
        data, took = results["garbage"]
        self.assertEqual(data[:1], b"\x16")
        self.assertLess(took, 0.9)
        # A handshake that stalls ends after request_timeout_ms (1 s), a
        # connection that never speaks after idle_timeout_ms (1.5 s).
        self.assertEqual(results["hello_then_silent"][0][:1], b"\x16")
        self.assertGreater(results["hello_then_silent"][1], 0.8)
        self.assertLess(results["hello_then_silent"][1], 5)
        self.assertEqual(results["silent"][0], b"")
        self.assertGreater(results["silent"][1], 1.2)
        self.assertLess(results["silent"][1], 5)
        log = self.server.stderr()
        self.assertIn("TLS handshake failed", log)
        self.assertIn("handshake timed out", log)
        # And the server still serves both kinds.
        self.assertEqual(self.get_printer_attributes(tls_client(self.server.address, self.ctx))[0], "successful-ok")
        self.assertEqual(self.get_printer_attributes(Client(self.server.address))[0], "successful-ok")


class Certificates(unittest.TestCase):
    def test_generated_once_then_reused_across_restarts(self):
        tmp = tempfile.mkdtemp(prefix="quire-it-")
        try:
            data = os.path.join(tmp, "data")
            with Quired(data_dir=data) as server:
                first = logged_fingerprint(server)
                self.assertIn("generated a self-signed certificate", server.stderr())
            with Quired(data_dir=data) as server:
                self.assertEqual(logged_fingerprint(server), first)
                self.assertEqual(server.stderr().count("generated a self-signed certificate"), 1)
                c = tls_client(server.address, verified_context(data))
                self.assertEqual(c.ipp(request("Get-Printer-Attributes", server.uri("secure")))[0], "successful-ok")
                c.close()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_a_configured_certificate_is_used(self):
        with Quired() as first:
            crt = os.path.join(first.data_dir, "tls", "server.crt")
            key = os.path.join(first.data_dir, "tls", "server.key")
            with Quired(sets=["tls.certificate=" + crt, "tls.private_key=" + key]) as second:
                self.assertEqual(logged_fingerprint(second), (crt, file_fingerprint(crt)))
                self.assertFalse(os.path.exists(os.path.join(second.data_dir, "tls")))
                c = tls_client(second.address, verified_context(first.data_dir))
                self.assertEqual(c.ipp(request("Get-Printer-Attributes", second.uri("secure")))[0], "successful-ok")
                c.close()

    def test_disabled_serves_plain_http_only(self):
        with Quired(sets=["tls.enabled=false"]) as server:
            self.assertFalse(os.path.exists(os.path.join(server.data_dir, "tls")))
            self.assertNotIn("tls:", server.stderr())
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            host, port = server.address.rsplit(":", 1)
            with socket.create_connection((host, int(port)), timeout=5) as raw:
                with self.assertRaises((ssl.SSLError, ConnectionResetError)):
                    ctx.wrap_socket(raw)
            c = Client(server.address)
            self.assertEqual(c.ipp(request("Get-Printer-Attributes", server.uri("secure")))[0], "successful-ok")
            c.close()

    def test_bad_tls_configuration_stops_the_start(self):
        for sets, message in ((["tls.certificate=/nonexistent/cert.pem"],
                               "tls.private_key: must be set when tls.certificate is"),
                              (["tls.certificate=/nonexistent/cert.pem", "tls.private_key=/nonexistent/key.pem"],
                               "cannot load the certificate /nonexistent/cert.pem")):
            server = Quired(sets=sets)
            try:
                p = subprocess.run(server.command(), capture_output=True, text=True, timeout=30)
            finally:
                server.__exit__(None, None, None)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn(message, p.stderr)


if __name__ == "__main__":
    unittest.main()
