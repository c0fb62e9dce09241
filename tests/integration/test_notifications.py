"""IPP notifications (RFC 3995 subscriptions, RFC 3996 ippget) against quired:
printer and job subscriptions, Get-Notifications with notify-wait as a long
poll, per-user privacy, renew and cancel, and requests Quire refuses."""
import threading
import time
import unittest

from quire_harness import SAMPLE_PDF, Client, ServerTestCase, attr, parse_groups, request

PDF = open(SAMPLE_PDF, "rb").read()


def sub_group(events=("job-created", "job-completed", "job-state-changed"), lease=None, job_id=None,
              pull="ippget", recipient=None, user_data=None):
    g = b""
    if recipient:
        g += attr("uri", "notify-recipient-uri", recipient)
    if pull:
        g += attr("keyword", "notify-pull-method", pull)
    if events:
        g += attr("keyword", "notify-events", *events)
    if lease is not None:
        g += attr("integer", "notify-lease-duration", lease)
    if job_id is not None:
        g += attr("integer", "notify-job-id", job_id)
    if user_data is not None:
        g += bytes([0x30]) + b"\x00\x10notify-user-data" + len(user_data).to_bytes(2, "big") + user_data
    return g


class Notifications(ServerTestCase):
    def call(self, op, queue, user, extra=b"", subscriptions=(), timeout=30):
        c = Client(self.server.address, timeout=timeout)
        try:
            body = request(op, self.server.uri(queue), user, extra_op=extra, subscriptions=subscriptions)
            status, data = c.post(body, "/ipp/print/" + queue)
            self.assertEqual(status, 200)
            return parse_groups(data)
        finally:
            c.close()

    def subscribe(self, queue, user, **kw):
        status, groups = self.call("Create-Printer-Subscriptions", queue, user, subscriptions=[sub_group(**kw)])
        self.assertIn(status, ("successful-ok", "successful-ok-ignored-or-substituted-attributes"))
        subs = [g for t, g in groups if t == 0x06]
        return subs[0]["notify-subscription-id"][0]

    def notifications(self, queue, user, sub_id, seq=1, wait=False, timeout=30):
        extra = attr("integer", "notify-subscription-ids", sub_id) + attr("integer", "notify-sequence-numbers", seq)
        if wait:
            extra += attr("boolean", "notify-wait", True)
        status, groups = self.call("Get-Notifications", queue, user, extra, timeout=timeout)
        events = [g for t, g in groups if t == 0x07]
        ops = [g for t, g in groups if t == 0x01]
        return status, events, ops[0] if ops else {}

    def print_job(self, queue, user, name):
        c = Client(self.server.address)
        try:
            status, attrs = c.print_job(self.server.uri(queue), PDF, user=user, name=name)
        finally:
            c.close()
        self.assertEqual(status, "successful-ok")
        return attrs["job-id"][0]

    def test_printer_subscription_sees_jobs_and_masks_other_users_names(self):
        sid = self.subscribe("demo", "alice", user_data=b"token-1")
        status, events, ops = self.notifications("demo", "alice", sid)
        self.assertEqual(status, "successful-ok")
        # Jobs of other tests may still be finishing on demo: whatever came
        # before this test's jobs is theirs.
        before = {e["job-id"][0] for e in events}
        self.assertIn("notify-get-interval", ops)
        mine = self.print_job("demo", "alice", "alice-thesis")
        theirs = self.print_job("demo", "bob", "bob-secret")
        deadline = time.time() + 10
        while time.time() < deadline:
            status, events, _ = self.notifications("demo", "alice", sid)
            done = {e["job-id"][0] for e in events if e["notify-subscribed-event"][0] == "job-completed"}
            if {mine, theirs} <= done:
                break
            time.sleep(0.1)
        self.assertTrue({mine, theirs} <= done, events)
        self.assertFalse({mine, theirs} & before)
        seqs = [e["notify-sequence-number"][0] for e in events]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(seqs[0], 1)
        for e in events:
            self.assertEqual(e["notify-subscription-id"], [sid])
            self.assertEqual(e["notify-user-data"], ["token-1"])
            text = e["notify-text"][0]
            if e["job-id"][0] == theirs:
                self.assertNotIn("bob-secret", text)
                self.assertNotIn("job-name", e)
        created = [e for e in events if e["job-id"][0] == mine and e["notify-subscribed-event"][0] == "job-created"]
        self.assertEqual(len(created), 1)
        self.assertIn("alice-thesis", created[0]["notify-text"][0])
        # Asking from a later sequence number returns only what follows it.
        _, later, _ = self.notifications("demo", "alice", sid, seq=seqs[-1])
        self.assertEqual([e["notify-sequence-number"][0] for e in later], [seqs[-1]])

    def test_notify_wait_is_a_long_poll(self):
        sid = self.subscribe("demo", "carol", events=("job-created",))
        result = {}

        def poll():
            result["answer"] = self.notifications("demo", "carol", sid, wait=True, timeout=60)
            result["at"] = time.time()

        t = threading.Thread(target=poll)
        t.start()
        time.sleep(1.0)
        self.assertTrue(t.is_alive(), "Get-Notifications with notify-wait answered before any event")
        sent = time.time()
        job = self.print_job("demo", "carol", "wake-up")
        t.join(30)
        self.assertFalse(t.is_alive())
        status, events, _ = result["answer"]
        self.assertEqual(status, "successful-ok")
        self.assertEqual([e["job-id"][0] for e in events], [job])
        self.assertGreaterEqual(result["at"], sent)

    def test_job_subscription_ends_with_the_job(self):
        job = self.print_job("secure", "dave", "held-one")
        status, groups = self.call("Create-Job-Subscriptions", "secure", "dave",
                                   subscriptions=[sub_group(events=("job-completed", "job-state-changed"),
                                                            job_id=job)])
        self.assertEqual(status, "successful-ok")
        sid = [g for t, g in groups if t == 0x06][0]["notify-subscription-id"][0]
        # Someone else may not subscribe to dave's job.
        status, _ = self.call("Create-Job-Subscriptions", "secure", "eve",
                              subscriptions=[sub_group(job_id=job)])
        self.assertEqual(status, "client-error-not-authorized")
        status, _ = self.call("Release-Job", "secure", "dave", attr("integer", "job-id", job))
        self.assertEqual(status, "successful-ok")
        deadline = time.time() + 10
        while time.time() < deadline:
            status, events, ops = self.notifications("secure", "dave", sid)
            if status == "successful-ok-events-complete":
                break
            time.sleep(0.1)
        self.assertEqual(status, "successful-ok-events-complete")
        self.assertEqual(ops["notify-get-interval"], [0])
        kinds = [e["notify-subscribed-event"][0] for e in events]
        self.assertEqual(kinds[-1], "job-completed")
        self.assertIn("job-state-changed", kinds)
        self.assertEqual(events[-1]["job-state"], [9])

    def test_renew_cancel_and_other_users(self):
        sid = self.subscribe("secure", "frank", lease=120)
        status, _, _ = self.notifications("secure", "grace", sid)
        self.assertEqual(status, "client-error-not-authorized")
        status, groups = self.call("Renew-Subscription", "secure", "frank",
                                   attr("integer", "notify-subscription-id", sid) +
                                   attr("integer", "notify-lease-duration", 300))
        self.assertEqual(status, "successful-ok")
        self.assertEqual([g for t, g in groups if t == 0x06][0]["notify-lease-duration"], [300])
        status, groups = self.call("Get-Subscriptions", "secure", "frank")
        self.assertEqual(status, "successful-ok")
        ids = [g["notify-subscription-id"][0] for t, g in groups if t == 0x06]
        self.assertIn(sid, ids)
        status, groups = self.call("Get-Subscriptions", "secure", "grace")
        self.assertNotIn(sid, [g["notify-subscription-id"][0] for t, g in groups if t == 0x06])
        status, _ = self.call("Cancel-Subscription", "secure", "grace", attr("integer", "notify-subscription-id", sid))
        self.assertEqual(status, "client-error-not-authorized")
        status, _ = self.call("Cancel-Subscription", "secure", "frank", attr("integer", "notify-subscription-id", sid))
        self.assertEqual(status, "successful-ok")
        status, _, _ = self.notifications("secure", "frank", sid)
        self.assertEqual(status, "client-error-not-found")

    def test_what_is_refused(self):
        # Push delivery is not offered: that group is refused, with its reason.
        status, groups = self.call("Create-Printer-Subscriptions", "demo", "henry",
                                   subscriptions=[sub_group(pull=None, recipient="mailto:henry@example.org")])
        self.assertEqual(status, "client-error-ignored-all-subscriptions")
        self.assertEqual([g for t, g in groups if t == 0x06][0]["notify-status-code"], [0x040C])
        # One good group and one bad: the good one is granted.
        status, groups = self.call("Create-Printer-Subscriptions", "demo", "henry",
                                   subscriptions=[sub_group(), sub_group(pull="carrier-pigeon")])
        subs = [g for t, g in groups if t == 0x06]
        self.assertIn("notify-subscription-id", subs[0])
        self.assertIn("notify-status-code", subs[1])
        # No subscription group at all; an unknown subscription; a bad id.
        status, _ = self.call("Create-Printer-Subscriptions", "demo", "henry")
        self.assertEqual(status, "client-error-bad-request")
        status, _, _ = self.notifications("demo", "henry", 999999)
        self.assertEqual(status, "client-error-not-found")
        status, _ = self.call("Get-Notifications", "demo", "henry")
        self.assertEqual(status, "client-error-bad-request")
        status, _ = self.call("Create-Job-Subscriptions", "demo", "henry",
                              subscriptions=[sub_group(job_id=987654)])
        self.assertEqual(status, "client-error-not-found")


if __name__ == "__main__":
    unittest.main()
