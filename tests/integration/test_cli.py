"""quired's command line and life cycle: the effective configuration, clean
stops on SIGTERM/SIGINT, and one-line refusals to start."""
import os
import signal
import subprocess
import tempfile
import unittest
import urllib.request

from quire_harness import QUIRED, Quired


def run(*args, timeout=20):
    p = subprocess.run([QUIRED, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


class CommandLine(unittest.TestCase):
    def test_print_config_is_effective_and_reads_back(self):
        with tempfile.TemporaryDirectory() as tmp:
            code, out, err = run("--data-dir", tmp + "/d", "--set", "ipp.listen=127.0.0.1:9999",
                                 "--set", "jobs.held_expiry_s=3600", "--print-config")
            self.assertEqual(code, 0, err)
            self.assertIn('listen = "127.0.0.1:9999"', out)
            self.assertIn("held_expiry_s = 3600", out)
            self.assertIn('data_dir = "%s/d"' % tmp, out)
            self.assertIn('device_uri = "file://%s/d/sink/demo"' % tmp, out)
            path = os.path.join(tmp, "effective.toml")
            with open(path, "w") as f:
                f.write(out)
            code, again, err = run("--config", path, "--print-config")
            self.assertEqual(code, 0, err)
            self.assertEqual(again, out)

    def test_invalid_config_names_the_key(self):
        for args, key in ((["--set", "ipp.listen=nonsense"], "ipp.listen"),
                          (["--set", "ipp.lisen=1"], "ipp.lisen"),
                          (["--set", "queues.secure.printers=[\"nowhere\"]"], "queues.secure.printers"),
                          (["--config", "/nonexistent/quire.toml"], "/nonexistent/quire.toml")):
            code, out, err = run(*args, "--data-dir", "/tmp/unused-quire-data")
            self.assertEqual(code, 1, args)
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertIn(key, err)
            self.assertFalse(os.path.exists("/tmp/unused-quire-data"))

    def test_bad_usage(self):
        code, _, err = run("--bogus")
        self.assertEqual(code, 2)
        self.assertIn("usage", err)

    def test_refuses_a_data_folder_in_use_and_a_taken_port(self):
        with Quired() as first:
            code, _, err = run("--data-dir", first.data_dir, "--set", "ipp.listen=127.0.0.1:0")
            self.assertEqual(code, 1)
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertIn("in use by another quired (pid %d)" % first.pid, err)
            with tempfile.TemporaryDirectory() as tmp:
                code, _, err = run("--data-dir", tmp, "--set", "ipp.listen=" + first.address)
                self.assertEqual(code, 1)
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertIn("ipp.listen", err)
                self.assertIn("in use", err)

    def test_sigterm_and_sigint_stop_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            server = Quired()
            with server:
                self.assertEqual(server.stop(sig), 0)
                self.assertNotIn("critical", server.stderr())
                self.assertIn("stopped", server.stderr())

    def test_landing_page_and_metrics(self):
        token = "cli-test-metrics-token-0123"  # /metrics answers administrators or this bearer
        with Quired(sets=["api.allow_plain_loopback=true", "api.metrics_token=" + token]) as server:
            page = urllib.request.urlopen("http://%s/" % server.address).read().decode()
            self.assertIn("/ipp/print/secure", page)
            self.assertIn("/ipp/print/demo", page)
            scrape = urllib.request.Request("http://%s/metrics" % server.address,
                                            headers={"Authorization": "Bearer " + token})
            metrics = urllib.request.urlopen(scrape).read().decode()
            self.assertIn("quire_storage_commit_groups_total", metrics)


if __name__ == "__main__":
    unittest.main()
