"""Job analysis end to end: quired's processor pool and real quire-jobproc
children read every new job's document; IPP shows the counts (PWG 5100.7
job-pages, job-impressions, job-impressions-col, job-media-sheets).

Documents are made by Ghostscript itself (ps2pdf) from PostScript written
here, so their truth is known: which pages are colour, how many there are.
Hostile ones (an endless loop, a file read, garbage claiming to be a PDF)
fail their own job with a reason; the next job is analysed as usual.
"""
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import zlib

from quire_harness import SAMPLE_PDF, Client, Quired, attr, parse_groups, request, wait_for

PDF = open(SAMPLE_PDF, "rb").read()


def page(body):
    return "%s\nshowpage\n" % body


TEXT_RGB_BLACK = "0 0 0 setrgbcolor /Helvetica findfont 24 scalefont setfont 72 700 moveto (black text) show"
RED_MARK = "1 0 0 setrgbcolor 100 100 2 2 rectfill 0 setgray 72 650 moveto /Helvetica findfont 12 scalefont setfont (x) show"


def make_pdf(folder, name, pages):
    ps = os.path.join(folder, name + ".ps")
    pdf = os.path.join(folder, name + ".pdf")
    with open(ps, "w") as f:
        f.write("%!PS-Adobe-3.0\n" + "".join(page(p) for p in pages))
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-sOutputFile=" + pdf, ps],
                   check=True, capture_output=True)
    with open(pdf, "rb") as f:
        return f.read()


def flate_bomb_pdf(mib):
    """A one-page PDF whose FlateDecode content stream is `mib` MiB of spaces
    followed by a blue 100 pt square (deflate packs it ~1,000:1)."""
    c = zlib.compressobj(9)
    block = b" " * (1 << 20)
    stream = b"".join(c.compress(block) for _ in range(mib))
    stream += c.compress(b"\n0 0 1 rg 10 10 100 100 re f\n") + c.flush()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = b"%PDF-1.7\n", []
    for i, o in enumerate(objs):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def job_attrs(server, job_id, user, queue="secure"):
    c = Client(server.address)
    try:
        body = request("Get-Job-Attributes", server.uri(queue), user,
                       extra_op=attr("integer", "job-id", job_id) + attr("keyword", "requested-attributes", "all"))
        status, data = c.post(body, path="/ipp/print/" + queue)
        st, groups = parse_groups(data)
        out = {}
        for tag, g in groups:
            if tag == 0x02:
                out.update(g)
        return out
    finally:
        c.close()


