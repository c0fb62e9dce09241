"""Conversion for delivery, end to end: printers that take PCL XL, PWG raster
or PostScript get each job in their language, made by the real quire-jobproc
children with Ghostscript; a job that cannot become that language fails with
a reason and the printer goes on with the next one.

The sinks are file:// printers, so what a device would receive is on disk:
its signature and, for PWG raster, its page headers (colour space, size,
duplex) are checked against what the job asked for.
"""
import glob
import os
import shutil
import struct
import subprocess
import tempfile
import unittest

from quire_harness import SAMPLE_PDF, Client, Quired, attr, request, wait_for
from test_analysis import RED_MARK, TEXT_RGB_BLACK, job_attrs, make_pdf

PDF = open(SAMPLE_PDF, "rb").read()

PRINTERS = {
    "pxl": "application/vnd.hp-pclxl",
    "pwg": "image/pwg-raster",
    "ps": "application/postscript",
}


def pwg_pages(data):
    """(colour space, bits per pixel, width, height, duplex) of each page
    header of a PWG raster stream (PWG 5102.4: 1796-byte headers that start
    with "PwgRaster"; the compressed bitmaps between them hold no such run)."""
    assert data[:4] == b"RaS2", data[:16]
    pages, at = [], 4
    while at >= 0 and at + 1796 <= len(data):
        h = data[at:at + 1796]
        duplex = struct.unpack(">I", h[272:276])[0]
        width, height = struct.unpack(">II", h[372:380])
        bits_per_pixel = struct.unpack(">I", h[388:392])[0]
        colour_space = struct.unpack(">I", h[400:404])[0]
        pages.append((colour_space, bits_per_pixel, width, height, duplex))
        at = data.find(b"PwgRaster\0", at + 1796)
    return pages


