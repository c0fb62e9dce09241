"""Acknowledged means durable across a power loss, not only a process kill
(which leaves the page cache intact): watched with strace, the spool file,
its folder and the RocksDB write-ahead log are synced before the bytes of
the response that acknowledges the job are written."""
import os
import re
import shutil
import tempfile
import unittest

from quire_harness import Client, Quired

LINE = re.compile(r"^(\d+)\s+(\d+):(\d+):(\d+\.\d+)\s+(.*)$")


def seconds(h, m, s):
    return int(h) * 3600 + int(m) * 60 + float(s)


def parse(trace_path):
    """Returns events (start, end, syscall, text) with unfinished/resumed pairs joined."""
    events, open_calls = [], {}
    with open(trace_path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.strip())
            if not m:
                continue
            pid, t, rest = m.group(1), seconds(*m.group(2, 3, 4)), m.group(5)
            if rest.endswith("<unfinished ...>"):
                name = rest.split("(", 1)[0]
                open_calls[(pid, name)] = (t, rest)
                continue
            r = re.match(r"<\.\.\. (\w+) resumed>(.*)", rest)
            if r:
                name = r.group(1)
                start, text = open_calls.pop((pid, name), (t, ""))
                events.append((start, t, name, text + r.group(2)))
                continue
            events.append((t, t, rest.split("(", 1)[0], rest))
    return events


class SyncOrder(unittest.TestCase):
    def test_syncs_precede_the_acknowledgement(self):
        if not shutil.which("strace"):
            self.skipTest("strace is not installed")
        if os.environ.get("QUIRE_SANITIZED"):
            # tests/sanitize.sh: LeakSanitizer cannot run under ptrace, and the
            # traced instrumented server also drops the request (not yet
            # understood). The order of syscalls is the plain build's to prove.
            self.skipTest("not under sanitizers (strace)")
        tmp = tempfile.mkdtemp(prefix="quire-strace-")
        trace = os.path.join(tmp, "trace")
        # Job processors off: stub "PDFs", and only the intake's syscalls are traced.
        server = Quired(data_dir=os.path.join(tmp, "data"),
                        sets=["limits.inline_document_bytes=8192", "processors.enabled=false"])
        try:
            server.start(wrapper=["strace", "-f", "-y", "-tt", "-qq", "-s", "24", "-o", trace, "-e",
                                  "trace=fsync,fdatasync,rename,renameat,renameat2,write,writev,sendmsg"],
                         timeout=60)
            c = Client(server.address)
            big = b"%PDF-1.4\n%" + os.urandom(60000)   # goes through a spool file
            small = b"%PDF-1.4\n% small"                # travels inside the storage batch
            s1, a1 = c.print_job(server.uri("secure"), big, user="sync")
            s2, a2 = c.print_job(server.uri("secure"), small, user="sync")
            c.close()
            self.assertEqual((s1, s2), ("successful-ok", "successful-ok"))
            self.assertEqual(server.stop(), 0)
            big_id = a1["job-id"][0]
            events = parse(trace)

            def first(pred, after=0.0):
                for start, end, name, text in events:
                    if start >= after and pred(name, text):
                        return start, end
                self.fail("no matching syscall after %.6f" % after)

            responses = [e for e in events if e[2] in ("write", "writev", "sendmsg") and "HTTP/1.1 200" in e[3]]
            self.assertEqual(len(responses), 2, responses)
            resp1, resp2 = responses[0][0], responses[1][0]

            up = first(lambda n, t: n in ("fsync", "fdatasync") and "/spool/incoming/" in t)
            ren = first(lambda n, t: n.startswith("rename") and "/spool/incoming/" in t
                        and t.rstrip().endswith("= 0") and '/spool/%d"' % big_id in t)
            folder = first(lambda n, t: n == "fsync" and re.search(r"/spool>\)", t), after=ren[1])
            wal = first(lambda n, t: n in ("fsync", "fdatasync") and re.search(r"/db/\d+\.log>", t),
                        after=folder[1])
            self.assertLessEqual(up[1], ren[0], "the upload is synced before it is renamed")
            self.assertLessEqual(ren[1], folder[0], "the folder is synced after the rename")
            self.assertLessEqual(wal[1], resp1, "the WAL is synced before the first acknowledgement")
            # The small job: a WAL sync completes between the two responses.
            wal2 = first(lambda n, t: n in ("fsync", "fdatasync") and re.search(r"/db/\d+\.log>", t),
                         after=resp1)
            self.assertLessEqual(wal2[1], resp2, "the WAL is synced before the second acknowledgement")
        finally:
            if server.proc:
                server.kill9()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
