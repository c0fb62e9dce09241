"""A group queue prints each job at once on the least busy of its printers:
with two idle file-sink printers the jobs share them, and every document
lands whole in one of the two sinks."""
import filecmp
import glob
import os
import unittest

from quire_harness import SAMPLE_PDF, Client, Quired, wait_for

PDF = open(SAMPLE_PDF, "rb").read()


class GroupQueue(unittest.TestCase):
    def test_jobs_spread_over_the_group(self):
        sets = ["printers.lab2.device_uri=file://${data_dir}/sink/lab2", "queues.lab.type=group",
                'queues.lab.printers=["demo","lab2"]']
        with Quired(sets=sets) as server:
            c = Client(server.address)
            for i in range(12):
                status, _ = c.print_job(server.uri("lab"), PDF, user="gus", name="group-%d" % i)
                self.assertEqual(status, "successful-ok")
            c.close()
            files = lambda: (glob.glob(os.path.join(server.sink("demo"), "*")) +
                             glob.glob(os.path.join(server.sink("lab2"), "*")))
            self.assertTrue(wait_for(lambda: len(files()) == 12))
            on_demo = len(glob.glob(os.path.join(server.sink("demo"), "*")))
            self.assertGreater(on_demo, 0)
            self.assertLess(on_demo, 12)
            for f in files():
                self.assertTrue(filecmp.cmp(f, SAMPLE_PDF, shallow=False))


if __name__ == "__main__":
    unittest.main()