class Conversion(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="quire-conversion-")
        sets = ["processors.count=2"]
        for name, language in PRINTERS.items():
            sets += ["printers.%s.device_uri=file://${data_dir}/sink/%s" % (name, name),
                     "printers.%s.language=%s" % (name, language),
                     "queues.%s.type=direct" % name,
                     'queues.%s.printers=["%s"]' % (name, name)]
        # A pull queue whose jobs may go to a PCL XL or a PWG raster printer.
        sets += ["printers.pxl2.device_uri=file://${data_dir}/sink/pxl2",
                 "printers.pxl2.language=application/vnd.hp-pclxl",
                 "queues.pull.type=pull", 'queues.pull.printers=["pxl2","pwg"]']
        cls.server = Quired(sets=sets)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def print_to(self, queue, doc, user, fmt="application/pdf", job_attrs_=b""):
        c = Client(self.server.address)
        body = request("Print-Job", self.server.uri(queue), user,
                       extra_op=attr("mime", "document-format", fmt), job_attrs=job_attrs_)
        st, attrs = c.ipp(body + doc, path="/ipp/print/" + queue)
        c.close()
        self.assertIn(st, ("successful-ok", "successful-ok-ignored-or-substituted-attributes"))
        return attrs["job-id"][0]

    def printed(self, printer, job, ext):
        path = os.path.join(self.server.sink(printer), "%d.%s" % (job, ext))
        self.assertTrue(wait_for(lambda: os.path.exists(path), timeout=60, interval=0.1),
                        os.listdir(self.server.sink(printer)) if os.path.isdir(self.server.sink(printer)) else "")
        with open(path, "rb") as f:
            return f.read()

    def test_a_pcl_xl_printer_gets_pcl_xl(self):
        job = self.print_to("pxl", PDF, "pat")
        data = self.printed("pxl", job, "pxl")
        self.assertIn(b") HP-PCL XL;", data[:200])

    def test_a_postscript_printer_gets_postscript(self):
        job = self.print_to("ps", PDF, "pat")
        self.assertTrue(self.printed("ps", job, "ps").startswith(b"%!PS"))

    def test_a_pwg_printer_gets_a_page_per_page_in_colour_or_grey(self):
        doc = make_pdf(self.tmp, "two", [TEXT_RGB_BLACK, RED_MARK])
        colour = pwg_pages(self.printed("pwg", self.print_to("pwg", doc, "pat"), "pwg"))
        self.assertEqual(len(colour), 2)
        self.assertEqual({p[0] for p in colour}, {19})  # sRGB
        mono_job = self.print_to("pwg", doc, "pat",
                                 job_attrs_=attr("keyword", "print-color-mode", "monochrome") +
                                 attr("keyword", "sides", "two-sided-long-edge"))
        mono = pwg_pages(self.printed("pwg", mono_job, "pwg"))
        self.assertEqual(len(mono), 2)
        self.assertEqual({(p[0], p[1]) for p in mono}, {(18, 8)})  # sGray, 8 bits
        self.assertEqual({p[4] for p in mono}, {1})  # duplex in the header

    def test_pages_are_fitted_onto_the_media_the_job_asked_for(self):
        doc = make_pdf(self.tmp, "letter", [TEXT_RGB_BLACK])  # gs's default page: US Letter
        job = self.print_to("pwg", doc, "pat", job_attrs_=attr("keyword", "media", "iso_a4_210x297mm"))
        pages = pwg_pages(self.printed("pwg", job, "pwg"))
        self.assertEqual(len(pages), 1)
        # A4 is 2480 x 3508 pixels at 300 dpi, 4958 x 7017 at 600 (the
        # queue's default resolution); Letter would be 2550 x 3300 or 5100 x 6600.
        self.assertIn((pages[0][2], pages[0][3]), [(2480, 3508), (4958, 7017)], pages)

    def test_a_pdf_printer_gets_the_pdf_as_it_was_sent(self):
        job = self.print_to("demo", PDF, "pat")
        self.assertEqual(self.printed("demo", job, "pdf"), PDF)

    def test_a_document_that_cannot_be_converted_fails_alone(self):
        png = subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=png16m", "-r10",
                              "-sOutputFile=-", SAMPLE_PDF], check=True, capture_output=True).stdout
        bad = self.print_to("pxl", png, "pam", fmt="image/png")
        good = self.print_to("pxl", PDF, "pam")
        self.assertIn(b") HP-PCL XL;", self.printed("pxl", good, "pxl")[:200])
        got = {}

        def failed():
            got.update(job_attrs(self.server, bad, "pam", queue="pxl"))
            return got.get("job-state", [0])[0] in (7, 8, 9)
        self.assertTrue(wait_for(failed, timeout=30, interval=0.1), got)
        self.assertEqual(got["job-state"], [8], got)
        self.assertIn("could not be converted", got["job-state-message"][0])
        self.assertIn("PCL XL", got["job-state-message"][0])
        self.assertEqual(glob.glob(os.path.join(self.server.sink("pxl"), "%d.*" % bad)), [])

    def test_conversions_go_when_the_job_ends(self):
        job = self.print_to("pxl", PDF, "pat")
        self.printed("pxl", job, "pxl")
        converted = os.path.join(self.server.data_dir, "spool", "converted", str(job))
        self.assertTrue(wait_for(lambda: not os.path.exists(converted), timeout=10), os.listdir(converted)
                        if os.path.exists(converted) else "")

    def test_a_pull_queue_converts_ahead_for_its_vector_printers_only(self):
        job = self.print_to("pull", PDF, "ahead")
        converted = os.path.join(self.server.data_dir, "spool", "converted", str(job))
        # Held: converted for the PCL XL printer already, not for the raster one.
        self.assertTrue(wait_for(lambda: os.path.exists(os.path.join(converted, "pclxl")), timeout=30),
                        os.listdir(converted) if os.path.exists(converted) else "")
        self.assertEqual(sorted(f for f in os.listdir(converted) if not f.startswith("pclxl.part")), ["pclxl"])
        with open(os.path.join(converted, "pclxl"), "rb") as f:
            made_ahead = f.read()
        c = Client(self.server.address)
        st, _ = c.ipp(request("Release-Job", self.server.uri("pull"), "ahead",
                              extra_op=attr("integer", "job-id", job)), path="/ipp/print/pull")
        c.close()
        self.assertEqual(st, "successful-ok")
        self.assertEqual(self.printed("pxl2", job, "pxl"), made_ahead)
        # Sent without converting again (a conversion at release is logged).
        self.assertNotIn("job %d: converted to" % job, self.server.stderr())


if __name__ == "__main__":
    unittest.main()
