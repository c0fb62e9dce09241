"""HTTP/1.1 behaviour libcups clients and others rely on: 100-continue answered
at once, keep-alive, pipelined requests answered in order, chunked bodies;
and the drop to an unprivileged user after binding."""
import http.client
import os
import pwd
import socket
import tempfile
import time
import unittest

from quire_harness import (SAMPLE_PDF, Client, Quired, attr, http_body, parse_response, request)


def read_response(sock, buf=b""):
    """Reads one HTTP response from sock; returns (head, body, leftover)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError(buf)
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError(rest)
        rest += chunk
    return head, rest[:length], rest[length:]


class Http(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Quired()
        cls.server.start()
        host, port = cls.server.address.rsplit(":", 1)
        cls.endpoint = (host, int(port))

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def test_expect_100_continue_is_answered_before_the_body(self):
        body = request("Print-Job", self.server.uri("secure"), "cont") + open(SAMPLE_PDF, "rb").read()
        with socket.create_connection(self.endpoint, timeout=5) as s:
            s.sendall(b"POST /ipp/print/secure HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\n"
                      b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
            t0 = time.time()
            interim = s.recv(100)
            self.assertTrue(interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim)
            self.assertLess(time.time() - t0, 0.5)  # libcups would wait a full second otherwise
            s.sendall(body)
            head, payload, _ = read_response(s, interim[len(b"HTTP/1.1 100 Continue\r\n\r\n"):])
            self.assertTrue(head.startswith(b"HTTP/1.1 200"))
            self.assertEqual(parse_response(payload)[0], "successful-ok")

    def test_pipelined_requests_are_answered_in_order_on_one_connection(self):
        reqs = b""
        for i in range(1, 6):
            body = request("Get-Printer-Attributes", self.server.uri("secure"), request_id=i,
                           extra_op=attr("keyword", "requested-attributes", "printer-name"))
            reqs += (b"POST /ipp/print/secure HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body)) + body
        with socket.create_connection(self.endpoint, timeout=5) as s:
            s.sendall(reqs)  # all at once
            left = b""
            for i in range(1, 6):
                head, payload, left = read_response(s, left)
                self.assertTrue(head.startswith(b"HTTP/1.1 200"))
                self.assertEqual(int.from_bytes(payload[4:8], "big"), i)  # request-id, in order

    def test_chunked_upload_and_keep_alive(self):
        c = Client(self.server.address)
        doc = os.urandom(300000)  # larger than the inline limit: spooled
        for i in range(3):
            status, attrs = parse_response(c.post(request("Print-Job", self.server.uri("secure"), "chunky") + doc,
                                                  chunked=True)[1])
            self.assertEqual(status, "successful-ok")
        # The same connection served all three.
        self.assertIsNotNone(c.conn.sock)
        c.close()


    def test_the_advertised_printer_icon_is_served(self):
        c = Client(self.server.address)
        status, attrs = c.ipp(request("Get-Printer-Attributes", self.server.uri("secure"),
                                      extra_op=attr("keyword", "requested-attributes", "printer-icons")))
        c.close()
        self.assertEqual(status, "successful-ok")
        icon = [u for u in attrs["printer-icons"] if u.startswith("http://")][0]
        path = "/" + icon.split("/", 3)[3]
        conn = http.client.HTTPConnection(*self.endpoint, timeout=10)
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Content-Type"), "image/png")
        self.assertTrue(body.startswith(b"\x89PNG\r\n\x1a\n"))


class PrivilegeDrop(unittest.TestCase):
    def test_root_drops_to_server_user_after_binding(self):
        if os.geteuid() != 0:
            self.skipTest("needs root")
        nobody = pwd.getpwnam("nobody")
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "data")
            os.makedirs(data)
            os.chown(data, nobody.pw_uid, nobody.pw_gid)
            os.chmod(tmp, 0o755)
            with Quired(data_dir=data, sets=["server.user=nobody"]) as server:
                with open("/proc/%d/status" % server.pid) as f:
                    uids = [l for l in f if l.startswith("Uid:")][0].split()[1:]
                self.assertEqual(set(uids), {str(nobody.pw_uid)})
                c = Client(server.address)
                status, _ = c.print_job(server.uri("secure"), b"%PDF-1.4 as nobody", user="n")
                c.close()
                self.assertEqual(status, "successful-ok")


if __name__ == "__main__":
    unittest.main()