class Analysis(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="quire-analysis-")
        cls.server = Quired(sets=["processors.timeout_ms=3000", "processors.count=2"])
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def submit(self, doc, user, fmt="application/pdf", extra_op=b""):
        c = Client(self.server.address)
        status, attrs = c.print_job(self.server.uri("secure"), doc, user=user, fmt=fmt, extra_op=extra_op)
        c.close()
        self.assertEqual(status, "successful-ok")
        return attrs["job-id"][0]

    def analysed(self, job_id, user, timeout=30):
        got = {}

        def done():
            got.update(job_attrs(self.server, job_id, user))
            return "job-pages" in got or got.get("job-state", [0])[0] in (7, 8, 9)
        self.assertTrue(wait_for(done, timeout=timeout, interval=0.1), got)
        return got

    def test_pages_and_colour_are_counted(self):
        doc = make_pdf(self.tmp, "mixed", [TEXT_RGB_BLACK, RED_MARK, TEXT_RGB_BLACK])
        job = self.submit(doc, "ana")
        a = self.analysed(job, "ana")
        self.assertEqual(a["job-pages"], [3])
        self.assertEqual(a["job-impressions"], [3])
        self.assertEqual(a["job-media-sheets"], [3])
        cols = self.col_text(job, "ana")
        self.assertIn("job-impressions-col (collection) = {full-color=1 monochrome=2}", cols)
        self.assertIn("job-pages-col (collection) = {full-color=1 monochrome=2}", cols)

    def col_text(self, job_id, user):
        # ipptool renders collections readably; use it for the -col members.
        out = subprocess.run(["ipptool", "-tv", self.server.uri("secure"), "-d", "job=%d" % job_id,
                              "-d", "user=%s" % user, os.path.join(self.tmp, "gja.test")],
                             capture_output=True, text=True, timeout=60).stdout
        return out

    def setUp(self):
        with open(os.path.join(self.tmp, "gja.test"), "w") as f:
            f.write("""{
  OPERATION Get-Job-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR integer job-id $job
  ATTR name requesting-user-name $user
  ATTR keyword requested-attributes job-impressions-col,job-pages-col
  STATUS successful-ok
}
""")

    def test_copies_nup_and_duplex_make_impressions_and_sheets(self):
        doc = make_pdf(self.tmp, "five", [TEXT_RGB_BLACK] * 5)
        extra = (attr("integer", "copies", 2) + attr("integer", "number-up", 2) +
                 attr("keyword", "sides", "two-sided-long-edge"))
        c = Client(self.server.address)
        body = request("Print-Job", self.server.uri("secure"), "nup",
                       extra_op=attr("mime", "document-format", "application/pdf"), job_attrs=extra)
        st, attrs = c.ipp(body + doc)
        c.close()
        self.assertIn(st, ("successful-ok", "successful-ok-ignored-or-substituted-attributes"))
        a = self.analysed(attrs["job-id"][0], "nup")
        self.assertEqual(a["job-pages"], [5])
        self.assertEqual(a["job-impressions"], [6])   # ceil(5/2) x 2 copies
        self.assertEqual(a["job-media-sheets"], [4])  # ceil(3/2) x 2 copies
        self.assertIn("full-color=0", self.col_text(attrs["job-id"][0], "nup"))

    def test_postscript_is_counted_by_interpreting_it(self):
        ps = ("%!PS-Adobe-3.0\n%%Pages: 99\n%%EndComments\n" +
              "".join(page(p) for p in (TEXT_RGB_BLACK, RED_MARK, TEXT_RGB_BLACK))).encode()
        job = self.submit(ps, "psuser", fmt="application/postscript")
        a = self.analysed(job, "psuser", timeout=40)
        self.assertEqual(a["job-pages"], [3])  # not the 99 its DSC comment claims
        self.assertIn("full-color=1", self.col_text(job, "psuser"))

    def test_a_pdf_declared_as_something_else_is_read_as_a_pdf(self):
        job = self.submit(PDF, "liar", fmt="image/urf")
        a = self.analysed(job, "liar")
        self.assertEqual(a["job-pages"], [1])

    def test_an_endless_postscript_job_fails_alone(self):
        job = self.submit(b"%!PS\n{} loop\n", "loopy", fmt="application/postscript")
        ok_job = self.submit(PDF, "fine")
        a = self.analysed(job, "loopy", timeout=40)
        self.assertEqual(a["job-state"], [8], a)  # aborted (Quire's failed)
        self.assertIn("longer than", a["job-state-message"][0])
        self.assertEqual(self.analysed(ok_job, "fine")["job-pages"], [1])

    def test_a_postscript_job_cannot_read_files(self):
        evil = b"%!PS\n/Helvetica findfont 10 scalefont setfont 72 700 moveto\n" \
               b"(/etc/passwd) (r) file 100 string readstring pop show showpage\n"
        job = self.submit(evil, "sneaky", fmt="application/postscript")
        a = self.analysed(job, "sneaky", timeout=40)
        # Ghostscript's SAFER mode refused the read: the job fails, saying so,
        # and nothing of the file reaches the job's attributes.
        self.assertEqual(a["job-state"], [8], a)
        self.assertIn("invalidfileaccess", a["job-state-message"][0])
        self.assertNotIn("root:", str(a))

    def test_garbage_claiming_to_be_a_pdf_fails_with_a_reason(self):
        job = self.submit(b"%PDF-1.7\n" + os.urandom(4000), "garbage")
        a = self.analysed(job, "garbage")
        self.assertEqual(a["job-state"], [8], a)
        self.assertIn("could not be read", a["job-state-message"][0])
        self.assertEqual(self.analysed(self.submit(PDF, "after-garbage"), "after-garbage")["job-pages"], [1])

    def test_a_thousand_page_pdf_is_counted(self):
        doc = make_pdf(self.tmp, "thousand", [TEXT_RGB_BLACK] * 999 + [RED_MARK])
        job = self.submit(doc, "big")
        a = self.analysed(job, "big", timeout=60)
        self.assertEqual(a["job-pages"], [1000])
        self.assertIn("full-color=1", self.col_text(job, "big"))

    def test_a_truncated_pdf_is_repaired_or_refused_with_a_reason(self):
        doc = make_pdf(self.tmp, "cut", [TEXT_RGB_BLACK] * 4)
        job = self.submit(doc[: len(doc) * 2 // 3], "cut")
        a = self.analysed(job, "cut")
        if a["job-state"] == [8]:
            self.assertIn("could not be read", a["job-state-message"][0])
        else:
            self.assertGreaterEqual(a["job-pages"][0], 1)

    def test_a_pdf_bomb_is_read_without_blowing_up(self):
        # One page whose content stream inflates ~1,000-fold to 128 MiB of
        # blanks, then draws a blue square: the structure scan stops at its
        # byte budget and leaves the page uncertain; Ghostscript, boxed,
        # renders it within the limits and finds the colour.
        job = self.submit(flate_bomb_pdf(128), "bomber")
        a = self.analysed(job, "bomber", timeout=60)
        self.assertEqual(a["job-pages"], [1], a)
        self.assertIn("full-color=1", self.col_text(job, "bomber"))
        self.assertEqual(self.analysed(self.submit(PDF, "after-bomb"), "after-bomb")["job-pages"], [1])

    def test_a_killed_processor_costs_only_its_job(self):
        job = self.submit(b"%!PS\n{} loop\n", "victim", fmt="application/postscript")
        time.sleep(0.5)  # a processor is now looping on it
        killed = subprocess.run(["pkill", "-9", "-f", "-P", str(self.server.pid), "quire-jobproc"])
        self.assertEqual(killed.returncode, 0)  # there were processors to kill
        a = self.analysed(job, "victim", timeout=40)
        self.assertEqual(a["job-state"], [8], a)
        self.assertIn("stopped", a["job-state-message"][0])  # killed, not timed out
        self.assertEqual(self.analysed(self.submit(PDF, "survivor"), "survivor")["job-pages"], [1])


class Backlog(unittest.TestCase):
    """An acknowledged job whose analysis never happened (quired died first,
    or ran without processors) is analysed after the next start."""

    def test_jobs_left_unanalysed_are_read_after_a_restart(self):
        tmp = tempfile.mkdtemp(prefix="quire-backlog-")
        try:
            data = os.path.join(tmp, "data")
            server = Quired(data_dir=data, sets=["processors.enabled=false"], keep_data=True)
            server.start()
            jobs = []
            c = Client(server.address)
            for user in ("early", "early2"):
                status, attrs = c.print_job(server.uri("secure"), PDF, user=user)
                self.assertEqual(status, "successful-ok")
                jobs.append((attrs["job-id"][0], user))
            c.close()
            time.sleep(0.3)
            self.assertNotIn("job-pages", job_attrs(server, jobs[0][0], "early"))
            server.kill9()
            server = Quired(data_dir=data, sets=["processors.count=1"], keep_data=True)
            server.start()
            try:
                for job, user in jobs:
                    got = {}

                    def done():
                        got.update(job_attrs(server, job, user))
                        return "job-pages" in got
                    self.assertTrue(wait_for(done, timeout=30, interval=0.1), got)
                    self.assertEqual(got["job-pages"], [1])
                    self.assertEqual(got["job-state"], [4])  # still held
            finally:
                server.stop()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
