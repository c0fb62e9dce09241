"""CUPS's own ipptool and its standard test files against quired, each on the
queue it suits, plus Quire's own files for pull printing (tests/integration/ipp)."""
import filecmp
import glob
import os
import unittest

from quire_harness import SAMPLE_PDF, Client, ServerTestCase, ipptool, wait_for


class StandardSuites(ServerTestCase):
    def run_ok(self, uri, *files, **kw):
        code, out = ipptool(uri, *files, document=SAMPLE_PDF, **kw)
        self.assertEqual(code, 0, out)
        self.assertIn("[PASS]", out)
        self.assertNotIn("[FAIL]", out)
        return out

    def sink_files(self):
        return sorted(glob.glob(os.path.join(self.server.sink(), "*")))

    def test_print_job_on_both_queues(self):
        for q in ("secure", "demo"):
            self.run_ok(self.server.uri(q), "print-job.test")

    def test_validate_job(self):
        self.run_ok(self.server.uri("secure"), "validate-job.test")

    def test_get_printer_attributes(self):
        for q in ("secure", "demo"):
            self.run_ok(self.server.uri(q), "get-printer-attributes.test")

    def test_get_jobs(self):
        self.run_ok(self.server.uri("secure"), "get-jobs.test")

    def test_get_job_attributes(self):
        c = Client(self.server.address)
        status, attrs = c.print_job(self.server.uri("secure"), open(SAMPLE_PDF, "rb").read(), user="carol")
        c.close()
        self.assertEqual(status, "successful-ok")
        self.run_ok(self.server.uri("secure", attrs["job-id"][0]), "get-job-attributes.test")

    def test_cancel_current_job(self):
        self.run_ok(self.server.uri("secure"), "print-job.test", "cancel-current-job.test")

    def test_print_job_hold_prints_once_released(self):
        for q in ("demo", "secure"):
            before = len(self.sink_files())
            self.run_ok(self.server.uri(q), "print-job-hold.test")
            self.assertTrue(wait_for(lambda: len(self.sink_files()) == before + 1), q)

    def test_release_flow(self):
        self.run_ok(self.server.uri("secure"), "release.test", variables={"requester": "alice"})
        # The sink holds the released document, byte for byte.
        self.assertTrue(any(filecmp.cmp(f, SAMPLE_PDF, shallow=False) for f in self.sink_files()))

    def test_create_job_send_document_close_job_cancel_my_jobs(self):
        self.run_ok(self.server.uri("secure"), "create-job-pull.test", variables={"requester": "dave"})

    def test_stock_create_job_and_identify(self):
        self.run_ok(self.server.uri("demo"), "create-job.test")
        self.run_ok(self.server.uri("secure"), "identify-printer.test")

    def test_compressed_print_jobs(self):
        # The documents arrive decompressed at the printer (the sink).
        def same_as_sample():
            return sum(filecmp.cmp(f, SAMPLE_PDF, shallow=False) for f in self.sink_files())
        before = same_as_sample()
        for q in ("demo", "secure"):
            self.run_ok(self.server.uri(q), "print-job-gzip.test", "print-job-deflate.test")
        self.assertTrue(wait_for(lambda: same_as_sample() == before + 2))

    def test_job_template_attributes(self):
        for q in ("demo", "secure"):
            self.run_ok(self.server.uri(q), "print-job-media-col.test", "create-job-format.test",
                        "create-job-sheets.test", "print-job-letter.test")
            self.run_ok(self.server.uri(q), "get-job-template-attributes.test",
                        "get-printer-description-attributes.test")

    def test_pin_release(self):
        # The file checks the locked job stays held, PIN or not.
        self.run_ok(self.server.uri("demo"), "pin-release.test", variables={"requester": "ida"})

    def test_hold_and_cancel(self):
        self.run_ok(self.server.uri("demo"), "hold-cancel.test", variables={"requester": "bob"})


if __name__ == "__main__":
    unittest.main()
