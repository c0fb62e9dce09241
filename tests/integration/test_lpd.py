"""LPD (RFC 1179) and raw-port intake, driven by CUPS's own backends.

CUPS's /usr/lib/cups/backend/lpd and .../socket are the senders: the same
programs a CUPS server runs to print to an LPD queue or a JetDirect port.
They take the job from the command line (job id, user, title, copies,
options, file) and the device URI from the environment. A few malformed
exchanges no real client would send come from a small socket client here.

What is checked: every job lands held in the right queue under the user and
name the configured rule picks (PJL, then DSC, then the control file), with
the document byte for byte; a sender gets the last ack only for a durable
job (it survives kill -9); malformed or cut-off streams get a nack (or are
dropped) and touch nobody else's job.
"""
import glob
import os
import socket
import subprocess
import tempfile
import time
import unittest

from quire_harness import SAMPLE_PDF, Client, Quired, attr, parse_groups, request, wait_for

PDF = open(SAMPLE_PDF, "rb").read()
PS = (b"%!PS-Adobe-3.0\n%%Title: (report.pdf)\n%%For: (Alice Example)\n%%Pages: 1\n%%EndComments\n"
      b"/Helvetica findfont 12 scalefont setfont 72 720 moveto (hello) show showpage\n")
PJL = (b"\x1b%-12345X@PJL JOB NAME=\"Microsoft Word - thesis.docx\"\r\n@PJL SET USERNAME=\"s1234567\"\r\n"
       b"@PJL ENTER LANGUAGE=PDF\r\n" + PDF + b"\x1b%-12345X@PJL EOJ\r\n\x1b%-12345X")


def backend(name):
    for d in ("/usr/lib/cups/backend", "/usr/lib/cups/backend-available"):
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    raise RuntimeError("CUPS's %s backend is missing: run .ci/install-deps test (package cups)" % name)


def run_backend(name, uri, document, user="bob", title="Thesis final", timeout=60):
    """Runs a CUPS backend as cupsd would for one job; returns (rc, stderr)."""
    with tempfile.NamedTemporaryFile(suffix=".job") as f:
        f.write(document)
        f.flush()
        env = dict(os.environ, DEVICE_URI=uri)
        p = subprocess.run([backend(name), "42", user, title, "1", "", f.name], env=env,
                           capture_output=True, timeout=timeout)
        return p.returncode, p.stderr.decode(errors="replace")


class LpdSender:
    """RFC 1179 by hand, for exchanges the CUPS backend never makes."""

    def __init__(self, address, timeout=10):
        host, port = address.rsplit(":", 1)
        self.s = socket.create_connection((host, int(port)), timeout=timeout)

    def send(self, data):
        self.s.sendall(data)

    def ack(self):
        b = self.s.recv(1)
        return b if b else None

    def receive_job(self, queue):
        self.send(b"\x02" + queue.encode() + b"\n")
        return self.ack()

    def file(self, code, name, content):
        """Announces and sends one file; returns (announce ack, end ack)."""
        self.send(code + str(len(content)).encode() + b" " + name.encode() + b"\n")
        first = self.ack()
        if first != b"\x00":
            return first, None
        self.send(content + b"\x00")
        return first, self.ack()

    def read_all(self):
        out = b""
        while True:
            c = self.s.recv(65536)
            if not c:
                return out
            out += c

    def close(self):
        self.s.close()


def control(user="carol", name="notes.txt", data="dfA001client", host="client"):
    return ("H%s\nP%s\nJ%s\nl%s\nU%s\nN%s\n" % (host, user, name, data, data, name)).encode()


def jobs(server, user, queue="secure"):
    """Every job of `user` in `queue` as dicts of attribute -> first value."""
    c = Client(server.address)
    try:
        body = request("Get-Jobs", server.uri(queue), user,
                       extra_op=attr("keyword", "which-jobs", "all") + attr("boolean", "my-jobs", True) +
                       attr("keyword", "requested-attributes", "job-id", "job-name", "job-originating-user-name",
                            "job-state", "document-format-supplied", "job-k-octets", "copies", "job-originating-host-name"))
        status, data = c.post(body, "/ipp/print/" + queue)
        assert status == 200
        st, groups = parse_groups(data)
        assert st == "successful-ok", st
        return [{k: v[0] for k, v in g.items()} for tag, g in groups if tag == 0x02]
    finally:
        c.close()


