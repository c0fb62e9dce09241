"""Bad input gets a clear error and loses nothing: malformed IPP gets the right
IPP status, malformed HTTP a 4xx, oversized documents are refused and leave
nothing on disk, stalled clients time out without holding anyone up — and
nobody else's job is hurt."""
import os
import random
import socket
import struct
import time
import unittest

from quire_harness import (SAMPLE_PDF, Client, Quired, attr, http_body, parse_response, raw_exchange,
                           request, wait_for)

LIMIT = 100000  # limits.max_document_bytes for this server


def post_raw(body, path="/ipp/print/secure", content_type="application/ipp"):
    return (b"POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
            % (path.encode(), content_type.encode(), len(body))) + body


class BadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Quired(sets=["limits.max_document_bytes=%d" % LIMIT, "limits.inline_document_bytes=4096",
                                  "limits.request_timeout_ms=1000"])
        cls.server.start()
        # A job of someone else that every test must leave untouched.
        c = Client(cls.server.address)
        status, attrs = c.print_job(cls.server.uri("secure"), open(SAMPLE_PDF, "rb").read(), user="bystander")
        c.close()
        assert status == "successful-ok"
        cls.bystander_job = attrs["job-id"][0]

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def tearDown(self):
        # The bystander's job is still held and intact, and the server answers.
        c = Client(self.server.address)
        status, attrs = c.ipp(request("Get-Job-Attributes", self.server.uri("secure"), "bystander",
                                      extra_op=attr("integer", "job-id", self.bystander_job)))
        c.close()
        self.assertEqual(status, "successful-ok")
        self.assertEqual(attrs["job-state"], [4])
        self.assertEqual(attrs["job-name"], ["job"])

    def ipp_status(self, raw):
        resp = raw_exchange(self.server.address, raw)
        self.assertTrue(resp.startswith(b"HTTP/1.1 200"), resp[:200])
        return parse_response(http_body(resp))

    def test_truncated_requests_are_bad_requests(self):
        full = request("Print-Job", self.server.uri("secure"), "mallory", extra_op=attr("name", "job-name", "x"))
        for cut in (3, 8, 9, 20, len(full) - 1):
            status, _ = self.ipp_status(post_raw(full[:cut]))
            self.assertEqual(status, "client-error-bad-request", cut)

    def test_wrong_version(self):
        status, attrs = self.ipp_status(post_raw(request("Get-Jobs", self.server.uri("secure"), version=(9, 9))))
        self.assertEqual(status, "server-error-version-not-supported")
        self.assertIn("status-message", attrs)

    def test_groups_out_of_order(self):
        body = (b"\x02\x00\x00\x02\x00\x00\x00\x07" + b"\x02" + attr("integer", "copies", 1) + b"\x01" +
                attr("charset", "attributes-charset", "utf-8") +
                attr("language", "attributes-natural-language", "en") + b"\x03")
        status, _ = self.ipp_status(post_raw(body))
        self.assertEqual(status, "client-error-bad-request")

    def test_missing_charset_and_language(self):
        status, _ = self.ipp_status(post_raw(request("Get-Jobs", self.server.uri("secure"), charset=False)))
        self.assertEqual(status, "client-error-bad-request")

    def test_reserved_tag(self):
        body = b"\x02\x00\x00\x0a\x00\x00\x00\x01\x00\x03"
        status, _ = self.ipp_status(post_raw(body))
        self.assertEqual(status, "client-error-bad-request")

    def test_unknown_queue_and_operation(self):
        status, _ = self.ipp_status(post_raw(request("Get-Jobs", self.server.uri("nosuchqueue"))))
        self.assertEqual(status, "client-error-not-found")
        body = bytearray(request("Get-Jobs", self.server.uri("secure")))
        body[2:4] = struct.pack(">H", 0x0099)
        status, _ = self.ipp_status(post_raw(bytes(body)))
        self.assertEqual(status, "server-error-operation-not-supported")

    def test_print_job_without_document_or_with_unknown_format(self):
        status, _ = self.ipp_status(post_raw(request("Print-Job", self.server.uri("secure"), "mallory")))
        self.assertEqual(status, "client-error-bad-request")
        body = request("Print-Job", self.server.uri("secure"), "mallory",
                       extra_op=attr("mime", "document-format", "application/x-nonsense")) + b"data"
        status, _ = self.ipp_status(post_raw(body))
        self.assertEqual(status, "client-error-document-format-not-supported")

    def assert_nothing_left(self):
        incoming = os.path.join(self.server.data_dir, "spool", "incoming")
        self.assertTrue(wait_for(lambda: os.listdir(incoming) == []), os.listdir(incoming))
        c = Client(self.server.address)
        status, attrs = c.ipp(request("Get-Jobs", self.server.uri("secure"), "bigsender",
                                      extra_op=attr("keyword", "which-jobs", "all")))
        c.close()
        self.assertNotIn("job-id", attrs)

    def test_oversized_document_is_refused_and_leaves_nothing(self):
        doc = os.urandom(LIMIT * 2)
        for chunked in (False, True):
            c = Client(self.server.address)
            status, _ = c.print_job(self.server.uri("secure"), doc, user="bigsender") if not chunked else \
                parse_response(c.post(request("Print-Job", self.server.uri("secure"), "bigsender") + doc,
                                      chunked=True)[1])
            c.close()
            self.assertEqual(status, "client-error-request-entity-too-large", "chunked=%s" % chunked)
            self.assert_nothing_left()

    def test_a_document_at_the_limit_is_accepted(self):
        c = Client(self.server.address)
        status, _ = c.print_job(self.server.uri("secure"), os.urandom(LIMIT), user="atlimit")
        c.close()
        self.assertEqual(status, "successful-ok")

    def test_malformed_http(self):
        resp = raw_exchange(self.server.address, b"GARBAGE\r\n\r\n")
        self.assertTrue(resp.startswith(b"HTTP/1.1 501"), resp)
        resp = raw_exchange(self.server.address, b"POST / HTTP/1.1\r\nContent-Length: 3\r\n"
                                                 b"Transfer-Encoding: chunked\r\n\r\nabc")
        self.assertTrue(resp.startswith(b"HTTP/1.1 400"), resp)
        resp = raw_exchange(self.server.address, post_raw(b"x" * 10, content_type="text/plain"))
        self.assertTrue(resp.startswith(b"HTTP/1.1 415"), resp)
        resp = raw_exchange(self.server.address, b"GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(resp.startswith(b"HTTP/1.1 404"), resp)

    def test_stalled_client_times_out_without_holding_anyone_up(self):
        host, port = self.server.address.rsplit(":", 1)
        stalled = socket.create_connection((host, int(port)))
        stalled.sendall(b"POST /ipp/print/secure HTTP/1.1\r\nContent-Type: application/ipp\r\n"
                        b"Content-Length: 100000\r\n\r\n\x02\x00")
        # Meanwhile another client is served at once.
        t0 = time.time()
        c = Client(self.server.address)
        status, _ = c.print_job(self.server.uri("secure"), b"%PDF-1.4 quick", user="quick")
        c.close()
        self.assertEqual(status, "successful-ok")
        self.assertLess(time.time() - t0, 0.9)
        # The stalled one is disconnected after request_timeout_ms (1 s here).
        stalled.settimeout(10)
        t1 = time.time()
        self.assertEqual(stalled.recv(100), b"")
        self.assertLess(time.time() - t1, 5)
        stalled.close()
        self.assert_no_upload_left()

    def assert_no_upload_left(self):
        incoming = os.path.join(self.server.data_dir, "spool", "incoming")
        self.assertTrue(wait_for(lambda: os.listdir(incoming) == []))

    def test_mutated_requests_never_take_the_server_down(self):
        rng = random.Random(1179)
        seeds = [request("Print-Job", self.server.uri("secure"), "fuzz", extra_op=attr("name", "job-name", "f")) +
                 b"%PDF-1.4",
                 request("Get-Jobs", self.server.uri("secure"), "fuzz", extra_op=attr("integer", "limit", 3)),
                 request("Get-Printer-Attributes", self.server.uri("demo"),
                         extra_op=attr("keyword", "requested-attributes", "all"))]
        for i in range(300):
            body = bytearray(rng.choice(seeds))
            for _ in range(rng.randint(1, 6)):
                at = rng.randrange(len(body))
                body[at] = rng.randrange(256)
            if rng.random() < 0.3:
                del body[rng.randrange(len(body)):]
            resp = raw_exchange(self.server.address, post_raw(bytes(body)))
            self.assertTrue(resp.startswith(b"HTTP/1.1 "), (i, resp[:100]))
        self.assertIsNone(self.server.proc.poll())


if __name__ == "__main__":
    unittest.main()
