"""Per-user caps and rates: a user past the cap on unfinished jobs gets
client-error-not-possible (others are not affected, and canceling frees a
place); one sending too fast gets server-error-busy."""
import unittest

from quire_harness import SAMPLE_PDF, Client, Quired, attr, request

PDF = open(SAMPLE_PDF, "rb").read()


class Limits(unittest.TestCase):
    def start(self, *sets):
        self.server = Quired(sets=list(sets))
        self.server.start()
        self.addCleanup(self.server.__exit__, None, None, None)

    def test_a_cap_on_unfinished_jobs(self):
        self.start("limits.max_jobs_per_user=3")
        c = Client(self.server.address)
        ids = []
        for _ in range(2):
            status, attrs = c.print_job(self.server.uri("secure"), PDF, user="alice")
            self.assertEqual(status, "successful-ok")
            ids.append(attrs["job-id"][0])
        # A Create-Job job waiting for its document counts too.
        status, attrs = c.ipp(request("Create-Job", self.server.uri("secure"), "alice"))
        self.assertEqual(status, "successful-ok")
        ids.append(attrs["job-id"][0])
        status, attrs = c.ipp(request("Print-Job", self.server.uri("secure"), "alice",
                                      extra_op=attr("mime", "document-format", "application/pdf")) + PDF)
        self.assertEqual(status, "client-error-not-possible")
        self.assertIn("3 jobs waiting", attrs["status-message"][0])
        status, _ = c.print_job(self.server.uri("secure"), PDF, user="bob")
        self.assertEqual(status, "successful-ok")  # another user
        status, _ = c.ipp(request("Cancel-Job", self.server.uri("secure"), "alice",
                                  extra_op=attr("integer", "job-id", ids[0])))
        self.assertEqual(status, "successful-ok")
        status, _ = c.print_job(self.server.uri("secure"), PDF, user="alice")
        self.assertEqual(status, "successful-ok")
        c.close()

    def test_b_a_rate_per_user(self):
        self.start("limits.user_submissions_per_minute=8")
        c = Client(self.server.address)
        statuses = [c.print_job(self.server.uri("demo"), PDF, user="carol")[0] for _ in range(3)]
        c.close()
        self.assertEqual(statuses[:2], ["successful-ok", "successful-ok"])  # the burst: a quarter minute
        self.assertEqual(statuses[2], "0x0507")  # server-error-busy


if __name__ == "__main__":
    unittest.main()