class LpdIntake(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Quired(sets=["raw.lab.listen=127.0.0.1:0", "raw.lab.queue=secure"])
        cls.server.start()
        cls.lpd = cls.server.listeners["lpd"]
        cls.raw = cls.server.listeners["raw.lab"]

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def lpd_uri(self, queue, options="reserve=none"):
        return "lpd://%s/%s?%s" % (self.lpd, queue, options)

    def test_cups_lpd_backend_control_file_first(self):
        rc, err = run_backend("lpd", self.lpd_uri("secure"), PDF, user="bob", title="Thesis final")
        self.assertEqual(rc, 0, err)
        mine = jobs(self.server, "bob")
        self.assertEqual(len(mine), 1, mine)
        j = mine[0]
        self.assertEqual(j["job-name"], "Thesis final")  # J: no PJL or DSC in a bare PDF
        self.assertEqual(j["job-originating-user-name"], "bob")  # P
        self.assertEqual(j["job-state"], 4)  # pending-held: a pull queue holds it
        self.assertEqual(j["document-format-supplied"], "application/pdf")
        self.assertEqual(j["job-originating-host-name"], "127.0.0.1")

    def test_cups_lpd_backend_data_file_first_takes_dsc(self):
        rc, err = run_backend("lpd", self.lpd_uri("secure", "reserve=none&order=data,control"), PS,
                              user="lpuser", title="ignored")
        self.assertEqual(rc, 0, err)
        mine = jobs(self.server, "Alice Example")  # %%For: beats P
        self.assertEqual(len(mine), 1, mine)
        self.assertEqual(mine[0]["job-name"], "report.pdf")  # %%Title: beats J
        self.assertEqual(mine[0]["document-format-supplied"], "application/postscript")
        self.assertEqual(jobs(self.server, "lpuser"), [])

    def test_pjl_header_names_the_windows_user(self):
        rc, err = run_backend("lpd", self.lpd_uri("secure"), PJL, user="SYSTEM", title="ignored")
        self.assertEqual(rc, 0, err)
        mine = jobs(self.server, "s1234567")
        self.assertEqual(len(mine), 1, mine)
        self.assertEqual(mine[0]["job-name"], "Microsoft Word - thesis.docx")
        self.assertEqual(mine[0]["document-format-supplied"], "application/pdf")

    def test_direct_queue_prints_the_document_unchanged(self):
        before = set(glob.glob(os.path.join(self.server.sink("demo"), "*")))
        rc, err = run_backend("lpd", self.lpd_uri("demo"), PJL, user="dora")
        self.assertEqual(rc, 0, err)
        new = lambda: set(glob.glob(os.path.join(self.server.sink("demo"), "*"))) - before
        self.assertTrue(wait_for(lambda: len(new()) == 1))
        with open(new().pop(), "rb") as f:
            self.assertEqual(f.read(), PJL)

    def test_postscript_prints_as_the_pdf_it_was_counted_as(self):
        # PostScript is made into PDF when it is analysed, and that PDF is
        # what the printer gets: a program cannot print more than it was
        # counted for (devices/jobproc/README.md).
        before = set(glob.glob(os.path.join(self.server.sink("demo"), "*")))
        rc, err = run_backend("lpd", self.lpd_uri("demo"), PS, user="dora")
        self.assertEqual(rc, 0, err)
        new = lambda: set(glob.glob(os.path.join(self.server.sink("demo"), "*"))) - before
        self.assertTrue(wait_for(lambda: len(new()) == 1, timeout=30))
        printed = new().pop()
        self.assertTrue(printed.endswith(".pdf"), printed)
        with open(printed, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"%PDF-"), data[:20])
        self.assertIn(b"/Count 1", data)

    def test_raw_port_with_cups_socket_backend(self):
        rc, err = run_backend("socket", "socket://%s" % self.raw, PJL)
        self.assertEqual(rc, 0, err)
        self.assertTrue(wait_for(lambda: len(jobs(self.server, "s1234567")) >= 1))
        # No PJL, no DSC: held under the sender's address (intake.unknown_user = "host").
        rc, err = run_backend("socket", "socket://%s" % self.raw, PDF)
        self.assertEqual(rc, 0, err)
        self.assertTrue(wait_for(lambda: len(jobs(self.server, "127.0.0.1")) == 1))
        self.assertEqual(jobs(self.server, "127.0.0.1")[0]["document-format-supplied"], "application/pdf")

    def test_unknown_queue_gets_a_nack(self):
        s = LpdSender(self.lpd)
        self.assertEqual(s.receive_job("nosuch"), b"\x01")
        s.close()

    def test_malformed_subcommand_is_refused_and_hurts_nobody(self):
        s = LpdSender(self.lpd)
        self.assertEqual(s.receive_job("secure"), b"\x00")
        s.send(b"\x02twelve cfA001client\n")
        self.assertEqual(s.ack(), b"\x01")
        self.assertEqual(s.read_all(), b"")  # then closed
        s.close()
        # Another sender at the same time is served as usual.
        rc, err = run_backend("lpd", self.lpd_uri("secure"), PDF, user="erin")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(jobs(self.server, "erin")), 1)

    def test_non_zero_byte_after_a_file_is_refused(self):
        s = LpdSender(self.lpd)
        s.receive_job("secure")
        s.send(b"\x03" + b"5 dfA001client\n")
        self.assertEqual(s.ack(), b"\x00")
        s.send(b"hello\x07")
        self.assertEqual(s.ack(), b"\x01")
        s.close()

    def test_cut_off_job_leaves_nothing_behind(self):
        s = LpdSender(self.lpd)
        s.receive_job("secure")
        self.assertEqual(s.file(b"\x02", "cfA007client", control(user="frank", data="dfA007client")),
                         (b"\x00", b"\x00"))
        s.send(b"\x03" + str(len(PDF)).encode() + b" dfA007client\n")
        self.assertEqual(s.ack(), b"\x00")
        s.send(PDF[:1000])
        s.close()
        time.sleep(0.3)
        self.assertEqual(jobs(self.server, "frank"), [])
        incoming = os.path.join(self.server.data_dir, "spool", "incoming")
        self.assertTrue(wait_for(lambda: not os.listdir(incoming) if os.path.isdir(incoming) else True))

    def test_abort_subcommand_drops_the_job(self):
        s = LpdSender(self.lpd)
        s.receive_job("secure")
        s.file(b"\x03", "dfA008client", PDF)
        s.send(b"\x01\n")
        self.assertEqual(s.read_all(), b"")
        s.close()
        time.sleep(0.2)
        self.assertEqual(jobs(self.server, "carol"), [])

    def test_copies_and_several_documents(self):
        s = LpdSender(self.lpd)
        s.receive_job("secure")
        cf = b"Hclient\nPgina\nJtwo files\nldfA009client\nldfA009client\nNa.ps\nodfB009client\n"
        self.assertEqual(s.file(b"\x03", "dfA009client", PDF), (b"\x00", b"\x00"))
        self.assertEqual(s.file(b"\x03", "dfB009client", PS), (b"\x00", b"\x00"))
        self.assertEqual(s.file(b"\x02", "cfA009client", cf), (b"\x00", b"\x00"))
        s.close()
        mine = sorted(jobs(self.server, "gina"), key=lambda j: j["job-id"])
        self.assertEqual([j["job-name"] for j in mine], ["two files (1/2)", "two files (2/2)"])
        self.assertEqual([j["copies"] for j in mine], [2, 1])
        self.assertEqual([j["document-format-supplied"] for j in mine], ["application/pdf", "application/postscript"])

    def test_queue_state_and_remove(self):
        s = LpdSender(self.lpd)
        s.receive_job("secure")
        s.file(b"\x02", "cfA010client", control(user="hank", name="to-remove", data="dfA010client"))
        s.file(b"\x03", "dfA010client", PDF)
        s.close()
        job_id = jobs(self.server, "hank")[0]["job-id"]
        q = LpdSender(self.lpd)
        q.send(b"\x03secure\n")
        text = q.read_all().decode()
        q.close()
        self.assertIn("secure is ready", text)
        self.assertIn("hank", text)
        self.assertIn(str(job_id), text)
        q = LpdSender(self.lpd)
        q.send(b"\x04secure hank\n")
        long_text = q.read_all().decode()
        q.close()
        self.assertIn("[job %d 127.0.0.1]" % job_id, long_text)
        self.assertNotIn("bob", long_text)  # the list asked for hank only
        # Someone else may not remove it; its owner may.
        r = LpdSender(self.lpd)
        r.send(b"\x05secure mallory %d\n" % job_id)
        r.read_all()
        r.close()
        time.sleep(0.2)
        self.assertEqual(jobs(self.server, "hank")[0]["job-state"], 4)
        r = LpdSender(self.lpd)
        r.send(b"\x05secure hank %d\n" % job_id)
        r.read_all()
        r.close()
        self.assertTrue(wait_for(lambda: jobs(self.server, "hank")[0]["job-state"] == 7))  # canceled


class LpdBadInput(unittest.TestCase):
    """Each hostile sender gets a nack or a closed connection, leaves no file,
    and the next sender is served as usual."""

    @classmethod
    def setUpClass(cls):
        cls.server = Quired(sets=["limits.request_timeout_ms=700"])
        cls.server.start()
        cls.lpd = cls.server.listeners["lpd"]

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def tearDown(self):
        incoming = os.path.join(self.server.data_dir, "spool", "incoming")
        self.assertTrue(wait_for(lambda: not os.path.isdir(incoming) or not os.listdir(incoming)),
                        os.listdir(incoming))
        s = LpdSender(self.lpd)  # the next sender is served
        s.receive_job("secure")
        s.file(b"\x02", "cfA099client", control(user="next", data="dfA099client"))
        self.assertEqual(s.file(b"\x03", "dfA099client", PDF), (b"\x00", b"\x00"))
        s.close()

    def refused(self, payload):
        s = LpdSender(self.lpd)
        s.send(payload)
        got = s.read_all()
        s.close()
        return got

    def test_unknown_command_byte(self):
        self.assertEqual(self.refused(b"\x09secure\n"), b"\x01")

    def test_line_without_newline(self):
        self.assertEqual(self.refused(b"\x02" + b"q" * 5000), b"\x01")

    def test_count_shorter_than_sent(self):
        got = self.refused(b"\x02secure\n\x035 dfA020client\nhello world\x00")
        self.assertEqual(got, b"\x00\x00\x01")  # command, announce, then the byte after 5 is not 0

    def test_count_longer_than_sent_times_out(self):
        s = LpdSender(self.lpd)
        s.receive_job("secure")
        s.send(b"\x035000 dfA021client\n")
        self.assertEqual(s.ack(), b"\x00")
        s.send(b"x" * 100)
        t0 = time.time()
        self.assertEqual(s.read_all(), b"")  # closed after limits.request_timeout_ms of silence
        self.assertLess(time.time() - t0, 5)
        s.close()

    def test_control_file_without_its_data_file(self):
        s = LpdSender(self.lpd)
        s.receive_job("secure")
        self.assertEqual(s.file(b"\x02", "cfA022client", control(user="nodata", data="dfA022client")),
                         (b"\x00", b"\x00"))
        s.close()
        time.sleep(0.2)
        self.assertEqual(jobs(self.server, "nodata"), [])

    def test_path_like_file_names(self):
        for name in (b"../../etc/passwd", b"/tmp/quire-lpd-evil"):
            got = self.refused(b"\x02secure\n\x034 " + name + b"\nevil\x00")
            self.assertEqual(got, b"\x00\x01", name)
        self.assertFalse(os.path.exists("/tmp/quire-lpd-evil"))

    def test_data_file_of_length_zero_is_refused(self):
        self.assertEqual(self.refused(b"\x02secure\n\x030 dfA023client\n"), b"\x00\x01")

    def test_100_mb_of_garbage(self):
        host, port = self.lpd.rsplit(":", 1)
        s = socket.create_connection((host, int(port)), timeout=10)
        chunk = os.urandom(1 << 20).replace(b"\n", b"?")
        sent = 0
        try:
            while sent < 100 << 20:
                s.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.close()
        self.assertLess(sent, 100 << 20)  # the server hung up long before the end


class LpdPolicies(unittest.TestCase):
    def test_unknown_users_rejected_when_configured(self):
        sets = ["intake.known_users_only=true", 'intake.unknown_user=reject']
        with Quired(sets=sets) as server:
            s = LpdSender(server.listeners["lpd"])
            s.receive_job("secure")
            s.file(b"\x02", "cfA011client", control(user="nobody-known", data="dfA011client"))
            self.assertEqual(s.file(b"\x03", "dfA011client", PDF), (b"\x00", b"\x01"))
            s.close()
            self.assertEqual(jobs(server, "nobody-known"), [])

    def test_queue_requiring_login_refuses_lpd(self):
        with Quired(sets=['queues.secure.authentication=required']) as server:
            s = LpdSender(server.listeners["lpd"])
            s.receive_job("secure")
            s.file(b"\x02", "cfA012client", control(user="ivan", data="dfA012client"))
            self.assertEqual(s.file(b"\x03", "dfA012client", PDF), (b"\x00", b"\x01"))
            s.close()
            self.assertIn("requires a login", server.stderr())

    def test_acknowledged_job_survives_kill9(self):
        with Quired(keep_data=True) as server:
            s = LpdSender(server.listeners["lpd"])
            s.receive_job("secure")
            s.file(b"\x02", "cfA013client", control(user="judy", name="durable", data="dfA013client"))
            self.assertEqual(s.file(b"\x03", "dfA013client", PDF), (b"\x00", b"\x00"))
            server.kill9()
            s.close()
            server.start()
            mine = jobs(server, "judy")
            self.assertEqual([j["job-name"] for j in mine], ["durable"])
            self.assertEqual(mine[0]["job-k-octets"], 3)  # 2,322 bytes


if __name__ == "__main__":
    unittest.main()
